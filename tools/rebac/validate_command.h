// `rebac validate FILE...`: runs `zed validate`-style files (validation_file.h) against a
// server. For each file it writes the schema and TOUCHes the relationships, runs every
// assertion as a fully consistent CheckPermission (with the ` with {...}` context), and checks
// each `validation` entry: the subjects found by recursively expanding the relation
// (ExpandPermissionTree, following subject sets), their caveats and wildcard exclusions (from
// LookupSubjects), and the relations that list each subject (`is <document:1#viewer>`).
//
// The file's data is written into whatever the token reaches: run it against
// `rebacd serve-testing` with a fresh random token per file so each file starts empty.
//
// Every failure is printed as FILE:LINE:COL with what was expected and what the server
// answered. Exit status: 0 all passed, 1 some assertion or validation failed, 2 an error (bad
// file, refused schema or relationship, failed RPC).
#ifndef REBACD_TOOLS_REBAC_VALIDATE_COMMAND_H_
#define REBACD_TOOLS_REBAC_VALIDATE_COMMAND_H_

#include "CLI/CLI.hpp"
#include "tools/rebac/connection.h"

namespace rebac::cli {

// Adds the `validate` command under `app`. It reads `options` when it runs and stores its exit
// status in `*exit_code`.
void AddValidateCommand(CLI::App& app, const ConnectionOptions& options, int* exit_code);

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_VALIDATE_COMMAND_H_
