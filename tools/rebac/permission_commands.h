// `rebac permission check RESOURCE PERMISSION SUBJECT`: prints true, false or
// "conditional (missing: ...)" and exits 0, 1 or 3 accordingly (2 on errors).
#ifndef REBACD_TOOLS_REBAC_PERMISSION_COMMANDS_H_
#define REBACD_TOOLS_REBAC_PERMISSION_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "tools/rebac/connection.h"

namespace rebac::cli {

// Adds the `permission` command group under `app`. The commands read `options` when they run
// and store their exit status in `*exit_code`.
void AddPermissionCommands(CLI::App& app, const ConnectionOptions& options, int* exit_code);

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_PERMISSION_COMMANDS_H_
