#include "tools/rebac/query_commands.h"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

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
#include "tools/rebac/relationship_text.h"
#include "tools/rebac/tree_render.h"

namespace rebac::cli {
namespace {

namespace v1 = ::authzed::api::v1;

struct QueryArgs {
  std::string first;  // RESOURCE (expand, lookup-subjects) or TYPE (lookup-resources)
  std::string permission;
  std::string subject;  // SUBJECT (lookup-resources) or TYPE[#REL] (lookup-subjects)
  std::string consistency;
  std::string context;
};

// Parses the shared flags into the request's fields; false (after printing why) if invalid.
bool ParseCommon(const QueryArgs& args, v1::Consistency* consistency,
                 google::protobuf::Struct* context) {
  absl::StatusOr<v1::Consistency> parsed = ParseConsistency(args.consistency);
  if (!parsed.ok()) {
    PrintError(parsed.status().message());
    return false;
  }
  *consistency = *std::move(parsed);
  if (context != nullptr && !args.context.empty()) {
    absl::StatusOr<google::protobuf::Struct> json = JsonToStruct(args.context);
    if (!json.ok()) {
      PrintError(absl::StrCat("invalid --caveat-context: ", json.status().message()));
      return false;
    }
    *context = *std::move(json);
  }
  return true;
}

std::string LookupText(const std::string& id, v1::LookupPermissionship permissionship,
                       const v1::PartialCaveatInfo& info) {
  if (permissionship != v1::LOOKUP_PERMISSIONSHIP_CONDITIONAL_PERMISSION) return id;
  return absl::StrCat(id, " (caveated, missing context: ",
                      absl::StrJoin(info.missing_required_context(), ", "), ")");
}

int Expand(const ConnectionOptions& options, const QueryArgs& args) {
  v1::ExpandPermissionTreeRequest request;
  ParseResult<ObjectText> resource = ParseObject(args.first);
  if (!resource.ok()) {
    PrintParseError("resource", args.first, resource.error());
    return kExitError;
  }
  if (!ParseCommon(args, request.mutable_consistency(), nullptr)) return kExitError;
  *request.mutable_resource() = ToProto(resource.value());
  request.set_permission(args.permission);
  absl::StatusOr<Connection> connection = Connection::Open(options);
  if (!connection.ok()) {
    PrintError(connection.status().message());
    return kExitError;
  }
  v1::ExpandPermissionTreeResponse response;
  auto context = connection->NewContext();
  grpc::Status status =
      connection->permissions().ExpandPermissionTree(context.get(), request, &response);
  if (!status.ok()) {
    PrintRpcError(status);
    return kExitError;
  }
  std::cout << RenderExpandTree(response.tree_root());
  return kExitOk;
}

int LookupResources(const ConnectionOptions& options, const QueryArgs& args) {
  v1::LookupResourcesRequest request;
  ParseResult<SubjectText> subject = ParseSubject(args.subject);
  if (!subject.ok()) {
    PrintParseError("subject", args.subject, subject.error());
    return kExitError;
  }
  if (!ParseCommon(args, request.mutable_consistency(), request.mutable_context())) {
    return kExitError;
  }
  request.set_resource_object_type(args.first);
  request.set_permission(args.permission);
  *request.mutable_subject() = ToProto(subject.value());
  absl::StatusOr<Connection> connection = Connection::Open(options);
  if (!connection.ok()) {
    PrintError(connection.status().message());
    return kExitError;
  }
  auto context = connection->NewContext();
  auto reader = connection->permissions().LookupResources(context.get(), request);
  v1::LookupResourcesResponse response;
  while (reader->Read(&response)) {
    std::cout << LookupText(response.resource_object_id(), response.permissionship(),
                            response.partial_caveat_info())
              << "\n";
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) {
    PrintRpcError(status);
    return kExitError;
  }
  return kExitOk;
}

int LookupSubjects(const ConnectionOptions& options, const QueryArgs& args) {
  v1::LookupSubjectsRequest request;
  ParseResult<ObjectText> resource = ParseObject(args.first);
  if (!resource.ok()) {
    PrintParseError("resource", args.first, resource.error());
    return kExitError;
  }
  std::string subject_type = args.subject;
  std::string subject_relation;
  if (size_t hash = subject_type.find('#'); hash != std::string::npos) {
    subject_relation = subject_type.substr(hash + 1);
    subject_type.resize(hash);
    if (subject_relation == "...") subject_relation.clear();
  }
  if (subject_type.empty()) {
    PrintError(
        absl::StrCat("invalid subject type `", args.subject, "`; want TYPE or TYPE#RELATION"));
    return kExitError;
  }
  if (!ParseCommon(args, request.mutable_consistency(), request.mutable_context())) {
    return kExitError;
  }
  *request.mutable_resource() = ToProto(resource.value());
  request.set_permission(args.permission);
  request.set_subject_object_type(subject_type);
  request.set_optional_subject_relation(subject_relation);
  absl::StatusOr<Connection> connection = Connection::Open(options);
  if (!connection.ok()) {
    PrintError(connection.status().message());
    return kExitError;
  }
  auto context = connection->NewContext();
  auto reader = connection->permissions().LookupSubjects(context.get(), request);
  v1::LookupSubjectsResponse response;
  const std::string suffix = subject_relation.empty() ? "" : absl::StrCat("#", subject_relation);
  while (reader->Read(&response)) {
    const v1::ResolvedSubject& subject = response.subject();
    std::string line =
        absl::StrCat(subject_type, ":",
                     LookupText(absl::StrCat(subject.subject_object_id(), suffix),
                                subject.permissionship(), subject.partial_caveat_info()));
    if (!response.excluded_subjects().empty()) {
      std::vector<std::string> excluded;
      for (const v1::ResolvedSubject& e : response.excluded_subjects()) {
        excluded.push_back(
            LookupText(e.subject_object_id(), e.permissionship(), e.partial_caveat_info()));
      }
      absl::StrAppend(&line, " - {", absl::StrJoin(excluded, ", "), "}");
    }
    std::cout << line << "\n";
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) {
    PrintRpcError(status);
    return kExitError;
  }
  return kExitOk;
}

}  // namespace

void AddQueryCommands(CLI::App& group, const ConnectionOptions& options, int* exit_code) {
  {
    auto args = std::make_shared<QueryArgs>();
    CLI::App* cmd = group.add_subcommand(
        "expand", "Print the one-level tree of PERMISSION on RESOURCE (ExpandPermissionTree)");
    cmd->add_option("resource", args->first, "TYPE:ID, e.g. document:1")->required();
    cmd->add_option("permission", args->permission, "Permission or relation")->required();
    cmd->add_option("--consistency", args->consistency, std::string(kConsistencyHelp));
    cmd->callback([&options, exit_code, args] { *exit_code = Expand(options, *args); });
  }
  {
    auto args = std::make_shared<QueryArgs>();
    CLI::App* cmd = group.add_subcommand(
        "lookup-resources", "Print the ids of the TYPE resources on which SUBJECT has PERMISSION");
    cmd->add_option("type", args->first, "Resource type, e.g. document")->required();
    cmd->add_option("permission", args->permission, "Permission or relation")->required();
    cmd->add_option("subject", args->subject, "TYPE:ID or TYPE:ID#RELATION")->required();
    cmd->add_option("--caveat-context,--context", args->context, "Caveat context as a JSON object");
    cmd->add_option("--consistency", args->consistency, std::string(kConsistencyHelp));
    cmd->callback([&options, exit_code, args] { *exit_code = LookupResources(options, *args); });
  }
  {
    auto args = std::make_shared<QueryArgs>();
    CLI::App* cmd = group.add_subcommand(
        "lookup-subjects", "Print the subjects of TYPE[#REL] that have PERMISSION on RESOURCE");
    cmd->add_option("resource", args->first, "TYPE:ID, e.g. document:1")->required();
    cmd->add_option("permission", args->permission, "Permission or relation")->required();
    cmd->add_option("subject_type", args->subject, "Subject type, e.g. user or group#member")
        ->required();
    cmd->add_option("--caveat-context,--context", args->context, "Caveat context as a JSON object");
    cmd->add_option("--consistency", args->consistency, std::string(kConsistencyHelp));
    cmd->callback([&options, exit_code, args] { *exit_code = LookupSubjects(options, *args); });
  }
}

}  // namespace rebac::cli
