// What a WriteRequest does to the data, worked out against the snapshot it commits on top of.
//
// Every engine plans its writes here, so preconditions, CREATE conflicts, deletes of absent
// relationships and delete filters mean the same thing in each; the engine only applies the
// plan atomically. Pure function of its inputs; safe from any thread.
#ifndef REBACD_STORAGE_WRITE_PLAN_H_
#define REBACD_STORAGE_WRITE_PLAN_H_

#include <vector>

#include "absl/status/statusor.h"
#include "storage/datastore.h"

namespace rebac::storage {

struct WritePlan {
  // In order: kCreate/kTouch put relationship.value, kDelete removes an existing relationship.
  // The operation is also what the changelog records.
  std::vector<RelationshipUpdate> changes;
  uint64_t relationships_deleted = 0;  // by delete filters
};

// `current` must be the head snapshot, read under the engine's write lock, and
// `current_schema_revision` the revision that wrote the schema in force there (0: none).
// Checks request.expected_schema_revision, runs request.commit_check, then the preconditions.
// Errors as Datastore::Write documents (ABORTED, ALREADY_EXISTS, FAILED_PRECONDITION, or the
// commit_check's status).
absl::StatusOr<WritePlan> PlanWrite(const Snapshot& current, Revision current_schema_revision,
                                    const WriteRequest& request);

// The ABORTED error of a write whose expected_schema_revision is no longer the head's.
absl::Status SchemaChangedError(Revision expected, Revision actual);

// The ALREADY_EXISTS error of a CREATE of an existing relationship (SpiceDB's wording).
absl::Status RelationshipExistsError(const Relationship& relationship);

}  // namespace rebac::storage

#endif  // REBACD_STORAGE_WRITE_PLAN_H_
