// ComputeSlots: bounds how many streaming walks compute at once, first come first served.
//
// A LookupResources walk is CPU-bound, and each result it finds is a gRPC message. With more
// walks than cores computing at once, the walks time-slice, and every handler thread's write
// waits for the connection's transport lock held by another: a futex sleep and wake-up per
// message, which on 2 cores cost more CPU than the walks themselves. A walk therefore computes
// only while it holds a slot (one per core by default), and lets go of it while it writes what
// it found to the client, so a client that reads slowly (or not at all) never holds a slot.
//
//   ComputeSlots slots(2);
//   ComputeSlot slot(&slots);
//   if (!slot.Acquire(cancelled)) return Cancelled();
//   ... compute a batch ...; slot.Release(); write the batch; slot.Acquire(cancelled) ...
//
// Slots are handed to waiters in arrival order; a walk that computes for long without writing
// offers its slot to waiters now and then (ComputeSlot::Yield), so one long walk cannot keep
// short ones waiting.
//
// Thread safety: ComputeSlots is safe to share between threads; a ComputeSlot belongs to one.
#ifndef REBACD_API_COMPUTE_SLOTS_H_
#define REBACD_API_COMPUTE_SLOTS_H_

#include <atomic>
#include <deque>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace rebac::api {

class ComputeSlots {
 public:
  // `slots` <= 0 means one per core.
  explicit ComputeSlots(int slots);
  ComputeSlots(const ComputeSlots&) = delete;
  ComputeSlots& operator=(const ComputeSlots&) = delete;

  int slots() const { return slots_; }

  // Blocks until a slot is this caller's, in arrival order. `cancelled` is polled while
  // waiting; once it returns true the wait ends without a slot and Acquire returns false.
  bool Acquire(absl::FunctionRef<bool()> cancelled);
  // Gives a slot back (to the longest waiter, if any).
  void Release();
  // Whether anyone waits for a slot now.
  bool Contended() const;
  // Whether more walks are under way (computing, writing or waiting) than there are slots:
  // then every slot is likely busy at any moment.
  bool Oversubscribed() const { return walks_.load(std::memory_order_relaxed) > slots_; }

 private:
  struct Waiter {
    bool granted = false;
  };
  friend class ComputeSlot;
  const int slots_;
  std::atomic<int> walks_{0};  // ComputeSlots alive, held or not
  mutable absl::Mutex mu_;
  int free_ ABSL_GUARDED_BY(mu_);
  std::deque<Waiter*> waiters_ ABSL_GUARDED_BY(mu_);
};

// One caller's hold on a slot of a ComputeSlots; released on destruction if still held.
class ComputeSlot {
 public:
  explicit ComputeSlot(ComputeSlots* slots) : slots_(slots) {
    slots_->walks_.fetch_add(1, std::memory_order_relaxed);
  }
  ~ComputeSlot() {
    Release();
    slots_->walks_.fetch_sub(1, std::memory_order_relaxed);
  }
  ComputeSlot(const ComputeSlot&) = delete;
  ComputeSlot& operator=(const ComputeSlot&) = delete;

  bool Acquire(absl::FunctionRef<bool()> cancelled);
  void Release();
  // Held for at least `quantum` with others waiting: releases and waits for the slot again, at
  // the back of the queue. Returns false if cancelled while waiting (then the slot is not held).
  bool Yield(absl::FunctionRef<bool()> cancelled, absl::Duration quantum = absl::Milliseconds(2));
  bool held() const { return held_; }

 private:
  ComputeSlots* slots_;
  bool held_ = false;
  absl::Time held_since_;
};

}  // namespace rebac::api

#endif  // REBACD_API_COMPUTE_SLOTS_H_
