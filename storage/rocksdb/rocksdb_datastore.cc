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
#include "storage/rocksdb/key_codec.h"
#include "storage/rocksdb/revision_comparator.h"

namespace rebac::storage {
namespace {

using rocksdb_engine::AppendName;
using rocksdb_engine::DecodeResourceKey;
using rocksdb_engine::DecodeSubjectKey;
using rocksdb_engine::EncodePrefix;
using rocksdb_engine::EncodeRevisionTimestamp;
using rocksdb_engine::PrefixEnd;
using rocksdb_engine::ResourceKey;
using rocksdb_engine::RevisionKey;
using rocksdb_engine::SubjectKey;

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

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// An expiring relationship disappears from reads at its expiry instant.
bool IsExpired(absl::string_view encoded_value, int64_t now_micros) {
  if (encoded_value.empty()) return false;
  RelationshipValue value;
  if (!DecodeValue(encoded_value, &value)) return false;
  return value.expires_at_micros != 0 && value.expires_at_micros <= now_micros;
}

// The changelog entry of one revision: [u8 op][6 length-prefixed names][length-prefixed value]
// per update, op 0xff marking a schema change followed by its text.
void AppendLengthPrefixed(std::string* out, absl::string_view s) {
  uint64_t v = s.size();
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
  out->append(s.data(), s.size());
}

void AppendChange(std::string* log, uint8_t op, const Relationship& r, absl::string_view value) {
  log->push_back(static_cast<char>(op));
  for (absl::string_view name :
       {absl::string_view(r.resource_type), absl::string_view(r.resource_id),
        absl::string_view(r.relation), absl::string_view(r.subject_type),
        absl::string_view(r.subject_id), absl::string_view(r.subject_relation)}) {
    AppendLengthPrefixed(log, name);
  }
  AppendLengthPrefixed(log, value);
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
      absl::string_view subject_relation) const override {
    std::string key = EncodePrefix(
        {resource_type, resource_id, relation, subject_type, subject_relation, subject_id});
    rocksdb::ReadOptions ro = ReadOptionsAt();
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(ro, rel_, key, &value);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) return ToStatus(s, "reading relationship");
    absl::string_view bytes(value.data(), value.size());
    if (IsExpired(bytes, now_micros_)) return std::nullopt;
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

  absl::Status ForEach(const RelationshipFilter& f, RelationshipVisitor visit) const override {
    // Use the subject-major index only when it narrows more than the resource-major one.
    bool resource_known = f.resource_type && (f.resource_id || f.resource_id_prefix);
    if (!resource_known && f.subject && f.subject->id) {
      std::string prefix = EncodePrefix({f.subject->type, *f.subject->id});
      if (f.subject->relation) {
        AppendName(&prefix, *f.subject->relation);
        if (f.resource_type) {
          AppendName(&prefix, *f.resource_type);
          if (f.relation) AppendName(&prefix, *f.relation);
        }
      }
      return Scan(rel_by_subject_, prefix, /*by_subject=*/true, &f, visit);
    }
    std::string prefix;
    if (f.resource_type) {
      prefix = EncodePrefix({*f.resource_type});
      if (f.resource_id) {
        AppendName(&prefix, *f.resource_id);
        if (f.relation) {
          AppendName(&prefix, *f.relation);
          if (f.subject) {
            AppendName(&prefix, f.subject->type);
            if (f.subject->relation) {
              AppendName(&prefix, *f.subject->relation);
              if (f.subject->id) AppendName(&prefix, *f.subject->id);
            }
          }
        }
      } else if (f.resource_id_prefix) {
        prefix.append(*f.resource_id_prefix);  // no terminator: a prefix of the id itself
      }
    }
    return Scan(rel_, prefix, /*by_subject=*/false, &f, visit);
  }

 private:
  rocksdb::ReadOptions ReadOptionsAt() const {
    rocksdb::ReadOptions ro;
    ro.timestamp = &timestamp_slice_;
    return ro;
  }

  absl::Status Scan(rocksdb::ColumnFamilyHandle* cf, const std::string& prefix, bool by_subject,
                    const RelationshipFilter* filter, RelationshipVisitor visit) const {
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
      if (IsExpired(view.encoded_value, now_micros_)) continue;
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

  Revision HeadRevision() const override { return head_.load(std::memory_order_acquire); }

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

    for (const Precondition& p : request.preconditions) {
      bool matched = false;
      absl::Status s = current.ForEach(p.filter, [&](const RelationshipView&) {
        matched = true;
        return false;
      });
      if (!s.ok()) return s;
      if (matched != (p.kind == Precondition::Kind::kMustMatch)) {
        return absl::FailedPreconditionError(
            p.kind == Precondition::Kind::kMustMatch
                ? "unable to satisfy write precondition: no relationship matches the MUST_MATCH "
                  "filter"
                : "unable to satisfy write precondition: a relationship matches the "
                  "MUST_NOT_MATCH filter");
      }
    }

    const Revision revision = head + 1;
    const std::string ts = EncodeRevisionTimestamp(revision);
    rocksdb::WriteBatch batch;
    std::string changelog;
    WriteResult result;
    result.revision = revision;

    auto put = [&](const Relationship& r, const std::string& value) -> absl::Status {
      rocksdb::Status s = batch.Put(handles_[kRel], ResourceKey(r), ts, value);
      if (s.ok()) s = batch.Put(handles_[kRelBySubject], SubjectKey(r), ts, value);
      return ToStatus(s, "batching a write");
    };
    auto remove = [&](const Relationship& r) -> absl::Status {
      rocksdb::Status s = batch.Delete(handles_[kRel], ResourceKey(r), ts);
      if (s.ok()) s = batch.Delete(handles_[kRelBySubject], SubjectKey(r), ts);
      return ToStatus(s, "batching a delete");
    };

    for (const RelationshipUpdate& u : request.updates) {
      const Relationship& r = u.relationship;
      absl::StatusOr<std::optional<RelationshipValue>> existing =
          current.Find(r.resource_type, r.resource_id, r.relation, r.subject_type, r.subject_id,
                       r.subject_relation);
      if (!existing.ok()) return existing.status();
      switch (u.operation) {
        case UpdateOperation::kCreate:
          if (existing->has_value()) {
            return absl::AlreadyExistsError(absl::StrCat(
                "could not CREATE relationship `", ToString(r),
                "`, as it already existed. If this is persistent, please switch to TOUCH "
                "operations or specify a precondition"));
          }
          [[fallthrough]];
        case UpdateOperation::kTouch: {
          std::string value = EncodeValue(r.value);
          if (absl::Status s = put(r, value); !s.ok()) return s;
          AppendChange(&changelog, static_cast<uint8_t>(u.operation), r, value);
          break;
        }
        case UpdateOperation::kDelete:
          if (!existing->has_value()) break;  // deleting what is not there is a no-op
          if (absl::Status s = remove(r); !s.ok()) return s;
          AppendChange(&changelog, static_cast<uint8_t>(u.operation), r, "");
          break;
      }
    }

    for (const RelationshipFilter& filter : request.delete_filters) {
      std::vector<Relationship> doomed;
      absl::Status s = current.ForEach(filter, [&](const RelationshipView& v) {
        doomed.push_back(v.ToRelationship());
        return true;
      });
      if (!s.ok()) return s;
      for (const Relationship& r : doomed) {
        if (absl::Status rs = remove(r); !rs.ok()) return rs;
        AppendChange(&changelog, static_cast<uint8_t>(UpdateOperation::kDelete), r, "");
      }
      result.relationships_deleted += doomed.size();
    }

    if (request.schema_text) {
      batch.Put(handles_[kSchema], RevisionKey(revision), *request.schema_text);
      changelog.push_back(static_cast<char>(0xff));
      AppendLengthPrefixed(&changelog, *request.schema_text);
    }
    batch.Put(handles_[kChangelog], RevisionKey(revision), changelog);
    batch.Put(handles_[kMeta], kMetaHead, RevisionKey(revision));

    rocksdb::WriteOptions wo;
    wo.sync = options_.sync;
    if (absl::Status s = ToStatus(db_->Write(wo, &batch), "committing"); !s.ok()) return s;
    head_.store(revision, std::memory_order_release);
    return result;
  }

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
        rocksdb_engine::DecodeRevisionKey(absl::string_view(it->key().data(), it->key().size()));
    version.text = it->value().ToString();
    return version;
  }

  const std::string& instance_id() const override { return instance_id_; }

 private:
  const RocksDbOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  const std::string instance_id_;
  std::atomic<Revision> head_;
  absl::Mutex write_mu_;
};

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
  Revision head = rocksdb_engine::DecodeRevisionKey(head_bytes);
  return std::unique_ptr<Datastore>(
      new RocksDbDatastore(options, std::move(db), std::move(handles), instance_id, head));
}

}  // namespace rebac::storage
