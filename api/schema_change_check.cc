#include "api/schema_change_check.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "graph/error_reason.h"
#include "schema/schema_diff.h"

namespace rebac::api {
namespace {

using Metadata = std::map<std::string, std::string>;

absl::Status SchemaWriteDataError(const std::string& message, Metadata metadata) {
  return ErrorWithReason(absl::StatusCode::kInvalidArgument, message,
                         "ERROR_REASON_SCHEMA_TYPE_ERROR", metadata);
}

// SpiceDB's errorIfTupleIteratorReturnsTuples: the first relationship matching `filter`, if
// any, turns into "<message>: <relationship>" with the relationship added to the metadata.
absl::Status RefuseIfAnyMatches(const storage::Snapshot& head,
                                const storage::RelationshipFilter& filter, bool with_caveat,
                                const std::string& message, Metadata metadata) {
  std::optional<storage::Relationship> found;
  absl::Status s = head.ForEach(filter, [&](const storage::RelationshipView& v) {
    found = v.ToRelationship();
    return false;
  });
  if (!s.ok()) return s;
  if (!found) return absl::OkStatus();
  std::string text = RelationshipText(*found, with_caveat);
  metadata["relationship"] = text;
  return SchemaWriteDataError(absl::StrCat(message, ": ", text), std::move(metadata));
}

absl::Status CheckCaveat(const schema::Caveat& existing, const schema::Caveat& updated) {
  for (const schema::CaveatDelta& d : schema::DiffCaveats(existing, updated)) {
    if (d.kind == schema::CaveatDelta::Kind::kParameterRemoved) {
      return SchemaWriteDataError(absl::StrCat("cannot remove parameter `", d.parameter,
                                               "` on caveat `", updated.name, "`"),
                                  {{"caveat_name", updated.name},
                                   {"parameter_name", d.parameter},
                                   {"operation", "remove_parameter"}});
    }
    if (d.kind == schema::CaveatDelta::Kind::kParameterTypeChanged) {
      return SchemaWriteDataError(absl::StrCat("cannot change the type of parameter `", d.parameter,
                                               "` on caveat `", updated.name, "`"),
                                  {{"caveat_name", updated.name},
                                   {"parameter_name", d.parameter},
                                   {"operation", "change_parameter_type"}});
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDefinition(const schema::Definition& existing, const schema::Definition& updated,
                             const storage::Snapshot& head) {
  const std::string& type = updated.name;
  for (const schema::DefinitionDelta& d : schema::DiffDefinitions(existing, updated)) {
    if (d.kind == schema::DefinitionDelta::Kind::kRelationRemoved) {
      // SpiceDB reads these without caveats (WithSkipCaveats), so the text has none.
      absl::Status s = RefuseIfAnyMatches(
          head, {.resource_type = type, .relation = d.relation}, /*with_caveat=*/false,
          absl::StrCat("cannot delete relation `", d.relation, "` in object definition `", type,
                       "`, as at least one relationship exists under it"),
          {{"resource_type", type}, {"relation", d.relation}, {"operation", "delete_relation"}});
      if (!s.ok()) return s;
      s = RefuseIfAnyMatches(
          head, {.subject = storage::SubjectFilter{.type = type, .relation = d.relation}},
          /*with_caveat=*/false,
          absl::StrCat("cannot delete relation `", d.relation, "` in object definition `", type,
                       "`, as at least one relationship references it as part of a subject"),
          {{"resource_type", type},
           {"relation", d.relation},
           {"operation", "delete_relation_reverse_check"}});
      if (!s.ok()) return s;
    } else if (d.kind == schema::DefinitionDelta::Kind::kAllowedTypeRemoved) {
      const schema::AllowedSubjectType& t = d.allowed_type;
      storage::SubjectFilter subject{.type = t.type, .relation = t.relation};
      if (t.wildcard) {
        subject.id = "*";
        subject.relation = "";  // wildcards are stored with the ellipsis
      }
      // As in SpiceDB, a plain `user` also matches a stored `user:*` (no subject id filter),
      // the caveat must be exactly the type's (none for a type without one), and the
      // expiration trait must match.
      std::string source = schema::AllowedTypeSource(t);
      absl::Status s = RefuseIfAnyMatches(
          head,
          {.resource_type = type,
           .relation = d.relation,
           .subject = subject,
           .caveat_name = t.caveat,
           .has_expiration = t.expiration},
          /*with_caveat=*/true,
          absl::StrCat("cannot remove allowed type `", source, "` from relation `", d.relation,
                       "` in object definition `", type, "`, as a relationship exists with it"),
          {{"resource_type", type},
           {"relation", d.relation},
           {"allowed_type", source},
           {"operation", "remove_allowed_type"}});
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string RelationshipText(const storage::Relationship& r, bool with_caveat) {
  std::string out = storage::ToString(r);
  if (with_caveat && !r.value.caveat_name.empty()) {
    absl::StrAppend(&out, "[", r.value.caveat_name);
    google::protobuf::Struct context;
    std::string json;
    if (!r.value.caveat_context.empty() && context.ParseFromString(r.value.caveat_context) &&
        context.fields_size() > 0 &&
        google::protobuf::util::MessageToJsonString(context, &json).ok()) {
      absl::StrAppend(&out, ":", json);
    }
    absl::StrAppend(&out, "]");
  }
  if (r.value.expires_at_micros != 0) {
    absl::StrAppend(
        &out, "[expiration:",
        absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", absl::FromUnixMicros(r.value.expires_at_micros),
                         absl::UTCTimeZone()),
        "]");
  }
  return out;
}

absl::Status CheckSchemaChange(const schema::CompiledSchema& existing,
                               const schema::CompiledSchema& updated,
                               const storage::Snapshot& head) {
  for (const schema::Caveat& c : updated.caveats()) {
    const schema::Caveat* old = existing.FindCaveat(c.name);
    if (old == nullptr) continue;
    if (absl::Status s = CheckCaveat(*old, c); !s.ok()) return s;
  }
  for (const schema::Definition& d : updated.definitions()) {
    const schema::Definition* old = existing.FindDefinition(d.name);
    if (old == nullptr) continue;
    if (absl::Status s = CheckDefinition(*old, d, head); !s.ok()) return s;
  }
  for (const schema::Definition& d : existing.definitions()) {
    if (updated.FindDefinition(d.name) != nullptr) continue;
    absl::Status s =
        RefuseIfAnyMatches(head, {.resource_type = d.name}, /*with_caveat=*/false,
                           absl::StrCat("cannot delete object definition `", d.name,
                                        "`, as at least one relationship exists under it"),
                           {{"resource_type", d.name}, {"operation", "delete_object_definition"}});
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace rebac::api
