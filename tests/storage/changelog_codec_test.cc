// The changelog entry encoding of the RocksDB engine.
#include "storage/rocksdb/changelog_codec.h"

#include "gtest/gtest.h"

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
