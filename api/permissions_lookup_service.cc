// PermissionsService: ExpandPermissionTree, LookupResources, LookupSubjects.
#include "api/grpc_status.h"
#include "api/permissions_service.h"

namespace rebac::api {

namespace v1 = authzed::api::v1;

grpc::Status PermissionsServiceImpl::ExpandPermissionTree(
    grpc::ServerContext* context, const v1::ExpandPermissionTreeRequest* request,
    v1::ExpandPermissionTreeResponse* response) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "ExpandPermissionTree is not available yet");
}

grpc::Status PermissionsServiceImpl::LookupResources(
    grpc::ServerContext* context, const v1::LookupResourcesRequest* request,
    grpc::ServerWriter<v1::LookupResourcesResponse>* writer) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "LookupResources is not available yet");
}

grpc::Status PermissionsServiceImpl::LookupSubjects(
    grpc::ServerContext* context, const v1::LookupSubjectsRequest* request,
    grpc::ServerWriter<v1::LookupSubjectsResponse>* writer) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "LookupSubjects is not available yet");
}

}  // namespace rebac::api
