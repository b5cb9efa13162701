// The `rebac backup` file format: every field survives a round trip exactly, and damage
// (truncation, flipped bytes, foreign files, newer versions) is reported with where it is.
#include "tools/rebac/backup_file.h"

#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace rebac::cli {
namespace {

namespace v1 = ::authzed::api::v1;
using ::testing::HasSubstr;

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/" + name + "-" + std::to_string(getpid());
}

v1::Relationship Caveated(int i) {
  v1::Relationship r;
  r.mutable_resource()->set_object_type("document");
  r.mutable_resource()->set_object_id("doc" + std::to_string(i));
  r.set_relation("viewer");
  r.mutable_subject()->mutable_object()->set_object_type("group");
  r.mutable_subject()->mutable_object()->set_object_id("g" + std::to_string(i));
  r.mutable_subject()->set_optional_relation("member");
  r.mutable_optional_caveat()->set_caveat_name("limited");
  auto& fields = *r.mutable_optional_caveat()->mutable_context()->mutable_fields();
  fields["limit"].set_number_value(i + 0.5);
  fields["name"].set_string_value("n\"\n" + std::to_string(i));
  fields["list"].mutable_list_value()->add_values()->set_bool_value(true);
  r.mutable_optional_expires_at()->set_seconds(4102444800 + i);
  r.mutable_optional_expires_at()->set_nanos(123456789);
  return r;
}

BackupHeader Header() {
  BackupHeader header;
  header.schema = "definition user {}\n";
  header.revision = "token-1";
  header.created_at = "2026-01-01T00:00:00Z";
  return header;
}

// Writes a backup of `batches` batches of 100 relationships to `path`.
void WriteBackup(const std::string& path, int batches) {
  auto writer = BackupWriter::Create(path, Header());
  ASSERT_TRUE(writer.ok()) << writer.status();
  for (int b = 0; b < batches; ++b) {
    v1::ImportBulkRelationshipsRequest batch;
    for (int i = 0; i < 100; ++i) *batch.add_relationships() = Caveated(b * 100 + i);
    ASSERT_TRUE((*writer)->Append(batch).ok());
  }
  ASSERT_TRUE((*writer)->Finish().ok());
}

// Reads every batch; the error, if any.
absl::Status ReadAll(const std::string& path, std::string* relationships = nullptr) {
  auto reader = BackupReader::Open(path);
  if (!reader.ok()) return reader.status();
  v1::ImportBulkRelationshipsRequest batch;
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next(&batch);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    if (relationships != nullptr) {
      for (const auto& r : batch.relationships()) relationships->append(r.SerializeAsString());
    }
  }
}

std::string Uncompressed(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  std::string out;
  char buffer[65536];
  int n;
  while ((n = gzread(file, buffer, sizeof buffer)) > 0) out.append(buffer, n);
  gzclose(file);
  return out;
}

void WriteCompressed(const std::string& path, const std::string& data) {
  gzFile file = gzopen(path.c_str(), "wb1");
  gzwrite(file, data.data(), data.size());
  gzclose(file);
}

TEST(BackupFileTest, RoundTripsEveryFieldExactly) {
  std::string path = TempPath("roundtrip");
  WriteBackup(path, 3);
  auto reader = BackupReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->header().schema, "definition user {}\n");
  EXPECT_EQ((*reader)->header().revision, "token-1");
  EXPECT_EQ((*reader)->header().created_at, "2026-01-01T00:00:00Z");
  EXPECT_EQ((*reader)->header().version, kBackupFormatVersion);
  v1::ImportBulkRelationshipsRequest batch;
  int seen = 0;
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next(&batch);
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    for (const auto& r : batch.relationships()) {
      // Struct fields are a map: compare as messages, not as bytes.
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(r, Caveated(seen)))
          << seen << ": " << r.ShortDebugString();
      ++seen;
    }
  }
  EXPECT_EQ(seen, 300);
  EXPECT_EQ((*reader)->relationships(), 300u);
  std::remove(path.c_str());
}

TEST(BackupFileTest, WriterWithoutFinishLeavesNoFile) {
  std::string path = TempPath("unfinished");
  {
    auto writer = BackupWriter::Create(path, Header());
    ASSERT_TRUE(writer.ok());
  }
  EXPECT_FALSE(std::ifstream(path).good());
  EXPECT_FALSE(std::ifstream(path + ".partial").good());
}

TEST(BackupFileTest, EveryTruncationIsReported) {
  std::string path = TempPath("full");
  WriteBackup(path, 2);
  std::string data = Uncompressed(path);
  std::string cut = TempPath("cut");
  for (size_t length = 0; length < data.size(); length += 97) {
    WriteCompressed(cut, data.substr(0, length));
    absl::Status status = ReadAll(cut);
    ASSERT_FALSE(status.ok()) << "cut at " << length;
    EXPECT_THAT(status.message(), HasSubstr(cut)) << length;
  }
  std::remove(path.c_str());
  std::remove(cut.c_str());
}

TEST(BackupFileTest, FlippedByteNamesTheRecordAndOffset) {
  std::string path = TempPath("flip");
  WriteBackup(path, 3);
  std::string data = Uncompressed(path);
  data[data.size() / 2] ^= 0x01;
  WriteCompressed(path, data);
  absl::Status status = ReadAll(path);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("is damaged: record 3 (at byte "));
  EXPECT_THAT(status.message(), HasSubstr("checksum mismatch"));
  std::remove(path.c_str());
}

TEST(BackupFileTest, ForeignAndMissingFilesAreNamed) {
  std::string path = TempPath("foreign");
  std::ofstream(path) << "definition user {}\n";
  absl::Status status = ReadAll(path);
  EXPECT_THAT(status.message(), HasSubstr(path + " is not a rebac backup"));
  std::remove(path.c_str());
  status = ReadAll(TempPath("missing"));
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("cannot read"));
}

TEST(BackupFileTest, NewerVersionIsRefusedWithAdvice) {
  std::string path = TempPath("newer");
  WriteBackup(path, 1);
  std::string data = Uncompressed(path);
  size_t at = data.find("\"version\":1");
  ASSERT_NE(at, std::string::npos);
  data[at + 10] = '9';
  // Fix up the header record's CRC: kind byte + payload, at offset 8 + 4.
  uint32_t length = static_cast<unsigned char>(data[8]) | static_cast<unsigned char>(data[9]) << 8 |
                    static_cast<unsigned char>(data[10]) << 16 |
                    static_cast<unsigned char>(data[11]) << 24;
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(data.data() + 12), length + 1);
  for (int i = 0; i < 4; ++i) data[13 + length + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  WriteCompressed(path, data);
  absl::Status status = ReadAll(path);
  EXPECT_THAT(status.message(), HasSubstr("is a version 9 backup"));
  EXPECT_THAT(status.message(), HasSubstr("use a newer rebac"));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace rebac::cli
