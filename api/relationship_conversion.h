// Conversions between the wire's authzed.api.v1 messages and storage's relationship types.
#ifndef REBACD_API_RELATIONSHIP_CONVERSION_H_
#define REBACD_API_RELATIONSHIP_CONVERSION_H_

#include "authzed/api/v1/core.pb.h"
#include "authzed/api/v1/permission_service.pb.h"
#include "storage/relationship.h"

namespace rebac::api {

storage::Relationship FromProto(const authzed::api::v1::Relationship& relationship);
// The same into `out`, reusing its strings' memory (for loops over many relationships).
void FromProto(const authzed::api::v1::Relationship& relationship, storage::Relationship* out);
void ToProto(const storage::Relationship& relationship, authzed::api::v1::Relationship* out);

// The wire filter as a storage filter (fields already validated).
storage::RelationshipFilter FromProto(const authzed::api::v1::RelationshipFilter& filter);

}  // namespace rebac::api

#endif  // REBACD_API_RELATIONSHIP_CONVERSION_H_
