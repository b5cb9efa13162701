#include "storage/garbage_collector.h"

namespace rebac::storage {

GarbageCollector::GarbageCollector(Datastore* datastore, GarbageCollectorOptions options)
    : datastore_(datastore), options_(std::move(options)) {
  thread_ = std::thread([this] { Run(); });
}

GarbageCollector::~GarbageCollector() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void GarbageCollector::Run() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      // Wakes early only to stop.
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.interval);
      if (stopping_) return;
    }
    absl::StatusOr<GcResult> result = datastore_->CollectGarbage(absl::Now());
    if (options_.report) options_.report(result);
  }
}

}  // namespace rebac::storage
