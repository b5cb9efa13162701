// The embedded RocksDB engine of the Datastore (the default one).
//
// Column families:
//   default      meta: instance id, head revision, format version, GC horizon (no timestamps)
//   rel          resource-major index, versioned by revision (see revision_comparator.h)
//   rel_by_subj  subject-major index, versioned the same way
//   changelog    revision -> the updates that revision made, its transaction metadata and
//                schema text (for Watch; see changelog_codec.h)
//   schema       revision -> schema text written at that revision
//   commit_time  revision -> its commit time (unix micros, never decreasing), for the history
//                window; stores made before it existed get one entry, for their head, at open
//
// Each Write is one RocksDB WriteBatch touching all of them, so a crash leaves either the whole
// revision or none of it; with `sync` (the default) it is on disk before Write returns. A large
// bulk import is instead written as one SST file per column family and ingested with one
// IngestExternalFiles call, which is just as atomic (one MANIFEST record).
//
// Group commit: writers plan and apply their batch one at a time (revisions are assigned in
// commit order, each planned against the revision written just before it), but fsync outside
// that lock, so one WAL sync covers every write applied while the previous sync ran. A revision
// becomes the head readers see only once it and every older one are durable. If a WAL sync
// fails, that write and every write after it fail, and the store refuses all further writes
// (FAILED_PRECONDITION) until it is reopened: whether the unsynced writes survived is unknown.
//
// History: CollectGarbage keeps `gc_window` of history readable (see Datastore). The horizon is
// kept in meta, so reads below it fail clearly after a restart too.
#ifndef REBACD_STORAGE_ROCKSDB_ROCKSDB_DATASTORE_H_
#define REBACD_STORAGE_ROCKSDB_ROCKSDB_DATASTORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/datastore.h"

namespace rebac::storage {

struct RocksDbOptions {
  std::string path;                         // created when missing
  bool sync = true;                         // fsync every commit before acknowledging it
  size_t block_cache_bytes = 256ull << 20;  // shared by both relationship indexes
  // One bulk import is held in memory until it commits (both keys, the value and the changelog
  // record of each relationship: about 250 bytes for short names); an import growing past this
  // fails with RESOURCE_EXHAUSTED.
  size_t max_bulk_load_bytes = 1ull << 30;
  // An import of at least this many relationships commits by ingesting SST files written from
  // its sorted keys (atomically, across column families) instead of through the memtables and
  // the WAL; smaller ones commit as one sorted WriteBatch. Each ingestion flushes the memtables
  // whose key ranges it overlaps, so tiny imports are cheaper as a batch.
  size_t bulk_load_ingest_min_relationships = 10000;
  // How far back snapshot reads and the change feed reach once garbage collection runs.
  absl::Duration gc_window = absl::Hours(24);
  // Once no write has committed for this long, memtables holding at least flush_min_bytes are
  // flushed to SST files (also when the store closes): seeks there are cheaper than in a
  // memtable's skiplist, and a restart has no log to replay. Zero: only as RocksDB decides.
  absl::Duration flush_when_quiet = absl::Seconds(1);
  size_t flush_min_bytes = 1ull << 20;
};

// Opens (creating when needed) the store at options.path. Fails with a clear message when the
// directory is unusable, locked by another process, or holds a store of another format.
absl::StatusOr<std::unique_ptr<Datastore>> OpenRocksDbDatastore(const RocksDbOptions& options);

// Flushes the memtables and compacts every column family at once, as RocksDB eventually does on
// its own: for tests and tools that check what compaction keeps after garbage collection.
// INVALID_ARGUMENT when `datastore` is not one OpenRocksDbDatastore made.
absl::Status CompactRocksDbDatastore(Datastore* datastore);

}  // namespace rebac::storage

#endif  // REBACD_STORAGE_ROCKSDB_ROCKSDB_DATASTORE_H_
