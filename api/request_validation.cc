#include "api/request_validation.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace rebac::api {
namespace {

constexpr size_t kMaxObjectTypeBytes = 128;
constexpr size_t kMaxRelationBytes = 64;
constexpr size_t kMaxObjectIdBytes = 1024;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// `[a-z][a-z0-9_]{1,max_middle}[a-z0-9]`
bool IsIdentifier(absl::string_view s, size_t max_middle) {
  if (s.size() < 3 || s.size() > max_middle + 2) return false;
  if (s.front() < 'a' || s.front() > 'z') return false;
  if (!IsLowerAlnum(s.back())) return false;
  for (char c : s.substr(1, s.size() - 2)) {
    if (!IsLowerAlnum(c) && c != '_') return false;
  }
  return true;
}

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("invalid ", field, ": ", what));
}

}  // namespace

bool IsValidObjectType(absl::string_view type) {
  if (type.empty() || type.size() > kMaxObjectTypeBytes) return false;
  std::vector<absl::string_view> parts = absl::StrSplit(type, '/');
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!IsIdentifier(parts[i], i + 1 == parts.size() ? 62 : 61)) return false;
  }
  return true;
}

bool IsValidRelationName(absl::string_view relation) {
  return relation.size() <= kMaxRelationBytes && IsIdentifier(relation, 62);
}

bool IsValidObjectId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxObjectIdBytes) return false;
  if (id == "*") return true;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '|' || c == '-' || c == '=' || c == '+';
    if (!ok) return false;
  }
  return true;
}

absl::Status ValidateObjectReference(const authzed::api::v1::ObjectReference& object,
                                     absl::string_view field) {
  if (!IsValidObjectType(object.object_type())) {
    return Invalid(absl::StrCat(field, ".object_type"),
                   absl::StrCat("`", object.object_type(),
                                "` is not a valid object type (expected lowercase letters, "
                                "digits and `_`, 3-64 characters, optionally `prefix/`)"));
  }
  if (!IsValidObjectId(object.object_id())) {
    return Invalid(absl::StrCat(field, ".object_id"),
                   absl::StrCat("`", object.object_id(),
                                "` is not a valid object id (expected 1-1024 characters of "
                                "a-z A-Z 0-9 / _ | - = +, or `*`)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateRelationName(absl::string_view relation, absl::string_view field,
                                  bool optional) {
  if (optional && relation.empty()) return absl::OkStatus();
  if (!IsValidRelationName(relation)) {
    return Invalid(field, absl::StrCat("`", relation,
                                       "` is not a valid relation or permission name (expected "
                                       "lowercase letters, digits and `_`, 3-64 characters)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateSubjectReference(const authzed::api::v1::SubjectReference& subject,
                                      absl::string_view field) {
  if (!subject.has_object()) return Invalid(absl::StrCat(field, ".object"), "value is required");
  if (absl::Status s = ValidateObjectReference(subject.object(), absl::StrCat(field, ".object"));
      !s.ok()) {
    return s;
  }
  return ValidateRelationName(subject.optional_relation(),
                              absl::StrCat(field, ".optional_relation"), /*optional=*/true);
}

absl::Status ValidateRelationship(const authzed::api::v1::Relationship& relationship,
                                  absl::string_view field) {
  if (!relationship.has_resource()) {
    return Invalid(absl::StrCat(field, ".resource"), "value is required");
  }
  if (absl::Status s =
          ValidateObjectReference(relationship.resource(), absl::StrCat(field, ".resource"));
      !s.ok()) {
    return s;
  }
  if (relationship.resource().object_id() == "*") {
    return Invalid(absl::StrCat(field, ".resource.object_id"),
                   "a wildcard (`*`) is not allowed as a resource id");
  }
  if (absl::Status s =
          ValidateRelationName(relationship.relation(), absl::StrCat(field, ".relation"), false);
      !s.ok()) {
    return s;
  }
  if (!relationship.has_subject()) {
    return Invalid(absl::StrCat(field, ".subject"), "value is required");
  }
  return ValidateSubjectReference(relationship.subject(), absl::StrCat(field, ".subject"));
}

absl::Status ValidateRelationshipFilter(const authzed::api::v1::RelationshipFilter& filter,
                                        absl::string_view field) {
  bool empty = filter.resource_type().empty() && filter.optional_resource_id().empty() &&
               filter.optional_resource_id_prefix().empty() && filter.optional_relation().empty() &&
               !filter.has_optional_subject_filter();
  if (empty) {
    return Invalid(field, "at least one field of the relationship filter must be set");
  }
  if (!filter.resource_type().empty() && !IsValidObjectType(filter.resource_type())) {
    return Invalid(absl::StrCat(field, ".resource_type"),
                   absl::StrCat("`", filter.resource_type(), "` is not a valid object type"));
  }
  if (!filter.optional_resource_id().empty() &&
      (!IsValidObjectId(filter.optional_resource_id()) || filter.optional_resource_id() == "*")) {
    return Invalid(absl::StrCat(field, ".optional_resource_id"),
                   absl::StrCat("`", filter.optional_resource_id(), "` is not a valid object id"));
  }
  if (!filter.optional_resource_id_prefix().empty()) {
    if (!filter.optional_resource_id().empty()) {
      return Invalid(field,
                     "cannot specify both optional_resource_id and "
                     "optional_resource_id_prefix");
    }
    if (!IsValidObjectId(filter.optional_resource_id_prefix()) ||
        filter.optional_resource_id_prefix() == "*") {
      return Invalid(absl::StrCat(field, ".optional_resource_id_prefix"),
                     absl::StrCat("`", filter.optional_resource_id_prefix(),
                                  "` is not a valid object id prefix"));
    }
  }
  if (absl::Status s = ValidateRelationName(filter.optional_relation(),
                                            absl::StrCat(field, ".optional_relation"), true);
      !s.ok()) {
    return s;
  }
  if (filter.has_optional_subject_filter()) {
    const auto& sf = filter.optional_subject_filter();
    std::string sub = absl::StrCat(field, ".optional_subject_filter");
    if (!IsValidObjectType(sf.subject_type())) {
      return Invalid(absl::StrCat(sub, ".subject_type"),
                     absl::StrCat("`", sf.subject_type(), "` is not a valid object type"));
    }
    if (!sf.optional_subject_id().empty() && !IsValidObjectId(sf.optional_subject_id())) {
      return Invalid(absl::StrCat(sub, ".optional_subject_id"),
                     absl::StrCat("`", sf.optional_subject_id(), "` is not a valid object id"));
    }
    if (sf.has_optional_relation()) {
      if (absl::Status s =
              ValidateRelationName(sf.optional_relation().relation(),
                                   absl::StrCat(sub, ".optional_relation.relation"), true);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace rebac::api
