// The read-only permission queries beside `permission check`:
//
//   rebac permission expand RESOURCE PERMISSION            the one-level tree, as text
//   rebac permission lookup-resources TYPE PERMISSION SUBJECT    one resource id per line
//   rebac permission lookup-subjects RESOURCE PERMISSION TYPE[#REL]   one subject per line
//
// Each takes --consistency (see consistency.h); the lookups take --caveat-context JSON. A
// conditional result prints as `ID (caveated, missing context: a, b)`, a wildcard with
// exclusions as `user:* - {bob, carol}`. Exit 0 on success, 2 on any error.
#ifndef REBACD_TOOLS_REBAC_QUERY_COMMANDS_H_
#define REBACD_TOOLS_REBAC_QUERY_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "tools/rebac/connection.h"

namespace rebac::cli {

// Adds the commands to the `permission` group. They read `options` when they run and store
// their exit status in `*exit_code`.
void AddQueryCommands(CLI::App& permission_group, const ConnectionOptions& options, int* exit_code);

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_QUERY_COMMANDS_H_
