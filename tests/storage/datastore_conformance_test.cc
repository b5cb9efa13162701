// One behaviour suite run against every Datastore engine (RocksDB and memory): snapshots,
// writes, the change feed with transaction metadata, waiting for revisions, bulk loads.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>

#include "gtest/gtest.h"
#include "storage/memory/memory_datastore.h"
#include "storage/rocksdb/rocksdb_datastore.h"
#include "tests/support/scratch_dir.h"

namespace rebac::storage {
namespace {

Relationship Rel(std::string rt, std::string rid, std::string rel, std::string st, std::string sid,
                 std::string srel = "") {
  return Relationship{rt, rid, rel, st, sid, srel, {}};
}

struct Engine {
  std::string name;
  bool persistent;
};

class DatastoreConformanceTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    store_.reset();
    if (GetParam().name == "memory") {
      store_ = NewMemoryDatastore();
      return;
    }
    // "rocksdb_ingest": every bulk load commits by SST ingestion, however small.
    auto opened = OpenRocksDbDatastore(
        {.path = dir_.string(),
         .sync = false,
         .bulk_load_ingest_min_relationships = GetParam().name == "rocksdb_ingest" ? 0u : 10000u});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
  }
  Revision Write(std::vector<RelationshipUpdate> updates, std::string metadata = "") {
    auto r = store_->Write({.updates = std::move(updates), .transaction_metadata = metadata});
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
  std::vector<RevisionChanges> Changes(Revision after, size_t max = 1000) {
    std::vector<RevisionChanges> out;
    absl::Status s = store_->ReadChanges(after, max, [&](const RevisionChanges& c) {
      out.push_back(c);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  rebac::test_support::ScratchDir dir_{"rebacd-conformance"};
  std::unique_ptr<Datastore> store_;
};

TEST_P(DatastoreConformanceTest, SnapshotsSeeTheDataOfTheirRevision) {
  Revision r1 = Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "a")}});
  Revision r2 = Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "b")}});
  Revision r3 = Write({{UpdateOperation::kDelete, Rel("doc", "1", "viewer", "user", "a")}});
  EXPECT_EQ(ReadAll(r1), (std::set<std::string>{"doc:1#viewer@user:a"}));
  EXPECT_EQ(ReadAll(r2), (std::set<std::string>{"doc:1#viewer@user:a", "doc:1#viewer@user:b"}));
  EXPECT_EQ(ReadAll(r3), (std::set<std::string>{"doc:1#viewer@user:b"}));
  EXPECT_TRUE(ReadAll(0).empty());
  EXPECT_FALSE(store_->SnapshotAt(r3 + 1).ok());
}

TEST_P(DatastoreConformanceTest, ScansAndIndexesAgree) {
  std::vector<RelationshipUpdate> updates;
  for (int i = 0; i < 600; ++i) {  // more than one scan chunk of the memory engine
    updates.push_back({UpdateOperation::kTouch,
                       Rel("doc", std::to_string(i), "viewer", "user", i % 2 ? "a" : "b")});
  }
  updates.push_back({UpdateOperation::kTouch, Rel("doc", "1", "viewer", "group", "g", "member")});
  Revision r = Write(updates);
  EXPECT_EQ(ReadAll(r).size(), 601u);
  RelationshipFilter by_subject;
  by_subject.subject = SubjectFilter{"user", "a", std::nullopt};
  EXPECT_EQ(ReadAll(r, by_subject).size(), 300u);
  RelationshipFilter prefix;
  prefix.resource_type = "doc";
  prefix.resource_id_prefix = "59";
  EXPECT_EQ(ReadAll(r, prefix).size(), 11u);  // 59, 590..599
  auto snap = *store_->SnapshotAt(r);
  int usersets = 0;
  ASSERT_TRUE(snap->ForEachSubject("doc", "1", "viewer", "group", "member",
                                   [&](const RelationshipView&) {
                                     ++usersets;
                                     return true;
                                   })
                  .ok());
  EXPECT_EQ(usersets, 1);
  int resources = 0;
  ASSERT_TRUE(snap->ForEachResource("user", "a", "", "doc", "viewer",
                                    [&](const RelationshipView&) {
                                      ++resources;
                                      // Reading again from inside a visitor must not deadlock.
                                      EXPECT_TRUE(
                                          snap->Find("doc", "1", "viewer", "user", "a", "").ok());
                                      return true;
                                    })
                  .ok());
  EXPECT_EQ(resources, 300);
}

// ForEachResourceOf must give each target exactly what ForEachResource gives it, whether the
// next target lies a few keys on (stepped to) or many (sought), and whatever order the targets
// come in.
TEST_P(DatastoreConformanceTest, ForEachResourceOfReadsEachTargetAsForEachResource) {
  std::vector<RelationshipUpdate> updates;
  auto add = [&](std::string type, std::string relation, int count, std::string subject_id) {
    for (int i = 0; i < count; ++i) {
      updates.push_back(
          {UpdateOperation::kTouch, Rel(type, std::to_string(i), relation, "user", subject_id)});
    }
  };
  add("doc", "viewer", 3, "a");
  add("doc", "editor", 2, "a");
  add("folder", "owner", 40, "a");  // a gap far wider than a few steps
  add("folder", "viewer", 1, "a");
  add("group", "member", 4, "a");
  add("doc", "viewer", 5, "b");  // another subject: never read for `a`
  updates.push_back({UpdateOperation::kTouch, Rel("doc", "9", "viewer", "group", "a", "member")});
  const Revision r = Write(updates);
  auto snap = *store_->SnapshotAt(r);

  const std::vector<ResourceScanTarget> targets = {{"group", "member"}, {"doc", "viewer"},
                                                   {"zeta", "none"},    {"folder", "viewer"},
                                                   {"doc", "editor"},   {"folder", "nothing"}};
  std::vector<std::vector<std::string>> got(targets.size());
  ASSERT_TRUE(snap->ForEachResourceOf("user", "a", "", targets,
                                      [&](size_t target, const RelationshipView& v) {
                                        got.at(target).push_back(ToString(v.ToRelationship()));
                                        return true;
                                      })
                  .ok());
  for (size_t t = 0; t < targets.size(); ++t) {
    std::vector<std::string> want;
    ASSERT_TRUE(snap->ForEachResource("user", "a", "", targets[t].resource_type,
                                      targets[t].relation,
                                      [&](const RelationshipView& v) {
                                        want.push_back(ToString(v.ToRelationship()));
                                        return true;
                                      })
                    .ok());
    EXPECT_EQ(got[t], want) << targets[t].resource_type << "#" << targets[t].relation;
  }
  EXPECT_EQ(got[0].size(), 4u);
  EXPECT_EQ(got[1].size(), 3u);
  EXPECT_TRUE(got[2].empty());
  EXPECT_EQ(got[3].size(), 1u);
  EXPECT_EQ(got[4].size(), 2u);

  // Stopping ends the whole pass.
  int visited = 0;
  ASSERT_TRUE(
      snap->ForEachResourceOf("user", "a", "", targets,
                              [&](size_t, const RelationshipView&) { return ++visited < 4; })
          .ok());
  EXPECT_EQ(visited, 4);
}

TEST_P(DatastoreConformanceTest, CreateOfAnExistingRelationshipFailsAndWritesNothing) {
  Write({{UpdateOperation::kCreate, Rel("doc", "1", "viewer", "user", "a")}});
  auto r = store_->Write(
      {.updates = {{UpdateOperation::kCreate, Rel("doc", "2", "viewer", "user", "a")},
                   {UpdateOperation::kCreate, Rel("doc", "1", "viewer", "user", "a")}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->HeadRevision(), 1u);
  EXPECT_EQ(Changes(0).size(), 1u);
}

TEST_P(DatastoreConformanceTest, PreconditionsAndDeleteFilters) {
  Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "a")},
         {UpdateOperation::kTouch, Rel("doc", "2", "viewer", "user", "a")}});
  RelationshipFilter doc1;
  doc1.resource_type = "doc";
  doc1.resource_id = "1";
  auto failed = store_->Write(
      {.preconditions = {{Precondition::Kind::kMustNotMatch, doc1}}, .delete_filters = {doc1}});
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
  auto deleted = store_->Write(
      {.preconditions = {{Precondition::Kind::kMustMatch, doc1}}, .delete_filters = {doc1}});
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(deleted->relationships_deleted, 1u);
  EXPECT_EQ(ReadAll(deleted->revision), (std::set<std::string>{"doc:2#viewer@user:a"}));
}

TEST_P(DatastoreConformanceTest, ChangesReplayEachRevisionInOrderWithMetadata) {
  Relationship caveated = Rel("doc", "1", "viewer", "user", "c");
  caveated.value = {"ip_allowed", "ctx", 0};
  Write({{UpdateOperation::kCreate, Rel("doc", "1", "viewer", "user", "a")},
         {UpdateOperation::kTouch, caveated}},
        "meta-1");
  ASSERT_TRUE(store_->Write({.schema_text = "definition user {}"}).ok());
  Write({{UpdateOperation::kDelete, Rel("doc", "1", "viewer", "user", "a")},
         {UpdateOperation::kDelete, Rel("doc", "9", "viewer", "user", "nobody")}});
  if (GetParam().persistent) Open();  // the feed survives a restart

  std::vector<RevisionChanges> all = Changes(0);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].revision, 1u);
  EXPECT_EQ(all[0].transaction_metadata, "meta-1");
  ASSERT_EQ(all[0].updates.size(), 2u);
  EXPECT_EQ(all[0].updates[0].operation, UpdateOperation::kCreate);
  EXPECT_EQ(ToString(all[0].updates[0].relationship), "doc:1#viewer@user:a");
  EXPECT_EQ(all[0].updates[1].operation, UpdateOperation::kTouch);
  EXPECT_EQ(all[0].updates[1].relationship, caveated);
  EXPECT_FALSE(all[0].schema_text.has_value());
  EXPECT_EQ(all[1].revision, 2u);
  EXPECT_TRUE(all[1].updates.empty());
  EXPECT_EQ(all[1].schema_text, "definition user {}");
  EXPECT_EQ(all[1].transaction_metadata, "");
  // Deleting an absent relationship changes nothing, so the feed does not report it.
  ASSERT_EQ(all[2].updates.size(), 1u);
  EXPECT_EQ(all[2].updates[0].operation, UpdateOperation::kDelete);

  std::vector<RevisionChanges> tail = Changes(1, 1);
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0].revision, 2u);
  EXPECT_TRUE(Changes(3).empty());
  EXPECT_EQ(store_->ReadChanges(4, 10, [](const RevisionChanges&) { return true; }).code(),
            absl::StatusCode::kOutOfRange);
}

TEST_P(DatastoreConformanceTest, WaitForRevisionAfterWakesOnCommitAndHonoursTheDeadline) {
  absl::Time start = absl::Now();
  EXPECT_EQ(store_->WaitForRevisionAfter(0, start + absl::Milliseconds(50)), 0u);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(45));

  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(50));
    Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "a")}});
  });
  start = absl::Now();
  EXPECT_EQ(store_->WaitForRevisionAfter(0, start + absl::Seconds(30)), 1u);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  writer.join();
  // Already past: returns at once.
  EXPECT_EQ(store_->WaitForRevisionAfter(0, absl::InfinitePast()), 1u);
}

TEST_P(DatastoreConformanceTest, BulkLoadCommitsEverythingAsOneRevision) {
  Write({{UpdateOperation::kTouch, Rel("doc", "0", "viewer", "user", "a")}});
  auto load = store_->StartBulkLoad("import-meta");
  ASSERT_TRUE(load.ok()) << load.status();
  for (int batch = 0; batch < 3; ++batch) {
    std::vector<Relationship> rels;
    for (int i = 0; i < 100; ++i) {
      rels.push_back(Rel("doc", std::to_string(batch * 100 + i + 1), "viewer", "user", "b"));
    }
    ASSERT_TRUE((*load)->Add(rels).ok());
  }
  EXPECT_EQ(store_->HeadRevision(), 1u);  // nothing visible before Commit
  // A write committed meanwhile that does not conflict.
  Write({{UpdateOperation::kTouch, Rel("doc", "x", "viewer", "user", "a")}});
  auto committed = (*load)->Commit();
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ(committed->revision, 3u);
  EXPECT_EQ(ReadAll(3).size(), 302u);
  EXPECT_EQ(ReadAll(2).size(), 2u);
  std::vector<RevisionChanges> changes = Changes(2);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].updates.size(), 300u);
  EXPECT_EQ(changes[0].transaction_metadata, "import-meta");
}

TEST_P(DatastoreConformanceTest, BulkLoadRefusesExistingRelationships) {
  Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "a")}});
  auto load = *store_->StartBulkLoad("");
  absl::Status s = load->Add({Rel("doc", "1", "viewer", "user", "a")});
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);

  // Created by another writer after the load began: caught at commit, nothing applied.
  auto racing = *store_->StartBulkLoad("");
  ASSERT_TRUE(
      racing->Add({Rel("doc", "2", "viewer", "user", "a"), Rel("doc", "3", "viewer", "user", "a")})
          .ok());
  Write({{UpdateOperation::kTouch, Rel("doc", "3", "viewer", "user", "a")}});
  auto committed = racing->Commit();
  EXPECT_EQ(committed.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->HeadRevision(), 2u);
  EXPECT_EQ(ReadAll(2).size(), 2u);
}

TEST_P(DatastoreConformanceTest, ALoadIntoAnEmptyStoreRefusesWhatAWriterCreatedMeanwhile) {
  // A store that held a relationship once but holds none now counts as empty too.
  const Revision created =
      Write({{UpdateOperation::kTouch, Rel("doc", "0", "viewer", "user", "a")}});
  Write({{UpdateOperation::kDelete, Rel("doc", "0", "viewer", "user", "a")}});
  auto load = *store_->StartBulkLoad("");
  ASSERT_TRUE(
      load->Add({Rel("doc", "0", "viewer", "user", "a"), Rel("doc", "1", "viewer", "user", "a")})
          .ok());
  Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "a")}});
  auto committed = load->Commit();
  EXPECT_EQ(committed.status().code(), absl::StatusCode::kAlreadyExists) << committed.status();
  EXPECT_EQ(store_->HeadRevision(), created + 2);
  EXPECT_EQ(ReadAll(created + 2).size(), 1u);
}

TEST_P(DatastoreConformanceTest, BulkLoadRefusesARelationshipAddedTwice) {
  auto load = *store_->StartBulkLoad("");
  ASSERT_TRUE(load->Add({Rel("doc", "1", "viewer", "user", "a"),
                         Rel("doc", "2", "viewer", "group", "g", "member")})
                  .ok());
  // Again in a later piece, with another value: still the same relationship.
  Relationship again = Rel("doc", "2", "viewer", "group", "g", "member");
  again.value.caveat_name = "c";
  absl::Status s = load->Add({Rel("doc", "3", "viewer", "user", "a"), again});
  if (s.ok()) s = load->Commit().status();  // engines may find it when added or at commit
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_EQ(s.message(),
            "could not CREATE relationship `doc:2#viewer@group:g#member`, as it already existed. "
            "If this is persistent, please switch to TOUCH operations or specify a precondition");
  EXPECT_EQ(store_->HeadRevision(), 0u);
}

TEST_P(DatastoreConformanceTest, BulkLoadKeepsValuesAndTheOrderAddedInTheChangeFeed) {
  const Revision before =
      Write({{UpdateOperation::kTouch, Rel("doc", "z", "viewer", "user", "a")}});
  // An expired relationship is none: importing it again is a create.
  Relationship expired = Rel("doc", "old", "viewer", "user", "a");
  expired.value.expires_at_micros = NowMicros() - 1'000'000;
  const Revision with_expired = Write({{UpdateOperation::kTouch, expired}});
  std::vector<Relationship> added;
  for (int i = 0; i < 2000; ++i) {
    // Ids out of key order, with shared prefixes and all value kinds.
    Relationship r =
        Rel("doc", "d" + std::to_string((i * 7919) % 2000), i % 3 ? "viewer" : "editor",
            i % 5 ? "user" : "group", "s" + std::to_string(i % 17), i % 5 ? "" : "member");
    if (i % 4 == 1) {
      r.value.caveat_name = "ip";
      r.value.caveat_context = "ctx-" + std::to_string(i);
    }
    if (i % 6 == 2) r.value.expires_at_micros = NowMicros() + 3'600'000'000;
    added.push_back(r);
  }
  added.push_back(Rel("doc", "old", "viewer", "user", "a"));
  auto load = *store_->StartBulkLoad("meta");
  for (size_t i = 0; i < added.size(); i += 300) {
    std::vector<Relationship> piece(added.begin() + i,
                                    added.begin() + std::min(added.size(), i + 300));
    ASSERT_TRUE(load->Add(piece).ok());
  }
  auto committed = load->Commit();
  ASSERT_TRUE(committed.ok()) << committed.status();
  ASSERT_EQ(committed->revision, with_expired + 1);

  auto check = [&] {
    auto snap = *store_->SnapshotAt(committed->revision);
    for (const Relationship& r : added) {
      auto found = snap->Find(r.resource_type, r.resource_id, r.relation, r.subject_type,
                              r.subject_id, r.subject_relation);
      ASSERT_TRUE(found.ok() && found->has_value()) << ToString(r);
      EXPECT_EQ(**found, r.value) << ToString(r);
    }
    // Both indexes hold the import.
    RelationshipFilter groups;
    groups.subject = SubjectFilter{"group", std::nullopt, "member"};
    EXPECT_EQ(ReadAll(committed->revision, groups).size(), 400u);
    EXPECT_EQ(ReadAll(committed->revision).size(), 2002u);
    // Older revisions do not see it.
    EXPECT_EQ(ReadAll(before).size(), 1u);
    EXPECT_EQ(ReadAll(with_expired).size(), 1u);
    std::vector<RevisionChanges> changes = Changes(with_expired);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].transaction_metadata, "meta");
    ASSERT_EQ(changes[0].updates.size(), added.size());
    for (size_t i = 0; i < added.size(); ++i) {
      EXPECT_EQ(changes[0].updates[i].operation, UpdateOperation::kCreate);
      EXPECT_EQ(changes[0].updates[i].relationship, added[i]) << i;
    }
  };
  check();
  if (GetParam().persistent) {
    Open();
    EXPECT_EQ(store_->HeadRevision(), committed->revision);
    check();
  }
  // Writes go on on top of it.
  EXPECT_EQ(Write({{UpdateOperation::kDelete, added[0]}}), committed->revision + 1);
  EXPECT_EQ(ReadAll(committed->revision + 1).size(), 2001u);
}

TEST_P(DatastoreConformanceTest, ALargeImportReadsBackAsOneChangeBetweenItsNeighbours) {
  // Over 1 MiB of changelog: an ingested import stores its entry in several parts.
  const Revision first = Write({{UpdateOperation::kTouch, Rel("doc", "a", "viewer", "user", "x")}});
  std::vector<Relationship> added;
  for (int i = 0; i < 30000; ++i) {
    added.push_back(Rel("document", "a-rather-long-document-id-" + std::to_string(i), "viewer",
                        "user", "u" + std::to_string(i % 101)));
  }
  auto load = *store_->StartBulkLoad("big");
  ASSERT_TRUE(load->Add(added).ok());
  auto committed = load->Commit();
  ASSERT_TRUE(committed.ok()) << committed.status();
  const Revision last = Write({{UpdateOperation::kTouch, Rel("doc", "b", "viewer", "user", "x")}});
  auto check = [&] {
    std::vector<RevisionChanges> changes = Changes(first - 1);
    ASSERT_EQ(changes.size(), 3u);
    EXPECT_EQ(changes[0].revision, first);
    EXPECT_EQ(changes[1].revision, committed->revision);
    EXPECT_EQ(changes[1].transaction_metadata, "big");
    ASSERT_EQ(changes[1].updates.size(), added.size());
    for (size_t i = 0; i < added.size(); ++i) {
      ASSERT_EQ(changes[1].updates[i].relationship, added[i]) << i;
    }
    EXPECT_EQ(changes[2].revision, last);
    ASSERT_EQ(changes[2].updates.size(), 1u);
    // One revision at a time, and from the import on.
    EXPECT_EQ(Changes(first, 1).size(), 1u);
    EXPECT_EQ(Changes(first, 1)[0].updates.size(), added.size());
    ASSERT_EQ(Changes(committed->revision).size(), 1u);
    EXPECT_EQ(Changes(committed->revision)[0].revision, last);
  };
  check();
  if (GetParam().persistent) {
    Open();
    check();
  }
}

TEST_P(DatastoreConformanceTest, EmptyBulkLoadWritesNoRevision) {
  auto load = *store_->StartBulkLoad("");
  auto committed = load->Commit();
  ASSERT_TRUE(committed.ok());
  EXPECT_EQ(committed->revision, 0u);
  EXPECT_EQ(store_->HeadRevision(), 0u);
}

TEST_P(DatastoreConformanceTest, SchemaIsVersioned) {
  ASSERT_TRUE(store_->Write({.schema_text = "v1"}).ok());
  Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "a")}});
  ASSERT_TRUE(store_->Write({.schema_text = "v3"}).ok());
  EXPECT_FALSE(store_->SchemaAt(0)->has_value());
  EXPECT_EQ((*store_->SchemaAt(2))->text, "v1");
  EXPECT_EQ((*store_->SchemaAt(2))->revision, 1u);
  EXPECT_EQ((*store_->SchemaAt(3))->text, "v3");
}

TEST_P(DatastoreConformanceTest, FiltersMatchCaveatExpirationAndWildcardSubjects) {
  // The filters WriteSchema's safety checks use: SpiceDB asks its datastore for relationships
  // with (or without) a given caveat, with (or without) an expiration, and for `user:*`.
  Relationship caveated = Rel("doc", "1", "viewer", "user", "a");
  caveated.value.caveat_name = "ip_allowed";
  Relationship expiring = Rel("doc", "1", "viewer", "user", "b");
  expiring.value.expires_at_micros = NowMicros() + 3600LL * 1000000;
  Write({{UpdateOperation::kTouch, caveated},
         {UpdateOperation::kTouch, expiring},
         {UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "*")},
         {UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "c")}});
  const Revision head = store_->HeadRevision();
  EXPECT_EQ(ReadAll(head, {.caveat_name = "ip_allowed"}),
            std::set<std::string>{"doc:1#viewer@user:a"});
  EXPECT_EQ(
      ReadAll(head, {.caveat_name = ""}),
      (std::set<std::string>{"doc:1#viewer@user:b", "doc:1#viewer@user:*", "doc:1#viewer@user:c"}));
  EXPECT_EQ(ReadAll(head, {.has_expiration = true}), std::set<std::string>{"doc:1#viewer@user:b"});
  EXPECT_EQ(ReadAll(head, {.has_expiration = false}).size(), 3u);
  EXPECT_EQ(ReadAll(head, {.resource_type = "doc",
                           .subject = SubjectFilter{.type = "user", .id = "*", .relation = ""}}),
            std::set<std::string>{"doc:1#viewer@user:*"});
  EXPECT_EQ(ReadAll(head, {.caveat_name = "", .has_expiration = false}),
            (std::set<std::string>{"doc:1#viewer@user:*", "doc:1#viewer@user:c"}));
}

TEST_P(DatastoreConformanceTest,
       ExpiredRelationshipsAreHiddenButDeletedByFiltersAndFoundOnRequest) {
  Relationship expired = Rel("doc", "1", "viewer", "user", "old");
  expired.value.expires_at_micros = 1;  // 1970
  Write({{UpdateOperation::kTouch, expired},
         {UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "live")}});
  auto snapshot = *store_->SnapshotAt(store_->HeadRevision());
  EXPECT_FALSE(snapshot->Find("doc", "1", "viewer", "user", "old", "")->has_value());
  // SpiceDB's "skip expiration" reads ignore expiry: the checker asks for them this way.
  auto found =
      snapshot->Find("doc", "1", "viewer", "user", "old", "", ExpiredRelationships::kInclude);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->expires_at_micros, 1);
  // A delete by filter removes the expired relationship too, counting only the visible one,
  // so nothing deleted can come back through an expiry-ignoring read.
  auto deleted = store_->Write({.delete_filters = {{.resource_type = "doc"}}});
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(deleted->relationships_deleted, 1u);
  auto after = *store_->SnapshotAt(store_->HeadRevision());
  EXPECT_FALSE(after->Find("doc", "1", "viewer", "user", "old", "", ExpiredRelationships::kInclude)
                   ->has_value());
}

TEST_P(DatastoreConformanceTest, ExpectedSchemaRevisionRefusesAWriteAfterASchemaChange) {
  // No schema yet: the expectation is revision 0.
  auto first =
      store_->Write({.updates = {{UpdateOperation::kTouch, Rel("doc", "1", "v", "u", "a")}},
                     .expected_schema_revision = 0});
  ASSERT_TRUE(first.ok()) << first.status();
  const Revision schema1 = store_->Write({.schema_text = "v1"})->revision;
  auto ok = store_->Write({.updates = {{UpdateOperation::kTouch, Rel("doc", "2", "v", "u", "a")}},
                           .expected_schema_revision = schema1});
  ASSERT_TRUE(ok.ok()) << ok.status();
  const Revision schema2 = store_->Write({.schema_text = "v2"})->revision;
  const Revision head = store_->HeadRevision();
  auto stale =
      store_->Write({.updates = {{UpdateOperation::kTouch, Rel("doc", "3", "v", "u", "a")}},
                     .expected_schema_revision = schema1});
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_NE(stale.status().message().find("schema changed"), std::string::npos);
  EXPECT_EQ(store_->HeadRevision(), head) << "nothing is applied";
  EXPECT_TRUE(ReadAll(head, {.resource_id = "3"}).empty());
  auto fresh =
      store_->Write({.updates = {{UpdateOperation::kTouch, Rel("doc", "3", "v", "u", "a")}},
                     .expected_schema_revision = schema2});
  EXPECT_TRUE(fresh.ok()) << fresh.status();
}

TEST_P(DatastoreConformanceTest, CommitCheckSeesTheHeadAndItsErrorAbortsTheWrite) {
  Write({{UpdateOperation::kTouch, Rel("doc", "1", "viewer", "user", "a")}});
  Revision seen = 0;
  auto refused = store_->Write(
      {.schema_text = "definition doc {}", .commit_check = [&](const Snapshot& head) {
         seen = head.revision();
         std::string found;
         absl::Status s =
             head.ForEach({.resource_type = "doc", .relation = "viewer"}, [&](const auto& v) {
               found = ToString(v.ToRelationship());
               return false;
             });
         if (!s.ok()) return s;
         return found.empty() ? absl::OkStatus() : absl::InvalidArgumentError("in use: " + found);
       }});
  EXPECT_EQ(seen, 1u);
  EXPECT_EQ(refused.status(), absl::InvalidArgumentError("in use: doc:1#viewer@user:a"));
  EXPECT_EQ(store_->HeadRevision(), 1u);
  EXPECT_FALSE(store_->SchemaAt(1)->has_value()) << "the refused schema is not written";

  auto accepted = store_->Write(
      {.schema_text = "s", .commit_check = [](const Snapshot&) { return absl::OkStatus(); }});
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ((*store_->SchemaAt(accepted->revision))->revision, accepted->revision);
}

TEST_P(DatastoreConformanceTest, RacingWritesNeverCommitOnAStaleSchema) {
  // A relationship writer validates against the schema it read, then writes with that
  // expectation; a schema writer changes the schema concurrently. Every accepted relationship
  // write must have committed while its schema was still in force.
  ASSERT_TRUE(store_->Write({.schema_text = "s0"}).ok());
  std::vector<std::pair<Revision, Revision>> accepted;  // (written at, expected schema)
  int aborted = 0;
  std::thread relationships([&] {
    for (int i = 0; i < 200; ++i) {
      Revision expected = (*store_->SchemaAt(store_->HeadRevision()))->revision;
      auto r = store_->Write(
          {.updates = {{UpdateOperation::kTouch, Rel("doc", std::to_string(i), "v", "u", "a")}},
           .expected_schema_revision = expected});
      if (r.ok()) {
        accepted.emplace_back(r->revision, expected);
      } else {
        EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted) << r.status();
        ++aborted;
      }
    }
  });
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(store_->Write({.schema_text = "s" + std::to_string(i + 1)}).ok());
  }
  relationships.join();
  EXPECT_FALSE(accepted.empty());
  for (const auto& [written_at, expected] : accepted) {
    EXPECT_EQ((*store_->SchemaAt(written_at))->revision, expected) << "written at " << written_at;
  }
}

TEST_P(DatastoreConformanceTest, BulkLoadRefusesToCommitOnAChangedSchema) {
  const Revision schema1 = store_->Write({.schema_text = "v1"})->revision;
  auto load = *store_->StartBulkLoad("");
  load->set_expected_schema_revision(schema1);
  ASSERT_TRUE(load->Add({Rel("doc", "1", "viewer", "user", "a")}).ok());
  ASSERT_TRUE(store_->Write({.schema_text = "v2"}).ok());
  const Revision head = store_->HeadRevision();
  EXPECT_EQ(load->Commit().status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(store_->HeadRevision(), head);
  EXPECT_TRUE(ReadAll(head).empty());

  auto fresh = *store_->StartBulkLoad("");
  fresh->set_expected_schema_revision(head);
  ASSERT_TRUE(fresh->Add({Rel("doc", "1", "viewer", "user", "a")}).ok());
  EXPECT_TRUE(fresh->Commit().ok());
}

INSTANTIATE_TEST_SUITE_P(Engines, DatastoreConformanceTest,
                         ::testing::Values(Engine{"rocksdb", true}, Engine{"rocksdb_ingest", true},
                                           Engine{"memory", false}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace rebac::storage
