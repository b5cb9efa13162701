#include "api/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/authenticator.h"
#include "api/schema_service.h"
#include "api/serving_state.h"
#include "storage/rocksdb/rocksdb_datastore.h"

namespace rebac::api {

struct Server::Impl {
  std::unique_ptr<ServingState> state;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<PermissionsServiceImpl> permissions;
  std::unique_ptr<SchemaServiceImpl> schema;
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

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
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
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = Credentials(options);
  if (!credentials.ok()) return credentials.status();

  absl::StatusOr<std::unique_ptr<storage::Datastore>> datastore = storage::OpenRocksDbDatastore(
      {.path = options.datastore_path, .sync = options.datastore_sync});
  if (!datastore.ok()) return datastore.status();

  auto impl = std::make_unique<Impl>();
  impl->state = std::make_unique<ServingState>(std::move(*datastore));
  impl->auth = std::make_unique<Authenticator>(options.insecure_no_auth ? std::vector<std::string>{}
                                                                        : options.preshared_keys);
  impl->permissions =
      std::make_unique<PermissionsServiceImpl>(impl->state.get(), impl->auth.get(), options.limits);
  impl->schema = std::make_unique<SchemaServiceImpl>(impl->state.get(), impl->auth.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(options.grpc_addr, *credentials, &bound_port);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.RegisterService(impl->permissions.get());
  builder.RegisterService(impl->schema.get());
  impl->grpc_server = builder.BuildAndStart();
  if (impl->grpc_server == nullptr || bound_port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.grpc_addr,
                                               " (address in use, or not a valid host:port?)"));
  }
  for (const char* service :
       {"authzed.api.v1.PermissionsService", "authzed.api.v1.SchemaService"}) {
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
  impl_->grpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
}

}  // namespace rebac::api
