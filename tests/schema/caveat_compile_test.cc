// Compiling caveat expressions: syntax and type errors with CEL's wording and the offset they
// point at, and the canonical text SpiceDB's ReadSchema would show.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "schema/caveats/parser.h"
#include "tests/schema/caveat_test_support.h"

namespace rebac::schema::caveats {
namespace {

struct ErrorCase {
  std::string name;
  std::string expression;
  std::string params;
  std::string message;
  int offset;
};

class CaveatCompileErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(CaveatCompileErrorTest, IsRefused) {
  const ErrorCase& c = GetParam();
  auto compiled = CompileExpression(c.expression, testing::Params(c.params));
  ASSERT_TRUE(compiled.error.has_value()) << c.expression;
  EXPECT_EQ(compiled.error->message, c.message);
  EXPECT_EQ(compiled.error->offset, c.offset);
}

INSTANTIATE_TEST_SUITE_P(
    All, CaveatCompileErrorTest,
    ::testing::ValuesIn(std::vector<ErrorCase>{
        {"undeclared_name", "a == b", "a int", "undeclared reference to 'b' (in container '')", 5},
        {"not_boolean", "a + 1", "a int",
         "caveat expression must result in a boolean value: found `int`", 0},
        {"string_result", "s", "s string",
         "caveat expression must result in a boolean value: found `string`", 0},
        {"any_result_is_not_bool", "a", "a any",
         "caveat expression must result in a boolean value: found `dyn`", 0},
        {"int_plus_string", "a + s == 1", "a int, s string",
         "found no matching overload for '_+_' applied to '(int, string)'", 2},
        {"int_equals_string", "a == \"1\"", "a int",
         "found no matching overload for '_==_' applied to '(int, string)'", 2},
        // cel-go: a variable may not be named like a CEL type identifier (`dyn` may).
        {"parameter_named_like_a_type", "int == 1", "int int",
         "overlapping identifier for name 'int'", ExpressionError::kNoOffset},
        // SpiceDB v1.54 has no cross-type numeric comparisons, and a uint parameter is an int.
        {"int_less_than_double", "a < 2.5", "a int",
         "found no matching overload for '_<_' applied to '(int, double)'", 2},
        {"uint_parameter_against_uint_literal", "u > 1u", "u uint",
         "found no matching overload for '_>_' applied to '(int, uint)'", 2},
        {"and_of_int", "a && true", "a int",
         "found no matching overload for '_&&_' applied to '(int, bool)'", 2},
        {"not_of_string", "!s", "s string",
         "found no matching overload for '!_' applied to '(string)'", 0},
        {"member_on_wrong_type", "a.startsWith(\"x\")", "a int",
         "found no matching overload for 'startsWith' applied to 'int.(string)'", 12},
        {"unknown_function", "frobnicate(a)", "a int",
         "undeclared reference to 'frobnicate' (in container '')", 10},
        // cel-go declares no function of that name at all, so the member form is undeclared too.
        {"unknown_member_function", "s.frob()", "s string",
         "undeclared reference to 'frob' (in container '')", 6},
        {"select_on_int", "a.b == 1", "a int", "type 'int' does not support field selection", 1},
        {"macro_over_int", "a.exists(v, v > 1)", "a int",
         "expression of type 'int' cannot be range of a comprehension (must be list, map, or "
         "dynamic)",
         0},
        {"in_wrong_element", "a in l", "a int, l list<string>",
         "found no matching overload for '@in' applied to '(int, list(string))'", 2},
        {"timestamp_plus_timestamp", "t + t > t", "t timestamp",
         "found no matching overload for '_+_' applied to '(google.protobuf.Timestamp, "
         "google.protobuf.Timestamp)'",
         2},
        {"in_cidr_on_string", "s.in_cidr(\"10.0.0.0/8\")", "s string",
         "found no matching overload for 'in_cidr' applied to 'string.(string)'", 9},
        {"ternary_branch_mismatch", "b ? 1 : \"x\"", "b bool",
         "found no matching overload for '_?_:_' applied to '(bool, int, string)'", 2},
        {"syntax_dangling_operator", "a ==", "a int", "Syntax error: mismatched input '<EOF>'", 4},
        {"syntax_unbalanced_paren", "(a == 1", "a int", "Syntax error: mismatched input '<EOF>'",
         7},
        {"syntax_extra_token", "a == 1 1", "a int", "Syntax error: extraneous input '1'", 7},
        {"syntax_bad_character", "a == #", "a int", "Syntax error: token recognition error at: '#'",
         5},
        {"unterminated_string", "s == \"abc", "s string",
         "Syntax error: unterminated string literal", 5},
        {"reserved_word", "if == 1", "a int", "reserved identifier: if", 0},
        {"int_literal_too_big", "a == 9223372036854775808", "a int", "invalid int literal", 5},
        // Found by the fuzzer: an infinite literal printed as `+Inf`, which does not parse.
        {"double_literal_too_big", "f < 1e999", "f double", "invalid double literal", 4},
        {"has_needs_field", "has(m)", "m map<int>", "invalid argument to has() macro", 4},
        {"map_keys_must_be_strings", "{1: true}[1]", "a int",
         "map keys in caveat expressions must be strings", 1},
        {"too_deep", std::string(300, '(') + "a" + std::string(300, ')'), "a bool",
         "max recursion depth exceeded", 66},
    }),
    [](const auto& info) { return info.param.name; });

TEST(CaveatCompileTest, RefusesOversizedExpression) {
  const std::string huge = "a == \"" + std::string(100'001, 'x') + "\"";
  auto compiled = CompileExpression(huge, testing::Params("a string"));
  ASSERT_TRUE(compiled.error.has_value());
  EXPECT_EQ(compiled.error->message,
            "caveat expression provided exceeds maximum allowed size of 100000 characters");
}

TEST(CaveatCompileTest, LongAndChainsStayShallow) {
  std::string text = "a";
  for (int i = 0; i < 5000; ++i) text += " && a";
  auto compiled = CompileExpression(text, testing::Params("a bool"));
  ASSERT_FALSE(compiled.error) << compiled.error->message;
  EXPECT_LT(compiled.expression->root().height, 20);
}

TEST(CaveatCompileTest, RecordsReferencedParameters) {
  auto compiled = CompileExpression("b > 1 || l.exists(x, x == a)",
                                    testing::Params("a int, b int, c int, l list<int>"));
  ASSERT_FALSE(compiled.error);
  EXPECT_EQ(compiled.expression->referenced_parameters(),
            (std::vector<std::string>{"a", "b", "l"}));
}

TEST(CaveatCompileTest, ComprehensionVariableShadowsNothingOutside) {
  auto compiled = CompileExpression("l.all(x, x > 0) && x", testing::Params("l list<int>"));
  ASSERT_TRUE(compiled.error.has_value());
  EXPECT_EQ(compiled.error->message, "undeclared reference to 'x' (in container '')");
}

struct PrintCase {
  std::string input;
  std::string params;
  std::string canonical;
};

class CaveatPrintTest : public ::testing::TestWithParam<PrintCase> {};

TEST_P(CaveatPrintTest, PrintsCanonically) {
  const PrintCase& c = GetParam();
  auto compiled = CompileExpression(c.input, testing::Params(c.params));
  ASSERT_FALSE(compiled.error) << compiled.error->message;
  EXPECT_EQ(compiled.expression->ToString(), c.canonical);
  // The canonical text compiles to the same canonical text.
  auto again = CompileExpression(c.canonical, testing::Params(c.params));
  ASSERT_FALSE(again.error) << again.error->message;
  EXPECT_EQ(again.expression->ToString(), c.canonical);
}

INSTANTIATE_TEST_SUITE_P(
    All, CaveatPrintTest,
    ::testing::ValuesIn(std::vector<PrintCase>{
        {"a==1", "a int", "a == 1"},
        {"  a   >=\n 1 ", "a int", "a >= 1"},
        {"(a + 1) * 2 == 4", "a int", "(a + 1) * 2 == 4"},
        {"a + (1 * 2) == 4", "a int", "a + 1 * 2 == 4"},
        {"a - (b - 1) == 0", "a int, b int", "a - (b - 1) == 0"},
        {"(a && b) && c", "a bool, b bool, c bool", "a && b && c"},
        {"(a || b) && c", "a bool, b bool, c bool", "(a || b) && c"},
        {"!(a && b)", "a bool, b bool", "!(a && b)"},
        {"a ? b : c", "a bool, b bool, c bool", "a ? b : c"},
        {"(a ? b : c) ? b : c", "a bool, b bool, c bool", "(a ? b : c) ? b : c"},
        {"s.startsWith('x')", "s string", "s.startsWith(\"x\")"},
        {"s == \"a\\\"b\"", "s string", "s == \"a\\\"b\""},
        {"l[0] in [1,2]", "l list<int>", "l[0] in [1, 2]"},
        {"{'a': 1}['a'] == x", "x int", "{\"a\": 1}[\"a\"] == x"},
        {"has(m.a)", "m map<int>", "has(m.a)"},
        {"l.exists(x, x > 1)", "l list<int>", "l.exists(x, x > 1)"},
        {"d == 1.5 || d == 1e10", "d double", "d == 1.5 || d == 1e+10"},
        {"d == 2.0", "d double", "d == 2.0"},
        // Found by the fuzzer: `-0` must keep its sign to print to a fixed point.
        {"a < ---0", "a int", "a < ---0"},
        {"a > --5", "a int", "a > --5"},
        {"a ? (b ? c : a) : c", "a bool, b bool, c bool", "a ? (b ? c : a) : c"},
        {"a ? b : (c ? a : b)", "a bool, b bool, c bool", "a ? b : c ? a : b"},
        {"uint(a) == 3u", "a int", "uint(a) == 3u"},
        {"ip.in_cidr(\"10.0.0.0/8\")", "ip ipaddress", "ip.in_cidr(\"10.0.0.0/8\")"},
        {"t < timestamp(\"2024-01-01T00:00:00Z\")", "t timestamp",
         "t < timestamp(\"2024-01-01T00:00:00Z\")"},
    }));

}  // namespace
}  // namespace rebac::schema::caveats
