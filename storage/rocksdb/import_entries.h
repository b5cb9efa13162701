// The relationships of one bulk import, held compactly in memory until it commits: each
// relationship's key in both indexes (`rel`, `rel_by_subj`, without timestamps) and its encoded
// value, copied as one record into large blocks, so adding one allocates nothing of its own.
// Once an import grows past a few blocks, a background thread faults the next blocks in ahead
// of use (PrefaultedBlocks).
//
// At commit, Sort() orders each index by key (the order RocksDB keeps them in, and the order an
// SST file must be written in) and finds a relationship the import holds twice. Sorting leaves
// the records where they are, in the order added, and keeps a sorted order beside them.
//
// Thread safety: one thread at a time (the block supply's thread is internal), except where a
// method says otherwise.
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

  // Each key is followed by this many bytes of its own (a timestamp's room).
  static constexpr size_t kKeySuffixBytes = 8;

  // Copies one relationship's two keys and its value in.
  void Add(absl::string_view resource_key, absl::string_view subject_key, absl::string_view value);

  size_t size() const { return records_.size(); }
  // Bytes held: the blocks, the record array and the sorted orders.
  size_t bytes() const;

  // The i-th entry of `index` in the order added.
  Entry added(Index index, size_t i) const { return EntryOf(records_[i], index); }

  // Sorts both indexes by key (bytewise: the revision comparator's order within one revision),
  // the two on two threads; `also` runs on the second one after its sort. Returns the resource
  // key of a relationship added more than once, if any.
  std::optional<absl::string_view> Sort(const std::function<void()>& also);

  // The i-th entry of `index` in key order. REQUIRES: Sort() was called after the last Add().
  Entry sorted(Index index, size_t i) const { return EntryOf(order_[index][i].record, index); }

  // Writes `suffix` (at most kKeySuffixBytes) right after the i-th key of `index` in key order
  // and returns the key and suffix as one view, so an SST writer that wants key + timestamp
  // contiguous need not copy the key. The two indexes may be written from two threads.
  absl::string_view SortedKeyWithSuffix(Index index, size_t i, absl::string_view suffix) {
    const Entry e = sorted(index, i);
    char* end = const_cast<char*>(e.key.data()) + e.key.size();  // the key's own room, see Add
    const size_t n = std::min(suffix.size(), kKeySuffixBytes);
    std::memcpy(end, suffix.data(), n);
    return absl::string_view(e.key.data(), e.key.size() + n);
  }

  // Asks the CPU to fetch the record sorted(index, i + kPrefetchDistance) reads, so a loop over
  // the sorted order, which jumps around memory, does not wait on each record in turn (that wait
  // was most of writing the subject index). A hint only.
  void PrefetchSorted(Index index, size_t i) const {
    const std::vector<SortKey, HugePageAllocator<SortKey>>& order = order_[index];
    if (i + kPrefetchDistance < order.size()) PrefetchRecord(order[i + kPrefetchDistance].record);
  }

  // The sort's unit: the record and 8 bytes of its key, big-endian, at the depth the sort has
  // reached (public for the sorting functions in the .cc only).
  struct SortKey {
    uint64_t word;
    const char* record;
  };

  // A record: a header of three lengths (value, resource key, subject key), then the value, the
  // resource key and kKeySuffixBytes of room, the subject key and kKeySuffixBytes of room.
  struct RecordHeader {
    uint32_t value_size;
    uint32_t resource_key_size;
    uint32_t subject_key_size;
  };
  static Entry EntryOf(const char* record, Index index) {
    RecordHeader h;
    std::memcpy(&h, record, sizeof(h));
    const char* value = record + sizeof(h);
    const char* resource_key = value + h.value_size;
    if (index == kByResource) {
      return {absl::string_view(resource_key, h.resource_key_size),
              absl::string_view(value, h.value_size)};
    }
    return {
        absl::string_view(resource_key + h.resource_key_size + kKeySuffixBytes, h.subject_key_size),
        absl::string_view(value, h.value_size)};
  }
  // Prefetches a record's first and last cache lines (a typical record spans two or three).
  static void PrefetchRecord(const char* record) {
    __builtin_prefetch(record);
    __builtin_prefetch(record + 64);
    __builtin_prefetch(record + 127);
  }

 private:
  static constexpr size_t kPrefetchDistance = 16;
  static constexpr size_t kBlockBytes = PrefaultedBlocks::kBlockBytes;
  PrefaultedBlocks supply_;  // blocks_ and the record array's chunks
  std::vector<HugePageBuffer> blocks_;
  size_t block_bytes_ = 0;  // total capacity of blocks_
  char* free_ = nullptr;    // the unused tail of the newest block
  size_t free_bytes_ = 0;
  // Records in the order added, in fixed chunks of one huge page each: growing never copies.
  class RecordArray {
   public:
    void push_back(const char* record, PrefaultedBlocks& supply) {
      if ((size_ & kChunkMask) == 0) chunks_.push_back(supply.Take());
      reinterpret_cast<const char**>(chunks_.back().data())[size_ & kChunkMask] = record;
      ++size_;
    }
    const char* operator[](size_t i) const {
      return reinterpret_cast<const char* const*>(chunks_[i >> kChunkBits].data())[i & kChunkMask];
    }
    size_t size() const { return size_; }
    size_t bytes() const { return chunks_.size() * PrefaultedBlocks::kBlockBytes; }

   private:
    static constexpr size_t kChunkBits = 18;  // 256 Ki pointers: 2 MiB
    static constexpr size_t kChunkEntries = size_t{1} << kChunkBits;
    static constexpr size_t kChunkMask = kChunkEntries - 1;
    static_assert(kChunkEntries * sizeof(const char*) == PrefaultedBlocks::kBlockBytes);
    std::vector<HugePageBuffer> chunks_;
    size_t size_ = 0;
  };
  RecordArray records_;
  std::vector<SortKey, HugePageAllocator<SortKey>> order_[2];
};

}  // namespace rebac::storage::rocksdb_engine

#endif  // REBACD_STORAGE_ROCKSDB_IMPORT_ENTRIES_H_
