// ComputeSlots: slots go to waiters in arrival order, a cancelled waiter leaves without one, and
// Yield hands a long-held slot to a waiter.
#include "api/compute_slots.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace rebac::api {
namespace {

bool Never() { return false; }

// Waits (briefly polling) until `slots` has a waiter queued behind the holders.
void AwaitContended(const ComputeSlots& slots) {
  for (int i = 0; i < 2000 && !slots.Contended(); ++i) absl::SleepFor(absl::Milliseconds(1));
  ASSERT_TRUE(slots.Contended());
}

TEST(ComputeSlotsTest, WaitersGetSlotsInArrivalOrder) {
  ComputeSlots slots(1);
  ComputeSlot holder(&slots);
  ASSERT_TRUE(holder.Acquire(Never));
  absl::Mutex mu;
  std::vector<int> order;
  std::vector<std::thread> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([&, i] {
      ComputeSlot slot(&slots);
      ASSERT_TRUE(slot.Acquire(Never));
      absl::MutexLock lock(&mu);
      order.push_back(i);
    });
    // Each waiter is queued before the next one starts.
    AwaitContended(slots);
    absl::SleepFor(absl::Milliseconds(20));
  }
  holder.Release();
  for (std::thread& t : waiters) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

TEST(ComputeSlotsTest, ACancelledWaiterLeavesWithoutASlot) {
  ComputeSlots slots(1);
  ComputeSlot holder(&slots);
  ASSERT_TRUE(holder.Acquire(Never));
  std::atomic<bool> cancel{false};
  std::atomic<int> result{-1};
  std::thread waiter([&] {
    ComputeSlot slot(&slots);
    result = slot.Acquire([&] { return cancel.load(); }) ? 1 : 0;
  });
  AwaitContended(slots);
  cancel = true;
  waiter.join();
  EXPECT_EQ(result.load(), 0);
  EXPECT_FALSE(slots.Contended());
  // The slot it never got is still the holder's to give back, and then free for anyone.
  holder.Release();
  ComputeSlot next(&slots);
  EXPECT_TRUE(next.Acquire(Never));
}

TEST(ComputeSlotsTest, YieldHandsALongHeldSlotToAWaiter) {
  ComputeSlots slots(1);
  ComputeSlot holder(&slots);
  ASSERT_TRUE(holder.Acquire(Never));
  std::atomic<bool> waiter_ran{false};
  std::thread waiter([&] {
    ComputeSlot slot(&slots);
    ASSERT_TRUE(slot.Acquire(Never));
    waiter_ran = true;
  });
  AwaitContended(slots);
  // Not yet held for the quantum: keeps it.
  ASSERT_TRUE(holder.Yield(Never, absl::Hours(1)));
  EXPECT_FALSE(waiter_ran.load());
  // Past the quantum with a waiter: the waiter runs first, then the slot comes back.
  ASSERT_TRUE(holder.Yield(Never, absl::ZeroDuration()));
  EXPECT_TRUE(waiter_ran.load());
  EXPECT_TRUE(holder.held());
  waiter.join();
}

TEST(ComputeSlotsTest, OversubscribedCountsWalksHeldOrNot) {
  ComputeSlots slots(1);
  auto first = std::make_unique<ComputeSlot>(&slots);
  EXPECT_FALSE(slots.Oversubscribed());
  ComputeSlot second(&slots);  // neither holds a slot: walks under way still count
  EXPECT_TRUE(slots.Oversubscribed());
  first.reset();
  EXPECT_FALSE(slots.Oversubscribed());
}

TEST(ComputeSlotsTest, ZeroMeansOnePerCore) {
  EXPECT_EQ(ComputeSlots(0).slots(),
            std::max(1, static_cast<int>(std::thread::hardware_concurrency())));
  EXPECT_EQ(ComputeSlots(3).slots(), 3);
}

}  // namespace
}  // namespace rebac::api
