#include "api/schema_validation.h"

#include <string_view>

#include "absl/strings/str_cat.h"
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
  if (!r.value.caveat_name.empty() && schema.FindCaveat(r.value.caveat_name) == nullptr) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition,
                           absl::StrCat("caveat `", r.value.caveat_name, "` not found"),
                           "ERROR_REASON_UNKNOWN_CAVEAT", {{"caveat_name", r.value.caveat_name}});
  }

  const bool wildcard = r.subject_id == "*";
  for (const schema::AllowedSubjectType& allowed : relation->allowed) {
    if (allowed.type != r.subject_type || allowed.wildcard != wildcard) continue;
    if (!wildcard && allowed.relation != r.subject_relation) continue;
    if (allowed.caveat != r.value.caveat_name) continue;
    if (allowed.expiration != (r.value.expires_at_micros != 0)) continue;
    return absl::OkStatus();
  }
  return ErrorWithReason(
      absl::StatusCode::kInvalidArgument,
      absl::StrCat("subjects of type `", AllowedTypeText(r), "` are not allowed on relation `",
                   r.resource_type, "#", r.relation, "`"),
      "ERROR_REASON_INVALID_SUBJECT_TYPE",
      {{"definition_name", r.resource_type},
       {"relation_name", r.relation},
       {"subject_type", AllowedTypeText(r)}});
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
