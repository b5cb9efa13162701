// SpiceDB's ErrorReason on an absl::Status.
//
// The engine and the API attach the reason (the name of an authzed.api.v1.ErrorReason value,
// e.g. "ERROR_REASON_UNKNOWN_DEFINITION") and its metadata as status payloads; the API edge
// turns them into the google.rpc.ErrorInfo detail that SpiceDB's clients read.
#ifndef REBACD_GRAPH_ERROR_REASON_H_
#define REBACD_GRAPH_ERROR_REASON_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace rebac {

// A status with `code`, `message` and SpiceDB's error reason plus metadata.
absl::Status ErrorWithReason(absl::StatusCode code, absl::string_view message,
                             absl::string_view reason,
                             const std::map<std::string, std::string>& metadata = {});

// The reason attached by ErrorWithReason, or "" when none.
std::string ErrorReasonOf(const absl::Status& status);
// The metadata attached by ErrorWithReason.
std::map<std::string, std::string> ErrorMetadataOf(const absl::Status& status);

}  // namespace rebac

#endif  // REBACD_GRAPH_ERROR_REASON_H_
