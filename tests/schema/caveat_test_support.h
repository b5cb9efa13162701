// Helpers for the caveat expression tests: parameters from a short spelling ("a int, b string"),
// contexts from JSON text (numbers become doubles, as in a google.protobuf.Struct), and one
// call that compiles, converts and evaluates, rendering the outcome as a string to compare.
#ifndef REBACD_TESTS_SCHEMA_CAVEAT_TEST_SUPPORT_H_
#define REBACD_TESTS_SCHEMA_CAVEAT_TEST_SUPPORT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "schema/caveats/convert.h"
#include "schema/caveats/evaluate.h"
#include "schema/caveats/expression.h"

namespace rebac::schema::caveats::testing {

inline std::vector<Parameter> Params(const std::string& spelling) {
  std::vector<Parameter> out;
  if (spelling.empty()) return out;
  for (absl::string_view piece : absl::StrSplit(spelling, ',')) {
    piece = absl::StripAsciiWhitespace(piece);
    const size_t space = piece.find(' ');
    Parameter parameter;
    parameter.name = std::string(piece.substr(0, space));
    auto type = ParseParameterType(piece.substr(space + 1));
    EXPECT_TRUE(type.ok()) << type.status();
    if (type.ok()) parameter.type = *type;
    out.push_back(std::move(parameter));
  }
  return out;
}

inline Value FromJson(const nlohmann::json& json) {
  if (json.is_null()) return Value();
  if (json.is_boolean()) return Value::Bool(json.get<bool>());
  if (json.is_number()) return Value::Double(json.get<double>());
  if (json.is_string()) return Value::String(json.get<std::string>());
  if (json.is_array()) {
    ValueList items;
    for (const auto& item : json) items.push_back(FromJson(item));
    return Value::List(std::move(items));
  }
  ValueMap map;
  for (const auto& [key, item] : json.items()) map.emplace(key, FromJson(item));
  return Value::Map(std::move(map));
}

inline ValueMap JsonContext(const std::string& text) {
  if (text.empty()) return {};
  return FromJson(nlohmann::json::parse(text)).map();
}

// "true", "false", "unknown{a,b}", "error: <message>", "compile error: <message>".
inline std::string EvalToString(const std::string& expression, const std::string& params,
                                const std::string& context, const EvalOptions& options = {}) {
  auto compiled = CompileExpression(expression, Params(params));
  if (compiled.error) return "compile error: " + compiled.error->message;
  auto converted = ConvertContext(compiled.expression->parameters(), JsonContext(context),
                                  UnknownParameters::kSkip);
  if (!converted.ok()) return absl::StrCat("context error: ", converted.status().message());
  auto result = Evaluate(*compiled.expression, *converted, options);
  if (!result.ok()) return absl::StrCat("error: ", result.status().message());
  switch (result->kind) {
    case EvalResult::Kind::kTrue:
      return "true";
    case EvalResult::Kind::kFalse:
      return "false";
    case EvalResult::Kind::kUnknown:
      return absl::StrCat("unknown{", absl::StrJoin(result->missing, ","), "}");
  }
  return "";
}

}  // namespace rebac::schema::caveats::testing

#endif  // REBACD_TESTS_SCHEMA_CAVEAT_TEST_SUPPORT_H_
