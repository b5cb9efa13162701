#include "api/stream_write_turns.h"

#include "absl/time/clock.h"

namespace rebac::api {
namespace {

// What a waiter waits for: the turn free, or granted to someone else (whose own patience
// deadline then applies).
struct TurnChange {
  const bool* busy;
  const uint64_t* holder;
  uint64_t seen;
};

bool TurnChanged(TurnChange* change) { return !*change->busy || *change->holder != change->seen; }

}  // namespace

StreamWriteTurns::Connection StreamWriteTurns::For(absl::string_view peer) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Lane>& lane = lanes_[peer];
  if (lane == nullptr) {
    lane = std::make_unique<Lane>();
    lane->peer = std::string(peer);
  }
  ++lane->handles;
  return Connection(this, lane.get());
}

size_t StreamWriteTurns::connections() const {
  absl::MutexLock lock(&mu_);
  return lanes_.size();
}

void StreamWriteTurns::Drop(Lane* lane) {
  absl::MutexLock lock(&mu_);
  if (--lane->handles == 0) lanes_.erase(lane->peer);
}

StreamWriteTurns::Connection::~Connection() {
  if (lane_ != nullptr) turns_->Drop(lane_);
}

StreamWriteTurns::Turn StreamWriteTurns::Connection::Take() {
  Lane& lane = *lane_;
  absl::MutexLock lock(&lane.mu);
  while (lane.busy) {
    const absl::Time overdue_at = lane.held_since + turns_->patience_;
    if (absl::Now() >= overdue_at) return Turn();
    TurnChange change{&lane.busy, &lane.holder, lane.holder};
    lane.mu.AwaitWithDeadline(absl::Condition(&TurnChanged, &change), overdue_at);
  }
  lane.busy = true;
  ++lane.holder;
  lane.held_since = absl::Now();
  return Turn(lane_);
}

StreamWriteTurns::Turn::~Turn() {
  if (lane_ == nullptr) return;
  absl::MutexLock lock(&lane_->mu);
  lane_->busy = false;
}

}  // namespace rebac::api
