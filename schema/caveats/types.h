// The types of the caveat expression language (a CEL subset): what a caveat parameter is
// declared as, and what the type checker assigns to each expression.
//
// Parameter types are SpiceDB's: int, uint, double, bool, string, bytes, duration, timestamp,
// ipaddress, any, list<T>, map<T> (string keys). As in SpiceDB, a `uint` parameter has the CEL
// type int (its values are checked to be non-negative on the way in), and `any` is CEL's dyn.
#ifndef REBACD_SCHEMA_CAVEATS_TYPES_H_
#define REBACD_SCHEMA_CAVEATS_TYPES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace rebac::schema::caveats {

struct Type {
  enum class Kind {
    kDyn,  // `any`: checked at run time
    kNull,
    kBool,
    kInt,
    kUint,
    kDouble,
    kString,
    kBytes,
    kDuration,
    kTimestamp,
    kIpAddress,
    kList,  // elements of *element
    kMap,   // string keys, values of *element
  };

  Kind kind = Kind::kDyn;
  std::shared_ptr<const Type> element;  // kList, kMap only

  static Type Of(Kind kind) { return Type{kind, nullptr}; }
  static Type List(Type element);
  static Type Map(Type value);

  bool IsDyn() const { return kind == Kind::kDyn; }
  // Element type of a list or value type of a map (dyn for anything else).
  const Type& Element() const;

  // CEL's spelling, used in checker messages: "int", "list(string)", "map(string, int)",
  // "google.protobuf.Timestamp", "IPAddress", "dyn".
  std::string CelName() const;

  bool operator==(const Type& other) const;
};

// A declared caveat parameter type, as SpiceDB spells it ("list<int>"), with SpiceDB's
// conversions (`uint` is kept as kUint here so values can be range-checked; the checker treats
// it as int).
struct ParameterType {
  std::string spelling;  // canonical: "map<list<int>>"
  Type declared;         // kUint stays kUint
  Type cel;              // what expressions see: kUint becomes kInt, recursively
};

// Parses a canonical spelling such as "int" or "map<list<string>>".
absl::StatusOr<ParameterType> ParseParameterType(absl::string_view spelling);

}  // namespace rebac::schema::caveats

#endif  // REBACD_SCHEMA_CAVEATS_TYPES_H_
