#include "tools/rebac/errors.h"

#include <iostream>
#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "google/rpc/status.pb.h"
#include "tools/rebac/source_excerpt.h"

namespace rebac::cli {

absl::string_view StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

std::string FormatRpcError(const grpc::Status& status) {
  std::string message = absl::StrReplaceAll(absl::StripAsciiWhitespace(status.error_message()),
                                            {{"\r\n", " "}, {"\n", " "}});
  if (message.empty()) message = "(no message from the server)";
  return absl::StrCat(StatusCodeName(status.error_code()), ": ", message);
}

std::optional<google::rpc::ErrorInfo> FindErrorInfo(const grpc::Status& status) {
  if (status.error_details().empty()) return std::nullopt;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return std::nullopt;
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.Is<google::rpc::ErrorInfo>() && any.UnpackTo(&info)) return info;
  }
  return std::nullopt;
}

void PrintError(absl::string_view message) { std::cerr << "error: " << message << "\n"; }

void PrintParseError(absl::string_view what, absl::string_view input, const ParseError& error,
                     absl::string_view where) {
  PrintError(absl::StrCat("invalid ", what, " `", input, "` ", where, where.empty() ? "" : " ",
                          error.ToString()));
  std::cerr << RenderCaret(input, error.character);
}

void PrintRpcError(const grpc::Status& status) {
  PrintError(FormatRpcError(status));
  const std::string& message = status.error_message();
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      (absl::StrContains(message, "andshake") || absl::StrContains(message, "WRONG_VERSION"))) {
    std::cerr << "hint: TLS failed; if the server is plaintext, pass --insecure\n";
  }
}

}  // namespace rebac::cli
