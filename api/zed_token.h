// ZedTokens: the opaque consistency tokens handed to clients.
//
// A token is base64 of a versioned rebacd.internal.ZedTokenPayload naming the datastore
// instance and the revision. Binding it to the instance means a token from another rebacd
// store is refused instead of silently meaning some unrelated revision.
#ifndef REBACD_API_ZED_TOKEN_H_
#define REBACD_API_ZED_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/relationship.h"

namespace rebac::api {

std::string EncodeZedToken(absl::string_view instance_id, storage::Revision revision);

struct DecodedZedToken {
  std::string instance_id;
  storage::Revision revision = 0;
};

// The contents of `token`, whichever instance issued it. INVALID_ARGUMENT when it does not
// decode. For callers that answer "another instance" differently (Watch does).
absl::StatusOr<DecodedZedToken> ParseZedToken(absl::string_view token);

// The revision in `token`. INVALID_ARGUMENT when it does not decode or was issued by another
// datastore instance.
absl::StatusOr<storage::Revision> DecodeZedToken(absl::string_view token,
                                                 absl::string_view instance_id);

}  // namespace rebac::api

#endif  // REBACD_API_ZED_TOKEN_H_
