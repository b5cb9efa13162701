#include "api/relationship_conversion.h"

#include "google/protobuf/util/time_util.h"

namespace rebac::api {

using google::protobuf::util::TimeUtil;

storage::Relationship FromProto(const authzed::api::v1::Relationship& r) {
  storage::Relationship out;
  FromProto(r, &out);
  return out;
}

void FromProto(const authzed::api::v1::Relationship& r, storage::Relationship* out) {
  out->resource_type = r.resource().object_type();
  out->resource_id = r.resource().object_id();
  out->relation = r.relation();
  out->subject_type = r.subject().object().object_type();
  out->subject_id = r.subject().object().object_id();
  out->subject_relation = r.subject().optional_relation();
  out->value.caveat_name.clear();
  out->value.caveat_context.clear();
  out->value.expires_at_micros = 0;
  if (r.has_optional_caveat()) {
    out->value.caveat_name = r.optional_caveat().caveat_name();
    if (r.optional_caveat().has_context() && r.optional_caveat().context().fields_size() > 0) {
      r.optional_caveat().context().SerializeToString(&out->value.caveat_context);
    }
  }
  if (r.has_optional_expires_at()) {
    out->value.expires_at_micros = TimeUtil::TimestampToMicroseconds(r.optional_expires_at());
  }
}

void ToProto(const storage::Relationship& r, authzed::api::v1::Relationship* out) {
  out->mutable_resource()->set_object_type(r.resource_type);
  out->mutable_resource()->set_object_id(r.resource_id);
  out->set_relation(r.relation);
  out->mutable_subject()->mutable_object()->set_object_type(r.subject_type);
  out->mutable_subject()->mutable_object()->set_object_id(r.subject_id);
  if (!r.subject_relation.empty())
    out->mutable_subject()->set_optional_relation(r.subject_relation);
  if (!r.value.caveat_name.empty()) {
    auto* caveat = out->mutable_optional_caveat();
    caveat->set_caveat_name(r.value.caveat_name);
    if (!r.value.caveat_context.empty()) {
      caveat->mutable_context()->ParseFromString(r.value.caveat_context);
    }
  }
  if (r.value.expires_at_micros != 0) {
    *out->mutable_optional_expires_at() =
        TimeUtil::MicrosecondsToTimestamp(r.value.expires_at_micros);
  }
}

storage::RelationshipFilter FromProto(const authzed::api::v1::RelationshipFilter& f) {
  storage::RelationshipFilter out;
  if (!f.resource_type().empty()) out.resource_type = f.resource_type();
  if (!f.optional_resource_id().empty()) out.resource_id = f.optional_resource_id();
  if (!f.optional_resource_id_prefix().empty()) {
    out.resource_id_prefix = f.optional_resource_id_prefix();
  }
  if (!f.optional_relation().empty()) out.relation = f.optional_relation();
  if (f.has_optional_subject_filter()) {
    const auto& sf = f.optional_subject_filter();
    storage::SubjectFilter subject;
    subject.type = sf.subject_type();
    if (!sf.optional_subject_id().empty()) subject.id = sf.optional_subject_id();
    // A present RelationFilter with an empty relation means "the ellipsis only".
    if (sf.has_optional_relation()) subject.relation = sf.optional_relation().relation();
    out.subject = std::move(subject);
  }
  return out;
}

}  // namespace rebac::api
