// Checks of relationships and filters against the schema in force, with SpiceDB's statuses and
// ErrorReasons: unknown definition or relation (FAILED_PRECONDITION), writing to a permission,
// a subject type the relation does not allow (INVALID_ARGUMENT).
#ifndef REBACD_API_SCHEMA_VALIDATION_H_
#define REBACD_API_SCHEMA_VALIDATION_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "schema/compiled_schema.h"
#include "storage/relationship.h"

namespace rebac::api {

absl::Status UnknownDefinition(absl::string_view type);
absl::Status UnknownRelation(absl::string_view type, absl::string_view relation);

// Every name must exist; for a write (not a delete) the subject type, its relation or
// wildcard, caveat and expiration must match one of the relation's allowed types.
absl::Status ValidateRelationshipForWrite(const schema::CompiledSchema& schema,
                                          const storage::Relationship& relationship,
                                          bool is_delete);

// The filter's resource type, relation and subject type must exist (when set).
absl::Status ValidateFilterAgainstSchema(const schema::CompiledSchema& schema,
                                         const storage::RelationshipFilter& filter);

}  // namespace rebac::api

#endif  // REBACD_API_SCHEMA_VALIDATION_H_
