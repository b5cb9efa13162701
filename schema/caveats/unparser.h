// Renders a caveat expression tree back to text the way cel-go's unparser (cel.AstToString)
// does, which is what SpiceDB's ReadSchema shows: operators spaced, parentheses only where
// precedence needs them, strings double-quoted Go-style, bytes as octal escapes, comprehensions
// in macro form, and lines broken after `&&`/`||` from column 80 on (cel-go's defaults).
#ifndef REBACD_SCHEMA_CAVEATS_UNPARSER_H_
#define REBACD_SCHEMA_CAVEATS_UNPARSER_H_

#include <string>

#include "schema/caveats/ast.h"

namespace rebac::schema::caveats::internal {

std::string Unparse(const Expr& root);

}  // namespace rebac::schema::caveats::internal

#endif  // REBACD_SCHEMA_CAVEATS_UNPARSER_H_
