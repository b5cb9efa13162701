#include "tools/rebac/proto_convert.h"

#include <string>

#include "absl/time/time.h"
#include "tools/rebac/json_struct.h"

namespace rebac::cli {
namespace v1 = ::authzed::api::v1;

v1::ObjectReference ToProto(const ObjectText& object) {
  v1::ObjectReference out;
  out.set_object_type(object.type);
  out.set_object_id(object.id);
  return out;
}

v1::SubjectReference ToProto(const SubjectText& subject) {
  v1::SubjectReference out;
  *out.mutable_object() = ToProto(subject.object);
  out.set_optional_relation(subject.relation);
  return out;
}

absl::StatusOr<v1::Relationship> ToProto(const RelationshipText& relationship) {
  v1::Relationship out;
  *out.mutable_resource() = ToProto(relationship.resource);
  out.set_relation(relationship.relation);
  *out.mutable_subject() = ToProto(relationship.subject);
  if (!relationship.caveat_name.empty()) {
    v1::ContextualizedCaveat* caveat = out.mutable_optional_caveat();
    caveat->set_caveat_name(relationship.caveat_name);
    if (!relationship.caveat_context.empty()) {
      absl::StatusOr<google::protobuf::Struct> context = JsonToStruct(relationship.caveat_context);
      if (!context.ok()) return context.status();
      *caveat->mutable_context() = *std::move(context);
    }
  }
  if (relationship.expiration.has_value()) {
    absl::Duration since_epoch = *relationship.expiration - absl::UnixEpoch();
    int64_t seconds = absl::IDivDuration(since_epoch, absl::Seconds(1), &since_epoch);
    google::protobuf::Timestamp* expires = out.mutable_optional_expires_at();
    expires->set_seconds(seconds);
    expires->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(since_epoch)));
  }
  return out;
}

RelationshipText FromProto(const v1::Relationship& relationship) {
  RelationshipText out;
  out.resource = {relationship.resource().object_type(), relationship.resource().object_id()};
  out.relation = relationship.relation();
  out.subject.object = {relationship.subject().object().object_type(),
                        relationship.subject().object().object_id()};
  out.subject.relation = relationship.subject().optional_relation();
  if (relationship.has_optional_caveat() && !relationship.optional_caveat().caveat_name().empty()) {
    out.caveat_name = relationship.optional_caveat().caveat_name();
    if (relationship.optional_caveat().has_context() &&
        relationship.optional_caveat().context().fields_size() > 0) {
      out.caveat_context = StructToJson(relationship.optional_caveat().context());
    }
  }
  if (relationship.has_optional_expires_at()) {
    out.expiration = absl::FromUnixSeconds(relationship.optional_expires_at().seconds()) +
                     absl::Nanoseconds(relationship.optional_expires_at().nanos());
  }
  return out;
}

v1::RelationshipFilter ToProtoFilter(const ResourceFilterText& resource,
                                     const std::string& relation,
                                     const SubjectFilterText* subject) {
  v1::RelationshipFilter out;
  out.set_resource_type(resource.type);
  out.set_optional_resource_id(resource.id);
  out.set_optional_relation(relation);
  if (subject != nullptr) {
    v1::SubjectFilter* filter = out.mutable_optional_subject_filter();
    filter->set_subject_type(subject->type);
    filter->set_optional_subject_id(subject->id);
    if (subject->has_relation) filter->mutable_optional_relation()->set_relation(subject->relation);
  }
  return out;
}

}  // namespace rebac::cli
