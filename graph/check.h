// CheckPermission: does a subject have a permission (or relation) on a resource, at one
// snapshot revision?
//
//   Checker checker(schema, snapshot);
//   absl::StatusOr<CheckResult> r = checker.Check({.resource_type = "document", ...});
//
// The walk follows SpiceDB's semantics: direct subjects and wildcards of a relation, userset
// edges (`group:eng#member`) followed recursively, computed usersets, arrows (`parent->view`,
// `.any()`, `.all()`), union / intersection / exclusion, `nil`. Every hop to another relation
// costs one unit of depth; running out is FAILED_PRECONDITION with
// ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED, and so is reaching a sub-problem that is already on the
// current path (a cycle in the data), as SpiceDB answers both. A definite answer of one branch
// wins over an error in another where it decides the result (a "yes" in a union, a "no" in an
// intersection). Sub-problems are memoized for the life of one Checker while the subject stays
// the same: several checks of one subject (CheckBulkPermissions) share what they walked.
//
// Caveats: a caveated relationship on the way makes the sub-problem's membership conditional
// (graph/caveat_expression.h); the walk keeps looking for an unconditional route, and only the
// final expression is evaluated, with the request's context merged under each relationship's
// stored one, as SpiceDB does. The answer is then HAS_PERMISSION, NO_PERMISSION, or CONDITIONAL
// with the context parameters that are still missing. Expired relationships are invisible to the
// walk (the snapshot hides them).
//
// Thread safety: a Checker serves one request on one thread; make one per request (or reuse it
// for several checks at the same snapshot).
#ifndef REBACD_GRAPH_CHECK_H_
#define REBACD_GRAPH_CHECK_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "graph/caveat_expression.h"
#include "graph/check_cache.h"
#include "schema/caveats/value.h"
#include "schema/compiled_schema.h"
#include "storage/datastore.h"

namespace rebac::graph {

inline constexpr int kDefaultMaxDepth = 50;  // SpiceDB's dispatch depth default

struct CheckRequest {
  std::string resource_type;
  std::string resource_id;
  std::string permission;  // a permission or relation of resource_type
  std::string subject_type;
  std::string subject_id;
  std::string subject_relation;  // "" = the subject object itself (ellipsis)
  // The caller's caveat context (JSON-like values as sent), for caveated relationships.
  schema::caveats::ValueMap context;
};

enum class Permissionship { kNoPermission, kHasPermission, kConditional };

// What one sub-problem of a traced check found (CheckOptions::trace): the tree SpiceDB returns
// as the DebugInformation of a check `with_tracing`.
struct CheckTrace {
  std::string resource_type;
  std::string resource_id;
  std::string relation;
  bool is_permission = false;
  Permissionship result = Permissionship::kNoPermission;
  bool cached = false;  // answered from the request's memo, no sub-problems
  absl::Duration duration;
  std::vector<CheckTrace> sub_problems;
};

struct CheckResult {
  Permissionship permissionship = Permissionship::kNoPermission;
  // kConditional: the caveat parameters the context lacks, sorted.
  std::vector<std::string> missing_context;
  // With CheckOptions::trace: the walk, rooted at the requested resource and permission (its
  // result is the final answer, caveats evaluated).
  std::shared_ptr<CheckTrace> trace;
};

struct CheckOptions {
  int max_depth = kDefaultMaxDepth;
  // The walk gives up with DEADLINE_EXCEEDED after this instant, and with CANCELLED once
  // `cancelled` returns true (both polled every few sub-problems), so an abandoned or
  // pathological request stops costing CPU.
  absl::Time deadline = absl::InfiniteFuture();
  std::function<bool()> cancelled;
  // Record the walk as a CheckTrace tree (costs a node per sub-problem; off by default).
  bool trace = false;
  // A part of the checked permission already known to hold for the subject, as SpiceDB's
  // check hints: on object `id`, the computed userset `relation` (arrow_target empty) or the
  // arrow `relation->arrow_target` counts as Yes without being evaluated, wherever the walk
  // meets it (SpiceDB passes hints down with each dispatch). LookupResources passes the
  // hop it walked through when it confirms an intersection or exclusion, so the confirmation
  // judges only the other branches.
  struct Hint {
    std::string type;
    std::string id;
    std::string relation;
    std::string arrow_target;
  };
  std::optional<Hint> hint;
  // Answers shared with other requests at the same revision (nullptr: none). Not consulted
  // with a hint or a trace, whose answers are not the plain sub-problem's.
  CheckCache* shared_cache = nullptr;
};

class Checker {
 public:
  Checker(std::shared_ptr<const schema::CompiledSchema> schema,
          std::shared_ptr<const storage::Snapshot> snapshot, CheckOptions options = {});

  // Validates the request against the schema (unknown definition / relation are
  // FAILED_PRECONDITION with SpiceDB's reasons; a wildcard subject is INVALID_ARGUMENT) and
  // answers it.
  absl::StatusOr<CheckResult> Check(const CheckRequest& request);

  // Check() without evaluating caveats: whether the subject is a member, possibly only under a
  // caveat expression. For walks that combine many checks before evaluating (lookups).
  absl::StatusOr<Membership> CheckMembership(const CheckRequest& request);

 private:
  // Whether options_.hint names this computed userset (arrow_target "") or arrow of the
  // checked permission's own rewrite.
  bool Hinted(const schema::Definition& definition, absl::string_view id,
              absl::string_view relation, absl::string_view arrow_target) const;
  // One (object, relation) sub-problem for the request's subject.
  absl::StatusOr<Membership> Dispatch(absl::string_view type, absl::string_view id,
                                      absl::string_view relation, int depth);
  absl::StatusOr<Membership> EvaluateRelation(const schema::Definition& definition,
                                              const schema::Relation& relation,
                                              absl::string_view id, int depth);
  absl::StatusOr<Membership> EvaluateDirect(const schema::Definition& definition,
                                            const schema::Relation& relation, absl::string_view id,
                                            int depth);
  absl::StatusOr<Membership> EvaluateRewrite(const schema::Definition& definition,
                                             const schema::RewriteNode& node, absl::string_view id,
                                             int depth);
  absl::StatusOr<Membership> EvaluateArrow(const schema::Definition& definition,
                                           const schema::RewriteNode& node, absl::string_view id,
                                           int depth);

  std::shared_ptr<const schema::CompiledSchema> schema_;
  std::shared_ptr<const storage::Snapshot> snapshot_;
  CheckOptions options_;
  CheckRequest request_;
  absl::Status MaxDepthExceeded() const;
  // The shared cache key of a sub-problem (memo key `key`) for the request's subject.
  std::string SharedKey(absl::string_view key) const;

  absl::flat_hash_map<std::string, Membership> memo_;  // "type\0id\0relation"
  absl::flat_hash_set<std::string> on_path_;           // sub-problems being evaluated (cycle check)
  // With options_.trace: the root, and the nodes of the sub-problems being evaluated.
  std::shared_ptr<CheckTrace> trace_root_;
  std::vector<CheckTrace*> trace_stack_;
  uint32_t dispatches_ = 0;  // sub-problems evaluated, to poll the deadline now and then
  // Depth failures met so far (cycles included). An answer computed while one was met (and
  // absorbed, say by a union that found the subject elsewhere) depends on the path that led to
  // it, so it is not shared with other requests — nor is anything built on it.
  mutable uint64_t depth_failures_ = 0;
  absl::flat_hash_set<std::string> path_dependent_;  // memo keys of such answers
};

}  // namespace rebac::graph

#endif  // REBACD_GRAPH_CHECK_H_
