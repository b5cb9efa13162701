// An in-memory Datastore, for `rebacd serve-testing` and tests: nothing survives the process.
//
// It keeps every version of every relationship (ordered maps of key -> versions, in the same
// key layout as the RocksDB engine), so snapshot reads at any past revision and the change
// feed behave exactly as the RocksDB engine's; nothing is ever collected: CollectGarbage is a
// no-op and OldestRevision() stays 0, since serve-testing stores live only as long as a test run
// (expired relationships are hidden from reads all the same).
//
// Thread safety: as Datastore. Writes are serialized; reads take a shared lock only while
// copying a chunk of a scan, never while a visitor runs, so visitors may read again.
#ifndef REBACD_STORAGE_MEMORY_MEMORY_DATASTORE_H_
#define REBACD_STORAGE_MEMORY_MEMORY_DATASTORE_H_

#include <memory>

#include "storage/datastore.h"

namespace rebac::storage {

// A new, empty store with a fresh instance id.
std::unique_ptr<Datastore> NewMemoryDatastore();

}  // namespace rebac::storage

#endif  // REBACD_STORAGE_MEMORY_MEMORY_DATASTORE_H_
