// The reflection RPCs of authzed.api.v1.SchemaService, built from compiled schemas the way
// SpiceDB's internal/services/v1 (schema.go, reflectionapi.go) builds them:
//   ReflectSchema          definitions (relations, permissions, comments) and caveats, with
//                          name-prefix filters;
//   DiffSchema             the changes from the stored schema to a comparison schema;
//   ComputablePermissions  every relation/permission whose value may change when a
//                          relationship of (definition, relation) changes;
//   DependentRelations     every relation/permission a permission's value depends on.
// These functions fill everything but read_at, which the service sets from the revision read.
// Errors carry SpiceDB's status and ErrorReason. Pure functions; safe from any thread.
#ifndef REBACD_API_SCHEMA_REFLECTION_H_
#define REBACD_API_SCHEMA_REFLECTION_H_

#include "absl/status/status.h"
#include "authzed/api/v1/schema_service.pb.h"
#include "schema/compiled_schema.h"

namespace rebac::api {

// INVALID_ARGUMENT + ERROR_REASON_INVALID_FILTER for a filter SpiceDB refuses (relation or
// permission filter without a definition filter, definition and caveat filter together,
// relation and permission filter together).
absl::Status ReflectSchema(const schema::CompiledSchema& schema,
                           const authzed::api::v1::ReflectSchemaRequest& request,
                           authzed::api::v1::ReflectSchemaResponse* response);

void DiffSchema(const schema::CompiledSchema& existing, const schema::CompiledSchema& comparison,
                authzed::api::v1::DiffSchemaResponse* response);

// FAILED_PRECONDITION + UNKNOWN_DEFINITION / UNKNOWN_RELATION_OR_PERMISSION for names the
// schema does not have. An empty relation_name means the subject itself (`definition#...`).
absl::Status ComputablePermissions(const schema::CompiledSchema& schema,
                                   const authzed::api::v1::ComputablePermissionsRequest& request,
                                   authzed::api::v1::ComputablePermissionsResponse* response);

// As ComputablePermissions, plus INVALID_ARGUMENT + UNKNOWN_RELATION_OR_PERMISSION when the
// named relation is not a permission.
absl::Status DependentRelations(const schema::CompiledSchema& schema,
                                const authzed::api::v1::DependentRelationsRequest& request,
                                authzed::api::v1::DependentRelationsResponse* response);

}  // namespace rebac::api

#endif  // REBACD_API_SCHEMA_REFLECTION_H_
