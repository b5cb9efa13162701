// CheckPermission semantics on a real RocksDB store, with schemas compiled from text.
// Expected answers follow SpiceDB's semantics; each case says which rule it pins down.
#include "graph/check.h"

#include <google/protobuf/struct.pb.h>

#include <filesystem>
#include <functional>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "graph/error_reason.h"
#include "gtest/gtest.h"
#include "schema/compiler.h"
#include "storage/rocksdb/rocksdb_datastore.h"
#include "tests/support/scratch_dir.h"

namespace rebac::graph {
namespace {

constexpr char kDocsSchema[] = R"(
definition user {}

definition group {
  relation member: user | group#member
}

definition folder {
  relation parent: folder
  relation viewer: user | group#member
  permission view = viewer + parent->view
}

definition document {
  relation parent: folder
  relation owner: user
  relation editor: user | group#member
  relation viewer: user | user:* | group#member
  relation banned: user
  permission edit = owner + editor
  permission view = viewer + edit + parent->view
  permission view_not_banned = view - banned
  permission edit_and_view = edit & viewer
  permission nothing = nil
}
)";

// "type:id#rel@stype:sid[#srel]"
storage::Relationship Parse(absl::string_view text) {
  std::vector<std::string> at = absl::StrSplit(text, '@');
  std::vector<std::string> res = absl::StrSplit(at[0], absl::ByAnyChar(":#"));
  std::vector<std::string> sub = absl::StrSplit(at[1], absl::ByAnyChar(":#"));
  return {res[0], res[1], res[2], sub[0], sub[1], sub.size() > 2 ? sub[2] : "", {}};
}

class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = storage::OpenRocksDbDatastore({.path = dir_.string(), .sync = false});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    UseSchema(kDocsSchema);
  }
  void UseSchema(absl::string_view text) {
    schema::CompileResult compiled = schema::Compile(std::string_view(text.data(), text.size()));
    ASSERT_TRUE(compiled.ok()) << compiled.error().ToString();
    schema_ = compiled.schema();
  }
  void Write(std::initializer_list<absl::string_view> relationships) {
    storage::WriteRequest request;
    for (auto r : relationships)
      request.updates.push_back({storage::UpdateOperation::kTouch, Parse(r)});
    ASSERT_TRUE(store_->Write(request).ok());
  }
  absl::StatusOr<bool> Check(absl::string_view resource, absl::string_view permission,
                             absl::string_view subject, CheckOptions options = {}) {
    std::vector<std::string> res = absl::StrSplit(resource, ':');
    std::vector<std::string> sub = absl::StrSplit(subject, absl::ByAnyChar(":#"));
    Checker checker(schema_, *store_->SnapshotAt(store_->HeadRevision()), options);
    auto result = checker.Check(
        {res[0], res[1], std::string(permission), sub[0], sub[1], sub.size() > 2 ? sub[2] : ""});
    if (!result.ok()) return result.status();
    return result->permissionship == Permissionship::kHasPermission;
  }
  bool Allowed(absl::string_view resource, absl::string_view permission,
               absl::string_view subject) {
    auto r = Check(resource, permission, subject);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && *r;
  }

  rebac::test_support::ScratchDir dir_{"rebacd-check-test"};
  std::unique_ptr<storage::Datastore> store_;
  std::shared_ptr<const schema::CompiledSchema> schema_;
};

TEST_F(CheckTest, DirectRelationshipGrantsTheRelationAndPermissionsBuiltOnIt) {
  Write({"document:1#viewer@user:alice"});
  EXPECT_TRUE(Allowed("document:1", "viewer", "user:alice"));
  EXPECT_TRUE(Allowed("document:1", "view", "user:alice"));
  EXPECT_FALSE(Allowed("document:1", "edit", "user:alice"));
  EXPECT_FALSE(Allowed("document:1", "view", "user:bob"));
  EXPECT_FALSE(Allowed("document:2", "view", "user:alice"));
}

TEST_F(CheckTest, UsersetsAreFollowedThroughNestedGroups) {
  Write({"document:1#editor@group:eng#member", "group:eng#member@group:backend#member",
         "group:backend#member@user:carol"});
  EXPECT_TRUE(Allowed("document:1", "edit", "user:carol"));
  EXPECT_TRUE(Allowed("document:1", "view", "user:carol"));
  EXPECT_FALSE(Allowed("document:1", "edit", "user:dave"));
}

TEST_F(CheckTest, AUsersetSubjectIsAMemberOfWhatItWasGranted) {
  // SpiceDB: checking with subject group:eng#member matches the userset edge directly.
  Write({"document:1#viewer@group:eng#member"});
  EXPECT_TRUE(Allowed("document:1", "view", "group:eng#member"));
  EXPECT_FALSE(Allowed("document:1", "view", "group:ops#member"));
}

TEST_F(CheckTest, WildcardGrantsEverySubjectOfItsType) {
  Write({"document:1#viewer@user:*"});
  EXPECT_TRUE(Allowed("document:1", "view", "user:anyone"));
  EXPECT_FALSE(Allowed("document:1", "edit", "user:anyone"));
}

TEST_F(CheckTest, CheckingAWildcardSubjectIsRefused) {
  auto r = Check("document:1", "view", "user:*");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(CheckTest, ArrowsWalkToTheParentAndRecurse) {
  Write({"document:1#parent@folder:a", "folder:a#parent@folder:root",
         "folder:root#viewer@user:erin"});
  EXPECT_TRUE(Allowed("document:1", "view", "user:erin"));
  EXPECT_FALSE(Allowed("document:1", "edit", "user:erin"));
}

TEST_F(CheckTest, ExclusionRemovesBannedSubjects) {
  Write({"document:1#viewer@user:*", "document:1#banned@user:mallory"});
  EXPECT_TRUE(Allowed("document:1", "view_not_banned", "user:alice"));
  EXPECT_FALSE(Allowed("document:1", "view_not_banned", "user:mallory"));
  EXPECT_TRUE(Allowed("document:1", "view", "user:mallory"));
}

TEST_F(CheckTest, IntersectionNeedsEveryBranch) {
  Write(
      {"document:1#owner@user:alice", "document:1#viewer@user:alice", "document:1#owner@user:bob"});
  EXPECT_TRUE(Allowed("document:1", "edit_and_view", "user:alice"));
  EXPECT_FALSE(Allowed("document:1", "edit_and_view", "user:bob"));
}

TEST_F(CheckTest, NilGrantsNothing) {
  Write({"document:1#owner@user:alice"});
  EXPECT_FALSE(Allowed("document:1", "nothing", "user:alice"));
}

TEST_F(CheckTest, UnknownDefinitionAndRelationAreFailedPreconditionWithReasons) {
  auto unknown_type = Check("nosuch:1", "view", "user:alice");
  EXPECT_EQ(unknown_type.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReasonOf(unknown_type.status()), "ERROR_REASON_UNKNOWN_DEFINITION");
  auto unknown_relation = Check("document:1", "nosuch", "user:alice");
  EXPECT_EQ(unknown_relation.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReasonOf(unknown_relation.status()),
            "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION");
}

TEST_F(CheckTest, DeepChainsWithinTheDepthLimitAnswer) {
  for (int i = 0; i < 10; ++i) {
    std::string edge =
        "group:g" + std::to_string(i) + "#member@group:g" + std::to_string(i + 1) + "#member";
    Write({edge});
  }
  Write({"group:g10#member@user:zed"});
  EXPECT_TRUE(Allowed("group:g0", "member", "user:zed"));
}

TEST_F(CheckTest, ChainsPastTheDepthLimitFailWithMaximumDepthExceeded) {
  // SpiceDB's default depth is 50: each hop to another relation costs one.
  for (int i = 0; i < 60; ++i) {
    Write({"group:g" + std::to_string(i) + "#member@group:g" + std::to_string(i + 1) + "#member"});
  }
  Write({"group:g60#member@user:zed"});
  auto r = Check("group:g0", "member", "user:zed");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReasonOf(r.status()), "ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED");
  // A larger limit reaches the end.
  auto deeper = Check("group:g0", "member", "user:zed", {.max_depth = 100});
  ASSERT_TRUE(deeper.ok()) << deeper.status();
  EXPECT_TRUE(*deeper);
}

TEST_F(CheckTest, DataCyclesEndInMaximumDepthExceededLikeSpiceDB) {
  Write({"group:a#member@group:b#member", "group:b#member@group:a#member"});
  auto r = Check("group:a", "member", "user:nobody");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorReasonOf(r.status()), "ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED");
}

TEST_F(CheckTest, AWalkPastItsDeadlineStopsWithDeadlineExceeded) {
  for (int i = 0; i < 200; ++i) {
    Write({"group:g" + std::to_string(i) + "#member@group:g" + std::to_string(i + 1) + "#member"});
  }
  auto late = Check("group:g0", "member", "user:nobody",
                    {.max_depth = 500, .deadline = absl::Now() - absl::Seconds(1)});
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded);
  auto cancelled = Check("group:g0", "member", "user:nobody",
                         {.max_depth = 500, .cancelled = [] { return true; }});
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled);
  auto in_time = Check("group:g0", "member", "user:nobody", {.max_depth = 500});
  ASSERT_TRUE(in_time.ok()) << in_time.status();
  EXPECT_FALSE(*in_time);
}

// Differential fixture cycle_intersection_no_beats_max_depth: SpiceDB answers NO because the
// plain `reader` branch is decisively empty, whatever the cyclic arrow branch says.
TEST_F(CheckTest, ADefiniteNoInAnIntersectionWinsOverACycleInTheOtherBranch) {
  UseSchema(R"(
definition user {}
definition team {
  relation reader: team | user
  permission read = reader->read & reader
}
)");
  Write({"team:t1#reader@team:t1"});
  auto r = Check("team:t1", "read", "user:u1");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(*r);
}

// Differential fixture cycle_nested_groups_exponential: branching cycles answer max depth at
// once (SpiceDB detects revisits on the walk's path), not after 2^50 steps.
TEST_F(CheckTest, BranchingCyclesAnswerMaxDepthImmediately) {
  Write({"group:g3#member@group:g2#member", "group:g3#member@group:g3#member",
         "group:g2#member@group:g3#member"});
  // An exponential walk would end in DEADLINE_EXCEEDED instead.
  auto r = Check("group:g2", "member", "user:u1", {.deadline = absl::Now() + absl::Seconds(60)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorReasonOf(r.status()), "ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED");
}

TEST_F(CheckTest, AMemberReachableAroundACycleIsStillFound) {
  Write(
      {"group:a#member@group:b#member", "group:b#member@group:a#member", "group:a#member@user:x"});
  EXPECT_TRUE(Allowed("group:b", "member", "user:x"));
  EXPECT_TRUE(Allowed("group:a", "member", "user:x"));
}

TEST_F(CheckTest, ArrowAllNeedsEverySubject) {
  UseSchema(R"(
definition user {}
definition team {
  relation member: user
}
definition doc {
  relation team: team
  permission all_teams = team.all(member)
  permission any_team = team.any(member)
}
)");
  Write({"doc:1#team@team:a", "doc:1#team@team:b", "team:a#member@user:u", "team:b#member@user:u",
         "team:a#member@user:v"});
  EXPECT_TRUE(Allowed("doc:1", "all_teams", "user:u"));
  EXPECT_FALSE(Allowed("doc:1", "all_teams", "user:v"));
  EXPECT_TRUE(Allowed("doc:1", "any_team", "user:v"));
  EXPECT_FALSE(Allowed("doc:2", "all_teams", "user:u"));  // no subjects: not all of nothing
}

TEST_F(CheckTest, SnapshotsAnswerAsOfTheirRevision) {
  Write({"document:1#viewer@user:alice"});
  storage::Revision before = store_->HeadRevision();
  storage::WriteRequest remove;
  remove.updates.push_back(
      {storage::UpdateOperation::kDelete, Parse("document:1#viewer@user:alice")});
  ASSERT_TRUE(store_->Write(remove).ok());
  Checker old_checker(schema_, *store_->SnapshotAt(before));
  auto old_answer = old_checker.Check({"document", "1", "view", "user", "alice", ""});
  ASSERT_TRUE(old_answer.ok());
  EXPECT_EQ(old_answer->permissionship, Permissionship::kHasPermission);
  EXPECT_FALSE(Allowed("document:1", "view", "user:alice"));
}

TEST_F(CheckTest, TraceRecordsTheWalkWithResultsAndCachedSubProblems) {
  Write({"document:1#parent@folder:f", "folder:f#viewer@group:g#member",
         "group:g#member@user:alice"});
  CheckOptions options;
  options.trace = true;
  Checker checker(schema_, *store_->SnapshotAt(store_->HeadRevision()), options);
  auto result = checker.Check({"document", "1", "view", "user", "alice", ""});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_NE(result->trace, nullptr);
  const CheckTrace& root = *result->trace;
  EXPECT_EQ(root.resource_type, "document");
  EXPECT_EQ(root.relation, "view");
  EXPECT_TRUE(root.is_permission);
  EXPECT_EQ(root.result, Permissionship::kHasPermission);
  // view = viewer + edit + parent->view: the arrow's sub-problem folder:f#view is in the tree
  // and found alice through group:g#member.
  std::function<const CheckTrace*(const CheckTrace&)> find_folder =
      [&](const CheckTrace& node) -> const CheckTrace* {
    if (node.resource_type == "folder" && node.relation == "view") return &node;
    for (const CheckTrace& child : node.sub_problems) {
      if (const CheckTrace* found = find_folder(child)) return found;
    }
    return nullptr;
  };
  const CheckTrace* folder = find_folder(root);
  ASSERT_NE(folder, nullptr);
  EXPECT_EQ(folder->result, Permissionship::kHasPermission);
  EXPECT_FALSE(folder->sub_problems.empty());

  // Without the option no trace is made.
  Checker plain(schema_, *store_->SnapshotAt(store_->HeadRevision()));
  auto untraced = plain.Check({"document", "1", "view", "user", "alice", ""});
  ASSERT_TRUE(untraced.ok());
  EXPECT_EQ(untraced->trace, nullptr);
}

TEST_F(CheckTest, CaveatedRelationshipsMakeTheAnswerConditionalUntilTheContextDecides) {
  UseSchema(R"(
caveat max_amount(amount int, limit int) {
  amount <= limit
}
definition user {}
definition document {
  relation viewer: user | user with max_amount
  relation banned: user with max_amount
  permission view = viewer
  permission view_not_banned = viewer - banned
}
)");
  storage::WriteRequest request;
  storage::Relationship caveated = Parse("document:1#viewer@user:alice");
  caveated.value.caveat_name = "max_amount";
  google::protobuf::Struct stored;
  (*stored.mutable_fields())["limit"].set_number_value(100);
  caveated.value.caveat_context = stored.SerializeAsString();
  request.updates.push_back({storage::UpdateOperation::kTouch, caveated});
  request.updates.push_back(
      {storage::UpdateOperation::kTouch, Parse("document:2#viewer@user:bob")});
  storage::Relationship banned = Parse("document:2#banned@user:bob");
  banned.value.caveat_name = "max_amount";
  request.updates.push_back({storage::UpdateOperation::kTouch, banned});
  ASSERT_TRUE(store_->Write(request).ok());

  auto check = [&](absl::string_view resource, absl::string_view permission,
                   absl::string_view subject, schema::caveats::ValueMap context) {
    std::vector<std::string> res = absl::StrSplit(resource, ':');
    std::vector<std::string> sub = absl::StrSplit(subject, ':');
    Checker checker(schema_, *store_->SnapshotAt(store_->HeadRevision()));
    auto result = checker.Check(
        {res[0], res[1], std::string(permission), sub[0], sub[1], "", std::move(context)});
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : CheckResult{};
  };
  using schema::caveats::Value;
  CheckResult open = check("document:1", "view", "user:alice", {});
  EXPECT_EQ(open.permissionship, Permissionship::kConditional);
  EXPECT_THAT(open.missing_context, ::testing::ElementsAre("amount"));
  EXPECT_EQ(
      check("document:1", "view", "user:alice", {{"amount", Value::Double(50)}}).permissionship,
      Permissionship::kHasPermission);
  EXPECT_EQ(
      check("document:1", "view", "user:alice", {{"amount", Value::Double(500)}}).permissionship,
      Permissionship::kNoPermission);
  // The stored limit wins over the request's.
  EXPECT_EQ(check("document:1", "view", "user:alice",
                  {{"amount", Value::Double(50)}, {"limit", Value::Double(1)}})
                .permissionship,
            Permissionship::kHasPermission);
  // A caveated exclusion: bob views unless the ban's caveat holds; it needs both values.
  CheckResult excluded = check("document:2", "view_not_banned", "user:bob", {});
  EXPECT_EQ(excluded.permissionship, Permissionship::kConditional);
  EXPECT_THAT(excluded.missing_context, ::testing::ElementsAre("amount"));
  EXPECT_EQ(check("document:2", "view_not_banned", "user:bob",
                  {{"amount", Value::Double(5)}, {"limit", Value::Double(10)}})
                .permissionship,
            Permissionship::kNoPermission);
  EXPECT_EQ(check("document:2", "view_not_banned", "user:bob",
                  {{"amount", Value::Double(50)}, {"limit", Value::Double(10)}})
                .permissionship,
            Permissionship::kHasPermission);
}

}  // namespace
}  // namespace rebac::graph
