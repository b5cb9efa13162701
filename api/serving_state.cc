#include "api/serving_state.h"

#include "absl/strings/str_cat.h"
#include "api/zed_token.h"
#include "schema/compiler.h"

namespace rebac::api {
namespace {

constexpr size_t kMaxCachedSchemas = 16;

}  // namespace

ServingState::ServingState(std::unique_ptr<storage::Datastore> datastore)
    : datastore_(std::move(datastore)),
      empty_schema_(std::make_shared<const schema::CompiledSchema>()) {}

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
      return ViewAt(exact ? *revision : head);
    }
    case C::kFullyConsistent:
    case C::kMinimizeLatency:
    case C::REQUIREMENT_NOT_SET:
      return ViewAt(head);
  }
  return ViewAt(head);
}

absl::StatusOr<ReadView> ServingState::ViewAt(storage::Revision revision) {
  ReadView view;
  absl::StatusOr<std::shared_ptr<const storage::Snapshot>> snapshot =
      datastore_->SnapshotAt(revision);
  if (!snapshot.ok()) return snapshot.status();
  view.snapshot = std::move(*snapshot);
  absl::StatusOr<std::shared_ptr<const schema::CompiledSchema>> schema =
      SchemaAt(revision, &view.has_schema);
  if (!schema.ok()) return schema.status();
  view.schema = std::move(*schema);
  view.token = TokenFor(revision);
  return view;
}

absl::StatusOr<std::shared_ptr<const schema::CompiledSchema>> ServingState::SchemaAt(
    storage::Revision revision, bool* has_schema) {
  absl::StatusOr<std::optional<storage::Datastore::SchemaVersion>> version =
      datastore_->SchemaAt(revision);
  if (!version.ok()) return version.status();
  *has_schema = version->has_value();
  if (!*has_schema) return empty_schema_;
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
