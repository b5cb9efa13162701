// Name resolution and type checks over a translated schema's parse tree: the checks SpiceDB's
// type system makes when a schema is written (WriteSchema), with its messages. Errors are
// SchemaError::Kind::kType and carry the position of the offending reference.
//
// Checked, per definition in source order: duplicate relation/permission names; for permissions,
// that every referenced relation exists, that arrow tuplesets are relations (not permissions)
// that cannot reach a wildcard; for relations, duplicate subject types, unknown definitions,
// relations and caveats, and subject relations that transitively include a wildcard; under
// `use typechecking`, permission type annotations (`permission view: user = ...`) against the
// subject types the permission reaches; finally, permissions that only alias each other in a
// cycle (a permission that is only itself is kUnknown, as SpiceDB reports it untyped).
#ifndef REBACD_SCHEMA_TYPE_CHECK_H_
#define REBACD_SCHEMA_TYPE_CHECK_H_

#include <optional>

#include "schema/ast.h"
#include "schema/compiler.h"

namespace rebac::schema::internal {

// `file` must have passed Translate() (unique definition names, no nested arrows).
std::optional<SchemaError> TypeCheck(const AstFile& file);

}  // namespace rebac::schema::internal

#endif  // REBACD_SCHEMA_TYPE_CHECK_H_
