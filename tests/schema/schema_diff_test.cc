// DiffSchemas against SpiceDB's pkg/diff: which deltas a change produces, in which order.
#include "schema/schema_diff.h"

#include "gtest/gtest.h"
#include "schema/compiler.h"

namespace rebac::schema {
namespace {

std::shared_ptr<const CompiledSchema> MustCompile(const std::string& text) {
  CompileResult r = Compile(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
  return r.ok() ? r.schema() : std::make_shared<CompiledSchema>();
}

using DK = DefinitionDelta::Kind;
using CK = CaveatDelta::Kind;

TEST(SchemaDiffTest, IdenticalSchemasHaveNoDiff) {
  auto a = MustCompile("definition user {}\ndefinition doc {\n relation viewer: user\n}");
  auto b = MustCompile("definition user {}\n\n\ndefinition doc {\n\n  relation viewer: user\n}");
  EXPECT_TRUE(DiffSchemas(*a, *b).empty());
}

TEST(SchemaDiffTest, AddedAndRemovedDefinitionsAndCaveats) {
  auto a = MustCompile("definition user {}\ndefinition old {}\ncaveat gone(a int) { a == 1 }");
  auto b = MustCompile("definition user {}\ndefinition fresh {}\ncaveat born(b int) { b == 2 }");
  SchemaDiff d = DiffSchemas(*a, *b);
  EXPECT_EQ(d.added_definitions, std::vector<std::string>{"fresh"});
  EXPECT_EQ(d.removed_definitions, std::vector<std::string>{"old"});
  EXPECT_EQ(d.added_caveats, std::vector<std::string>{"born"});
  EXPECT_EQ(d.removed_caveats, std::vector<std::string>{"gone"});
  EXPECT_TRUE(d.changed_definitions.empty());
}

TEST(SchemaDiffTest, DefinitionDeltasFollowSpiceDBsKindsAndOrder) {
  // SpiceDB's DiffNamespaces: comments, removed relations, added relations, removed
  // permissions, added permissions, then per shared permission (impl, comment), then per
  // shared relation (comment, allowed types removed, allowed types added).
  auto a = MustCompile(R"(definition user {}
definition group {
  relation member: user
}
definition doc {
  relation gone: user
  relation viewer: user | group#member
  permission old_perm = viewer
  permission view = viewer
})");
  auto b = MustCompile(R"(use expiration
definition user {}
definition group {
  relation member: user
}
/** a doc */
definition doc {
  relation fresh: user
  relation viewer: user:* | user with expiration
  permission new_perm = viewer
  // comment
  permission view = viewer + fresh
})");
  SchemaDiff d = DiffSchemas(*a, *b);
  ASSERT_EQ(d.changed_definitions.size(), 1u);
  EXPECT_EQ(d.changed_definitions[0].name, "doc");
  std::vector<std::pair<DK, std::string>> got;
  std::vector<std::string> types;
  for (const DefinitionDelta& x : d.changed_definitions[0].deltas) {
    got.emplace_back(x.kind, x.relation);
    if (x.kind == DK::kAllowedTypeAdded || x.kind == DK::kAllowedTypeRemoved) {
      types.push_back(AllowedTypeSource(x.allowed_type));
    }
  }
  EXPECT_EQ(got, (std::vector<std::pair<DK, std::string>>{
                     {DK::kCommentsChanged, ""},
                     {DK::kRelationRemoved, "gone"},
                     {DK::kRelationAdded, "fresh"},
                     {DK::kPermissionRemoved, "old_perm"},
                     {DK::kPermissionAdded, "new_perm"},
                     {DK::kPermissionExprChanged, "view"},
                     {DK::kPermissionCommentChanged, "view"},
                     {DK::kAllowedTypeRemoved, "viewer"},
                     {DK::kAllowedTypeRemoved, "viewer"},
                     {DK::kAllowedTypeAdded, "viewer"},
                     {DK::kAllowedTypeAdded, "viewer"},
                 }));
  EXPECT_EQ(types,
            (std::vector<std::string>{"group#member", "user", "user with expiration", "user:*"}));
}

TEST(SchemaDiffTest, AllowedTypeSourceIsSpiceDBsSpelling) {
  EXPECT_EQ(AllowedTypeSource({.type = "user"}), "user");
  EXPECT_EQ(AllowedTypeSource({.type = "user", .wildcard = true}), "user:*");
  EXPECT_EQ(AllowedTypeSource({.type = "group", .relation = "member"}), "group#member");
  EXPECT_EQ(AllowedTypeSource({.type = "user", .caveat = "c"}), "user with c");
  EXPECT_EQ(AllowedTypeSource({.type = "user", .caveat = "c", .expiration = true}),
            "user with c and expiration");
  EXPECT_EQ(AllowedTypeSource({.type = "user", .wildcard = true, .expiration = true}),
            "user:* with expiration");
}

TEST(SchemaDiffTest, ArrowSpellingsAreDifferentExpressionsAsInSpiceDB) {
  // `->` compiles to a TupleToUserset and `.any()` to a FunctionedTupleToUserset in SpiceDB.
  auto a = MustCompile(
      "definition user {}\ndefinition folder {\n relation viewer: user\n}\n"
      "definition doc {\n relation parent: folder\n permission view = parent->viewer\n}");
  auto b = MustCompile(
      "definition user {}\ndefinition folder {\n relation viewer: user\n}\n"
      "definition doc {\n relation parent: folder\n permission view = parent.any(viewer)\n}");
  SchemaDiff d = DiffSchemas(*a, *b);
  ASSERT_EQ(d.changed_definitions.size(), 1u);
  EXPECT_EQ(d.changed_definitions[0].deltas[0].kind, DK::kPermissionExprChanged);
}

TEST(SchemaDiffTest, CaveatDeltas) {
  auto a = MustCompile("caveat c(a int, b string) {\n a == 1 && b == \"x\"\n}\ndefinition user {}");
  auto b = MustCompile(
      "/** doc */\ncaveat c(a string, z bool) {\n a == \"y\" && z\n}\ndefinition user {}");
  SchemaDiff d = DiffSchemas(*a, *b);
  ASSERT_EQ(d.changed_caveats.size(), 1u);
  std::vector<std::tuple<CK, std::string, std::string, std::string>> got;
  for (const CaveatDelta& x : d.changed_caveats[0].deltas) {
    got.emplace_back(x.kind, x.parameter, x.previous_type, x.current_type);
  }
  EXPECT_EQ(got, (std::vector<std::tuple<CK, std::string, std::string, std::string>>{
                     {CK::kCommentsChanged, "", "", ""},
                     {CK::kParameterRemoved, "b", "string", ""},
                     {CK::kParameterAdded, "z", "", "bool"},
                     {CK::kParameterTypeChanged, "a", "int", "string"},
                     {CK::kExpressionChanged, "", "", ""},
                 }));
}

}  // namespace
}  // namespace rebac::schema
