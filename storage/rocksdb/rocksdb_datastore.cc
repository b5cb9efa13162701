#include "storage/rocksdb/rocksdb_datastore.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/sst_file_writer.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "storage/key_codec.h"
#include "storage/revision_notifier.h"
#include "storage/rocksdb/changelog_codec.h"
#include "storage/rocksdb/import_entries.h"
#include "storage/rocksdb/revision_comparator.h"
#include "storage/write_plan.h"

namespace rebac::storage {
namespace {

using keys::AppendName;
using keys::DecodeResourceKey;
using keys::DecodeSubjectKey;
using keys::EncodePrefix;
using keys::ResourceKey;
using keys::RevisionKey;
using keys::SubjectKey;
using rocksdb_engine::ChangelogEntryBuilder;
using rocksdb_engine::EncodeRevisionTimestamp;
using rocksdb_engine::ImportEntries;

// 2: an import's changelog entry may be stored in parts (ChangelogPartKey), which a version-1
// reader would report as damage when Watch reached it. A version-1 store is read as it is and
// stamped 2 when opened, since this binary may add such parts to it; a version-1 binary then
// refuses the store at start with a clear message instead.
constexpr char kFormatVersion[] = "2";
constexpr char kFormatVersionWithoutParts[] = "1";
constexpr char kMetaFormat[] = "format_version";
constexpr char kMetaInstance[] = "instance_id";
constexpr char kMetaHead[] = "head_revision";
constexpr char kMetaHorizon[] = "gc_horizon";

// Garbage collection writes its deletes in batches of this many keys, so a writer never waits
// long behind one.
constexpr size_t kGcBatch = 1000;

// An import's changelog entry is written in parts of about this many bytes.
constexpr size_t kImportChangelogPartBytes = 1 << 20;

enum ColumnFamily {
  kMeta = 0,
  kRel,
  kRelBySubject,
  kChangelog,
  kSchema,
  kCommitTime,
  kNumColumnFamilies
};
const char* const kColumnFamilyNames[kNumColumnFamilies] = {
    rocksdb::kDefaultColumnFamilyName.c_str(),
    "rel",
    "rel_by_subj",
    "changelog",
    "schema",
    "commit_time"};

absl::Status ToStatus(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsIOError() || s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

class RocksDbDatastore;

// Adds an import's i-th relationship (in the order added) to `changelog` as a kCreate.
absl::Status AddImportUpdate(const ImportEntries& entries, size_t i,
                             ChangelogEntryBuilder* changelog) {
  const ImportEntries::Entry e = entries.added(ImportEntries::kByResource, i);
  if (!changelog->AddCreateOfResourceKey(e.key, e.value)) {
    return absl::InternalError("undecodable key in an import");
  }
  return absl::OkStatus();
}

absl::Status SyncFailedError(const rocksdb::Status& s) {
  return absl::DataLossError(absl::StrCat(
      "syncing the write-ahead log failed (", s.ToString(),
      "); this write and every later one may be lost, and the datastore refuses writes until "
      "rebacd restarts"));
}

class RocksDbSnapshot final : public Snapshot {
 public:
  // `horizon` is the store's GC horizon, read to tell a read of collected history from damage.
  RocksDbSnapshot(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* rel,
                  rocksdb::ColumnFamilyHandle* rel_by_subject, Revision revision,
                  const std::atomic<Revision>* horizon)
      : db_(db),
        rel_(rel),
        rel_by_subject_(rel_by_subject),
        revision_(revision),
        horizon_(horizon),
        timestamp_(EncodeRevisionTimestamp(revision)),
        timestamp_slice_(timestamp_),
        now_micros_(NowMicros()) {}

  Revision revision() const override { return revision_; }

  absl::StatusOr<std::optional<RelationshipValue>> Find(
      absl::string_view resource_type, absl::string_view resource_id, absl::string_view relation,
      absl::string_view subject_type, absl::string_view subject_id,
      absl::string_view subject_relation,
      ExpiredRelationships expired = ExpiredRelationships::kHide) const override {
    std::string key = EncodePrefix(
        {resource_type, resource_id, relation, subject_type, subject_relation, subject_id});
    rocksdb::ReadOptions ro = ReadOptionsAt();
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(ro, rel_, key, &value);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) return ReadError(s, "reading relationship");
    absl::string_view bytes(value.data(), value.size());
    if (expired == ExpiredRelationships::kHide && IsExpiredValue(bytes, now_micros_)) {
      return std::nullopt;
    }
    RelationshipValue decoded;
    if (!DecodeValue(bytes, &decoded)) return absl::DataLossError("undecodable relationship value");
    return decoded;
  }

  absl::Status ForEachSubject(absl::string_view resource_type, absl::string_view resource_id,
                              absl::string_view relation,
                              std::optional<absl::string_view> subject_type,
                              std::optional<absl::string_view> subject_relation,
                              RelationshipVisitor visit) const override {
    std::string prefix = EncodePrefix({resource_type, resource_id, relation});
    if (subject_type) {
      AppendName(&prefix, *subject_type);
      if (subject_relation) AppendName(&prefix, *subject_relation);
    }
    return Scan(rel_, prefix, /*by_subject=*/false, nullptr, visit);
  }

  absl::Status ForEachResource(absl::string_view subject_type, absl::string_view subject_id,
                               absl::string_view subject_relation, absl::string_view resource_type,
                               std::optional<absl::string_view> relation,
                               RelationshipVisitor visit) const override {
    std::string prefix = EncodePrefix({subject_type, subject_id, subject_relation, resource_type});
    if (relation) AppendName(&prefix, *relation);
    return Scan(rel_by_subject_, prefix, /*by_subject=*/true, nullptr, visit);
  }

  absl::Status ForEachResourceOf(absl::string_view subject_type, absl::string_view subject_id,
                                 absl::string_view subject_relation,
                                 absl::Span<const ResourceScanTarget> targets,
                                 TargetedRelationshipVisitor visit) const override {
    const std::string subject = EncodePrefix({subject_type, subject_id, subject_relation});
    std::vector<std::pair<std::string, size_t>> prefixes;
    prefixes.reserve(targets.size());
    for (size_t i = 0; i < targets.size(); ++i) {
      std::string prefix = subject;
      AppendName(&prefix, targets[i].resource_type);
      AppendName(&prefix, targets[i].relation);
      prefixes.emplace_back(std::move(prefix), i);
    }
    std::sort(prefixes.begin(), prefixes.end());
    std::unique_ptr<rocksdb::Iterator> it = TakeIterator(rel_by_subject_);
    absl::Status status;
    bool positioned = false;
    for (const auto& [prefix, target] : prefixes) {
      // The next target usually starts a few keys on (the subject's relationships of other
      // types and relations lie between): Next is several times cheaper than a seek.
      const rocksdb::Slice wanted(prefix);
      for (int step = 0; positioned && it->Valid() && step < kMaxStepsBetweenTargets &&
                         it->key().compare(wanted) < 0;
           ++step) {
        it->Next();
      }
      if (!positioned || (it->Valid() && it->key().compare(wanted) < 0)) it->Seek(wanted);
      positioned = true;
      if (!it->Valid()) break;  // nothing at or after this target: nothing for the rest either
      const size_t index = target;
      absl::StatusOr<bool> more =
          VisitPrefix(it.get(), prefix, /*by_subject=*/true, nullptr, ExpiredRelationships::kHide,
                      [&](const RelationshipView& view) { return visit(index, view); });
      if (!more.ok()) {
        status = more.status();
        break;
      }
      if (!*more) break;
    }
    if (status.ok()) status = ReadError(it->status(), "scanning relationships");
    ReturnIterator(rel_by_subject_, std::move(it));
    return status;
  }

  absl::Status ForEach(const RelationshipFilter& f, RelationshipVisitor visit,
                       ExpiredRelationships expired = ExpiredRelationships::kHide) const override {
    keys::ScanRange range = keys::PlanScan(f);
    return Scan(range.by_subject ? rel_by_subject_ : rel_, range.prefix, range.by_subject, &f,
                visit, expired);
  }

 private:
  rocksdb::ReadOptions ReadOptionsAt() const {
    rocksdb::ReadOptions ro;
    ro.timestamp = &timestamp_slice_;
    return ro;
  }

  // Scans reuse iterators: making one (a superversion reference, a child iterator per memtable
  // and level) was ~10% of a lookup's CPU, and a request scans many times at one revision. The
  // iterators of finished scans wait in a small per-column-family pool. They have no upper
  // bound, because RocksDB caches bound checks per data block and a bound cannot change between
  // seeks; Scan stops at the end of its prefix itself.
  std::unique_ptr<rocksdb::Iterator> TakeIterator(rocksdb::ColumnFamilyHandle* cf) const {
    const int which = cf == rel_ ? 0 : 1;
    {
      absl::MutexLock lock(&pool_mu_);
      if (!pool_[which].empty()) {
        std::unique_ptr<rocksdb::Iterator> it = std::move(pool_[which].back());
        pool_[which].pop_back();
        return it;
      }
    }
    return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(ReadOptionsAt(), cf));
  }

  void ReturnIterator(rocksdb::ColumnFamilyHandle* cf,
                      std::unique_ptr<rocksdb::Iterator> it) const {
    if (!it->status().ok()) return;
    absl::MutexLock lock(&pool_mu_);
    std::vector<std::unique_ptr<rocksdb::Iterator>>& pool = pool_[cf == rel_ ? 0 : 1];
    if (pool.size() < kMaxPooledIterators) pool.push_back(std::move(it));
  }

  absl::Status Scan(rocksdb::ColumnFamilyHandle* cf, const std::string& prefix, bool by_subject,
                    const RelationshipFilter* filter, RelationshipVisitor visit,
                    ExpiredRelationships expired = ExpiredRelationships::kHide) const {
    std::unique_ptr<rocksdb::Iterator> it = TakeIterator(cf);
    it->Seek(prefix);
    absl::Status status =
        VisitPrefix(it.get(), prefix, by_subject, filter, expired, visit).status();
    if (status.ok()) status = ReadError(it->status(), "scanning relationships");
    ReturnIterator(cf, std::move(it));
    return status;
  }

  // Visits the rows under `prefix` from the iterator's position on (the first key >= prefix),
  // leaving it on the first key past them. False when `visit` asked to stop.
  absl::StatusOr<bool> VisitPrefix(rocksdb::Iterator* it, absl::string_view prefix, bool by_subject,
                                   const RelationshipFilter* filter, ExpiredRelationships expired,
                                   RelationshipVisitor visit) const {
    RelationshipView view;
    for (; it->Valid(); it->Next()) {
      rocksdb::Slice key = it->key();
      absl::string_view k(key.data(), key.size());
      if (!absl::StartsWith(k, prefix)) break;
      bool decoded = by_subject ? DecodeSubjectKey(k, &view) : DecodeResourceKey(k, &view);
      if (!decoded) return absl::DataLossError("malformed relationship key in the store");
      rocksdb::Slice value = it->value();
      view.encoded_value = absl::string_view(value.data(), value.size());
      if (expired == ExpiredRelationships::kHide &&
          IsExpiredValue(view.encoded_value, now_micros_)) {
        continue;
      }
      if (filter != nullptr && !filter->Matches(view)) continue;
      if (!visit(view)) return false;
    }
    return true;
  }

  // RocksDB refuses reads below full_history_ts_low (InvalidArgument): when this snapshot's
  // revision was collected while it was in use, say so.
  absl::Status ReadError(const rocksdb::Status& s, absl::string_view what) const {
    if (s.ok()) return absl::OkStatus();
    if (const Revision oldest = horizon_->load(std::memory_order_acquire); revision_ < oldest) {
      return RevisionExpiredError(revision_, oldest);
    }
    return ToStatus(s, what);
  }

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* rel_;
  rocksdb::ColumnFamilyHandle* rel_by_subject_;
  Revision revision_;
  const std::atomic<Revision>* horizon_;
  std::string timestamp_;
  rocksdb::Slice timestamp_slice_;
  int64_t now_micros_;
  static constexpr size_t kMaxPooledIterators = 4;
  static constexpr int kMaxStepsBetweenTargets = 8;
  mutable absl::Mutex pool_mu_;
  mutable std::vector<std::unique_ptr<rocksdb::Iterator>> pool_[2] ABSL_GUARDED_BY(pool_mu_);
};

class RocksDbDatastore final : public Datastore {
 public:
  RocksDbDatastore(RocksDbOptions options, std::unique_ptr<rocksdb::DB> db,
                   std::vector<rocksdb::ColumnFamilyHandle*> handles, std::string instance_id,
                   Revision head, Revision horizon, int64_t last_commit_micros)
      : options_(std::move(options)),
        db_(std::move(db)),
        handles_(std::move(handles)),
        instance_id_(std::move(instance_id)),
        head_(head),
        horizon_(horizon),
        written_head_(head),
        last_commit_micros_(last_commit_micros),
        synced_through_(head) {
    stats_.horizon = horizon;
    if (options_.flush_when_quiet > absl::ZeroDuration()) {
      quiet_flusher_ = std::thread([this] { FlushWhenQuiet(); });
    }
  }

  ~RocksDbDatastore() override {
    if (quiet_flusher_.joinable()) {
      {
        absl::MutexLock lock(&quiet_mu_);
        closing_ = true;
      }
      quiet_flusher_.join();
      FlushIfLarge();
    }
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    db_->Close();
  }

  Revision HeadRevision() const override { return head_.head(); }

  Revision OldestRevision() const override { return horizon_.load(std::memory_order_acquire); }

  absl::StatusOr<std::shared_ptr<const Snapshot>> SnapshotAt(Revision revision) const override {
    if (revision > HeadRevision()) {
      return absl::OutOfRangeError(
          absl::StrCat("revision ", revision, " is newer than the newest one, ", HeadRevision()));
    }
    if (const Revision oldest = OldestRevision(); revision < oldest) {
      return RevisionExpiredError(revision, oldest);
    }
    return SnapshotAtUnchecked(revision);
  }

  std::shared_ptr<const Snapshot> SnapshotAtUnchecked(Revision revision) const {
    return std::make_shared<RocksDbSnapshot>(db_.get(), handles_[kRel], handles_[kRelBySubject],
                                             revision, &horizon_);
  }

  absl::StatusOr<WriteResult> Write(const WriteRequest& request) override {
    Revision revision = 0;
    uint64_t relationships_deleted = 0;
    {
      // One planner at a time: revisions are assigned in commit order, each planned on top of
      // the revision written just before it (durable or not: if that one fails to sync, this
      // one fails too).
      absl::MutexLock lock(&write_mu_);
      if (absl::Status s = WritesRefused(); !s.ok()) return s;
      const Revision head = written_head_.load(std::memory_order_relaxed);
      RocksDbSnapshot current(db_.get(), handles_[kRel], handles_[kRelBySubject], head, &horizon_);
      Revision schema_revision = 0;
      if (request.expected_schema_revision) {
        absl::StatusOr<std::optional<SchemaVersion>> schema = SchemaAt(head);
        if (!schema.ok()) return schema.status();
        if (schema->has_value()) schema_revision = (*schema)->revision;
      }
      absl::StatusOr<WritePlan> plan = PlanWrite(current, schema_revision, request);
      if (!plan.ok()) return plan.status();

      revision = head + 1;
      const std::string ts = EncodeRevisionTimestamp(revision);
      rocksdb::WriteBatch batch;
      ChangelogEntryBuilder changelog;
      for (const RelationshipUpdate& u : plan->changes) {
        const Relationship& r = u.relationship;
        std::string value = EncodeValue(r.value);
        if (absl::Status s = AddToBatch(&batch, u.operation, r, value, ts); !s.ok()) return s;
        changelog.AddUpdate(u.operation, r, value);
      }
      if (request.schema_text) {
        batch.Put(handles_[kSchema], RevisionKey(revision), *request.schema_text);
        changelog.SetSchema(*request.schema_text);
      }
      changelog.SetTransactionMetadata(request.transaction_metadata);
      if (absl::Status s = ApplyLocked(&batch, revision, changelog); !s.ok()) return s;
      relationships_deleted = plan->relationships_deleted;
    }
    if (absl::Status s = AwaitDurable(revision); !s.ok()) return s;
    return WriteResult{.revision = revision, .relationships_deleted = relationships_deleted};
  }

  absl::Status ReadChanges(Revision after, size_t max_revisions,
                           ChangeVisitor visit) const override {
    const Revision head = HeadRevision();
    if (after > head) {
      return absl::OutOfRangeError(
          absl::StrCat("revision ", after, " is newer than the newest one, ", head));
    }
    if (const Revision oldest = OldestRevision(); after < oldest) {
      return RevisionExpiredError(after, oldest);
    }
    if (max_revisions == 0 || after == head) return absl::OkStatus();
    // Bound the scan by the head read above: a commit racing this read is left for the next
    // call rather than seen half-published.
    std::string upper = RevisionKey(head + 1);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kChangelog]));
    RevisionChanges changes;
    Revision expected = after + 1;
    size_t visited = 0;
    it->Seek(RevisionKey(after + 1));
    while (it->Valid() && visited < max_revisions) {
      changes.revision = keys::DecodeRevisionKey(absl::string_view(it->key().data(), 8));
      if (changes.revision != expected || it->key().size() != 8) {
        // Revisions are dense and each one writes its entry, so a gap is history collected
        // since the check above, or damage.
        if (const Revision oldest = OldestRevision(); after < oldest) {
          return RevisionExpiredError(after, oldest);
        }
        return absl::DataLossError(
            absl::StrCat("the changelog has no entry for revision ", expected));
      }
      rocksdb::Slice v = it->value();
      if (absl::Status s =
              rocksdb_engine::DecodeChangelogEntry(absl::string_view(v.data(), v.size()), &changes);
          !s.ok()) {
        return s;
      }
      // The entry's further parts (an import's), right after its key.
      for (it->Next();
           it->Valid() && it->key().size() == rocksdb_engine::kChangelogPartKeyBytes &&
           keys::DecodeRevisionKey(absl::string_view(it->key().data(), 8)) == changes.revision;
           it->Next()) {
        v = it->value();
        if (absl::Status s = rocksdb_engine::DecodeChangelogPart(
                absl::string_view(v.data(), v.size()), &changes);
            !s.ok()) {
          return s;
        }
      }
      ++visited;
      ++expected;
      if (!visit(changes)) return absl::OkStatus();
    }
    if (absl::Status s = ToStatus(it->status(), "reading the changelog"); !s.ok()) return s;
    if (visited < max_revisions && expected <= head) {
      if (const Revision oldest = OldestRevision(); after < oldest) {
        return RevisionExpiredError(after, oldest);
      }
      return absl::DataLossError(
          absl::StrCat("the changelog has no entry for revision ", expected));
    }
    return absl::OkStatus();
  }

  Revision WaitForRevisionAfter(Revision after, absl::Time deadline) const override {
    return head_.WaitForRevisionAfter(after, deadline);
  }

  absl::StatusOr<std::unique_ptr<BulkLoad>> StartBulkLoad(
      std::string transaction_metadata) override;

  // Puts or deletes `r` in both indexes at timestamp `ts`.
  absl::Status AddToBatch(rocksdb::WriteBatch* batch, UpdateOperation op, const Relationship& r,
                          absl::string_view value, const std::string& ts) {
    rocksdb::Slice v(value.data(), value.size());
    rocksdb::Status s;
    if (op == UpdateOperation::kDelete) {
      s = batch->Delete(handles_[kRel], ResourceKey(r), ts);
      if (s.ok()) s = batch->Delete(handles_[kRelBySubject], SubjectKey(r), ts);
    } else {
      s = batch->Put(handles_[kRel], ResourceKey(r), ts, v);
      if (s.ok()) s = batch->Put(handles_[kRelBySubject], SubjectKey(r), ts, v);
    }
    return ToStatus(s, "batching a write");
  }

  // Adds the changelog entry, commit time and new head to `batch` and applies it, unsynced.
  // Readers do not see `revision` until AwaitDurable(revision) (or at once without sync).
  // REQUIRES: write_mu_ held; revision == written_head() + 1.
  absl::Status ApplyLocked(rocksdb::WriteBatch* batch, Revision revision,
                           const ChangelogEntryBuilder& changelog)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_) {
    // Commit times never decrease, so the history window's horizon can stop at the first
    // revision inside the window even if the wall clock steps back.
    const int64_t commit_micros = std::max(last_commit_micros_, NowMicros());
    rocksdb::Status s =
        batch->Put(handles_[kChangelog], RevisionKey(revision), rocksdb::Slice(changelog.bytes()));
    if (s.ok()) s = batch->Put(handles_[kMeta], kMetaHead, RevisionKey(revision));
    if (s.ok()) {
      s = batch->Put(handles_[kCommitTime], RevisionKey(revision),
                     RevisionKey(static_cast<uint64_t>(commit_micros)));
    }
    if (!s.ok()) return ToStatus(s, "batching a write");
    // Synced, shared with concurrent writers, by AwaitDurable.
    rocksdb::WriteOptions wo;
    wo.sync = false;
    if (absl::Status st = ToStatus(db_->Write(wo, batch), "committing"); !st.ok()) return st;
    last_commit_micros_ = commit_micros;
    written_head_.store(revision, std::memory_order_release);
    if (!options_.sync) head_.Publish(revision);
    return absl::OkStatus();
  }

  // Returns once `revision` (applied by ApplyLocked) is durable and published, sharing one WAL
  // sync among every writer waiting at the time: the first waiter to find no sync running leads
  // one, covering everything applied before it started; the others wait for it and, if it did
  // not cover them, lead the next. A failed sync fails its writes and every later one, and
  // refuses further writes.
  // REQUIRES: write_mu_ not held.
  absl::Status AwaitDurable(Revision revision) ABSL_LOCKS_EXCLUDED(write_mu_, sync_mu_) {
    if (!options_.sync) return absl::OkStatus();
    absl::MutexLock lock(&sync_mu_);
    while (true) {
      if (synced_through_ >= revision) return absl::OkStatus();
      if (!sync_error_.ok()) return sync_error_;
      if (!sync_in_progress_) {
        sync_in_progress_ = true;
        // Every revision up to `target` finished its db_->Write before this sync starts.
        const Revision target = written_head_.load(std::memory_order_acquire);
        sync_mu_.Unlock();
        // SyncWAL, not a synced write: it does not hold RocksDB's write queue while it syncs,
        // so writers go on applying (and join the next sync) meanwhile.
        rocksdb::Status s = db_->SyncWAL();
        sync_mu_.Lock();
        sync_in_progress_ = false;
        if (s.ok()) {
          synced_through_ = std::max(synced_through_, target);
          // Everything up to synced_through_ is durable, so readers may see all of it.
          head_.Publish(synced_through_);
        } else {
          sync_error_ = SyncFailedError(s);
        }
        continue;
      }
      auto progressed = [this, revision]() ABSL_SHARED_LOCKS_REQUIRED(sync_mu_) {
        return synced_through_ >= revision || !sync_in_progress_ || !sync_error_.ok();
      };
      sync_mu_.Await(absl::Condition(&progressed));
    }
  }

  // The ALREADY_EXISTS error naming the relationship of a `rel` key (without timestamp).
  static absl::Status ExistsErrorForKey(absl::string_view key) {
    RelationshipView v;
    if (!DecodeResourceKey(key, &v)) return absl::InternalError("undecodable key in an import");
    return RelationshipExistsError(v.ToRelationship());
  }

  // True when no relationship is visible at revision `at` (reads the first key in `rel`): an
  // import into such a store has nothing to check as it streams. False on a read error.
  bool NoRelationshipsAt(Revision at) const {
    const std::string ts = EncodeRevisionTimestamp(at);
    rocksdb::Slice ts_slice(ts);
    rocksdb::ReadOptions ro;
    ro.timestamp = &ts_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kRel]));
    it->SeekToFirst();
    return !it->Valid() && it->status().ok();
  }

  // ALREADY_EXISTS naming the first relationship of entries [first, last) that exists, not
  // expired, at revision `at`: in the order added, or in key order when `sorted`. Batched
  // MultiGets.
  absl::Status CheckAbsent(const ImportEntries& entries, size_t first, size_t last, Revision at,
                           bool sorted) const {
    constexpr size_t kChunk = 256;
    const std::string ts = EncodeRevisionTimestamp(at);
    rocksdb::Slice ts_slice(ts);
    rocksdb::ReadOptions ro;
    ro.timestamp = &ts_slice;
    const int64_t now = NowMicros();
    rocksdb::Slice keys[kChunk];
    rocksdb::PinnableSlice values[kChunk];
    rocksdb::Status statuses[kChunk];
    for (size_t begin = first; begin < last; begin += kChunk) {
      const size_t n = std::min(kChunk, last - begin);
      for (size_t i = 0; i < n; ++i) {
        absl::string_view key = sorted ? entries.sorted(ImportEntries::kByResource, begin + i).key
                                       : entries.added(ImportEntries::kByResource, begin + i).key;
        keys[i] = rocksdb::Slice(key.data(), key.size());
      }
      db_->MultiGet(ro, handles_[kRel], n, keys, values, statuses, sorted);
      for (size_t i = 0; i < n; ++i) {
        const rocksdb::Status& s = statuses[i];
        if (s.ok() && !IsExpiredValue(absl::string_view(values[i].data(), values[i].size()), now)) {
          return ExistsErrorForKey(absl::string_view(keys[i].data(), keys[i].size()));
        }
        values[i].Reset();
        if (!s.ok() && !s.IsNotFound()) return ToStatus(s, "reading relationship");
      }
    }
    return absl::OkStatus();
  }

  // Applies a sorted import as revision `revision` in one WriteBatch (sorted keys make the
  // memtable inserts sequential). REQUIRES: write_mu_ held; revision == written_head() + 1.
  absl::Status ApplyImportLocked(const ImportEntries& entries, Revision revision,
                                 const ChangelogEntryBuilder& changelog)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_) {
    const std::string ts = EncodeRevisionTimestamp(revision);
    rocksdb::WriteBatch batch;
    for (ImportEntries::Index index : {ImportEntries::kByResource, ImportEntries::kBySubject}) {
      rocksdb::ColumnFamilyHandle* cf =
          handles_[index == ImportEntries::kByResource ? kRel : kRelBySubject];
      for (size_t i = 0; i < entries.size(); ++i) {
        const ImportEntries::Entry& e = entries.sorted(index, i);
        rocksdb::Status s = batch.Put(cf, rocksdb::Slice(e.key.data(), e.key.size()), ts,
                                      rocksdb::Slice(e.value.data(), e.value.size()));
        if (!s.ok()) return ToStatus(s, "batching an import");
      }
    }
    return ApplyLocked(&batch, revision, changelog);
  }

  // Commits a sorted import as revision `revision` by writing one SST file per column family it
  // touches (both indexes, the changelog entry, the commit time, the new head) and ingesting
  // them with one IngestExternalFiles, which RocksDB applies atomically across column families
  // (one MANIFEST record): a crash leaves all of the revision or none of it, as a WriteBatch
  // would. Ingested files are durable when it returns, so every revision applied before must be
  // too: the WAL is synced first. The changelog entry is written in parts of about
  // kImportChangelogPartBytes (see changelog_codec.h). REQUIRES: write_mu_ held;
  // revision == written_head() + 1.
  absl::Status IngestImportLocked(ImportEntries& entries, Revision revision,
                                  absl::string_view transaction_metadata)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_) {
    const int64_t commit_micros = std::max(last_commit_micros_, NowMicros());
    const std::string ts = EncodeRevisionTimestamp(revision);
    if (ts.size() > ImportEntries::kKeySuffixBytes) {
      return absl::InternalError("an import key has no room for its timestamp");
    }
    const std::string dir = ImportDir();
    if (absl::Status s = ToStatus(db_->GetEnv()->CreateDirIfMissing(dir), "creating " + dir);
        !s.ok()) {
      return s;
    }
    const int cfs[] = {kRel, kRelBySubject, kChangelog, kCommitTime, kMeta};
    std::vector<std::string> paths;
    for (int cf : cfs) paths.push_back(absl::StrCat(dir, "/", revision, "-", cf, ".sst"));
    auto remove_files = [&] {
      for (const std::string& path : paths) db_->GetEnv()->DeleteFile(path).PermitUncheckedError();
    };

    auto write_index = [&](int cf, ImportEntries::Index index, const std::string& path) {
      rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), db_->GetOptions(handles_[cf]),
                                    handles_[cf]);
      rocksdb::Status s = writer.Open(path);
      for (size_t i = 0; s.ok() && i < entries.size(); ++i) {
        entries.PrefetchSorted(index, i);
        // Key and timestamp side by side: RocksDB then uses them in place instead of copying
        // them into a string of its own.
        const absl::string_view key = entries.SortedKeyWithSuffix(index, i, ts);
        const absl::string_view value = entries.sorted(index, i).value;
        s = writer.Put(rocksdb::Slice(key.data(), key.size() - ts.size()),
                       rocksdb::Slice(key.data() + key.size() - ts.size(), ts.size()),
                       rocksdb::Slice(value.data(), value.size()));
      }
      if (s.ok()) s = writer.Finish();
      return ToStatus(s, "writing the import's files");
    };
    // Uncompressed: ingestion reads the first and last block of each file back.
    auto uncompressed = [&](int cf) {
      rocksdb::Options options = db_->GetOptions(handles_[cf]);
      options.compression = rocksdb::kNoCompression;
      return options;
    };
    auto write_one = [&](int cf, const rocksdb::Slice& key, const rocksdb::Slice& value,
                         const std::string& path) {
      rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), db_->GetOptions(handles_[cf]),
                                    handles_[cf]);
      rocksdb::Status s = writer.Open(path);
      if (s.ok()) s = writer.Put(key, value);
      if (s.ok()) s = writer.Finish();
      return ToStatus(s, "writing the import's files");
    };
    // The entry in parts, each one SST block of its own: ingestion reads only the first and the
    // last, and no buffer as large as the import is built.
    auto write_changelog = [&](const std::string& path) -> absl::Status {
      rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), uncompressed(kChangelog),
                                    handles_[kChangelog]);
      rocksdb::Status s = writer.Open(path);
      ChangelogEntryBuilder part;
      part.Reserve(kImportChangelogPartBytes + 4096);
      part.SetTransactionMetadata(transaction_metadata);
      uint32_t parts = 0;
      auto put_part = [&] {
        const std::string key =
            parts == 0 ? RevisionKey(revision) : rocksdb_engine::ChangelogPartKey(revision, parts);
        ++parts;
        s = writer.Put(key, rocksdb::Slice(part.bytes()));
        part.Clear();
      };
      for (size_t i = 0; s.ok() && i < entries.size(); ++i) {
        if (absl::Status st = AddImportUpdate(entries, i, &part); !st.ok()) return st;
        if (part.size() >= kImportChangelogPartBytes) put_part();
      }
      if (s.ok() && (part.size() > 0 || parts == 0)) put_part();
      if (s.ok()) s = writer.Finish();
      return ToStatus(s, "writing the import's files");
    };
    // The two indexes are written on two more threads: the client is idle, waiting for the
    // commit.
    absl::Status by_resource, by_subject;
    std::thread resource_writer(
        [&] { by_resource = write_index(kRel, ImportEntries::kByResource, paths[0]); });
    std::thread subject_writer(
        [&] { by_subject = write_index(kRelBySubject, ImportEntries::kBySubject, paths[1]); });
    absl::Status s = write_changelog(paths[2]);
    if (s.ok()) {
      s = write_one(kCommitTime, RevisionKey(revision),
                    RevisionKey(static_cast<uint64_t>(commit_micros)), paths[3]);
    }
    if (s.ok()) s = write_one(kMeta, kMetaHead, RevisionKey(revision), paths[4]);
    resource_writer.join();
    subject_writer.join();
    if (s.ok()) s = by_resource;
    if (s.ok()) s = by_subject;
    if (!s.ok()) {
      remove_files();
      return s;
    }

    if (options_.sync) {
      if (rocksdb::Status synced = db_->SyncWAL(); !synced.ok()) {
        remove_files();
        return FailSync(synced);
      }
    }
    std::vector<rocksdb::IngestExternalFileArg> args(std::size(cfs));
    for (size_t i = 0; i < std::size(cfs); ++i) {
      args[i].column_family = handles_[cfs[i]];
      args[i].external_files = {paths[i]};
      // Linked into the store, not copied. A memtable holding keys in a file's range is flushed
      // first (allow_blocking_flush, the default). RocksDB 7.8 does so for column families with
      // user-defined timestamps too; later versions refuse the overlap there instead, so an
      // upgrade must flush `rel` and `rel_by_subj` itself before ingesting.
      args[i].options.move_files = true;
    }
    rocksdb::Status ingested = db_->IngestExternalFiles(args);
    remove_files();  // the links left outside the store, or the files of a failed ingestion
    if (absl::Status st = ToStatus(ingested, "ingesting the import"); !st.ok()) return st;
    last_commit_micros_ = commit_micros;
    written_head_.store(revision, std::memory_order_release);
    if (!options_.sync) head_.Publish(revision);
    return absl::OkStatus();
  }

  // Where imports write their SST files before ingesting them (inside the store's directory,
  // so ingestion links them); emptied at open.
  std::string ImportDir() const { return options_.path + "/import"; }

  // Records a failed WAL sync as AwaitDurable does: this write and every later one fail.
  absl::Status FailSync(const rocksdb::Status& s) ABSL_LOCKS_EXCLUDED(sync_mu_) {
    absl::MutexLock lock(&sync_mu_);
    if (sync_error_.ok()) sync_error_ = SyncFailedError(s);
    return sync_error_;
  }

  // FAILED_PRECONDITION once a WAL sync has failed; OK otherwise.
  absl::Status WritesRefused() ABSL_LOCKS_EXCLUDED(sync_mu_) {
    absl::MutexLock lock(&sync_mu_);
    if (sync_error_.ok()) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat("the datastore refuses writes since a write-ahead log sync failed: ",
                     sync_error_.message()));
  }

  std::shared_ptr<const Snapshot> HeadSnapshot() const {
    return SnapshotAtUnchecked(HeadRevision());
  }

  absl::Mutex& write_mu() ABSL_LOCK_RETURNED(write_mu_) { return write_mu_; }
  // The newest revision applied, durable or not. REQUIRES: write_mu_ held.
  Revision written_head() const { return written_head_.load(std::memory_order_relaxed); }
  rocksdb::ColumnFamilyHandle* handle(int cf) const { return handles_[cf]; }
  const RocksDbOptions& options() const { return options_; }

  absl::StatusOr<std::optional<SchemaVersion>> SchemaAt(Revision revision) const override {
    // Older texts may be collected: the one found might not be the one in force then.
    if (const Revision oldest = OldestRevision(); revision < oldest) {
      return RevisionExpiredError(revision, oldest);
    }
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[kSchema]));
    it->SeekForPrev(RevisionKey(revision));
    if (!it->Valid()) {
      if (absl::Status s = ToStatus(it->status(), "reading schema"); !s.ok()) return s;
      return std::nullopt;
    }
    SchemaVersion version;
    version.revision =
        keys::DecodeRevisionKey(absl::string_view(it->key().data(), it->key().size()));
    version.text = it->value().ToString();
    return version;
  }

  const std::string& instance_id() const override { return instance_id_; }

  absl::StatusOr<GcResult> CollectGarbage(absl::Time now) override {
    absl::MutexLock gc_lock(&gc_mu_);
    const absl::Time started = absl::Now();
    absl::StatusOr<GcResult> result = CollectGarbageLocked(now);
    if (result.ok()) result->took = absl::Now() - started;
    absl::MutexLock lock(&stats_mu_);
    ++stats_.passes;
    stats_.last_pass = started;
    stats_.horizon = OldestRevision();
    if (result.ok()) {
      stats_.revisions_collected += result->revisions_collected;
      stats_.schema_versions_collected += result->schema_versions_collected;
      stats_.expired_relationships_collected += result->expired_relationships_collected;
    } else {
      ++stats_.failed_passes;
      stats_.last_error = result.status();
    }
    return result;
  }

  GcStats gc_stats() const override {
    absl::MutexLock lock(&stats_mu_);
    return stats_;
  }

  absl::Status CompactAll() {
    rocksdb::FlushOptions flush;
    flush.wait = true;
    if (absl::Status s = ToStatus(db_->Flush(flush, handles_), "flushing"); !s.ok()) return s;
    for (auto* h : handles_) {
      rocksdb::CompactRangeOptions compact;
      compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
      rocksdb::Status s = db_->CompactRange(compact, h, nullptr, nullptr);
      if (absl::Status st = ToStatus(s, "compacting"); !st.ok()) return st;
    }
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<GcResult> CollectGarbageLocked(absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(gc_mu_) {
    GcResult result;
    const Revision head = HeadRevision();
    const Revision old_horizon = OldestRevision();
    const int64_t cutoff = absl::ToUnixMicros(now - options_.gc_window);

    // The newest revision before the head committed before the cutoff: the state the window's
    // oldest instant saw. Revisions without a commit time (made before commit times were kept)
    // are never picked, so such a store starts collecting once its first timed revision ages.
    Revision horizon = old_horizon;
    {
      std::string upper = RevisionKey(head);
      rocksdb::Slice upper_slice(upper);
      rocksdb::ReadOptions ro;
      ro.iterate_upper_bound = &upper_slice;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kCommitTime]));
      for (it->Seek(RevisionKey(old_horizon + 1)); it->Valid(); it->Next()) {
        if (it->key().size() != 8 || it->value().size() != 8) {
          return absl::DataLossError("malformed commit time in the store");
        }
        const int64_t micros =
            static_cast<int64_t>(keys::DecodeRevisionKey(absl::string_view(it->value().data(), 8)));
        if (micros >= cutoff) break;  // commit times never decrease
        horizon = keys::DecodeRevisionKey(absl::string_view(it->key().data(), 8));
      }
      if (absl::Status s = ToStatus(it->status(), "reading commit times"); !s.ok()) return s;
    }
    result.horizon = horizon;
    if (horizon == 0) return result;

    // Expired relationships go first, deleted at the horizon's own timestamp (no new revision,
    // no change feed entry), while full_history_ts_low is still at most the horizon.
    absl::StatusOr<uint64_t> expired = CollectExpired(horizon, cutoff);
    if (!expired.ok()) return expired.status();
    result.expired_relationships_collected = *expired;
    if (horizon == old_horizon) return result;

    // Persist the horizon before anything below it is dropped, so a crash cannot leave a
    // revision that looks readable but is half collected.
    {
      rocksdb::WriteOptions wo;
      wo.sync = true;
      rocksdb::Status s = db_->Put(wo, handles_[kMeta], kMetaHorizon, RevisionKey(horizon));
      if (absl::Status st = ToStatus(s, "recording the GC horizon"); !st.ok()) return st;
    }
    horizon_.store(horizon, std::memory_order_release);
    if (absl::Status s = RaiseFullHistoryTsLow(horizon); !s.ok()) return s;

    // ReadChanges(after >= horizon) reads from horizon + 1 on. One range deletion: it also
    // covers the further parts of an import's entry (ChangelogPartKey).
    {
      rocksdb::Status s = db_->DeleteRange(rocksdb::WriteOptions(), handles_[kChangelog],
                                           RevisionKey(old_horizon + 1), RevisionKey(horizon + 1));
      if (absl::Status st = ToStatus(s, "collecting history"); !st.ok()) return st;
    }
    result.revisions_collected = horizon - old_horizon;
    if (horizon > 1) {
      if (absl::Status s = DeleteRevisionKeys(kCommitTime, old_horizon, horizon - 1); !s.ok()) {
        return s;
      }
    }
    absl::StatusOr<uint64_t> schemas = CollectSchemas(horizon);
    if (!schemas.ok()) return schemas.status();
    result.schema_versions_collected = *schemas;
    return result;
  }

 public:
  // Lets compaction drop every version a read at `horizon` or later cannot see.
  absl::Status RaiseFullHistoryTsLow(Revision horizon) {
    const std::string ts = EncodeRevisionTimestamp(horizon);
    for (int cf : {kRel, kRelBySubject}) {
      rocksdb::Status s = db_->IncreaseFullHistoryTsLow(handles_[cf], ts);
      // Already higher (a restart after a pass that got this far): nothing to do.
      if (s.IsInvalidArgument() && s.ToString().find("Cannot decrease") != std::string::npos) {
        continue;
      }
      if (absl::Status st = ToStatus(s, "raising full_history_ts_low"); !st.ok()) return st;
    }
    return absl::OkStatus();
  }

 private:
  // Deletes the keys of revisions [first, last] from a revision-keyed column family, in bounded
  // batches so no write waits long behind one.
  absl::Status DeleteRevisionKeys(int cf, Revision first, Revision last) {
    rocksdb::WriteBatch batch;
    for (Revision r = first; r <= last; ++r) {
      batch.Delete(handles_[cf], RevisionKey(r));
      if (batch.Count() >= kGcBatch || r == last) {
        rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch);
        if (absl::Status st = ToStatus(s, "collecting history"); !st.ok()) return st;
        batch.Clear();
      }
    }
    return absl::OkStatus();
  }

  // Deletes the schema texts superseded before `horizon`, keeping the one in force there.
  absl::StatusOr<uint64_t> CollectSchemas(Revision horizon) {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[kSchema]));
    it->SeekForPrev(RevisionKey(horizon));
    if (!it->Valid()) {
      if (absl::Status s = ToStatus(it->status(), "reading schema"); !s.ok()) return s;
      return 0;
    }
    const std::string in_force = it->key().ToString();
    uint64_t deleted = 0;
    rocksdb::WriteBatch batch;
    for (it->SeekToFirst(); it->Valid() && it->key().compare(in_force) < 0; it->Next()) {
      batch.Delete(handles_[kSchema], it->key());
      ++deleted;
    }
    if (absl::Status s = ToStatus(it->status(), "reading schema"); !s.ok()) return s;
    if (deleted > 0) {
      rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch);
      if (absl::Status st = ToStatus(s, "collecting schema history"); !st.ok()) return st;
    }
    return deleted;
  }

  // Deletes, at revision `at`'s timestamp, every relationship visible there whose expiry is
  // before `cutoff`. Readers at `at` or later already hide them (their expiry has passed), so
  // only their bytes go; later versions of the same relationship are newer and unaffected.
  absl::StatusOr<uint64_t> CollectExpired(Revision at, int64_t cutoff) {
    const std::string ts = EncodeRevisionTimestamp(at);
    rocksdb::Slice ts_slice(ts);
    rocksdb::ReadOptions ro;
    ro.timestamp = &ts_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kRel]));
    rocksdb::WriteBatch batch;
    uint64_t deleted = 0;
    size_t pending = 0;
    RelationshipView view;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      rocksdb::Slice value = it->value();
      if (!IsExpiredValue(absl::string_view(value.data(), value.size()), cutoff)) continue;
      if (!keys::DecodeResourceKey(absl::string_view(it->key().data(), it->key().size()), &view)) {
        return absl::DataLossError("malformed relationship key in the store");
      }
      if (absl::Status s =
              AddToBatch(&batch, UpdateOperation::kDelete, view.ToRelationship(), "", ts);
          !s.ok()) {
        return s;
      }
      ++deleted;
      if (++pending >= kGcBatch) {
        rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch);
        if (absl::Status st = ToStatus(s, "collecting expired relationships"); !st.ok()) return st;
        batch.Clear();
        pending = 0;
      }
    }
    if (absl::Status s = ToStatus(it->status(), "scanning for expired relationships"); !s.ok()) {
      return s;
    }
    if (pending > 0) {
      rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch);
      if (absl::Status st = ToStatus(s, "collecting expired relationships"); !st.ok()) return st;
    }
    return deleted;
  }

  // Flushes the memtables once writes have paused for options_.flush_when_quiet (polled: a
  // pause is a head revision unchanged across polls), until the store closes.
  void FlushWhenQuiet() {
    const absl::Duration poll = options_.flush_when_quiet / 4;
    Revision seen = written_head_.load(std::memory_order_acquire);
    Revision flushed = seen;
    absl::Time seen_since = absl::Now();
    absl::MutexLock lock(&quiet_mu_);
    while (!quiet_mu_.AwaitWithTimeout(absl::Condition(&closing_), poll)) {
      const Revision head = written_head_.load(std::memory_order_acquire);
      if (head != seen) {
        seen = head;
        seen_since = absl::Now();
      } else if (seen != flushed && absl::Now() - seen_since >= options_.flush_when_quiet) {
        FlushIfLarge();
        flushed = seen;
      }
    }
  }

  // Flushes the relationship indexes' memtables when together they hold flush_min_bytes. A
  // failed flush loses nothing (the log still holds the writes); RocksDB flushes again later.
  void FlushIfLarge() {
    uint64_t bytes = 0;
    for (int cf : {kRel, kRelBySubject}) {
      uint64_t size = 0;
      if (db_->GetIntProperty(handles_[cf], rocksdb::DB::Properties::kCurSizeActiveMemTable,
                              &size)) {
        bytes += size;
      }
    }
    if (bytes < options_.flush_min_bytes) return;
    rocksdb::FlushOptions flush;
    flush.wait = true;
    flush.allow_write_stall = true;
    db_->Flush(flush, handles_).PermitUncheckedError();
  }

  const RocksDbOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  const std::string instance_id_;
  RevisionNotifier head_;  // durable and visible to readers
  std::atomic<Revision> horizon_;

  absl::Mutex write_mu_;
  // Applied by ApplyLocked, possibly not yet durable; written under write_mu_.
  std::atomic<Revision> written_head_;
  int64_t last_commit_micros_ ABSL_GUARDED_BY(write_mu_);

  absl::Mutex sync_mu_ ABSL_ACQUIRED_AFTER(write_mu_);
  Revision synced_through_ ABSL_GUARDED_BY(sync_mu_);
  bool sync_in_progress_ ABSL_GUARDED_BY(sync_mu_) = false;
  absl::Status sync_error_ ABSL_GUARDED_BY(sync_mu_);

  absl::Mutex gc_mu_;  // one pass at a time
  mutable absl::Mutex stats_mu_;
  GcStats stats_ ABSL_GUARDED_BY(stats_mu_);

  absl::Mutex quiet_mu_;
  bool closing_ ABSL_GUARDED_BY(quiet_mu_) = false;
  std::thread quiet_flusher_;  // runs FlushWhenQuiet; started last, stopped first
};

// One import, held as ImportEntries until it commits, so other writers are not blocked while the
// client streams. Each relationship is checked against the head of the start when added (in
// batches, with MultiGet) and, if writes committed meanwhile, again at commit. Commit sorts the
// entries, which also finds a relationship imported twice, and then, under the write lock,
// either ingests SST files (IngestImportLocked, which writes the changelog entry in the order
// added, in parts) or, for a small import, applies one sorted WriteBatch with the whole entry.
// Memory is bounded by RocksDbOptions::max_bulk_load_bytes.
class RocksDbBulkLoad final : public BulkLoad {
 public:
  RocksDbBulkLoad(RocksDbDatastore* store, std::string metadata)
      : store_(store),
        start_revision_(store->HeadRevision()),
        empty_at_start_(store->NoRelationshipsAt(start_revision_)),
        metadata_(std::move(metadata)) {}

  absl::Status Add(const std::vector<Relationship>& relationships) override {
    const size_t first = entries_.size();
    for (const Relationship& r : relationships) {
      EncodeResourceKey(r, &resource_key_);
      EncodeSubjectKey(r, &subject_key_);
      value_ = EncodeValue(r.value);
      entries_.Add(resource_key_, subject_key_, value_);
      changelog_bytes_ += resource_key_.size() + value_.size() + 4;
    }
    // Nothing exists at the start revision in an empty store; writes since are checked at
    // commit (head != start_revision_).
    if (!empty_at_start_) {
      if (absl::Status s = store_->CheckAbsent(entries_, first, entries_.size(), start_revision_,
                                               /*sorted=*/false);
          !s.ok()) {
        return s;
      }
    }
    const size_t bytes = entries_.bytes() + changelog_bytes_;
    if (bytes > store_->options().max_bulk_load_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the import holds ", entries_.size(), " relationships (", bytes,
          " bytes), over this server's limit of ", store_->options().max_bulk_load_bytes,
          " bytes for one transaction; split it into several imports"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<WriteResult> Commit() override {
    if (entries_.size() == 0) return WriteResult{.revision = store_->HeadRevision()};
    std::optional<absl::string_view> twice = entries_.Sort(nullptr);
    if (twice) return store_->ExistsErrorForKey(*twice);
    const bool ingest = entries_.size() >= store_->options().bulk_load_ingest_min_relationships;
    // A small import is applied as one WriteBatch with its whole changelog entry; an ingested
    // one writes its entry in parts while it writes the index files.
    ChangelogEntryBuilder changelog;
    if (!ingest) {
      changelog.SetTransactionMetadata(metadata_);
      for (size_t i = 0; i < entries_.size(); ++i) {
        if (absl::Status s = AddImportUpdate(entries_, i, &changelog); !s.ok()) return s;
      }
    }
    Revision revision = 0;
    {
      absl::MutexLock lock(&store_->write_mu());
      if (absl::Status s = store_->WritesRefused(); !s.ok()) return s;
      const Revision head = store_->written_head();
      if (expected_schema_revision_) {
        absl::StatusOr<std::optional<Datastore::SchemaVersion>> schema = store_->SchemaAt(head);
        if (!schema.ok()) return schema.status();
        const Revision current = schema->has_value() ? (*schema)->revision : 0;
        if (current != *expected_schema_revision_) {
          return SchemaChangedError(*expected_schema_revision_, current);
        }
      }
      if (head != start_revision_) {
        // Writes committed since the load began may have created some of these relationships.
        if (absl::Status s =
                store_->CheckAbsent(entries_, 0, entries_.size(), head, /*sorted=*/true);
            !s.ok()) {
          return s;
        }
      }
      revision = head + 1;
      absl::Status s = ingest ? store_->IngestImportLocked(entries_, revision, metadata_)
                              : store_->ApplyImportLocked(entries_, revision, changelog);
      if (!s.ok()) return s;
    }
    if (absl::Status s = store_->AwaitDurable(revision); !s.ok()) return s;
    return WriteResult{.revision = revision};
  }

 private:
  static void EncodeResourceKey(const Relationship& r, std::string* key) {
    key->clear();
    for (const std::string* name : {&r.resource_type, &r.resource_id, &r.relation, &r.subject_type,
                                    &r.subject_relation, &r.subject_id}) {
      AppendName(key, *name);
    }
  }
  static void EncodeSubjectKey(const Relationship& r, std::string* key) {
    key->clear();
    for (const std::string* name : {&r.subject_type, &r.subject_id, &r.subject_relation,
                                    &r.resource_type, &r.relation, &r.resource_id}) {
      AppendName(key, *name);
    }
  }

  RocksDbDatastore* store_;
  const Revision start_revision_;
  const bool empty_at_start_;  // no relationship visible at start_revision_
  const std::string metadata_;
  ImportEntries entries_;
  size_t changelog_bytes_ = 0;                      // about what the changelog entry will take
  std::string resource_key_, subject_key_, value_;  // reused per relationship
};

absl::StatusOr<std::unique_ptr<BulkLoad>> RocksDbDatastore::StartBulkLoad(
    std::string transaction_metadata) {
  return std::make_unique<RocksDbBulkLoad>(this, std::move(transaction_metadata));
}

std::string NewInstanceId() {
  std::random_device rd;
  std::string bytes(16, '\0');
  for (char& c : bytes) c = static_cast<char>(rd() & 0xff);
  return absl::BytesToHexString(bytes);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Datastore>> OpenRocksDbDatastore(const RocksDbOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("the datastore path is empty");

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;

  rocksdb::ColumnFamilyOptions plain;
  plain.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // A bloom filter over the memtable's whole keys (timestamps stripped): a check's point lookup
  // of a relationship that does not exist skips the skiplist search, as the SST bloom filters
  // do for flushed data.
  plain.memtable_prefix_bloom_size_ratio = 0.05;
  plain.memtable_whole_key_filtering = true;
  rocksdb::ColumnFamilyOptions versioned = plain;
  versioned.comparator = rocksdb_engine::RevisionComparator();

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kNumColumnFamilies; ++i) {
    bool is_versioned = i == kRel || i == kRelBySubject;
    descriptors.emplace_back(kColumnFamilyNames[i], is_versioned ? versioned : plain);
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, descriptors, &handles, &raw);
  if (!s.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open the RocksDB datastore at ", options.path, ": ", s.ToString()));
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  // Files of an import that stopped before its ingestion (a crash): never part of the store.
  std::error_code ignored;
  std::filesystem::remove_all(options.path + "/import", ignored);

  auto fail = [&](absl::Status status) {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    return status;
  };

  rocksdb::ColumnFamilyHandle* meta = handles[kMeta];
  std::string format, instance_id, head_bytes;
  s = db->Get(rocksdb::ReadOptions(), meta, kMetaFormat, &format);
  if (s.IsNotFound()) {
    // A new store: stamp it, synced, before anything else is written.
    instance_id = NewInstanceId();
    rocksdb::WriteBatch batch;
    batch.Put(meta, kMetaFormat, kFormatVersion);
    batch.Put(meta, kMetaInstance, instance_id);
    batch.Put(meta, kMetaHead, RevisionKey(0));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db->Write(wo, &batch);
    if (!s.ok()) return fail(ToStatus(s, "initialising the datastore"));
    head_bytes = RevisionKey(0);
  } else if (!s.ok()) {
    return fail(ToStatus(s, "reading the datastore format"));
  } else {
    if (format == kFormatVersionWithoutParts) {
      rocksdb::WriteOptions wo;
      wo.sync = true;
      s = db->Put(wo, meta, kMetaFormat, kFormatVersion);
      if (!s.ok()) return fail(ToStatus(s, "upgrading the datastore format"));
    } else if (format != kFormatVersion) {
      return fail(absl::FailedPreconditionError(absl::StrCat(
          "the datastore at ", options.path, " has format version ", format,
          "; this rebacd reads versions ", kFormatVersionWithoutParts, " and ", kFormatVersion)));
    }
    s = db->Get(rocksdb::ReadOptions(), meta, kMetaInstance, &instance_id);
    if (s.ok()) s = db->Get(rocksdb::ReadOptions(), meta, kMetaHead, &head_bytes);
    if (!s.ok()) return fail(ToStatus(s, "reading the datastore metadata"));
  }
  const Revision head = keys::DecodeRevisionKey(head_bytes);

  Revision horizon = 0;
  std::string horizon_bytes;
  s = db->Get(rocksdb::ReadOptions(), meta, kMetaHorizon, &horizon_bytes);
  if (s.ok()) {
    if (horizon_bytes.size() != 8) {
      return fail(absl::DataLossError("malformed GC horizon in the datastore metadata"));
    }
    horizon = keys::DecodeRevisionKey(horizon_bytes);
  } else if (!s.IsNotFound()) {
    return fail(ToStatus(s, "reading the GC horizon"));
  }

  // The newest commit time. A store written before commit times were kept has none: its head
  // gets the time of this open, so its history ages from now on rather than all at once.
  int64_t last_commit_micros = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), handles[kCommitTime]));
    it->SeekToLast();
    if (it->Valid() && it->value().size() == 8) {
      last_commit_micros =
          static_cast<int64_t>(keys::DecodeRevisionKey(absl::string_view(it->value().data(), 8)));
    } else if (!it->status().ok()) {
      return fail(ToStatus(it->status(), "reading commit times"));
    } else if (head > 0) {
      last_commit_micros = NowMicros();
      rocksdb::WriteOptions wo;
      wo.sync = true;
      s = db->Put(wo, handles[kCommitTime], RevisionKey(head),
                  RevisionKey(static_cast<uint64_t>(last_commit_micros)));
      if (!s.ok()) return fail(ToStatus(s, "recording the head's commit time"));
    }
  }

  auto store = std::make_unique<RocksDbDatastore>(options, std::move(db), std::move(handles),
                                                  instance_id, head, horizon, last_commit_micros);
  // A pass may have recorded its horizon and stopped before raising RocksDB's.
  if (horizon > 0) {
    if (absl::Status st = store->RaiseFullHistoryTsLow(horizon); !st.ok()) return st;
  }
  return std::unique_ptr<Datastore>(std::move(store));
}

absl::Status CompactRocksDbDatastore(Datastore* datastore) {
  auto* store = dynamic_cast<RocksDbDatastore*>(datastore);
  if (store == nullptr) return absl::InvalidArgumentError("not a RocksDB datastore");
  return store->CompactAll();
}

}  // namespace rebac::storage
