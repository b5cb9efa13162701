// The changelog entry encoding of the RocksDB engine.
#include "storage/rocksdb/changelog_codec.h"

#include "gtest/gtest.h"
#include "storage/key_codec.h"

namespace rebac::storage::rocksdb_engine {
namespace {

TEST(ChangelogCodecTest, RoundTripsUpdatesSchemaAndMetadata) {
  Relationship r{"doc", "1", "viewer", "group", "eng", "member", {"cav", "ctx", 42}};
  ChangelogEntryBuilder builder;
  builder.AddUpdate(UpdateOperation::kTouch, r, EncodeValue(r.value));
  builder.AddUpdate(UpdateOperation::kDelete, r, "");
  builder.SetSchema("definition user {}");
  builder.SetTransactionMetadata("meta");
  RevisionChanges out;
  ASSERT_TRUE(DecodeChangelogEntry(builder.bytes(), &out).ok());
  ASSERT_EQ(out.updates.size(), 2u);
  EXPECT_EQ(out.updates[0].operation, UpdateOperation::kTouch);
  EXPECT_EQ(out.updates[0].relationship, r);
  EXPECT_EQ(out.updates[1].operation, UpdateOperation::kDelete);
  EXPECT_TRUE(out.updates[1].relationship.value.empty());
  EXPECT_EQ(out.schema_text, "definition user {}");
  EXPECT_EQ(out.transaction_metadata, "meta");
}

TEST(ChangelogCodecTest, ACreateFromAResourceKeyIsTheSameRecord) {
  const Relationship rs[] = {
      {"doc", "1", "viewer", "group", "eng", "member", {"cav", "ctx", 42}},
      {"document", std::string(200, 'x'), "viewer", "user", "alice", "", {}},
      {"a/b", "c", "d", "e/f", "*", "", {"", "", 7}},
  };
  for (const Relationship& r : rs) {
    const std::string value = EncodeValue(r.value);
    ChangelogEntryBuilder expected, built;
    expected.AddUpdate(UpdateOperation::kCreate, r, value);
    ASSERT_TRUE(built.AddCreateOfResourceKey(keys::ResourceKey(r), value));
    EXPECT_EQ(built.bytes(), expected.bytes());
  }
  ChangelogEntryBuilder builder;
  EXPECT_FALSE(builder.AddCreateOfResourceKey(std::string("a\0b\0c\0", 6), ""));
  EXPECT_FALSE(builder.AddCreateOfResourceKey(std::string("a\0b\0c\0d\0e\0f\0g", 13), ""));
  EXPECT_TRUE(builder.bytes().empty());
}

TEST(ChangelogCodecTest, EmptyMetadataIsNotRecorded) {
  ChangelogEntryBuilder builder;
  builder.SetTransactionMetadata("");
  EXPECT_TRUE(builder.bytes().empty());
}

TEST(ChangelogCodecTest, TruncatedOrUnknownRecordsAreDataLoss) {
  Relationship r{"doc", "1", "viewer", "user", "a", "", {}};
  ChangelogEntryBuilder builder;
  builder.AddUpdate(UpdateOperation::kCreate, r, "");
  RevisionChanges out;
  std::string bytes = builder.bytes();
  EXPECT_EQ(DecodeChangelogEntry(bytes.substr(0, bytes.size() - 2), &out).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeChangelogEntry(std::string(1, '\x07'), &out).code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace rebac::storage::rocksdb_engine
