#include "graph/check_cache.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"

namespace rebac::graph {

CheckCache::CheckCache(size_t max_entries)
    : per_generation_(max_entries == 0 ? 0 : std::max<size_t>(1, max_entries / 2 / kShards)) {}

CheckCache::Shard& CheckCache::ShardFor(absl::string_view key) {
  return shards_[absl::HashOf(key) % kShards];
}

std::optional<Membership> CheckCache::Lookup(absl::string_view key, int depth) {
  if (per_generation_ == 0) return std::nullopt;
  Shard& shard = ShardFor(key);
  absl::MutexLock lock(&shard.mu);
  if (auto it = shard.current.find(key); it != shard.current.end() && it->second.depth <= depth) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    return it->second.membership;
  }
  if (auto it = shard.previous.find(key); it != shard.previous.end() && it->second.depth <= depth) {
    // Used again: keep it through the next turnover.
    Entry entry = it->second;
    shard.previous.erase(it);
    if (shard.current.size() < per_generation_)
      shard.current.insert_or_assign(std::string(key), entry);
    hits_.fetch_add(1, std::memory_order_relaxed);
    return entry.membership;
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

void CheckCache::Insert(absl::string_view key, const Membership& membership, int depth) {
  if (per_generation_ == 0) return;
  Shard& shard = ShardFor(key);
  absl::MutexLock lock(&shard.mu);
  if (shard.current.size() >= per_generation_) {
    shard.previous = std::move(shard.current);
    shard.current.clear();
  }
  auto [it, inserted] = shard.current.try_emplace(std::string(key), Entry{membership, depth});
  // Keep the answer computed with the least depth: it serves the most walks.
  if (!inserted && depth < it->second.depth) it->second = Entry{membership, depth};
}

}  // namespace rebac::graph
