#include "graph/expand.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "graph/request_checks.h"

namespace rebac::graph {
namespace {

using Kind = schema::RewriteNode::Kind;

std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }

ExpandNode Named(ExpandNode::Kind kind, const std::string& type, const std::string& id,
                 const std::string& relation) {
  ExpandNode node;
  node.kind = kind;
  node.object_type = type;
  node.object_id = id;
  node.relation = relation;
  return node;
}

bool SubjectLess(const ExpandSubject& a, const ExpandSubject& b) {
  return std::tie(a.type, a.id, a.relation) < std::tie(b.type, b.id, b.relation);
}

}  // namespace

TreeExpander::TreeExpander(std::shared_ptr<const schema::CompiledSchema> schema,
                           std::shared_ptr<const storage::Snapshot> snapshot, ExpandOptions options)
    : schema_(std::move(schema)), snapshot_(std::move(snapshot)), options_(options) {}

absl::StatusOr<ExpandNode> TreeExpander::Expand(const std::string& type, const std::string& id,
                                                const std::string& relation) {
  absl::Status names = CheckObjectRelation(*schema_, type, relation, false);
  if (!names.ok()) return names;
  on_path_.clear();
  return Dispatch(type, id, relation, options_.max_depth);
}

absl::StatusOr<ExpandNode> TreeExpander::Dispatch(const std::string& type, const std::string& id,
                                                  const std::string& relation, int depth) {
  if (depth <= 0) return MaxDepthExceeded(options_.max_depth);
  const schema::Definition* definition = schema_->FindDefinition(Std(type));
  const schema::Relation* rel =
      definition == nullptr ? nullptr : definition->FindRelation(Std(relation));
  if (rel == nullptr) return Named(ExpandNode::Kind::kLeaf, type, id, relation);
  if (rel->is_permission) {
    std::string key = absl::StrCat(type, "#", relation, "#", id);
    if (!on_path_.insert(key).second) return MaxDepthExceeded(options_.max_depth);
    absl::StatusOr<ExpandNode> expanded = ExpandRewrite(*definition, *rel, rel->rewrite, id, depth);
    on_path_.erase(key);
    return expanded;
  }

  // SpiceDB lists the subject objects first, then the usersets, each in the datastore's
  // (type, id, relation) order.
  ExpandNode leaf = Named(ExpandNode::Kind::kLeaf, type, id, relation);
  std::vector<ExpandSubject> usersets;
  absl::Status scan = snapshot_->ForEachSubject(
      type, id, relation, std::nullopt, std::nullopt, [&](const storage::RelationshipView& v) {
        ExpandSubject subject{std::string(v.subject_type), std::string(v.subject_id),
                              std::string(v.subject_relation)};
        (subject.relation.empty() ? leaf.subjects : usersets).push_back(std::move(subject));
        return true;
      });
  if (!scan.ok()) return scan;
  std::sort(leaf.subjects.begin(), leaf.subjects.end(), SubjectLess);
  std::sort(usersets.begin(), usersets.end(), SubjectLess);
  leaf.subjects.insert(leaf.subjects.end(), usersets.begin(), usersets.end());
  return leaf;
}

absl::StatusOr<ExpandNode> TreeExpander::ExpandRewrite(const schema::Definition& definition,
                                                       const schema::Relation& relation,
                                                       const schema::RewriteNode& node,
                                                       const std::string& id, int depth) {
  switch (node.kind) {
    case Kind::kNil:
      return Named(ExpandNode::Kind::kLeaf, definition.name, id, relation.name);
    case Kind::kSelf: {
      // A leaf holding the object itself (SpiceDB v1.54's tree for `self`).
      ExpandNode leaf = Named(ExpandNode::Kind::kLeaf, definition.name, id, relation.name);
      leaf.subjects.emplace_back(definition.name, id);
      return leaf;
    }
    case Kind::kComputedUserset:
      return Dispatch(definition.name, id, node.relation, depth - 1);
    case Kind::kArrow:
      return ExpandArrow(definition, relation, node, id, depth);
    case Kind::kUnion:
    case Kind::kIntersection:
    case Kind::kExclusion: {
      ExpandNode::Kind kind = node.kind == Kind::kUnion          ? ExpandNode::Kind::kUnion
                              : node.kind == Kind::kIntersection ? ExpandNode::Kind::kIntersection
                                                                 : ExpandNode::Kind::kExclusion;
      ExpandNode out = Named(kind, definition.name, id, relation.name);
      for (const schema::RewriteNode& child : node.children) {
        absl::StatusOr<ExpandNode> expanded = ExpandRewrite(definition, relation, child, id, depth);
        if (!expanded.ok()) return expanded.status();
        out.children.push_back(std::move(*expanded));
      }
      return out;
    }
  }
  return absl::InternalError("unknown rewrite node");
}

absl::StatusOr<ExpandNode> TreeExpander::ExpandArrow(const schema::Definition& definition,
                                                     const schema::Relation& relation,
                                                     const schema::RewriteNode& node,
                                                     const std::string& id, int depth) {
  const bool all = node.arrow_function == schema::RewriteNode::ArrowFunction::kAll;
  ExpandNode out = Named(all ? ExpandNode::Kind::kIntersection : ExpandNode::Kind::kUnion,
                         definition.name, id, relation.name);
  std::vector<std::pair<std::string, std::string>> subjects;
  absl::Status scan = snapshot_->ForEachSubject(
      definition.name, id, node.relation, std::nullopt, std::nullopt,
      [&](const storage::RelationshipView& v) {
        subjects.emplace_back(std::string(v.subject_type), std::string(v.subject_id));
        return true;
      });
  if (!scan.ok()) return scan;
  for (const auto& [type, subject_id] : subjects) {
    const schema::Definition* subject_definition = schema_->FindDefinition(Std(type));
    if (subject_definition == nullptr ||
        subject_definition->FindRelation(node.arrow_target) == nullptr) {
      // SpiceDB: an empty leaf naming the object whose permission is being expanded.
      out.children.push_back(Named(ExpandNode::Kind::kLeaf, definition.name, id, relation.name));
      continue;
    }
    absl::StatusOr<ExpandNode> expanded = Dispatch(type, subject_id, node.arrow_target, depth - 1);
    if (!expanded.ok()) return expanded.status();
    out.children.push_back(std::move(*expanded));
  }
  return out;
}

}  // namespace rebac::graph
