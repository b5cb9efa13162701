#include "api/compute_slots.h"

#include <algorithm>
#include <thread>

#include "absl/time/clock.h"

namespace rebac::api {
namespace {

// How often a waiter looks at whether its request was cancelled.
constexpr absl::Duration kCancelPoll = absl::Milliseconds(20);

int SlotsFor(int slots) {
  if (slots > 0) return slots;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace

ComputeSlots::ComputeSlots(int slots) : slots_(SlotsFor(slots)), free_(slots_) {}

bool ComputeSlots::Acquire(absl::FunctionRef<bool()> cancelled) {
  absl::MutexLock lock(&mu_);
  if (free_ > 0 && waiters_.empty()) {
    --free_;
    return true;
  }
  Waiter self;
  waiters_.push_back(&self);
  while (!mu_.AwaitWithTimeout(absl::Condition(&self.granted), kCancelPoll)) {
    if (cancelled()) {
      waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &self));
      return false;
    }
  }
  return true;
}

void ComputeSlots::Release() {
  absl::MutexLock lock(&mu_);
  if (waiters_.empty()) {
    ++free_;
    return;
  }
  // Handed over directly, so a newcomer cannot take it ahead of the waiter.
  waiters_.front()->granted = true;
  waiters_.pop_front();
}

bool ComputeSlots::Contended() const {
  absl::MutexLock lock(&mu_);
  return !waiters_.empty();
}

bool ComputeSlot::Acquire(absl::FunctionRef<bool()> cancelled) {
  if (held_) return true;
  if (!slots_->Acquire(cancelled)) return false;
  held_ = true;
  held_since_ = absl::Now();
  return true;
}

void ComputeSlot::Release() {
  if (!held_) return;
  held_ = false;
  slots_->Release();
}

bool ComputeSlot::Yield(absl::FunctionRef<bool()> cancelled, absl::Duration quantum) {
  if (!held_) return Acquire(cancelled);
  if (absl::Now() - held_since_ < quantum || !slots_->Contended()) return true;
  Release();
  return Acquire(cancelled);
}

}  // namespace rebac::api
