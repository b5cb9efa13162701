// Bulk import and export of relationships, shared by PermissionsService's
// ImportBulkRelationships / ExportBulkRelationships and ExperimentalService's older
// BulkImportRelationships / BulkExportRelationships (same fields, other message names).
//
// Import (SpiceDB's semantics): the whole client stream is one transaction with CREATE
// semantics, validated like WriteRelationships; an existing relationship fails it with
// ALREADY_EXISTS and nothing is written. Only the message being validated is held by the API;
// the datastore holds the pending transaction (see storage::BulkLoad for its limit).
//
// Export: every relationship matching the optional filter, at one revision, in batches of
// `optional_limit` (default and maximum `max_batch`), each with a cursor that resumes right
// after it, at the same revision, in another call.
//
// Thread safety: stateless functions; safe from any RPC thread.
#ifndef REBACD_API_BULK_RELATIONSHIPS_H_
#define REBACD_API_BULK_RELATIONSHIPS_H_

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "api/serving_state.h"
#include "authzed/api/v1/core.pb.h"
#include "authzed/api/v1/permission_service.pb.h"

namespace rebac::api {

using RelationshipList = google::protobuf::RepeatedPtrField<authzed::api::v1::Relationship>;

// Fills `batch` with the next request's relationships; false at the end of the stream.
using NextImportBatch = absl::FunctionRef<bool(RelationshipList* batch)>;

// Imports everything `next` yields as one revision and returns how many were loaded. A stream
// that ends because the client went away (`cancelled()` true at its end) commits nothing.
absl::StatusOr<uint64_t> ImportRelationships(ServingState& state, NextImportBatch next,
                                             absl::FunctionRef<bool()> cancelled);

struct ExportParams {
  const authzed::api::v1::Consistency* consistency = nullptr;  // nullptr: the newest revision
  uint32_t limit = 0;                                          // 0: max_batch
  const authzed::api::v1::Cursor* cursor = nullptr;
  const authzed::api::v1::RelationshipFilter* filter = nullptr;
};

// Sends one batch and the cursor after it; false when the client went away.
using SendExportBatch =
    absl::FunctionRef<bool(const std::string& cursor, RelationshipList* relationships)>;

// SpiceDB's default (and maximum) export batch, --max-bulk-export-relationships-limit.
inline constexpr uint32_t kMaxExportBatch = 10000;

absl::Status ExportRelationships(ServingState& state, const ExportParams& params,
                                 uint32_t max_batch, SendExportBatch send);

}  // namespace rebac::api

#endif  // REBACD_API_BULK_RELATIONSHIPS_H_
