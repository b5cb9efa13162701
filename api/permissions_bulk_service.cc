// PermissionsService: ImportBulkRelationships, ExportBulkRelationships (see bulk_relationships.h).
#include "api/bulk_relationships.h"
#include "api/grpc_status.h"
#include "api/permissions_service.h"

namespace rebac::api {

namespace v1 = authzed::api::v1;

grpc::Status PermissionsServiceImpl::ImportBulkRelationships(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportBulkRelationshipsRequest>* reader,
    v1::ImportBulkRelationshipsResponse* response) {
  if (absl::Status s = auth_->Authenticate(*context); !s.ok()) return ToGrpcStatus(s);
  ImportStreamReader<v1::ImportBulkRelationshipsRequest> stream(reader);
  absl::StatusOr<uint64_t> loaded = ImportRelationships(
      *states_->For(*context), [&] { return stream.Next(); },
      [&] { return context->IsCancelled(); });
  if (!loaded.ok()) return ToGrpcStatus(loaded.status());
  response->set_num_loaded(*loaded);
  return grpc::Status::OK;
}

grpc::Status PermissionsServiceImpl::ExportBulkRelationships(
    grpc::ServerContext* context, const v1::ExportBulkRelationshipsRequest* request,
    grpc::ServerWriter<v1::ExportBulkRelationshipsResponse>* writer) {
  if (absl::Status s = auth_->Authenticate(*context); !s.ok()) return ToGrpcStatus(s);
  ExportParams params{
      .consistency = request->has_consistency() ? &request->consistency() : nullptr,
      .limit = request->optional_limit(),
      .cursor = request->has_optional_cursor() ? &request->optional_cursor() : nullptr,
      .filter = request->has_optional_relationship_filter()
                    ? &request->optional_relationship_filter()
                    : nullptr};
  v1::ExportBulkRelationshipsResponse response;
  return ToGrpcStatus(
      ExportRelationships(*states_->For(*context), params, kMaxExportBatch,
                          [&](const std::string& cursor, RelationshipList* relationships) {
                            response.mutable_after_result_cursor()->set_token(cursor);
                            response.mutable_relationships()->Swap(relationships);
                            return !context->IsCancelled() && writer->Write(response);
                          }));
}

}  // namespace rebac::api
