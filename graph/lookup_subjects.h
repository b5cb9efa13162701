// LookupSubjects: every subject of a type (and subject relation) that has a permission on one
// resource, at one snapshot revision.
//
//   SubjectLookup lookup(schema, snapshot, {.max_depth = 50});
//   absl::StatusOr<SubjectSet> subjects =
//       lookup.Run({"document", "readme", "view", "user", ""});
//
// The walk goes forward from the resource like SpiceDB's (internal/graph/lookupsubjects.go):
// direct subjects of the requested type, every userset edge followed, computed usersets, arrows,
// and union / intersection / exclusion over the resulting sets, with wildcards and their
// exclusions computed by SubjectSet exactly as SpiceDB computes them. Sub-problems
// (object, relation) are memoized for the request. As in SpiceDB every dispatch costs one unit of
// depth: a chain deeper than the limit, or any cycle in the walked data, is FAILED_PRECONDITION
// with ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED.
//
// Thread safety: a SubjectLookup serves one request on one thread.
#ifndef REBACD_GRAPH_LOOKUP_SUBJECTS_H_
#define REBACD_GRAPH_LOOKUP_SUBJECTS_H_

#include <functional>
#include <memory>
#include <string>

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
  // returns the subjects.
  absl::StatusOr<SubjectSet> Run(const LookupSubjectsRequest& request);

 private:
  // A sub-problem's subjects and how many nested dispatches (itself included) computing them
  // took: SpiceDB fails where that exceeds the depth it had left.
  struct Result {
    SubjectSet subjects;
    int dispatches = 1;
  };
  // `subtracted`: the sub-problem is (an odd number of times) on the subtracted side of an
  // exclusion. Caveats are not tracked by the walk: caveated relationships count as present
  // except on the subtracted side, so the walk's concrete subjects are a superset of the answer,
  // which the caller confirms subject by subject with a check (it evaluates the caveats).
  absl::StatusOr<const Result*> Dispatch(const std::string& type, const std::string& id,
                                         const std::string& relation, bool subtracted);
  absl::Status EvaluateDirect(const schema::Definition& definition,
                              const schema::Relation& relation, const std::string& id,
                              bool subtracted, Result* out);
  absl::Status EvaluateRewrite(const schema::Definition& definition,
                               const schema::RewriteNode& node, const std::string& id,
                               bool subtracted, Result* out);
  absl::Status EvaluateArrow(const schema::Definition& definition, const schema::RewriteNode& node,
                             const std::string& id, bool subtracted, Result* out);

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
