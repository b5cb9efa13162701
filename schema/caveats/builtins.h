// The value-level pieces of CEL's standard library that are more than a line: ordering across
// kinds, type conversions (int(), string(), duration(), timestamp(), ipaddress(), ...),
// timestamp and duration arithmetic within CEL's ranges, and timestamp/duration accessors.
//
// Functions return kUnimplemented when no overload applies to the argument kinds (the caller
// reports "no such overload"), and kInvalidArgument with CEL's message for a run-time error.
#ifndef REBACD_SCHEMA_CAVEATS_BUILTINS_H_
#define REBACD_SCHEMA_CAVEATS_BUILTINS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "schema/caveats/value.h"

namespace rebac::schema::caveats::internal {

// Go's time.ParseDuration syntax ("1h30m", "-1.5s", "300ms"), within CEL's duration range.
absl::StatusOr<absl::Duration> ParseGoDuration(absl::string_view text);
// RFC 3339 ("2024-01-01T00:00:00Z", offsets and fractions allowed), within CEL's range.
absl::StatusOr<absl::Time> ParseRfc3339(absl::string_view text);
// Go's time.RFC3339Nano rendering in UTC: "2024-01-01T00:00:00.5Z".
std::string FormatRfc3339(absl::Time time);

// Orders two values of the same orderable kind, or two numbers of any numeric kinds.
// Returns false when they cannot be ordered.
bool CompareValues(const Value& x, const Value& y, int* order);

// `op` is '+' or '-': timestamp ± duration, duration ± duration, timestamp - timestamp.
absl::StatusOr<Value> TimeArithmetic(char op, const Value& x, const Value& y);

// A one-argument global function applied to `x`: int, uint, double, string, bytes, bool,
// duration, timestamp, ipaddress.
absl::StatusOr<Value> ConvertValue(absl::string_view function, const Value& x);

// getFullYear(), getHours(), ... on a timestamp (in UTC) or duration.
absl::StatusOr<Value> TimeAccessor(absl::string_view function, const Value& x);

}  // namespace rebac::schema::caveats::internal

#endif  // REBACD_SCHEMA_CAVEATS_BUILTINS_H_
