// Parser for the SpiceDB schema language: text to parse tree (schema/ast.h), or the first syntax
// error with SpiceDB's message and position.
//
// It follows SpiceDB's grammar exactly, including which inputs it accepts and where it reports
// errors. Operator precedence is SpiceDB's, not the usual one: `+` binds tightest, then `&`,
// then `-`, all left-associative, so `a - b + c` is `a - (b + c)`.
#ifndef REBACD_SCHEMA_PARSER_H_
#define REBACD_SCHEMA_PARSER_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "schema/ast.h"
#include "schema/compiler.h"

namespace rebac::schema::internal {

struct ParseResult {
  AstFile file;                      // meaningful only without error
  std::optional<SchemaError> error;  // always Kind::kParse
};

ParseResult Parse(absl::string_view text);

}  // namespace rebac::schema::internal

#endif  // REBACD_SCHEMA_PARSER_H_
