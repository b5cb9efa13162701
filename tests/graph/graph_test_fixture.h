// A RocksDB store in a fresh temporary directory plus a schema compiled from text, for the
// graph engine tests: write relationships as SpiceDB strings, then query at the head revision.
#ifndef REBACD_TESTS_GRAPH_GRAPH_TEST_FIXTURE_H_
#define REBACD_TESTS_GRAPH_GRAPH_TEST_FIXTURE_H_

#include <unistd.h>

#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "schema/compiler.h"
#include "storage/rocksdb/rocksdb_datastore.h"

namespace rebac::graph::testing {

// "type:id#rel@stype:sid[#srel]"
inline storage::Relationship ParseRelationship(absl::string_view text) {
  std::vector<std::string> at = absl::StrSplit(text, '@');
  std::vector<std::string> res = absl::StrSplit(at[0], absl::ByAnyChar(":#"));
  std::vector<std::string> sub = absl::StrSplit(at[1], absl::ByAnyChar(":#"));
  return {res[0], res[1], res[2], sub[0], sub[1], sub.size() > 2 ? sub[2] : "", {}};
}

// "type:id" or "type:id#relation" -> {type, id, relation}
struct ObjectText {
  std::string type, id, relation;
};
inline ObjectText ParseObject(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, absl::ByAnyChar(":#"));
  return {parts[0], parts.size() > 1 ? parts[1] : "", parts.size() > 2 ? parts[2] : ""};
}

class GraphStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rebacd-graph-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto opened = storage::OpenRocksDbDatastore({.path = dir_.string(), .sync = false});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void UseSchema(absl::string_view text) {
    schema::CompileResult compiled = schema::Compile(std::string_view(text.data(), text.size()));
    ASSERT_TRUE(compiled.ok()) << compiled.error().ToString();
    schema_ = compiled.schema();
  }
  void Write(const std::vector<std::string>& relationships) {
    for (size_t i = 0; i < relationships.size(); i += 1000) {
      storage::WriteRequest request;
      for (size_t j = i; j < relationships.size() && j < i + 1000; ++j) {
        request.updates.push_back(
            {storage::UpdateOperation::kTouch, ParseRelationship(relationships[j])});
      }
      auto written = store_->Write(request);
      ASSERT_TRUE(written.ok()) << written.status();
    }
  }
  std::shared_ptr<const storage::Snapshot> Head() {
    return *store_->SnapshotAt(store_->HeadRevision());
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Datastore> store_;
  std::shared_ptr<const schema::CompiledSchema> schema_;
};

}  // namespace rebac::graph::testing

#endif  // REBACD_TESTS_GRAPH_GRAPH_TEST_FIXTURE_H_
