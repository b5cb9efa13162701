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
// Thread safety: ChangelogEntryBuilder is a plain value; the functions are pure.
#ifndef REBACD_STORAGE_ROCKSDB_CHANGELOG_CODEC_H_
#define REBACD_STORAGE_ROCKSDB_CHANGELOG_CODEC_H_

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
  // Makes room for `bytes` more without reallocating.
  void Reserve(size_t bytes) { bytes_.reserve(bytes_.size() + bytes); }
  void SetSchema(absl::string_view schema_text);
  void SetTransactionMetadata(absl::string_view metadata);

  const std::string& bytes() const { return bytes_; }
  size_t size() const { return bytes_.size(); }

 private:
  std::string bytes_;
};

// Decodes `bytes` into `out` (whose revision the caller sets). DATA_LOSS when malformed.
absl::Status DecodeChangelogEntry(absl::string_view bytes, RevisionChanges* out);

}  // namespace rebac::storage::rocksdb_engine

#endif  // REBACD_STORAGE_ROCKSDB_CHANGELOG_CODEC_H_
