// How rebac reaches a rebacd: the global connection options, the gRPC channel built from them,
// and per-call contexts carrying the bearer token and the deadline.
#ifndef REBACD_TOOLS_REBAC_CONNECTION_H_
#define REBACD_TOOLS_REBAC_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "authzed/api/v1/permission_service.grpc.pb.h"
#include "authzed/api/v1/schema_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace rebac::cli {

struct ConnectionOptions {
  std::string endpoint = "127.0.0.1:50051";  // HOST:PORT
  std::string token;                         // sent as `authorization: Bearer TOKEN`
  bool insecure = false;                     // plaintext instead of TLS
  std::string ca_path;                       // PEM roots for TLS; "" = the system roots
  double timeout_seconds = 30;               // per RPC; 0 = no deadline
};

// Keeps gRPC's own log lines (e.g. "Handshake failed ...") off the terminal: rebac reports
// failures itself. Call once, early. Setting GRPC_VERBOSITY in the environment keeps them.
void SilenceGrpcLogging();

class Connection {
 public:
  // Fails only on local problems (e.g. an unreadable --ca-path); the server is not contacted.
  static absl::StatusOr<Connection> Open(const ConnectionOptions& options);

  // A fresh context for one RPC, with the token metadata and the deadline set.
  std::unique_ptr<grpc::ClientContext> NewContext() const;

  authzed::api::v1::PermissionsService::Stub& permissions() const { return *permissions_; }
  authzed::api::v1::SchemaService::Stub& schema() const { return *schema_; }

 private:
  Connection() = default;

  ConnectionOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::shared_ptr<authzed::api::v1::PermissionsService::Stub> permissions_;
  std::shared_ptr<authzed::api::v1::SchemaService::Stub> schema_;
};

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_CONNECTION_H_
