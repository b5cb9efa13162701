// Caveat expressions: a typed subset of CEL (https://github.com/google/cel-spec), parsed,
// type-checked and evaluated here. Written in-house because no CEL implementation is packaged
// for Debian 12 (cel-cpp is not; neither is cel-go's C API), and the subset SpiceDB users write
// is small: literals, parameters, arithmetic, comparison, logic with CEL's error/unknown
// absorption, `in`, has(), size(), indexing, string functions (`matches` with RE2), durations,
// timestamps, IP addresses, list/map literals and the all/exists/exists_one/map/filter macros.
//
//   auto compiled = CompileExpression("ip.in_cidr(\"10.0.0.0/8\")", {{"ip", type_of_ipaddress}});
//   if (compiled.error) { /* message, offset into the text */ }
//   auto result = Evaluate(*compiled.expression, context);  // evaluate.h
//
// A CompiledExpression is immutable: share it across threads freely.
#ifndef REBACD_SCHEMA_CAVEATS_EXPRESSION_H_
#define REBACD_SCHEMA_CAVEATS_EXPRESSION_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "schema/caveats/ast.h"
#include "schema/caveats/types.h"

namespace rebac::schema::caveats {

// SpiceDB refuses longer expressions (pkg/caveats/compile.go, maxCaveatExpressionSize).
inline constexpr size_t kMaxExpressionSize = 100'000;

struct Parameter {
  std::string name;
  ParameterType type;
};

class CompiledExpression {
 public:
  CompiledExpression(std::string source, std::vector<Parameter> parameters,
                     std::unique_ptr<Expr> root, std::vector<std::string> referenced);

  // The text as written.
  const std::string& source() const { return source_; }
  const std::vector<Parameter>& parameters() const { return parameters_; }
  // Returns the declared parameter called `name`, or nullptr.
  const Parameter* FindParameter(absl::string_view name) const;
  // The parameters the expression mentions, sorted by name.
  const std::vector<std::string>& referenced_parameters() const { return referenced_; }
  // The checked tree (every node's `type` set).
  const Expr& root() const { return *root_; }
  // The canonical text, as SpiceDB's ReadSchema prints it (CEL's unparser).
  std::string ToString() const;

 private:
  std::string source_;
  std::vector<Parameter> parameters_;
  std::unique_ptr<Expr> root_;
  std::vector<std::string> referenced_;
};

struct CompileExpressionResult {
  std::shared_ptr<const CompiledExpression> expression;  // set when !error
  std::optional<ExpressionError> error;
};

// Parses `text` and checks it against `parameters` (unique names): every name must be a
// parameter, every operator and function must apply to its argument types, and the whole must
// be a bool. Messages follow cel-go's checker ("undeclared reference to 'x' (in container '')",
// "found no matching overload for '_+_' applied to '(int, string)'") and SpiceDB's ("caveat
// expression must result in a boolean value: found `int`").
CompileExpressionResult CompileExpression(absl::string_view text,
                                          std::vector<Parameter> parameters);

}  // namespace rebac::schema::caveats

#endif  // REBACD_SCHEMA_CAVEATS_EXPRESSION_H_
