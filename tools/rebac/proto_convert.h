// Mapping the relationship text forms (relationship_text.h) onto authzed.api.v1 messages and
// back.
#ifndef REBACD_TOOLS_REBAC_PROTO_CONVERT_H_
#define REBACD_TOOLS_REBAC_PROTO_CONVERT_H_

#include "absl/status/statusor.h"
#include "authzed/api/v1/core.pb.h"
#include "authzed/api/v1/permission_service.pb.h"
#include "tools/rebac/relationship_text.h"

namespace rebac::cli {

authzed::api::v1::ObjectReference ToProto(const ObjectText& object);
authzed::api::v1::SubjectReference ToProto(const SubjectText& subject);
// Fails only if the caveat context is not a JSON object.
absl::StatusOr<authzed::api::v1::Relationship> ToProto(const RelationshipText& relationship);

RelationshipText FromProto(const authzed::api::v1::Relationship& relationship);

// The filter for `rebac relationship read RESOURCE [RELATION] [SUBJECT]`.
authzed::api::v1::RelationshipFilter ToProtoFilter(const ResourceFilterText& resource,
                                                   const std::string& relation,
                                                   const SubjectFilterText* subject);

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_PROTO_CONVERT_H_
