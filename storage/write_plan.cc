#include "storage/write_plan.h"

#include "absl/strings/str_cat.h"

namespace rebac::storage {

absl::Status RelationshipExistsError(const Relationship& r) {
  return absl::AlreadyExistsError(
      absl::StrCat("could not CREATE relationship `", ToString(r),
                   "`, as it already existed. If this is persistent, please switch to TOUCH "
                   "operations or specify a precondition"));
}

absl::Status SchemaChangedError(Revision expected, Revision actual) {
  return absl::AbortedError(absl::StrCat(
      "the schema changed while the request was being processed: it was validated against the "
      "schema written at revision ",
      expected, ", but the schema now in force was written at revision ", actual,
      "; please retry"));
}

absl::StatusOr<WritePlan> PlanWrite(const Snapshot& current, Revision current_schema_revision,
                                    const WriteRequest& request) {
  if (request.expected_schema_revision &&
      *request.expected_schema_revision != current_schema_revision) {
    return SchemaChangedError(*request.expected_schema_revision, current_schema_revision);
  }
  if (request.commit_check) {
    if (absl::Status s = request.commit_check(current); !s.ok()) return s;
  }
  for (const Precondition& p : request.preconditions) {
    bool matched = false;
    absl::Status s = current.ForEach(p.filter, [&](const RelationshipView&) {
      matched = true;
      return false;
    });
    if (!s.ok()) return s;
    if (matched != (p.kind == Precondition::Kind::kMustMatch)) {
      return absl::FailedPreconditionError(
          p.kind == Precondition::Kind::kMustMatch
              ? "unable to satisfy write precondition: no relationship matches the MUST_MATCH "
                "filter"
              : "unable to satisfy write precondition: a relationship matches the "
                "MUST_NOT_MATCH filter");
    }
  }

  WritePlan plan;
  for (const RelationshipUpdate& u : request.updates) {
    const Relationship& r = u.relationship;
    absl::StatusOr<std::optional<RelationshipValue>> existing =
        current.Find(r.resource_type, r.resource_id, r.relation, r.subject_type, r.subject_id,
                     r.subject_relation);
    if (!existing.ok()) return existing.status();
    switch (u.operation) {
      case UpdateOperation::kCreate:
        if (existing->has_value()) return RelationshipExistsError(r);
        plan.changes.push_back(u);
        break;
      case UpdateOperation::kTouch:
        plan.changes.push_back(u);
        break;
      case UpdateOperation::kDelete:
        if (!existing->has_value()) break;  // deleting what is not there is a no-op
        plan.changes.push_back({UpdateOperation::kDelete, r});
        plan.changes.back().relationship.value = **existing;
        break;
    }
  }

  // Expired relationships matching a filter go too: they are invisible, but left behind they
  // would outlive the delete in the store (and in reads that ignore expiry, as SpiceDB's "skip
  // expiration" check reads do). Only visible ones count as deleted.
  const int64_t now = NowMicros();
  for (const RelationshipFilter& filter : request.delete_filters) {
    absl::Status s = current.ForEach(
        filter,
        [&](const RelationshipView& v) {
          plan.changes.push_back({UpdateOperation::kDelete, v.ToRelationship()});
          if (!IsExpiredValue(v.encoded_value, now)) ++plan.relationships_deleted;
          return true;
        },
        ExpiredRelationships::kInclude);
    if (!s.ok()) return s;
  }
  return plan;
}

}  // namespace rebac::storage
