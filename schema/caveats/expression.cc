#include "schema/caveats/expression.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "schema/caveats/checker.h"
#include "schema/caveats/parser.h"
#include "schema/caveats/unparser.h"

namespace rebac::schema::caveats {

CompiledExpression::CompiledExpression(std::string source, std::vector<Parameter> parameters,
                                       std::unique_ptr<Expr> root,
                                       std::vector<std::string> referenced)
    : source_(std::move(source)),
      parameters_(std::move(parameters)),
      root_(std::move(root)),
      referenced_(std::move(referenced)) {}

const Parameter* CompiledExpression::FindParameter(absl::string_view name) const {
  for (const Parameter& parameter : parameters_) {
    if (parameter.name == name) return &parameter;
  }
  return nullptr;
}

std::string CompiledExpression::ToString() const { return internal::Unparse(*root_); }

CompileExpressionResult CompileExpression(absl::string_view text,
                                          std::vector<Parameter> parameters) {
  CompileExpressionResult result;
  if (absl::StripAsciiWhitespace(text).size() > kMaxExpressionSize) {
    result.error =
        ExpressionError{absl::StrCat("caveat expression provided exceeds maximum allowed size of ",
                                     kMaxExpressionSize, " characters"),
                        0, false};
    return result;
  }
  // cel-go refuses a variable named like one of CEL's type identifiers ("overlapping identifier
  // for name 'int'"); SpiceDB v1.54 answers such a caveat with that error (`dyn` is allowed).
  for (const Parameter& parameter : parameters) {
    static constexpr absl::string_view kTypeIdentifiers[] = {
        "bool", "bytes", "double", "int", "list", "map", "null_type", "string", "type", "uint"};
    for (absl::string_view identifier : kTypeIdentifiers) {
      if (parameter.name == identifier) {
        result.error =
            ExpressionError{absl::StrCat("overlapping identifier for name '", parameter.name, "'"),
                            ExpressionError::kNoOffset, true};
        return result;
      }
    }
  }
  internal::ParsedExpression parsed = internal::ParseExpression(text);
  if (parsed.error) {
    result.error = std::move(parsed.error);
    return result;
  }
  std::set<std::string> referenced;
  if (auto error = internal::CheckExpression(parsed.root.get(), parameters, &referenced)) {
    result.error = std::move(error);
    return result;
  }
  if (parsed.root->type.kind != Type::Kind::kBool) {
    result.error =
        ExpressionError{absl::StrCat("caveat expression must result in a boolean value: found `",
                                     parsed.root->type.CelName(), "`"),
                        0, false};
    return result;
  }
  result.expression = std::make_shared<const CompiledExpression>(
      std::string(text), std::move(parameters), std::move(parsed.root),
      std::vector<std::string>(referenced.begin(), referenced.end()));
  return result;
}

}  // namespace rebac::schema::caveats
