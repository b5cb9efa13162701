// Parser for caveat expressions: CEL's grammar (ternary, ||, &&, relations with `in`, + -,
// * / %, unary ! and -, member access, indexing, calls, list and map literals) and the macros
// has(), all(), exists(), exists_one(), map(), filter(). `&&` and `||` chains are built as
// balanced trees, as CEL's parser does, so long chains stay shallow.
#ifndef REBACD_SCHEMA_CAVEATS_PARSER_H_
#define REBACD_SCHEMA_CAVEATS_PARSER_H_

#include <memory>
#include <optional>

#include "absl/strings/string_view.h"
#include "schema/caveats/ast.h"

namespace rebac::schema::caveats::internal {

struct ParsedExpression {
  std::unique_ptr<Expr> root;            // set when !error
  std::optional<ExpressionError> error;  // messages in CEL's wording where one exists
};

ParsedExpression ParseExpression(absl::string_view text);

}  // namespace rebac::schema::caveats::internal

#endif  // REBACD_SCHEMA_CAVEATS_PARSER_H_
