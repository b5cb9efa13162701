#include "tools/rebac/consistency.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace rebac::cli {

absl::StatusOr<authzed::api::v1::Consistency> ParseConsistency(absl::string_view text) {
  authzed::api::v1::Consistency out;
  if (text.empty() || text == "full") {
    out.set_fully_consistent(true);
    return out;
  }
  if (text == "min") {
    out.set_minimize_latency(true);
    return out;
  }
  absl::string_view token = text;
  if (absl::ConsumePrefix(&token, "token:") && !token.empty()) {
    out.mutable_at_least_as_fresh()->set_token(std::string(token));
    return out;
  }
  token = text;
  if (absl::ConsumePrefix(&token, "exact:") && !token.empty()) {
    out.mutable_at_exact_snapshot()->set_token(std::string(token));
    return out;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("invalid --consistency `", text, "`; want ", kConsistencyHelp));
}

}  // namespace rebac::cli
