// Tests for the rebac CLI's relationship text parser and printer (tools/rebac/relationship_text.h).
#include "tools/rebac/relationship_text.h"

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rebac::cli {
namespace {

using ::testing::HasSubstr;

RelationshipText MustParse(absl::string_view text) {
  auto parsed = ParseRelationship(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << (parsed.ok() ? "" : parsed.error().ToString());
  return parsed.ok() ? parsed.value() : RelationshipText{};
}

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

TEST(ParseRelationshipTest, PlainSubject) {
  RelationshipText rel = MustParse("document:1#viewer@user:alice");
  EXPECT_EQ(rel.resource, (ObjectText{"document", "1"}));
  EXPECT_EQ(rel.relation, "viewer");
  EXPECT_EQ(rel.subject, (SubjectText{{"user", "alice"}, ""}));
  EXPECT_EQ(rel.caveat_name, "");
  EXPECT_EQ(rel.caveat_context, "");
  EXPECT_FALSE(rel.expiration.has_value());
}

TEST(ParseRelationshipTest, SubjectSet) {
  RelationshipText rel = MustParse("document:1#viewer@group:eng#member");
  EXPECT_EQ(rel.subject, (SubjectText{{"group", "eng"}, "member"}));
}

TEST(ParseRelationshipTest, EllipsisIsThePlainObject) {
  RelationshipText rel = MustParse("document:1#viewer@group:eng#...");
  EXPECT_EQ(rel.subject, (SubjectText{{"group", "eng"}, ""}));
  EXPECT_EQ(FormatRelationship(rel), "document:1#viewer@group:eng");
}

TEST(ParseRelationshipTest, Wildcard) {
  RelationshipText rel = MustParse("document:1#viewer@user:*");
  EXPECT_EQ(rel.subject.object.id, "*");
}

TEST(ParseRelationshipTest, PrefixedTypesAndUnusualIds) {
  RelationshipText rel = MustParse("org/document:a/b_c|d-e=f+g#viewer@org/user:X9");
  EXPECT_EQ(rel.resource, (ObjectText{"org/document", "a/b_c|d-e=f+g"}));
  EXPECT_EQ(rel.subject.object, (ObjectText{"org/user", "X9"}));
}

TEST(ParseRelationshipTest, CaveatWithoutContext) {
  RelationshipText rel = MustParse("document:1#viewer@user:alice[only_weekdays]");
  EXPECT_EQ(rel.caveat_name, "only_weekdays");
  EXPECT_EQ(rel.caveat_context, "");
}

TEST(ParseRelationshipTest, CaveatContextIsCanonicalJson) {
  RelationshipText rel =
      MustParse(R"(document:1#viewer@user:alice[ip_allowed:{ "z": [1, "]"], "a":{"b":true} }])");
  EXPECT_EQ(rel.caveat_name, "ip_allowed");
  EXPECT_EQ(rel.caveat_context, R"({"a":{"b":true},"z":[1,"]"]})");
}

TEST(ParseRelationshipTest, Expiration) {
  RelationshipText rel = MustParse("document:1#viewer@user:alice[expiration:2026-01-01T00:00:00Z]");
  ASSERT_TRUE(rel.expiration.has_value());
  EXPECT_EQ(*rel.expiration, Utc(2026, 1, 1, 0, 0, 0));
}

TEST(ParseRelationshipTest, ExpirationWithOffsetAndFraction) {
  RelationshipText rel =
      MustParse("document:1#viewer@user:alice[expiration:2026-01-01T02:00:00.5+02:00]");
  ASSERT_TRUE(rel.expiration.has_value());
  EXPECT_EQ(*rel.expiration, Utc(2026, 1, 1, 0, 0, 0) + absl::Milliseconds(500));
  EXPECT_EQ(FormatRelationship(rel),
            "document:1#viewer@user:alice[expiration:2026-01-01T00:00:00.5Z]");
}

TEST(ParseRelationshipTest, CaveatAndExpirationInEitherOrder) {
  RelationshipText a =
      MustParse(R"(document:1#viewer@user:alice[c:{"k":1}][expiration:2026-01-01T00:00:00Z])");
  RelationshipText b =
      MustParse(R"(document:1#viewer@user:alice[expiration:2026-01-01T00:00:00Z][c:{"k":1}])");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.caveat_name, "c");
  EXPECT_EQ(a.caveat_context, R"({"k":1})");
  EXPECT_TRUE(a.expiration.has_value());
}

class RoundTripTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTripTest, FormatOfParseIsIdentity) {
  RelationshipText rel = MustParse(GetParam());
  EXPECT_EQ(FormatRelationship(rel), GetParam());
  EXPECT_EQ(MustParse(FormatRelationship(rel)), rel);
}

INSTANTIATE_TEST_SUITE_P(
    AllForms, RoundTripTest,
    ::testing::Values(
        "document:1#viewer@user:alice", "document:1#viewer@group:eng#member",
        "document:1#viewer@user:*", "org/doc:x/y#parent@org/folder:f-1",
        "document:1#viewer@user:alice[only_weekdays]",
        R"(document:1#viewer@user:alice[caveat_name:{"k":1}])",
        R"(document:1#viewer@user:alice[c:{"a":[1,2.5,"x"],"b":null}])",
        "document:1#viewer@user:alice[expiration:2026-01-01T00:00:00Z]",
        R"(document:1#viewer@group:eng#member[c:{"k":"v"}][expiration:2030-12-31T23:59:59Z])"));

struct MalformedCase {
  std::string text;
  int character;
  std::string message_part;
};

class MalformedTest : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedTest, ReportsWhatAndWhere) {
  const MalformedCase& c = GetParam();
  auto parsed = ParseRelationship(c.text);
  ASSERT_FALSE(parsed.ok()) << c.text;
  EXPECT_EQ(parsed.error().character, c.character) << c.text << ": " << parsed.error().ToString();
  EXPECT_THAT(parsed.error().message, HasSubstr(c.message_part)) << c.text;
  EXPECT_THAT(parsed.error().ToString(), HasSubstr("at character " + std::to_string(c.character)));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, MalformedTest,
    ::testing::Values(
        MalformedCase{"", 1, "expected the resource type"},
        MalformedCase{"Document:1#viewer@user:alice", 1, "found 'D'"},
        MalformedCase{"document", 9, "expected ':' and the resource id"},
        MalformedCase{"document:#viewer@user:alice", 10, "expected the resource id"},
        MalformedCase{"document:*#viewer@user:alice", 10, "wildcard"},
        MalformedCase{"document:1", 11, "expected '#' and a relation"},
        MalformedCase{"document:1#", 12, "expected the relation"},
        MalformedCase{"document:1#Viewer@user:alice", 12, "found 'V'"},
        MalformedCase{"document:1#viewer", 18, "expected '@' and a subject"},
        MalformedCase{"document:1#viewer@", 19, "expected the subject type"},
        MalformedCase{"document:1#viewer@user", 23, "expected ':' and the subject id"},
        MalformedCase{"document:1#viewer@user:", 24, "expected the subject id"},
        MalformedCase{"document:1#viewer@user:al ice", 26, "unexpected ' '"},
        MalformedCase{"document:1#viewer@group:eng#", 29, "expected the subject relation"},
        MalformedCase{"document:1#viewer@user:*#member", 25, "wildcard subject cannot"},
        MalformedCase{"document:1#viewer@user:alice[", 30, "caveat name or `expiration`"},
        MalformedCase{"document:1#viewer@user:alice[c", 31, "expected ']'"},
        MalformedCase{"document:1#viewer@user:alice[c:", 32, "JSON object"},
        MalformedCase{"document:1#viewer@user:alice[c:42]", 32, "JSON object"},
        MalformedCase{R"(document:1#viewer@user:alice[c:{"k":1])", 32, "unterminated"},
        MalformedCase{R"(document:1#viewer@user:alice[c:{"k":}])", 37, "invalid JSON"},
        MalformedCase{R"(document:1#viewer@user:alice[c:{"k":1}x])", 39, "expected ']'"},
        MalformedCase{"document:1#viewer@user:alice[c][d]", 33, "only one caveat"},
        MalformedCase{"document:1#viewer@user:alice[expiration:tomorrow]", 41, "expiration time"},
        MalformedCase{"document:1#viewer@user:alice[expiration:2026-01-01]", 41, "RFC 3339"},
        MalformedCase{"document:1#viewer@user:alice[expiration]", 40, "':' and a time"},
        MalformedCase{"document:1#viewer@user:alice[expiration:2026-01-01T00:00:00Z]"
                      "[expiration:2027-01-01T00:00:00Z]",
                      63, "given twice"},
        MalformedCase{"document:1#viewer@user:alice x", 29, "unexpected ' '"}));

TEST(ParseObjectTest, Valid) {
  auto parsed = ParseObject("document:1");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value(), (ObjectText{"document", "1"}));
  EXPECT_EQ(FormatObject(parsed.value()), "document:1");
}

TEST(ParseObjectTest, RefusesWildcardAndTrailingText) {
  EXPECT_FALSE(ParseObject("document:*").ok());
  auto parsed = ParseObject("document:1#viewer");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().character, 11);
}

TEST(ParseSubjectTest, Forms) {
  auto plain = ParseSubject("user:alice");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.value(), (SubjectText{{"user", "alice"}, ""}));
  auto set = ParseSubject("group:eng#member");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set.value(), (SubjectText{{"group", "eng"}, "member"}));
  EXPECT_EQ(FormatSubject(set.value()), "group:eng#member");
  auto bad = ParseSubject("group:eng@");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().character, 10);
}

TEST(ParseResourceFilterTest, TypeAloneOrWithId) {
  auto type_only = ParseResourceFilter("document");
  ASSERT_TRUE(type_only.ok());
  EXPECT_EQ(type_only.value(), (ResourceFilterText{"document", ""}));
  auto with_id = ParseResourceFilter("document:1");
  ASSERT_TRUE(with_id.ok());
  EXPECT_EQ(with_id.value(), (ResourceFilterText{"document", "1"}));
  auto empty_id = ParseResourceFilter("document:");
  ASSERT_FALSE(empty_id.ok());
  EXPECT_EQ(empty_id.error().character, 10);
}

TEST(ParseSubjectFilterTest, Forms) {
  auto type_only = ParseSubjectFilter("user");
  ASSERT_TRUE(type_only.ok());
  EXPECT_EQ(type_only.value(), (SubjectFilterText{"user", "", "", false}));
  auto with_id = ParseSubjectFilter("user:alice");
  ASSERT_TRUE(with_id.ok());
  EXPECT_EQ(with_id.value(), (SubjectFilterText{"user", "alice", "", false}));
  auto with_rel = ParseSubjectFilter("group#member");
  ASSERT_TRUE(with_rel.ok());
  EXPECT_EQ(with_rel.value(), (SubjectFilterText{"group", "", "member", true}));
  auto ellipsis = ParseSubjectFilter("group:eng#...");
  ASSERT_TRUE(ellipsis.ok());
  EXPECT_EQ(ellipsis.value(), (SubjectFilterText{"group", "eng", "", true}));
  auto bad = ParseSubjectFilter("group:eng#");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().character, 11);
}

}  // namespace
}  // namespace rebac::cli
