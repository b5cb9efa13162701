#include "api/authenticator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace rebac::api {

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

Authenticator::Authenticator(std::vector<std::string> preshared_keys)
    : keys_(std::move(preshared_keys)) {}

absl::Status Authenticator::Authenticate(const grpc::ServerContextBase& context) const {
  if (keys_.empty()) return absl::OkStatus();
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return absl::UnauthenticatedError("Request unauthenticated with bearer");
  }
  return AuthenticateHeader(absl::string_view(it->second.data(), it->second.size()));
}

absl::Status Authenticator::AuthenticateHeader(absl::string_view authorization) const {
  if (keys_.empty()) return absl::OkStatus();
  absl::string_view value = absl::StripAsciiWhitespace(authorization);
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() < kScheme.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
    return absl::UnauthenticatedError("Request unauthenticated with bearer");
  }
  absl::string_view token = absl::StripAsciiWhitespace(value.substr(kScheme.size()));
  // Compare against every key, without stopping early, so timing does not tell which matched.
  bool matched = false;
  for (const std::string& key : keys_) matched |= ConstantTimeEquals(token, key);
  // SpiceDB answers a present but wrong key with PERMISSION_DENIED, a missing one with
  // UNAUTHENTICATED; clients tell the two apart.
  if (!matched) return absl::PermissionDeniedError("invalid preshared key: invalid token");
  return absl::OkStatus();
}

}  // namespace rebac::api
