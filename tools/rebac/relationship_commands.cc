#include "tools/rebac/relationship_commands.h"

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "authzed/api/v1/permission_service.grpc.pb.h"
#include "tools/rebac/connection.h"
#include "tools/rebac/consistency.h"
#include "tools/rebac/errors.h"
#include "tools/rebac/exit_codes.h"
#include "tools/rebac/proto_convert.h"
#include "tools/rebac/relationship_text.h"

namespace rebac::cli {
namespace {

namespace v1 = ::authzed::api::v1;

struct WriteArgs {
  std::vector<std::string> relationships;
  bool from_stdin = false;
};

struct ReadArgs {
  std::string resource;
  std::string relation;
  std::string subject;
  std::string consistency;
};

// The relationships to write: the arguments, then standard input when asked for by --stdin or
// a "-" argument (one per line; blank lines and `//` comments are skipped).
bool CollectUpdates(const WriteArgs& args, v1::RelationshipUpdate::Operation operation,
                    v1::WriteRelationshipsRequest* request) {
  auto add = [&](absl::string_view text, absl::string_view where) {
    ParseResult<RelationshipText> parsed = ParseRelationship(text);
    if (!parsed.ok()) {
      PrintParseError("relationship", text, parsed.error(), where);
      return false;
    }
    absl::StatusOr<v1::Relationship> relationship = ToProto(parsed.value());
    if (!relationship.ok()) {
      PrintError(
          absl::StrCat("invalid relationship `", text, "`: ", relationship.status().message()));
      return false;
    }
    v1::RelationshipUpdate* update = request->add_updates();
    update->set_operation(operation);
    *update->mutable_relationship() = *std::move(relationship);
    return true;
  };

  bool read_stdin = args.from_stdin;
  for (const std::string& text : args.relationships) {
    if (text == "-") {
      read_stdin = true;
    } else if (!add(text, /*where=*/"")) {
      return false;
    }
  }
  if (read_stdin) {
    std::string line;
    for (int number = 1; std::getline(std::cin, line); ++number) {
      absl::string_view text = absl::StripAsciiWhitespace(line);
      if (text.empty() || absl::StartsWith(text, "//")) continue;
      if (!add(text, absl::StrCat("on line ", number, " of standard input"))) return false;
    }
  }
  if (request->updates().empty()) {
    PrintError("no relationships given (pass them as arguments, or use --stdin)");
    return false;
  }
  return true;
}

int WriteRelationships(const ConnectionOptions& options, const WriteArgs& args,
                       v1::RelationshipUpdate::Operation operation) {
  v1::WriteRelationshipsRequest request;
  if (!CollectUpdates(args, operation, &request)) return kExitError;
  absl::StatusOr<Connection> connection = Connection::Open(options);
  if (!connection.ok()) {
    PrintError(connection.status().message());
    return kExitError;
  }
  v1::WriteRelationshipsResponse response;
  auto context = connection->NewContext();
  grpc::Status status =
      connection->permissions().WriteRelationships(context.get(), request, &response);
  if (!status.ok()) {
    PrintRpcError(status);
    return kExitError;
  }
  std::cout << response.written_at().token() << "\n";
  return kExitOk;
}

bool IsRelationName(absl::string_view text) {
  if (text.empty() || !absl::ascii_islower(text[0])) return false;
  for (char c : text) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') return false;
  }
  return true;
}

int ReadRelationships(const ConnectionOptions& options, ReadArgs args) {
  // `read document:1 user:alice` leaves out the relation: the second word is the subject.
  if (args.subject.empty() && !args.relation.empty() && !IsRelationName(args.relation) &&
      absl::StrContains(args.relation, ':')) {
    args.subject = std::move(args.relation);
    args.relation.clear();
  }
  ParseResult<ResourceFilterText> resource = ParseResourceFilter(args.resource);
  if (!resource.ok()) {
    PrintParseError("resource filter", args.resource, resource.error());
    return kExitError;
  }
  if (!args.relation.empty() && !IsRelationName(args.relation)) {
    PrintError(absl::StrCat("invalid relation `", args.relation,
                            "`: want a lowercase name such as viewer"));
    return kExitError;
  }
  std::optional<SubjectFilterText> subject;
  if (!args.subject.empty()) {
    ParseResult<SubjectFilterText> parsed = ParseSubjectFilter(args.subject);
    if (!parsed.ok()) {
      PrintParseError("subject filter", args.subject, parsed.error());
      return kExitError;
    }
    subject = parsed.value();
  }
  absl::StatusOr<v1::Consistency> consistency = ParseConsistency(args.consistency);
  if (!consistency.ok()) {
    PrintError(consistency.status().message());
    return kExitError;
  }
  absl::StatusOr<Connection> connection = Connection::Open(options);
  if (!connection.ok()) {
    PrintError(connection.status().message());
    return kExitError;
  }

  v1::ReadRelationshipsRequest request;
  *request.mutable_consistency() = *std::move(consistency);
  *request.mutable_relationship_filter() =
      ToProtoFilter(resource.value(), args.relation, subject ? &*subject : nullptr);
  auto context = connection->NewContext();
  std::unique_ptr<grpc::ClientReader<v1::ReadRelationshipsResponse>> reader =
      connection->permissions().ReadRelationships(context.get(), request);
  v1::ReadRelationshipsResponse response;
  while (reader->Read(&response)) {
    std::cout << FormatRelationship(FromProto(response.relationship())) << "\n";
  }
  grpc::Status status = reader->Finish();
  std::cout.flush();
  if (!status.ok()) {
    PrintRpcError(status);
    return kExitError;
  }
  return kExitOk;
}

void AddWriteCommand(CLI::App& group, const std::string& name, const std::string& description,
                     v1::RelationshipUpdate::Operation operation, const ConnectionOptions& options,
                     int* exit_code) {
  CLI::App* command = group.add_subcommand(name, description);
  auto args = std::make_shared<WriteArgs>();
  command->add_option("relationships", args->relationships,
                      "Relationships such as document:1#viewer@user:alice, "
                      "group:eng#member subjects, user:* wildcards, "
                      "[caveat:{\"k\":1}] and [expiration:2026-01-01T00:00:00Z] suffixes; "
                      "- reads standard input");
  command->add_flag("--stdin", args->from_stdin,
                    "Also read relationships from standard input, one per line");
  command->callback([&options, exit_code, args, operation] {
    *exit_code = WriteRelationships(options, *args, operation);
  });
}

}  // namespace

void AddRelationshipCommands(CLI::App& app, const ConnectionOptions& options, int* exit_code) {
  CLI::App* group = app.add_subcommand("relationship", "Write or read relationships");
  group->alias("rel");
  group->require_subcommand(1);

  AddWriteCommand(*group, "create",
                  "Create relationships (fails if one exists); prints the ZedToken",
                  v1::RelationshipUpdate::OPERATION_CREATE, options, exit_code);
  AddWriteCommand(*group, "touch", "Create or update relationships; prints the ZedToken",
                  v1::RelationshipUpdate::OPERATION_TOUCH, options, exit_code);
  AddWriteCommand(*group, "delete", "Delete relationships; prints the ZedToken",
                  v1::RelationshipUpdate::OPERATION_DELETE, options, exit_code);

  CLI::App* read = group->add_subcommand("read", "Print the relationships matching a filter");
  auto args = std::make_shared<ReadArgs>();
  read->add_option("resource", args->resource, "TYPE or TYPE:ID")->required();
  read->add_option("relation", args->relation, "Only this relation");
  read->add_option("subject", args->subject, "SUBJECT_TYPE[:ID][#RELATION]");
  read->add_option("--consistency", args->consistency, std::string(kConsistencyHelp));
  read->callback([&options, exit_code, args] { *exit_code = ReadRelationships(options, *args); });
}

}  // namespace rebac::cli
