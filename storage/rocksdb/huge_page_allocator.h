// Memory for large, short-lived arrays that are filled once (a bulk import's keys and sort
// arrays): allocations of 2 MiB or more are 2 MiB-aligned and marked for transparent huge pages
// (madvise MADV_HUGEPAGE), so filling them takes one page fault per 2 MiB instead of one per
// 4 KiB. Without huge pages (THP "never") it is ordinary memory. Smaller allocations use new.
//
// Thread safety: stateless; safe from any thread.
#ifndef REBACD_STORAGE_ROCKSDB_HUGE_PAGE_ALLOCATOR_H_
#define REBACD_STORAGE_ROCKSDB_HUGE_PAGE_ALLOCATOR_H_

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

namespace rebac::storage::rocksdb_engine {

inline constexpr size_t kHugePageBytes = 2 << 20;

inline void* AllocateHugePages(size_t bytes) {
  if (bytes < kHugePageBytes) return ::operator new(bytes);
  const size_t rounded = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  void* p = std::aligned_alloc(kHugePageBytes, rounded);
  if (p == nullptr) throw std::bad_alloc();
  madvise(p, rounded, MADV_HUGEPAGE);  // advice only: failure leaves ordinary pages
  return p;
}

inline void FreeHugePages(void* p, size_t bytes) {
  if (bytes < kHugePageBytes) {
    ::operator delete(p);
  } else {
    std::free(p);
  }
}

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(AllocateHugePages(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { FreeHugePages(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

// A fixed-size buffer from AllocateHugePages.
class HugePageBuffer {
 public:
  explicit HugePageBuffer(size_t bytes)
      : data_(static_cast<char*>(AllocateHugePages(bytes))), bytes_(bytes) {}
  HugePageBuffer(HugePageBuffer&& other) noexcept : data_(other.data_), bytes_(other.bytes_) {
    other.data_ = nullptr;
  }
  HugePageBuffer& operator=(HugePageBuffer&&) = delete;
  ~HugePageBuffer() {
    if (data_ != nullptr) FreeHugePages(data_, bytes_);
  }
  char* data() const { return data_; }
  size_t size() const { return bytes_; }

 private:
  char* data_;
  size_t bytes_;
};

}  // namespace rebac::storage::rocksdb_engine

#endif  // REBACD_STORAGE_ROCKSDB_HUGE_PAGE_ALLOCATOR_H_
