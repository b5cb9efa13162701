#include "api/serving_state.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "api/zed_token.h"
#include "schema/compiler.h"

namespace rebac::api {
namespace {

constexpr size_t kMaxCachedSchemas = 16;

// SpiceDB's answer to a revision older than its GC window (consistency middleware: OUT_OF_RANGE,
// "invalid revision: " + datastore.NewInvalidRevisionErr(..., RevisionStale)).
absl::Status RevisionExpired() {
  return absl::OutOfRangeError("invalid revision: revision has expired");
}
constexpr size_t kMaxCachedRevisions = 64;

// A random duration in [0, bound).
absl::Duration RandomBelow(absl::Duration bound) {
  const int64_t nanos = absl::ToInt64Nanoseconds(bound);
  if (nanos <= 0) return absl::ZeroDuration();
  thread_local std::minstd_rand rng(std::random_device{}());
  return absl::Nanoseconds(std::uniform_int_distribution<int64_t>(0, nanos - 1)(rng));
}

// Whether any relation allows expiring relationships: answers about those change with the
// clock, not only with the revision.
bool AllowsExpiration(const schema::CompiledSchema& schema) {
  for (const schema::Definition& definition : schema.definitions()) {
    for (const schema::Relation& relation : definition.relations) {
      for (const schema::AllowedSubjectType& allowed : relation.allowed) {
        if (allowed.expiration) return true;
      }
    }
  }
  return false;
}

}  // namespace

ServingState::ServingState(std::unique_ptr<storage::Datastore> datastore,
                           RevisionQuantization quantization, size_t check_cache_entries)
    : datastore_(std::move(datastore)),
      quantization_(std::move(quantization)),
      empty_schema_(std::make_shared<const schema::CompiledSchema>()),
      check_cache_(check_cache_entries) {}

storage::Revision ServingState::QuantizedRevision() {
  if (quantization_.interval <= absl::ZeroDuration()) return datastore_->HeadRevision();
  const absl::Time now = quantization_.now();
  // As SpiceDB: a revision stays usable a random part of the staleness allowance past its
  // interval, so requests do not all move on at the same instant.
  const absl::Time adjusted_now =
      now - RandomBelow(quantization_.interval * quantization_.max_staleness_percent);
  {
    absl::ReaderMutexLock lock(&quantized_mu_);
    if (quantized_valid_through_ > adjusted_now) return quantized_revision_;
  }
  absl::MutexLock lock(&quantized_mu_);
  if (quantized_valid_through_ > adjusted_now) return quantized_revision_;
  // Valid until the end of the interval `now` falls in.
  const absl::Time start =
      absl::UnixEpoch() + absl::Floor(now - absl::UnixEpoch(), quantization_.interval);
  quantized_revision_ = std::max(quantized_revision_, datastore_->HeadRevision());
  quantized_valid_through_ = start + quantization_.interval;
  return quantized_revision_;
}

std::string ServingState::TokenFor(storage::Revision revision) const {
  return EncodeZedToken(datastore_->instance_id(), revision);
}

absl::StatusOr<ReadView> ServingState::ViewFor(const authzed::api::v1::Consistency* consistency) {
  storage::Revision head = datastore_->HeadRevision();
  if (consistency == nullptr) return ViewAt(head);
  using C = authzed::api::v1::Consistency;
  switch (consistency->requirement_case()) {
    case C::kAtLeastAsFresh:
    case C::kAtExactSnapshot: {
      const bool exact = consistency->requirement_case() == C::kAtExactSnapshot;
      const auto& token =
          exact ? consistency->at_exact_snapshot() : consistency->at_least_as_fresh();
      absl::StatusOr<storage::Revision> revision =
          DecodeZedToken(token.token(), datastore_->instance_id());
      if (!revision.ok()) return revision.status();
      if (*revision > head) {
        return absl::InvalidArgumentError(absl::StrCat("invalid ZedToken: revision ", *revision,
                                                       " is newer than this datastore's newest, ",
                                                       head));
      }
      if (exact) return ViewAt(*revision);
      // As SpiceDB: an old token only sets a floor, so one past the history window is no error.
      return ViewAt(std::max({*revision, QuantizedRevision(), datastore_->OldestRevision()}));
    }
    case C::kFullyConsistent:
      return ViewAt(head);
    case C::kMinimizeLatency:
    case C::REQUIREMENT_NOT_SET:
      // A quantized revision older than a short history window would no longer be readable.
      return ViewAt(std::max(QuantizedRevision(), datastore_->OldestRevision()));
  }
  return ViewAt(head);
}

absl::StatusOr<ReadView> ServingState::ViewAt(storage::Revision revision) {
  ReadView view;
  absl::StatusOr<std::shared_ptr<const storage::Snapshot>> snapshot =
      datastore_->SnapshotAt(revision);
  if (!snapshot.ok()) {
    if (storage::IsRevisionExpired(snapshot.status())) return RevisionExpired();
    return snapshot.status();
  }
  view.snapshot = std::move(*snapshot);
  absl::StatusOr<std::shared_ptr<const RevisionInfo>> info = InfoAt(revision);
  if (!info.ok()) return info.status();
  view.schema = (*info)->schema;
  view.has_schema = (*info)->has_schema;
  view.schema_revision = (*info)->schema_revision;
  view.token = (*info)->token;
  if ((*info)->cacheable_checks) view.check_cache = &check_cache_;
  return view;
}

absl::StatusOr<std::shared_ptr<const ServingState::RevisionInfo>> ServingState::InfoAt(
    storage::Revision revision) {
  {
    absl::ReaderMutexLock lock(&info_mu_);
    if (auto it = info_.find(revision); it != info_.end()) return it->second;
  }
  auto info = std::make_shared<RevisionInfo>();
  absl::StatusOr<std::shared_ptr<const schema::CompiledSchema>> schema =
      SchemaAt(revision, info.get());
  if (!schema.ok()) return schema.status();
  info->schema = std::move(*schema);
  info->token = TokenFor(revision);
  info->cacheable_checks = !AllowsExpiration(*info->schema);
  absl::MutexLock lock(&info_mu_);
  if (info_.size() >= kMaxCachedRevisions) info_.clear();
  return info_.emplace(revision, std::move(info)).first->second;
}

absl::StatusOr<std::shared_ptr<const schema::CompiledSchema>> ServingState::SchemaAt(
    storage::Revision revision, RevisionInfo* info) {
  absl::StatusOr<std::optional<storage::Datastore::SchemaVersion>> version =
      datastore_->SchemaAt(revision);
  if (!version.ok()) return version.status();
  info->has_schema = version->has_value();
  if (!info->has_schema) return empty_schema_;
  info->schema_revision = (*version)->revision;
  {
    absl::MutexLock lock(&schema_mu_);
    if (auto it = compiled_.find((*version)->revision); it != compiled_.end()) return it->second;
  }
  schema::CompileResult compiled = schema::Compile((*version)->text);
  if (!compiled.ok()) {
    return absl::DataLossError(absl::StrCat("the stored schema of revision ", (*version)->revision,
                                            " no longer compiles: ", compiled.error().ToString()));
  }
  absl::MutexLock lock(&schema_mu_);
  if (compiled_.size() >= kMaxCachedSchemas) compiled_.clear();
  compiled_.emplace((*version)->revision, compiled.schema());
  return compiled.schema();
}

}  // namespace rebac::api
