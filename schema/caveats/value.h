// Run-time values of the caveat expression language, and the context a caveat is evaluated in.
//
// A Value is also how callers hand in context: the JSON-like kinds (null, bool, double, string,
// list, map) are what a google.protobuf.Struct holds, and ConvertParameter() (convert.h) turns
// those into the declared parameter types. Values are cheap to copy: lists and maps are shared,
// immutable.
#ifndef REBACD_SCHEMA_CAVEATS_VALUE_H_
#define REBACD_SCHEMA_CAVEATS_VALUE_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace rebac::schema::caveats {

// An IPv4 or IPv6 address. IPv4 addresses are kept as 4 bytes (not IPv4-mapped IPv6), as Go's
// netip does, so an IPv4 address is never inside an IPv6 prefix.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // first 4 used for IPv4

  // Parses "10.0.0.1" or "::1"; false when `text` is neither.
  static bool Parse(absl::string_view text, IpAddress* out);
  std::string ToString() const;
  // Whether this address lies in the prefix `cidr` ("10.0.0.0/8"); false with *valid = false
  // when `cidr` is not a prefix.
  bool InCidr(absl::string_view cidr, bool* valid) const;

  bool operator==(const IpAddress&) const = default;
};

class Value;
using ValueList = std::vector<Value>;
using ValueMap = std::map<std::string, Value>;  // ordered: printing and hashing are stable

class Value {
 public:
  enum class Kind {
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
    kList,
    kMap,
  };

  Value() = default;  // null
  static Value Bool(bool v);
  static Value Int(int64_t v);
  static Value Uint(uint64_t v);
  static Value Double(double v);
  static Value String(std::string v);
  static Value Bytes(std::string v);
  static Value Duration(absl::Duration v);
  static Value Timestamp(absl::Time v);
  static Value Ip(IpAddress v);
  static Value List(ValueList items);
  static Value Map(ValueMap entries);

  Kind kind() const { return kind_; }
  bool bool_value() const { return bool_; }
  int64_t int_value() const { return int_; }
  uint64_t uint_value() const { return uint_; }
  double double_value() const { return double_; }
  // kString and kBytes.
  const std::string& string_value() const { return string_; }
  absl::Duration duration_value() const { return duration_; }
  absl::Time timestamp_value() const { return time_; }
  const IpAddress& ip_value() const { return ip_; }
  const ValueList& list() const;
  const ValueMap& map() const;

  // CEL's name for the value's type ("int", "list", "google.protobuf.Timestamp"), for messages.
  absl::string_view TypeName() const;
  // A readable rendering (CEL literal syntax where there is one), for tests and messages.
  std::string DebugString() const;

 private:
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  int64_t int_ = 0;
  uint64_t uint_ = 0;
  double double_ = 0;
  std::string string_;
  absl::Duration duration_;
  absl::Time time_;
  IpAddress ip_;
  std::shared_ptr<const ValueList> list_;
  std::shared_ptr<const ValueMap> map_;
};

// CEL equality: numbers compare by value across int/uint/double, lists and maps element-wise,
// values of different kinds are unequal.
bool ValuesEqual(const Value& a, const Value& b);

// The values of a caveat's parameters for one evaluation, already in their declared types (see
// ConvertContext in convert.h). A parameter absent from the map is unknown.
using Context = absl::flat_hash_map<std::string, Value>;

}  // namespace rebac::schema::caveats

#endif  // REBACD_SCHEMA_CAVEATS_VALUE_H_
