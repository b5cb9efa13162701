#include "tools/rebac/permission_commands.h"

#include <iostream>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "authzed/api/v1/permission_service.grpc.pb.h"
#include "tools/rebac/connection.h"
#include "tools/rebac/consistency.h"
#include "tools/rebac/errors.h"
#include "tools/rebac/exit_codes.h"
#include "tools/rebac/json_struct.h"
#include "tools/rebac/proto_convert.h"
#include "tools/rebac/query_commands.h"
#include "tools/rebac/relationship_text.h"
#include "tools/rebac/tree_render.h"

namespace rebac::cli {
namespace {

namespace v1 = ::authzed::api::v1;

struct CheckArgs {
  std::string resource;
  std::string permission;
  std::string subject;
  std::string context;  // JSON object, "" for none
  std::string consistency;
  bool explain = false;  // request with_tracing and print the check trace
};

// Builds the request from the arguments, or reports what is wrong with them.
bool BuildCheckRequest(const CheckArgs& args, v1::CheckPermissionRequest* request) {
  ParseResult<ObjectText> resource = ParseObject(args.resource);
  if (!resource.ok()) {
    PrintParseError("resource", args.resource, resource.error());
    return false;
  }
  ParseResult<SubjectText> subject = ParseSubject(args.subject);
  if (!subject.ok()) {
    PrintParseError("subject", args.subject, subject.error());
    return false;
  }
  absl::StatusOr<v1::Consistency> consistency = ParseConsistency(args.consistency);
  if (!consistency.ok()) {
    PrintError(consistency.status().message());
    return false;
  }
  *request->mutable_consistency() = *std::move(consistency);
  *request->mutable_resource() = ToProto(resource.value());
  request->set_permission(args.permission);
  *request->mutable_subject() = ToProto(subject.value());
  request->set_with_tracing(args.explain);
  if (!args.context.empty()) {
    absl::StatusOr<google::protobuf::Struct> context = JsonToStruct(args.context);
    if (!context.ok()) {
      PrintError(absl::StrCat("invalid --context: ", context.status().message()));
      return false;
    }
    *request->mutable_context() = *std::move(context);
  }
  return true;
}

int CheckPermission(const ConnectionOptions& options, const CheckArgs& args) {
  v1::CheckPermissionRequest request;
  if (!BuildCheckRequest(args, &request)) return kExitError;
  absl::StatusOr<Connection> connection = Connection::Open(options);
  if (!connection.ok()) {
    PrintError(connection.status().message());
    return kExitError;
  }
  v1::CheckPermissionResponse response;
  auto context = connection->NewContext();
  grpc::Status status =
      connection->permissions().CheckPermission(context.get(), request, &response);
  if (!status.ok()) {
    PrintRpcError(status);
    return kExitError;
  }
  // With --explain the trace follows the answer, as `zed permission check --explain` prints it.
  auto explain = [&] {
    if (args.explain) std::cout << RenderCheckTrace(response.debug_trace());
  };
  switch (response.permissionship()) {
    case v1::CheckPermissionResponse::PERMISSIONSHIP_HAS_PERMISSION:
      std::cout << "true\n";
      explain();
      return kExitOk;
    case v1::CheckPermissionResponse::PERMISSIONSHIP_NO_PERMISSION:
      std::cout << "false\n";
      explain();
      return kExitDenied;
    case v1::CheckPermissionResponse::PERMISSIONSHIP_CONDITIONAL_PERMISSION:
      std::cout << "conditional (missing: "
                << absl::StrJoin(response.partial_caveat_info().missing_required_context(), ", ")
                << ")\n";
      explain();
      return kExitConditional;
    default:
      PrintError(absl::StrCat("the server answered with an unknown permissionship (",
                              static_cast<int>(response.permissionship()), ")"));
      return kExitError;
  }
}

}  // namespace

void AddPermissionCommands(CLI::App& app, const ConnectionOptions& options, int* exit_code) {
  CLI::App* group = app.add_subcommand(
      "permission", "Check permissions, expand them, look up resources and subjects");
  group->require_subcommand(1);

  CLI::App* check = group->add_subcommand(
      "check",
      "Check whether SUBJECT has PERMISSION on RESOURCE; prints true (exit 0), false (exit 1) "
      "or conditional (exit 3)");
  auto args = std::make_shared<CheckArgs>();
  check->add_option("resource", args->resource, "TYPE:ID, e.g. document:1")->required();
  check->add_option("permission", args->permission, "Permission or relation, e.g. view")
      ->required();
  check->add_option("subject", args->subject, "TYPE:ID or TYPE:ID#RELATION, e.g. user:alice")
      ->required();
  check->add_option("--context,--caveat-context", args->context, "Caveat context as a JSON object");
  check->add_flag("--explain", args->explain,
                  "Ask the server for a trace of the check and print it as a tree");
  check->add_option("--consistency", args->consistency, std::string(kConsistencyHelp));
  check->callback([&options, exit_code, args] { *exit_code = CheckPermission(options, *args); });

  AddQueryCommands(*group, options, exit_code);
}

}  // namespace rebac::cli
