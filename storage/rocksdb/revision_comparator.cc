#include "storage/rocksdb/revision_comparator.h"

#include <cstring>

#include "rocksdb/slice.h"

namespace rebac::storage::rocksdb_engine {
namespace {

constexpr size_t kTimestampSize = 8;

uint64_t DecodeFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

class U64RevisionComparator : public rocksdb::Comparator {
 public:
  U64RevisionComparator() : rocksdb::Comparator(kTimestampSize) {}

  // The name is persisted in the database's OPTIONS: changing it makes old stores unreadable.
  const char* Name() const override { return "rebacd.BytewiseWithU64Revision.v1"; }

  int Compare(const rocksdb::Slice& a, const rocksdb::Slice& b) const override {
    int r = CompareWithoutTimestamp(a, true, b, true);
    if (r != 0) return r;
    // Newer first: larger revision sorts earlier.
    return -CompareTimestamp(Timestamp(a), Timestamp(b));
  }

  int CompareTimestamp(const rocksdb::Slice& ts1, const rocksdb::Slice& ts2) const override {
    uint64_t a = DecodeFixed64(ts1.data());
    uint64_t b = DecodeFixed64(ts2.data());
    return a < b ? -1 : (a > b ? 1 : 0);
  }

  int CompareWithoutTimestamp(const rocksdb::Slice& a, bool a_has_ts, const rocksdb::Slice& b,
                              bool b_has_ts) const override {
    rocksdb::Slice ka = a, kb = b;
    if (a_has_ts) ka.remove_suffix(kTimestampSize);
    if (b_has_ts) kb.remove_suffix(kTimestampSize);
    return ka.compare(kb);
  }

  // Key shortening is an optional optimisation; leaving keys unchanged is always correct.
  void FindShortestSeparator(std::string*, const rocksdb::Slice&) const override {}
  void FindShortSuccessor(std::string*) const override {}

 private:
  static rocksdb::Slice Timestamp(const rocksdb::Slice& key) {
    return rocksdb::Slice(key.data() + key.size() - kTimestampSize, kTimestampSize);
  }
};

}  // namespace

const rocksdb::Comparator* RevisionComparator() {
  static const U64RevisionComparator* const comparator = new U64RevisionComparator();
  return comparator;
}

std::string EncodeRevisionTimestamp(Revision revision) {
  std::string out(kTimestampSize, '\0');
  for (size_t i = 0; i < kTimestampSize; ++i) {
    out[i] = static_cast<char>(revision & 0xff);
    revision >>= 8;
  }
  return out;
}

}  // namespace rebac::storage::rocksdb_engine
