// Text renderings shared by the caveat printer, messages and Value::DebugString: Go's
// formatting of doubles and quoting of strings, since SpiceDB's output is produced by Go.
#ifndef REBACD_SCHEMA_CAVEATS_FORMAT_H_
#define REBACD_SCHEMA_CAVEATS_FORMAT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace rebac::schema::caveats {

// Go's strconv.FormatFloat(v, 'g', -1, 64) when exponent_threshold is 6 (the default, what the
// CEL unparser uses), or fmt's %v when it is 21: shortest digits that round-trip, exponent
// notation ("1e+06") below 1e-4 or from 10^threshold on.
std::string FormatDouble(double value, int exponent_threshold = 6);

// Go's strconv.Quote: double quotes, \" \\ \n \t etc., other control bytes and invalid UTF-8
// as \x.., printable UTF-8 as is.
std::string QuoteString(absl::string_view text);

// Length of the valid UTF-8 sequence starting at text[at], or 0 when the bytes there are not
// valid UTF-8 (overlong forms and surrogates included).
size_t Utf8SequenceLength(absl::string_view text, size_t at);

}  // namespace rebac::schema::caveats

#endif  // REBACD_SCHEMA_CAVEATS_FORMAT_H_
