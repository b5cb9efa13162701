#include "graph/lookup_subjects.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "graph/caveat_expression.h"
#include "graph/request_checks.h"

namespace rebac::graph {
namespace {

constexpr uint64_t kCancelPollInterval = 256;

std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }

// The caveat a relationship carries, as an expression; null when it has none.
CaveatExpr CaveatOf(const storage::RelationshipView& v) {
  Membership granted = Membership::GrantedEncoded(v.encoded_value);
  return granted.conditional() ? granted.condition() : nullptr;
}

// The route key of the responses a userset edge passes on from its subject's responses.
std::string RouteThrough(absl::string_view type, absl::string_view relation,
                         absl::string_view child_route) {
  return absl::StrCat(type, "#", relation, ">", child_route);
}

// SpiceDB repeats a subject once per path that reaches it within one response; on a graph with
// many paths (a lattice of nested groups) that count grows exponentially. Past this many
// entries a response keeps one of each exact duplicate — same id, caveat and exclusions, so
// the same answer — which changes how often a subject is streamed, never what is streamed.
constexpr size_t kMaxResponseEntries = 4096;

std::string EntryKey(const FoundSubject& s) {
  std::string key = absl::StrCat(s.id, "\n", Signature(s.caveat));
  for (const FoundSubject& e : s.excluded)
    absl::StrAppend(&key, "\n", e.id, "\n", Signature(e.caveat));
  return key;
}

void DropExactDuplicates(std::vector<FoundSubject>* response) {
  if (response->size() <= kMaxResponseEntries) return;
  absl::flat_hash_set<std::string> seen;
  std::vector<FoundSubject> kept;
  for (FoundSubject& s : *response) {
    if (seen.insert(EntryKey(s)).second) kept.push_back(std::move(s));
  }
  *response = std::move(kept);
}

}  // namespace

SubjectLookup::SubjectLookup(std::shared_ptr<const schema::CompiledSchema> schema,
                             std::shared_ptr<const storage::Snapshot> snapshot,
                             LookupSubjectsOptions options)
    : schema_(std::move(schema)), snapshot_(std::move(snapshot)), options_(std::move(options)) {}

absl::StatusOr<std::vector<FoundSubject>> SubjectLookup::Run(const LookupSubjectsRequest& request) {
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
      Dispatch(request.resource_type, request.resource_id, request.permission);
  if (!result.ok()) return result.status();
  if ((*result)->dispatches > options_.max_depth) return MaxDepthExceeded(options_.max_depth);
  std::vector<FoundSubject> found;
  for (const auto& [route, subjects] : (*result)->responses) {
    found.insert(found.end(), subjects.begin(), subjects.end());
  }
  return found;
}

absl::StatusOr<const SubjectLookup::Result*> SubjectLookup::Dispatch(const std::string& type,
                                                                     const std::string& id,
                                                                     const std::string& relation) {
  std::string key = absl::StrCat(type, "#", relation, "#", id);
  if (auto it = memo_.find(key); it != memo_.end()) return &it->second;
  // SpiceDB re-dispatches a cycle until its depth runs out, whatever the cycle could add.
  if (!in_progress_.insert(key).second) return MaxDepthExceeded(options_.max_depth);
  if (++steps_ % kCancelPollInterval == 0 && options_.cancelled && options_.cancelled()) {
    return absl::CancelledError("the lookup was cancelled");
  }

  Result result;
  // The resource itself is a subject when the request asks for exactly its type#relation:
  // SpiceDB publishes it first, beside the relation's own answer, never inside its set
  // operations.
  if (type == request_->subject_type && relation == request_->subject_relation) {
    result.responses.emplace_back("self", std::vector<FoundSubject>{{id, nullptr, {}}});
  }
  const schema::Definition* definition = schema_->FindDefinition(Std(type));
  const schema::Relation* rel =
      definition == nullptr ? nullptr : definition->FindRelation(Std(relation));
  absl::Status status;
  if (rel != nullptr && rel->is_permission) {
    SubjectSet subjects;
    status = EvaluateRewrite(*definition, rel->rewrite, id, &subjects, &result.dispatches);
    if (status.ok() && !subjects.empty()) {
      result.responses.emplace_back("rewrite", subjects.AsList());
    }
  } else if (rel != nullptr) {
    status = EvaluateDirect(*definition, *rel, id, &result);
  }
  in_progress_.erase(key);
  if (!status.ok()) return status;
  auto [it, inserted] = memo_.emplace(std::move(key), std::move(result));
  return &it->second;
}

absl::Status SubjectLookup::EvaluateDirect(const schema::Definition& definition,
                                           const schema::Relation& relation, const std::string& id,
                                           Result* out) {
  struct Userset {
    std::string type, id, relation;
    CaveatExpr caveat;
  };
  std::vector<Userset> usersets;
  SubjectSet direct;
  absl::Status scan = snapshot_->ForEachSubject(
      definition.name, id, relation.name, std::nullopt, std::nullopt,
      [&](const storage::RelationshipView& v) {
        if (v.subject_type == request_->subject_type &&
            v.subject_relation == request_->subject_relation) {
          direct.Add({std::string(v.subject_id), CaveatOf(v), {}});
        }
        if (!v.subject_relation.empty()) {
          usersets.push_back({std::string(v.subject_type), std::string(v.subject_id),
                              std::string(v.subject_relation), CaveatOf(v)});
        }
        return true;
      });
  if (!scan.ok()) return scan;
  if (!direct.empty()) out->responses.emplace_back("direct", direct.AsList());
  // Every userset is followed, whether or not its type can lead to the requested subject type,
  // as SpiceDB does (that is also where its cycles and depth errors come from). What a userset
  // leads to joins the response of its route; a caveated userset merges each of its subject's
  // responses and makes the result conditional on its caveat.
  absl::flat_hash_map<std::string, size_t> response_of_route;
  for (size_t i = 0; i < out->responses.size(); ++i) {
    response_of_route.emplace(out->responses[i].first, i);
  }
  for (const Userset& userset : usersets) {
    absl::StatusOr<const Result*> child = Dispatch(userset.type, userset.id, userset.relation);
    if (!child.ok()) return child.status();
    out->dispatches = std::max(out->dispatches, 1 + (*child)->dispatches);
    for (const auto& [child_route, subjects] : (*child)->responses) {
      std::string route = RouteThrough(userset.type, userset.relation, child_route);
      auto [slot, added] = response_of_route.emplace(route, out->responses.size());
      if (added) out->responses.emplace_back(std::move(route), std::vector<FoundSubject>{});
      std::vector<FoundSubject>& response = out->responses[slot->second].second;
      if (userset.caveat == nullptr) {
        response.insert(response.end(), subjects.begin(), subjects.end());
      } else {
        std::vector<FoundSubject> conditional =
            SubjectSet(subjects).WithParentCaveat(userset.caveat).AsList();
        response.insert(response.end(), conditional.begin(), conditional.end());
      }
      DropExactDuplicates(&response);
    }
  }
  return absl::OkStatus();
}

absl::Status SubjectLookup::EvaluateRewrite(const schema::Definition& definition,
                                            const schema::RewriteNode& node, const std::string& id,
                                            SubjectSet* out, int* dispatches) {
  using Kind = schema::RewriteNode::Kind;
  switch (node.kind) {
    case Kind::kNil:
      return absl::OkStatus();
    case Kind::kSelf:
      // The object itself, when its type is the one asked for.
      if (definition.name == request_->subject_type && request_->subject_relation.empty()) {
        out->Add({id, nullptr, {}});
      }
      return absl::OkStatus();
    case Kind::kComputedUserset: {
      absl::StatusOr<const Result*> child = Dispatch(definition.name, id, node.relation);
      if (!child.ok()) return child.status();
      for (const auto& [route, subjects] : (*child)->responses) out->UnionWith(subjects);
      *dispatches = std::max(*dispatches, 1 + (*child)->dispatches);
      return absl::OkStatus();
    }
    case Kind::kArrow:
      return EvaluateArrow(definition, node, id, out, dispatches);
    case Kind::kUnion:
    case Kind::kIntersection:
    case Kind::kExclusion: {
      // Every operand is evaluated (SpiceDB runs them all; an error in any one fails the call).
      for (size_t i = 0; i < node.children.size(); ++i) {
        SubjectSet operand;
        absl::Status s = EvaluateRewrite(definition, node.children[i], id, &operand, dispatches);
        if (!s.ok()) return s;
        if (i == 0 || node.kind == Kind::kUnion) {
          out->UnionWith(operand);
        } else if (node.kind == Kind::kIntersection) {
          out->IntersectWith(operand);
        } else {
          out->SubtractAll(operand);
        }
      }
      return absl::OkStatus();
    }
  }
  return absl::InternalError("unknown rewrite node");
}

absl::Status SubjectLookup::EvaluateArrow(const schema::Definition& definition,
                                          const schema::RewriteNode& node, const std::string& id,
                                          SubjectSet* out, int* dispatches) {
  struct Edge {
    std::string type, id;
    CaveatExpr caveat;
  };
  std::vector<Edge> edges;
  absl::Status scan = snapshot_->ForEachSubject(
      definition.name, id, node.relation, std::nullopt, std::nullopt,
      [&](const storage::RelationshipView& v) {
        edges.push_back({std::string(v.subject_type), std::string(v.subject_id), CaveatOf(v)});
        return true;
      });
  if (!scan.ok()) return scan;
  const bool all = node.arrow_function == schema::RewriteNode::ArrowFunction::kAll;
  // `.all()`: the subjects every edge leads to, each edge's caveat required — SpiceDB ANDs
  // the caveats of all the arrow's relationships, those it passes over included.
  CaveatExpr all_caveats;
  std::optional<SubjectSet> common;
  for (const Edge& edge : edges) {
    if (all) all_caveats = CaveatAnd(all_caveats, edge.caveat);
    // Subject types without the arrow's target are passed over, for `.all()` too: SpiceDB
    // intersects only over the subjects that have it (differential seeds 61 and 228).
    const schema::Definition* subject_definition = schema_->FindDefinition(Std(edge.type));
    if (subject_definition == nullptr ||
        subject_definition->FindRelation(node.arrow_target) == nullptr) {
      continue;
    }
    absl::StatusOr<const Result*> child = Dispatch(edge.type, edge.id, node.arrow_target);
    if (!child.ok()) return child.status();
    *dispatches = std::max(*dispatches, 1 + (*child)->dispatches);
    SubjectSet reached;
    for (const auto& [route, subjects] : (*child)->responses) {
      if (all || edge.caveat == nullptr) {
        reached.UnionWith(subjects);
      } else {
        reached.UnionWith(SubjectSet(subjects).WithParentCaveat(edge.caveat));
      }
    }
    if (!all) {
      out->UnionWith(reached);
    } else if (!common) {
      common = std::move(reached);
    } else {
      common->IntersectWith(reached);
    }
  }
  if (common) out->UnionWith(common->WithParentCaveat(all_caveats));
  return absl::OkStatus();
}

}  // namespace rebac::graph
