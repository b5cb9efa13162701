// WriteSchema's refusal of a change that would orphan stored relationships, as SpiceDB's
// internal/services/shared/schema.go does it:
//   - a caveat parameter removed or retyped, whatever the data;
//   - a relation removed while a relationship exists under it, or names it as a subject
//     relation (`group:x#member`);
//   - an allowed subject type (`user`, `user:*`, `group#member`, `user with c`,
//     `user with expiration`, ...) removed while a relationship of exactly that shape exists;
//   - a definition removed while a relationship has it as its resource type.
// A removed subject definition or caveat that is still used is caught by these too (its
// allowed type or relation goes with it) or by the compiler (it is still referenced).
//
// Every refusal is INVALID_ARGUMENT + ERROR_REASON_SCHEMA_TYPE_ERROR with SpiceDB's message,
// suffixed with the first offending relationship in SpiceDB's text form, and SpiceDB's
// ErrorInfo metadata (resource_type, relation, allowed_type, operation, relationship, ...).
#ifndef REBACD_API_SCHEMA_CHANGE_CHECK_H_
#define REBACD_API_SCHEMA_CHANGE_CHECK_H_

#include <string>

#include "absl/status/status.h"
#include "schema/compiled_schema.h"
#include "storage/datastore.h"

namespace rebac::api {

// Checks replacing `existing` by `updated` against the relationships of `head`. Meant to run
// as the schema write's storage::WriteRequest::commit_check, so that it sees exactly the data
// the new schema is committed over. Safe from any thread; reads `head` only.
absl::Status CheckSchemaChange(const schema::CompiledSchema& existing,
                               const schema::CompiledSchema& updated,
                               const storage::Snapshot& head);

// SpiceDB's tuple.String(): `doc:1#viewer@user:a`, then `[caveat]` or `[caveat:{json}]` when
// `with_caveat`, then `[expiration:RFC3339Nano]`.
std::string RelationshipText(const storage::Relationship& relationship, bool with_caveat);

}  // namespace rebac::api

#endif  // REBACD_API_SCHEMA_CHANGE_CHECK_H_
