// rebac: the admin CLI of rebacd, a small zed for the authzed.api.v1 gRPC API.
//
//   rebac [--endpoint HOST:PORT] [--token KEY] [--insecure] [--ca-path FILE] [--timeout S]
//         schema write FILE|- | schema read
//         relationship create|touch|delete REL... | relationship read TYPE[:ID] [REL] [SUBJECT]
//         permission check RESOURCE PERMISSION SUBJECT [--explain]
//         permission expand RESOURCE PERMISSION
//         permission lookup-resources TYPE PERMISSION SUBJECT
//         permission lookup-subjects RESOURCE PERMISSION SUBJECT_TYPE[#REL]
//         validate FILE.yaml...
//         backup create FILE | backup restore FILE [--conflict-strategy fail|skip|touch]
//         version
//
// Exit status: 0 success (check: allowed), 1 check denied, 3 check conditional, 2 any error.
#include <exception>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "tools/rebac/backup_commands.h"
#include "tools/rebac/connection.h"
#include "tools/rebac/errors.h"
#include "tools/rebac/exit_codes.h"
#include "tools/rebac/permission_commands.h"
#include "tools/rebac/relationship_commands.h"
#include "tools/rebac/schema_commands.h"
#include "tools/rebac/schema_diff_command.h"
#include "tools/rebac/validate_command.h"

#ifndef REBAC_CLI_VERSION
#define REBAC_CLI_VERSION "dev"
#endif

namespace rebac::cli {
namespace {

void AddGlobalOptions(CLI::App& app, ConnectionOptions* options) {
  // Given twice, the last value wins (e.g. a wrapper's default, then the caller's choice).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--endpoint", options->endpoint, "rebacd gRPC address HOST:PORT")
      ->envname("REBAC_ENDPOINT")
      ->capture_default_str();
  app.add_option("--token", options->token, "Preshared key, sent as `authorization: Bearer KEY`")
      ->envname("REBAC_TOKEN");
  app.add_flag("--insecure", options->insecure, "Plaintext connection (no TLS)");
  app.add_option("--ca-path", options->ca_path, "PEM file of TLS root certificates")
      ->check(CLI::ExistingFile);
  app.add_option("--timeout", options->timeout_seconds, "Per-request timeout in seconds (0: none)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            double seconds = 0;
            if (absl::SimpleAtod(text, &seconds) && seconds >= 0) return "";
            return "want a number of seconds, 0 or more";
          },
          "SECONDS"))
      ->capture_default_str();
}

int Run(int argc, char** argv) {
  SilenceGrpcLogging();
  CLI::App app("rebac: the admin CLI of rebacd (SpiceDB-compatible authorization server)", "rebac");
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the command

  ConnectionOptions options;
  int exit_code = kExitOk;
  AddGlobalOptions(app, &options);
  AddSchemaCommands(app, options, &exit_code);
  AddSchemaDiffCommand(*app.get_subcommand("schema"), &exit_code);
  AddRelationshipCommands(app, options, &exit_code);
  AddPermissionCommands(app, options, &exit_code);
  AddValidateCommand(app, options, &exit_code);
  AddBackupCommands(app, options, &exit_code);
  app.add_subcommand("version", "Print the version of rebac")->callback([] {
    std::cout << "rebac " << REBAC_CLI_VERSION << "\n";
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int status = app.exit(e);  // prints help, or the usage error, as CLI11 formats it
    return status == 0 ? kExitOk : kExitError;
  }
  return exit_code;
}

}  // namespace
}  // namespace rebac::cli

int main(int argc, char** argv) {
  try {
    return rebac::cli::Run(argc, argv);
  } catch (const std::exception& e) {
    rebac::cli::PrintError(e.what());
  } catch (...) {
    rebac::cli::PrintError("unexpected failure");
  }
  return rebac::cli::kExitError;
}
