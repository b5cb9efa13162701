// Watch, bulk import/export and serve-testing's per-token stores, through a real in-process
// gRPC server in testing mode (memory datastores) and the generated stubs.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <thread>

#include "absl/time/clock.h"
#include "api/per_token_serving_states.h"
#include "api/server.h"
#include "authzed/api/v1/experimental_service.grpc.pb.h"
#include "authzed/api/v1/permission_service.grpc.pb.h"
#include "authzed/api/v1/schema_service.grpc.pb.h"
#include "authzed/api/v1/watch_service.grpc.pb.h"
#include "gtest/gtest.h"

namespace rebac::api {
namespace {

namespace v1 = authzed::api::v1;

constexpr char kSchema[] = R"(definition user {}
definition document {
    relation viewer: user
})";

v1::Relationship Rel(const std::string& doc, const std::string& user) {
  v1::Relationship r;
  r.mutable_resource()->set_object_type("document");
  r.mutable_resource()->set_object_id(doc);
  r.set_relation("viewer");
  r.mutable_subject()->mutable_object()->set_object_type("user");
  r.mutable_subject()->mutable_object()->set_object_id(user);
  return r;
}

class StreamingServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.testing_mode = true;
    options.grpc_addr = "127.0.0.1:0";
    options.watch.heartbeat = absl::Milliseconds(100);
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    permissions_ = v1::PermissionsService::NewStub(channel_);
    watch_ = v1::WatchService::NewStub(channel_);
    experimental_ = v1::ExperimentalService::NewStub(channel_);
    auto schema = v1::SchemaService::NewStub(channel_);
    grpc::ClientContext context;
    Authorize(&context);
    v1::WriteSchemaRequest request;
    request.set_schema(kSchema);
    v1::WriteSchemaResponse response;
    ASSERT_TRUE(schema->WriteSchema(&context, request, &response).ok());
  }

  void Authorize(grpc::ClientContext* context, const std::string& token = "t") {
    context->AddMetadata("authorization", "Bearer " + token);
  }

  std::string Write(std::vector<v1::Relationship> rels) {
    grpc::ClientContext context;
    Authorize(&context);
    v1::WriteRelationshipsRequest request;
    for (auto& r : rels) {
      auto* u = request.add_updates();
      u->set_operation(v1::RelationshipUpdate::OPERATION_CREATE);
      *u->mutable_relationship() = r;
    }
    v1::WriteRelationshipsResponse response;
    grpc::Status s = permissions_->WriteRelationships(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.written_at().token();
  }

  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::PermissionsService::Stub> permissions_;
  std::unique_ptr<v1::WatchService::Stub> watch_;
  std::unique_ptr<v1::ExperimentalService::Stub> experimental_;
};

TEST_F(StreamingServicesTest, WatchSendsEachCommitAndStopsWhenCancelled) {
  grpc::ClientContext context;
  Authorize(&context);
  v1::WatchRequest request;
  request.add_optional_update_kinds(v1::WATCH_KIND_INCLUDE_CHECKPOINTS);
  auto reader = watch_->Watch(&context, request);
  v1::WatchResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_TRUE(response.is_checkpoint());  // caught up at once

  std::string token = Write({Rel("1", "a")});
  do {
    ASSERT_TRUE(reader->Read(&response));
  } while (response.is_checkpoint());
  ASSERT_EQ(response.updates_size(), 1);
  EXPECT_EQ(response.updates(0).operation(), v1::RelationshipUpdate::OPERATION_TOUCH);
  EXPECT_EQ(response.changes_through().token(), token);

  auto start = std::chrono::steady_clock::now();
  context.TryCancel();
  while (reader->Read(&response)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(StreamingServicesTest, WatchEndsAtTheCallDeadline) {
  grpc::ClientContext context;
  Authorize(&context);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  auto reader = watch_->Watch(&context, v1::WatchRequest());
  v1::WatchResponse response;
  auto start = std::chrono::steady_clock::now();
  while (reader->Read(&response)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(StreamingServicesTest, ShutdownEndsWatchStreamsPromptlyAsUnavailable) {
  grpc::ClientContext context;
  Authorize(&context);
  v1::WatchRequest request;
  request.add_optional_update_kinds(v1::WATCH_KIND_INCLUDE_CHECKPOINTS);
  auto reader = watch_->Watch(&context, request);
  v1::WatchResponse response;
  ASSERT_TRUE(reader->Read(&response));  // the stream is established
  auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] { server_->Shutdown(); });
  while (reader->Read(&response)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(StreamingServicesTest, ImportThenExportRoundTripsThroughBothServices) {
  grpc::ClientContext import_context;
  Authorize(&import_context);
  v1::BulkImportRelationshipsResponse imported;
  auto writer = experimental_->BulkImportRelationships(&import_context, &imported);
  for (int batch = 0; batch < 3; ++batch) {
    v1::BulkImportRelationshipsRequest request;
    for (int i = 0; i < 50; ++i) {
      *request.add_relationships() = Rel(std::to_string(batch * 50 + i), "u");
    }
    ASSERT_TRUE(writer->Write(request));
  }
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(imported.num_loaded(), 150u);

  grpc::ClientContext export_context;
  Authorize(&export_context);
  v1::ExportBulkRelationshipsRequest request;
  request.set_optional_limit(40);
  auto reader = permissions_->ExportBulkRelationships(&export_context, request);
  v1::ExportBulkRelationshipsResponse response;
  int batches = 0, total = 0;
  while (reader->Read(&response)) {
    ++batches;
    total += response.relationships_size();
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(batches, 4);
  EXPECT_EQ(total, 150);
}

TEST_F(StreamingServicesTest, AnImportThatRecreatesARelationshipWritesNothing) {
  Write({Rel("x", "u")});
  grpc::ClientContext context;
  Authorize(&context);
  v1::ImportBulkRelationshipsResponse imported;
  auto writer = permissions_->ImportBulkRelationships(&context, &imported);
  v1::ImportBulkRelationshipsRequest request;
  *request.add_relationships() = Rel("y", "u");
  *request.add_relationships() = Rel("x", "u");
  writer->Write(request);
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);

  grpc::ClientContext read_context;
  Authorize(&read_context);
  v1::ReadRelationshipsRequest read;
  read.mutable_relationship_filter()->set_resource_type("document");
  auto reader = permissions_->ReadRelationships(&read_context, read);
  v1::ReadRelationshipsResponse row;
  int rows = 0;
  while (reader->Read(&row)) ++rows;
  EXPECT_EQ(rows, 1);
}

// The streams of one connection write their batches in turn (StreamWriteTurns); a stream
// whose client stops reading holds its turn while its write waits for flow control, and must
// not stall the connection's other streams.
TEST_F(StreamingServicesTest, ALookupNotReadDoesNotStallAnotherOnTheSameConnection) {
  // Some 13 MB of responses: past what the transport buffers for a stream its client does not read
  // (at 40,000 the unread stream never waited, and the test could not fail).
  constexpr int kDocuments = 120000;
  for (int chunk = 0; chunk < kDocuments / 1000; ++chunk) {
    std::vector<v1::Relationship> rels;
    for (int i = 0; i < 1000; ++i) rels.push_back(Rel(std::to_string(chunk * 1000 + i), "alice"));
    Write(std::move(rels));
  }
  v1::LookupResourcesRequest request;
  request.set_resource_object_type("document");
  request.set_permission("viewer");
  request.mutable_subject()->mutable_object()->set_object_type("user");
  request.mutable_subject()->mutable_object()->set_object_id("alice");
  request.mutable_consistency()->set_fully_consistent(true);

  grpc::ClientContext unread_context;
  Authorize(&unread_context);
  auto unread = permissions_->LookupResources(&unread_context, request);
  v1::LookupResourcesResponse response;
  ASSERT_TRUE(unread->Read(&response));     // then never read again
  absl::SleepFor(absl::Milliseconds(200));  // its writes now wait for the client

  grpc::ClientContext context;
  Authorize(&context);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  auto reader = permissions_->LookupResources(&context, request);
  int read = 0;
  while (reader->Read(&response)) ++read;
  grpc::Status status = reader->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(read, kDocuments);

  unread_context.TryCancel();
  while (unread->Read(&response)) {
  }
  EXPECT_EQ(unread->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST(PerTokenServingStatesTest, EachTokenHasItsOwnStore) {
  PerTokenServingStates states;
  ServingState* a = states.ForToken("a");
  EXPECT_EQ(states.ForToken("a"), a);
  ServingState* b = states.ForToken("b");
  EXPECT_NE(a, b);
  EXPECT_NE(a->datastore().instance_id(), b->datastore().instance_id());
  EXPECT_EQ(states.size(), 2u);
}

}  // namespace
}  // namespace rebac::api
