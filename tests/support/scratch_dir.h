// ScratchDir: an empty directory of the running test's own, removed when the object goes away.
//
// Named after the process and the test (suite, name and parameter), so tests running in
// parallel under ctest never share one; a leftover of a crashed earlier run is cleared first.
// Declare it before the store that lives in it, so the store closes before the removal.
#ifndef REBACD_TESTS_SUPPORT_SCRATCH_DIR_H_
#define REBACD_TESTS_SUPPORT_SCRATCH_DIR_H_

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>

#include "gtest/gtest.h"

namespace rebac::test_support {

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix) {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(test->test_suite_name()) + "." + test->name();
    std::replace(name.begin(), name.end(), '/', '-');  // parameterized names hold a '/'
    path_ = std::filesystem::temp_directory_path() /
            (prefix + "-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string string() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace rebac::test_support

#endif  // REBACD_TESTS_SUPPORT_SCRATCH_DIR_H_
