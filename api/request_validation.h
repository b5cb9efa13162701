// Field-level validation of incoming requests, with the patterns and limits of SpiceDB's
// authzed.api.v1 protos (their protoc-gen-validate rules), so rebacd refuses exactly what
// SpiceDB refuses before any schema lookup. Failures are INVALID_ARGUMENT naming the field.
#ifndef REBACD_API_REQUEST_VALIDATION_H_
#define REBACD_API_REQUEST_VALIDATION_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "authzed/api/v1/core.pb.h"
#include "authzed/api/v1/permission_service.pb.h"

namespace rebac::api {

// `^([a-z][a-z0-9_]{1,61}[a-z0-9]/)*[a-z][a-z0-9_]{1,62}[a-z0-9]$`, at most 128 bytes.
bool IsValidObjectType(absl::string_view type);
// `^[a-z][a-z0-9_]{1,62}[a-z0-9]$`, at most 64 bytes.
bool IsValidRelationName(absl::string_view relation);
// `^(([a-zA-Z0-9/_|\-=+]{1,})|\*)$`, at most 1024 bytes.
bool IsValidObjectId(absl::string_view id);

absl::Status ValidateObjectReference(const authzed::api::v1::ObjectReference& object,
                                     absl::string_view field);
absl::Status ValidateSubjectReference(const authzed::api::v1::SubjectReference& subject,
                                      absl::string_view field);
absl::Status ValidateRelationship(const authzed::api::v1::Relationship& relationship,
                                  absl::string_view field);
absl::Status ValidateRelationshipFilter(const authzed::api::v1::RelationshipFilter& filter,
                                        absl::string_view field);
absl::Status ValidateRelationName(absl::string_view relation, absl::string_view field,
                                  bool optional);

}  // namespace rebac::api

#endif  // REBACD_API_REQUEST_VALIDATION_H_
