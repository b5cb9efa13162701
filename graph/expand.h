// ExpandPermissionTree: the tree of who has a permission or relation on one object, one level
// deep, at one snapshot revision.
//
//   TreeExpander expander(schema, snapshot, {.max_depth = 50});
//   absl::StatusOr<ExpandNode> tree = expander.Expand("document", "readme", "view");
//
// The shape is SpiceDB's (internal/graph/expand.go in its shallow mode, as the v1 API uses it):
// a relation is a leaf listing its direct subjects (objects first, then usersets such as
// `group:eng#member`, which are *not* expanded further); a permission is an intermediate node of
// its set operation whose children are the expanded computed usersets (one dispatch each), nested
// operations, arrows (a union — an intersection for `.all()` — of the target expanded on each
// tupleset subject) and `nil` (an empty leaf). Every node names the object and relation it
// expanded. Each dispatch costs one unit of depth; running out (deep or cyclic arrows) is
// FAILED_PRECONDITION with ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED.
//
// Thread safety: a TreeExpander serves one request on one thread.
#ifndef REBACD_GRAPH_EXPAND_H_
#define REBACD_GRAPH_EXPAND_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "graph/check.h"
#include "schema/compiled_schema.h"
#include "storage/datastore.h"

namespace rebac::graph {

struct ExpandSubject {
  std::string type;
  std::string id;
  std::string relation;  // "" = the object itself
  bool operator==(const ExpandSubject&) const = default;
};

struct ExpandNode {
  enum class Kind { kLeaf, kUnion, kIntersection, kExclusion };
  Kind kind = Kind::kLeaf;
  // The object and relation this node expanded.
  std::string object_type;
  std::string object_id;
  std::string relation;
  std::vector<ExpandNode> children;     // intermediate nodes
  std::vector<ExpandSubject> subjects;  // leaves
};

struct ExpandOptions {
  int max_depth = kDefaultMaxDepth;
};

class TreeExpander {
 public:
  TreeExpander(std::shared_ptr<const schema::CompiledSchema> schema,
               std::shared_ptr<const storage::Snapshot> snapshot, ExpandOptions options = {});

  // Validates the names (FAILED_PRECONDITION, as CheckPermission) and expands.
  absl::StatusOr<ExpandNode> Expand(const std::string& type, const std::string& id,
                                    const std::string& relation);

 private:
  absl::StatusOr<ExpandNode> Dispatch(const std::string& type, const std::string& id,
                                      const std::string& relation, int depth);
  absl::StatusOr<ExpandNode> ExpandRewrite(const schema::Definition& definition,
                                           const schema::Relation& relation,
                                           const schema::RewriteNode& node, const std::string& id,
                                           int depth);
  absl::StatusOr<ExpandNode> ExpandArrow(const schema::Definition& definition,
                                         const schema::Relation& relation,
                                         const schema::RewriteNode& node, const std::string& id,
                                         int depth);

  std::shared_ptr<const schema::CompiledSchema> schema_;
  std::shared_ptr<const storage::Snapshot> snapshot_;
  ExpandOptions options_;
  // "type#relation#id" of the dispatches on the current path. Meeting one again is a cycle,
  // which can only end in max depth; answering that at once keeps branching cycles from costing
  // exponential time (SpiceDB's traversal bloom filter does the same).
  absl::flat_hash_set<std::string> on_path_;
};

}  // namespace rebac::graph

#endif  // REBACD_GRAPH_EXPAND_H_
