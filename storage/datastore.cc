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

bool IsRevisionExpired(const absl::Status& status) {
  return status.GetPayload(kRevisionExpiredPayload).has_value();
}

}  // namespace rebac::storage
