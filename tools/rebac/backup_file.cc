#include "tools/rebac/backup_file.h"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace rebac::cli {
namespace {

constexpr char kMagic[8] = {'R', 'E', 'B', 'A', 'C', 'B', 'K', '\n'};
constexpr uint32_t kMaxRecordBytes = 256u << 20;  // far above any batch the writer makes

void PutU32(std::string* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint32_t GetU32(const unsigned char* bytes) {
  return uint32_t{bytes[0]} | uint32_t{bytes[1]} << 8 | uint32_t{bytes[2]} << 16 |
         uint32_t{bytes[3]} << 24;
}

uint32_t RecordCrc(char kind, const std::string& payload) {
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(&kind), 1);
  crc = crc32_z(crc, reinterpret_cast<const Bytef*>(payload.data()), payload.size());
  return static_cast<uint32_t>(crc);
}

gzFile AsGz(void* file) { return static_cast<gzFile>(file); }

}  // namespace

// --- BackupWriter ---

absl::StatusOr<std::unique_ptr<BackupWriter>> BackupWriter::Create(const std::string& path,
                                                                   const BackupHeader& header) {
  std::unique_ptr<BackupWriter> writer(new BackupWriter());
  writer->path_ = path;
  writer->partial_path_ = absl::StrCat(path, ".partial");
  // Level 1: relationships compress ~8x even so, and the backup is not CPU-bound on the client.
  gzFile file = gzopen(writer->partial_path_.c_str(), "wb1");
  if (file == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot create ", writer->partial_path_, ": ", std::strerror(errno)));
  }
  gzbuffer(file, 1 << 20);
  writer->file_ = file;
  if (gzwrite(file, kMagic, sizeof kMagic) != static_cast<int>(sizeof kMagic)) {
    return absl::DataLossError(absl::StrCat("cannot write ", writer->partial_path_));
  }
  nlohmann::json json = {{"format", "rebac-backup"},
                         {"version", header.version},
                         {"schema", header.schema},
                         {"revision", header.revision},
                         {"created_at", header.created_at}};
  if (absl::Status s = writer->WriteRecord('H', json.dump()); !s.ok()) return s;
  return writer;
}

BackupWriter::~BackupWriter() {
  if (file_ != nullptr) {
    gzclose(AsGz(file_));
    std::remove(partial_path_.c_str());
  }
}

absl::Status BackupWriter::WriteRecord(char kind, const std::string& payload) {
  std::string frame;
  frame.reserve(payload.size() + 9);
  PutU32(&frame, static_cast<uint32_t>(payload.size()));
  frame.push_back(kind);
  frame.append(payload);
  PutU32(&frame, RecordCrc(kind, payload));
  if (gzwrite(AsGz(file_), frame.data(), static_cast<unsigned>(frame.size())) !=
      static_cast<int>(frame.size())) {
    int code = 0;
    const char* message = gzerror(AsGz(file_), &code);
    return absl::DataLossError(absl::StrCat(
        "cannot write ", partial_path_, ": ",
        code == Z_ERRNO ? std::strerror(errno) : (message != nullptr ? message : "?")));
  }
  return absl::OkStatus();
}

absl::Status BackupWriter::Append(const authzed::api::v1::ImportBulkRelationshipsRequest& batch) {
  if (batch.relationships().empty()) return absl::OkStatus();
  relationships_ += batch.relationships_size();
  return WriteRecord('R', batch.SerializeAsString());
}

absl::Status BackupWriter::Finish() {
  nlohmann::json end = {{"relationships", relationships_}};
  if (absl::Status s = WriteRecord('E', end.dump()); !s.ok()) return s;
  int closed = gzclose(AsGz(file_));
  file_ = nullptr;
  if (closed != Z_OK) {
    std::remove(partial_path_.c_str());
    return absl::DataLossError(absl::StrCat("cannot finish writing ", partial_path_,
                                            closed == Z_ERRNO ? ": " : "",
                                            closed == Z_ERRNO ? std::strerror(errno) : ""));
  }
  if (std::rename(partial_path_.c_str(), path_.c_str()) != 0) {
    std::string error = std::strerror(errno);
    std::remove(partial_path_.c_str());
    return absl::UnavailableError(
        absl::StrCat("cannot move ", partial_path_, " to ", path_, ": ", error));
  }
  return absl::OkStatus();
}

// --- BackupReader ---

absl::StatusOr<std::unique_ptr<BackupReader>> BackupReader::Open(const std::string& path) {
  std::unique_ptr<BackupReader> reader(new BackupReader());
  reader->path_ = path;
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  gzbuffer(file, 1 << 20);
  reader->file_ = file;

  char magic[sizeof kMagic];
  bool eof = false;
  if (absl::Status s = reader->ReadExactly(magic, sizeof magic, "the file signature", &eof);
      !s.ok()) {
    return s;
  }
  if (eof || std::memcmp(magic, kMagic, sizeof kMagic) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     " is not a rebac backup: it does not start with the signature of one (made by "
                     "`rebac backup create`)"));
  }
  absl::StatusOr<Record> header = reader->ReadRecord();
  if (!header.ok()) return header.status();
  if (header->kind != 'H') return reader->Damaged("the first record is not the header");
  nlohmann::json json = nlohmann::json::parse(header->payload, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || json.value("format", "") != "rebac-backup" ||
      !json.contains("version") || !json["version"].is_number_integer()) {
    return reader->Damaged("the header is not valid");
  }
  reader->header_.version = json["version"].get<int>();
  if (reader->header_.version > kBackupFormatVersion) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is a version ", reader->header_.version,
                                                   " backup; this rebac reads up to version ",
                                                   kBackupFormatVersion, ": use a newer rebac"));
  }
  reader->header_.schema = json.value("schema", "");
  reader->header_.revision = json.value("revision", "");
  reader->header_.created_at = json.value("created_at", "");
  return reader;
}

BackupReader::~BackupReader() {
  if (file_ != nullptr) gzclose(AsGz(file_));
}

absl::Status BackupReader::Damaged(const std::string& what) const {
  return absl::DataLossError(absl::StrCat(path_, " is damaged: record ", record_number_,
                                          " (at byte ", record_offset_,
                                          " of the uncompressed stream): ", what));
}

absl::Status BackupReader::ReadExactly(void* data, size_t size, const char* what, bool* eof) {
  *eof = false;
  size_t done = 0;
  while (done < size) {
    int n =
        gzread(AsGz(file_), static_cast<char*>(data) + done, static_cast<unsigned>(size - done));
    if (n < 0) {
      int code = 0;
      const char* message = gzerror(AsGz(file_), &code);
      return absl::DataLossError(absl::StrCat(
          path_, " is damaged: the compressed data is corrupt near byte ", offset_ + done,
          " of the uncompressed stream, reading ", what, ": ",
          code == Z_ERRNO ? std::strerror(errno) : (message != nullptr ? message : "?")));
    }
    if (n == 0) {
      if (done == 0) {
        *eof = true;
        return absl::OkStatus();
      }
      offset_ += done;
      return absl::DataLossError(absl::StrCat(path_, " is cut short: it ends at byte ", offset_,
                                              " of the uncompressed stream, in ", what));
    }
    done += static_cast<size_t>(n);
  }
  offset_ += done;
  return absl::OkStatus();
}

absl::StatusOr<BackupReader::Record> BackupReader::ReadRecord() {
  record_offset_ = offset_;
  ++record_number_;
  unsigned char prefix[5];
  bool eof = false;
  if (absl::Status s = ReadExactly(prefix, sizeof prefix, "a record's length", &eof); !s.ok()) {
    return s;
  }
  if (eof) {
    return absl::DataLossError(absl::StrCat(
        path_, " is cut short: it ends at byte ", offset_,
        " of the uncompressed stream without the end record (the backup did not finish)"));
  }
  uint32_t length = GetU32(prefix);
  Record record;
  record.kind = static_cast<char>(prefix[4]);
  if (length > kMaxRecordBytes) {
    return Damaged(absl::StrCat("implausible record length ", length));
  }
  if (record.kind != 'H' && record.kind != 'R' && record.kind != 'E') {
    return Damaged(absl::StrCat("unknown record kind ", static_cast<int>(prefix[4])));
  }
  record.payload.resize(length);
  if (absl::Status s = ReadExactly(record.payload.data(), length, "a record", &eof); !s.ok()) {
    return s;
  }
  if (eof && length > 0) return Damaged("the file ends inside the record");
  unsigned char crc[4];
  if (absl::Status s = ReadExactly(crc, sizeof crc, "a record's checksum", &eof); !s.ok()) {
    return s;
  }
  if (eof) return Damaged("the file ends before the record's checksum");
  if (GetU32(crc) != RecordCrc(record.kind, record.payload)) {
    return Damaged("checksum mismatch");
  }
  return record;
}

absl::StatusOr<bool> BackupReader::Next(authzed::api::v1::ImportBulkRelationshipsRequest* batch) {
  if (ended_) return false;
  absl::StatusOr<Record> record = ReadRecord();
  if (!record.ok()) return record.status();
  if (record->kind == 'R') {
    if (!batch->ParseFromString(record->payload)) {
      return Damaged("the relationships do not decode");
    }
    relationships_ += batch->relationships_size();
    return true;
  }
  if (record->kind != 'E') return Damaged("a second header");
  nlohmann::json json = nlohmann::json::parse(record->payload, nullptr, false);
  if (!json.is_object() || !json.contains("relationships") ||
      !json["relationships"].is_number_unsigned()) {
    return Damaged("the end record is not valid");
  }
  uint64_t stated = json["relationships"].get<uint64_t>();
  if (stated != relationships_) {
    return Damaged(absl::StrCat("the end record counts ", stated, " relationships, the file holds ",
                                relationships_));
  }
  char extra;
  bool eof = false;
  if (absl::Status s = ReadExactly(&extra, 1, "the end", &eof); !eof) {
    return absl::DataLossError(absl::StrCat(
        path_, " is damaged: data after the end record, at byte ", offset_ - (s.ok() ? 1 : 0)));
  }
  ended_ = true;
  return false;
}

}  // namespace rebac::cli
