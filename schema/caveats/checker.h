// The type checker for caveat expressions: resolves names against the declared parameters and
// comprehension variables, picks each operator's and function's overload from its argument
// types, and records each node's type. Where an argument is `any` (dyn), the choice is left to
// run time and the evaluator checks again.
#ifndef REBACD_SCHEMA_CAVEATS_CHECKER_H_
#define REBACD_SCHEMA_CAVEATS_CHECKER_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "schema/caveats/ast.h"
#include "schema/caveats/expression.h"

namespace rebac::schema::caveats::internal {

// Fills every node's type; collects the parameters used into *referenced.
std::optional<ExpressionError> CheckExpression(Expr* root, const std::vector<Parameter>& parameters,
                                               std::set<std::string>* referenced);

}  // namespace rebac::schema::caveats::internal

#endif  // REBACD_SCHEMA_CAVEATS_CHECKER_H_
