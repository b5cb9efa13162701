// The head revision of an engine, with a way to wait for it to move.
//
// The engine's writer calls Publish() after each commit; Watch streams block in
// WaitForRevisionAfter() instead of polling the store.
//
// Thread safety: safe for concurrent use.
#ifndef REBACD_STORAGE_REVISION_NOTIFIER_H_
#define REBACD_STORAGE_REVISION_NOTIFIER_H_

#include <atomic>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/relationship.h"

namespace rebac::storage {

class RevisionNotifier {
 public:
  explicit RevisionNotifier(Revision head) : head_(head) {}

  Revision head() const { return head_.load(std::memory_order_acquire); }

  // Makes `head` visible and wakes every waiter. Revisions only grow: publishing one not newer
  // than the current head changes nothing, so group commit leaders finishing out of order
  // cannot move it back.
  void Publish(Revision head) {
    absl::MutexLock lock(&mu_);
    if (head > head_.load(std::memory_order_relaxed)) {
      head_.store(head, std::memory_order_release);
    }
  }

  // Blocks until head() > `after` or `deadline` passes; returns head().
  Revision WaitForRevisionAfter(Revision after, absl::Time deadline) const {
    auto moved = [this, after] { return head_.load(std::memory_order_acquire) > after; };
    // absl::Mutex re-evaluates the condition whenever Publish releases the lock.
    mu_.LockWhenWithDeadline(absl::Condition(&moved), deadline);
    mu_.Unlock();
    return head();
  }

 private:
  mutable absl::Mutex mu_;
  std::atomic<Revision> head_;
};

}  // namespace rebac::storage

#endif  // REBACD_STORAGE_REVISION_NOTIFIER_H_
