// The RocksDB engine's history window and garbage collection, against a real RocksDB in a
// temporary directory. Passes run with a `now` in the future instead of sleeping.
#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "gtest/gtest.h"
#include "storage/rocksdb/rocksdb_datastore.h"
#include "tests/support/scratch_dir.h"

namespace rebac::storage {
namespace {

Relationship Rel(std::string rid, std::string sid, int64_t expires_at_micros = 0) {
  Relationship r{"doc", std::move(rid), "viewer", "user", std::move(sid), "", {}};
  r.value.expires_at_micros = expires_at_micros;
  return r;
}

class HistoryGcTest : public ::testing::Test {
 protected:
  static constexpr absl::Duration kWindow = absl::Hours(1);

  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto opened = OpenRocksDbDatastore({.path = dir_.string(), .gc_window = kWindow});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
  }
  Revision Touch(Relationship r) {
    auto w = store_->Write({.updates = {{UpdateOperation::kTouch, std::move(r)}}});
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? w->revision : 0;
  }
  Revision Delete(Relationship r) {
    auto w = store_->Write({.updates = {{UpdateOperation::kDelete, std::move(r)}}});
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? w->revision : 0;
  }
  Revision WriteSchema(std::string text) {
    auto w = store_->Write({.schema_text = std::move(text)});
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? w->revision : 0;
  }
  // A pass as if the whole history so far were older than the window.
  GcResult CollectEverythingAged() {
    auto result = store_->CollectGarbage(absl::Now() + 2 * kWindow);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : GcResult{};
  }
  std::set<std::string> ReadAll(Revision at,
                                ExpiredRelationships expired = ExpiredRelationships::kHide) {
    auto snap = store_->SnapshotAt(at);
    EXPECT_TRUE(snap.ok()) << snap.status();
    std::set<std::string> out;
    if (!snap.ok()) return out;
    absl::Status s = (*snap)->ForEach(
        {},
        [&](const RelationshipView& v) {
          out.insert(ToString(v.ToRelationship()));
          return true;
        },
        expired);
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }
  std::vector<Revision> ChangedRevisions(Revision after) {
    std::vector<Revision> out;
    absl::Status s = store_->ReadChanges(after, 1000, [&](const RevisionChanges& c) {
      out.push_back(c.revision);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  rebac::test_support::ScratchDir dir_{"rebacd-gc-test"};
  std::unique_ptr<Datastore> store_;
};

TEST_F(HistoryGcTest, NothingInsideTheWindowIsCollected) {
  Touch(Rel("1", "a"));
  Touch(Rel("1", "b"));
  auto result = store_->CollectGarbage(absl::Now());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->horizon, 0u);
  EXPECT_EQ(store_->OldestRevision(), 0u);
  EXPECT_EQ(ReadAll(1), (std::set<std::string>{"doc:1#viewer@user:a"}));
  EXPECT_EQ(ChangedRevisions(0), (std::vector<Revision>{1, 2}));
}

TEST_F(HistoryGcTest, HistoryOlderThanTheWindowIsCollectedButNeverTheHead) {
  const Revision r1 = Touch(Rel("1", "a"));
  const Revision r2 = Touch(Rel("1", "b"));
  const Revision r3 = Delete(Rel("1", "a"));
  const Revision r4 = Touch(Rel("2", "c"));

  GcResult result = CollectEverythingAged();
  EXPECT_EQ(result.horizon, r3);  // the newest revision before the head
  EXPECT_EQ(result.revisions_collected, 3u);
  EXPECT_EQ(store_->OldestRevision(), r3);

  for (Revision old : {r1, r2}) {
    auto snap = store_->SnapshotAt(old);
    ASSERT_FALSE(snap.ok());
    EXPECT_TRUE(IsRevisionExpired(snap.status())) << snap.status();
    EXPECT_EQ(snap.status().code(), absl::StatusCode::kOutOfRange);
    EXPECT_NE(snap.status().message().find("has expired"), std::string::npos);
  }
  EXPECT_EQ(ReadAll(r3), (std::set<std::string>{"doc:1#viewer@user:b"}));
  EXPECT_EQ(ReadAll(r4), (std::set<std::string>{"doc:1#viewer@user:b", "doc:2#viewer@user:c"}));

  absl::Status stale = store_->ReadChanges(r1, 10, [](const RevisionChanges&) { return true; });
  EXPECT_TRUE(IsRevisionExpired(stale)) << stale;
  EXPECT_EQ(ChangedRevisions(r3), (std::vector<Revision>{r4}));

  GcStats stats = store_->gc_stats();
  EXPECT_EQ(stats.passes, 1u);
  EXPECT_EQ(stats.horizon, r3);
  EXPECT_EQ(stats.revisions_collected, 3u);

  // A second pass with nothing new to collect changes nothing.
  result = CollectEverythingAged();
  EXPECT_EQ(result.horizon, r3);
  EXPECT_EQ(result.revisions_collected, 0u);
}

TEST_F(HistoryGcTest, ReadsInsideTheWindowStayRightOnceCompactionDropsOldVersions) {
  const Revision r1 = Touch(Rel("1", "a"));
  Touch(Rel("1", "b"));
  Delete(Rel("1", "a"));
  Touch(Rel("1", "b", NowMicros() + 60'000'000));  // rewritten with an expiry, soon past
  const Revision r5 = Touch(Rel("2", "c"));
  const Revision r6 = Touch(Rel("1", "a"));  // recreated after the horizon

  GcResult result = CollectEverythingAged();
  ASSERT_EQ(result.horizon, r5);
  EXPECT_EQ(result.expired_relationships_collected, 1u);
  ASSERT_TRUE(CompactRocksDbDatastore(store_.get()).ok());
  Reopen();

  EXPECT_EQ(ReadAll(r5, ExpiredRelationships::kInclude),
            (std::set<std::string>{"doc:2#viewer@user:c"}));
  EXPECT_EQ(ReadAll(r6), (std::set<std::string>{"doc:1#viewer@user:a", "doc:2#viewer@user:c"}));
  EXPECT_TRUE(IsRevisionExpired(store_->SnapshotAt(r1).status()));
}

TEST_F(HistoryGcTest, AnIngestedImportAgesAndIsCollectedLikeAWrite) {
  const Revision r1 = Touch(Rel("0", "a"));
  const Revision before = Touch(Rel("x", "a"));
  // Committed by SST ingestion (10,000 relationships is the default threshold); a tenth expire.
  auto load = *store_->StartBulkLoad("");
  std::vector<Relationship> rels;
  for (int i = 0; i < 10000; ++i) {
    rels.push_back(Rel("i" + std::to_string(i), "u", i % 10 ? 0 : NowMicros() + 60'000'000));
  }
  ASSERT_TRUE(load->Add(rels).ok());
  auto imported = load->Commit();
  ASSERT_TRUE(imported.ok()) << imported.status();
  const Revision r4 = Delete(Rel("i1", "u"));  // a write on top of the import
  const Revision r5 = Touch(Rel("y", "a"));

  GcResult result = CollectEverythingAged();
  ASSERT_EQ(result.horizon, r4);
  EXPECT_EQ(result.revisions_collected, r4);
  EXPECT_EQ(result.expired_relationships_collected, 1000u);
  EXPECT_TRUE(IsRevisionExpired(store_->SnapshotAt(before).status()));
  EXPECT_TRUE(IsRevisionExpired(store_->SnapshotAt(imported->revision).status()));
  ASSERT_TRUE(CompactRocksDbDatastore(store_.get()).ok());
  Reopen();
  EXPECT_EQ(ReadAll(r4, ExpiredRelationships::kInclude).size(), 2u + 9000u - 1u);
  EXPECT_EQ(ReadAll(r5).size(), 3u + 9000u - 1u);
  EXPECT_EQ(ChangedRevisions(r4), (std::vector<Revision>{r5}));
  EXPECT_TRUE(IsRevisionExpired(store_->SnapshotAt(r1).status()));
}

TEST_F(HistoryGcTest, TheSchemaInForceAtTheHorizonIsKept) {
  WriteSchema("definition a {}");
  const Revision s2 = WriteSchema("definition b {}");
  Touch(Rel("1", "a"));
  const Revision r4 = Touch(Rel("1", "b"));
  const Revision head = Touch(Rel("1", "c"));

  GcResult result = CollectEverythingAged();
  EXPECT_EQ(result.horizon, r4);
  EXPECT_EQ(result.schema_versions_collected, 1u);
  for (Revision at : {r4, head}) {
    auto schema = store_->SchemaAt(at);
    ASSERT_TRUE(schema.ok()) << schema.status();
    ASSERT_TRUE(schema->has_value());
    EXPECT_EQ((*schema)->revision, s2);
    EXPECT_EQ((*schema)->text, "definition b {}");
  }
  EXPECT_TRUE(IsRevisionExpired(store_->SchemaAt(s2).status()));
}

TEST_F(HistoryGcTest, ExpiredRelationshipsArePhysicallyRemovedWithoutAChangeFeedEntry) {
  const int64_t soon = NowMicros() + 60'000'000;            // expired by the pass's cutoff
  const int64_t later = NowMicros() + 10 * 3600'000'000ll;  // still live then
  Touch(Rel("1", "expiring", soon));
  Touch(Rel("1", "lasting", later));
  const Revision r3 = Touch(Rel("1", "plain"));
  const Revision head = Touch(Rel("2", "plain"));

  GcResult result = CollectEverythingAged();
  EXPECT_EQ(result.horizon, r3);
  EXPECT_EQ(result.expired_relationships_collected, 1u);
  EXPECT_EQ(store_->gc_stats().expired_relationships_collected, 1u);

  // Gone even for reads that include expired relationships, in both indexes.
  const std::set<std::string> remaining = {"doc:1#viewer@user:lasting", "doc:1#viewer@user:plain",
                                           "doc:2#viewer@user:plain"};
  EXPECT_EQ(ReadAll(head, ExpiredRelationships::kInclude), remaining);
  auto snap = store_->SnapshotAt(head);
  ASSERT_TRUE(snap.ok());
  auto found =
      (*snap)->Find("doc", "1", "viewer", "user", "expiring", "", ExpiredRelationships::kInclude);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  size_t by_subject = 0;
  ASSERT_TRUE((*snap)
                  ->ForEachResource("user", "expiring", "", "doc", std::nullopt,
                                    [&](const RelationshipView&) {
                                      ++by_subject;
                                      return true;
                                    })
                  .ok());
  EXPECT_EQ(by_subject, 0u);

  // Watch never hears of it: the feed after the horizon holds only the head's own write.
  bool saw_delete = false;
  ASSERT_TRUE(store_
                  ->ReadChanges(r3, 100,
                                [&](const RevisionChanges& c) {
                                  for (const auto& u : c.updates) {
                                    saw_delete |= u.operation == UpdateOperation::kDelete;
                                  }
                                  return true;
                                })
                  .ok());
  EXPECT_FALSE(saw_delete);
  EXPECT_EQ(store_->HeadRevision(), head);  // no revision was spent on it
}

TEST_F(HistoryGcTest, TheHorizonSurvivesAReopenAndTheWindowStillReads) {
  const Revision r1 = Touch(Rel("1", "a"));
  const Revision r2 = Touch(Rel("1", "b"));
  const Revision r3 = Touch(Rel("1", "c"));
  CollectEverythingAged();
  ASSERT_EQ(store_->OldestRevision(), r2);
  const Revision r4 = Touch(Rel("1", "d"));

  Reopen();
  EXPECT_EQ(store_->OldestRevision(), r2);
  auto snap = store_->SnapshotAt(r1);
  EXPECT_TRUE(IsRevisionExpired(snap.status())) << snap.status();
  absl::Status stale = store_->ReadChanges(r1, 10, [](const RevisionChanges&) { return true; });
  EXPECT_TRUE(IsRevisionExpired(stale)) << stale;
  EXPECT_EQ(ReadAll(r2), (std::set<std::string>{"doc:1#viewer@user:a", "doc:1#viewer@user:b"}));
  EXPECT_EQ(ReadAll(r3).size(), 3u);
  EXPECT_EQ(ReadAll(r4).size(), 4u);
  EXPECT_EQ(ChangedRevisions(r2), (std::vector<Revision>{r3, r4}));

  // Commit times were kept too: the next pass moves on from there.
  GcResult result = CollectEverythingAged();
  EXPECT_EQ(result.horizon, r3);
}

TEST_F(HistoryGcTest, CollectionRunsAlongsideReadsAndWrites) {
  std::atomic<bool> stop{false};
  std::atomic<int> write_errors{0}, read_errors{0}, writes{0};
  std::atomic<int64_t> slowest_write_micros{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const int64_t start = NowMicros();
        auto w = store_->Write({.updates = {{UpdateOperation::kTouch,
                                             Rel(std::to_string(t) + "-" + std::to_string(i), "u",
                                                 i % 3 == 0 ? NowMicros() + 1000 : 0)}}});
        const int64_t took = NowMicros() - start;
        int64_t seen = slowest_write_micros.load();
        while (took > seen && !slowest_write_micros.compare_exchange_weak(seen, took)) {
        }
        if (w.ok()) {
          ++writes;
        } else {
          ++write_errors;
        }
      }
    });
  }
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      while (!stop) {
        auto snap = store_->SnapshotAt(store_->HeadRevision());
        absl::Status s = snap.status();
        if (snap.ok()) s = (*snap)->ForEach({}, [](const RelationshipView&) { return true; });
        // The pass below keeps everything but the head collectable, so a slow reader may lose
        // its revision: that, and only that, is an acceptable answer.
        if (!s.ok() && !IsRevisionExpired(s)) ++read_errors;
      }
    });
  }
  int passes = 0;
  const absl::Time end = absl::Now() + absl::Seconds(2);
  while (absl::Now() < end) {
    auto result = store_->CollectGarbage(absl::Now() + 2 * kWindow);
    ASSERT_TRUE(result.ok()) << result.status();
    ++passes;
    absl::SleepFor(absl::Milliseconds(50));
  }
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(write_errors, 0);
  EXPECT_EQ(read_errors, 0);
  EXPECT_GT(writes, 0);
  EXPECT_GT(passes, 1);
  EXPECT_LT(slowest_write_micros.load(), 2'000'000) << "a writer waited behind GC";
  EXPECT_EQ(store_->HeadRevision(), static_cast<Revision>(writes.load()));
  EXPECT_GT(store_->gc_stats().expired_relationships_collected, 0u);
}

}  // namespace
}  // namespace rebac::storage
