// Bulk import and export of relationships, shared by PermissionsService's
// ImportBulkRelationships / ExportBulkRelationships and ExperimentalService's older
// BulkImportRelationships / BulkExportRelationships (same fields, other message names).
//
// Import (SpiceDB's semantics): the whole client stream is one transaction with CREATE
// semantics, validated like WriteRelationships; an existing relationship, or one imported twice,
// fails it with ALREADY_EXISTS and nothing is written. Only the message being validated is held
// by the API; the datastore holds the pending transaction (see storage::BulkLoad for its limit).
//
// Export: every relationship matching the optional filter, at one revision, in batches of
// `optional_limit` (default and maximum `max_batch`), each with a cursor that resumes right
// after it, at the same revision, in another call.
//
// Thread safety: stateless functions; safe from any RPC thread.
#ifndef REBACD_API_BULK_RELATIONSHIPS_H_
#define REBACD_API_BULK_RELATIONSHIPS_H_

#include <cstdint>
#include <memory>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "api/serving_state.h"
#include "authzed/api/v1/core.pb.h"
#include "authzed/api/v1/permission_service.pb.h"
#include "google/protobuf/arena.h"
#include "grpcpp/support/sync_stream.h"

namespace rebac::api {

using RelationshipList = google::protobuf::RepeatedPtrField<authzed::api::v1::Relationship>;

// The next request's relationships, or nullptr at the end of the stream; valid until the next
// call.
using NextImportBatch = absl::FunctionRef<const RelationshipList*()>;

// Reads an import stream's requests into a protobuf arena that is reset before each message, so
// parsing reuses one block of memory instead of allocating every relationship's strings and
// sub-messages (their malloc and free were ~5% of an import's CPU). Not thread-safe: one reader
// per stream.
template <typename Request>
class ImportStreamReader {
 public:
  explicit ImportStreamReader(grpc::ServerReaderInterface<Request>* reader)
      : reader_(reader), block_(new char[kBlockBytes]), arena_(ArenaOptions(block_.get())) {}

  // The next message's relationships, or nullptr when the stream has ended.
  const RelationshipList* Next() {
    arena_.Reset();  // keeps the initial block
    Request* request = google::protobuf::Arena::CreateMessage<Request>(&arena_);
    if (!reader_->Read(request)) return nullptr;
    return &request->relationships();
  }

 private:
  static constexpr size_t kBlockBytes = 1 << 20;
  static google::protobuf::ArenaOptions ArenaOptions(char* block) {
    google::protobuf::ArenaOptions options;
    options.initial_block = block;
    options.initial_block_size = kBlockBytes;
    return options;
  }
  grpc::ServerReaderInterface<Request>* reader_;
  std::unique_ptr<char[]> block_;
  google::protobuf::Arena arena_;
};

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
