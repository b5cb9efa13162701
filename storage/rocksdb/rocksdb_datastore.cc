#include "storage/rocksdb/rocksdb_datastore.h"

#include <atomic>
#include <chrono>
#include <random>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "storage/key_codec.h"
#include "storage/revision_notifier.h"
#include "storage/rocksdb/changelog_codec.h"
#include "storage/rocksdb/revision_comparator.h"
#include "storage/write_plan.h"

namespace rebac::storage {
namespace {

using keys::AppendName;
using keys::DecodeResourceKey;
using keys::DecodeSubjectKey;
using keys::EncodePrefix;
using keys::PrefixEnd;
using keys::ResourceKey;
using keys::RevisionKey;
using keys::SubjectKey;
using rocksdb_engine::ChangelogEntryBuilder;
using rocksdb_engine::EncodeRevisionTimestamp;

constexpr char kFormatVersion[] = "1";
constexpr char kMetaFormat[] = "format_version";
constexpr char kMetaInstance[] = "instance_id";
constexpr char kMetaHead[] = "head_revision";

enum ColumnFamily { kMeta = 0, kRel, kRelBySubject, kChangelog, kSchema, kNumColumnFamilies };
const char* const kColumnFamilyNames[kNumColumnFamilies] = {
    rocksdb::kDefaultColumnFamilyName.c_str(), "rel", "rel_by_subj", "changelog", "schema"};

absl::Status ToStatus(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsIOError() || s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

class RocksDbDatastore;

class RocksDbSnapshot final : public Snapshot {
 public:
  RocksDbSnapshot(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* rel,
                  rocksdb::ColumnFamilyHandle* rel_by_subject, Revision revision)
      : db_(db),
        rel_(rel),
        rel_by_subject_(rel_by_subject),
        revision_(revision),
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
    if (!s.ok()) return ToStatus(s, "reading relationship");
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

  absl::Status Scan(rocksdb::ColumnFamilyHandle* cf, const std::string& prefix, bool by_subject,
                    const RelationshipFilter* filter, RelationshipVisitor visit,
                    ExpiredRelationships expired = ExpiredRelationships::kHide) const {
    rocksdb::ReadOptions ro = ReadOptionsAt();
    std::string upper = PrefixEnd(prefix);
    rocksdb::Slice upper_slice(upper);
    if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf));
    RelationshipView view;
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      rocksdb::Slice key = it->key();
      absl::string_view k(key.data(), key.size());
      bool decoded = by_subject ? DecodeSubjectKey(k, &view) : DecodeResourceKey(k, &view);
      if (!decoded) return absl::DataLossError("malformed relationship key in the store");
      rocksdb::Slice value = it->value();
      view.encoded_value = absl::string_view(value.data(), value.size());
      if (expired == ExpiredRelationships::kHide &&
          IsExpiredValue(view.encoded_value, now_micros_)) {
        continue;
      }
      if (filter != nullptr && !filter->Matches(view)) continue;
      if (!visit(view)) break;
    }
    return ToStatus(it->status(), "scanning relationships");
  }

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* rel_;
  rocksdb::ColumnFamilyHandle* rel_by_subject_;
  Revision revision_;
  std::string timestamp_;
  rocksdb::Slice timestamp_slice_;
  int64_t now_micros_;
};

class RocksDbDatastore final : public Datastore {
 public:
  RocksDbDatastore(RocksDbOptions options, std::unique_ptr<rocksdb::DB> db,
                   std::vector<rocksdb::ColumnFamilyHandle*> handles, std::string instance_id,
                   Revision head)
      : options_(std::move(options)),
        db_(std::move(db)),
        handles_(std::move(handles)),
        instance_id_(std::move(instance_id)),
        head_(head) {}

  ~RocksDbDatastore() override {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    db_->Close();
  }

  Revision HeadRevision() const override { return head_.head(); }

  absl::StatusOr<std::shared_ptr<const Snapshot>> SnapshotAt(Revision revision) const override {
    if (revision > HeadRevision()) {
      return absl::OutOfRangeError(
          absl::StrCat("revision ", revision, " is newer than the newest one, ", HeadRevision()));
    }
    return std::make_shared<RocksDbSnapshot>(db_.get(), handles_[kRel], handles_[kRelBySubject],
                                             revision);
  }

  absl::StatusOr<WriteResult> Write(const WriteRequest& request) override {
    absl::MutexLock lock(&write_mu_);  // one writer: revisions are assigned in commit order
    Revision head = HeadRevision();
    RocksDbSnapshot current(db_.get(), handles_[kRel], handles_[kRelBySubject], head);
    Revision schema_revision = 0;
    if (request.expected_schema_revision) {
      absl::StatusOr<std::optional<SchemaVersion>> schema = SchemaAt(head);
      if (!schema.ok()) return schema.status();
      if (schema->has_value()) schema_revision = (*schema)->revision;
    }
    absl::StatusOr<WritePlan> plan = PlanWrite(current, schema_revision, request);
    if (!plan.ok()) return plan.status();

    const Revision revision = head + 1;
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
    if (absl::Status s = CommitLocked(&batch, revision, changelog); !s.ok()) return s;
    return WriteResult{.revision = revision, .relationships_deleted = plan->relationships_deleted};
  }

  absl::Status ReadChanges(Revision after, size_t max_revisions,
                           ChangeVisitor visit) const override {
    const Revision head = HeadRevision();
    if (after > head) {
      return absl::OutOfRangeError(
          absl::StrCat("revision ", after, " is newer than the newest one, ", head));
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
    for (it->Seek(RevisionKey(after + 1)); it->Valid() && visited < max_revisions; it->Next()) {
      changes.revision = keys::DecodeRevisionKey(absl::string_view(it->key().data(), 8));
      if (changes.revision != expected) {
        // Revisions are dense and each one writes its entry, so a gap is damage (or history
        // collected by GC, which does not exist yet).
        return absl::DataLossError(
            absl::StrCat("the changelog has no entry for revision ", expected));
      }
      rocksdb::Slice value = it->value();
      if (absl::Status s = rocksdb_engine::DecodeChangelogEntry(
              absl::string_view(value.data(), value.size()), &changes);
          !s.ok()) {
        return s;
      }
      ++visited;
      ++expected;
      if (!visit(changes)) return absl::OkStatus();
    }
    return ToStatus(it->status(), "reading the changelog");
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

  // Adds the changelog entry and the new head to `batch`, writes it and publishes `revision`.
  // REQUIRES: write_mu_ held; revision == HeadRevision() + 1.
  absl::Status CommitLocked(rocksdb::WriteBatch* batch, Revision revision,
                            const ChangelogEntryBuilder& changelog)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_) {
    rocksdb::Status s =
        batch->Put(handles_[kChangelog], RevisionKey(revision), rocksdb::Slice(changelog.bytes()));
    if (s.ok()) s = batch->Put(handles_[kMeta], kMetaHead, RevisionKey(revision));
    if (!s.ok()) return ToStatus(s, "batching a write");
    rocksdb::WriteOptions wo;
    wo.sync = options_.sync;
    if (absl::Status st = ToStatus(db_->Write(wo, batch), "committing"); !st.ok()) return st;
    head_.Publish(revision);
    return absl::OkStatus();
  }

  std::shared_ptr<const Snapshot> HeadSnapshot() const {
    return std::make_shared<RocksDbSnapshot>(db_.get(), handles_[kRel], handles_[kRelBySubject],
                                             HeadRevision());
  }

  absl::Mutex& write_mu() ABSL_LOCK_RETURNED(write_mu_) { return write_mu_; }
  rocksdb::ColumnFamilyHandle* handle(int cf) const { return handles_[cf]; }
  const RocksDbOptions& options() const { return options_; }

  absl::StatusOr<std::optional<SchemaVersion>> SchemaAt(Revision revision) const override {
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

 private:
  const RocksDbOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  const std::string instance_id_;
  RevisionNotifier head_;
  absl::Mutex write_mu_;
};

// One import as one WriteBatch. Keys go in with a placeholder timestamp and are restamped with
// the revision at commit (WriteBatch::UpdateTimestamps), so other writers are not blocked while
// the client streams. The batch lives in memory, bounded by RocksDbOptions::max_bulk_load_bytes.
class RocksDbBulkLoad final : public BulkLoad {
 public:
  RocksDbBulkLoad(RocksDbDatastore* store, std::string metadata)
      : store_(store), start_(store->HeadSnapshot()), placeholder_ts_(EncodeRevisionTimestamp(0)) {
    changelog_.SetTransactionMetadata(metadata);
  }

  absl::Status Add(const std::vector<Relationship>& relationships) override {
    for (const Relationship& r : relationships) {
      absl::StatusOr<std::optional<RelationshipValue>> existing =
          start_->Find(r.resource_type, r.resource_id, r.relation, r.subject_type, r.subject_id,
                       r.subject_relation);
      if (!existing.ok()) return existing.status();
      if (existing->has_value()) return RelationshipExistsError(r);
      std::string value = EncodeValue(r.value);
      absl::Status s =
          store_->AddToBatch(&batch_, UpdateOperation::kCreate, r, value, placeholder_ts_);
      if (!s.ok()) return s;
      changelog_.AddUpdate(UpdateOperation::kCreate, r, value);
      ++count_;
    }
    const size_t bytes = batch_.GetDataSize() + changelog_.size();
    if (bytes > store_->options().max_bulk_load_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the import holds ", count_, " relationships (", bytes,
          " bytes), over this server's limit of ", store_->options().max_bulk_load_bytes,
          " bytes for one transaction; split it into several imports"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<WriteResult> Commit() override {
    absl::MutexLock lock(&store_->write_mu());
    const Revision head = store_->HeadRevision();
    if (count_ == 0) return WriteResult{.revision = head};
    if (expected_schema_revision_) {
      absl::StatusOr<std::optional<Datastore::SchemaVersion>> schema = store_->SchemaAt(head);
      if (!schema.ok()) return schema.status();
      const Revision current = schema->has_value() ? (*schema)->revision : 0;
      if (current != *expected_schema_revision_) {
        return SchemaChangedError(*expected_schema_revision_, current);
      }
    }
    if (head != start_->revision()) {
      // Writes committed since the load began may have created some of these relationships.
      if (absl::Status s = Recheck(*store_->HeadSnapshot()); !s.ok()) return s;
    }
    const Revision revision = head + 1;
    const uint32_t rel_id = store_->handle(kRel)->GetID();
    const uint32_t by_subject_id = store_->handle(kRelBySubject)->GetID();
    rocksdb::Status s = batch_.UpdateTimestamps(
        EncodeRevisionTimestamp(revision),
        [&](uint32_t cf) -> size_t { return cf == rel_id || cf == by_subject_id ? 8 : 0; });
    if (!s.ok()) return ToStatus(s, "stamping the import with its revision");
    if (absl::Status st = store_->CommitLocked(&batch_, revision, changelog_); !st.ok()) return st;
    return WriteResult{.revision = revision};
  }

 private:
  // Looks up every relationship of the batch in `head`, reading the keys back from the batch
  // itself so the check needs no memory of its own.
  class RecheckHandler : public rocksdb::WriteBatch::Handler {
   public:
    RecheckHandler(const Snapshot& head, uint32_t rel_id) : head_(head), rel_id_(rel_id) {}
    rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice&) override {
      if (cf != rel_id_) return rocksdb::Status::OK();
      RelationshipView v;
      if (key.size() < 8 ||
          !keys::DecodeResourceKey(absl::string_view(key.data(), key.size() - 8), &v)) {
        status = absl::InternalError("undecodable key in an import batch");
        return rocksdb::Status::Aborted();
      }
      absl::StatusOr<std::optional<RelationshipValue>> found =
          head_.Find(v.resource_type, v.resource_id, v.relation, v.subject_type, v.subject_id,
                     v.subject_relation);
      if (!found.ok()) {
        status = found.status();
      } else if (found->has_value()) {
        status = RelationshipExistsError(v.ToRelationship());
      } else {
        return rocksdb::Status::OK();
      }
      return rocksdb::Status::Aborted();
    }
    absl::Status status;

   private:
    const Snapshot& head_;
    uint32_t rel_id_;
  };

  absl::Status Recheck(const Snapshot& head) {
    RecheckHandler handler(head, store_->handle(kRel)->GetID());
    rocksdb::Status s = batch_.Iterate(&handler);
    if (!handler.status.ok()) return handler.status;
    return ToStatus(s, "rechecking the import");
  }

  RocksDbDatastore* store_;
  std::shared_ptr<const Snapshot> start_;
  const std::string placeholder_ts_;
  rocksdb::WriteBatch batch_;
  ChangelogEntryBuilder changelog_;
  uint64_t count_ = 0;
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
    if (format != kFormatVersion) {
      return fail(absl::FailedPreconditionError(
          absl::StrCat("the datastore at ", options.path, " has format version ", format,
                       "; this rebacd reads version ", kFormatVersion)));
    }
    s = db->Get(rocksdb::ReadOptions(), meta, kMetaInstance, &instance_id);
    if (s.ok()) s = db->Get(rocksdb::ReadOptions(), meta, kMetaHead, &head_bytes);
    if (!s.ok()) return fail(ToStatus(s, "reading the datastore metadata"));
  }
  Revision head = keys::DecodeRevisionKey(head_bytes);
  return std::unique_ptr<Datastore>(
      new RocksDbDatastore(options, std::move(db), std::move(handles), instance_id, head));
}

}  // namespace rebac::storage
