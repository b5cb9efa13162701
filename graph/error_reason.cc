#include "graph/error_reason.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_split.h"

namespace rebac {
namespace {

constexpr char kReasonUrl[] = "type.rebacd/error_reason";
constexpr char kMetadataUrl[] = "type.rebacd/error_metadata";

}  // namespace

absl::Status ErrorWithReason(absl::StatusCode code, absl::string_view message,
                             absl::string_view reason,
                             const std::map<std::string, std::string>& metadata) {
  absl::Status status(code, message);
  status.SetPayload(kReasonUrl, absl::Cord(reason));
  if (!metadata.empty()) {
    // key \0 value \0 ...: names and values never contain NUL.
    std::string encoded;
    for (const auto& [k, v] : metadata) {
      encoded.append(k).push_back('\0');
      encoded.append(v).push_back('\0');
    }
    status.SetPayload(kMetadataUrl, absl::Cord(encoded));
  }
  return status;
}

std::string ErrorReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(kReasonUrl);
  return payload ? std::string(*payload) : std::string();
}

std::map<std::string, std::string> ErrorMetadataOf(const absl::Status& status) {
  std::map<std::string, std::string> out;
  auto payload = status.GetPayload(kMetadataUrl);
  if (!payload) return out;
  std::string encoded(*payload);
  std::vector<std::string> parts = absl::StrSplit(encoded, '\0');
  for (size_t i = 0; i + 1 < parts.size(); i += 2) out[parts[i]] = parts[i + 1];
  return out;
}

}  // namespace rebac
