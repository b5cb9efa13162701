// Compile(): which schemas SpiceDB accepts, and for refused ones the error kind, position and
// message SpiceDB gives. Expected positions and messages come from SpiceDB's compiler tests
// where a case exists there, else from tracing SpiceDB's parser and type system by hand.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "schema/compiler.h"
#include "tests/schema/schema_corpus.h"

namespace rebac::schema {
namespace {

using ::testing::HasSubstr;
using Kind = SchemaError::Kind;

TEST(CompileTest, AcceptsCorpus) {
  for (const testing::CorpusEntry& entry : testing::AcceptedSchemas()) {
    SCOPED_TRACE(entry.name);
    CompileResult result = Compile(entry.text);
    ASSERT_TRUE(result.ok()) << result.error().ToString();
    EXPECT_EQ(result.schema()->definitions().size(), entry.definitions);
    EXPECT_EQ(result.schema()->caveats().size(), entry.caveats);
  }
}

struct RefusedCase {
  std::string name;
  std::string text;
  Kind kind;
  int line;
  int column;
  std::string message;  // substring of SchemaError::message
};

class RefusedTest : public ::testing::TestWithParam<RefusedCase> {};

TEST_P(RefusedTest, ReportsKindPositionAndMessage) {
  const RefusedCase& c = GetParam();
  CompileResult result = Compile(c.text);
  ASSERT_FALSE(result.ok());
  const SchemaError& error = result.error();
  EXPECT_EQ(error.kind, c.kind) << error.ToString();
  EXPECT_EQ(error.line, c.line) << error.ToString();
  EXPECT_EQ(error.column, c.column) << error.ToString();
  EXPECT_THAT(error.message, HasSubstr(c.message));
}

const std::string kUser = "definition user {}\n";

INSTANTIATE_TEST_SUITE_P(
    Refused, RefusedTest,
    ::testing::ValuesIn(std::vector<RefusedCase>{
        // --- Syntax (SpiceDB's parse errors) ---
        {"root_identifier", "foo", Kind::kParse, 1, 1,
         "Unexpected token at root level: TokenTypeIdentifier"},
        {"plus_in_relation_types",
         "definition foo {\n\t\t\t\trelation something: rela | relb + relc\t\n\t\t\t}",
         Kind::kParse, 2, 37, "Expected end of statement or definition, found: TokenTypePlus"},
        {"caveat_without_parameters", "caveat foo() {\n\t\t\t\tsomeParam == 42\n\t\t\t}",
         Kind::kParse, 1, 12, "Unexpected token at root level: TokenTypeRightParen"},
        {"caveat_without_expression", "caveat foo(someParam int) {\n\t\t\t}", Kind::kParse, 2, 4,
         "Unexpected token at root level: TokenTypeRightBrace"},
        {"unknown_use_flag", "use something\n\ndefinition resource {}", Kind::kParse, 1, 14,
         "Unknown use flag: `something`. Options are: expiration, import, partial, self, "
         "typechecking"},
        {"use_after_definition", "definition a {}\nuse expiration", Kind::kParse, 2, 15,
         "`use` expressions must be declared before any definition"},
        {"use_without_flag", "use (", Kind::kParse, 1, 5,
         "Expected keyword, found token TokenTypeLeftParen"},
        {"relation_without_types", "definition doc {\n\trelation viewer:\n}", Kind::kParse, 3, 1,
         "Expected identifier, found token TokenTypeRightBrace"},
        // A permission's type annotation (`permission view: user | team = ...`) holds plain type
        // names; positions as SpiceDB v1.54 reports them.
        {"permission_annotation_without_expression",
         kUser + "definition doc {\n  permission view: user\n}", Kind::kParse, 3, 24,
         "Expected one of: [TokenTypeEquals], found: TokenTypeSyntheticSemicolon"},
        {"permission_annotation_without_types",
         kUser + "definition doc {\n  permission view: = view\n}", Kind::kParse, 3, 20,
         "Expected identifier, found token TokenTypeEquals"},
        {"permission_annotation_with_subject_relation",
         kUser + "definition doc {\n  permission view: user | doc#viewer = view\n}", Kind::kParse,
         3, 30, "Expected one of: [TokenTypeEquals], found: TokenTypeHash"},
        {"permission_annotation_with_wildcard",
         kUser + "definition doc {\n  permission view: user:* = view\n}", Kind::kParse, 3, 24,
         "Expected one of: [TokenTypeEquals], found: TokenTypeColon"},
        {"permission_annotation_with_type_path",
         kUser + "definition doc {\n  permission view: a/b = view\n}", Kind::kParse, 3, 21,
         "Expected one of: [TokenTypeEquals], found: TokenTypeDiv"},
        {"one_line_relation_needs_terminator", kUser + "definition doc { relation r: user }",
         Kind::kParse, 2, 35,
         "Expected end of statement or definition, found: TokenTypeRightBrace"},
        // SpiceDB consumes the end of input as a statement terminator and then reads an empty
        // error token at offset 0.
        {"truncated_definition", "definition doc {\n\trelation r: user", Kind::kParse, 1, 1,
         "Expected end of statement or definition, found: TokenTypeError"},
        {"unterminated_comment_first", "/* never closed", Kind::kParse, 1, 1,
         "Unterminated multiline comment"},
        {"unterminated_comment_later", "definition a {}\n/* never closed", Kind::kParse, 2, 1,
         "Unexpected token at root level: TokenTypeError"},
        {"unrecognized_character", "$", Kind::kParse, 1, 1,
         "unrecognized character at this location: U+0024 '$'"},
        {"control_character", "\x01", Kind::kParse, 1, 1,
         "unrecognized character at this location: U+0001"},
        {"unterminated_string_in_caveat", "caveat c(a string) {\n\ta == \"abc\n}", Kind::kParse, 2,
         7, "Expected one of: [TokenTypeRightBrace], found: TokenTypeError"},
        {"arrow_to_parenthesis", "definition resource {\n    permission view = a->(b)\n}",
         Kind::kParse, 2, 26, "Expected right hand expression, found: TokenTypeLeftParen"},
        {"arrow_function_unknown", "definition resource {\n\tpermission view = a.foo(b)\n}",
         Kind::kParse, 2, 25, "Expected 'any' or 'all' for arrow function, found: foo"},
        {"arrow_function_without_target",
         "definition doc {\n\trelation r: doc\n\tpermission p = r.all()\n}", Kind::kParse, 3, 23,
         "Expected right hand expression, found: TokenTypeRightParen"},
        {"empty_permission", "definition doc {\n\tpermission view =\n}", Kind::kParse, 3, 1,
         "Expected compute expression for permission"},
        {"empty_parentheses", "definition doc {\n\tpermission view = ()\n}", Kind::kParse, 2, 21,
         "Expected compute expression for permission"},
        {"missing_right_operand", "definition doc {\n\trelation r: doc\n\tpermission view = r +\n}",
         Kind::kParse, 4, 1, "Expected right hand expression, found: TokenTypeRightBrace"},
        {"unclosed_parenthesis",
         "definition doc {\n\trelation r: doc\n\tpermission view = (r + r\n}", Kind::kParse, 3, 26,
         "Expected one of: [TokenTypeRightParen], found: TokenTypeSyntheticSemicolon"},
        {"broken_wildcard", "definition doc {\n\trelation r: user:\n}", Kind::kParse, 3, 1,
         "Expected one of: [TokenTypeStar], found: TokenTypeRightBrace"},
        {"hash_without_relation", "definition doc {\n\trelation r: user#\n}", Kind::kParse, 3, 1,
         "Expected one of: [TokenTypeIdentifier TokenTypeEllipsis], found: TokenTypeRightBrace"},
        // `...` is not among the tokens after which SpiceDB turns a newline into a statement end.
        {"ellipsis_at_line_end", kUser + "definition doc {\n\trelation viewer: user#...\n}",
         Kind::kParse, 4, 1, "Expected end of statement or definition, found: TokenTypeRightBrace"},
        {"keyword_as_name", "definition relation {}", Kind::kParse, 1, 12,
         "Expected identifier, found token TokenTypeKeyword"},
        {"with_without_caveat", "definition doc {\n\trelation r: user with\n}", Kind::kParse, 2, 23,
         "Expected identifier, found token TokenTypeSyntheticSemicolon"},
        {"and_expiration_without_flag",
         "caveat cav(x int) { x == 1 }\n" + kUser +
             "definition doc {\n\trelation viewer: user with cav and expiration\n}",
         Kind::kParse, 4, 33,
         "Expected end of statement or definition, found: TokenTypeIdentifier"},
        {"expiration_before_caveat",
         "use expiration\n" + kUser +
             "definition doc {\n\trelation viewer: user with expiration and cav\n}",
         Kind::kParse, 4, 40, "Expected end of statement or definition, found: TokenTypeKeyword"},
        {"expiration_is_keyword_under_flag",
         "use expiration\ndefinition doc {\n\trelation expiration: doc\n}", Kind::kParse, 3, 11,
         "Expected identifier, found token TokenTypeKeyword"},

        // --- Compiler checks (SpiceDB reports these as parse errors too) ---
        {"nested_arrows",
         "definition arrowed {\n\t\t\t\trelation somerel: something;\n\t\t\t\tpermission foos = "
         "somerel->brel->crel\n\t\t\t}",
         Kind::kParse, 3, 23, "Nested arrows not yet supported"},
        {"duplicate_definition", "definition foo {}\n\t\t\tdefinition foo {}", Kind::kParse, 2, 4,
         "found name reused between multiple definitions and/or caveats: foo"},
        {"caveat_and_definition_share_name",
         "caveat foo(someParam int) {\n\t\t\t\tsomeParam == 42\n\t\t\t}\n\t\t\tdefinition foo {}",
         Kind::kParse, 4, 4, "found name reused between multiple definitions and/or caveats: foo"},
        {"caveat_unknown_type", "caveat foo(someParam foobar) {\n\t\t\t\tsomeParam == 42\n\t\t\t}",
         Kind::kParse, 1, 12,
         "invalid type for caveat parameter `someParam` on caveat `foo`: unknown type `foobar`"},
        {"caveat_unknown_generic_argument", "caveat foo(someParam map<foobar>) {\n\tsomeParam\n}",
         Kind::kParse, 1, 12, "unknown type `foobar`"},
        {"caveat_generic_without_argument", "caveat c(a list) { a == [] }", Kind::kParse, 1, 10,
         "type `list` requires 1 generic types; found 0"},
        {"caveat_duplicate_parameter", "caveat c(ab int, ab int) { ab == 1 }", Kind::kParse, 1, 18,
         "duplicate parameter `ab` defined on caveat `c`"},
        {"caveat_cut_before_parameters", "caveat c(", Kind::kParse, 1, 1,
         "caveat `c` must have at least one parameter defined"},
        {"caveat_cut_before_body", "caveat c(x int) {", Kind::kParse, 1, 1,
         "invalid expression: unknown predicate caveat-definition-expression"},
        {"invalid_definition_name", "definition someTenant/fo {}", Kind::kParse, 1, 1,
         "error in object definition someTenant/fo: invalid NamespaceDefinition.Name: value does "
         "not match regex pattern "
         "\"^([a-z][a-z0-9_]{1,62}[a-z0-9]/)*[a-z][a-z0-9_]{1,62}[a-z0-9]$\""},
        {"invalid_relation_name",
         "definition some_tenant/foos {\n\t\t\t\trelation ab: some_tenant/foos\n\t\t\t}",
         Kind::kParse, 2, 5,
         "error in relation ab: invalid Relation.Name: value does not match regex pattern "
         "\"^[a-z][a-z0-9_]{1,62}[a-z0-9]$\""},
        {"invalid_type_name", "definition doc {\n\trelation r: Us\n}", Kind::kParse, 2, 14,
         "invalid type relation: invalid AllowedRelation.Namespace"},
        {"too_long_definition_name",
         "definition " + std::string(40, 'a') + "/" + std::string(40, 'b') + "/" +
             std::string(50, 'c') + " {}",
         Kind::kParse, 1, 1, "value length must be at most 128 bytes"},
        {"invalid_name_in_expression", "definition doc {\n\tpermission view = ab\n}", Kind::kParse,
         2, 2, "error in permission view: invalid ComputedUserset.Relation"},
        {"digits_are_identifiers_but_not_names", "definition 123 {}", Kind::kParse, 1, 1,
         "invalid NamespaceDefinition.Name"},

        // --- Type checks (SpiceDB's type errors) ---
        {"unknown_subject_type", "definition doc {\n\trelation viewer: usr\n}", Kind::kType, 2, 19,
         "could not lookup definition `usr` for relation `viewer`: object definition `usr` not "
         "found"},
        {"unknown_subject_relation",
         kUser + "definition group {}\ndefinition doc {\n\trelation viewer: user | group#member\n}",
         Kind::kType, 4, 26, "relation/permission `member` not found under definition `group`"},
        {"unknown_own_subject_relation", "definition doc {\n\trelation viewer: doc#editor\n}",
         Kind::kType, 2, 19, "relation/permission `editor` not found under definition `doc`"},
        {"unknown_relation_in_expression",
         kUser +
             "definition doc {\n\trelation viewer: user\n\tpermission view = viewer + editor\n}",
         Kind::kType, 4, 29, "relation/permission `editor` not found under definition `doc`"},
        {"unknown_tupleset", kUser + "definition doc {\n\tpermission view = parent->view\n}",
         Kind::kType, 3, 20, "relation/permission `parent` not found under definition `doc`"},
        {"permission_as_tupleset",
         kUser +
             "definition doc {\n\trelation owner: user\n\tpermission admin = owner\n\tpermission "
             "view = admin->view\n}",
         Kind::kType, 5, 20,
         "under permission `view` under definition `doc`: permissions cannot be used on the left "
         "hand side of an arrow (found `admin`)"},
        {"permission_as_function_tupleset",
         kUser +
             "definition doc {\n\trelation owner: user\n\tpermission admin = owner\n\tpermission "
             "view = admin.all(view)\n}",
         Kind::kType, 5, 20, "permissions cannot be used on the left hand side of an arrow"},
        {"wildcard_tupleset",
         kUser + "definition doc {\n\trelation parent: user:*\n\tpermission view = parent->view\n}",
         Kind::kType, 4, 20,
         "for arrow under permission `view`: relation `doc#parent` includes wildcard type `user` "
         "via relation `doc#parent`: wildcard relations cannot be used on the left side of arrows"},
        {"subject_relation_reaching_wildcard",
         kUser + "definition group {\n\trelation member: user:*\n}\ndefinition doc {\n\trelation "
                 "parent: group#member\n\tpermission view = parent->view\n}",
         Kind::kType, 6, 19, "wildcard relations cannot be transitively included"},
        {"transitive_wildcard",
         kUser + "definition group {\n\trelation member: user:*\n}\ndefinition doc {\n\trelation "
                 "viewer: group#member\n}",
         Kind::kType, 6, 19,
         "for relation `viewer`: relation/permission `group#member` includes wildcard type `user` "
         "via relation `group#member`: wildcard relations cannot be transitively included"},
        {"duplicate_relation",
         kUser + "definition doc {\n\trelation viewer: user\n\tpermission viewer = viewer\n}",
         Kind::kType, 4, 2,
         "found duplicate relation/permission name `viewer` under definition `doc`"},
        {"duplicate_subject_type", kUser + "definition doc {\n\trelation viewer: user | user\n}",
         Kind::kType, 3, 26,
         "found duplicate allowed subject type `user` on relation `viewer` under definition `doc`"},
        {"duplicate_subject_type_via_ellipsis",
         kUser + "definition doc {\n\trelation viewer: user | user#...;\n}", Kind::kType, 3, 26,
         "found duplicate allowed subject type `user`"},
        {"unknown_caveat", kUser + "definition doc {\n\trelation viewer: user with missing\n}",
         Kind::kType, 3, 19,
         "could not lookup caveat `missing` for relation `viewer`: caveat `missing` not found"},
        // Without `use expiration`, `expiration` is just a caveat name.
        {"expiration_without_flag",
         kUser + "definition doc {\n\trelation viewer: user with expiration\n}", Kind::kType, 3, 19,
         "could not lookup caveat `expiration` for relation `viewer`: caveat `expiration` not "
         "found"},
        {"alias_cycle",
         "definition doc {\n\tpermission first = second\n\tpermission second = first\n}",
         Kind::kType, 2, 2,
         "under definition `doc`, there exists a cycle in permissions: first, second"},
        // SpiceDB v1.54 answers a permission that is only itself UNKNOWN (an untyped error), unlike
        // longer cycles (tests/schema_corpus case err_permission_references_itself).
        {"self_alias", "definition doc {\n\tpermission loop = loop\n}", Kind::kUnknown, 2, 2,
         "there exists a cycle in permissions: loop"},
    }),
    [](const ::testing::TestParamInfo<RefusedCase>& info) { return info.param.name; });

// `use` flags, imports, partials, `self` and `use typechecking`: messages and positions as SpiceDB
// v1.54 answers them (each case's schema is also a tests/schema_corpus case, compared against the
// real server). Type errors carry rebacd's position (SpiceDB's travels in details not compared).
const std::string kTyped =
    "use typechecking\ndefinition user {}\ndefinition bot {}\ndefinition team {\n  relation "
    "member: "
    "user | team#member\n}\n";  // 6 lines

INSTANTIATE_TEST_SUITE_P(
    UseFlags, RefusedTest,
    ::testing::ValuesIn(std::vector<RefusedCase>{
        {"use_typechecking_after_definition", "definition user {}\nuse typechecking", Kind::kParse,
         2, 17, "`use` expressions must be declared before any definition"},
        {"use_flags_comma", "use expiration, typechecking\ndefinition user {}", Kind::kParse, 1, 15,
         "Unexpected token at root level: TokenTypeComma"},
        // Each flag but expiration makes its own word a keyword, also after a `partial`.
        {"typechecking_is_a_keyword",
         "use typechecking\ndefinition doc { relation typechecking: doc\n}", Kind::kParse, 2, 27,
         "Expected identifier, found token TokenTypeKeyword"},
        {"self_is_a_keyword", "use self\ndefinition doc { relation self: doc\n}", Kind::kParse, 2,
         27, "Expected identifier, found token TokenTypeKeyword"},
        {"partial_is_a_keyword", "use partial\ndefinition doc { relation partial: doc\n}",
         Kind::kParse, 2, 27, "Expected identifier, found token TokenTypeKeyword"},
        {"import_is_a_keyword", "use import\ndefinition doc { relation import: doc\n}",
         Kind::kParse, 2, 27, "Expected identifier, found token TokenTypeKeyword"},
        {"flag_after_partial_is_a_keyword",
         "use partial\npartial viewable {\n}\nuse typechecking\ndefinition user {\n  relation "
         "typechecking: user\n}",
         Kind::kParse, 6, 12, "Expected identifier, found token TokenTypeKeyword"},

        // --- import: the server compiles without a source folder, so every import is refused
        // once the text has parsed; without `use import` it is a stray identifier.
        {"import_without_flag", "import \"foo.zed\"\ndefinition user {}", Kind::kParse, 1, 1,
         "Unexpected token at root level: TokenTypeIdentifier"},
        {"import", "use import\nimport \"foo.zed\"\ndefinition user {}", Kind::kParse, 2, 1,
         "import statements are not allowed in this context"},
        {"import_first_of_two",
         "use import\ndefinition user {}\nimport \"a.zed\"\nimport \"b.zed\"", Kind::kParse, 3, 1,
         "import statements are not allowed in this context"},
        {"import_not_a_string", "use import\nimport foo\ndefinition user {}", Kind::kParse, 2, 8,
         "Expected quote-delimited string, found token TokenTypeIdentifier"},
        {"import_at_end", "use import\nimport", Kind::kParse, 2, 7,
         "Expected quote-delimited string, found token TokenTypeEOF"},
        {"import_then_token", "use import\nimport \"x\" extra\ndefinition user {}", Kind::kParse, 2,
         12, "Unexpected token at root level: TokenTypeIdentifier"},
        {"syntax_error_after_import_wins", "use import\nimport \"x.zed\"\ndefinition {",
         Kind::kParse, 3, 12, "Expected identifier, found token TokenTypeLeftBrace"},

        // --- partials (`use partial`). `...name` parses in any definition.
        {"partial_without_flag",
         "partial viewable {\n  relation viewer: user\n}\ndefinition user {}", Kind::kParse, 1, 1,
         "Unexpected token at root level: TokenTypeIdentifier"},
        {"partial_reference_without_flag", "definition user {}\ndefinition doc {\n  ...viewable\n}",
         Kind::kParse, 3, 3, "could not find partial reference with name viewable"},
        {"partial_reference_missing",
         "use partial\ndefinition user {}\ndefinition doc {\n  relation owner: user\n  "
         "...viewable\n}",
         Kind::kParse, 5, 3, "could not find partial reference with name viewable"},
        {"partial_reference_without_name", "definition doc {\n  ...\n}", Kind::kParse, 3, 1,
         "Expected identifier, found token TokenTypeRightBrace"},
        {"partial_reference_is_one_identifier",
         "use partial\npartial org/viewable {\n  relation viewer: user\n}\ndefinition user "
         "{}\ndefinition doc {\n  ...org/viewable\n}",
         Kind::kParse, 7, 9, "Expected end of statement or definition, found: TokenTypeDiv"},
        {"partial_reference_ends_a_statement",
         "definition doc {\n  ...viewable relation x: user\n}", Kind::kParse, 2, 15,
         "Expected end of statement or definition, found: TokenTypeKeyword"},
        {"partial_without_name", "use partial\npartial {", Kind::kParse, 2, 9,
         "Expected identifier, found token TokenTypeLeftBrace"},
        // Partials are translated first, used or not.
        {"partial_member_checked_unused",
         "use partial\ndefinition a {}\npartial viewable {\n  relation v: user\n}", Kind::kParse, 4,
         3, "error in relation v: "},
        {"partial_member_before_unresolved_reference",
         "use partial\npartial viewable {\n  relation viewer: user\n  ...later\n  relation w: "
         "user\n}\npartial later {\n}\ndefinition user {}",
         Kind::kParse, 5, 3, "error in relation w: "},
        {"partial_nested_arrow",
         "use partial\npartial viewable {\n  relation parent: user\n  permission view = "
         "parent->a->b\n}\ndefinition user {}",
         Kind::kParse, 4, 21, "Nested arrows not yet supported"},
        {"partial_named_like_definition",
         "use partial\npartial user {\n  relation viewer: user\n}\ndefinition user {}",
         Kind::kParse, 5, 1, "found definition with same name as existing partial: user"},
        {"partial_named_like_caveat",
         "use partial\npartial cav {\n  relation viewer: user\n}\ncaveat cav(a int) {\n  a == "
         "1\n}\ndefinition user {}",
         Kind::kParse, 5, 1, "found caveat with same name as existing partial: cav"},
        // Unresolved partials are an untyped error in SpiceDB (UNKNOWN, no position), naming
        // the awaited partials in the order they were first awaited. rebacd keeps the first
        // unresolved reference's position for its own callers.
        {"partial_cycle",
         "use partial\npartial one {\n  ...two\n}\npartial two {\n  ...one\n}\ndefinition user {}",
         Kind::kUnknown, 3, 3,
         "could not resolve partials: [two, one]. this may indicate a circular reference"},
        {"partial_includes_itself",
         "use partial\npartial viewable {\n  relation viewer: user\n  ...viewable\n}\ndefinition "
         "user {}",
         Kind::kUnknown, 4, 3, "could not resolve partials: [viewable]."},
        {"partial_references_missing_partial",
         "use partial\npartial viewable {\n  ...other\n}\ndefinition user {}", Kind::kUnknown, 3, 3,
         "could not resolve partials: [other]."},
        // After expansion the definition is checked as if written out.
        {"partial_member_duplicates_relation",
         "use partial\npartial viewable {\n  relation viewer: user\n}\ndefinition user {\n  "
         "relation viewer: user\n  ...viewable\n}",
         Kind::kType, 3, 3,
         "found duplicate relation/permission name `viewer` under definition `user`"},
        {"partial_included_twice",
         "use partial\npartial viewable {\n  relation viewer: user\n}\ndefinition user {\n  "
         "...viewable\n  ...viewable\n}",
         Kind::kType, 3, 3,
         "found duplicate relation/permission name `viewer` under definition `user`"},
        {"partial_member_unknown_type_when_used",
         "use partial\npartial viewable {\n  relation viewer: nosuch\n}\ndefinition user {\n  "
         "...viewable\n}",
         Kind::kType, 3, 20,
         "could not lookup definition `nosuch` for relation `viewer`: object definition `nosuch` "
         "not found"},

        // --- `self` (`use self`): SpiceDB accepts it; rebacd cannot evaluate it and says so.
        {"self_refused", "use self\ndefinition user {\n  permission view = self\n}", Kind::kParse,
         3, 21, "`self` is not supported by this server yet"},
        {"self_without_flag", "definition user {\n  permission view = self\n}", Kind::kType, 2, 21,
         "relation/permission `self` not found under definition `user`"},
        {"self_cannot_start_an_arrow",
         "use self\ndefinition user {\n  permission view = self->foo\n}", Kind::kParse, 3, 25,
         "Expected end of statement or definition, found: TokenTypeRightArrow"},
        {"self_cannot_end_an_arrow",
         "use self\ndefinition user {\n  relation parent: user\n  permission view = "
         "parent->self\n}",
         Kind::kParse, 4, 29, "Expected right hand expression, found: TokenTypeKeyword"},

        // --- `use typechecking`: annotations must name every subject type reachable.
        {"typecheck_direct",
         kTyped +
             "definition doc {\n  relation viewer: user | bot\n  permission view: user = viewer\n}",
         Kind::kType, 9, 3,
         "incomplete type annotation on relation `view` in definition `doc`: `bot` found as "
         "reachable type, but not contained in provided set [`user`]"},
        {"typecheck_names_every_annotated_type",
         kTyped + "definition org {}\ndefinition doc {\n  relation viewer: user | bot | org\n  "
                  "permission view: user | org = viewer\n}",
         Kind::kType, 10, 3,
         "`bot` found as reachable type, but not contained in provided set [`user` `org`]"},
        {"typecheck_annotated_type_need_not_exist",
         kTyped +
             "definition doc {\n  relation viewer: user\n  permission view: nosuch = viewer\n}",
         Kind::kType, 9, 3,
         "`user` found as reachable type, but not contained in provided set [`nosuch`]"},
        {"typecheck_subject_relation_reaches_its_types",
         kTyped + "definition doc {\n  relation viewer: team#member\n  permission view: team = "
                  "viewer\n}",
         Kind::kType, 9, 3, "`user` found as reachable type"},
        {"typecheck_arrow",
         kTyped + "definition folder {\n  relation reader: bot\n}\ndefinition drive {}\ndefinition "
                  "doc {\n  relation parent: folder | drive\n  permission view: user = "
                  "parent->reader\n}",
         Kind::kType, 13, 3, "`bot` found as reachable type"},
        {"typecheck_intersection_reaches_every_operand",
         kTyped + "definition doc {\n  relation owner: user\n  relation banned: bot\n  permission "
                  "view: user = owner & banned\n}",
         Kind::kType, 10, 3, "`bot` found as reachable type"},
        {"typecheck_exclusion_reaches_both_sides",
         kTyped + "definition doc {\n  relation owner: user\n  relation banned: bot\n  permission "
                  "view: user = owner - banned\n}",
         Kind::kType, 10, 3, "`bot` found as reachable type"},
        {"typecheck_through_permission",
         kTyped + "definition doc {\n  relation viewer: user\n  relation robot: bot\n  permission "
                  "view: user = other\n  permission other = viewer + robot\n}",
         Kind::kType, 10, 3, "on relation `view` in definition `doc`: `bot` found"},
        // Checked when the permission is, before its references: an unknown relation later in
        // the same expression, or a later bad relation, is reported after it.
        {"typecheck_before_unknown_relation",
         kTyped +
             "definition doc {\n  relation robot: bot\n  permission view: user = robot + nosuch\n}",
         Kind::kType, 9, 3, "incomplete type annotation"},
        {"typecheck_before_later_relation",
         kTyped + "definition doc {\n  relation robot: bot\n  permission view: user = robot\n  "
                  "relation other: nosuch\n}",
         Kind::kType, 9, 3, "incomplete type annotation"},
        {"earlier_relation_before_typecheck",
         kTyped + "definition doc {\n  relation robot: bot\n  relation other: nosuch\n  permission "
                  "view: user = robot\n}",
         Kind::kType, 9, 19, "could not lookup definition `nosuch`"},
    }),
    [](const ::testing::TestParamInfo<RefusedCase>& info) { return info.param.name; });

TEST(CompileTest, EveryUseFlagIsAcceptedAndMayRepeat) {
  // SpiceDB v1.54's flags; `use` may follow a partial (a partial is not a definition).
  for (const char* text : {
           "use expiration\nuse import\nuse partial\nuse self\nuse typechecking\ndefinition user "
           "{}",
           "use typechecking\nuse typechecking\ndefinition user {}",
           "use partial\npartial viewable {\n}\nuse typechecking\ndefinition user {}",
           "definition user {\n  relation self: user\n}",  // a plain name without `use self`
       }) {
    CompileResult result = Compile(text);
    EXPECT_TRUE(result.ok()) << text << ": " << result.error().ToString();
  }
}

TEST(CompileTest, TypecheckingAcceptsCompleteAnnotations) {
  // What SpiceDB v1.54 accepts under `use typechecking` (tests/schema_corpus typecheck_*):
  // wildcards count as their type, `type#relation` as that relation's types, arrows skip tupleset
  // types without the target, cycles end, `nil` reaches nothing, unannotated permissions are free.
  const std::string typed = kTyped;
  for (const std::string& body : {
           "definition doc {\n  relation viewer: user:*\n  permission view: user = viewer\n}",
           "definition doc {\n  relation viewer: team#member\n  permission view: user = viewer\n}",
           "definition doc {\n  relation viewer: user | bot\n  permission view: bot | user = "
           "viewer\n}",
           "definition folder {\n  relation reader: user\n}\ndefinition drive {}\ndefinition doc "
           "{\n  "
           "relation parent: folder | drive\n  permission view: user = parent->reader\n}",
           "definition doc {\n  relation parent: doc\n  relation viewer: user\n  permission view: "
           "user = viewer + parent->view + parent.all(viewer)\n}",
           "definition doc {\n  permission view: user = nil\n}",
           "definition doc {\n  relation viewer: bot\n  permission view = viewer\n}",
       }) {
    CompileResult result = Compile(typed + body);
    EXPECT_TRUE(result.ok()) << body << ": " << result.error().ToString();
  }
  // Without the flag an annotation is parsed and ignored.
  EXPECT_TRUE(Compile("definition user {}\ndefinition bot {}\ndefinition doc {\n  relation viewer: "
                      "bot\n  permission view: user = viewer\n}")
                  .ok());
}

TEST(CompileTest, PartialsExpandWhereReferenced) {
  // ReadSchema texts are SpiceDB v1.54's for the same input (tests/schema_corpus partial_basic,
  // partial_nested compare them byte for byte).
  CompileResult basic = Compile(
      "use partial\npartial viewable {\n  relation viewer: user\n  permission view = viewer\n}\n"
      "definition user {}\ndefinition doc {\n  relation owner: user\n  ...viewable\n  permission "
      "edit = owner + view\n}");
  ASSERT_TRUE(basic.ok()) << basic.error().ToString();
  EXPECT_EQ(Print(*basic.schema()),
            "definition doc {\n\trelation owner: user\n\trelation viewer: user\n\tpermission view "
            "= viewer\n\tpermission edit = owner + view\n}\n\ndefinition user {}");

  // Partials may include partials defined later; a partial's own comments are dropped, its
  // members' kept.
  CompileResult nested = Compile(
      "use partial\n/** partial doc */\npartial editable {\n  ...base\n  relation editor: user\n}\n"
      "partial base {\n  // viewer c\n  relation viewer: user\n}\ndefinition user {}\n/** the doc "
      "*/\ndefinition doc {\n  ...editable\n  relation owner: user\n}");
  ASSERT_TRUE(nested.ok()) << nested.error().ToString();
  EXPECT_EQ(Print(*nested.schema()),
            "/** the doc */\ndefinition doc {\n\t// viewer c\n\trelation viewer: user\n\trelation "
            "editor: user\n\trelation owner: user\n}\n\ndefinition user {}");

  // A later partial of the same name replaces the earlier one.
  CompileResult replaced = Compile(
      "use partial\npartial viewable {\n  relation viewer: user\n}\npartial viewable {\n  relation "
      "editor: user\n}\ndefinition user {}\ndefinition doc {\n  ...viewable\n}");
  ASSERT_TRUE(replaced.ok()) << replaced.error().ToString();
  const Definition* doc = replaced.schema()->FindDefinition("doc");
  ASSERT_NE(doc, nullptr);
  ASSERT_EQ(doc->relations.size(), 1);
  EXPECT_EQ(doc->relations[0].name, "editor");
}

TEST(CompileTest, PartialExpansionIsBounded) {
  // Each partial includes the previous one twice: 2^40 members if expanded blindly. SpiceDB
  // would try; rebacd stops once references have copied 100,000 members, with a parse error.
  std::string text = "use partial\npartial p0 {\n  relation viewer: user\n}\n";
  for (int i = 1; i <= 40; ++i) {
    text += "partial p" + std::to_string(i) + " {\n  ...p" + std::to_string(i - 1) + "\n  ...p" +
            std::to_string(i - 1) + "\n}\n";
  }
  CompileResult doubling = Compile(text + "definition user {}");
  ASSERT_FALSE(doubling.ok());
  EXPECT_EQ(doubling.error().kind, Kind::kParse);
  EXPECT_THAT(doubling.error().message, HasSubstr("expand to more than 100000"));

  // The same budget covers definitions: a large partial included in many of them.
  std::string wide = "use partial\npartial big {\n";
  for (int i = 0; i < 1000; ++i) wide += "  relation rel" + std::to_string(i) + ": user\n";
  wide += "}\ndefinition user {}\n";
  for (int i = 0; i < 200; ++i) wide += "definition doc" + std::to_string(i) + " {\n  ...big\n}\n";
  CompileResult spread = Compile(wide);
  ASSERT_FALSE(spread.ok());
  EXPECT_THAT(spread.error().message, HasSubstr("expand to more than 100000"));
}

TEST(CompileTest, LongPartialChainsDoNotExhaustTheStack) {
  // p0 includes p1, ..., each resolved only when the last one is: the waiting partials are
  // revisited with an explicit stack.
  std::string text = "use partial\n";
  const int kChain = 20000;
  for (int i = 0; i < kChain; ++i) {
    text += "partial p" + std::to_string(i) + " {\n  ...p" + std::to_string(i + 1) + "\n}\n";
  }
  text += "partial p" + std::to_string(kChain) + " {\n  relation viewer: user\n}\n";
  text += "definition user {}\ndefinition doc {\n  ...p0\n}";
  CompileResult result = Compile(text);
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(result.schema()->FindDefinition("doc")->relations.size(), 1);
}

TEST(CompileTest, RepeatedUseFlagIsAccepted) {
  // SpiceDB v1.54 (the served reference) accepts `use expiration` twice; tests/schema_corpus
  // case use_expiration_twice compares it.
  CompileResult result = Compile("use expiration\nuse expiration\n\ndefinition simple {}");
  EXPECT_TRUE(result.ok()) << result.error().ToString();
}

TEST(CompileTest, PermissionTypeAnnotationIsAcceptedAndNotPrinted) {
  // SpiceDB v1.54 checks annotations only under `use typechecking`, and ReadSchema drops them.
  CompileResult result = Compile(
      "definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view: user | "
      "nosuchtype = viewer\n}");
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(Print(*result.schema()),
            "definition doc {\n\trelation viewer: user\n\tpermission view = viewer\n}\n\n"
            "definition user {}");
}

TEST(CompileTest, EmptyTextIsAnEmptySchema) {
  CompileResult result = Compile("");
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.schema()->definitions().empty());
  EXPECT_TRUE(result.schema()->caveats().empty());
}

TEST(CompileTest, BuildsAllowedSubjectTypes) {
  CompileResult result = Compile(R"(use expiration
definition user {}
definition group {
	relation member: user | group#member
}
caveat cav(x int) { x == 1 }
definition doc {
	relation viewer: user | user:* | group#member | group#member with cav | user with expiration | user:* with cav and expiration
})");
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  const Definition* doc = result.schema()->FindDefinition("doc");
  ASSERT_NE(doc, nullptr);
  const Relation* viewer = doc->FindRelation("viewer");
  ASSERT_NE(viewer, nullptr);
  EXPECT_FALSE(viewer->is_permission);
  const std::vector<AllowedSubjectType> expected = {
      {"user", "", false, "", false},        {"user", "", true, "", false},
      {"group", "member", false, "", false}, {"group", "member", false, "cav", false},
      {"user", "", false, "", true},         {"user", "", true, "cav", true},
  };
  EXPECT_EQ(viewer->allowed, expected);
}

TEST(CompileTest, KeepsSourceOrderAndLookups) {
  CompileResult result = Compile(testing::CorpusText("github"));
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  const CompiledSchema& schema = *result.schema();
  ASSERT_EQ(schema.definitions().size(), 4);
  EXPECT_EQ(schema.definitions()[0].name, "user");
  EXPECT_EQ(schema.definitions()[3].name, "repository");
  const Definition* repository = schema.FindDefinition("repository");
  ASSERT_NE(repository, nullptr);
  std::vector<std::string> names;
  for (const Relation& relation : repository->relations) names.push_back(relation.name);
  EXPECT_THAT(names, ::testing::ElementsAre("organization", "reader", "writer", "admin", "read",
                                            "write", "delete"));
  EXPECT_TRUE(repository->FindRelation("read")->is_permission);
  EXPECT_EQ(repository->FindRelation("nope"), nullptr);
  EXPECT_EQ(schema.FindDefinition("nope"), nullptr);
  EXPECT_EQ(schema.FindCaveat("nope"), nullptr);
}

TEST(CompileTest, BuildsCaveats) {
  CompileResult result = Compile(R"(/** checks the network */
caveat net/has_valid_ip(user_ip ipaddress, ranges list<string>, meta map<list<int>>) {
	user_ip.in_cidr(ranges[0]) && {"a": 1}["a"] == 1 && size(meta) >= 0
}
)");
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  const Caveat* caveat = result.schema()->FindCaveat("net/has_valid_ip");
  ASSERT_NE(caveat, nullptr);
  ASSERT_EQ(caveat->parameters.size(), 3);
  EXPECT_EQ(caveat->parameters[0].name, "user_ip");
  EXPECT_EQ(caveat->parameters[0].type, "ipaddress");
  EXPECT_EQ(caveat->parameters[1].type, "list<string>");
  EXPECT_EQ(caveat->parameters[2].type, "map<list<int>>");
  EXPECT_EQ(caveat->expression,
            R"(user_ip.in_cidr(ranges[0]) && {"a": 1}["a"] == 1 && size(meta) >= 0)");
  ASSERT_NE(caveat->compiled, nullptr);
  EXPECT_EQ(caveat->compiled->referenced_parameters(),
            (std::vector<std::string>{"meta", "ranges", "user_ip"}));
  EXPECT_EQ(caveat->doc_comment, "/** checks the network */");
}

TEST(CompileTest, KeepsCommentsLikeSpiceDB) {
  CompileResult result = Compile(testing::CorpusText("doc_comments"));
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  const Definition* user = result.schema()->FindDefinition("user");
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->doc_comment, "/**\n* user is a user\n*/");
  const Definition* single = result.schema()->FindDefinition("single");
  ASSERT_NE(single, nullptr);
  EXPECT_EQ(single->doc_comment, "/** single is a thing */");
  EXPECT_EQ(single->FindRelation("owner")->doc_comment, "// the owner");
  EXPECT_EQ(single->FindRelation("first")->doc_comment, "/* plain block */\n// and a line");
}

TEST(CompileTest, TrailingCommentIsNotKept) {
  // A comment after a statement on the same line belongs to the newline that ends it.
  CompileResult result =
      Compile("definition user {} // trailing\ndefinition doc {\n\trelation rel: user // too\n}");
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(result.schema()->FindDefinition("doc")->doc_comment, "");
  EXPECT_EQ(result.schema()->FindDefinition("doc")->FindRelation("rel")->doc_comment, "");
}

TEST(CompileTest, ArrowsCompileToTuplesetAndTarget) {
  CompileResult result = Compile(testing::CorpusText("arrow_functions"));
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  const Definition* document = result.schema()->FindDefinition("document");
  const RewriteNode& any = document->FindRelation("view_any")->rewrite;
  ASSERT_EQ(any.kind, RewriteNode::Kind::kUnion);
  ASSERT_EQ(any.children.size(), 1);
  EXPECT_EQ(any.children[0].kind, RewriteNode::Kind::kArrow);
  EXPECT_EQ(any.children[0].relation, "group");
  EXPECT_EQ(any.children[0].arrow_target, "member");
  EXPECT_EQ(any.children[0].arrow_function, RewriteNode::ArrowFunction::kAny);
  EXPECT_TRUE(any.children[0].arrow_is_function);
  const RewriteNode& all = document->FindRelation("view_all")->rewrite.children[0];
  EXPECT_EQ(all.arrow_function, RewriteNode::ArrowFunction::kAll);
  const RewriteNode& arrow = document->FindRelation("view_arrow")->rewrite.children[0];
  EXPECT_EQ(arrow.arrow_function, RewriteNode::ArrowFunction::kAny);
  EXPECT_FALSE(arrow.arrow_is_function);
}

TEST(SchemaErrorTest, ParseErrorsCarryTheirPosition) {
  CompileResult result = Compile("foo");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().ToString(),
            "parse error in `schema`, line 1, column 1: Unexpected token at root level: "
            "TokenTypeIdentifier");
  EXPECT_EQ(result.error().source_code, "foo");
}

TEST(SchemaErrorTest, TypeErrorsAreBareLikeSpiceDB) {
  CompileResult result = Compile("definition doc {\n\trelation viewer: usr\n}");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().ToString(),
            "could not lookup definition `usr` for relation `viewer`: object definition `usr` not "
            "found");
  EXPECT_EQ(result.error().source_code, "usr");
}

}  // namespace
}  // namespace rebac::schema
