// The check cache shared across requests: what it serves, to whom, and what it never keeps.
#include "graph/check_cache.h"

#include "absl/strings/str_cat.h"
#include "graph/check.h"
#include "gtest/gtest.h"
#include "tests/graph/graph_test_fixture.h"

namespace rebac::graph {
namespace {

TEST(CheckCacheTest, ServesAnAnswerOnlyToWalksWithAtLeastItsDepthLeft) {
  CheckCache cache(1000);
  EXPECT_FALSE(cache.Lookup("k", 50).has_value());
  cache.Insert("k", Membership::Yes(), 10);
  ASSERT_TRUE(cache.Lookup("k", 10).has_value());
  EXPECT_TRUE(cache.Lookup("k", 40)->yes());
  // With less depth left the walk might run out where this one did not.
  EXPECT_FALSE(cache.Lookup("k", 9).has_value());
  // The answer computed with less depth serves more walks, so it replaces the other.
  cache.Insert("k", Membership::No(), 5);
  ASSERT_TRUE(cache.Lookup("k", 9).has_value());
  EXPECT_TRUE(cache.Lookup("k", 9)->no());
  EXPECT_EQ(cache.hits(), 4u);
  EXPECT_EQ(cache.misses(), 2u);
}

TEST(CheckCacheTest, StaysWithinItsBoundAndKeepsWhatIsUsed) {
  CheckCache cache(64);
  cache.Insert("kept", Membership::Yes(), 1);
  for (int i = 0; i < 1000; ++i) {
    cache.Insert(absl::StrCat("k", i), Membership::Yes(), 1);
    ASSERT_TRUE(cache.Lookup("kept", 1).has_value()) << "after " << i << " insertions";
  }
  int kept = 0;
  for (int i = 0; i < 1000; ++i) kept += cache.Lookup(absl::StrCat("k", i), 1).has_value();
  EXPECT_LE(kept, 64);
  EXPECT_GT(kept, 0);
}

TEST(CheckCacheTest, ZeroEntriesTurnsItOff) {
  CheckCache cache(0);
  cache.Insert("k", Membership::Yes(), 1);
  EXPECT_FALSE(cache.Lookup("k", 50).has_value());
}

class SharedCheckCacheTest : public testing::GraphStoreTest {
 protected:
  void SetUp() override {
    GraphStoreTest::SetUp();
    UseSchema(R"(
definition user {}
definition team {
  relation reader: team | user
  relation member: user | team#member
  permission read = reader->read + reader
  permission view = member
}
)");
  }
  absl::StatusOr<CheckResult> Check(absl::string_view resource, absl::string_view permission,
                                    absl::string_view subject, CheckCache* cache) {
    testing::ObjectText r = testing::ParseObject(resource);
    testing::ObjectText s = testing::ParseObject(subject);
    Checker checker(schema_, Head(), {.shared_cache = cache});
    return checker.Check({r.type, r.id, std::string(permission), s.type, s.id, s.relation, {}});
  }
};

TEST_F(SharedCheckCacheTest, LaterRequestsAtTheRevisionAreAnsweredFromIt) {
  Write({"team:a#member@user:u1", "team:b#member@team:a#member", "team:c#member@team:b#member"});
  CheckCache cache(1000);
  auto first = Check("team:c", "view", "user:u1", &cache);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->permissionship, Permissionship::kHasPermission);
  EXPECT_EQ(cache.hits(), 0u);
  auto second = Check("team:c", "view", "user:u1", &cache);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->permissionship, Permissionship::kHasPermission);
  EXPECT_GT(cache.hits(), 0u);
  // A new revision is a new key: the removal is seen at once.
  storage::WriteRequest remove;
  remove.updates.push_back(
      {storage::UpdateOperation::kDelete, testing::ParseRelationship("team:a#member@user:u1")});
  ASSERT_TRUE(store_->Write(remove).ok());
  auto after = Check("team:c", "view", "user:u1", &cache);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->permissionship, Permissionship::kNoPermission);
}

TEST_F(SharedCheckCacheTest, AnswersThatAbsorbedACycleAreNotShared) {
  // t1 reads itself: `reader->read` runs into the cycle, the union still finds u1 directly.
  // That answer depends on the path the walk came by, so it stays out of the shared cache.
  Write({"team:t1#reader@team:t1", "team:t1#reader@user:u1"});
  CheckCache cache(1000);
  auto uncached = Check("team:t1", "read", "user:u1", nullptr);
  auto first = Check("team:t1", "read", "user:u1", &cache);
  auto second = Check("team:t1", "read", "user:u1", &cache);
  ASSERT_EQ(uncached.ok(), first.ok());
  ASSERT_EQ(first.ok(), second.ok());
  if (uncached.ok()) {
    EXPECT_EQ(first->permissionship, uncached->permissionship);
    EXPECT_EQ(second->permissionship, uncached->permissionship);
  }
  // Only the plain `reader` relation (no cycle under it) may have been served from the cache.
  EXPECT_LE(cache.hits(), 1u);
}

}  // namespace
}  // namespace rebac::graph
