#include "graph/request_checks.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "graph/error_reason.h"

namespace rebac::graph {

absl::Status CheckObjectRelation(const schema::CompiledSchema& schema, absl::string_view type,
                                 absl::string_view relation, bool allow_ellipsis) {
  const schema::Definition* definition =
      schema.FindDefinition(std::string_view(type.data(), type.size()));
  if (definition == nullptr) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition,
                           absl::StrCat("object definition `", type, "` not found"),
                           "ERROR_REASON_UNKNOWN_DEFINITION",
                           {{"definition_name", std::string(type)}});
  }
  if (relation.empty() && allow_ellipsis) return absl::OkStatus();
  if (definition->FindRelation(std::string_view(relation.data(), relation.size())) == nullptr) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition,
                           absl::StrCat("relation/permission `", relation,
                                        "` not found under definition `", type, "`"),
                           "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION",
                           {{"definition_name", std::string(type)},
                            {"relation_or_permission_name", std::string(relation)}});
  }
  return absl::OkStatus();
}

absl::Status MaxDepthExceeded(int max_depth) {
  return ErrorWithReason(absl::StatusCode::kFailedPrecondition,
                         "max depth exceeded: this usually indicates a recursive or too deep data "
                         "dependency. See https://spicedb.dev/d/debug-max-depth",
                         "ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED",
                         {{"maximum_depth_allowed", absl::StrCat(max_depth)}});
}

bool IsMaxDepthExceeded(const absl::Status& status) {
  return ErrorReasonOf(status) == "ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED";
}

}  // namespace rebac::graph
