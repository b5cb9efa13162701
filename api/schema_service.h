// authzed.api.v1.SchemaService: WriteSchema (refusing, atomically with the write, a change that
// would orphan stored relationships: api/schema_change_check.h), ReadSchema, and the reflection
// RPCs ReflectSchema, DiffSchema, ComputablePermissions and DependentRelations
// (api/schema_reflection.h), which read the schema at the request's consistency.
#ifndef REBACD_API_SCHEMA_SERVICE_H_
#define REBACD_API_SCHEMA_SERVICE_H_

#include "api/authenticator.h"
#include "api/serving_state.h"
#include "authzed/api/v1/schema_service.grpc.pb.h"

namespace rebac::api {

class SchemaServiceImpl final : public authzed::api::v1::SchemaService::Service {
 public:
  SchemaServiceImpl(ServingStateResolver* states, const Authenticator* auth)
      : states_(states), auth_(auth) {}

  grpc::Status ReadSchema(grpc::ServerContext* context,
                          const authzed::api::v1::ReadSchemaRequest* request,
                          authzed::api::v1::ReadSchemaResponse* response) override;
  grpc::Status WriteSchema(grpc::ServerContext* context,
                           const authzed::api::v1::WriteSchemaRequest* request,
                           authzed::api::v1::WriteSchemaResponse* response) override;
  grpc::Status ReflectSchema(grpc::ServerContext* context,
                             const authzed::api::v1::ReflectSchemaRequest* request,
                             authzed::api::v1::ReflectSchemaResponse* response) override;
  grpc::Status DiffSchema(grpc::ServerContext* context,
                          const authzed::api::v1::DiffSchemaRequest* request,
                          authzed::api::v1::DiffSchemaResponse* response) override;
  grpc::Status ComputablePermissions(
      grpc::ServerContext* context, const authzed::api::v1::ComputablePermissionsRequest* request,
      authzed::api::v1::ComputablePermissionsResponse* response) override;
  grpc::Status DependentRelations(grpc::ServerContext* context,
                                  const authzed::api::v1::DependentRelationsRequest* request,
                                  authzed::api::v1::DependentRelationsResponse* response) override;

 private:
  ServingStateResolver* states_;  // the request's ServingState: states_->For(*context)
  const Authenticator* auth_;
};

}  // namespace rebac::api

#endif  // REBACD_API_SCHEMA_SERVICE_H_
