// A million relationships through the real rebacd binary and back: imported with one
// ImportBulkRelationships stream, exported with ExportBulkRelationships (resumed from a cursor
// twice, as a client whose stream broke would), the exported set must equal the imported one
// exactly (caveats with their contexts, expirations, wildcards, subject relations). Then the
// same through ExperimentalService's BulkImportRelationships / BulkExportRelationships on a
// fresh store.
//
// The binary is $REBACD_BIN (set by CTest). REBAC_ROUND_TRIP_RELATIONSHIPS overrides the size.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "authzed/api/v1/experimental_service.grpc.pb.h"
#include "authzed/api/v1/permission_service.grpc.pb.h"
#include "authzed/api/v1/schema_service.grpc.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/support/scratch_dir.h"

namespace rebac {
namespace {

namespace v1 = authzed::api::v1;

constexpr char kKey[] = "round-trip-key";
constexpr int kMessageSize = 5000;

constexpr char kSchema[] = R"(use expiration

caveat ip_allowed(allowed bool, tries int) {
    allowed && tries < 3
}

definition user {}

definition group {
    relation member: user | group#member
}

definition document {
    relation viewer: user | user:* | group#member | user with ip_allowed | user with expiration
    relation editor: user | user with ip_allowed and expiration
    permission view = viewer + editor
}
)";

// A port nothing listens on right now.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// The real binary serving a fresh store in `dir`, killed when this goes away.
class Server {
 public:
  explicit Server(const std::string& dir) {
    const char* bin = std::getenv("REBACD_BIN");
    if (bin == nullptr) {
      ADD_FAILURE() << "REBACD_BIN is not set (CTest sets it)";
      return;
    }
    address_ = absl::StrCat("127.0.0.1:", FreePort());
    pid_ = fork();
    if (pid_ == 0) {
      execl(bin, bin, "serve", "--grpc-addr", address_.c_str(), "--grpc-preshared-key", kKey,
            "--datastore-path", dir.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    channel_ = grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args);
    ready_ =
        channel_->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30));
  }
  ~Server() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool ready() const { return ready_; }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

 private:
  std::string address_;
  pid_t pid_ = -1;
  std::shared_ptr<grpc::Channel> channel_;
  bool ready_ = false;
};

void Authorize(grpc::ClientContext* context) {
  context->AddMetadata("authorization", absl::StrCat("Bearer ", kKey));
}

void SetObject(v1::ObjectReference* o, const std::string& type, std::string id) {
  o->set_object_type(type);
  o->set_object_id(std::move(id));
}

// The i-th relationship of the data set: eight shapes in turn, every id unique.
v1::Relationship MakeRelationship(int i) {
  v1::Relationship r;
  const std::string n = std::to_string(i);
  SetObject(r.mutable_resource(), "document", absl::StrCat("doc-", i / 8));
  r.set_relation("viewer");
  v1::SubjectReference* subject = r.mutable_subject();
  switch (i % 8) {
    case 0:  // plain
      SetObject(subject->mutable_object(), "user", "u" + n);
      break;
    case 1: {  // caveated, with a context
      SetObject(subject->mutable_object(), "user", "u" + n);
      v1::ContextualizedCaveat* caveat = r.mutable_optional_caveat();
      caveat->set_caveat_name("ip_allowed");
      auto& fields = *caveat->mutable_context()->mutable_fields();
      fields["allowed"].set_bool_value(i % 3 == 0);
      fields["tries"].set_number_value(i % 5);
      break;
    }
    case 2:  // caveated, no context
      SetObject(subject->mutable_object(), "user", "u" + n);
      r.mutable_optional_caveat()->set_caveat_name("ip_allowed");
      break;
    case 3:  // expiring, years ahead, with nanoseconds
      SetObject(subject->mutable_object(), "user", "u" + n);
      r.mutable_optional_expires_at()->set_seconds(4'102'444'800 + i);
      r.mutable_optional_expires_at()->set_nanos((i % 1000) * 1000);
      break;
    case 4:  // wildcard
      SetObject(subject->mutable_object(), "user", "*");
      break;
    case 5:  // subject relation
      SetObject(subject->mutable_object(), "group", "g" + n);
      subject->set_optional_relation("member");
      break;
    case 6: {  // caveat and expiration together, on another relation
      r.set_relation("editor");
      SetObject(subject->mutable_object(), "user", "u" + n);
      v1::ContextualizedCaveat* caveat = r.mutable_optional_caveat();
      caveat->set_caveat_name("ip_allowed");
      (*caveat->mutable_context()->mutable_fields())["tries"].set_number_value(1);
      r.mutable_optional_expires_at()->set_seconds(4'102'444'800 + i);
      break;
    }
    case 7:  // another resource type, a nested group
      SetObject(r.mutable_resource(), "group", absl::StrCat("g-", i));
      r.set_relation("member");
      SetObject(subject->mutable_object(), "group", "h" + n);
      subject->set_optional_relation("member");
      break;
  }
  return r;
}

// Byte-exact, map order aside: deterministic serialization.
std::string Canonical(const v1::Relationship& r) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    r.SerializeToCodedStream(&coded);
  }
  return out;
}

int RelationshipCount() {
  const char* n = std::getenv("REBAC_ROUND_TRIP_RELATIONSHIPS");
  return n != nullptr ? std::atoi(n) : 1'000'000;
}

void WriteSchema(const Server& server) {
  auto schema = v1::SchemaService::NewStub(server.channel());
  grpc::ClientContext context;
  Authorize(&context);
  v1::WriteSchemaRequest request;
  request.set_schema(kSchema);
  v1::WriteSchemaResponse response;
  grpc::Status status = schema->WriteSchema(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

// Streams the data set in messages of kMessageSize to a client-streaming import call made by
// `start`; returns the count the server reports.
template <typename Request, typename Response, typename Start>
uint64_t Import(int count, Start start) {
  grpc::ClientContext context;
  Authorize(&context);
  Response response;
  auto writer = start(&context, &response);
  for (int i = 0; i < count;) {
    Request request;
    for (int n = 0; n < kMessageSize && i < count; ++n, ++i) {
      *request.add_relationships() = MakeRelationship(i);
    }
    if (!writer->Write(request)) break;
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  return response.num_loaded();
}

// Exports everything, stopping after `stop_after` batches of a call and resuming from the last
// cursor in a new one, until a call ends on its own. Returns the canonical forms.
template <typename Request, typename Response, typename Start>
std::vector<std::string> Export(int stop_after, int* calls, Start start) {
  std::vector<std::string> out;
  std::string cursor;
  for (*calls = 1;; ++*calls) {
    grpc::ClientContext context;
    Authorize(&context);
    Request request;
    request.mutable_consistency()->set_fully_consistent(true);
    request.set_optional_limit(10000);
    if (!cursor.empty()) request.mutable_optional_cursor()->set_token(cursor);
    auto reader = start(&context, request);
    Response response;
    int batches = 0;
    bool stopped = false;
    while (reader->Read(&response)) {
      for (const v1::Relationship& r : response.relationships()) out.push_back(Canonical(r));
      cursor = response.after_result_cursor().token();
      if (++batches == stop_after) {
        stopped = true;
        context.TryCancel();  // the client goes away mid-stream
        break;
      }
    }
    grpc::Status status = reader->Finish();
    if (!stopped) {
      EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
      return out;
    }
    if (*calls > 100) {
      ADD_FAILURE() << "the export does not end";
      return out;
    }
  }
}

void ExpectSameSet(std::vector<std::string> exported, int count) {
  std::vector<std::string> imported;
  imported.reserve(count);
  for (int i = 0; i < count; ++i) imported.push_back(Canonical(MakeRelationship(i)));
  std::sort(imported.begin(), imported.end());
  std::sort(exported.begin(), exported.end());
  ASSERT_EQ(exported.size(), imported.size());
  auto [a, b] = std::mismatch(exported.begin(), exported.end(), imported.begin());
  if (a != exported.end()) {
    v1::Relationship got, want;
    got.ParseFromString(*a);
    want.ParseFromString(*b);
    ADD_FAILURE() << "exported " << got.ShortDebugString() << "\nwhere the import had "
                  << want.ShortDebugString();
  }
}

TEST(BulkRoundTripTest, AMillionRelationshipsExportExactlyAsImported) {
  const int count = RelationshipCount();
  test_support::ScratchDir dir("rebacd-round-trip");
  Server server(dir.string());
  ASSERT_TRUE(server.ready()) << "rebacd did not start";
  WriteSchema(server);
  auto permissions = v1::PermissionsService::NewStub(server.channel());

  EXPECT_EQ((Import<v1::ImportBulkRelationshipsRequest, v1::ImportBulkRelationshipsResponse>(
                count,
                [&](grpc::ClientContext* c, v1::ImportBulkRelationshipsResponse* r) {
                  return permissions->ImportBulkRelationships(c, r);
                })),
            static_cast<uint64_t>(count));
  // Stop after a third of the batches each time: two resumes from a cursor.
  const int stop_after = std::max(1, count / 10000 / 3);
  int calls = 0;
  std::vector<std::string> exported =
      Export<v1::ExportBulkRelationshipsRequest, v1::ExportBulkRelationshipsResponse>(
          stop_after, &calls, [&](grpc::ClientContext* c, const auto& request) {
            return permissions->ExportBulkRelationships(c, request);
          });
  EXPECT_GE(calls, 3);
  ExpectSameSet(std::move(exported), count);
}

TEST(BulkRoundTripTest, TheExperimentalServiceRoundTripsTheSameSet) {
  const int count = RelationshipCount();
  test_support::ScratchDir dir("rebacd-round-trip");
  Server server(dir.string());
  ASSERT_TRUE(server.ready()) << "rebacd did not start";
  WriteSchema(server);
  auto experimental = v1::ExperimentalService::NewStub(server.channel());

  EXPECT_EQ((Import<v1::BulkImportRelationshipsRequest, v1::BulkImportRelationshipsResponse>(
                count,
                [&](grpc::ClientContext* c, v1::BulkImportRelationshipsResponse* r) {
                  return experimental->BulkImportRelationships(c, r);
                })),
            static_cast<uint64_t>(count));
  const int stop_after = std::max(1, count / 10000 / 2);
  int calls = 0;
  std::vector<std::string> exported =
      Export<v1::BulkExportRelationshipsRequest, v1::BulkExportRelationshipsResponse>(
          stop_after, &calls, [&](grpc::ClientContext* c, const auto& request) {
            return experimental->BulkExportRelationships(c, request);
          });
  EXPECT_GE(calls, 2);
  ExpectSameSet(std::move(exported), count);
}

}  // namespace
}  // namespace rebac
