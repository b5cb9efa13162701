#include "schema/caveats/value.h"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "schema/caveats/format.h"

namespace rebac::schema::caveats {

bool IpAddress::Parse(absl::string_view text, IpAddress* out) {
  // inet_pton needs a terminated string; addresses are short, so bound the copy.
  if (text.empty() || text.size() > 64) return false;
  const std::string terminated(text);
  IpAddress parsed;
  if (terminated.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, terminated.c_str(), parsed.bytes.data()) != 1) return false;
  } else {
    if (inet_pton(AF_INET6, terminated.c_str(), parsed.bytes.data()) != 1) return false;
    parsed.v6 = true;
  }
  *out = parsed;
  return true;
}

std::string IpAddress::ToString() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buffer, sizeof(buffer));
  return buffer;
}

bool IpAddress::InCidr(absl::string_view cidr, bool* valid) const {
  *valid = false;
  const size_t slash = cidr.find('/');
  if (slash == absl::string_view::npos) return false;
  IpAddress network;
  if (!IpAddress::Parse(cidr.substr(0, slash), &network)) return false;
  const absl::string_view bits_text = cidr.substr(slash + 1);
  int bits = 0;
  if (bits_text.empty() || bits_text.size() > 3 || (bits_text.size() > 1 && bits_text[0] == '0') ||
      !absl::SimpleAtoi(bits_text, &bits) || bits < 0 || bits > (network.v6 ? 128 : 32)) {
    return false;
  }
  *valid = true;
  if (network.v6 != v6) return false;
  for (int i = 0; i < bits; ++i) {
    const uint8_t mask = static_cast<uint8_t>(0x80 >> (i % 8));
    if ((bytes[i / 8] & mask) != (network.bytes[i / 8] & mask)) return false;
  }
  return true;
}

Value Value::Bool(bool v) {
  Value out;
  out.kind_ = Kind::kBool;
  out.bool_ = v;
  return out;
}
Value Value::Int(int64_t v) {
  Value out;
  out.kind_ = Kind::kInt;
  out.int_ = v;
  return out;
}
Value Value::Uint(uint64_t v) {
  Value out;
  out.kind_ = Kind::kUint;
  out.uint_ = v;
  return out;
}
Value Value::Double(double v) {
  Value out;
  out.kind_ = Kind::kDouble;
  out.double_ = v;
  return out;
}
Value Value::String(std::string v) {
  Value out;
  out.kind_ = Kind::kString;
  out.string_ = std::move(v);
  return out;
}
Value Value::Bytes(std::string v) {
  Value out;
  out.kind_ = Kind::kBytes;
  out.string_ = std::move(v);
  return out;
}
Value Value::Duration(absl::Duration v) {
  Value out;
  out.kind_ = Kind::kDuration;
  out.duration_ = v;
  return out;
}
Value Value::Timestamp(absl::Time v) {
  Value out;
  out.kind_ = Kind::kTimestamp;
  out.time_ = v;
  return out;
}
Value Value::Ip(IpAddress v) {
  Value out;
  out.kind_ = Kind::kIpAddress;
  out.ip_ = v;
  return out;
}
Value Value::List(ValueList items) {
  Value out;
  out.kind_ = Kind::kList;
  out.list_ = std::make_shared<const ValueList>(std::move(items));
  return out;
}
Value Value::Map(ValueMap entries) {
  Value out;
  out.kind_ = Kind::kMap;
  out.map_ = std::make_shared<const ValueMap>(std::move(entries));
  return out;
}

const ValueList& Value::list() const {
  static const ValueList* const kEmpty = new ValueList();
  return list_ ? *list_ : *kEmpty;
}

const ValueMap& Value::map() const {
  static const ValueMap* const kEmpty = new ValueMap();
  return map_ ? *map_ : *kEmpty;
}

absl::string_view Value::TypeName() const {
  switch (kind_) {
    case Kind::kNull:
      return "null_type";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kUint:
      return "uint";
    case Kind::kDouble:
      return "double";
    case Kind::kString:
      return "string";
    case Kind::kBytes:
      return "bytes";
    case Kind::kDuration:
      return "google.protobuf.Duration";
    case Kind::kTimestamp:
      return "google.protobuf.Timestamp";
    case Kind::kIpAddress:
      return "IPAddress";
    case Kind::kList:
      return "list";
    case Kind::kMap:
      return "map";
  }
  return "dyn";
}

std::string Value::DebugString() const {
  switch (kind_) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return bool_ ? "true" : "false";
    case Kind::kInt:
      return absl::StrCat(int_);
    case Kind::kUint:
      return absl::StrCat(uint_, "u");
    case Kind::kDouble:
      return FormatDouble(double_);
    case Kind::kString:
      return QuoteString(string_);
    case Kind::kBytes:
      return absl::StrCat("b", QuoteString(string_));
    case Kind::kDuration:
      return absl::StrCat("duration(\"", absl::FormatDuration(duration_), "\")");
    case Kind::kTimestamp:
      return absl::StrCat("timestamp(\"",
                          absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time_, absl::UTCTimeZone()),
                          "\")");
    case Kind::kIpAddress:
      return absl::StrCat("ipaddress(\"", ip_.ToString(), "\")");
    case Kind::kList: {
      std::vector<std::string> items;
      for (const Value& item : list()) items.push_back(item.DebugString());
      return absl::StrCat("[", absl::StrJoin(items, ", "), "]");
    }
    case Kind::kMap: {
      std::vector<std::string> entries;
      for (const auto& [key, value] : map()) {
        entries.push_back(absl::StrCat(QuoteString(key), ": ", value.DebugString()));
      }
      return absl::StrCat("{", absl::StrJoin(entries, ", "), "}");
    }
  }
  return "";
}

namespace {

bool IsNumber(Value::Kind kind) {
  return kind == Value::Kind::kInt || kind == Value::Kind::kUint || kind == Value::Kind::kDouble;
}

// Numeric equality across int, uint and double without the precision loss of converting both
// sides to double.
bool NumbersEqual(const Value& a, const Value& b) {
  using K = Value::Kind;
  if (a.kind() == K::kDouble || b.kind() == K::kDouble) {
    const Value& d = a.kind() == K::kDouble ? a : b;
    const Value& o = a.kind() == K::kDouble ? b : a;
    if (o.kind() == K::kDouble) return a.double_value() == b.double_value();
    const double x = d.double_value();
    if (std::isnan(x) || x != std::trunc(x)) return false;
    if (o.kind() == K::kInt) {
      if (x < -9223372036854775808.0 || x >= 9223372036854775808.0) return false;
      return static_cast<int64_t>(x) == o.int_value();
    }
    if (x < 0 || x >= 18446744073709551616.0) return false;
    return static_cast<uint64_t>(x) == o.uint_value();
  }
  if (a.kind() == b.kind()) {
    return a.kind() == K::kInt ? a.int_value() == b.int_value() : a.uint_value() == b.uint_value();
  }
  const Value& i = a.kind() == K::kInt ? a : b;
  const Value& u = a.kind() == K::kInt ? b : a;
  return i.int_value() >= 0 && static_cast<uint64_t>(i.int_value()) == u.uint_value();
}

}  // namespace

bool ValuesEqual(const Value& a, const Value& b) {
  using K = Value::Kind;
  if (IsNumber(a.kind()) && IsNumber(b.kind())) return NumbersEqual(a, b);
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case K::kNull:
      return true;
    case K::kBool:
      return a.bool_value() == b.bool_value();
    case K::kString:
    case K::kBytes:
      return a.string_value() == b.string_value();
    case K::kDuration:
      return a.duration_value() == b.duration_value();
    case K::kTimestamp:
      return a.timestamp_value() == b.timestamp_value();
    case K::kIpAddress:
      return a.ip_value() == b.ip_value();
    case K::kList: {
      if (a.list().size() != b.list().size()) return false;
      for (size_t i = 0; i < a.list().size(); ++i) {
        if (!ValuesEqual(a.list()[i], b.list()[i])) return false;
      }
      return true;
    }
    case K::kMap: {
      if (a.map().size() != b.map().size()) return false;
      for (const auto& [key, value] : a.map()) {
        auto it = b.map().find(key);
        if (it == b.map().end() || !ValuesEqual(value, it->second)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

}  // namespace rebac::schema::caveats
