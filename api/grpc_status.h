// The API edge's one translation from absl::Status to grpc::Status.
//
// The code and message carry over; a SpiceDB ErrorReason attached with ErrorWithReason()
// (graph/error_reason.h) becomes a google.rpc.ErrorInfo (domain "authzed.com") inside a
// google.rpc.Status in the grpc-status-details-bin trailer, which is where SpiceDB's clients
// look for it.
#ifndef REBACD_API_GRPC_STATUS_H_
#define REBACD_API_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace rebac::api {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace rebac::api

#endif  // REBACD_API_GRPC_STATUS_H_
