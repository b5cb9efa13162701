// Small pieces every service implementation shares.
#ifndef REBACD_API_SERVICE_SUPPORT_H_
#define REBACD_API_SERVICE_SUPPORT_H_

#include "absl/status/status.h"

// Returns the status of `expr` from the enclosing function when it is not OK.
#define REBAC_RETURN_IF_ERROR(expr)                    \
  do {                                                 \
    if (absl::Status _s = (expr); !_s.ok()) return _s; \
  } while (0)

#endif  // REBACD_API_SERVICE_SUPPORT_H_
