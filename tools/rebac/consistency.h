// The --consistency flag: `full`, `min`, `token:ZEDTOKEN` (at least as fresh) or
// `exact:ZEDTOKEN` (at exactly that snapshot), as an authzed.api.v1.Consistency.
#ifndef REBACD_TOOLS_REBAC_CONSISTENCY_H_
#define REBACD_TOOLS_REBAC_CONSISTENCY_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "authzed/api/v1/permission_service.pb.h"

namespace rebac::cli {

inline constexpr absl::string_view kConsistencyHelp =
    "full (default) | min | token:ZEDTOKEN (at least as fresh) | exact:ZEDTOKEN";

absl::StatusOr<authzed::api::v1::Consistency> ParseConsistency(absl::string_view text);

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_CONSISTENCY_H_
