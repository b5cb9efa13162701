// The check SpiceDB's type system makes on each caveat when a schema is written
// (internal/namespace/caveats.go, ValidateCaveatDefinition): every declared parameter must be
// used by the expression. A type error ("parameter `x` for caveat `c` is unused"), positioned at
// the parameter.
#ifndef REBACD_SCHEMA_CAVEAT_USAGE_H_
#define REBACD_SCHEMA_CAVEAT_USAGE_H_

#include <optional>
#include <vector>

#include "schema/ast.h"
#include "schema/compiled_schema.h"
#include "schema/compiler.h"

namespace rebac::schema::internal {

// `caveats` are Translate()'s output for `file`, in the same (source) order.
std::optional<SchemaError> CheckCaveatParameterUsage(const AstFile& file,
                                                     const std::vector<Caveat>& caveats);

}  // namespace rebac::schema::internal

#endif  // REBACD_SCHEMA_CAVEAT_USAGE_H_
