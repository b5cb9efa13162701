// Conversion of caveat context, as clients send it (JSON-like values: what a
// google.protobuf.Struct holds), into the declared parameter types, with SpiceDB's rules and
// messages (pkg/caveats/types in SpiceDB):
//   int, uint, double  a number, or a string holding one; int and uint must be integral, uint
//                      non-negative ("a int value is required, but found numeric value `1.5`")
//   bool, string       exactly that kind
//   bytes              a base64 (standard alphabet) string
//   duration           a Go duration string ("1h30m")
//   timestamp          an RFC 3339 string
//   ipaddress          an IPv4 or IPv6 address string
//   list<T>, map<T>    a list / a struct, each element converted as T
//   any                the value as it is
// Values already of the target kind (e.g. from a previous conversion) pass through.
#ifndef REBACD_SCHEMA_CAVEATS_CONVERT_H_
#define REBACD_SCHEMA_CAVEATS_CONVERT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "schema/caveats/expression.h"
#include "schema/caveats/value.h"

namespace rebac::schema::caveats {

// Converts one value to `type`. Errors are kInvalidArgument with SpiceDB's wording.
absl::StatusOr<Value> ConvertParameter(const ParameterType& type, const Value& value);

enum class UnknownParameters {
  kSkip,   // ignore context keys that are not parameters (evaluation: SpiceDB's default)
  kError,  // refuse them: "unknown parameter `x`" (writing relationships)
};

// Converts every context entry whose key is a parameter; the error names the parameter:
// "could not convert context parameter `x`: ...", and so does `*failed_parameter` when given
// (SpiceDB puts it in the error's metadata).
absl::StatusOr<Context> ConvertContext(const std::vector<Parameter>& parameters,
                                       const ValueMap& context, UnknownParameters unknown,
                                       std::string* failed_parameter = nullptr);

}  // namespace rebac::schema::caveats

#endif  // REBACD_SCHEMA_CAVEATS_CONVERT_H_
