#include "storage/rocksdb/prefaulted_blocks.h"

#include <sys/mman.h>

#include <utility>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

namespace rebac::storage::rocksdb_engine {
namespace {

// Faults every page of `block` in, writable: one madvise where the kernel has it, else one
// write per 4 KiB page (which leaves the bytes as they were).
void FaultIn(const HugePageBuffer& block) {
  if (madvise(block.data(), block.size(), MADV_POPULATE_WRITE) == 0) return;
  volatile char* p = block.data();
  for (size_t i = 0; i < block.size(); i += 4096) p[i] = p[i];
}

}  // namespace

PrefaultedBlocks::~PrefaultedBlocks() {
  if (!thread_.joinable()) return;
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

HugePageBuffer PrefaultedBlocks::Take() {
  if (!thread_.joinable()) {
    if (++taken_ <= lazy_blocks_) return HugePageBuffer(kBlockBytes);
    thread_ = std::thread([this] { Run(); });
  }
  {
    absl::MutexLock lock(&mu_);
    if (!ready_.empty()) {
      HugePageBuffer block = std::move(ready_.front());
      ready_.pop_front();
      return block;
    }
  }
  return HugePageBuffer(kBlockBytes);  // the thread fell behind: fault this one in use
}

void PrefaultedBlocks::Run() {
  absl::MutexLock lock(&mu_);
  while (true) {
    auto wanted = [this]()
                      ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stop_ || ready_.size() < ahead_; };
    mu_.Await(absl::Condition(&wanted));
    if (stop_) return;
    mu_.Unlock();
    HugePageBuffer block(kBlockBytes);
    FaultIn(block);
    mu_.Lock();
    ready_.push_back(std::move(block));
  }
}

}  // namespace rebac::storage::rocksdb_engine
