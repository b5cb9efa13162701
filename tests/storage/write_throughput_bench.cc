// Write throughput of the RocksDB datastore under concurrent writers, fsync on (the default).
//
//   write_throughput_bench [DIR] [SECONDS_PER_LEVEL] [WRITERS...]
//
// For each concurrency level (by default 1, 8 and 64 writer threads), every thread writes one
// relationship per Write for SECONDS_PER_LEVEL seconds into a fresh store under DIR; prints
// acknowledged writes per second. Not a gtest: run it by hand (numbers depend on the disk's fsync
// latency).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "storage/rocksdb/rocksdb_datastore.h"

namespace {

using rebac::storage::Relationship;
using rebac::storage::UpdateOperation;

int Run(const std::filesystem::path& dir, int threads, double seconds) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir.parent_path());
  auto store = rebac::storage::OpenRocksDbDatastore({.path = dir.string()});
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> done{0};
  std::atomic<uint64_t> failed{0};
  std::vector<std::thread> workers;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        Relationship r{
            "doc", std::to_string(t) + "-" + std::to_string(i), "viewer", "user", "u", "", {}};
        auto written = (*store)->Write({.updates = {{UpdateOperation::kTouch, std::move(r)}}});
        (written.ok() ? done : failed).fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("writers=%-3d  writes=%-7llu  failed=%llu  %.0f writes/s  head=%llu\n", threads,
              static_cast<unsigned long long>(done.load()),
              static_cast<unsigned long long>(failed.load()), done.load() / elapsed,
              static_cast<unsigned long long>((*store)->HeadRevision()));
  store->reset();
  std::filesystem::remove_all(dir);
  return failed.load() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::temp_directory_path() / "rebacd-write-bench";
  const double seconds = argc > 2 ? std::atof(argv[2]) : 3.0;
  std::vector<int> levels;
  for (int i = 3; i < argc; ++i) levels.push_back(std::atoi(argv[i]));
  if (levels.empty()) levels = {1, 8, 64};
  int rc = 0;
  for (int threads : levels) {
    if (threads < 1) {
      std::fprintf(stderr, "writer counts must be positive\n");
      return 2;
    }
    rc |= Run(dir / std::to_string(threads), threads, seconds);
  }
  return rc;
}
