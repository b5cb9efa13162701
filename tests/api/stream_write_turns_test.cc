// StreamWriteTurns: the streams of one connection write one at a time, other connections never
// wait for them, and a holder that keeps its turn past the patience (its client reads slowly)
// is passed rather than waited for.
#include "api/stream_write_turns.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace rebac::api {
namespace {

constexpr char kPeer[] = "ipv4:127.0.0.1:40001";
constexpr char kOtherPeer[] = "ipv4:127.0.0.1:40002";

TEST(StreamWriteTurnsTest, StreamsOfOneConnectionWriteOneAtATime) {
  StreamWriteTurns turns(absl::Seconds(30));
  std::atomic<int> writing{0};
  std::atomic<int> most_at_once{0};
  std::atomic<int> not_granted{0};
  std::vector<std::thread> streams;
  for (int s = 0; s < 4; ++s) {
    streams.emplace_back([&] {
      StreamWriteTurns::Connection connection = turns.For(kPeer);
      for (int batch = 0; batch < 200; ++batch) {
        StreamWriteTurns::Turn turn = connection.Take();
        if (!turn.held()) ++not_granted;
        const int now = ++writing;
        int seen = most_at_once.load();
        while (now > seen && !most_at_once.compare_exchange_weak(seen, now)) {
        }
        absl::SleepFor(absl::Microseconds(20));
        --writing;
      }
    });
  }
  for (std::thread& t : streams) t.join();
  EXPECT_EQ(not_granted.load(), 0);
  EXPECT_EQ(most_at_once.load(), 1);
}

TEST(StreamWriteTurnsTest, AnotherConnectionDoesNotWait) {
  StreamWriteTurns turns(absl::Seconds(30));
  StreamWriteTurns::Connection first = turns.For(kPeer);
  StreamWriteTurns::Connection second = turns.For(kOtherPeer);
  StreamWriteTurns::Turn held = first.Take();
  ASSERT_TRUE(held.held());
  // Had the two connections shared a turn, this would wait the full 30 s and come back empty.
  const absl::Time start = absl::Now();
  StreamWriteTurns::Turn other = second.Take();
  EXPECT_TRUE(other.held());
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_EQ(turns.connections(), 2u);
}

TEST(StreamWriteTurnsTest, AWaiterGetsTheTurnWhenTheHolderIsDone) {
  StreamWriteTurns turns(absl::Seconds(30));
  StreamWriteTurns::Connection holder = turns.For(kPeer);
  std::atomic<bool> granted{false};
  std::atomic<bool> returned{false};
  std::thread waiter;
  {
    StreamWriteTurns::Turn turn = holder.Take();
    ASSERT_TRUE(turn.held());
    waiter = std::thread([&] {
      StreamWriteTurns::Connection connection = turns.For(kPeer);
      StreamWriteTurns::Turn mine = connection.Take();
      granted = mine.held();
      returned = true;
    });
    absl::SleepFor(absl::Milliseconds(50));
    EXPECT_FALSE(returned.load()) << "took the turn while it was held";
  }
  waiter.join();
  EXPECT_TRUE(granted.load());
}

TEST(StreamWriteTurnsTest, AHolderPastThePatienceIsPassed) {
  const absl::Duration patience = absl::Milliseconds(100);
  StreamWriteTurns turns(patience);
  StreamWriteTurns::Connection slow_reader = turns.For(kPeer);
  StreamWriteTurns::Turn stuck = slow_reader.Take();
  ASSERT_TRUE(stuck.held());
  StreamWriteTurns::Connection other_stream = turns.For(kPeer);
  // The first wait lasts until the holder is overdue, then the stream writes without a turn ...
  const absl::Time start = absl::Now();
  EXPECT_FALSE(other_stream.Take().held());
  EXPECT_GE(absl::Now() - start, patience);
  // ... and while the holder stays overdue, later batches do not wait at all.
  const absl::Time again = absl::Now();
  EXPECT_FALSE(other_stream.Take().held());
  EXPECT_LT(absl::Now() - again, patience);
}

TEST(StreamWriteTurnsTest, AConnectionIsForgottenWithItsLastStream) {
  StreamWriteTurns turns;
  {
    StreamWriteTurns::Connection a = turns.For(kPeer);
    StreamWriteTurns::Connection b = turns.For(kPeer);
    StreamWriteTurns::Connection c = turns.For(kOtherPeer);
    EXPECT_EQ(turns.connections(), 2u);
    StreamWriteTurns::Connection moved = std::move(c);
  }
  EXPECT_EQ(turns.connections(), 0u);
}

}  // namespace
}  // namespace rebac::api
