#include "api/schema_service.h"

#include "absl/strings/str_cat.h"
#include "api/grpc_status.h"
#include "graph/error_reason.h"
#include "schema/compiler.h"

namespace rebac::api {
namespace {

constexpr size_t kMaxSchemaBytes = 4 << 20;  // SpiceDB's limit on WriteSchemaRequest.schema

absl::Status SchemaErrorStatus(const schema::SchemaError& error) {
  std::map<std::string, std::string> metadata;
  if (error.line > 0) {
    // SpiceDB's ErrorInfo positions are 0-based; the message's are 1-based.
    metadata["start_line_number"] = absl::StrCat(error.line - 1);
    metadata["start_column_position"] = absl::StrCat(error.column - 1);
    metadata["end_line_number"] = absl::StrCat(error.line - 1);
    metadata["end_column_position"] = absl::StrCat(error.column - 1);
  }
  if (!error.source_code.empty()) metadata["source_code"] = error.source_code;
  return ErrorWithReason(absl::StatusCode::kInvalidArgument, error.ToString(),
                         error.kind == schema::SchemaError::Kind::kParse
                             ? "ERROR_REASON_SCHEMA_PARSE_ERROR"
                             : "ERROR_REASON_SCHEMA_TYPE_ERROR",
                         metadata);
}

}  // namespace

grpc::Status SchemaServiceImpl::ReadSchema(grpc::ServerContext* context,
                                           const authzed::api::v1::ReadSchemaRequest* request,
                                           authzed::api::v1::ReadSchemaResponse* response) {
  ServingState* state_ = states_->For(*context);
  if (absl::Status s = auth_->Authenticate(*context); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<ReadView> view = state_->ViewFor(nullptr);
  if (!view.ok()) return ToGrpcStatus(view.status());
  if (!view->has_schema) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "No schema has been defined; please call WriteSchema to start");
  }
  response->set_schema_text(schema::Print(*view->schema));
  response->mutable_read_at()->set_token(view->token);
  return grpc::Status::OK;
}

grpc::Status SchemaServiceImpl::WriteSchema(grpc::ServerContext* context,
                                            const authzed::api::v1::WriteSchemaRequest* request,
                                            authzed::api::v1::WriteSchemaResponse* response) {
  ServingState* state_ = states_->For(*context);
  if (absl::Status s = auth_->Authenticate(*context); !s.ok()) return ToGrpcStatus(s);
  if (request->schema().size() > kMaxSchemaBytes) {
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("invalid WriteSchemaRequest.schema: ", request->schema().size(),
                     " bytes is over the limit of ", kMaxSchemaBytes));
  }
  schema::CompileResult compiled = schema::Compile(request->schema());
  if (!compiled.ok()) return ToGrpcStatus(SchemaErrorStatus(compiled.error()));

  storage::WriteRequest write;
  write.schema_text = request->schema();
  absl::StatusOr<storage::WriteResult> written = state_->datastore().Write(write);
  if (!written.ok()) return ToGrpcStatus(written.status());
  response->mutable_written_at()->set_token(state_->TokenFor(written->revision));
  return grpc::Status::OK;
}

}  // namespace rebac::api
