#include "graph/lookup_subjects.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "graph/caveat_expression.h"
#include "graph/request_checks.h"

namespace rebac::graph {
namespace {

constexpr uint64_t kCancelPollInterval = 256;

std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }

bool IsCaveated(const storage::RelationshipView& v) {
  return Membership::GrantedEncoded(v.encoded_value).conditional();
}

}  // namespace

SubjectLookup::SubjectLookup(std::shared_ptr<const schema::CompiledSchema> schema,
                             std::shared_ptr<const storage::Snapshot> snapshot,
                             LookupSubjectsOptions options)
    : schema_(std::move(schema)), snapshot_(std::move(snapshot)), options_(std::move(options)) {}

absl::StatusOr<SubjectSet> SubjectLookup::Run(const LookupSubjectsRequest& request) {
  absl::Status names =
      CheckObjectRelation(*schema_, request.resource_type, request.permission, false);
  if (names.ok()) {
    names = CheckObjectRelation(*schema_, request.subject_type, request.subject_relation, true);
  }
  if (!names.ok()) return names;

  request_ = &request;
  steps_ = 0;
  memo_.clear();
  in_progress_.clear();
  absl::StatusOr<const Result*> result =
      Dispatch(request.resource_type, request.resource_id, request.permission, false);
  if (!result.ok()) return result.status();
  if ((*result)->dispatches > options_.max_depth) return MaxDepthExceeded(options_.max_depth);
  return (*result)->subjects;
}

absl::StatusOr<const SubjectLookup::Result*> SubjectLookup::Dispatch(const std::string& type,
                                                                     const std::string& id,
                                                                     const std::string& relation,
                                                                     bool subtracted) {
  std::string key = absl::StrCat(type, "#", relation, "#", id, subtracted ? "#-" : "");
  if (auto it = memo_.find(key); it != memo_.end()) return &it->second;
  // SpiceDB re-dispatches a cycle until its depth runs out, whatever the cycle could add.
  if (!in_progress_.insert(key).second) return MaxDepthExceeded(options_.max_depth);
  if (++steps_ % kCancelPollInterval == 0 && options_.cancelled && options_.cancelled()) {
    return absl::CancelledError("the lookup was cancelled");
  }

  Result result;
  const schema::Definition* definition = schema_->FindDefinition(Std(type));
  const schema::Relation* rel =
      definition == nullptr ? nullptr : definition->FindRelation(Std(relation));
  absl::Status status;
  if (rel != nullptr) {
    status = rel->is_permission
                 ? EvaluateRewrite(*definition, rel->rewrite, id, subtracted, &result)
                 : EvaluateDirect(*definition, *rel, id, subtracted, &result);
  }
  in_progress_.erase(key);
  if (!status.ok()) return status;
  // The resource itself is a subject when the request asks for exactly its type#relation; it is
  // added beside the relation's own answer, never inside its set operations.
  if (type == request_->subject_type && relation == request_->subject_relation) {
    result.subjects.AddConcrete(id);
  }
  auto [it, inserted] = memo_.emplace(std::move(key), std::move(result));
  return &it->second;
}

absl::Status SubjectLookup::EvaluateDirect(const schema::Definition& definition,
                                           const schema::Relation& relation, const std::string& id,
                                           bool subtracted, Result* out) {
  std::vector<std::pair<std::string, std::string>> usersets;  // (type, id) per subject relation
  std::vector<std::string> userset_relations;
  absl::Status scan = snapshot_->ForEachSubject(
      definition.name, id, relation.name, std::nullopt, std::nullopt,
      [&](const storage::RelationshipView& v) {
        if (subtracted && IsCaveated(v)) return true;
        if (v.subject_type == request_->subject_type &&
            v.subject_relation == request_->subject_relation) {
          out->subjects.Add(v.subject_id);
        }
        if (!v.subject_relation.empty()) {
          usersets.emplace_back(std::string(v.subject_type), std::string(v.subject_id));
          userset_relations.emplace_back(v.subject_relation);
        }
        return true;
      });
  if (!scan.ok()) return scan;
  // Every userset is followed, whether or not its type can lead to the requested subject type,
  // as SpiceDB does (that is also where its cycles and depth errors come from).
  for (size_t i = 0; i < usersets.size(); ++i) {
    absl::StatusOr<const Result*> child =
        Dispatch(usersets[i].first, usersets[i].second, userset_relations[i], subtracted);
    if (!child.ok()) return child.status();
    out->subjects.UnionWith((*child)->subjects);
    out->dispatches = std::max(out->dispatches, 1 + (*child)->dispatches);
  }
  return absl::OkStatus();
}

absl::Status SubjectLookup::EvaluateRewrite(const schema::Definition& definition,
                                            const schema::RewriteNode& node, const std::string& id,
                                            bool subtracted, Result* out) {
  using Kind = schema::RewriteNode::Kind;
  switch (node.kind) {
    case Kind::kNil:
      return absl::OkStatus();
    case Kind::kComputedUserset: {
      absl::StatusOr<const Result*> child =
          Dispatch(definition.name, id, node.relation, subtracted);
      if (!child.ok()) return child.status();
      out->subjects.UnionWith((*child)->subjects);
      out->dispatches = std::max(out->dispatches, 1 + (*child)->dispatches);
      return absl::OkStatus();
    }
    case Kind::kArrow:
      return EvaluateArrow(definition, node, id, subtracted, out);
    case Kind::kUnion:
    case Kind::kIntersection:
    case Kind::kExclusion: {
      // Every operand is evaluated (SpiceDB runs them all; an error in any one fails the call).
      for (size_t i = 0; i < node.children.size(); ++i) {
        Result operand;
        operand.dispatches = out->dispatches;
        // What an exclusion takes away is walked with the opposite polarity.
        const bool operand_subtracted =
            node.kind == Kind::kExclusion && i > 0 ? !subtracted : subtracted;
        absl::Status s =
            EvaluateRewrite(definition, node.children[i], id, operand_subtracted, &operand);
        if (!s.ok()) return s;
        out->dispatches = std::max(out->dispatches, operand.dispatches);
        if (i == 0 || node.kind == Kind::kUnion) {
          out->subjects.UnionWith(operand.subjects);
        } else if (node.kind == Kind::kIntersection) {
          out->subjects.IntersectWith(operand.subjects);
        } else {
          out->subjects.Subtract(operand.subjects);
        }
      }
      return absl::OkStatus();
    }
  }
  return absl::InternalError("unknown rewrite node");
}

absl::Status SubjectLookup::EvaluateArrow(const schema::Definition& definition,
                                          const schema::RewriteNode& node, const std::string& id,
                                          bool subtracted, Result* out) {
  std::vector<std::pair<std::string, std::string>> subjects;
  absl::Status scan = snapshot_->ForEachSubject(
      definition.name, id, node.relation, std::nullopt, std::nullopt,
      [&](const storage::RelationshipView& v) {
        if (subtracted && IsCaveated(v)) return true;
        subjects.emplace_back(std::string(v.subject_type), std::string(v.subject_id));
        return true;
      });
  if (!scan.ok()) return scan;
  const bool all = node.arrow_function == schema::RewriteNode::ArrowFunction::kAll;
  SubjectSet combined;
  bool first = true;
  for (const auto& [type, subject_id] : subjects) {
    // Subject types without the arrow's target are passed over, for `.all()` too: SpiceDB
    // intersects only over the subjects that have it (differential seeds 61 and 228).
    const schema::Definition* subject_definition = schema_->FindDefinition(Std(type));
    if (subject_definition == nullptr ||
        subject_definition->FindRelation(node.arrow_target) == nullptr) {
      continue;
    }
    absl::StatusOr<const Result*> child = Dispatch(type, subject_id, node.arrow_target, subtracted);
    if (!child.ok()) return child.status();
    out->dispatches = std::max(out->dispatches, 1 + (*child)->dispatches);
    if (!all || first) {
      combined.UnionWith((*child)->subjects);
    } else {
      combined.IntersectWith((*child)->subjects);
    }
    first = false;
  }
  out->subjects.UnionWith(combined);
  return absl::OkStatus();
}

}  // namespace rebac::graph
