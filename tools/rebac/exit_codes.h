// The process exit statuses of rebac, in one place so every command agrees on them.
#ifndef REBACD_TOOLS_REBAC_EXIT_CODES_H_
#define REBACD_TOOLS_REBAC_EXIT_CODES_H_

namespace rebac::cli {

inline constexpr int kExitOk = 0;           // success; for `permission check`, allowed
inline constexpr int kExitDenied = 1;       // `permission check`: no permission
inline constexpr int kExitError = 2;        // bad usage, bad input, or a failed RPC
inline constexpr int kExitConditional = 3;  // `permission check`: caveat context is missing

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_EXIT_CODES_H_
