// PermissionsService: ImportBulkRelationships, ExportBulkRelationships.
#include "api/grpc_status.h"
#include "api/permissions_service.h"

namespace rebac::api {

namespace v1 = authzed::api::v1;

grpc::Status PermissionsServiceImpl::ImportBulkRelationships(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportBulkRelationshipsRequest>* reader,
    v1::ImportBulkRelationshipsResponse* response) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      "ImportBulkRelationships is not available yet");
}

grpc::Status PermissionsServiceImpl::ExportBulkRelationships(
    grpc::ServerContext* context, const v1::ExportBulkRelationshipsRequest* request,
    grpc::ServerWriter<v1::ExportBulkRelationshipsResponse>* writer) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      "ExportBulkRelationships is not available yet");
}

}  // namespace rebac::api
