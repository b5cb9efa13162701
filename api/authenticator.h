// Preshared-key authentication, as SpiceDB's `--grpc-preshared-key` does it: a request must
// carry `authorization: Bearer KEY` with one of the configured keys.
//
// Keys are compared in constant time (in the length of the longest configured key), so timing
// tells an attacker nothing about how much of a guess was right.
#ifndef REBACD_API_AUTHENTICATOR_H_
#define REBACD_API_AUTHENTICATOR_H_

#include <grpcpp/server_context.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace rebac::api {

class Authenticator {
 public:
  // No keys means authentication is off (`--insecure-no-auth`).
  explicit Authenticator(std::vector<std::string> preshared_keys);

  // OK; UNAUTHENTICATED when no bearer token is sent; PERMISSION_DENIED when it matches no
  // key (SpiceDB's codes and wording).
  absl::Status Authenticate(const grpc::ServerContextBase& context) const;
  absl::Status AuthenticateHeader(absl::string_view authorization) const;

 private:
  std::vector<std::string> keys_;
};

// Constant-time equality (time depends only on the lengths).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace rebac::api

#endif  // REBACD_API_AUTHENTICATOR_H_
