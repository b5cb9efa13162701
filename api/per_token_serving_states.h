// `rebacd serve-testing`'s resolver: each distinct bearer token gets its own empty in-memory
// datastore, created on first use, so many test suites share one server without seeing each
// other's data (as SpiceDB's serve-testing does). A request without a token uses the store of
// the empty token. Stores live until the server stops.
//
// Thread safety: safe for concurrent use.
#ifndef REBACD_API_PER_TOKEN_SERVING_STATES_H_
#define REBACD_API_PER_TOKEN_SERVING_STATES_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "api/serving_state.h"

namespace rebac::api {

class PerTokenServingStates final : public ServingStateResolver {
 public:
  ServingState* For(const grpc::ServerContextBase& context) override;

  // The state of `token` (the bearer token's value), created when new.
  ServingState* ForToken(absl::string_view token);

  size_t size() const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<ServingState>> states_ ABSL_GUARDED_BY(mu_);
};

// The token of an `authorization: Bearer TOKEN` header ("" when absent or another scheme).
std::string BearerToken(const grpc::ServerContextBase& context);

}  // namespace rebac::api

#endif  // REBACD_API_PER_TOKEN_SERVING_STATES_H_
