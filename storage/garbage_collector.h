// Runs a Datastore's garbage collection in the background, every `interval`.
//
//   GarbageCollector gc(&datastore, {.interval = absl::Minutes(3), .report = LogIt});
//   ...  // until gc is destroyed, which stops the thread (waiting for a pass in progress)
//
// The datastore decides what to collect (its history window); this only paces the passes and
// hands each outcome to `report`, on the collector's thread.
//
// Thread safety: construct and destroy from one thread; the datastore must outlive it.
#ifndef REBACD_STORAGE_GARBAGE_COLLECTOR_H_
#define REBACD_STORAGE_GARBAGE_COLLECTOR_H_

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/datastore.h"

namespace rebac::storage {

struct GarbageCollectorOptions {
  absl::Duration interval = absl::Minutes(3);  // between the end of a pass and the next
  // Called after every pass with its result or error; may be empty.
  std::function<void(const absl::StatusOr<GcResult>&)> report;
};

class GarbageCollector {
 public:
  // Starts the thread; the first pass runs one interval from now. REQUIRES: interval > 0.
  GarbageCollector(Datastore* datastore, GarbageCollectorOptions options);
  ~GarbageCollector();

  GarbageCollector(const GarbageCollector&) = delete;
  GarbageCollector& operator=(const GarbageCollector&) = delete;

 private:
  void Run();

  Datastore* const datastore_;
  const GarbageCollectorOptions options_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace rebac::storage

#endif  // REBACD_STORAGE_GARBAGE_COLLECTOR_H_
