#include "storage/memory/memory_datastore.h"

#include <chrono>
#include <map>
#include <random>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "storage/key_codec.h"
#include "storage/revision_notifier.h"
#include "storage/write_plan.h"

namespace rebac::storage {
namespace {

// Scans copy this many entries under the lock, then visit them without it.
constexpr size_t kScanChunk = 256;

struct Version {
  Revision revision;
  bool deleted;
  std::string value;
};
// Versions of one key, oldest first.
using VersionedIndex = std::map<std::string, std::vector<Version>, std::less<>>;

// The value of the newest version at or before `revision`, or nullptr when absent then.
const std::string* VisibleAt(const std::vector<Version>& versions, Revision revision) {
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    if (it->revision <= revision) return it->deleted ? nullptr : &it->value;
  }
  return nullptr;
}

// Everything the store holds; shared with snapshots so they outlive nothing they read.
struct MemoryState {
  mutable absl::Mutex mu;
  VersionedIndex rel ABSL_GUARDED_BY(mu);
  VersionedIndex by_subject ABSL_GUARDED_BY(mu);
  std::vector<RevisionChanges> changes ABSL_GUARDED_BY(mu);  // [i] is revision i + 1
  std::map<Revision, std::string> schemas ABSL_GUARDED_BY(mu);
};

class MemorySnapshot final : public Snapshot {
 public:
  MemorySnapshot(std::shared_ptr<const MemoryState> state, Revision revision)
      : state_(std::move(state)), revision_(revision), now_micros_(NowMicros()) {}

  Revision revision() const override { return revision_; }

  absl::StatusOr<std::optional<RelationshipValue>> Find(
      absl::string_view resource_type, absl::string_view resource_id, absl::string_view relation,
      absl::string_view subject_type, absl::string_view subject_id,
      absl::string_view subject_relation,
      ExpiredRelationships expired = ExpiredRelationships::kHide) const override {
    std::string key = keys::EncodePrefix(
        {resource_type, resource_id, relation, subject_type, subject_relation, subject_id});
    std::string value;
    {
      absl::ReaderMutexLock lock(&state_->mu);
      auto it = state_->rel.find(key);
      if (it == state_->rel.end()) return std::nullopt;
      const std::string* visible = VisibleAt(it->second, revision_);
      if (visible == nullptr) return std::nullopt;
      value = *visible;
    }
    if (expired == ExpiredRelationships::kHide && IsExpiredValue(value, now_micros_)) {
      return std::nullopt;
    }
    RelationshipValue decoded;
    if (!DecodeValue(value, &decoded)) return absl::DataLossError("undecodable relationship value");
    return decoded;
  }

  absl::Status ForEachSubject(absl::string_view resource_type, absl::string_view resource_id,
                              absl::string_view relation,
                              std::optional<absl::string_view> subject_type,
                              std::optional<absl::string_view> subject_relation,
                              RelationshipVisitor visit) const override {
    std::string prefix = keys::EncodePrefix({resource_type, resource_id, relation});
    if (subject_type) {
      keys::AppendName(&prefix, *subject_type);
      if (subject_relation) keys::AppendName(&prefix, *subject_relation);
    }
    return Scan(/*by_subject=*/false, prefix, nullptr, visit);
  }

  absl::Status ForEachResource(absl::string_view subject_type, absl::string_view subject_id,
                               absl::string_view subject_relation, absl::string_view resource_type,
                               std::optional<absl::string_view> relation,
                               RelationshipVisitor visit) const override {
    std::string prefix =
        keys::EncodePrefix({subject_type, subject_id, subject_relation, resource_type});
    if (relation) keys::AppendName(&prefix, *relation);
    return Scan(/*by_subject=*/true, prefix, nullptr, visit);
  }

  absl::Status ForEach(const RelationshipFilter& f, RelationshipVisitor visit,
                       ExpiredRelationships expired = ExpiredRelationships::kHide) const override {
    keys::ScanRange range = keys::PlanScan(f);
    return Scan(range.by_subject, range.prefix, &f, visit, expired);
  }

 private:
  absl::Status Scan(bool by_subject, const std::string& prefix, const RelationshipFilter* filter,
                    RelationshipVisitor visit,
                    ExpiredRelationships expired = ExpiredRelationships::kHide) const {
    std::vector<std::pair<std::string, std::string>> chunk;
    std::string resume_after;
    bool first = true;
    while (true) {
      chunk.clear();
      bool more = false;
      {
        absl::ReaderMutexLock lock(&state_->mu);
        const VersionedIndex& index = by_subject ? state_->by_subject : state_->rel;
        auto it = first ? index.lower_bound(prefix) : index.upper_bound(resume_after);
        for (; it != index.end() && absl::StartsWith(it->first, prefix); ++it) {
          if (chunk.size() == kScanChunk) {
            more = true;
            break;
          }
          const std::string* value = VisibleAt(it->second, revision_);
          if (value != nullptr) chunk.emplace_back(it->first, *value);
        }
      }
      first = false;
      RelationshipView view;
      for (const auto& [key, value] : chunk) {
        bool decoded =
            by_subject ? keys::DecodeSubjectKey(key, &view) : keys::DecodeResourceKey(key, &view);
        if (!decoded) return absl::DataLossError("malformed relationship key in the store");
        view.encoded_value = value;
        if (expired == ExpiredRelationships::kHide &&
            IsExpiredValue(view.encoded_value, now_micros_)) {
          continue;
        }
        if (filter != nullptr && !filter->Matches(view)) continue;
        if (!visit(view)) return absl::OkStatus();
      }
      if (!more) return absl::OkStatus();
      resume_after = chunk.back().first;
    }
  }

  std::shared_ptr<const MemoryState> state_;
  Revision revision_;
  int64_t now_micros_;
};

class MemoryDatastore;

// Collects the relationships and writes them with one Write at commit: the memory engine holds
// them in memory either way.
class MemoryBulkLoad final : public BulkLoad {
 public:
  MemoryBulkLoad(Datastore* store, std::string metadata)
      : store_(store), start_(*store->SnapshotAt(store->HeadRevision())) {
    request_.transaction_metadata = std::move(metadata);
  }

  absl::Status Add(const std::vector<Relationship>& relationships) override {
    for (const Relationship& r : relationships) {
      absl::StatusOr<std::optional<RelationshipValue>> existing =
          start_->Find(r.resource_type, r.resource_id, r.relation, r.subject_type, r.subject_id,
                       r.subject_relation);
      if (!existing.ok()) return existing.status();
      if (existing->has_value()) return RelationshipExistsError(r);
      // Imported twice: as a relationship that exists by the time the second one is created.
      if (!imported_.insert(keys::ResourceKey(r)).second) return RelationshipExistsError(r);
      request_.updates.push_back({UpdateOperation::kCreate, r});
    }
    return absl::OkStatus();
  }

  absl::StatusOr<WriteResult> Commit() override {
    if (request_.updates.empty()) return WriteResult{.revision = store_->HeadRevision()};
    request_.expected_schema_revision = expected_schema_revision_;
    return store_->Write(request_);
  }

 private:
  Datastore* store_;
  std::shared_ptr<const Snapshot> start_;
  WriteRequest request_;
  absl::flat_hash_set<std::string> imported_;  // `rel` keys added so far
};

std::string NewInstanceId() {
  std::random_device rd;
  std::string bytes(16, '\0');
  for (char& c : bytes) c = static_cast<char>(rd() & 0xff);
  return absl::BytesToHexString(bytes);
}

class MemoryDatastore final : public Datastore {
 public:
  MemoryDatastore() : state_(std::make_shared<MemoryState>()), instance_id_(NewInstanceId()) {}

  Revision HeadRevision() const override { return head_.head(); }

  absl::StatusOr<std::shared_ptr<const Snapshot>> SnapshotAt(Revision revision) const override {
    if (revision > HeadRevision()) {
      return absl::OutOfRangeError(
          absl::StrCat("revision ", revision, " is newer than the newest one, ", HeadRevision()));
    }
    return std::make_shared<MemorySnapshot>(state_, revision);
  }

  absl::StatusOr<WriteResult> Write(const WriteRequest& request) override {
    absl::MutexLock write_lock(&write_mu_);
    const Revision head = HeadRevision();
    MemorySnapshot current(state_, head);
    Revision schema_revision = 0;
    {
      absl::ReaderMutexLock lock(&state_->mu);
      if (!state_->schemas.empty()) schema_revision = state_->schemas.rbegin()->first;
    }
    absl::StatusOr<WritePlan> plan = PlanWrite(current, schema_revision, request);
    if (!plan.ok()) return plan.status();
    const Revision revision = head + 1;
    RevisionChanges changes;
    changes.revision = revision;
    changes.schema_text = request.schema_text;
    changes.transaction_metadata = request.transaction_metadata;
    {
      absl::MutexLock lock(&state_->mu);
      for (RelationshipUpdate& u : plan->changes) {
        const bool deleted = u.operation == UpdateOperation::kDelete;
        std::string value = deleted ? std::string() : EncodeValue(u.relationship.value);
        state_->rel[keys::ResourceKey(u.relationship)].push_back({revision, deleted, value});
        state_->by_subject[keys::SubjectKey(u.relationship)].push_back(
            {revision, deleted, std::move(value)});
      }
      if (request.schema_text) state_->schemas[revision] = *request.schema_text;
      changes.updates = std::move(plan->changes);
      state_->changes.push_back(std::move(changes));
    }
    head_.Publish(revision);
    return WriteResult{.revision = revision, .relationships_deleted = plan->relationships_deleted};
  }

  absl::StatusOr<std::optional<SchemaVersion>> SchemaAt(Revision revision) const override {
    absl::ReaderMutexLock lock(&state_->mu);
    auto it = state_->schemas.upper_bound(revision);
    if (it == state_->schemas.begin()) return std::nullopt;
    --it;
    return SchemaVersion{.revision = it->first, .text = it->second};
  }

  absl::Status ReadChanges(Revision after, size_t max_revisions,
                           ChangeVisitor visit) const override {
    const Revision head = HeadRevision();
    if (after > head) {
      return absl::OutOfRangeError(
          absl::StrCat("revision ", after, " is newer than the newest one, ", head));
    }
    for (Revision r = after + 1; r <= head && r - after <= max_revisions; ++r) {
      RevisionChanges changes;
      {
        absl::ReaderMutexLock lock(&state_->mu);
        changes = state_->changes[r - 1];
      }
      if (!visit(changes)) break;
    }
    return absl::OkStatus();
  }

  Revision WaitForRevisionAfter(Revision after, absl::Time deadline) const override {
    return head_.WaitForRevisionAfter(after, deadline);
  }

  absl::StatusOr<std::unique_ptr<BulkLoad>> StartBulkLoad(
      std::string transaction_metadata) override {
    return std::make_unique<MemoryBulkLoad>(this, std::move(transaction_metadata));
  }

  const std::string& instance_id() const override { return instance_id_; }

  // Nothing is collected (see the header): every revision stays readable.
  Revision OldestRevision() const override { return 0; }

  absl::StatusOr<GcResult> CollectGarbage(absl::Time) override {
    absl::MutexLock lock(&stats_mu_);
    ++stats_.passes;
    stats_.last_pass = absl::Now();
    return GcResult{};
  }

  GcStats gc_stats() const override {
    absl::MutexLock lock(&stats_mu_);
    return stats_;
  }

 private:
  mutable absl::Mutex stats_mu_;
  GcStats stats_ ABSL_GUARDED_BY(stats_mu_);
  std::shared_ptr<MemoryState> state_;
  const std::string instance_id_;
  RevisionNotifier head_{0};
  absl::Mutex write_mu_;
};

}  // namespace

std::unique_ptr<Datastore> NewMemoryDatastore() { return std::make_unique<MemoryDatastore>(); }

}  // namespace rebac::storage
