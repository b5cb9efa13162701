// A supply of 2 MiB blocks (HugePageBuffer) whose pages a background thread has already faulted
// in, so the thread that fills them (a bulk import's stream) does not stop for page faults. On
// the VMs rebacd is measured on, first touching fresh memory costs ~1.5 ms per MiB, whatever the
// page size: without this, an import's stream spent ~20% of its time faulting its own keys in.
//
// The thread starts only once `lazy_blocks` blocks have been taken (a small import never starts
// it) and keeps `ahead` blocks ready; Take() never waits for it: if none is ready it allocates a
// block itself. Memory it holds beyond what was taken is at most `ahead` blocks.
//
// Thread safety: Take() from one thread at a time; the background thread is internal.
#ifndef REBACD_STORAGE_ROCKSDB_PREFAULTED_BLOCKS_H_
#define REBACD_STORAGE_ROCKSDB_PREFAULTED_BLOCKS_H_

#include <cstddef>
#include <deque>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "storage/rocksdb/huge_page_allocator.h"

namespace rebac::storage::rocksdb_engine {

class PrefaultedBlocks {
 public:
  static constexpr size_t kBlockBytes = kHugePageBytes;

  explicit PrefaultedBlocks(size_t lazy_blocks = 2, size_t ahead = 8)
      : lazy_blocks_(lazy_blocks), ahead_(ahead) {}
  PrefaultedBlocks(const PrefaultedBlocks&) = delete;
  PrefaultedBlocks& operator=(const PrefaultedBlocks&) = delete;
  // Stops the thread and frees the blocks never taken.
  ~PrefaultedBlocks();

  // A block of kBlockBytes, its pages faulted in if the thread was ahead.
  HugePageBuffer Take();

 private:
  void Run();

  const size_t lazy_blocks_;
  const size_t ahead_;
  size_t taken_ = 0;  // by Take(), before the thread started
  std::thread thread_;
  absl::Mutex mu_;
  std::deque<HugePageBuffer> ready_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace rebac::storage::rocksdb_engine

#endif  // REBACD_STORAGE_ROCKSDB_PREFAULTED_BLOCKS_H_
