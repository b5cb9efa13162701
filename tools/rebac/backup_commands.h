// `rebac backup create FILE` and `rebac backup restore FILE`: the schema and every relationship
// of a store, as of one revision, to a file (backup_file.h) and back.
//
// create   ReadSchema, then ExportBulkRelationships at exactly the revision the schema was read
//          at, so the two match; resumes from the last cursor if the stream breaks.
// restore  Checks the whole file first (nothing is written for a damaged file), refuses a store
//          that already holds relationships unless --conflict-strategy says what to do, then
//          WriteSchema and ImportBulkRelationships in chunks of --batch-size relationships (one
//          import, one revision, per chunk; a chunk the server refuses as too large
//          (RESOURCE_EXHAUSTED) is halved and retried).
#ifndef REBACD_TOOLS_REBAC_BACKUP_COMMANDS_H_
#define REBACD_TOOLS_REBAC_BACKUP_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "tools/rebac/connection.h"

namespace rebac::cli {

// Adds the `backup` command group under `app`. The commands read `options` when they run and
// store their exit status in `*exit_code`.
void AddBackupCommands(CLI::App& app, const ConnectionOptions& options, int* exit_code);

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_BACKUP_COMMANDS_H_
