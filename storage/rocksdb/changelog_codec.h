// The bytes of one revision's entry in the RocksDB engine's `changelog` column family.
//
// An entry is a sequence of records, each one tag byte followed by length-prefixed (varint)
// fields:
//   0, 1, 2  a relationship update (UpdateOperation kCreate, kTouch, kDelete): the six names in
//            resource-then-subject order, then the encoded value (see EncodeValue)
//   0xfe     the transaction metadata bytes
//   0xff     the schema text written at the revision
// Entries written before transaction metadata existed decode unchanged.
//
// An entry may be stored in parts (an import's entry is as large as the import; one value that
// size is slow to write into an SST file and to read back when the file is ingested): the first
// part under the revision's key, the rest under ChangelogPartKey(revision, 1), (revision, 2), ...,
// which sort right after it and before the next revision's key. Each part holds whole records;
// the entry is their concatenation.
//
// Thread safety: ChangelogEntryBuilder is a plain value; the functions are pure.
#ifndef REBACD_STORAGE_ROCKSDB_CHANGELOG_CODEC_H_
#define REBACD_STORAGE_ROCKSDB_CHANGELOG_CODEC_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "storage/datastore.h"

namespace rebac::storage::rocksdb_engine {

class ChangelogEntryBuilder {
 public:
  void AddUpdate(UpdateOperation operation, const Relationship& relationship,
                 absl::string_view encoded_value);
  // The same from a view; its encoded_value is the value recorded.
  void AddUpdate(UpdateOperation operation, const RelationshipView& relationship);
  // The same as a kCreate of the relationship whose `rel` index key (six NUL-terminated names,
  // see key_codec.h) is `resource_key`, without splitting it into a view first. False, adding
  // nothing, when the key is malformed.
  bool AddCreateOfResourceKey(absl::string_view resource_key, absl::string_view encoded_value);
  // Makes room for `bytes` more without reallocating.
  void Reserve(size_t bytes) { bytes_.reserve(bytes_.size() + bytes); }
  void SetSchema(absl::string_view schema_text);
  void SetTransactionMetadata(absl::string_view metadata);

  const std::string& bytes() const { return bytes_; }
  size_t size() const { return bytes_.size(); }
  // Drops the records added so far (a part was stored), keeping the capacity.
  void Clear() { bytes_.clear(); }

 private:
  std::string bytes_;
};

// Decodes `bytes` into `out` (whose revision the caller sets). DATA_LOSS when malformed.
absl::Status DecodeChangelogEntry(absl::string_view bytes, RevisionChanges* out);

// Decodes one more part of an entry, appending its records to `out`.
absl::Status DecodeChangelogPart(absl::string_view bytes, RevisionChanges* out);

// The key of part `part` (1, 2, ...) of `revision`'s entry: the revision's 8-byte key and the
// part number, 4 bytes big-endian. Part 0 is under the revision's key itself.
std::string ChangelogPartKey(Revision revision, uint32_t part);

// Keys of parts 1, 2, ... are this long; a revision's own key is 8 bytes.
inline constexpr size_t kChangelogPartKeyBytes = 12;

}  // namespace rebac::storage::rocksdb_engine

#endif  // REBACD_STORAGE_ROCKSDB_CHANGELOG_CODEC_H_
