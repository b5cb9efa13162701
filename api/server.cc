#include "api/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/authenticator.h"
#include "api/experimental_service.h"
#include "api/per_token_serving_states.h"
#include "api/schema_service.h"
#include "api/serving_state.h"
#include "storage/garbage_collector.h"
#include "storage/rocksdb/rocksdb_datastore.h"

namespace rebac::api {

struct Server::Impl {
  std::unique_ptr<ServingState> state;  // `serve` only
  // Declared after `state`, so it stops before the datastore closes.
  std::unique_ptr<storage::GarbageCollector> gc;  // `serve` only
  std::unique_ptr<ServingStateResolver> states;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<PermissionsServiceImpl> permissions;
  std::unique_ptr<SchemaServiceImpl> schema;
  std::unique_ptr<WatchServiceImpl> watch;
  std::unique_ptr<ExperimentalServiceImpl> experimental;
  std::unique_ptr<grpc::Server> grpc_server;
};

namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerOptions& o) {
  if (o.tls_cert_path.empty() && o.tls_key_path.empty()) return grpc::InsecureServerCredentials();
  if (o.tls_cert_path.empty() || o.tls_key_path.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both --grpc-tls-cert-path and --grpc-tls-key-path");
  }
  absl::StatusOr<std::string> cert = ReadFile(o.tls_cert_path);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(o.tls_key_path);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(ssl);
}

// One line per garbage collection pass that removed something or failed.
void ReportGc(const absl::StatusOr<storage::GcResult>& result) {
  if (!result.ok()) {
    std::fprintf(stderr, "rebacd: gc: pass failed (the next one retries): %s\n",
                 std::string(result.status().message()).c_str());
    return;
  }
  if (result->revisions_collected == 0 && result->schema_versions_collected == 0 &&
      result->expired_relationships_collected == 0) {
    return;
  }
  std::fprintf(stderr,
               "rebacd: gc: oldest readable revision now %llu; removed %llu revisions of "
               "history, %llu schema versions, %llu expired relationships in %s\n",
               static_cast<unsigned long long>(result->horizon),
               static_cast<unsigned long long>(result->revisions_collected),
               static_cast<unsigned long long>(result->schema_versions_collected),
               static_cast<unsigned long long>(result->expired_relationships_collected),
               absl::FormatDuration(result->took).c_str());
}

bool HasIpv6Loopback() {
  int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return ok;
}

// The addresses to bind for `addr`. `localhost:PORT` becomes both loopbacks, since clients
// resolve `localhost` to ::1 or 127.0.0.1 depending on their resolver while ours may return
// only one of them. Port 0 stays one address (two random ports would differ).
std::vector<std::string> ListenAddresses(const std::string& addr) {
  const size_t colon = addr.rfind(':');
  if (colon == std::string::npos || addr.substr(0, colon) != "localhost") return {addr};
  const std::string port = addr.substr(colon + 1);
  if (port == "0") return {addr};
  std::vector<std::string> out = {absl::StrCat("127.0.0.1:", port)};
  if (HasIpv6Loopback()) out.push_back(absl::StrCat("[::1]:", port));
  return out;
}

}  // namespace

// The datastore and authentication of `serve`, or the per-token stores of `serve-testing`.
absl::Status Server::OpenStates(const ServerOptions& options, Impl* impl) {
  if (options.testing_mode) {
    impl->states = std::make_unique<PerTokenServingStates>();
    impl->auth = std::make_unique<Authenticator>(std::vector<std::string>{});
    return absl::OkStatus();
  }
  if (options.preshared_keys.empty() && !options.insecure_no_auth) {
    return absl::InvalidArgumentError(
        "a preshared key is required (--grpc-preshared-key KEY); pass --insecure-no-auth to "
        "serve without authentication");
  }
  for (const std::string& key : options.preshared_keys) {
    if (key.empty()) return absl::InvalidArgumentError("a preshared key may not be empty");
  }
  if (options.datastore_engine != "rocksdb") {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown --datastore-engine `", options.datastore_engine, "` (supported: rocksdb)"));
  }
  if (options.datastore_path.empty()) {
    return absl::InvalidArgumentError("--datastore-path is required for the rocksdb engine");
  }
  if (options.gc_window <= absl::ZeroDuration() || options.gc_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--gc-window and --gc-interval must be positive durations");
  }
  absl::StatusOr<std::unique_ptr<storage::Datastore>> datastore =
      storage::OpenRocksDbDatastore({.path = options.datastore_path,
                                     .sync = options.datastore_sync,
                                     .gc_window = options.gc_window});
  if (!datastore.ok()) return datastore.status();
  impl->state = std::make_unique<ServingState>(std::move(*datastore), options.quantization,
                                               options.check_cache_entries);
  impl->gc = std::make_unique<storage::GarbageCollector>(
      &impl->state->datastore(),
      storage::GarbageCollectorOptions{.interval = options.gc_interval, .report = ReportGc});
  impl->states = std::make_unique<SingleServingStateResolver>(impl->state.get());
  impl->auth = std::make_unique<Authenticator>(options.insecure_no_auth ? std::vector<std::string>{}
                                                                        : options.preshared_keys);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = Credentials(options);
  if (!credentials.ok()) return credentials.status();
  auto impl = std::make_unique<Impl>();
  if (absl::Status s = OpenStates(options, impl.get()); !s.ok()) return s;
  impl->permissions = std::make_unique<PermissionsServiceImpl>(impl->states.get(), impl->auth.get(),
                                                               options.limits);
  impl->schema = std::make_unique<SchemaServiceImpl>(impl->states.get(), impl->auth.get());
  impl->watch =
      std::make_unique<WatchServiceImpl>(impl->states.get(), impl->auth.get(), options.watch);
  impl->experimental =
      std::make_unique<ExperimentalServiceImpl>(impl->states.get(), impl->auth.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  std::vector<std::string> addresses = ListenAddresses(options.grpc_addr);
  std::vector<int> bound_ports(addresses.size(), 0);
  for (size_t i = 0; i < addresses.size(); ++i) {
    builder.AddListeningPort(addresses[i], *credentials, &bound_ports[i]);
  }
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS,
                              options.grpc_min_pollers);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              std::max(options.grpc_min_pollers, options.grpc_max_pollers));
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  // Streams gather messages written with the buffer hint (api/batch_stream_writer.h) up to this
  // many bytes before the transport must flush; the 64 KiB default flushes several times per
  // LookupResources page (measured: ~25% fewer results/s).
  builder.AddChannelArgument(GRPC_ARG_HTTP2_WRITE_BUFFER_SIZE, 256 << 10);
  builder.RegisterService(impl->permissions.get());
  builder.RegisterService(impl->schema.get());
  builder.RegisterService(impl->watch.get());
  builder.RegisterService(impl->experimental.get());
  impl->grpc_server = builder.BuildAndStart();
  const int bound_port = bound_ports[0];
  if (impl->grpc_server == nullptr ||
      std::any_of(bound_ports.begin(), bound_ports.end(), [](int p) { return p == 0; })) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.grpc_addr,
                                               " (address in use, or not a valid host:port?)"));
  }
  for (const char* service :
       {"authzed.api.v1.PermissionsService", "authzed.api.v1.SchemaService",
        "authzed.api.v1.WatchService", "authzed.api.v1.ExperimentalService"}) {
    impl->grpc_server->GetHealthCheckService()->SetServingStatus(service, true);
  }
  std::string host = options.grpc_addr.substr(0, options.grpc_addr.rfind(':'));
  return std::unique_ptr<Server>(new Server(std::move(impl), absl::StrCat(host, ":", bound_port)));
}

Server::Server(std::unique_ptr<Impl> impl, std::string address)
    : impl_(std::move(impl)), address_(std::move(address)) {}

Server::~Server() { Shutdown(); }

void Server::Wait() { impl_->grpc_server->Wait(); }

void Server::Shutdown() {
  if (impl_ == nullptr || impl_->grpc_server == nullptr) return;
  impl_->watch->BeginShutdown();  // watch streams never end on their own
  impl_->grpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
}

}  // namespace rebac::api
