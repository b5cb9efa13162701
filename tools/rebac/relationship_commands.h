// `rebac relationship create|touch|delete REL...` and `rebac relationship read FILTER...`.
#ifndef REBACD_TOOLS_REBAC_RELATIONSHIP_COMMANDS_H_
#define REBACD_TOOLS_REBAC_RELATIONSHIP_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "tools/rebac/connection.h"

namespace rebac::cli {

// Adds the `relationship` command group under `app`. The commands read `options` when they run
// and store their exit status in `*exit_code`.
void AddRelationshipCommands(CLI::App& app, const ConnectionOptions& options, int* exit_code);

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_RELATIONSHIP_COMMANDS_H_
