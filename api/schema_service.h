// authzed.api.v1.SchemaService: WriteSchema and ReadSchema. (Reflection, diff and dependency
// RPCs answer UNIMPLEMENTED until the schema issue adds them.)
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

 private:
  ServingStateResolver* states_;  // the request's ServingState: states_->For(*context)
  const Authenticator* auth_;
};

}  // namespace rebac::api

#endif  // REBACD_API_SCHEMA_SERVICE_H_
