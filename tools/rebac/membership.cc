#include "tools/rebac/membership.h"

#include <iterator>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "authzed/api/v1/permission_service.grpc.pb.h"
#include "tools/rebac/errors.h"
#include "tools/rebac/proto_convert.h"

namespace rebac::cli {
namespace {

namespace v1 = ::authzed::api::v1;

v1::Consistency FullyConsistent() {
  v1::Consistency consistency;
  consistency.set_fully_consistent(true);
  return consistency;
}

std::string GrpcError(const grpc::Status& status) { return FormatRpcError(status); }

std::string TypeOf(const std::string& subject) { return subject.substr(0, subject.find(':')); }
bool IsWildcard(const std::string& subject) {
  return subject.size() >= 2 && subject.compare(subject.size() - 2, 2, ":*") == 0;
}
bool IsTerminal(const std::string& subject) { return subject.find('#') == std::string::npos; }

}  // namespace

absl::StatusOr<MembershipResolver::SubjectSet> MembershipResolver::ExpandRecursive(
    const ObjectText& object, const std::string& relation, std::set<std::string>* visiting) {
  v1::ExpandPermissionTreeRequest request;
  *request.mutable_consistency() = FullyConsistent();
  *request.mutable_resource() = ToProto(object);
  request.set_permission(relation);
  v1::ExpandPermissionTreeResponse response;
  auto context = connection_.NewContext();
  grpc::Status status =
      connection_.permissions().ExpandPermissionTree(context.get(), request, &response);
  if (!status.ok()) {
    return absl::UnavailableError(absl::StrCat("ExpandPermissionTree ", FormatObject(object), "#",
                                               relation, ": ", GrpcError(status)));
  }
  return Walk(response.tree_root(), absl::StrCat(FormatObject(object), "#", relation), visiting);
}

absl::StatusOr<MembershipResolver::SubjectSet> MembershipResolver::Walk(
    const v1::PermissionRelationshipTree& tree, const std::string& parent_onr,
    std::set<std::string>* visiting) {
  std::string onr = parent_onr;
  if (tree.has_expanded_object()) {
    onr = absl::StrCat(tree.expanded_object().object_type(), ":",
                       tree.expanded_object().object_id(), "#", tree.expanded_relation());
  }
  SubjectSet out;
  auto merge = [](SubjectSet& into, const SubjectSet& from) {
    for (const auto& [subject, relations] : from)
      into[subject].insert(relations.begin(), relations.end());
  };
  if (tree.has_leaf()) {
    for (const v1::SubjectReference& subject : tree.leaf().subjects()) {
      SubjectText text{{subject.object().object_type(), subject.object().object_id()},
                       subject.optional_relation() == "..." ? "" : subject.optional_relation()};
      std::string key = FormatSubject(text);
      out[key].insert(onr);
      if (!text.relation.empty() && visiting->insert(key).second) {
        absl::StatusOr<SubjectSet> nested = ExpandRecursive(text.object, text.relation, visiting);
        if (!nested.ok()) return nested.status();
        merge(out, *nested);
      }
    }
    return out;
  }
  if (!tree.has_intermediate()) return out;
  const auto& children = tree.intermediate().children();
  std::vector<SubjectSet> sets;
  for (const v1::PermissionRelationshipTree& child : children) {
    absl::StatusOr<SubjectSet> set = Walk(child, onr, visiting);
    if (!set.ok()) return set.status();
    sets.push_back(*std::move(set));
  }
  if (sets.empty()) return out;
  auto has_wildcard = [](const SubjectSet& set, const std::string& subject) {
    return IsTerminal(subject) && set.count(absl::StrCat(TypeOf(subject), ":*")) > 0;
  };
  switch (tree.intermediate().operation()) {
    case v1::AlgebraicSubjectSet::OPERATION_INTERSECTION: {
      // As SpiceDB's tracking subject set: a subject in both sides, or a concrete subject on
      // one side met by a wildcard of its type on the other, stays; it is listed under the
      // relations of every source that matched it.
      out = sets[0];
      for (size_t i = 1; i < sets.size(); ++i) {
        SubjectSet next;
        auto add_sources = [&](const std::string& subject, const SubjectSet& from) {
          if (auto it = from.find(subject); it != from.end()) {
            next[subject].insert(it->second.begin(), it->second.end());
          }
          if (has_wildcard(from, subject) && !IsWildcard(subject)) {
            const auto& wildcard = from.at(absl::StrCat(TypeOf(subject), ":*"));
            next[subject].insert(wildcard.begin(), wildcard.end());
          }
        };
        auto in = [&](const SubjectSet& set, const std::string& subject) {
          return set.count(subject) > 0 || (!IsWildcard(subject) && has_wildcard(set, subject));
        };
        for (const SubjectSet* side : {&out, &sets[i]}) {
          for (const auto& [subject, unused] : *side) {
            if (in(out, subject) && in(sets[i], subject)) {
              add_sources(subject, out);
              add_sources(subject, sets[i]);
            }
          }
        }
        out = std::move(next);
      }
      return out;
    }
    case v1::AlgebraicSubjectSet::OPERATION_EXCLUSION: {
      out = sets[0];
      for (size_t i = 1; i < sets.size(); ++i) {
        for (auto it = out.begin(); it != out.end();) {
          bool removed = sets[i].count(it->first) > 0 ||
                         (!IsWildcard(it->first) && has_wildcard(sets[i], it->first));
          if (removed) excluded_[it->first].insert(it->second.begin(), it->second.end());
          it = removed ? out.erase(it) : std::next(it);
        }
      }
      return out;
    }
    default:
      for (const SubjectSet& set : sets) merge(out, set);
      return out;
  }
}

absl::StatusOr<std::map<std::string, FoundSubject>> MembershipResolver::Resolve(
    const ObjectText& resource, const std::string& relation, const std::set<std::string>& types) {
  std::set<std::string> visiting;
  excluded_.clear();
  absl::StatusOr<SubjectSet> expanded = ExpandRecursive(resource, relation, &visiting);
  if (!expanded.ok()) return expanded.status();

  std::map<std::string, FoundSubject> found;
  std::set<std::string> terminal_types = types;
  for (const auto& [subject, relations] : *expanded) {
    if (IsTerminal(subject)) {
      terminal_types.insert(TypeOf(subject));
    } else {
      found[subject].relationships = relations;
    }
  }
  // Terminal subjects, their caveats and wildcard exclusions: LookupSubjects is the server's
  // full answer (intersections, exclusions, caveats and expiry applied).
  for (const std::string& type : terminal_types) {
    v1::LookupSubjectsRequest request;
    *request.mutable_consistency() = FullyConsistent();
    *request.mutable_resource() = ToProto(resource);
    request.set_permission(relation);
    request.set_subject_object_type(type);
    auto context = connection_.NewContext();
    auto reader = connection_.permissions().LookupSubjects(context.get(), request);
    v1::LookupSubjectsResponse response;
    while (reader->Read(&response)) {
      std::string subject = absl::StrCat(type, ":", response.subject().subject_object_id());
      FoundSubject& entry = found[subject];
      entry.caveated =
          response.subject().permissionship() == v1::LOOKUP_PERMISSIONSHIP_CONDITIONAL_PERMISSION;
      entry.wildcard = IsWildcard(subject);
      for (const v1::ResolvedSubject& excluded : response.excluded_subjects()) {
        entry.exclusions.push_back(absl::StrCat(
            type, ":", excluded.subject_object_id(),
            excluded.permissionship() == v1::LOOKUP_PERMISSIONSHIP_CONDITIONAL_PERMISSION ? "[...]"
                                                                                          : ""));
      }
      std::sort(entry.exclusions.begin(), entry.exclusions.end());
      if (auto it = expanded->find(subject); it != expanded->end()) {
        entry.relationships = it->second;
      } else if (auto removed = excluded_.find(subject); removed != excluded_.end()) {
        entry.relationships = removed->second;
      }
    }
    grpc::Status status = reader->Finish();
    if (!status.ok()) {
      return absl::UnavailableError(absl::StrCat("LookupSubjects ", FormatObject(resource), "#",
                                                 relation, " ", type, ": ", GrpcError(status)));
    }
  }
  return found;
}

}  // namespace rebac::cli
