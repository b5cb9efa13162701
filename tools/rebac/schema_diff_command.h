// `rebac schema diff BEFORE.zed AFTER.zed`: compiles both schema files locally (no server) and
// prints their differences as `zed schema diff` does:
//
//   Added definition: team
//   Removed definition: old
//   Changed definition: document
//   	 removed-relation: gone
//   	 relation-allowed-type-added: viewer
//   Added caveat: on_tuesday
//   Removed caveat: legacy
//
// Exit status 0 after printing (an empty diff prints nothing), 2 when a file cannot be read
// or does not compile.
#ifndef REBACD_TOOLS_REBAC_SCHEMA_DIFF_COMMAND_H_
#define REBACD_TOOLS_REBAC_SCHEMA_DIFF_COMMAND_H_

#include <string>

#include "CLI/CLI.hpp"
#include "schema/schema_diff.h"

namespace rebac::cli {

// Adds `diff` under the `schema` command group; it stores its exit status in `*exit_code`.
void AddSchemaDiffCommand(CLI::App& schema_group, int* exit_code);

// The lines `zed schema diff` prints for `diff`.
std::string RenderSchemaDiff(const schema::SchemaDiff& diff);

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_SCHEMA_DIFF_COMMAND_H_
