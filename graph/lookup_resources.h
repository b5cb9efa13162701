// LookupResources: every resource of a type on which a subject has a permission, at one
// snapshot revision.
//
//   ResourceLookup lookup(schema, snapshot, {.max_depth = 50});
//   absl::Status s = lookup.Run({"document", "view", "user", "alice", ""},
//                               [&](absl::string_view id) { send(id); return true; });
//
// The walk starts at the subject and goes *backwards* over the subject-major index
// (Snapshot::ForEachResource), following LookupPlan's hops (relations that allow the subject,
// computed usersets, arrows walked from the tupleset's subject to its resources) until it reaches
// the target permission. Its cost follows the number of relationships on the way to the answer,
// not the number of resources of the type. A hop taken through an intersection, exclusion or
// `.all()` is confirmed where it is taken, as SpiceDB's LookupResources does: a check of the
// permission it enters, with the hop itself hinted as held (CheckOptions::Hint), so only the
// other branches are judged and the hop's caveat stays on the route. Caveats on
// the way are collected per route, as SpiceDB's LookupResources does, and evaluated with the
// request's context when the route reaches an answer: true reports it at once, false drops the
// route, partial holds it back; after the walk each resource still only conditional is
// reported once, CONDITIONAL with the context its routes lack (SpiceDB may also stream such a
// resource a second time, definite and conditional; rebacd reports one outcome per resource).
//
// As in SpiceDB, every hop that re-dispatches costs one unit of depth and running out is
// FAILED_PRECONDITION / ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED; that is also how data cycles on the
// way end. Results stream as they are found, each resource once, in an order fixed by the data
// and the schema: the same request at the same revision reports the same sequence, which is what
// makes `skip` (resuming after a cursor) exact.
//
// Thread safety: a ResourceLookup serves one request on one thread.
#ifndef REBACD_GRAPH_LOOKUP_RESOURCES_H_
#define REBACD_GRAPH_LOOKUP_RESOURCES_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "graph/check.h"
#include "graph/lookup_plan.h"
#include "schema/compiled_schema.h"
#include "storage/datastore.h"

namespace rebac::graph {

struct LookupResourcesRequest {
  std::string resource_type;
  std::string permission;
  std::string subject_type;
  std::string subject_id;
  std::string subject_relation;  // "" = the subject object itself
  // The caller's caveat context, for resources reached through caveated relationships.
  schema::caveats::ValueMap context;
};

struct LookupResourcesOptions {
  int max_depth = kDefaultMaxDepth;
  // Results to pass over silently before reporting (the ones an earlier page already sent).
  uint64_t skip = 0;
  // Polled between steps; returning true ends the walk with CANCELLED.
  std::function<bool()> cancelled;
};

// Receives each resource id, with the caveat context it still lacks when the subject has the
// permission only conditionally (nullptr when unconditionally); returns false to stop the walk
// (limit reached, client gone).
using ResourceVisitor = absl::FunctionRef<bool(absl::string_view resource_id,
                                               const std::vector<std::string>* missing_context)>;

// The checks both lookups make before walking: names against the schema (FAILED_PRECONDITION,
// as CheckPermission) and a `*` subject (INVALID_ARGUMENT / ERROR_REASON_WILDCARD_NOT_ALLOWED).
absl::Status ValidateLookupResourcesRequest(const schema::CompiledSchema& schema,
                                            const LookupResourcesRequest& request);

// Whether the request's subject has `entrypoint`'s permission on `resource_id`, given that it
// holds via_type:via_id#via_relation — the hop the walk came through, hinted as held, as
// SpiceDB's LookupResources confirms a hop through an intersection, exclusion or `.all()`: only
// the other branches are judged, and the hop's caveat stays on the route. `depth` is what is
// left for the check; running out is MaxDepthExceeded(max_depth).
absl::StatusOr<Membership> ConfirmHop(std::shared_ptr<const schema::CompiledSchema> schema,
                                      std::shared_ptr<const storage::Snapshot> snapshot,
                                      const LookupResourcesRequest& request,
                                      const Entrypoint& entrypoint, const std::string& resource_id,
                                      const std::string& via_type, const std::string& via_relation,
                                      const std::string& via_id, int depth, int max_depth);

class ResourceLookup {
 public:
  ResourceLookup(std::shared_ptr<const schema::CompiledSchema> schema,
                 std::shared_ptr<const storage::Snapshot> snapshot,
                 LookupResourcesOptions options = {});

  // Validates the request against the schema (FAILED_PRECONDITION for unknown names, as
  // CheckPermission; INVALID_ARGUMENT / ERROR_REASON_WILDCARD_NOT_ALLOWED for a `*` subject) and
  // reports every matching resource to `visit`. Stopping early through `visit` is OK.
  absl::Status Run(const LookupResourcesRequest& request, ResourceVisitor visit);

 private:
  // One SpiceDB dispatch: the objects `id` of (type, relation), with `depth` left. A
  // `check_depth` of -1 means everything found below is an answer as is; otherwise answers must
  // pass a check with that much depth.
  // `path` is the caveat condition of the relationships walked from the subject to here (yes
  // when none was caveated).
  absl::Status Visit(const std::string& type, const std::string& relation, const std::string& id,
                     int depth, int check_depth, const Membership& path);
  absl::Status Found(const Entrypoint& entrypoint, const std::string& id, int depth,
                     int check_depth, const Membership& path);
  absl::Status Report(const std::string& id, int check_depth, const Membership& path);
  absl::Status Emit(const std::string& id, const std::vector<std::string>* missing_context);
  absl::Status ReportPending();
  std::shared_ptr<const schema::CompiledSchema> schema_;
  std::shared_ptr<const storage::Snapshot> snapshot_;
  LookupResourcesOptions options_;

  // Per run.
  const LookupResourcesRequest* request_ = nullptr;
  std::unique_ptr<LookupPlan> plan_;
  ResourceVisitor* visit_ = nullptr;
  bool stopped_ = false;
  uint64_t seen_results_ = 0;
  uint64_t steps_ = 0;
  // "type#relation#id" plus whether a check is pending -> the least depth it was visited with.
  // A node is walked again only with less depth left, so that a longer route to it still runs
  // into the depth limit exactly where SpiceDB's would.
  absl::flat_hash_map<std::string, int> visited_;
  absl::flat_hash_set<std::string> reported_;
  // Resources reached only conditionally so far: the OR of their routes' conditions, reported
  // after the walk unless a route made them definite meanwhile.
  absl::flat_hash_map<std::string, Membership> pending_;
  std::vector<std::string> pending_order_;  // first-reached order, so pages are stable
  std::unique_ptr<CaveatRunner> caveats_;
  absl::flat_hash_set<std::string> refuted_;  // failed their check
};

}  // namespace rebac::graph

#endif  // REBACD_GRAPH_LOOKUP_RESOURCES_H_
