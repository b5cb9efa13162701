// What expand and the lookups share at their edges: the checks of a request's names against the
// schema (with SpiceDB's statuses, reasons and messages) and SpiceDB's max-depth error.
//
// Pure functions; safe from any thread.
#ifndef REBACD_GRAPH_REQUEST_CHECKS_H_
#define REBACD_GRAPH_REQUEST_CHECKS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "schema/compiled_schema.h"

namespace rebac::graph {

// OK when `type` is a definition and `relation` one of its relations or permissions. A
// `relation` of "" (the ellipsis) is accepted only when `allow_ellipsis`. Otherwise
// FAILED_PRECONDITION with ERROR_REASON_UNKNOWN_DEFINITION or
// ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION, worded as CheckPermission words them.
absl::Status CheckObjectRelation(const schema::CompiledSchema& schema, absl::string_view type,
                                 absl::string_view relation, bool allow_ellipsis);

// FAILED_PRECONDITION with ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED and the message SpiceDB's
// LookupResources, LookupSubjects and ExpandPermissionTree answer with when a walk runs out of
// depth (recursive data or a chain deeper than the limit).
absl::Status MaxDepthExceeded(int max_depth);

// Whether `status` is the error MaxDepthExceeded() or the Checker's depth error makes.
bool IsMaxDepthExceeded(const absl::Status& status);

}  // namespace rebac::graph

#endif  // REBACD_GRAPH_REQUEST_CHECKS_H_
