// The relationships of one bulk import, held compactly in memory until it commits: each
// relationship's key in both indexes (`rel`, `rel_by_subj`, without timestamps) and its encoded
// value, copied into large blocks, so adding one allocates nothing of its own. Once an import
// grows past a few blocks, a background thread faults the next blocks in ahead of use
// (PrefaultedBlocks).
//
// At commit, Sort() orders each index by key (the order RocksDB keeps them in, and the order an
// SST file must be written in) and finds a relationship the import holds twice. Sorting leaves
// the entries where they are, in the order added, and keeps a sorted order beside them.
//
// Thread safety: one thread at a time (the block supply's thread is internal).
#ifndef REBACD_STORAGE_ROCKSDB_IMPORT_ENTRIES_H_
#define REBACD_STORAGE_ROCKSDB_IMPORT_ENTRIES_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "storage/rocksdb/huge_page_allocator.h"
#include "storage/rocksdb/prefaulted_blocks.h"

namespace rebac::storage::rocksdb_engine {

class ImportEntries {
 public:
  // One index entry; both views point into the entries' blocks.
  struct Entry {
    absl::string_view key;
    absl::string_view value;
  };
  enum Index { kByResource = 0, kBySubject = 1 };

  // Copies one relationship's two keys and its value in.
  void Add(absl::string_view resource_key, absl::string_view subject_key, absl::string_view value);

  size_t size() const { return entries_[kByResource].size(); }
  // Bytes held: the blocks and the entry arrays.
  size_t bytes() const;

  // The i-th entry of `index` in the order added.
  const Entry& added(Index index, size_t i) const { return entries_[index][i]; }

  // Sorts both indexes by key (bytewise: the revision comparator's order within one revision),
  // the two on two threads; `also` runs on the second one after its sort. Returns the resource
  // key of a relationship added more than once, if any.
  std::optional<absl::string_view> Sort(const std::function<void()>& also);

  // The i-th entry of `index` in key order. REQUIRES: Sort() was called after the last Add().
  const Entry& sorted(Index index, size_t i) const {
    return entries_[index][order_[index][i].index];
  }

  // Each key is followed by this many bytes of its own (a timestamp's room).
  static constexpr size_t kKeySuffixBytes = 8;

  // Writes `suffix` (at most kKeySuffixBytes) right after the i-th key of `index` in key order
  // and returns the key and suffix as one view, so an SST writer that wants key + timestamp
  // contiguous need not copy the key. Different indexes may be written from different threads.
  absl::string_view SortedKeyWithSuffix(Index index, size_t i, absl::string_view suffix) {
    const Entry& e = sorted(index, i);
    char* end = const_cast<char*>(e.key.data()) + e.key.size();  // the key's own room, see Add
    std::memcpy(end, suffix.data(), std::min(suffix.size(), kKeySuffixBytes));
    return absl::string_view(e.key.data(), e.key.size() + std::min(suffix.size(), kKeySuffixBytes));
  }

  // Asks the CPU to fetch what sorted(index, j) reads for j a little after i, so a loop over
  // the sorted order, which jumps around memory, does not wait on each entry and key in turn
  // (that wait was most of writing the subject index). A hint only.
  void PrefetchSorted(Index index, size_t i) const {
    const std::vector<SortKey, HugePageAllocator<SortKey>>& order = order_[index];
    if (i + 2 * kPrefetchDistance < order.size()) {
      __builtin_prefetch(&entries_[index][order[i + 2 * kPrefetchDistance].index]);
    }
    if (i + kPrefetchDistance < order.size()) {
      // A key and its suffix often span two cache lines.
      const Entry& e = entries_[index][order[i + kPrefetchDistance].index];
      __builtin_prefetch(e.key.data());
      __builtin_prefetch(e.key.data() + e.key.size() + kKeySuffixBytes - 1);
      __builtin_prefetch(e.value.data());
    }
  }

  // The sort's unit: the entry's index and 8 bytes of its key, big-endian, at the depth the
  // sort has reached (public for the sorting functions in the .cc only).
  struct SortKey {
    uint64_t word;
    uint32_t index;
  };

 private:
  // Copies `bytes` into the blocks, followed by `room` bytes left for the caller.
  absl::string_view Copy(absl::string_view bytes, size_t room = 0);

  static constexpr size_t kPrefetchDistance = 16;
  static constexpr size_t kBlockBytes = PrefaultedBlocks::kBlockBytes;
  PrefaultedBlocks supply_;  // blocks_ and the entry chunks
  std::vector<HugePageBuffer> blocks_;
  size_t block_bytes_ = 0;  // total capacity of blocks_
  char* free_ = nullptr;    // the unused tail of the newest block
  size_t free_bytes_ = 0;
  // Entries in fixed chunks of one huge page each: growing never copies them.
  class EntryArray {
   public:
    void push_back(const Entry& e, PrefaultedBlocks& supply) {
      if ((size_ & kChunkMask) == 0) chunks_.push_back(supply.Take());
      reinterpret_cast<Entry*>(chunks_.back().data())[size_ & kChunkMask] = e;
      ++size_;
    }
    const Entry& operator[](size_t i) const {
      return reinterpret_cast<const Entry*>(chunks_[i >> kChunkBits].data())[i & kChunkMask];
    }
    size_t size() const { return size_; }
    size_t bytes() const { return chunks_.size() * kChunkEntries * sizeof(Entry); }

   private:
    static constexpr size_t kChunkBits = 16;  // 64 Ki entries of 32 bytes: 2 MiB
    static constexpr size_t kChunkEntries = size_t{1} << kChunkBits;
    static_assert(kChunkEntries * sizeof(Entry) == PrefaultedBlocks::kBlockBytes);
    static constexpr size_t kChunkMask = kChunkEntries - 1;
    std::vector<HugePageBuffer> chunks_;
    size_t size_ = 0;
  };
  EntryArray entries_[2];
  std::vector<SortKey, HugePageAllocator<SortKey>> order_[2];
};

}  // namespace rebac::storage::rocksdb_engine

#endif  // REBACD_STORAGE_ROCKSDB_IMPORT_ENTRIES_H_
