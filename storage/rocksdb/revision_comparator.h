// A bytewise comparator with an 8-byte revision timestamp, for RocksDB's user-defined
// timestamps: every version of a key is kept with the revision that wrote it, and a read at
// revision R sees, per key, the newest version written at or before R. That is what makes
// snapshot reads at an old revision work after a restart (RocksDB snapshots do not survive one).
//
// Timestamps are unsigned 64-bit little-endian (RocksDB's own fixed64 encoding); among versions
// of one key, newer revisions sort first, as RocksDB requires.
#ifndef REBACD_STORAGE_ROCKSDB_REVISION_COMPARATOR_H_
#define REBACD_STORAGE_ROCKSDB_REVISION_COMPARATOR_H_

#include <string>

#include "rocksdb/comparator.h"
#include "storage/relationship.h"

namespace rebac::storage::rocksdb_engine {

// The process-wide comparator instance (stateless, so sharing it is safe).
const rocksdb::Comparator* RevisionComparator();

// The timestamp bytes of `revision`.
std::string EncodeRevisionTimestamp(Revision revision);

}  // namespace rebac::storage::rocksdb_engine

#endif  // REBACD_STORAGE_ROCKSDB_REVISION_COMPARATOR_H_
