// Caveats inside schemas: expressions are compiled with the schema, an error sits at the start of
// the expression while its CEL message points inside it (schema line:column), unused parameters
// are refused as SpiceDB refuses them, the printer shows the canonical expression, and the
// compiled form is ready to evaluate.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "schema/caveats/convert.h"
#include "schema/caveats/evaluate.h"
#include "schema/compiler.h"

namespace rebac::schema {
namespace {

using Kind = SchemaError::Kind;

struct RefusedCaveatCase {
  std::string name;
  std::string text;
  Kind kind;
  int line;
  int column;
  std::string message;  // the whole SchemaError::message
};

class RefusedCaveatSchemaTest : public ::testing::TestWithParam<RefusedCaveatCase> {};

TEST_P(RefusedCaveatSchemaTest, ReportsKindPositionAndMessage) {
  const RefusedCaveatCase& c = GetParam();
  CompileResult result = Compile(c.text);
  ASSERT_FALSE(result.ok());
  const SchemaError& error = result.error();
  EXPECT_EQ(error.kind, c.kind) << error.ToString();
  EXPECT_EQ(error.line, c.line) << error.ToString();
  EXPECT_EQ(error.column, c.column) << error.ToString();
  EXPECT_EQ(error.message, c.message);
}

INSTANTIATE_TEST_SUITE_P(
    All, RefusedCaveatSchemaTest,
    ::testing::ValuesIn(std::vector<RefusedCaveatCase>{
        {"undeclared_parameter", "caveat c(a int) {\n\ta == b\n}", Kind::kParse, 2, 2,
         "invalid expression for caveat `c`: ERROR: c:2:7: undeclared reference to 'b' (in "
         "container '')"},
        {"not_boolean", "caveat c(a int) { a + 1 }", Kind::kParse, 1, 19,
         "invalid expression for caveat `c`: caveat expression must result in a boolean value: "
         "found `int`"},
        {"type_error_on_a_later_line", "caveat c(a int) {\n\ta == 1 &&\n\t  a + \"x\" == 2\n}",
         Kind::kParse, 2, 2,
         "invalid expression for caveat `c`: ERROR: c:3:6: found no matching overload for '_+_' "
         "applied to '(int, string)'"},
        {"syntax_error_at_end", "caveat c(a int) { a == }", Kind::kParse, 1, 19,
         "invalid expression for caveat `c`: ERROR: c:1:23: Syntax error: mismatched input "
         "'<EOF>'"},
        {"prefixed_caveat_name", "caveat org/c(a int) { a == x }", Kind::kParse, 1, 23,
         "invalid expression for caveat `org/c`: ERROR: org/c:1:28: undeclared reference to 'x' "
         "(in container '')"},
        {"unused_parameter", "caveat c(a int, b int) { a == 1 }", Kind::kType, 1, 17,
         "parameter `b` for caveat `c` is unused"},
        {"unused_parameter_in_second_caveat",
         "caveat ok(a int) { a == 1 }\ncaveat bad(x int, y string) {\n\ty == \"\"\n}", Kind::kType,
         2, 12, "parameter `x` for caveat `bad` is unused"},
        {"caveat_error_before_later_definition_error",
         "caveat c(a int) { a }\ndefinition doc {\n\trelation rel: missing\n}", Kind::kParse, 1, 19,
         "invalid expression for caveat `c`: caveat expression must result in a boolean value: "
         "found `int`"},
        {"unused_parameter_before_definition_type_errors",
         "definition doc {\n\trelation rel: missing\n}\ncaveat c(a int, b int) { a == 1 }",
         Kind::kType, 4, 17, "parameter `b` for caveat `c` is unused"},
        {"uint_parameter_is_int_in_expressions", "caveat c(u uint) { u == 1u }", Kind::kParse, 1,
         20,
         "invalid expression for caveat `c`: ERROR: c:1:22: found no matching overload for '_==_' "
         "applied to '(int, uint)'"},
        {"map_parameter_needs_string_keys", "caveat c(m map<int>) { m[1] == 1 }", Kind::kParse, 1,
         24,
         "invalid expression for caveat `c`: ERROR: c:1:25: found no matching overload for '_[_]' "
         "applied to '(map(string, int), int)'"},
        // CEL places a call at its `(`; an error without a CEL location reads 0:0.
        {"unknown_function_at_its_parenthesis", "caveat c(x int) {\n  frobnicate(x)\n}",
         Kind::kParse, 2, 3,
         "invalid expression for caveat `c`: ERROR: c:2:13: undeclared reference to 'frobnicate' "
         "(in container '')"},
        {"unknown_member_function", "caveat c(s string) {\n  s.frob()\n}", Kind::kParse, 2, 3,
         "invalid expression for caveat `c`: ERROR: c:2:9: undeclared reference to 'frob' (in "
         "container '')"},
        {"parameter_named_like_a_type", "caveat c(int int) {\n  int > 0\n}", Kind::kParse, 2, 3,
         "invalid expression for caveat `c`: ERROR: c:0:0: overlapping identifier for name 'int'"},
    }),
    [](const auto& info) { return info.param.name; });

TEST(CaveatSchemaTest, AcceptsSpiceDBDocumentationExamples) {
  // From SpiceDB's caveat documentation.
  const char* const kSchema = R"(caveat has_valid_ip(user_ip ipaddress, allowed_range string) {
  user_ip.in_cidr(allowed_range)
}

caveat not_expired(current_time timestamp, expiration timestamp) {
  current_time < expiration
}

caveat attribute_match(attributes map<any>, required list<string>) {
  required.all(r, r in attributes)
}

definition user {}

definition resource {
  relation viewer: user | user with has_valid_ip | user with not_expired
  relation editor: user with attribute_match
  permission view = viewer + editor
})";
  CompileResult result = Compile(kSchema);
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(result.schema()->caveats().size(), 3u);
}

TEST(CaveatSchemaTest, PrintsTheCanonicalExpression) {
  CompileResult result = Compile("caveat c(a int, b list<string>) {\n  a==1&&(\"x\" in b)\n}");
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(Print(*result.schema()),
            "caveat c(a int, b list<string>) {\n\ta == 1 && \"x\" in b\n}");
  EXPECT_EQ(result.schema()->FindCaveat("c")->expression, "a==1&&(\"x\" in b)");
}

TEST(CaveatSchemaTest, CompiledCaveatEvaluatesWithConvertedContext) {
  CompileResult result = Compile(R"(caveat ip_allowed(ip ipaddress, cidr string) {
	ip.in_cidr(cidr)
}
definition user {}
definition doc {
	relation viewer: user with ip_allowed
})");
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  const Caveat* caveat = result.schema()->FindCaveat("ip_allowed");
  ASSERT_NE(caveat, nullptr);
  ASSERT_NE(caveat->compiled, nullptr);

  // Stored on the relationship: cidr. Given at check time: ip.
  caveats::ValueMap stored = {{"cidr", caveats::Value::String("10.0.0.0/8")}};
  auto partial = caveats::ConvertContext(caveat->compiled->parameters(), stored,
                                         caveats::UnknownParameters::kError);
  ASSERT_TRUE(partial.ok()) << partial.status();
  auto unknown = caveats::Evaluate(*caveat->compiled, *partial);
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_TRUE(unknown->is_unknown());
  EXPECT_EQ(unknown->missing, std::vector<std::string>{"ip"});

  caveats::ValueMap full = stored;
  full["ip"] = caveats::Value::String("10.2.3.4");
  auto context = caveats::ConvertContext(caveat->compiled->parameters(), full,
                                         caveats::UnknownParameters::kSkip);
  ASSERT_TRUE(context.ok()) << context.status();
  auto decided = caveats::Evaluate(*caveat->compiled, *context);
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_TRUE(decided->is_true());
}

}  // namespace
}  // namespace rebac::schema
