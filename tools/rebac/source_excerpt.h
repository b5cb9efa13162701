// Pointing at a place in a source file: finding the line and column a server error names, and
// rendering that line with a caret under the column, as compilers do.
#ifndef REBACD_TOOLS_REBAC_SOURCE_EXCERPT_H_
#define REBACD_TOOLS_REBAC_SOURCE_EXCERPT_H_

#include <map>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace rebac::cli {

struct SourcePosition {
  int line = 0;    // 1-based
  int column = 0;  // 1-based

  bool operator==(const SourcePosition&) const = default;
};

// The position of a schema error: from the message's "line L, column C" (1-based, as SpiceDB
// words it), else from SpiceDB's ErrorInfo metadata `start_line_number` and
// `start_column_position` (0-based, per the authzed.api.v1 ErrorReason documentation).
std::optional<SourcePosition> FindErrorPosition(absl::string_view message,
                                                const std::map<std::string, std::string>& metadata);

// "  --> NAME:L:C\n   L | <the line>\n     |     ^\n", or just the first line when `source`
// has no such line. Tabs in the line are kept in the caret line so the caret stays aligned.
std::string RenderExcerpt(absl::string_view source, absl::string_view name,
                          SourcePosition position);

// "  <text>\n  <spaces>^\n": a one-line input with a caret under `column` (1-based).
std::string RenderCaret(absl::string_view text, int column);

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_SOURCE_EXCERPT_H_
