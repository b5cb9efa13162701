#include "api/per_token_serving_states.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "storage/memory/memory_datastore.h"

namespace rebac::api {
namespace {

// SpiceDB's serve-testing datastores quantize minimize_latency to 10 ms, without staleness.
RevisionQuantization TestingQuantization() {
  RevisionQuantization q;
  q.interval = absl::Milliseconds(10);
  q.max_staleness_percent = 0;
  return q;
}

// Each token's datastore is small and there may be many: a small check cache each.
constexpr size_t kTestingCheckCacheEntries = 10'000;

}  // namespace

std::string BearerToken(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return "";
  absl::string_view value =
      absl::StripAsciiWhitespace(absl::string_view(it->second.data(), it->second.size()));
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() < kScheme.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
    return "";
  }
  return std::string(absl::StripAsciiWhitespace(value.substr(kScheme.size())));
}

ServingState* PerTokenServingStates::For(const grpc::ServerContextBase& context) {
  return ForToken(BearerToken(context));
}

ServingState* PerTokenServingStates::ForToken(absl::string_view token) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<ServingState>& state = states_[token];
  if (state == nullptr) {
    state = std::make_unique<ServingState>(storage::NewMemoryDatastore(), TestingQuantization(),
                                           kTestingCheckCacheEntries);
  }
  return state.get();
}

size_t PerTokenServingStates::size() const {
  absl::MutexLock lock(&mu_);
  return states_.size();
}

}  // namespace rebac::api
