// The embedded RocksDB engine of the Datastore (the default one).
//
// Column families:
//   default      meta: instance id, head revision, format version (no timestamps)
//   rel          resource-major index, versioned by revision (see revision_comparator.h)
//   rel_by_subj  subject-major index, versioned the same way
//   changelog    revision -> the updates that revision made, its transaction metadata and
//                schema text (for Watch; see changelog_codec.h)
//   schema       revision -> schema text written at that revision
//
// Each Write is one RocksDB WriteBatch touching all of them, so a crash leaves either the whole
// revision or none of it; with `sync` (the default) it is on disk before Write returns.
#ifndef REBACD_STORAGE_ROCKSDB_ROCKSDB_DATASTORE_H_
#define REBACD_STORAGE_ROCKSDB_ROCKSDB_DATASTORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "storage/datastore.h"

namespace rebac::storage {

struct RocksDbOptions {
  std::string path;                         // created when missing
  bool sync = true;                         // fsync every commit before acknowledging it
  size_t block_cache_bytes = 256ull << 20;  // shared by both relationship indexes
  // One bulk import is one atomic WriteBatch held in memory until it commits (about 250 bytes
  // per relationship); an import growing past this fails with RESOURCE_EXHAUSTED.
  size_t max_bulk_load_bytes = 1ull << 30;
};

// Opens (creating when needed) the store at options.path. Fails with a clear message when the
// directory is unusable, locked by another process, or holds a store of another format.
absl::StatusOr<std::unique_ptr<Datastore>> OpenRocksDbDatastore(const RocksDbOptions& options);

}  // namespace rebac::storage

#endif  // REBACD_STORAGE_ROCKSDB_ROCKSDB_DATASTORE_H_
