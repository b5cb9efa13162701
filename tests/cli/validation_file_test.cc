// Tests for the validation-file parser of `rebac validate` (tools/rebac/validation_file.h):
// every entry's FILE:LINE:COL, the section forms zed accepts, and malformed files.
#include "tools/rebac/validation_file.h"

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rebac::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kFile[] = R"(# a comment
schema: |-
  definition user {}
  definition document {
    relation viewer: user
    permission view = viewer
  }
relationships: |-
  document:1#viewer@user:tom

  // a comment line
    document:2#viewer@user:ann[wk:{"k":1}][expiration:2030-01-01T00:00:00Z]
assertions:
  assertTrue:
    - "document:1#view@user:tom"
    - 'document:2#view@user:ann with {"k": 2}'
  assertFalse:
  - document:3#view@user:tom
  assertCaveated: []
validation:
  document:1#view:
    - "[user:tom] is <document:1#viewer>"
    - "[user:* - {user:bob, user:eve[...]}] is <document:1#viewer>/<document:2#viewer>"
  document:2#view: []
)";

ValidationFile MustParse(const std::string& contents) {
  absl::StatusOr<ValidationFile> file = ParseValidationFile("f.yaml", contents);
  EXPECT_TRUE(file.ok()) << file.status();
  return file.ok() ? *file : ValidationFile{};
}

// The error message of parsing `contents`, which must fail.
std::string ErrorOf(const std::string& contents) {
  absl::StatusOr<ValidationFile> file = ParseValidationFile("f.yaml", contents);
  EXPECT_FALSE(file.ok());
  return file.ok() ? "" : std::string(file.status().message());
}

TEST(ValidationFileTest, SchemaTextAndItsFirstLine) {
  ValidationFile file = MustParse(kFile);
  EXPECT_THAT(file.schema, StartsWith("definition user {}\ndefinition document {"));
  EXPECT_EQ(file.schema_location, (SourceLocation{3, 3}));
  EXPECT_EQ(file.schema_file, "");
}

TEST(ValidationFileTest, RelationshipsWithLinesColumnsCaveatsAndExpiration) {
  ValidationFile file = MustParse(kFile);
  ASSERT_EQ(file.relationships.size(), 2u);
  EXPECT_EQ(file.relationships[0].text, "document:1#viewer@user:tom");
  EXPECT_EQ(file.relationships[0].location, (SourceLocation{9, 3}));
  // The blank line and the `//` comment are skipped; extra indentation moves the column.
  EXPECT_EQ(file.relationships[1].location, (SourceLocation{12, 5}));
  EXPECT_EQ(file.relationships[1].relationship.caveat_name, "wk");
  EXPECT_EQ(file.relationships[1].relationship.caveat_context, R"({"k":1})");
  EXPECT_TRUE(file.relationships[1].relationship.expiration.has_value());
}

TEST(ValidationFileTest, AssertionsInFileOrderWithContext) {
  ValidationFile file = MustParse(kFile);
  ASSERT_EQ(file.assertions.size(), 3u);
  EXPECT_EQ(file.assertions[0].kind, AssertionKind::kTrue);
  EXPECT_EQ(file.assertions[0].location, (SourceLocation{15, 7}));
  EXPECT_EQ(file.assertions[0].resource, (ObjectText{"document", "1"}));
  EXPECT_EQ(file.assertions[0].permission, "view");
  EXPECT_EQ(file.assertions[0].subject, (SubjectText{{"user", "tom"}, ""}));
  EXPECT_EQ(file.assertions[0].context, "");
  EXPECT_EQ(file.assertions[1].context, R"({"k":2})");
  EXPECT_EQ(file.assertions[1].text, R"(document:2#view@user:ann with {"k": 2})");
  EXPECT_EQ(file.assertions[2].kind, AssertionKind::kFalse);
  EXPECT_EQ(file.assertions[2].location, (SourceLocation{18, 5}));
}

TEST(ValidationFileTest, ExpectedRelationsWithWildcardExclusionsAndCaveats) {
  ValidationFile file = MustParse(kFile);
  ASSERT_EQ(file.validation.size(), 2u);
  const ExpectedRelation& view = file.validation[0];
  EXPECT_EQ(view.text, "document:1#view");
  EXPECT_EQ(view.location, (SourceLocation{21, 3}));
  EXPECT_EQ(view.resource, (ObjectText{"document", "1"}));
  EXPECT_EQ(view.relation, "view");
  ASSERT_EQ(view.subjects.size(), 2u);
  EXPECT_EQ(view.subjects[0].location, (SourceLocation{22, 7}));
  EXPECT_EQ(view.subjects[0].subject.subject, (SubjectText{{"user", "tom"}, ""}));
  EXPECT_FALSE(view.subjects[0].subject.caveated);
  EXPECT_THAT(view.subjects[0].relationships, ::testing::ElementsAre("document:1#viewer"));
  const ExpectedSubjectLine& wildcard = view.subjects[1];
  EXPECT_EQ(wildcard.subject.subject.object.id, "*");
  ASSERT_EQ(wildcard.subject.exceptions.size(), 2u);
  EXPECT_EQ(wildcard.subject.exceptions[0].subject.object.id, "bob");
  EXPECT_FALSE(wildcard.subject.exceptions[0].caveated);
  EXPECT_TRUE(wildcard.subject.exceptions[1].caveated);
  EXPECT_THAT(wildcard.relationships,
              ::testing::ElementsAre("document:1#viewer", "document:2#viewer"));
  EXPECT_TRUE(file.validation[1].subjects.empty());
}

TEST(ValidationFileTest, CaveatedAndSubjectSetExpectedSubjects) {
  absl::StatusOr<ExpectedSubjectLine> line =
      ParseExpectedSubjectLine("[user:tom[...]] is <document:1#viewer>");
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_TRUE(line->subject.caveated);
  EXPECT_EQ(line->subject.subject, (SubjectText{{"user", "tom"}, ""}));
  line = ParseExpectedSubjectLine("[group:eng#member] is <document:1#viewer>");
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->subject.subject, (SubjectText{{"group", "eng"}, "member"}));
  line = ParseExpectedSubjectLine("is <document:1#viewer>");
  ASSERT_TRUE(line.ok());
  EXPECT_FALSE(line->has_subject);
}

TEST(ValidationFileTest, SectionsGivenAsBlockScalarsKeepFilePositions) {
  ValidationFile file = MustParse(R"(schema: "definition user {}"
assertions: |-
  assertTrue:
    - document:1#view@user:tom
validation: |-
  document:1#view:
    - "[user:tom] is <document:1#viewer>"
)");
  ASSERT_EQ(file.assertions.size(), 1u);
  EXPECT_EQ(file.assertions[0].location, (SourceLocation{4, 7}));
  ASSERT_EQ(file.validation.size(), 1u);
  EXPECT_EQ(file.validation[0].location, (SourceLocation{6, 3}));
  EXPECT_EQ(file.validation[0].subjects[0].location, (SourceLocation{7, 7}));
}

TEST(ValidationFileTest, SchemaFileIsRecorded) {
  ValidationFile file = MustParse("schemaFile: ./s.zed\nrelationships: \"\"\n");
  EXPECT_EQ(file.schema_file, "./s.zed");
  EXPECT_THAT(ErrorOf("schema: x\nschemaFile: y\n"), HasSubstr("either `schema` or `schemaFile`"));
}

TEST(ValidationFileTest, UnknownTopLevelKeysAreIgnored) {
  ValidationFile file = MustParse("schema: x\nknown_failure: true\n");
  EXPECT_EQ(file.schema, "x");
}

TEST(ValidationFileErrorTest, YamlSyntaxErrorNamesFileLineAndColumn) {
  EXPECT_THAT(ErrorOf("schema: x\nassertions:\n  assertTrue: [a,\n"), StartsWith("f.yaml:4:1: "));
  EXPECT_THAT(ErrorOf("a: b\n c: d\n"), StartsWith("f.yaml:2:"));
}

TEST(ValidationFileErrorTest, BadRelationshipPointsAtTheCharacter) {
  std::string error =
      ErrorOf("relationships: |-\n  document:1#viewer@user:tom\n  document:1#viewer@user\n");
  EXPECT_THAT(error, StartsWith("f.yaml:3:25: invalid relationship `document:1#viewer@user`"));
}

TEST(ValidationFileErrorTest, BadAssertions) {
  EXPECT_THAT(ErrorOf("assertions:\n  assertTrue:\n    - \"document:1#view\"\n"),
              StartsWith("f.yaml:3:23: invalid assertion `document:1#view`"));
  EXPECT_THAT(ErrorOf("assertions:\n  assertTrue:\n    - 'document:1#view@user:tom with [1]'\n"),
              StartsWith("f.yaml:3:"));
  EXPECT_THAT(ErrorOf("assertions:\n  assertTrue:\n    - 'document:1#view@user:tom with [1]'\n"),
              HasSubstr("want a JSON object"));
  EXPECT_THAT(ErrorOf("assertions:\n  assertMaybe: []\n"),
              StartsWith("f.yaml:2:3: unknown assertion kind `assertMaybe`"));
  // Unquoted JSON context turns the entry into a mapping: the message says to quote it.
  EXPECT_THAT(
      ErrorOf("assertions:\n  assertTrue:\n    - document:1#view@user:tom with {\"k\": 1}\n"),
      HasSubstr("f.yaml:3:"));
  EXPECT_THAT(ErrorOf("assertions:\n  assertTrue:\n    - \"document:1#view@user:tom[c]\"\n"),
              HasSubstr("cannot specify a caveat"));
}

TEST(ValidationFileErrorTest, BadValidationEntries) {
  EXPECT_THAT(ErrorOf("validation:\n  document:1:\n    - \"[user:tom] is <document:1#viewer>\"\n"),
              StartsWith("f.yaml:2:3: invalid validation key `document:1`"));
  EXPECT_THAT(ErrorOf("validation:\n  document:1#view:\n    - \"[user] is <document:1#viewer>\"\n"),
              StartsWith("f.yaml:3:7: "));
  EXPECT_THAT(ErrorOf("validation:\n  document:1#view:\n    - \"[user:tom] is <document:1>\"\n"),
              HasSubstr("want type:id#relation"));
  EXPECT_THAT(ErrorOf("validation:\n  document:1#view: 3\n"),
              StartsWith("f.yaml:2:20: `document:1#view` must be a list"));
}

TEST(ValidationFileErrorTest, EmptyOrNonMappingFile) {
  EXPECT_THAT(ErrorOf(""), StartsWith("f.yaml:1:1: the file is empty"));
  EXPECT_THAT(ErrorOf("- a\n- b\n"), StartsWith("f.yaml:1:1: want a YAML mapping"));
}

}  // namespace
}  // namespace rebac::cli
