// The file format of `rebac backup`: a schema and every relationship of a store, as of one
// revision, in one gzip-compressed file that is written and read as a stream.
//
// Layout (inside the gzip stream):
//   magic   the 8 bytes "REBACBK\n"
//   records [u32 little-endian payload length][u8 kind][payload][u32 little-endian CRC-32 of
//           kind + payload], in this order:
//     'H'   header, JSON: {"format":"rebac-backup","version":1,"schema":TEXT,
//           "revision":ZEDTOKEN,"created_at":RFC3339}
//     'R'   any number of relationship batches: a serialized authzed.api.v1
//           ImportBulkRelationshipsRequest (every field of each Relationship, caveat context and
//           expiration included, exactly as the server exported it)
//     'E'   end, JSON: {"relationships":N}; a file without it was cut short
//
// Why this and not SpiceDB's Avro OCF: Debian 12 packages no Avro C++ library, and protobuf
// round-trips every field (google.protobuf.Struct contexts, timestamps) exactly, where JSON lines
// would lose number types. The CRC per record and the end record locate damage precisely
// ("record 17, at byte 123456 of the uncompressed stream") before a restore writes anything.
//
// Thread safety: a BackupWriter or BackupReader is used by one thread at a time.
#ifndef REBACD_TOOLS_REBAC_BACKUP_FILE_H_
#define REBACD_TOOLS_REBAC_BACKUP_FILE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "authzed/api/v1/permission_service.pb.h"

namespace rebac::cli {

inline constexpr int kBackupFormatVersion = 1;

struct BackupHeader {
  int version = kBackupFormatVersion;
  std::string schema;      // the schema text in force at `revision`
  std::string revision;    // the ZedToken the backup was read at
  std::string created_at;  // RFC 3339, when the backup was taken
};

// Writes a backup to `path` + ".partial" and renames it to `path` in Finish(), so a backup that
// failed half-way never sits under the final name.
class BackupWriter {
 public:
  // Creates the file and writes the magic and the header.
  static absl::StatusOr<std::unique_ptr<BackupWriter>> Create(const std::string& path,
                                                              const BackupHeader& header);
  ~BackupWriter();  // without Finish(): removes the partial file

  // Appends one batch of relationships (empty batches are skipped).
  absl::Status Append(const authzed::api::v1::ImportBulkRelationshipsRequest& batch);

  // Writes the end record, closes the file and moves it into place.
  absl::Status Finish();

  uint64_t relationships() const { return relationships_; }

 private:
  BackupWriter() = default;
  absl::Status WriteRecord(char kind, const std::string& payload);

  std::string path_;
  std::string partial_path_;
  void* file_ = nullptr;  // gzFile
  uint64_t relationships_ = 0;
};

// Reads a backup record by record. Every error names the file and where in it the problem is.
class BackupReader {
 public:
  // Opens `path` and reads the magic and the header.
  static absl::StatusOr<std::unique_ptr<BackupReader>> Open(const std::string& path);
  ~BackupReader();

  const BackupHeader& header() const { return header_; }

  // Reads the next batch into `*batch`. Returns true for a batch, false at the end record
  // (after checking the relationship count it states), or an error for a damaged file.
  absl::StatusOr<bool> Next(authzed::api::v1::ImportBulkRelationshipsRequest* batch);

  uint64_t relationships() const { return relationships_; }

 private:
  BackupReader() = default;
  struct Record {
    char kind = 0;
    std::string payload;
  };
  absl::StatusOr<Record> ReadRecord();
  absl::Status Damaged(const std::string& what) const;
  absl::Status ReadExactly(void* data, size_t size, const char* what, bool* eof);

  std::string path_;
  void* file_ = nullptr;  // gzFile
  BackupHeader header_;
  uint64_t offset_ = 0;         // bytes of the uncompressed stream consumed so far
  uint64_t record_offset_ = 0;  // where the current record starts
  uint64_t record_number_ = 0;  // 1-based, the header is record 1
  uint64_t relationships_ = 0;  // in the batches read so far
  bool ended_ = false;
};

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_BACKUP_FILE_H_
