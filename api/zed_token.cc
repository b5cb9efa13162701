#include "api/zed_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "rebacd/internal.pb.h"

namespace rebac::api {
namespace {

constexpr uint32_t kTokenVersion = 1;

}  // namespace

std::string EncodeZedToken(absl::string_view instance_id, storage::Revision revision) {
  rebacd::internal::ZedTokenPayload payload;
  payload.set_version(kTokenVersion);
  payload.set_instance_id(std::string(instance_id));
  payload.set_revision(revision);
  return absl::Base64Escape(payload.SerializeAsString());
}

absl::StatusOr<DecodedZedToken> ParseZedToken(absl::string_view token) {
  std::string bytes;
  rebacd::internal::ZedTokenPayload payload;
  if (token.empty() || !absl::Base64Unescape(token, &bytes) || !payload.ParseFromString(bytes) ||
      payload.version() != kTokenVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ZedToken `", token.substr(0, 64), "`: it does not decode"));
  }
  return DecodedZedToken{payload.instance_id(), payload.revision()};
}

absl::StatusOr<storage::Revision> DecodeZedToken(absl::string_view token,
                                                 absl::string_view instance_id) {
  absl::StatusOr<DecodedZedToken> decoded = ParseZedToken(token);
  if (!decoded.ok()) return decoded.status();
  if (decoded->instance_id != instance_id) {
    return absl::InvalidArgumentError(
        "invalid ZedToken: it was issued by another datastore instance");
  }
  return decoded->revision;
}

}  // namespace rebac::api
