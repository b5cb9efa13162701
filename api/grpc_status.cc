#include "api/grpc_status.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "graph/error_reason.h"

namespace rebac::api {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  auto code = static_cast<grpc::StatusCode>(static_cast<int>(status.code()));
  std::string message(status.message());
  std::string reason = ErrorReasonOf(status);
  if (reason.empty()) return grpc::Status(code, message);

  google::rpc::ErrorInfo info;
  info.set_reason(reason);
  info.set_domain("authzed.com");
  for (const auto& [k, v] : ErrorMetadataOf(status)) (*info.mutable_metadata())[k] = v;
  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  details.add_details()->PackFrom(info);
  return grpc::Status(code, message, details.SerializeAsString());
}

}  // namespace rebac::api
