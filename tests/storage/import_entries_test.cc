// ImportEntries: the sorted order of both indexes is exactly bytewise key order, whatever the
// keys share, and a relationship held twice is found.
#include "storage/rocksdb/import_entries.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace rebac::storage::rocksdb_engine {
namespace {

// Keys of six NUL-terminated names drawn to share long prefixes, differ late, end within or
// across 8-byte words and contain bytes above 0x7f.
std::string RandomKey(std::mt19937& rng) {
  static const std::vector<std::string> kParts = {
      "",     "a",    "ab",    "abcdefgh",           "abcdefghi",           "document", "documents",
      "user", "\xff", "\x80x", "prefix-0123456789-", "prefix-0123456789-i", "z"};
  std::string key;
  for (int n = 0; n < 6; ++n) {
    std::string name = kParts[rng() % kParts.size()];
    if (rng() % 2) name += std::to_string(rng() % 50);
    key += name;
    key.push_back('\0');
  }
  return key;
}

std::vector<std::string> SortedKeys(const ImportEntries& entries, ImportEntries::Index index) {
  std::vector<std::string> out;
  for (size_t i = 0; i < entries.size(); ++i) out.emplace_back(entries.sorted(index, i).key);
  return out;
}

TEST(ImportEntriesTest, SortsBothIndexesInBytewiseOrder) {
  for (int seed = 0; seed < 20; ++seed) {
    std::mt19937 rng(seed);
    const int n = seed < 10 ? 1 + seed * 7 : 20000;
    std::vector<std::string> resource, subject;
    ImportEntries entries;
    std::set<std::string> seen;
    while (static_cast<int>(resource.size()) < n) {
      std::string r = RandomKey(rng);
      if (!seen.insert(r).second) continue;
      std::string s = RandomKey(rng) + std::to_string(resource.size());  // unique
      s.push_back('\0');
      resource.push_back(r);
      subject.push_back(s);
      entries.Add(r, s, resource.size() % 3 ? "" : "v" + std::to_string(resource.size()));
    }
    bool ran_also = false;
    EXPECT_FALSE(entries.Sort([&] { ran_also = true; }).has_value()) << seed;
    EXPECT_TRUE(ran_also);
    std::sort(resource.begin(), resource.end());
    std::sort(subject.begin(), subject.end());
    EXPECT_EQ(SortedKeys(entries, ImportEntries::kByResource), resource) << "seed " << seed;
    EXPECT_EQ(SortedKeys(entries, ImportEntries::kBySubject), subject) << "seed " << seed;
    // Values travel with their keys; the order added is kept beside the sorted one.
    for (size_t i = 0; i < entries.size(); ++i) {
      const ImportEntries::Entry& added = entries.added(ImportEntries::kByResource, i);
      EXPECT_EQ(added.value, entries.added(ImportEntries::kBySubject, i).value);
    }
  }
}

TEST(ImportEntriesTest, FindsAKeyAddedTwice) {
  for (const std::string& twice : {std::string("a\0b\0", 4), std::string("a\0", 2),
                                   std::string("abcdefgh\0x\0", 11), std::string("abcdefgh", 8)}) {
    ImportEntries entries;
    entries.Add(std::string("a\0b\0\0", 5), "1", "");
    entries.Add(twice, "2", "");
    entries.Add(std::string("a", 1), "3", "");
    entries.Add(std::string("abcdefgh\0x\0\0", 12), "4", "");
    entries.Add(twice, "5", "");
    std::optional<absl::string_view> found = entries.Sort(nullptr);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(*found, twice);
  }
  ImportEntries distinct;
  distinct.Add(std::string("a\0", 2), "1", "");
  distinct.Add(std::string("a\0\0", 3), "2", "");
  distinct.Add(std::string("a", 1), "3", "");
  EXPECT_FALSE(distinct.Sort(nullptr).has_value());
  EXPECT_EQ(distinct.sorted(ImportEntries::kByResource, 0).key, "a");
  EXPECT_EQ(distinct.sorted(ImportEntries::kByResource, 1).key, std::string("a\0", 2));
  EXPECT_EQ(distinct.sorted(ImportEntries::kByResource, 2).key, std::string("a\0\0", 3));
}

TEST(PrefaultedBlocksTest, HandsOutDistinctWritableBlocksBeforeAndAfterItsThreadStarts) {
  PrefaultedBlocks supply(/*lazy_blocks=*/2, /*ahead=*/3);
  std::vector<HugePageBuffer> taken;
  std::set<const char*> seen;
  for (int i = 0; i < 20; ++i) {
    taken.push_back(supply.Take());
    ASSERT_EQ(taken.back().size(), PrefaultedBlocks::kBlockBytes);
    EXPECT_TRUE(seen.insert(taken.back().data()).second);
    std::memset(taken.back().data(), i, PrefaultedBlocks::kBlockBytes);
  }
  for (int i = 0; i < 20; ++i) EXPECT_EQ(taken[i].data()[PrefaultedBlocks::kBlockBytes - 1], i);
}

}  // namespace
}  // namespace rebac::storage::rocksdb_engine
