#include "storage/rocksdb/import_entries.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <thread>

namespace rebac::storage::rocksdb_engine {
namespace {

using SortKey = ImportEntries::SortKey;

static_assert(std::endian::native == std::endian::little, "WordAt and CommonPrefix assume it");

// Bytes [depth, depth + 8) of `key` as a big-endian number, zero-padded past the key's end, so
// numeric order is the bytes' order.
uint64_t WordAt(absl::string_view key, size_t depth) {
  unsigned char bytes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  if (depth < key.size())
    std::memcpy(bytes, key.data() + depth, std::min<size_t>(8, key.size() - depth));
  uint64_t word;
  std::memcpy(&word, bytes, 8);
  return __builtin_bswap64(word);
}

// How many leading bytes `a` and `b` share, up to `limit`.
size_t CommonPrefix(const char* a, const char* b, size_t limit) {
  size_t i = 0;
  for (; i + 8 <= limit; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    if (x != y) return i + __builtin_ctzll(x ^ y) / 8;  // little-endian: lowest byte first
  }
  while (i < limit && a[i] == b[i]) ++i;
  return i;
}

// A most-significant-digit radix sort with 8-byte digits: sort by the word at the current depth
// (integers, in cache), then sort each run of equal words one word deeper. Before each level it
// skips the bytes every key of the range shares, so long common prefixes (one resource type, one
// id scheme) cost one pass, not one level per 8 bytes. Keys are read only to fill words.
class KeySorter {
 public:
  explicit KeySorter(ImportEntries::Index index) : index_(index) {}

  // Sorts keys[0, n), whose keys all share their first `depth` bytes.
  void Sort(SortKey* keys, size_t n, size_t depth) {
    if (n < 2) return;
    // keys[i] points anywhere in the records: both loops fetch ahead so they do not wait on
    // memory for each key in turn.
    constexpr size_t kAhead = 16;
    auto prefetch = [&](size_t i) {
      if (i + kAhead < n) ImportEntries::PrefetchRecord(keys[i + kAhead].record);
    };
    absl::string_view first = key(keys[0]);
    size_t shared = first.size() - std::min(depth, first.size());
    for (size_t i = 1; i < n && shared > 0; ++i) {
      prefetch(i);
      absl::string_view k = key(keys[i]);
      const size_t limit = std::min(shared, k.size() - std::min(depth, k.size()));
      shared = CommonPrefix(first.data() + depth, k.data() + depth, limit);
    }
    depth += shared;
    for (size_t i = 0; i < n; ++i) {
      prefetch(i);
      keys[i].word = WordAt(key(keys[i]), depth);
    }
    std::sort(keys, keys + n, [](const SortKey& a, const SortKey& b) { return a.word < b.word; });
    for (size_t begin = 0; begin < n;) {
      size_t end = begin + 1;
      while (end < n && keys[end].word == keys[begin].word) ++end;
      if (end - begin > 1) SortTies(keys + begin, end - begin, depth);
      begin = end;
    }
  }

  // The first key found more than once, if any.
  std::optional<absl::string_view> duplicate() const { return duplicate_; }

 private:
  absl::string_view key(const SortKey& k) const {
    return ImportEntries::EntryOf(k.record, index_).key;
  }

  // keys[0, n) share their first `depth` + 8 bytes, zero-padded. A key that ends within them is
  // a prefix of every longer one, so those come first, shortest first; two of the same length
  // are the same key. The rest go one word deeper.
  void SortTies(SortKey* keys, size_t n, size_t depth) {
    SortKey* rest = std::partition(keys, keys + n,
                                   [&](const SortKey& k) { return key(k).size() <= depth + 8; });
    std::sort(keys, rest,
              [&](const SortKey& a, const SortKey& b) { return key(a).size() < key(b).size(); });
    for (SortKey* k = keys; k + 1 < rest; ++k) {
      if (key(k[0]).size() == key(k[1]).size() && !duplicate_) duplicate_ = key(k[1]);
    }
    Sort(rest, keys + n - rest, depth + 8);
  }

  const ImportEntries::Index index_;
  std::optional<absl::string_view> duplicate_;
};

}  // namespace

void ImportEntries::Add(absl::string_view resource_key, absl::string_view subject_key,
                        absl::string_view value) {
  const RecordHeader header{static_cast<uint32_t>(value.size()),
                            static_cast<uint32_t>(resource_key.size()),
                            static_cast<uint32_t>(subject_key.size())};
  const size_t size = sizeof(header) + value.size() + resource_key.size() + subject_key.size() +
                      2 * kKeySuffixBytes;
  if (size > free_bytes_) {
    if (size <= kBlockBytes) {
      blocks_.push_back(supply_.Take());
    } else {
      blocks_.emplace_back(size);
    }
    block_bytes_ += blocks_.back().size();
    free_ = blocks_.back().data();
    free_bytes_ = blocks_.back().size();
  }
  char* p = free_;
  auto append = [&p](const void* bytes, size_t n, size_t room) {
    if (n > 0) std::memcpy(p, bytes, n);
    p += n + room;
  };
  append(&header, sizeof(header), 0);
  append(value.data(), value.size(), 0);
  append(resource_key.data(), resource_key.size(), kKeySuffixBytes);
  append(subject_key.data(), subject_key.size(), kKeySuffixBytes);
  records_.push_back(free_, supply_);
  free_ += size;
  free_bytes_ -= size;
}

size_t ImportEntries::bytes() const {
  return block_bytes_ + records_.bytes() +
         (order_[0].capacity() + order_[1].capacity()) * sizeof(SortKey);
}

std::optional<absl::string_view> ImportEntries::Sort(const std::function<void()>& also) {
  auto sort = [this](Index index) {
    std::vector<SortKey, HugePageAllocator<SortKey>>& order = order_[index];
    order.resize(records_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i].record = records_[i];
    KeySorter sorter(index);
    sorter.Sort(order.data(), order.size(), 0);
    return sorter.duplicate();
  };
  // The two sorts are independent; an import commits while its client waits, so the second
  // core is usually free.
  std::thread other([&] {
    sort(kBySubject);
    if (also) also();
  });
  std::optional<absl::string_view> duplicate = sort(kByResource);
  other.join();
  return duplicate;
}

}  // namespace rebac::storage::rocksdb_engine
