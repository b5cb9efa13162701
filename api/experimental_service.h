// authzed.api.v1.ExperimentalService: the older BulkImportRelationships /
// BulkExportRelationships that existing clients still call, sharing PermissionsService's bulk
// code (bulk_relationships.h). Every other experimental RPC answers UNIMPLEMENTED.
//
// Thread safety: one instance serves concurrent calls.
#ifndef REBACD_API_EXPERIMENTAL_SERVICE_H_
#define REBACD_API_EXPERIMENTAL_SERVICE_H_

#include "api/authenticator.h"
#include "api/serving_state.h"
#include "authzed/api/v1/experimental_service.grpc.pb.h"

namespace rebac::api {

class ExperimentalServiceImpl final : public authzed::api::v1::ExperimentalService::Service {
 public:
  ExperimentalServiceImpl(ServingStateResolver* states, const Authenticator* auth)
      : states_(states), auth_(auth) {}

  grpc::Status BulkImportRelationships(
      grpc::ServerContext* context,
      grpc::ServerReader<authzed::api::v1::BulkImportRelationshipsRequest>* reader,
      authzed::api::v1::BulkImportRelationshipsResponse* response) override;
  grpc::Status BulkExportRelationships(
      grpc::ServerContext* context, const authzed::api::v1::BulkExportRelationshipsRequest* request,
      grpc::ServerWriter<authzed::api::v1::BulkExportRelationshipsResponse>* writer) override;

 private:
  ServingStateResolver* states_;
  const Authenticator* auth_;
};

}  // namespace rebac::api

#endif  // REBACD_API_EXPERIMENTAL_SERVICE_H_
