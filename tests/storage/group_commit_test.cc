// Group commit in the RocksDB engine: many concurrent writers, each write atomic, revisions
// dense and in commit order, readers only ever seeing durable revisions, and everything
// acknowledged still there after a reopen.
#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "gtest/gtest.h"
#include "storage/rocksdb/rocksdb_datastore.h"
#include "tests/support/scratch_dir.h"

namespace rebac::storage {
namespace {

class GroupCommitTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto opened = OpenRocksDbDatastore({.path = dir_.string(), .sync = GetParam()});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
  }

  rebac::test_support::ScratchDir dir_{"rebacd-group-commit-test"};
  std::unique_ptr<Datastore> store_;
};

TEST_P(GroupCommitTest, ConcurrentWritersGetDenseRevisionsAndEachWriteIsAtomic) {
  constexpr int kThreads = 16;
  constexpr int kWritesPerThread = 40;
  std::mutex mu;
  std::set<Revision> revisions;
  std::atomic<int> errors{0};
  std::atomic<bool> stop_readers{false};
  std::atomic<int> torn{0};

  // Each write puts a pair (doc:N#viewer@user:a and doc:N#editor@user:a); a reader at any
  // published revision must see both or neither.
  auto reader = [&] {
    while (!stop_readers) {
      const Revision head = store_->HeadRevision();
      auto snap = store_->SnapshotAt(head);
      if (!snap.ok()) {
        ++errors;
        continue;
      }
      size_t viewers = 0, editors = 0;
      absl::Status s = (*snap)->ForEach({}, [&](const RelationshipView& v) {
        (v.relation == "viewer" ? viewers : editors)++;
        return true;
      });
      if (!s.ok()) ++errors;
      if (viewers != editors || viewers != head) ++torn;
    }
  };
  std::thread r1(reader), r2(reader);

  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kWritesPerThread; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        auto w = store_->Write(
            {.updates = {
                 {UpdateOperation::kCreate, {"doc", id, "viewer", "user", "a", "", {}}},
                 {UpdateOperation::kCreate, {"doc", id, "editor", "user", "a", "", {}}},
             }});
        if (!w.ok()) {
          ++errors;
          continue;
        }
        // Acknowledged means readable: the head is at least this revision now.
        if (store_->HeadRevision() < w->revision) ++torn;
        std::lock_guard<std::mutex> lock(mu);
        revisions.insert(w->revision);
      }
    });
  }
  for (auto& w : writers) w.join();
  stop_readers = true;
  r1.join();
  r2.join();

  constexpr Revision kTotal = kThreads * kWritesPerThread;
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(torn, 0);
  ASSERT_EQ(revisions.size(), kTotal);
  EXPECT_EQ(*revisions.begin(), 1u);
  EXPECT_EQ(*revisions.rbegin(), kTotal);
  EXPECT_EQ(store_->HeadRevision(), kTotal);

  // The change feed replays the same revisions in order, one pair each.
  Revision expected = 1;
  ASSERT_TRUE(store_
                  ->ReadChanges(0, kTotal + 10,
                                [&](const RevisionChanges& c) {
                                  EXPECT_EQ(c.revision, expected++);
                                  EXPECT_EQ(c.updates.size(), 2u);
                                  return true;
                                })
                  .ok());
  EXPECT_EQ(expected, kTotal + 1);

  Reopen();
  EXPECT_EQ(store_->HeadRevision(), kTotal);
  auto snap = store_->SnapshotAt(kTotal);
  ASSERT_TRUE(snap.ok());
  size_t count = 0;
  ASSERT_TRUE((*snap)
                  ->ForEach({},
                            [&](const RelationshipView&) {
                              ++count;
                              return true;
                            })
                  .ok());
  EXPECT_EQ(count, 2 * kTotal);
}

TEST_P(GroupCommitTest, WritersPlanOnTopOfWritesNotYetDurable) {
  // Concurrent CREATEs of one relationship: exactly one wins, whichever order they sync in.
  constexpr int kThreads = 16;
  std::atomic<int> created{0}, exists{0}, other{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&] {
      auto w = store_->Write(
          {.updates = {{UpdateOperation::kCreate, {"doc", "1", "owner", "user", "a", "", {}}}}});
      if (w.ok()) {
        ++created;
      } else if (w.status().code() == absl::StatusCode::kAlreadyExists) {
        ++exists;
      } else {
        ++other;
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(created, 1);
  EXPECT_EQ(exists, kThreads - 1);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(store_->HeadRevision(), 1u);
}

INSTANTIATE_TEST_SUITE_P(SyncAndNoSync, GroupCommitTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Sync" : "NoSync"; });

}  // namespace
}  // namespace rebac::storage
