#include "api/schema_service.h"

#include "absl/strings/str_cat.h"
#include "api/grpc_status.h"
#include "api/schema_change_check.h"
#include "api/schema_reflection.h"
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
  // SpiceDB's rewriteError: compiler (parse) errors are INVALID_ARGUMENT, type-system errors
  // FAILED_PRECONDITION, untyped errors UNKNOWN without details (tests/schema_corpus compares all
  // three against SpiceDB v1.54).
  if (error.kind == schema::SchemaError::Kind::kUnknown)
    return absl::UnknownError(error.ToString());
  const bool parse = error.kind == schema::SchemaError::Kind::kParse;
  return ErrorWithReason(
      parse ? absl::StatusCode::kInvalidArgument : absl::StatusCode::kFailedPrecondition,
      error.ToString(),
      parse ? "ERROR_REASON_SCHEMA_PARSE_ERROR" : "ERROR_REASON_SCHEMA_TYPE_ERROR", metadata);
}

// A concurrent WriteSchema between reading the stored schema and committing aborts the write
// (expected_schema_revision); it is then retried against the newer schema this many times.
constexpr int kSchemaWriteAttempts = 5;

// The view a reflection RPC reads: the request's consistency (unset: the newest revision).
template <typename Request>
absl::StatusOr<ReadView> ReflectionView(ServingState& state, const Request& request) {
  return state.ViewFor(request.has_consistency() ? &request.consistency() : nullptr);
}

}  // namespace

grpc::Status SchemaServiceImpl::ReadSchema(grpc::ServerContext* context,
                                           const authzed::api::v1::ReadSchemaRequest* request,
                                           authzed::api::v1::ReadSchemaResponse* response) {
  ServingState* state_ = states_->For(*context);
  if (absl::Status s = auth_->Authenticate(*context); !s.ok()) return ToGrpcStatus(s);
  // As in SpiceDB, the schema is always read at the newest revision.
  absl::StatusOr<ReadView> view = state_->ViewAt(state_->datastore().HeadRevision());
  if (!view.ok()) return ToGrpcStatus(view.status());
  // An empty schema written (SpiceDB deletes every definition) reads as no schema, as in SpiceDB.
  if (!view->has_schema ||
      (view->schema->definitions().empty() && view->schema->caveats().empty())) {
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

  const schema::CompiledSchema& updated = *compiled.schema();

  storage::Datastore& datastore = state_->datastore();
  absl::StatusOr<storage::WriteResult> written;
  for (int attempt = 0; attempt < kSchemaWriteAttempts; ++attempt) {
    // The schema being replaced, and the revision that wrote it. The write commits only if it
    // is still the one in force (expected_schema_revision), and the orphan check runs under
    // the write lock against exactly the data the new schema is committed over.
    const storage::Revision head = datastore.HeadRevision();
    absl::StatusOr<std::optional<storage::Datastore::SchemaVersion>> stored =
        datastore.SchemaAt(head);
    if (!stored.ok()) return ToGrpcStatus(stored.status());
    absl::StatusOr<ReadView> existing = state_->ViewAt(head);
    if (!existing.ok()) return ToGrpcStatus(existing.status());
    std::shared_ptr<const schema::CompiledSchema> existing_schema = existing->schema;

    storage::WriteRequest write;
    write.schema_text = request->schema();
    write.expected_schema_revision = stored->has_value() ? (*stored)->revision : 0;
    write.commit_check = [&existing_schema, &updated](const storage::Snapshot& current) {
      return CheckSchemaChange(*existing_schema, updated, current);
    };
    written = datastore.Write(write);
    if (written.ok() || written.status().code() != absl::StatusCode::kAborted) break;
  }
  if (!written.ok()) return ToGrpcStatus(written.status());
  response->mutable_written_at()->set_token(state_->TokenFor(written->revision));
  return grpc::Status::OK;
}

grpc::Status SchemaServiceImpl::ReflectSchema(grpc::ServerContext* context,
                                              const authzed::api::v1::ReflectSchemaRequest* request,
                                              authzed::api::v1::ReflectSchemaResponse* response) {
  ServingState* state = states_->For(*context);
  if (absl::Status s = auth_->Authenticate(*context); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<ReadView> view = ReflectionView(*state, *request);
  if (!view.ok()) return ToGrpcStatus(view.status());
  if (absl::Status s = rebac::api::ReflectSchema(*view->schema, *request, response); !s.ok()) {
    return ToGrpcStatus(s);
  }
  response->mutable_read_at()->set_token(view->token);
  return grpc::Status::OK;
}

grpc::Status SchemaServiceImpl::DiffSchema(grpc::ServerContext* context,
                                           const authzed::api::v1::DiffSchemaRequest* request,
                                           authzed::api::v1::DiffSchemaResponse* response) {
  ServingState* state = states_->For(*context);
  if (absl::Status s = auth_->Authenticate(*context); !s.ok()) return ToGrpcStatus(s);
  if (request->comparison_schema().size() > kMaxSchemaBytes) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("invalid DiffSchemaRequest.comparison_schema: ",
                                     request->comparison_schema().size(),
                                     " bytes is over the limit of ", kMaxSchemaBytes));
  }
  absl::StatusOr<ReadView> view = ReflectionView(*state, *request);
  if (!view.ok()) return ToGrpcStatus(view.status());
  schema::CompileResult compiled = schema::Compile(request->comparison_schema());
  if (!compiled.ok()) return ToGrpcStatus(SchemaErrorStatus(compiled.error()));
  rebac::api::DiffSchema(*view->schema, *compiled.schema(), response);
  response->mutable_read_at()->set_token(view->token);
  return grpc::Status::OK;
}

grpc::Status SchemaServiceImpl::ComputablePermissions(
    grpc::ServerContext* context, const authzed::api::v1::ComputablePermissionsRequest* request,
    authzed::api::v1::ComputablePermissionsResponse* response) {
  ServingState* state = states_->For(*context);
  if (absl::Status s = auth_->Authenticate(*context); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<ReadView> view = ReflectionView(*state, *request);
  if (!view.ok()) return ToGrpcStatus(view.status());
  absl::Status s = rebac::api::ComputablePermissions(*view->schema, *request, response);
  if (!s.ok()) return ToGrpcStatus(s);
  response->mutable_read_at()->set_token(view->token);
  return grpc::Status::OK;
}

grpc::Status SchemaServiceImpl::DependentRelations(
    grpc::ServerContext* context, const authzed::api::v1::DependentRelationsRequest* request,
    authzed::api::v1::DependentRelationsResponse* response) {
  ServingState* state = states_->For(*context);
  if (absl::Status s = auth_->Authenticate(*context); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<ReadView> view = ReflectionView(*state, *request);
  if (!view.ok()) return ToGrpcStatus(view.status());
  absl::Status s = rebac::api::DependentRelations(*view->schema, *request, response);
  if (!s.ok()) return ToGrpcStatus(s);
  response->mutable_read_at()->set_token(view->token);
  return grpc::Status::OK;
}

}  // namespace rebac::api
