#include "api/experimental_service.h"

#include "api/bulk_relationships.h"
#include "api/grpc_status.h"

namespace rebac::api {

namespace v1 = authzed::api::v1;

grpc::Status ExperimentalServiceImpl::BulkImportRelationships(
    grpc::ServerContext* context, grpc::ServerReader<v1::BulkImportRelationshipsRequest>* reader,
    v1::BulkImportRelationshipsResponse* response) {
  if (absl::Status s = auth_->Authenticate(*context); !s.ok()) return ToGrpcStatus(s);
  ImportStreamReader<v1::BulkImportRelationshipsRequest> stream(reader);
  absl::StatusOr<uint64_t> loaded = ImportRelationships(
      *states_->For(*context), [&] { return stream.Next(); },
      [&] { return context->IsCancelled(); });
  if (!loaded.ok()) return ToGrpcStatus(loaded.status());
  response->set_num_loaded(*loaded);
  return grpc::Status::OK;
}

grpc::Status ExperimentalServiceImpl::BulkExportRelationships(
    grpc::ServerContext* context, const v1::BulkExportRelationshipsRequest* request,
    grpc::ServerWriter<v1::BulkExportRelationshipsResponse>* writer) {
  if (absl::Status s = auth_->Authenticate(*context); !s.ok()) return ToGrpcStatus(s);
  ExportParams params{
      .consistency = request->has_consistency() ? &request->consistency() : nullptr,
      .limit = request->optional_limit(),
      .cursor = request->has_optional_cursor() ? &request->optional_cursor() : nullptr,
      .filter = request->has_optional_relationship_filter()
                    ? &request->optional_relationship_filter()
                    : nullptr};
  v1::BulkExportRelationshipsResponse response;
  return ToGrpcStatus(
      ExportRelationships(*states_->For(*context), params, kMaxExportBatch,
                          [&](const std::string& cursor, RelationshipList* relationships) {
                            response.mutable_after_result_cursor()->set_token(cursor);
                            response.mutable_relationships()->Swap(relationships);
                            return !context->IsCancelled() && writer->Write(response);
                          }));
}

}  // namespace rebac::api
