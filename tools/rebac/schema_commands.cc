#include "tools/rebac/schema_commands.h"

#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "authzed/api/v1/schema_service.grpc.pb.h"
#include "tools/rebac/connection.h"
#include "tools/rebac/errors.h"
#include "tools/rebac/exit_codes.h"
#include "tools/rebac/input_file.h"
#include "tools/rebac/source_excerpt.h"

namespace rebac::cli {
namespace {

namespace v1 = ::authzed::api::v1;

// After a refused schema, shows the line the server complained about, if it said which.
void PrintSchemaErrorExcerpt(const grpc::Status& status, const std::string& schema,
                             const std::string& path) {
  std::map<std::string, std::string> metadata;
  if (std::optional<google::rpc::ErrorInfo> info = FindErrorInfo(status)) {
    metadata.insert(info->metadata().begin(), info->metadata().end());
  }
  std::optional<SourcePosition> position = FindErrorPosition(status.error_message(), metadata);
  if (!position.has_value()) return;
  std::cerr << RenderExcerpt(schema, path == "-" ? "<stdin>" : path, *position);
}

int WriteSchema(const ConnectionOptions& options, const std::string& path) {
  absl::StatusOr<std::string> schema = ReadInput(path);
  if (!schema.ok()) {
    PrintError(schema.status().message());
    return kExitError;
  }
  absl::StatusOr<Connection> connection = Connection::Open(options);
  if (!connection.ok()) {
    PrintError(connection.status().message());
    return kExitError;
  }
  v1::WriteSchemaRequest request;
  request.set_schema(*schema);
  v1::WriteSchemaResponse response;
  auto context = connection->NewContext();
  grpc::Status status = connection->schema().WriteSchema(context.get(), request, &response);
  if (!status.ok()) {
    PrintRpcError(status);
    PrintSchemaErrorExcerpt(status, *schema, path);
    return kExitError;
  }
  std::cout << response.written_at().token() << "\n";
  return kExitOk;
}

int ReadSchema(const ConnectionOptions& options) {
  absl::StatusOr<Connection> connection = Connection::Open(options);
  if (!connection.ok()) {
    PrintError(connection.status().message());
    return kExitError;
  }
  v1::ReadSchemaRequest request;
  v1::ReadSchemaResponse response;
  auto context = connection->NewContext();
  grpc::Status status = connection->schema().ReadSchema(context.get(), request, &response);
  if (!status.ok()) {
    PrintRpcError(status);
    return kExitError;
  }
  std::cout << response.schema_text();
  if (!response.schema_text().empty() && response.schema_text().back() != '\n') std::cout << "\n";
  return kExitOk;
}

}  // namespace

void AddSchemaCommands(CLI::App& app, const ConnectionOptions& options, int* exit_code) {
  CLI::App* schema = app.add_subcommand("schema", "Read or write the schema");
  schema->require_subcommand(1);

  CLI::App* write = schema->add_subcommand("write", "Write the schema; prints the ZedToken");
  auto path = std::make_shared<std::string>();
  write->add_option("file", *path, "Schema file, or - for standard input")->required();
  write->callback([&options, exit_code, path] { *exit_code = WriteSchema(options, *path); });

  CLI::App* read = schema->add_subcommand("read", "Print the current schema");
  read->callback([&options, exit_code] { *exit_code = ReadSchema(options); });
}

}  // namespace rebac::cli
