#include "tools/rebac/validate_command.h"

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "authzed/api/v1/permission_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tools/rebac/connection.h"
#include "tools/rebac/errors.h"
#include "tools/rebac/exit_codes.h"
#include "tools/rebac/json_struct.h"
#include "tools/rebac/membership.h"
#include "tools/rebac/proto_convert.h"
#include "tools/rebac/relationship_text.h"
#include "tools/rebac/source_excerpt.h"
#include "tools/rebac/validation_file.h"

namespace rebac::cli {
namespace {

namespace v1 = ::authzed::api::v1;

constexpr int kWriteBatch = 500;  // below rebacd's and SpiceDB's default of 1000 per call

v1::Consistency FullyConsistent() {
  v1::Consistency consistency;
  consistency.set_fully_consistent(true);
  return consistency;
}

std::string GrpcError(const grpc::Status& status) { return FormatRpcError(status); }

std::string Wrapped(const std::set<std::string>& relationships) {
  std::vector<std::string> out;
  for (const std::string& r : relationships) out.push_back(absl::StrCat("<", r, ">"));
  return absl::StrJoin(out, "/");
}

// What a validation run found; printed as it goes.
class Report {
 public:
  explicit Report(std::string name) : name_(std::move(name)) {}

  void Failure(SourceLocation location, absl::string_view message, absl::string_view detail = "") {
    ++failures_;
    std::cout << FormatLocated(name_, location, message) << "\n";
    if (!detail.empty()) std::cout << detail;
  }
  void Error(SourceLocation location, absl::string_view message) {
    ++errors_;
    std::cerr << "error: " << FormatLocated(name_, location, message) << "\n";
  }
  int failures() const { return failures_; }
  int errors() const { return errors_; }

 private:
  std::string name_;
  int failures_ = 0;
  int errors_ = 0;
};

absl::string_view Describe(v1::CheckPermissionResponse::Permissionship p) {
  switch (p) {
    case v1::CheckPermissionResponse::PERMISSIONSHIP_HAS_PERMISSION:
      return "true (HAS_PERMISSION)";
    case v1::CheckPermissionResponse::PERMISSIONSHIP_NO_PERMISSION:
      return "false (NO_PERMISSION)";
    case v1::CheckPermissionResponse::PERMISSIONSHIP_CONDITIONAL_PERMISSION:
      return "caveated (CONDITIONAL_PERMISSION)";
    default:
      return "unspecified";
  }
}

v1::CheckPermissionResponse::Permissionship Expected(AssertionKind kind) {
  switch (kind) {
    case AssertionKind::kTrue:
      return v1::CheckPermissionResponse::PERMISSIONSHIP_HAS_PERMISSION;
    case AssertionKind::kFalse:
      return v1::CheckPermissionResponse::PERMISSIONSHIP_NO_PERMISSION;
    case AssertionKind::kCaveated:
      return v1::CheckPermissionResponse::PERMISSIONSHIP_CONDITIONAL_PERMISSION;
  }
  return v1::CheckPermissionResponse::PERMISSIONSHIP_UNSPECIFIED;
}

bool WriteSchema(const Connection& connection, const ValidationFile& file, Report* report) {
  v1::WriteSchemaRequest request;
  request.set_schema(file.schema);
  v1::WriteSchemaResponse response;
  auto context = connection.NewContext();
  grpc::Status status = connection.schema().WriteSchema(context.get(), request, &response);
  if (status.ok()) return true;
  SourceLocation location = file.schema_location;
  std::map<std::string, std::string> metadata;
  if (std::optional<google::rpc::ErrorInfo> info = FindErrorInfo(status)) {
    metadata.insert(info->metadata().begin(), info->metadata().end());
  }
  std::optional<SourcePosition> position = FindErrorPosition(status.error_message(), metadata);
  if (position.has_value() && location.line > 0) {
    // The schema's line L sits at file line schema_location.line + L - 1; an inline schema's
    // lines are indented by schema_location.column - 1.
    location = {location.line + position->line - 1, location.column + position->column - 1};
  }
  report->Error(location, absl::StrCat("schema refused: ", GrpcError(status)));
  if (position.has_value()) {
    std::cerr << RenderExcerpt(file.schema, file.schema_file.empty() ? "schema" : file.schema_file,
                               *position);
  }
  return false;
}

bool WriteRelationships(const Connection& connection, const ValidationFile& file, Report* report) {
  const auto& all = file.relationships;
  for (size_t start = 0; start < all.size(); start += kWriteBatch) {
    size_t end = std::min(all.size(), start + kWriteBatch);
    auto write = [&](size_t from, size_t to) -> grpc::Status {
      v1::WriteRelationshipsRequest request;
      for (size_t i = from; i < to; ++i) {
        absl::StatusOr<v1::Relationship> relationship = ToProto(all[i].relationship);
        if (!relationship.ok()) {
          return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              std::string(relationship.status().message()));
        }
        v1::RelationshipUpdate* update = request.add_updates();
        update->set_operation(v1::RelationshipUpdate::OPERATION_TOUCH);
        *update->mutable_relationship() = *std::move(relationship);
      }
      v1::WriteRelationshipsResponse response;
      auto context = connection.NewContext();
      return connection.permissions().WriteRelationships(context.get(), request, &response);
    };
    grpc::Status status = write(start, end);
    if (status.ok()) continue;
    // Find the relationship the server refused, to point at its line.
    for (size_t i = start; i < end; ++i) {
      grpc::Status one = write(i, i + 1);
      if (!one.ok()) {
        report->Error(all[i].location,
                      absl::StrCat("relationship `", all[i].text, "` refused: ", GrpcError(one)));
        return false;
      }
    }
    report->Error({}, absl::StrCat("writing relationships failed: ", GrpcError(status)));
    return false;
  }
  return true;
}

void RunAssertions(const Connection& connection, const ValidationFile& file, Report* report) {
  for (const Assertion& assertion : file.assertions) {
    v1::CheckPermissionRequest request;
    *request.mutable_consistency() = FullyConsistent();
    *request.mutable_resource() = ToProto(assertion.resource);
    request.set_permission(assertion.permission);
    *request.mutable_subject() = ToProto(assertion.subject);
    if (!assertion.context.empty()) {
      absl::StatusOr<google::protobuf::Struct> context = JsonToStruct(assertion.context);
      if (context.ok()) *request.mutable_context() = *std::move(context);
    }
    v1::CheckPermissionResponse response;
    auto context = connection.NewContext();
    grpc::Status status =
        connection.permissions().CheckPermission(context.get(), request, &response);
    if (!status.ok()) {
      report->Error(assertion.location, absl::StrCat(AssertionKindName(assertion.kind), " `",
                                                     assertion.text, "`: ", GrpcError(status)));
      continue;
    }
    if (response.permissionship() != Expected(assertion.kind)) {
      std::string detail = absl::StrCat("  expected: ", Describe(Expected(assertion.kind)),
                                        "\n  got:      ", Describe(response.permissionship()));
      if (response.permissionship() ==
          v1::CheckPermissionResponse::PERMISSIONSHIP_CONDITIONAL_PERMISSION) {
        absl::StrAppend(
            &detail, ", missing context: ",
            absl::StrJoin(response.partial_caveat_info().missing_required_context(), ", "));
      }
      absl::StrAppend(&detail, "\n");
      report->Failure(
          assertion.location,
          absl::StrCat(AssertionKindName(assertion.kind), " failed: `", assertion.text, "`"),
          detail);
    }
  }
}

void RunValidation(const Connection& connection, const ValidationFile& file, Report* report) {
  MembershipResolver resolver(connection);
  for (const ExpectedRelation& expected : file.validation) {
    std::set<std::string> types;
    for (const ExpectedSubjectLine& line : expected.subjects) {
      if (line.has_subject && line.subject.subject.relation.empty()) {
        types.insert(line.subject.subject.object.type);
      }
    }
    absl::StatusOr<std::map<std::string, FoundSubject>> found =
        resolver.Resolve(expected.resource, expected.relation, types);
    if (!found.ok()) {
      report->Error(expected.location, found.status().message());
      continue;
    }
    std::set<std::string> encountered;
    for (const ExpectedSubjectLine& line : expected.subjects) {
      const std::string prefix = absl::StrCat("`", expected.text, "`: ");
      if (!line.has_subject) {
        report->Failure(line.location,
                        absl::StrCat(prefix, "no expected subject in `", line.text, "`"));
        continue;
      }
      const std::string subject = FormatSubject(line.subject.subject);
      encountered.insert(subject);
      auto it = found->find(subject);
      if (it == found->end()) {
        report->Failure(line.location,
                        absl::StrCat(prefix, "missing expected subject `", subject, "`"));
        continue;
      }
      const FoundSubject& got = it->second;
      std::set<std::string> want(line.relationships.begin(), line.relationships.end());
      if (want != got.relationships) {
        report->Failure(line.location,
                        absl::StrCat(prefix, "different relationships for subject `", subject, "`"),
                        absl::StrCat("  expected: ", Wrapped(want),
                                     "\n  got:      ", Wrapped(got.relationships), "\n"));
      }
      std::vector<std::string> want_exclusions;
      for (const ExpectedSubject::Exception& e : line.subject.exceptions) {
        want_exclusions.push_back(
            absl::StrCat(FormatSubject(e.subject), e.caveated ? "[...]" : ""));
      }
      std::sort(want_exclusions.begin(), want_exclusions.end());
      if (want_exclusions != got.exclusions) {
        report->Failure(
            line.location, absl::StrCat(prefix, "different excluded subjects for `", subject, "`"),
            absl::StrCat("  expected: {", absl::StrJoin(want_exclusions, ", "), "}\n  got:      {",
                         absl::StrJoin(got.exclusions, ", "), "}\n"));
      }
      if (got.caveated != line.subject.caveated) {
        report->Failure(
            line.location, absl::StrCat(prefix, "caveat mismatch for `", subject, "`"),
            absl::StrCat("  expected: ", line.subject.caveated ? "caveated" : "not caveated",
                         "\n  got:      ", got.caveated ? "caveated" : "not caveated", "\n"));
      }
    }
    for (const auto& [subject, unused] : *found) {
      if (!encountered.count(subject)) {
        report->Failure(expected.location,
                        absl::StrCat("`", expected.text, "`: subject `", subject,
                                     "` found but missing from the expected subjects"));
      }
    }
  }
}

// The parsed file as JSON, for tools that replay it elsewhere (verify_with_spicedb.mjs).
std::string ParsedAsJson(const ValidationFile& file) {
  nlohmann::json out;
  out["schema"] = file.schema;
  out["relationships"] = nlohmann::json::array();
  for (const RelationshipEntry& entry : file.relationships) {
    const RelationshipText& r = entry.relationship;
    nlohmann::json item = {
        {"text", entry.text},
        {"line", entry.location.line},
        {"column", entry.location.column},
        {"resource", FormatObject(r.resource)},
        {"relation", r.relation},
        {"subject", FormatSubject(r.subject)},
        {"caveat", r.caveat_name},
        {"context", r.caveat_context.empty() ? nlohmann::json(nullptr)
                                             : nlohmann::json::parse(r.caveat_context)},
    };
    if (r.expiration.has_value()) {
      item["expiresAtSeconds"] = absl::ToUnixSeconds(*r.expiration);
    }
    out["relationships"].push_back(item);
  }
  out["assertions"] = nlohmann::json::array();
  for (const Assertion& a : file.assertions) {
    out["assertions"].push_back({
        {"kind", std::string(AssertionKindName(a.kind))},
        {"text", a.text},
        {"line", a.location.line},
        {"column", a.location.column},
        {"resource", FormatObject(a.resource)},
        {"permission", a.permission},
        {"subject", FormatSubject(a.subject)},
        {"context", a.context.empty() ? nlohmann::json(nullptr) : nlohmann::json::parse(a.context)},
    });
  }
  out["validation"] = nlohmann::json::array();
  for (const ExpectedRelation& relation : file.validation) {
    nlohmann::json subjects = nlohmann::json::array();
    for (const ExpectedSubjectLine& line : relation.subjects) {
      nlohmann::json exceptions = nlohmann::json::array();
      for (const ExpectedSubject::Exception& e : line.subject.exceptions) {
        exceptions.push_back(absl::StrCat(FormatSubject(e.subject), e.caveated ? "[...]" : ""));
      }
      subjects.push_back({{"text", line.text},
                          {"line", line.location.line},
                          {"column", line.location.column},
                          {"subject", FormatSubject(line.subject.subject)},
                          {"caveated", line.subject.caveated},
                          {"exceptions", exceptions},
                          {"relationships", line.relationships}});
    }
    out["validation"].push_back({{"key", relation.text},
                                 {"resource", FormatObject(relation.resource)},
                                 {"relation", relation.relation},
                                 {"line", relation.location.line},
                                 {"column", relation.location.column},
                                 {"subjects", subjects}});
  }
  return out.dump(2);
}

struct ValidateArgs {
  std::vector<std::string> files;
  bool print_parsed = false;
  bool assertions_only = false;
};

int ValidateOne(const ConnectionOptions& options, const std::string& path,
                const ValidateArgs& args) {
  const bool print_parsed = args.print_parsed;
  absl::StatusOr<ValidationFile> file = LoadValidationFile(path);
  if (!file.ok()) {
    PrintError(file.status().message());
    return kExitError;
  }
  if (print_parsed) {
    std::cout << ParsedAsJson(*file) << "\n";
    return kExitOk;
  }
  absl::StatusOr<Connection> connection = Connection::Open(options);
  if (!connection.ok()) {
    PrintError(connection.status().message());
    return kExitError;
  }
  Report report(path);
  if (!WriteSchema(*connection, *file, &report) ||
      !WriteRelationships(*connection, *file, &report)) {
    return kExitError;
  }
  RunAssertions(*connection, *file, &report);
  if (!args.assertions_only) RunValidation(*connection, *file, &report);
  if (report.errors() > 0) {
    std::cout << path << ": " << report.failures() << " failed, " << report.errors() << " errors\n";
    return kExitError;
  }
  if (report.failures() > 0) {
    std::cout << path << ": " << report.failures() << " failed\n";
    return kExitDenied;
  }
  std::cout << path << ": Success! - " << file->relationships.size() << " relationships loaded, "
            << file->assertions.size() << " assertions run, "
            << (args.assertions_only ? 0 : file->validation.size())
            << " expected relations validated\n";
  return kExitOk;
}

}  // namespace

void AddValidateCommand(CLI::App& app, const ConnectionOptions& options, int* exit_code) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Load zed-style validation files into the server and check their assertions and expected "
      "relations; exit 0 all pass, 1 failures, 2 errors. Each file is written into the "
      "datastore the token reaches: use `rebacd serve-testing` and a fresh token per file");
  cmd->add_option("files", args->files, "Validation YAML files")->required();
  cmd->add_flag("--print-parsed", args->print_parsed,
                "Print each parsed file as JSON instead of running it (no server needed)");
  cmd->add_flag("--assertions-only", args->assertions_only,
                "Run the assertions but not the `validation` (expected relations) sections");
  cmd->callback([&options, exit_code, args] {
    int worst = kExitOk;
    for (const std::string& path : args->files) {
      worst = std::max(worst, ValidateOne(options, path, *args));
    }
    *exit_code = worst;
  });
}

}  // namespace rebac::cli
