#include "tools/rebac/schema_diff_command.h"

#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "schema/compiler.h"
#include "tools/rebac/errors.h"
#include "tools/rebac/exit_codes.h"
#include "tools/rebac/input_file.h"

namespace rebac::cli {
namespace {

// SpiceDB's nsdiff.DeltaType strings.
const char* DeltaTypeName(schema::DefinitionDelta::Kind kind) {
  using K = schema::DefinitionDelta::Kind;
  switch (kind) {
    case K::kCommentsChanged:
      return "namespace-comments-changed";
    case K::kRelationAdded:
      return "added-relation";
    case K::kRelationRemoved:
      return "removed-relation";
    case K::kPermissionAdded:
      return "added-permission";
    case K::kPermissionRemoved:
      return "removed-permission";
    case K::kPermissionExprChanged:
      return "changed-permission-implementation";
    case K::kPermissionCommentChanged:
      return "changed-permission-comment";
    case K::kRelationCommentChanged:
      return "changed-relation-comment";
    case K::kAllowedTypeAdded:
      return "relation-allowed-type-added";
    case K::kAllowedTypeRemoved:
      return "relation-allowed-type-removed";
  }
  return "unknown";
}

// Reads and compiles one schema file; prints the error and returns nullptr when it cannot.
std::shared_ptr<const schema::CompiledSchema> Load(const std::string& path) {
  absl::StatusOr<std::string> text = ReadInput(path);
  if (!text.ok()) {
    PrintError(text.status().message());
    return nullptr;
  }
  schema::CompileResult compiled = schema::Compile(*text);
  if (!compiled.ok()) {
    PrintError(absl::StrCat(path, ": ", compiled.error().ToString()));
    return nullptr;
  }
  return compiled.schema();
}

int RunSchemaDiff(const std::string& before_path, const std::string& after_path) {
  std::shared_ptr<const schema::CompiledSchema> before = Load(before_path);
  if (before == nullptr) return kExitError;
  std::shared_ptr<const schema::CompiledSchema> after = Load(after_path);
  if (after == nullptr) return kExitError;
  std::cout << RenderSchemaDiff(schema::DiffSchemas(*before, *after));
  return kExitOk;
}

}  // namespace

std::string RenderSchemaDiff(const schema::SchemaDiff& diff) {
  std::string out;
  for (const std::string& name : diff.added_definitions) {
    absl::StrAppend(&out, "Added definition: ", name, "\n");
  }
  for (const std::string& name : diff.removed_definitions) {
    absl::StrAppend(&out, "Removed definition: ", name, "\n");
  }
  for (const schema::DefinitionDiff& changed : diff.changed_definitions) {
    absl::StrAppend(&out, "Changed definition: ", changed.name, "\n");
    for (const schema::DefinitionDelta& delta : changed.deltas) {
      absl::StrAppend(&out, "\t ", DeltaTypeName(delta.kind), ": ", delta.relation, "\n");
    }
  }
  for (const std::string& name : diff.added_caveats) {
    absl::StrAppend(&out, "Added caveat: ", name, "\n");
  }
  for (const std::string& name : diff.removed_caveats) {
    absl::StrAppend(&out, "Removed caveat: ", name, "\n");
  }
  return out;
}

void AddSchemaDiffCommand(CLI::App& schema_group, int* exit_code) {
  CLI::App* diff = schema_group.add_subcommand(
      "diff", "Print the differences between two schema files (compiled locally)");
  auto before = std::make_shared<std::string>();
  auto after = std::make_shared<std::string>();
  diff->add_option("before", *before, "The schema before the change (.zed file)")->required();
  diff->add_option("after", *after, "The schema after the change (.zed file)")->required();
  diff->callback([exit_code, before, after] { *exit_code = RunSchemaDiff(*before, *after); });
}

}  // namespace rebac::cli
