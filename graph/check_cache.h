// A cache of check sub-problem answers shared by every request on one datastore, keyed by
// (revision, subject, object, relation) — what SpiceDB's dispatch cache keeps. A revision's data
// never changes, so an answer stays right for as long as it is kept; minimize_latency's
// quantized revision is what makes consecutive requests meet the same keys.
//
//   CheckCache cache(100'000);
//   if (std::optional<Membership> m = cache.Lookup(key, depth_left)) ...
//   cache.Insert(key, membership, depth_left);
//
// An answer is stored with the depth it was computed with and served only to walks with at
// least that much left: with less, the same sub-problem might run out of depth, which SpiceDB
// would report. Memberships keep caveats as conditions, so one entry serves every request
// context. Bounded: two generations of at most max_entries / 2 each; when the current one
// fills, the older is dropped (what was used since moved forward).
//
// Thread safety: all methods may be called concurrently.
#ifndef REBACD_GRAPH_CHECK_CACHE_H_
#define REBACD_GRAPH_CHECK_CACHE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "graph/caveat_expression.h"

namespace rebac::graph {

class CheckCache {
 public:
  // max_entries 0 disables the cache (Lookup misses, Insert drops).
  explicit CheckCache(size_t max_entries);

  std::optional<Membership> Lookup(absl::string_view key, int depth);
  void Insert(absl::string_view key, const Membership& membership, int depth);

  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    Membership membership;
    int depth;
  };
  struct Shard {
    absl::Mutex mu;
    absl::flat_hash_map<std::string, Entry> current ABSL_GUARDED_BY(mu);
    absl::flat_hash_map<std::string, Entry> previous ABSL_GUARDED_BY(mu);
  };
  static constexpr size_t kShards = 16;

  Shard& ShardFor(absl::string_view key);

  const size_t per_generation_;  // per shard
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace rebac::graph

#endif  // REBACD_GRAPH_CHECK_CACHE_H_
