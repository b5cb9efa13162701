#include "api/schema_validation.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graph/error_reason.h"

namespace rebac::api {
namespace {

std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }

std::string AllowedTypeText(const storage::Relationship& r) {
  std::string out = r.subject_type;
  if (r.subject_id == "*") {
    absl::StrAppend(&out, ":*");
  } else if (!r.subject_relation.empty()) {
    absl::StrAppend(&out, "#", r.subject_relation);
  }
  if (!r.value.caveat_name.empty()) absl::StrAppend(&out, " with ", r.value.caveat_name);
  if (r.value.expires_at_micros != 0) {
    absl::StrAppend(&out, r.value.caveat_name.empty() ? " with " : " and ", "expiration");
  }
  return out;
}

// SpiceDB's spelling of an allowed type (schema.SourceForAllowedRelation).
std::string AllowedSubjectTypeText(const schema::AllowedSubjectType& a) {
  std::string out = a.type;
  if (a.wildcard) {
    absl::StrAppend(&out, ":*");
  } else if (!a.relation.empty()) {
    absl::StrAppend(&out, "#", a.relation);
  }
  if (!a.caveat.empty()) absl::StrAppend(&out, " with ", a.caveat);
  if (a.expiration) absl::StrAppend(&out, a.caveat.empty() ? " with " : " and ", "expiration");
  return out;
}

bool IsSubsequence(absl::string_view needle, absl::string_view haystack) {
  size_t at = 0;
  for (char c : needle) {
    at = haystack.find(c, at);
    if (at == absl::string_view::npos) return false;
    ++at;
  }
  return true;
}

size_t Levenshtein(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// lithammer/fuzzysearch's RankFind + sort, as SpiceDB uses it for "did you mean": targets that
// contain `source` as a subsequence, the nearest by Levenshtein distance, ties in schema order
// (Go's sort.Sort on so few elements is an insertion sort, hence stable).
std::optional<std::string> ClosestFuzzyMatch(absl::string_view source,
                                             const std::vector<std::string>& targets) {
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (const std::string& target : targets) {
    if (!IsSubsequence(source, target)) continue;
    size_t distance = Levenshtein(source, target);
    if (!best || distance < best_distance) {
      best = target;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace

absl::Status UnknownDefinition(absl::string_view type) {
  return ErrorWithReason(absl::StatusCode::kFailedPrecondition,
                         absl::StrCat("object definition `", type, "` not found"),
                         "ERROR_REASON_UNKNOWN_DEFINITION",
                         {{"definition_name", std::string(type)}});
}

absl::Status UnknownRelation(absl::string_view type, absl::string_view relation) {
  return ErrorWithReason(
      absl::StatusCode::kFailedPrecondition,
      absl::StrCat("relation/permission `", relation, "` not found under definition `", type, "`"),
      "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION",
      {{"definition_name", std::string(type)},
       {"relation_or_permission_name", std::string(relation)}});
}

absl::Status ValidateRelationshipForWrite(const schema::CompiledSchema& schema,
                                          const storage::Relationship& r, bool is_delete) {
  const schema::Definition* definition = schema.FindDefinition(r.resource_type);
  if (definition == nullptr) return UnknownDefinition(r.resource_type);
  const schema::Relation* relation = definition->FindRelation(r.relation);
  if (relation == nullptr) return UnknownRelation(r.resource_type, r.relation);
  if (relation->is_permission) {
    return ErrorWithReason(absl::StatusCode::kInvalidArgument,
                           absl::StrCat("cannot write a relationship to permission `", r.relation,
                                        "` under definition `", r.resource_type, "`"),
                           "ERROR_REASON_CANNOT_UPDATE_PERMISSION",
                           {{"definition_name", r.resource_type}, {"permission_name", r.relation}});
  }
  const schema::Definition* subject_definition = schema.FindDefinition(r.subject_type);
  if (subject_definition == nullptr) return UnknownDefinition(r.subject_type);
  if (!r.subject_relation.empty() &&
      subject_definition->FindRelation(Std(r.subject_relation)) == nullptr) {
    return UnknownRelation(r.subject_type, r.subject_relation);
  }
  if (is_delete) return absl::OkStatus();
  // An unknown caveat needs no check of its own: no allowed type names it, so the type check
  // below refuses it, as SpiceDB does ("subjects of type `user with nosuch` are not allowed").

  const bool wildcard = r.subject_id == "*";
  for (const schema::AllowedSubjectType& allowed : relation->allowed) {
    if (allowed.type != r.subject_type || allowed.wildcard != wildcard) continue;
    if (!wildcard && allowed.relation != r.subject_relation) continue;
    if (allowed.caveat != r.value.caveat_name) continue;
    if (allowed.expiration != (r.value.expires_at_micros != 0)) continue;
    return absl::OkStatus();
  }
  const std::string source = AllowedTypeText(r);
  const std::string prefix =
      absl::StrCat("subjects of type `", source, "` are not allowed on relation `", r.resource_type,
                   "#", r.relation, "`");
  std::map<std::string, std::string> metadata = {{"definition_name", r.resource_type},
                                                 {"relation_name", r.relation},
                                                 {"subject_type", source}};
  // SpiceDB (internal/relationships/errors.go): an uncaveated subject where only caveated forms
  // of it are allowed names the caveats; otherwise the closest allowed type is suggested.
  if (r.value.caveat_name.empty()) {
    std::vector<std::string> caveats;
    for (const schema::AllowedSubjectType& allowed : relation->allowed) {
      if (allowed.caveat.empty() || allowed.wildcard || allowed.type != r.subject_type ||
          allowed.relation != r.subject_relation ||
          allowed.expiration != (r.value.expires_at_micros != 0) ||
          absl::c_linear_search(caveats, allowed.caveat)) {
        continue;
      }
      caveats.push_back(allowed.caveat);
    }
    if (!caveats.empty()) {
      metadata["allowed_caveats"] = absl::StrJoin(caveats, ",");
      return ErrorWithReason(absl::StatusCode::kInvalidArgument,
                             absl::StrCat(prefix, " without one of the following caveats: ",
                                          absl::StrJoin(caveats, ",")),
                             "ERROR_REASON_INVALID_SUBJECT_TYPE", metadata);
    }
  }
  std::vector<std::string> allowed_texts;
  for (const schema::AllowedSubjectType& allowed : relation->allowed) {
    allowed_texts.push_back(AllowedSubjectTypeText(allowed));
  }
  if (std::optional<std::string> suggestion = ClosestFuzzyMatch(source, allowed_texts)) {
    return ErrorWithReason(absl::StatusCode::kInvalidArgument,
                           absl::StrCat(prefix, "; did you mean `", *suggestion, "`?"),
                           "ERROR_REASON_INVALID_SUBJECT_TYPE", metadata);
  }
  return ErrorWithReason(absl::StatusCode::kInvalidArgument, prefix,
                         "ERROR_REASON_INVALID_SUBJECT_TYPE", metadata);
}

absl::Status ValidateFilterAgainstSchema(const schema::CompiledSchema& schema,
                                         const storage::RelationshipFilter& filter) {
  if (filter.resource_type) {
    const schema::Definition* definition = schema.FindDefinition(*filter.resource_type);
    if (definition == nullptr) return UnknownDefinition(*filter.resource_type);
    if (filter.relation && definition->FindRelation(*filter.relation) == nullptr) {
      return UnknownRelation(*filter.resource_type, *filter.relation);
    }
  }
  if (filter.subject) {
    const schema::Definition* definition = schema.FindDefinition(filter.subject->type);
    if (definition == nullptr) return UnknownDefinition(filter.subject->type);
    if (filter.subject->relation && !filter.subject->relation->empty() &&
        definition->FindRelation(*filter.subject->relation) == nullptr) {
      return UnknownRelation(filter.subject->type, *filter.subject->relation);
    }
  }
  return absl::OkStatus();
}

}  // namespace rebac::api
