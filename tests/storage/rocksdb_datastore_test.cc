// The RocksDB datastore against a real RocksDB in a temporary directory.
#include "storage/rocksdb/rocksdb_datastore.h"

#include <filesystem>
#include <functional>
#include <set>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/key_codec.h"
#include "storage/rocksdb/revision_comparator.h"
#include "tests/support/scratch_dir.h"

namespace rebac::storage {
namespace {

Relationship Rel(std::string rt, std::string rid, std::string rel, std::string st, std::string sid,
                 std::string srel = "") {
  return Relationship{rt, rid, rel, st, sid, srel, {}};
}

class RocksDbDatastoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto opened = OpenRocksDbDatastore({.path = dir_.string()});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
  }
  Revision Write(std::vector<RelationshipUpdate> updates) {
    auto r = store_->Write({.updates = std::move(updates)});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->revision : 0;
  }
  std::set<std::string> ReadAll(Revision at, const RelationshipFilter& filter = {}) {
    auto snap = store_->SnapshotAt(at);
    EXPECT_TRUE(snap.ok()) << snap.status();
    std::set<std::string> out;
    EXPECT_TRUE((*snap)
                    ->ForEach(filter,
                              [&](const RelationshipView& v) {
                                out.insert(ToString(v.ToRelationship()));
                                return true;
                              })
                    .ok());
    return out;
  }

  rebac::test_support::ScratchDir dir_{"rebacd-storage-test"};
  std::unique_ptr<Datastore> store_;
};

TEST_F(RocksDbDatastoreTest, NewStoreStartsAtRevisionZeroWithAnInstanceId) {
  EXPECT_EQ(store_->HeadRevision(), 0u);
  EXPECT_EQ(store_->instance_id().size(), 32u);
  std::string id = store_->instance_id();
  Reopen();
  EXPECT_EQ(store_->instance_id(), id);
}

// Sets the store's format stamp as another rebacd would have left it, through RocksDB itself,
// and returns what the stamp reads after `then` ran.
std::string WithFormatStamp(const std::string& path, const std::string& stamp,
                            const std::function<void()>& then) {
  auto open_raw = [&](std::unique_ptr<rocksdb::DB>* db,
                      std::vector<rocksdb::ColumnFamilyHandle*>* handles) {
    std::vector<std::string> names;
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names) {
      rocksdb::ColumnFamilyOptions options;
      if (name == "rel" || name == "rel_by_subj") {
        options.comparator = rocksdb_engine::RevisionComparator();
      }
      descriptors.emplace_back(name, options);
    }
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, handles, &raw);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db->reset(raw);
  };
  auto close_raw = [](std::unique_ptr<rocksdb::DB>* db,
                      std::vector<rocksdb::ColumnFamilyHandle*>* handles) {
    for (auto* h : *handles) (*db)->DestroyColumnFamilyHandle(h);
    handles->clear();
    db->reset();
  };
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  open_raw(&db, &handles);
  EXPECT_TRUE(db->Put(rocksdb::WriteOptions(), "format_version", stamp).ok());
  close_raw(&db, &handles);
  then();
  open_raw(&db, &handles);
  std::string after;
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), "format_version", &after).ok());
  close_raw(&db, &handles);
  return after;
}

// A store of the format before imports wrote their changelog in parts opens with its data and is
// stamped 2, so that an older rebacd refuses it at start; an unknown format is refused clearly.
TEST_F(RocksDbDatastoreTest, FormatOneIsReadAndStampedTwoUnknownFormatsAreRefused) {
  Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "a")}});
  store_.reset();
  const std::string path = dir_.string();
  EXPECT_EQ(WithFormatStamp(path, "1",
                            [&] {
                              Reopen();
                              EXPECT_EQ(ReadAll(1).size(), 1u);
                              store_.reset();
                            }),
            "2");
  WithFormatStamp(path, "9", [&] {
    auto opened = OpenRocksDbDatastore({.path = path});
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_NE(opened.status().message().find("has format version 9"), std::string::npos)
        << opened.status();
  });
}

TEST_F(RocksDbDatastoreTest, EachWriteGetsTheNextRevision) {
  EXPECT_EQ(Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "a")}}), 1u);
  EXPECT_EQ(Write({{UpdateOperation::kTouch, Rel("doc", "2", "viewer", "user", "a")}}), 2u);
  EXPECT_EQ(store_->HeadRevision(), 2u);
}

TEST_F(RocksDbDatastoreTest, SnapshotsSeeTheDataOfTheirRevisionEvenAfterRestart) {
  Revision r1 = Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "a")}});
  Revision r2 = Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "b")}});
  Revision r3 = Write({{UpdateOperation::kDelete, Rel("doc", "1", "viewer", "user", "a")}});
  Reopen();
  EXPECT_EQ(store_->HeadRevision(), r3);
  EXPECT_EQ(ReadAll(r1), (std::set<std::string>{"doc:1#viewer@user:a"}));
  EXPECT_EQ(ReadAll(r2), (std::set<std::string>{"doc:1#viewer@user:a", "doc:1#viewer@user:b"}));
  EXPECT_EQ(ReadAll(r3), (std::set<std::string>{"doc:1#viewer@user:b"}));
  EXPECT_TRUE(ReadAll(0).empty());
}

TEST_F(RocksDbDatastoreTest, CreateOfAnExistingRelationshipFailsAndWritesNothing) {
  Write({{UpdateOperation::kCreate, Rel("doc", "1", "viewer", "user", "a")}});
  auto r = store_->Write(
      {.updates = {{UpdateOperation::kCreate, Rel("doc", "2", "viewer", "user", "a")},
                   {UpdateOperation::kCreate, Rel("doc", "1", "viewer", "user", "a")}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(r.status().message().find("doc:1#viewer@user:a"), std::string::npos);
  EXPECT_EQ(store_->HeadRevision(), 1u);
  EXPECT_EQ(ReadAll(store_->HeadRevision()), (std::set<std::string>{"doc:1#viewer@user:a"}));
}

TEST_F(RocksDbDatastoreTest, FindDistinguishesSubjectRelationsAndKeepsValues) {
  Relationship caveated = Rel("doc", "1", "viewer", "group", "eng", "member");
  caveated.value = {"ip_allowed", "ctx-bytes", 0};
  Write({{UpdateOperation::kTouch, caveated}});
  auto snap = *store_->SnapshotAt(store_->HeadRevision());
  auto found = snap->Find("doc", "1", "viewer", "group", "eng", "member");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->caveat_name, "ip_allowed");
  EXPECT_EQ((*found)->caveat_context, "ctx-bytes");
  auto ellipsis = snap->Find("doc", "1", "viewer", "group", "eng", "");
  ASSERT_TRUE(ellipsis.ok());
  EXPECT_FALSE(ellipsis->has_value());
}

TEST_F(RocksDbDatastoreTest, ForEachSubjectSeparatesUsersetEdgesFromDirectSubjects) {
  Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "a")},
         {UpdateOperation::kTouch, Rel("doc", "1", "viewer", "group", "eng", "member")},
         {UpdateOperation::kTouch, Rel("doc", "1", "viewer", "group", "ops", "member")},
         {UpdateOperation::kTouch, Rel("doc", "1", "viewer", "group", "x")},
         {UpdateOperation::kTouch, Rel("doc", "10", "viewer", "group", "y", "member")}});
  auto snap = *store_->SnapshotAt(store_->HeadRevision());
  std::vector<std::string> ids;
  ASSERT_TRUE(snap->ForEachSubject("doc", "1", "viewer", "group", "member",
                                   [&](const RelationshipView& v) {
                                     ids.emplace_back(v.subject_id);
                                     return true;
                                   })
                  .ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"eng", "ops"}));
  ids.clear();
  ASSERT_TRUE(snap->ForEachSubject("doc", "1", "viewer", std::nullopt, std::nullopt,
                                   [&](const RelationshipView& v) {
                                     ids.emplace_back(v.subject_id);
                                     return true;
                                   })
                  .ok());
  EXPECT_EQ(ids.size(), 4u);  // doc:10 is not a doc:1 relationship
}

TEST_F(RocksDbDatastoreTest, ForEachResourceWalksTheSubjectIndex) {
  Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "a")},
         {UpdateOperation::kTouch, Rel("doc", "2", "viewer", "user", "a")},
         {UpdateOperation::kTouch, Rel("doc", "3", "editor", "user", "a")},
         {UpdateOperation::kTouch, Rel("doc", "4", "viewer", "user", "b")}});
  auto snap = *store_->SnapshotAt(store_->HeadRevision());
  std::vector<std::string> ids;
  ASSERT_TRUE(snap->ForEachResource("user", "a", "", "doc", "viewer",
                                    [&](const RelationshipView& v) {
                                      ids.emplace_back(v.resource_id);
                                      return true;
                                    })
                  .ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2"}));
}

TEST_F(RocksDbDatastoreTest, FiltersMatchEveryFieldCombination) {
  Write({{UpdateOperation::kTouch, Rel("doc", "a1", "viewer", "user", "a")},
         {UpdateOperation::kTouch, Rel("doc", "a2", "editor", "user", "a")},
         {UpdateOperation::kTouch, Rel("doc", "b1", "viewer", "user", "b")},
         {UpdateOperation::kTouch, Rel("folder", "a1", "viewer", "user", "a")}});
  Revision head = store_->HeadRevision();
  EXPECT_EQ(ReadAll(head, {.resource_type = "doc"}).size(), 3u);
  EXPECT_EQ(ReadAll(head, {.resource_type = "doc", .resource_id_prefix = "a"}).size(), 2u);
  EXPECT_EQ(ReadAll(head, {.resource_type = "doc", .relation = "viewer"}).size(), 2u);
  EXPECT_EQ(ReadAll(head, {.subject = SubjectFilter{"user", "a", std::nullopt}}).size(), 3u);
  EXPECT_EQ(ReadAll(head, {.resource_type = "doc", .subject = SubjectFilter{"user", "a", ""}}),
            (std::set<std::string>{"doc:a1#viewer@user:a", "doc:a2#editor@user:a"}));
  EXPECT_EQ(ReadAll(head, {.resource_type = "doc",
                           .resource_id = "a1",
                           .relation = "viewer",
                           .subject = SubjectFilter{"user", "a", ""}}),
            (std::set<std::string>{"doc:a1#viewer@user:a"}));
}

TEST_F(RocksDbDatastoreTest, DeleteFiltersRemoveWhatMatchesAtomically) {
  Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "a")},
         {UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "b")},
         {UpdateOperation::kTouch, Rel("doc", "2", "viewer", "user", "a")}});
  auto r = store_->Write({.delete_filters = {{.resource_type = "doc", .resource_id = "1"}}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->relationships_deleted, 2u);
  EXPECT_EQ(ReadAll(r->revision), (std::set<std::string>{"doc:2#viewer@user:a"}));
}

TEST_F(RocksDbDatastoreTest, PreconditionsAreCheckedAtCommit) {
  Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "a")}});
  auto failed = store_->Write(
      {.preconditions = {{Precondition::Kind::kMustNotMatch, {.resource_type = "doc"}}},
       .updates = {{UpdateOperation::kTouch, Rel("doc", "2", "viewer", "user", "a")}}});
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
  auto ok = store_->Write(
      {.preconditions = {{Precondition::Kind::kMustMatch, {.resource_type = "doc"}}},
       .updates = {{UpdateOperation::kTouch, Rel("doc", "2", "viewer", "user", "a")}}});
  EXPECT_TRUE(ok.ok());
}

TEST_F(RocksDbDatastoreTest, SchemaIsVersionedByRevision) {
  auto none = store_->SchemaAt(store_->HeadRevision());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto w1 = store_->Write({.schema_text = "definition user {}"});
  Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "a")}});
  auto w3 = store_->Write({.schema_text = "definition user {}\ndefinition doc {}"});
  Reopen();
  auto at2 = store_->SchemaAt(w1->revision + 1);
  ASSERT_TRUE(at2.ok() && at2->has_value());
  EXPECT_EQ((*at2)->revision, w1->revision);
  EXPECT_EQ((*at2)->text, "definition user {}");
  auto head = store_->SchemaAt(store_->HeadRevision());
  EXPECT_EQ((*head)->revision, w3->revision);
}

TEST_F(RocksDbDatastoreTest, ExpiredRelationshipsAreInvisible) {
  Relationship expired = Rel("doc", "1", "viewer", "user", "a");
  expired.value.expires_at_micros = 1;  // 1970
  Relationship live = Rel("doc", "1", "viewer", "user", "b");
  live.value.expires_at_micros = 4102444800000000;  // 2100
  Write({{UpdateOperation::kTouch, expired}, {UpdateOperation::kTouch, live}});
  EXPECT_EQ(ReadAll(store_->HeadRevision()), (std::set<std::string>{"doc:1#viewer@user:b"}));
}

TEST_F(RocksDbDatastoreTest, ASecondOpenOfTheSameDirectoryFailsClearly) {
  auto second = OpenRocksDbDatastore({.path = dir_.string()});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find(dir_.string()), std::string::npos);
}

// Memtables are flushed once writes pause (RocksDbOptions::flush_when_quiet): seeks in SST
// files are cheaper than in the skiplist, and a restart has no log to replay.
class QuietFlushTest : public ::testing::Test {
 protected:
  std::unique_ptr<Datastore> Open(absl::Duration quiet, size_t min_bytes) {
    auto opened = OpenRocksDbDatastore(
        {.path = dir_.string(), .flush_when_quiet = quiet, .flush_min_bytes = min_bytes});
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? std::move(*opened) : nullptr;
  }
  int SstFiles() const {
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.string())) {
      n += entry.path().extension() == ".sst";
    }
    return n;
  }
  // Some 2 MB across the two relationship indexes' memtables.
  static void WriteMany(Datastore& store) {
    WriteRequest request;
    for (int i = 0; i < 10000; ++i) {
      request.updates.push_back(
          {UpdateOperation::kTouch, Rel("document", "doc" + std::to_string(i), "viewer", "user",
                                        "user" + std::to_string(i % 97))});
    }
    ASSERT_TRUE(store.Write(request).ok());
  }
  static size_t Count(Datastore& store) {
    auto snap = store.SnapshotAt(store.HeadRevision());
    EXPECT_TRUE(snap.ok()) << snap.status();
    size_t n = 0;
    EXPECT_TRUE((*snap)->ForEach({}, [&](const RelationshipView&) { return ++n, true; }).ok());
    return n;
  }

  rebac::test_support::ScratchDir dir_{"rebacd-quiet-flush-test"};
};

TEST_F(QuietFlushTest, WritesArePausedThenFlushed) {
  std::unique_ptr<Datastore> store = Open(absl::Milliseconds(200), 64 << 10);
  ASSERT_NE(store, nullptr);
  const int before = SstFiles();
  WriteMany(*store);
  int after = before;
  for (int i = 0; i < 200 && after == before; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    after = SstFiles();
  }
  EXPECT_GT(after, before) << "no flush within 10 s of the last write";
  EXPECT_EQ(Count(*store), 10000u);
}

TEST_F(QuietFlushTest, ASmallMemtableStaysInMemory) {
  std::unique_ptr<Datastore> store = Open(absl::Milliseconds(100), size_t{1} << 30);
  ASSERT_NE(store, nullptr);
  const int before = SstFiles();
  WriteMany(*store);
  absl::SleepFor(absl::Seconds(1));
  EXPECT_EQ(SstFiles(), before);
}

TEST_F(QuietFlushTest, ClosingFlushesSoTheNextOpenReplaysNothing) {
  std::unique_ptr<Datastore> store = Open(absl::Hours(1), 64 << 10);
  ASSERT_NE(store, nullptr);
  const int before = SstFiles();
  WriteMany(*store);
  EXPECT_EQ(SstFiles(), before);  // not quiet for an hour yet
  store.reset();
  EXPECT_GT(SstFiles(), before);
  store = Open(absl::Hours(1), 64 << 10);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Count(*store), 10000u);
}

TEST(RelationshipValueTest, EncodingRoundTripsAndRejectsGarbage) {
  RelationshipValue v{"cav", std::string("a\0b", 3), 123456789};
  RelationshipValue out;
  ASSERT_TRUE(DecodeValue(EncodeValue(v), &out));
  EXPECT_EQ(out, v);
  EXPECT_EQ(EncodeValue(RelationshipValue()), "");
  EXPECT_FALSE(
      DecodeValue("\x01\x09"
                  "ab",
                  &out));
  EXPECT_FALSE(DecodeValue("\x80", &out));
}

TEST(KeyCodecTest, PrefixEndBoundsExactlyThePrefix) {
  using keys::PrefixEnd;
  EXPECT_EQ(PrefixEnd(std::string("ab\0", 3)), std::string("ab\x01", 3));
  EXPECT_EQ(PrefixEnd("a\xff"), "b");
  EXPECT_EQ(PrefixEnd(""), "");
}

}  // namespace
}  // namespace rebac::storage
