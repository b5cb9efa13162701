#include "storage/datastore.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace rebac::storage {
namespace {

// The payload that marks RevisionExpiredError, so callers need not match its message.
constexpr char kRevisionExpiredPayload[] = "rebac.storage/revision-expired";

}  // namespace

absl::Status RevisionExpiredError(Revision revision, Revision oldest) {
  absl::Status status = absl::OutOfRangeError(absl::StrCat("revision ", revision,
                                                           " has expired: history before revision ",
                                                           oldest, " was garbage collected"));
  status.SetPayload(kRevisionExpiredPayload, absl::Cord("1"));
  return status;
}

absl::Status Snapshot::ForEachResourceOf(absl::string_view subject_type,
                                         absl::string_view subject_id,
                                         absl::string_view subject_relation,
                                         absl::Span<const ResourceScanTarget> targets,
                                         TargetedRelationshipVisitor visit) const {
  for (size_t i = 0; i < targets.size(); ++i) {
    bool stopped = false;
    absl::Status s =
        ForEachResource(subject_type, subject_id, subject_relation, targets[i].resource_type,
                        targets[i].relation, [&](const RelationshipView& view) {
                          stopped = !visit(i, view);
                          return !stopped;
                        });
    if (!s.ok() || stopped) return s;
  }
  return absl::OkStatus();
}

bool IsRevisionExpired(const absl::Status& status) {
  return status.GetPayload(kRevisionExpiredPayload).has_value();
}

}  // namespace rebac::storage
