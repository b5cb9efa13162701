// Acknowledged writes survive a SIGKILL of the process that made them, cycle after cycle on the
// same directory, with concurrent writers mid-flight (group commit) when the kill lands.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "storage/rocksdb/rocksdb_datastore.h"

namespace rebac::storage {
namespace {

// In the child: writes from `threads` threads until killed, reporting each acknowledged
// relationship id on `fd` (one line each).
[[noreturn]] void WriteUntilKilled(const std::string& dir, int cycle, int fd) {
  auto store = OpenRocksDbDatastore({.path = dir});
  if (!store.ok()) _exit(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        const std::string id =
            std::to_string(cycle) + "-" + std::to_string(t) + "-" + std::to_string(i);
        auto w = (*store)->Write(
            {.updates = {{UpdateOperation::kCreate, {"doc", id, "viewer", "user", "u", "", {}}}}});
        if (!w.ok()) _exit(3);
        const std::string line = id + "\n";
        if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
      }
    });
  }
  for (auto& t : threads) t.join();
  _exit(0);
}

// Runs `child` (which never returns) in a forked process, kills it with SIGKILL after
// `run_for_us`, and returns the lines it wrote on the pipe it was given (what it acknowledged
// before dying). `killed` is false when the child ended on its own instead.
template <typename Child>
std::vector<std::string> KillAndCollect(Child child, useconds_t run_for_us, bool* killed) {
  int fds[2];
  if (pipe(fds) != 0) {
    *killed = false;
    return {};
  }
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    child(fds[1]);
  }
  close(fds[1]);
  usleep(run_for_us);
  if (pid > 0) kill(pid, SIGKILL);
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, n);
  close(fds[0]);
  *killed = pid > 0 && WIFSIGNALED(status);
  std::vector<std::string> lines;
  for (size_t start = 0, end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(out.substr(start, end - start));
  }
  return lines;
}

TEST(CrashRecoveryTest, AcknowledgedWritesSurviveSigkill) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("rebacd-crash-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::vector<std::string> acknowledged;
  for (int cycle = 0; cycle < 6; ++cycle) {
    // Let it write a while (a different while each cycle), then kill it mid-flight.
    bool killed = false;
    std::vector<std::string> lines =
        KillAndCollect([&](int fd) { WriteUntilKilled(dir.string(), cycle, fd); },
                       50'000 + cycle * 37'000, &killed);
    ASSERT_TRUE(killed) << "the writer was not killed mid-flight";
    acknowledged.insert(acknowledged.end(), lines.begin(), lines.end());

    auto store = OpenRocksDbDatastore({.path = dir.string()});
    ASSERT_TRUE(store.ok()) << store.status();
    auto snap = (*store)->SnapshotAt((*store)->HeadRevision());
    ASSERT_TRUE(snap.ok());
    size_t lost = 0;
    std::string first_lost;
    for (const std::string& id : acknowledged) {
      auto found = (*snap)->Find("doc", id, "viewer", "user", "u", "");
      ASSERT_TRUE(found.ok());
      if (!found->has_value()) {
        if (lost++ == 0) first_lost = id;
      }
    }
    EXPECT_EQ(lost, 0u) << "cycle " << cycle << ": " << lost << " of " << acknowledged.size()
                        << " acknowledged writes lost, first " << first_lost << ", head "
                        << (*store)->HeadRevision();
  }
  std::filesystem::remove_all(dir);
}

// In the child: one thread imports batches of kImportSize relationships (each committed by SST
// ingestion) while another writes single relationships, reporting each acknowledged import
// ("i K") and write ("w ID") on `fd`, until killed.
constexpr int kImportSize = 3000;

std::string ImportId(int cycle, int import, int i) {
  return "c" + std::to_string(cycle) + "-i" + std::to_string(import) + "-" + std::to_string(i);
}

[[noreturn]] void ImportUntilKilled(const std::string& dir, int cycle, int fd) {
  auto store = OpenRocksDbDatastore({.path = dir, .bulk_load_ingest_min_relationships = 0});
  if (!store.ok()) _exit(2);
  auto report = [fd](const std::string& line) {
    if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
  };
  std::thread writer([&] {
    for (int i = 0;; ++i) {
      const std::string id = "c" + std::to_string(cycle) + "-w" + std::to_string(i);
      auto w = (*store)->Write(
          {.updates = {{UpdateOperation::kCreate, {"doc", id, "viewer", "user", "u", "", {}}}}});
      if (!w.ok()) _exit(3);
      report("w " + id + "\n");
    }
  });
  for (int import = 0;; ++import) {
    auto load = (*store)->StartBulkLoad("");
    if (!load.ok()) _exit(5);
    std::vector<Relationship> rels;
    for (int i = 0; i < kImportSize; ++i) {
      rels.push_back({"doc", ImportId(cycle, import, i), "viewer", "user", "u", "", {}});
    }
    if (!(*load)->Add(rels).ok() || !(*load)->Commit().ok()) _exit(6);
    report("i " + std::to_string(import) + "\n");
  }
}

TEST(CrashRecoveryTest, ImportsAreAllOrNothingAcrossSigkill) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("rebacd-import-crash-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::vector<std::string> acknowledged_writes;
  std::vector<std::pair<int, int>> acknowledged_imports;  // (cycle, import)
  for (int cycle = 0; cycle < 6; ++cycle) {
    bool killed = false;
    std::vector<std::string> lines =
        KillAndCollect([&](int fd) { ImportUntilKilled(dir.string(), cycle, fd); },
                       150'000 + cycle * 61'000, &killed);
    ASSERT_TRUE(killed) << "the importer was not killed mid-flight";
    for (const std::string& line : lines) {
      if (line[0] == 'w') acknowledged_writes.push_back(line.substr(2));
      if (line[0] == 'i') acknowledged_imports.emplace_back(cycle, std::stoi(line.substr(2)));
    }

    auto store = OpenRocksDbDatastore({.path = dir.string()});
    ASSERT_TRUE(store.ok()) << store.status();
    const Revision head = (*store)->HeadRevision();
    auto snap = *(*store)->SnapshotAt(head);
    for (const std::string& id : acknowledged_writes) {
      auto found = snap->Find("doc", id, "viewer", "user", "u", "");
      ASSERT_TRUE(found.ok() && found->has_value()) << "cycle " << cycle << ": lost write " << id;
    }
    // Every import of this cycle is wholly there or wholly absent; acknowledged ones are there.
    int complete = 0;
    for (int import = 0;; ++import) {
      RelationshipFilter filter;
      filter.resource_type = "doc";
      filter.resource_id_prefix =
          ImportId(cycle, import, 0).substr(0, ImportId(cycle, import, 0).size() - 1);
      size_t n = 0;
      ASSERT_TRUE(snap->ForEach(filter,
                                [&](const RelationshipView&) {
                                  ++n;
                                  return true;
                                })
                      .ok());
      // The prefix "c0-i1-" also matches no other import: ids end in "-<i>".
      ASSERT_TRUE(n == 0 || n == kImportSize)
          << "cycle " << cycle << ": import " << import << " is partly there (" << n << ")";
      if (n == 0) break;
      ++complete;
    }
    for (const auto& [c, import] : acknowledged_imports) {
      if (c == cycle)
        EXPECT_LT(import, complete) << "cycle " << cycle << ": lost import " << import;
    }
    // The change feed has every revision up to the head, one entry each.
    Revision seen = 0;
    ASSERT_TRUE((*store)
                    ->ReadChanges(0, head,
                                  [&](const RevisionChanges& c) {
                                    EXPECT_EQ(c.revision, seen + 1);
                                    seen = c.revision;
                                    return true;
                                  })
                    .ok());
    EXPECT_EQ(seen, head);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rebac::storage
