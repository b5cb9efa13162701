// authzed.api.v1.PermissionsService, one class with its methods in three files by concern:
//   permissions_service.cc         relationship reads/writes/deletes, CheckPermission, CheckBulk
//   permissions_lookup_service.cc  ExpandPermissionTree, LookupResources, LookupSubjects
//   permissions_bulk_service.cc    ImportBulkRelationships, ExportBulkRelationships
#ifndef REBACD_API_PERMISSIONS_SERVICE_H_
#define REBACD_API_PERMISSIONS_SERVICE_H_

#include "api/authenticator.h"
#include "api/compute_slots.h"
#include "api/serving_state.h"
#include "api/stream_write_turns.h"
#include "authzed/api/v1/permission_service.grpc.pb.h"

namespace rebac::api {

// Request limits, SpiceDB's defaults.
struct PermissionsLimits {
  int max_updates_per_write = 1000;
  int max_preconditions_per_write = 1000;
  int max_check_bulk_items = 10000;
  int max_depth = 50;
  uint32_t max_delete_without_limit = 1000000;
  // LookupResources walks computing at once (ComputeSlots); 0 = one per core.
  int lookup_concurrency = 0;
};

class PermissionsServiceImpl final : public authzed::api::v1::PermissionsService::Service {
 public:
  PermissionsServiceImpl(ServingStateResolver* states, const Authenticator* auth,
                         PermissionsLimits limits = {})
      : states_(states), auth_(auth), limits_(limits), lookup_slots_(limits.lookup_concurrency) {}

  grpc::Status ReadRelationships(
      grpc::ServerContext* context, const authzed::api::v1::ReadRelationshipsRequest* request,
      grpc::ServerWriter<authzed::api::v1::ReadRelationshipsResponse>* writer) override;
  grpc::Status WriteRelationships(grpc::ServerContext* context,
                                  const authzed::api::v1::WriteRelationshipsRequest* request,
                                  authzed::api::v1::WriteRelationshipsResponse* response) override;
  grpc::Status DeleteRelationships(
      grpc::ServerContext* context, const authzed::api::v1::DeleteRelationshipsRequest* request,
      authzed::api::v1::DeleteRelationshipsResponse* response) override;
  grpc::Status CheckPermission(grpc::ServerContext* context,
                               const authzed::api::v1::CheckPermissionRequest* request,
                               authzed::api::v1::CheckPermissionResponse* response) override;
  grpc::Status CheckBulkPermissions(
      grpc::ServerContext* context, const authzed::api::v1::CheckBulkPermissionsRequest* request,
      authzed::api::v1::CheckBulkPermissionsResponse* response) override;

  grpc::Status ExpandPermissionTree(
      grpc::ServerContext* context, const authzed::api::v1::ExpandPermissionTreeRequest* request,
      authzed::api::v1::ExpandPermissionTreeResponse* response) override;
  grpc::Status LookupResources(
      grpc::ServerContext* context, const authzed::api::v1::LookupResourcesRequest* request,
      grpc::ServerWriter<authzed::api::v1::LookupResourcesResponse>* writer) override;
  grpc::Status LookupSubjects(
      grpc::ServerContext* context, const authzed::api::v1::LookupSubjectsRequest* request,
      grpc::ServerWriter<authzed::api::v1::LookupSubjectsResponse>* writer) override;

  grpc::Status ImportBulkRelationships(
      grpc::ServerContext* context,
      grpc::ServerReader<authzed::api::v1::ImportBulkRelationshipsRequest>* reader,
      authzed::api::v1::ImportBulkRelationshipsResponse* response) override;
  grpc::Status ExportBulkRelationships(
      grpc::ServerContext* context, const authzed::api::v1::ExportBulkRelationshipsRequest* request,
      grpc::ServerWriter<authzed::api::v1::ExportBulkRelationshipsResponse>* writer) override;

 private:
  ServingStateResolver* states_;  // the request's ServingState: states_->For(*context)
  const Authenticator* auth_;
  PermissionsLimits limits_;
  ComputeSlots lookup_slots_;
  StreamWriteTurns write_turns_;
};

}  // namespace rebac::api

#endif  // REBACD_API_PERMISSIONS_SERVICE_H_
