// LookupSubjects: every subject of a type (and subject relation) that has a permission on one
// resource, at one snapshot revision, each found unconditionally or under a caveat expression.
//
//   SubjectLookup lookup(schema, snapshot, {.max_depth = 50});
//   absl::StatusOr<std::vector<FoundSubject>> subjects =
//       lookup.Run({"document", "readme", "view", "user", ""});
//
// The walk goes forward from the resource like SpiceDB's (internal/graph/lookupsubjects.go):
// direct subjects of the requested type, every userset edge followed (its caveat, if any,
// applied to what it leads to), computed usersets, arrows, and union / intersection / exclusion
// over SubjectSets, which carry wildcards, exclusions and caveats exactly as SpiceDB's do. The
// caller evaluates each found subject's caveat with the request's context.
//
// The answer is SpiceDB's stream, not a set: a permission's subjects are one merged set, but a
// relation's are published response by response — its direct subjects, then what each group of
// usersets leads to — and SpiceDB sends every found subject of every response. So
// `reader: user with c | group#member` with tom both ways answers tom twice, once conditional
// and once not. Each dispatch's result keeps those responses apart, keyed by the route that
// produced them: siblings' responses on the same route are one response in SpiceDB (one
// dispatch serves all of them), which matters where a caveated userset merges a response.
//
// Sub-problems (object, relation) are memoized for the request. As in SpiceDB every dispatch
// costs one unit of depth: a chain deeper than the limit, or any cycle in the walked data, is
// FAILED_PRECONDITION with ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED.
//
// Thread safety: a SubjectLookup serves one request on one thread.
#ifndef REBACD_GRAPH_LOOKUP_SUBJECTS_H_
#define REBACD_GRAPH_LOOKUP_SUBJECTS_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "graph/check.h"
#include "graph/subject_set.h"
#include "schema/compiled_schema.h"
#include "storage/datastore.h"

namespace rebac::graph {

struct LookupSubjectsRequest {
  std::string resource_type;
  std::string resource_id;
  std::string permission;
  std::string subject_type;
  std::string subject_relation;  // "" = subject objects themselves
};

struct LookupSubjectsOptions {
  int max_depth = kDefaultMaxDepth;
  // Polled between steps; returning true ends the walk with CANCELLED.
  std::function<bool()> cancelled;
};

class SubjectLookup {
 public:
  SubjectLookup(std::shared_ptr<const schema::CompiledSchema> schema,
                std::shared_ptr<const storage::Snapshot> snapshot,
                LookupSubjectsOptions options = {});

  // Validates the names against the schema (FAILED_PRECONDITION, as CheckPermission) and
  // returns the found subjects in the order SpiceDB would stream them, duplicates included.
  absl::StatusOr<std::vector<FoundSubject>> Run(const LookupSubjectsRequest& request);

 private:
  // The found-subject lists of the responses SpiceDB publishes for one resource, in order,
  // each keyed by its route.
  using Responses = std::vector<std::pair<std::string, std::vector<FoundSubject>>>;
  // A sub-problem's responses and how many nested dispatches (itself included) computing them
  // took: SpiceDB fails where that exceeds the depth it had left.
  struct Result {
    Responses responses;
    int dispatches = 1;
  };
  absl::StatusOr<const Result*> Dispatch(const std::string& type, const std::string& id,
                                         const std::string& relation);
  absl::Status EvaluateDirect(const schema::Definition& definition,
                              const schema::Relation& relation, const std::string& id, Result* out);
  // A permission's rewrite: one merged set, as SpiceDB's union / intersection / exclusion
  // reducers publish it.
  absl::Status EvaluateRewrite(const schema::Definition& definition,
                               const schema::RewriteNode& node, const std::string& id,
                               SubjectSet* out, int* dispatches);
  absl::Status EvaluateArrow(const schema::Definition& definition, const schema::RewriteNode& node,
                             const std::string& id, SubjectSet* out, int* dispatches);

  std::shared_ptr<const schema::CompiledSchema> schema_;
  std::shared_ptr<const storage::Snapshot> snapshot_;
  LookupSubjectsOptions options_;

  const LookupSubjectsRequest* request_ = nullptr;
  uint64_t steps_ = 0;
  absl::node_hash_map<std::string, Result> memo_;  // "type#relation#id"
  absl::flat_hash_set<std::string> in_progress_;   // a dispatch met again is a cycle
};

}  // namespace rebac::graph

#endif  // REBACD_GRAPH_LOOKUP_SUBJECTS_H_
