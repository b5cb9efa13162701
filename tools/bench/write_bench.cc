// write_bench: write-side benchmarks of any authzed.api.v1 server (rebacd or SpiceDB), as one
// JSON line per run on stdout. A benchmark, not a test: it checks only that calls succeed.
//
//   write_bench --target HOST:PORT [--token KEY] MODE [options]
//
//   setup       WriteSchema: `definition user {}` and `definition document { relation viewer:
//               user }`, which every other mode writes into.
//   write       WriteRelationships (TOUCH, fresh relationships each call) from --concurrency
//               threads for --duration seconds after --warmup; --rels-per-write per call.
//               Reports writes/s, relationships/s, latency p50/p90/p99/max.
//   import      ImportBulkRelationships: --relationships fresh relationships in one client
//               stream of --message-size relationships per message. Reports relationships/s.
//   watch-lag   A Watch from "now", and --count sequential writes of one relationship each,
//               --interval-ms apart. For each write: the time from its acknowledgement (and
//               from sending it) until the Watch stream delivers it. Reports p50/p99/max.
//
// Relationship ids carry --prefix (default: the process id and a timestamp), so runs against
// one server never collide.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "authzed/api/v1/permission_service.grpc.pb.h"
#include "authzed/api/v1/schema_service.grpc.pb.h"
#include "authzed/api/v1/watch_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace {

namespace v1 = ::authzed::api::v1;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string target = "127.0.0.1:50051";
  std::string token;
  std::string mode;
  int concurrency = 1;
  int rels_per_write = 1;
  double duration = 10;
  double warmup = 2;
  long relationships = 1000000;
  int message_size = 1000;
  int count = 500;
  double interval_ms = 5;
  std::string prefix;
  std::string label;  // copied into the JSON line
};

[[noreturn]] void Usage(const std::string& error) {
  std::cerr << "write_bench: " << error << "\n"
            << "usage: write_bench --target HOST:PORT [--token KEY] [--label TEXT]\n"
               "         setup\n"
               "       | write [--concurrency N] [--rels-per-write N] [--duration S] [--warmup S]\n"
               "       | import [--relationships N] [--message-size N]\n"
               "       | watch-lag [--count N] [--interval-ms MS]\n"
               "       [--prefix TEXT]\n";
  std::exit(2);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Usage(a + " wants a value");
      return argv[++i];
    };
    if (a == "--target")
      o.target = next();
    else if (a == "--token")
      o.token = next();
    else if (a == "--concurrency")
      o.concurrency = std::stoi(next());
    else if (a == "--rels-per-write")
      o.rels_per_write = std::stoi(next());
    else if (a == "--duration")
      o.duration = std::stod(next());
    else if (a == "--warmup")
      o.warmup = std::stod(next());
    else if (a == "--relationships")
      o.relationships = std::stol(next());
    else if (a == "--message-size")
      o.message_size = std::stoi(next());
    else if (a == "--count")
      o.count = std::stoi(next());
    else if (a == "--interval-ms")
      o.interval_ms = std::stod(next());
    else if (a == "--prefix")
      o.prefix = next();
    else if (a == "--label")
      o.label = next();
    else if (a.rfind("--", 0) == 0)
      Usage("unknown option " + a);
    else if (o.mode.empty())
      o.mode = a;
    else
      Usage("unexpected argument " + a);
  }
  if (o.mode.empty()) Usage("no mode given");
  if (o.prefix.empty()) {
    o.prefix = absl::StrCat("p", getpid(), "t",
                            std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                    .count() %
                                100000000);
  }
  return o;
}

class Client {
 public:
  explicit Client(const Options& o, int channels) : options_(o) {
    for (int i = 0; i < channels; ++i) {
      grpc::ChannelArguments args;
      args.SetInt("grpc.channel_id", i);  // distinct channels, not one shared subchannel
      args.SetMaxReceiveMessageSize(64 << 20);
      auto channel = grpc::CreateCustomChannel(o.target, grpc::InsecureChannelCredentials(), args);
      permissions_.push_back(v1::PermissionsService::NewStub(channel));
      schema_.push_back(v1::SchemaService::NewStub(channel));
      watch_.push_back(v1::WatchService::NewStub(channel));
    }
  }
  std::unique_ptr<grpc::ClientContext> Context(double timeout_s = 60) const {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!options_.token.empty()) {
      context->AddMetadata("authorization", absl::StrCat("Bearer ", options_.token));
    }
    if (timeout_s > 0) {
      context->set_deadline(std::chrono::system_clock::now() +
                            std::chrono::milliseconds(static_cast<long>(timeout_s * 1000)));
    }
    return context;
  }
  v1::PermissionsService::Stub& permissions(int i) {
    return *permissions_[i % permissions_.size()];
  }
  v1::SchemaService::Stub& schema() { return *schema_[0]; }
  v1::WatchService::Stub& watch() { return *watch_[0]; }

 private:
  const Options& options_;
  std::vector<std::unique_ptr<v1::PermissionsService::Stub>> permissions_;
  std::vector<std::unique_ptr<v1::SchemaService::Stub>> schema_;
  std::vector<std::unique_ptr<v1::WatchService::Stub>> watch_;
};

void SetRelationship(v1::Relationship* r, const std::string& document, const std::string& user) {
  r->mutable_resource()->set_object_type("document");
  r->mutable_resource()->set_object_id(document);
  r->set_relation("viewer");
  r->mutable_subject()->mutable_object()->set_object_type("user");
  r->mutable_subject()->mutable_object()->set_object_id(user);
}

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t index = std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()));
  return sorted[index];
}

std::string CodeName(grpc::StatusCode code) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  int i = static_cast<int>(code);
  return i >= 0 && i < 17 ? kNames[i] : absl::StrCat(i);
}

std::string Head(const Options& o) {
  return absl::StrFormat(R"({"mode":"%s","label":"%s","target":"%s")", o.mode, o.label, o.target);
}

int Setup(const Options& o) {
  Client client(o, 1);
  v1::WriteSchemaRequest request;
  request.set_schema("definition user {}\n\ndefinition document {\n  relation viewer: user\n}\n");
  v1::WriteSchemaResponse response;
  auto context = client.Context();
  grpc::Status status = client.schema().WriteSchema(context.get(), request, &response);
  if (!status.ok()) {
    std::cerr << "write_bench setup: WriteSchema: " << CodeName(status.error_code()) << ": "
              << status.error_message() << "\n";
    return 1;
  }
  std::cout << Head(o) << ",\"ok\":true}\n";
  return 0;
}

int Write(const Options& o) {
  Client client(o, std::max(1, std::min(o.concurrency, 8)));
  std::atomic<bool> measuring{false}, stop{false};
  std::mutex mu;
  std::vector<double> latencies_us;
  std::map<std::string, long> errors;
  long writes = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < o.concurrency; ++t) {
    threads.emplace_back([&, t] {
      std::vector<double> mine;
      std::map<std::string, long> my_errors;
      long my_writes = 0;
      for (long n = 0; !stop.load(); ++n) {
        v1::WriteRelationshipsRequest request;
        for (int i = 0; i < o.rels_per_write; ++i) {
          v1::RelationshipUpdate* update = request.add_updates();
          update->set_operation(v1::RelationshipUpdate::OPERATION_TOUCH);
          SetRelationship(update->mutable_relationship(),
                          absl::StrCat(o.prefix, "-w", t, "-", n, "-", i), absl::StrCat("u", i));
        }
        v1::WriteRelationshipsResponse response;
        auto context = client.Context();
        auto start = Clock::now();
        grpc::Status status =
            client.permissions(t).WriteRelationships(context.get(), request, &response);
        double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
        if (!measuring.load()) continue;
        if (status.ok()) {
          mine.push_back(us);
          ++my_writes;
        } else {
          ++my_errors[CodeName(status.error_code())];
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies_us.insert(latencies_us.end(), mine.begin(), mine.end());
      for (auto& [code, n] : my_errors) errors[code] += n;
      writes += my_writes;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup));
  measuring = true;
  auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(o.duration));
  measuring = false;
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  stop = true;
  for (auto& thread : threads) thread.join();
  std::sort(latencies_us.begin(), latencies_us.end());
  std::string error_json;
  for (auto& [code, n] : errors) {
    absl::StrAppend(&error_json, error_json.empty() ? "" : ",", "\"", code, "\":", n);
  }
  std::cout << Head(o)
            << absl::StrFormat(
                   R"(,"concurrency":%d,"rels_per_write":%d,"seconds":%.2f,"writes":%d,)"
                   R"("writes_per_s":%.1f,"rels_per_s":%.1f,"p50_us":%.0f,"p90_us":%.0f,)"
                   R"("p99_us":%.0f,"max_us":%.0f,"errors":{%s}})",
                   o.concurrency, o.rels_per_write, seconds, writes, writes / seconds,
                   writes * o.rels_per_write / seconds, Percentile(latencies_us, 0.5),
                   Percentile(latencies_us, 0.9), Percentile(latencies_us, 0.99),
                   latencies_us.empty() ? 0 : latencies_us.back(), error_json)
            << "\n";
  return errors.empty() ? 0 : 1;
}

int Import(const Options& o) {
  Client client(o, 1);
  // Build the messages first, so the measurement is the server's and the network's.
  std::vector<v1::ImportBulkRelationshipsRequest> messages;
  for (long i = 0; i < o.relationships;) {
    v1::ImportBulkRelationshipsRequest& message = messages.emplace_back();
    for (int n = 0; n < o.message_size && i < o.relationships; ++n, ++i) {
      SetRelationship(message.add_relationships(), absl::StrCat(o.prefix, "-i", i / 10),
                      absl::StrCat("u", i % 10));
    }
  }
  auto context = client.Context(/*timeout_s=*/0);
  v1::ImportBulkRelationshipsResponse response;
  auto start = Clock::now();
  auto writer = client.permissions(0).ImportBulkRelationships(context.get(), &response);
  for (const auto& message : messages) {
    if (!writer->Write(message)) break;
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!status.ok()) {
    std::cout << Head(o)
              << absl::StrFormat(R"(,"relationships":%d,"error":"%s","message":"%s"})",
                                 o.relationships, CodeName(status.error_code()),
                                 absl::StrReplaceAll(status.error_message(), {{"\"", "'"}}))
              << "\n";
    return 1;
  }
  std::cout
      << Head(o)
      << absl::StrFormat(
             R"(,"relationships":%d,"loaded":%d,"message_size":%d,"seconds":%.2f,"rels_per_s":%.0f})",
             o.relationships, response.num_loaded(), o.message_size, seconds,
             o.relationships / seconds)
      << "\n";
  return 0;
}

int WatchLag(const Options& o) {
  Client client(o, 2);
  std::mutex mu;
  std::condition_variable changed;
  std::map<std::string, Clock::time_point> received;  // document id -> when Watch delivered it
  auto context = client.Context(/*timeout_s=*/0);
  v1::WatchRequest request;
  request.add_optional_object_types("document");
  auto reader = client.watch().Watch(context.get(), request);
  std::thread watcher([&] {
    v1::WatchResponse response;
    while (reader->Read(&response)) {
      auto now = Clock::now();
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& update : response.updates()) {
        received.emplace(update.relationship().resource().object_id(), now);
      }
      changed.notify_all();
    }
  });
  // SpiceDB and rebacd both start a Watch without cursor at "now": give it time to open.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  std::vector<double> from_ack_us, from_send_us;
  long missing = 0;
  std::map<std::string, long> errors;
  for (int n = 0; n < o.count; ++n) {
    std::string id = absl::StrCat(o.prefix, "-lag", n);
    v1::WriteRelationshipsRequest write;
    v1::RelationshipUpdate* update = write.add_updates();
    update->set_operation(v1::RelationshipUpdate::OPERATION_TOUCH);
    SetRelationship(update->mutable_relationship(), id, "lag");
    v1::WriteRelationshipsResponse response;
    auto write_context = client.Context();
    auto sent = Clock::now();
    grpc::Status status =
        client.permissions(1).WriteRelationships(write_context.get(), write, &response);
    auto acked = Clock::now();
    if (!status.ok()) {
      ++errors[CodeName(status.error_code())];
      continue;
    }
    std::unique_lock<std::mutex> lock(mu);
    if (!changed.wait_for(lock, std::chrono::seconds(10), [&] { return received.count(id); })) {
      ++missing;
      continue;
    }
    auto delivered = received[id];
    lock.unlock();
    // Watch may deliver before the acknowledgement reaches the client: that counts as 0.
    from_ack_us.push_back(
        std::max(0.0, std::chrono::duration<double, std::micro>(delivered - acked).count()));
    from_send_us.push_back(std::chrono::duration<double, std::micro>(delivered - sent).count());
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(o.interval_ms));
  }
  context->TryCancel();
  watcher.join();
  reader->Finish();
  std::sort(from_ack_us.begin(), from_ack_us.end());
  std::sort(from_send_us.begin(), from_send_us.end());
  std::string error_json;
  for (auto& [code, n] : errors) {
    absl::StrAppend(&error_json, error_json.empty() ? "" : ",", "\"", code, "\":", n);
  }
  std::cout << Head(o)
            << absl::StrFormat(
                   R"(,"writes":%d,"delivered":%d,"missing":%d,"lag_from_ack_p50_us":%.0f,)"
                   R"("lag_from_ack_p99_us":%.0f,"lag_from_ack_max_us":%.0f,)"
                   R"("lag_from_send_p50_us":%.0f,"lag_from_send_p99_us":%.0f,"errors":{%s}})",
                   o.count, from_ack_us.size(), missing, Percentile(from_ack_us, 0.5),
                   Percentile(from_ack_us, 0.99), from_ack_us.empty() ? 0 : from_ack_us.back(),
                   Percentile(from_send_us, 0.5), Percentile(from_send_us, 0.99), error_json)
            << "\n";
  return missing == 0 && errors.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = Parse(argc, argv);
  if (o.mode == "setup") return Setup(o);
  if (o.mode == "write") return Write(o);
  if (o.mode == "import") return Import(o);
  if (o.mode == "watch-lag") return WatchLag(o);
  Usage("unknown mode " + o.mode);
}
