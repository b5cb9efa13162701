#include "api/caveat_context.h"

#include "absl/strings/str_cat.h"
#include "graph/error_reason.h"
#include "schema/caveats/convert.h"
#include "schema/caveats/struct_adapter.h"

namespace rebac::api {
namespace {

namespace cav = schema::caveats;

// `type:id#relation@subject_type:subject_id[#subject_relation]`, the text SpiceDB's context
// errors name a relationship by (without caveat or expiration).
std::string RelationshipText(const authzed::api::v1::Relationship& r) {
  std::string out =
      absl::StrCat(r.resource().object_type(), ":", r.resource().object_id(), "#", r.relation(),
                   "@", r.subject().object().object_type(), ":", r.subject().object().object_id());
  if (!r.subject().optional_relation().empty()) {
    absl::StrAppend(&out, "#", r.subject().optional_relation());
  }
  return out;
}

}  // namespace

absl::StatusOr<cav::ValueMap> RequestCaveatContext(const google::protobuf::Struct* context) {
  if (context == nullptr) return cav::ValueMap{};
  const size_t size = context->ByteSizeLong();
  if (size > kMaxRequestContextBytes) {
    return absl::InvalidArgumentError(absl::StrCat("request caveat context should have less than ",
                                                   kMaxRequestContextBytes, " bytes but had ",
                                                   size));
  }
  absl::StatusOr<cav::ValueMap> values = cav::FromStruct(*context);
  if (!values.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid request caveat context: ", values.status().message()));
  }
  return values;
}

absl::Status ValidateRelationshipCaveatSize(const authzed::api::v1::Relationship& relationship) {
  if (!relationship.has_optional_caveat()) return absl::OkStatus();
  const size_t size = relationship.optional_caveat().ByteSizeLong();
  if (size > kMaxRelationshipContextBytes) {
    std::string text = RelationshipText(relationship);
    return ErrorWithReason(
        absl::StatusCode::kInvalidArgument,
        absl::StrCat("provided relationship `", text, "` exceeded maximum allowed caveat size of ",
                     kMaxRelationshipContextBytes),
        "ERROR_REASON_MAX_RELATIONSHIP_CONTEXT_SIZE",
        {{"relationship", text},
         {"max_allowed_size", absl::StrCat(kMaxRelationshipContextBytes)},
         {"context_size", absl::StrCat(size)}});
  }
  return absl::OkStatus();
}

absl::Status ValidateRelationshipCaveat(const schema::CompiledSchema& schema,
                                        const authzed::api::v1::Relationship& relationship) {
  if (!relationship.has_optional_caveat()) return absl::OkStatus();
  const authzed::api::v1::ContextualizedCaveat& caveat = relationship.optional_caveat();
  if (caveat.caveat_name().empty() || !caveat.has_context() ||
      caveat.context().fields_size() == 0) {
    return absl::OkStatus();
  }
  const schema::Caveat* definition = schema.FindCaveat(caveat.caveat_name());
  if (definition == nullptr || definition->compiled == nullptr) return absl::OkStatus();
  absl::StatusOr<cav::ValueMap> values = cav::FromStruct(caveat.context());
  if (!values.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid context for caveat `", caveat.caveat_name(), "` on relationship `",
                     RelationshipText(relationship), "`: ", values.status().message()));
  }
  // SpiceDB refuses context keys that are not parameters of the caveat when writing (they
  // would never be read), and values that do not convert to the parameter's type.
  absl::StatusOr<cav::Context> typed = cav::ConvertContext(definition->compiled->parameters(),
                                                           *values, cav::UnknownParameters::kError);
  if (!typed.ok()) {
    // SpiceDB returns these as plain Go errors from its write transaction, which gRPC answers
    // with UNKNOWN (verified against SpiceDB v1.54): matched as is.
    return absl::UnknownError(typed.status().message());
  }
  return absl::OkStatus();
}

}  // namespace rebac::api
