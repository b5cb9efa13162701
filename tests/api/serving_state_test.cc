// ServingState: how a request's Consistency picks its revision (minimize_latency quantized as
// SpiceDB's --datastore-revision-quantization-interval), and the per-revision view cache.
#include "api/serving_state.h"

#include <gtest/gtest.h>

#include <memory>

#include "storage/memory/memory_datastore.h"

namespace rebac::api {
namespace {

namespace v1 = authzed::api::v1;

constexpr char kSchema[] =
    "definition user {}\ndefinition document {\n  relation viewer: user\n}\n";

class ServingStateTest : public ::testing::Test {
 protected:
  ServingStateTest() {
    RevisionQuantization q;
    q.interval = absl::Seconds(5);
    q.max_staleness_percent = 0;
    q.now = [this] { return now_; };
    state_ = std::make_unique<ServingState>(storage::NewMemoryDatastore(), q);
  }

  storage::Revision Write() {
    storage::WriteRequest write;
    write.updates.push_back({.relationship = {.resource_type = "document",
                                              .resource_id = absl::StrCat("d", ++writes_),
                                              .relation = "viewer",
                                              .subject_type = "user",
                                              .subject_id = "alice"}});
    if (writes_ == 1) write.schema_text = kSchema;
    auto written = state_->datastore().Write(write);
    EXPECT_TRUE(written.ok()) << written.status();
    return written.ok() ? written->revision : 0;
  }

  storage::Revision Read(const v1::Consistency& consistency) {
    absl::StatusOr<ReadView> view = state_->ViewFor(&consistency);
    EXPECT_TRUE(view.ok()) << view.status();
    return view.ok() ? view->snapshot->revision() : 0;
  }

  static v1::Consistency Minimize() {
    v1::Consistency c;
    c.set_minimize_latency(true);
    return c;
  }
  static v1::Consistency Full() {
    v1::Consistency c;
    c.set_fully_consistent(true);
    return c;
  }
  v1::Consistency AtLeastAsFresh(storage::Revision r) {
    v1::Consistency c;
    c.mutable_at_least_as_fresh()->set_token(state_->TokenFor(r));
    return c;
  }

  absl::Time now_ = absl::FromUnixSeconds(1000);  // the start of a 5 s interval
  int writes_ = 0;
  std::unique_ptr<ServingState> state_;
};

TEST_F(ServingStateTest, MinimizeLatencyReadsOneRevisionPerInterval) {
  const storage::Revision first = Write();
  EXPECT_EQ(Read(Minimize()), first);
  const storage::Revision second = Write();
  now_ += absl::Seconds(4);
  EXPECT_EQ(Read(Minimize()), first);  // same interval: same revision, though a newer exists
  now_ += absl::Seconds(1);
  EXPECT_EQ(Read(Minimize()), second);  // the next interval moves to the newest
}

TEST_F(ServingStateTest, FullyConsistentAndNoConsistencyReadTheHead) {
  Write();
  EXPECT_EQ(Read(Minimize()), 1u);
  const storage::Revision head = Write();
  EXPECT_EQ(Read(Full()), head);
  absl::StatusOr<ReadView> unset = state_->ViewFor(nullptr);
  ASSERT_TRUE(unset.ok());
  EXPECT_EQ(unset->snapshot->revision(), head);
  EXPECT_TRUE(unset->has_schema);
}

TEST_F(ServingStateTest, AtLeastAsFreshIsTheNewerOfTokenAndQuantized) {
  const storage::Revision first = Write();
  EXPECT_EQ(Read(Minimize()), first);
  const storage::Revision second = Write();
  EXPECT_EQ(Read(AtLeastAsFresh(second)), second);  // the token is newer than the quantized
  EXPECT_EQ(Read(AtLeastAsFresh(first)), first);    // the quantized one is as new as the token
  now_ += absl::Seconds(5);
  EXPECT_EQ(Read(AtLeastAsFresh(first)), second);  // the quantized one moved on
}

TEST_F(ServingStateTest, AZeroIntervalReadsTheHead) {
  RevisionQuantization q;
  q.interval = absl::ZeroDuration();
  state_ = std::make_unique<ServingState>(storage::NewMemoryDatastore(), q);
  Write();
  EXPECT_EQ(Read(Minimize()), 1u);
  EXPECT_EQ(Read(Minimize()), Write());
}

TEST_F(ServingStateTest, CachedViewsCarryTheirRevisionsSchemaAndToken) {
  absl::StatusOr<ReadView> empty = state_->ViewFor(nullptr);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_schema);
  const storage::Revision first = Write();
  for (int i = 0; i < 2; ++i) {  // a miss, then a hit
    absl::StatusOr<ReadView> view = state_->ViewAt(first);
    ASSERT_TRUE(view.ok());
    EXPECT_TRUE(view->has_schema);
    EXPECT_EQ(view->token, state_->TokenFor(first));
  }
  absl::StatusOr<ReadView> again = state_->ViewAt(0);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_schema);
}

}  // namespace
}  // namespace rebac::api
