#include "tools/rebac/connection.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpc/support/log.h"

namespace rebac::cli {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read CA file ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace

void SilenceGrpcLogging() {
  if (std::getenv("GRPC_VERBOSITY") != nullptr) return;
  gpr_set_log_function([](gpr_log_func_args*) {});
}

absl::StatusOr<Connection> Connection::Open(const ConnectionOptions& options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.insecure) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    if (!options.ca_path.empty()) {
      absl::StatusOr<std::string> roots = ReadFile(options.ca_path);
      if (!roots.ok()) return roots.status();
      ssl.pem_root_certs = *std::move(roots);
    }
    credentials = grpc::SslCredentials(ssl);
  }
  Connection connection;
  connection.options_ = options;
  connection.channel_ = grpc::CreateChannel(options.endpoint, credentials);
  connection.permissions_ = authzed::api::v1::PermissionsService::NewStub(connection.channel_);
  connection.schema_ = authzed::api::v1::SchemaService::NewStub(connection.channel_);
  return connection;
}

std::unique_ptr<grpc::ClientContext> Connection::NewContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!options_.token.empty()) {
    // Plain metadata rather than call credentials: gRPC refuses call credentials on plaintext
    // channels, and --insecure with a token is the common local setup.
    context->AddMetadata("authorization", absl::StrCat("Bearer ", options_.token));
  }
  if (options_.timeout_seconds > 0) {
    auto timeout = std::chrono::duration_cast<std::chrono::system_clock::duration>(
        std::chrono::duration<double>(options_.timeout_seconds));
    context->set_deadline(std::chrono::system_clock::now() + timeout);
  }
  return context;
}

}  // namespace rebac::cli
