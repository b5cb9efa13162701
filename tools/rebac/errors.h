// What rebac tells the user when something fails: one "error: ..." line on stderr; for a failed
// gRPC call, the status code's name and the server's message, plus access to the
// google.rpc.ErrorInfo detail when the server attached one.
#ifndef REBACD_TOOLS_REBAC_ERRORS_H_
#define REBACD_TOOLS_REBAC_ERRORS_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "google/rpc/error_details.pb.h"
#include "grpcpp/grpcpp.h"
#include "tools/rebac/relationship_text.h"

namespace rebac::cli {

// "FAILED_PRECONDITION" for grpc::StatusCode::FAILED_PRECONDITION, and so on.
absl::string_view StatusCodeName(grpc::StatusCode code);

// "FAILED_PRECONDITION: object definition `foo` not found" (the message on one line).
std::string FormatRpcError(const grpc::Status& status);

// The first google.rpc.ErrorInfo among the status details, if any.
std::optional<google::rpc::ErrorInfo> FindErrorInfo(const grpc::Status& status);

// Prints "error: MESSAGE" to stderr.
void PrintError(absl::string_view message);

// Prints "error: invalid WHAT `INPUT`[ WHERE] at character N: MESSAGE" and INPUT with a caret
// under character N, e.g. PrintParseError("relationship", "document:1#viewer@user", error).
// `where` places the input, e.g. "on line 3 of standard input".
void PrintParseError(absl::string_view what, absl::string_view input, const ParseError& error,
                     absl::string_view where = "");

// Prints "error: " + FormatRpcError(status) to stderr.
void PrintRpcError(const grpc::Status& status);

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_ERRORS_H_
