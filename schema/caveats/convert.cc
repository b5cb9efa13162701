#include "schema/caveats/convert.h"

#include <cmath>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "schema/caveats/builtins.h"
#include "schema/caveats/format.h"

namespace rebac::schema::caveats {
namespace {

using VK = Value::Kind;
using TK = Type::Kind;

// Go's %T for the values encoding/json and structpb produce, since SpiceDB's messages use it.
std::string GoTypeName(const Value& v) {
  switch (v.kind()) {
    case VK::kNull:
      return "<nil>";
    case VK::kBool:
      return "bool";
    case VK::kInt:
      return "int64";
    case VK::kUint:
      return "uint64";
    case VK::kDouble:
      return "float64";
    case VK::kString:
      return "string";
    case VK::kList:
      return "[]interface {}";
    case VK::kMap:
      return "map[string]interface {}";
    default:
      return std::string(v.TypeName());
  }
}

// Go's %v for the same values.
std::string GoValueString(const Value& v) {
  switch (v.kind()) {
    case VK::kNull:
      return "<nil>";
    case VK::kBool:
      return v.bool_value() ? "true" : "false";
    case VK::kInt:
      return absl::StrCat(v.int_value());
    case VK::kUint:
      return absl::StrCat(v.uint_value());
    case VK::kDouble:
      return FormatDouble(v.double_value(), 21);
    case VK::kString:
      return v.string_value();
    case VK::kList: {
      std::vector<std::string> items;
      for (const Value& item : v.list()) items.push_back(GoValueString(item));
      return absl::StrCat("[", absl::StrJoin(items, " "), "]");
    }
    case VK::kMap: {
      std::vector<std::string> items;
      for (const auto& [key, item] : v.map())
        items.push_back(absl::StrCat(key, ":", GoValueString(item)));
      return absl::StrCat("map[", absl::StrJoin(items, " "), "]");
    }
    default:
      return v.DebugString();
  }
}

absl::Status Required(absl::string_view go_type, const Value& v) {
  return absl::InvalidArgumentError(absl::StrCat("a ", go_type, " value is required, but found ",
                                                 GoTypeName(v), " `", GoValueString(v), "`"));
}

// SpiceDB's convertNumericType: numbers and numeric strings, integral for int and uint.
absl::StatusOr<Value> ConvertNumber(TK kind, const Value& v) {
  const absl::string_view go_type = kind == TK::kInt    ? "int64"
                                    : kind == TK::kUint ? "uint64"
                                                        : "float64";
  if (kind == TK::kInt && v.kind() == VK::kInt) return v;
  if (kind == TK::kUint && v.kind() == VK::kUint) return v;
  if (kind == TK::kDouble && v.kind() == VK::kDouble) return v;
  double number = 0;
  if (v.kind() == VK::kDouble) {
    number = v.double_value();
  } else if (v.kind() == VK::kInt) {
    number = static_cast<double>(v.int_value());
  } else if (v.kind() == VK::kUint) {
    number = static_cast<double>(v.uint_value());
  } else if (v.kind() == VK::kString) {
    if (!absl::SimpleAtod(v.string_value(), &number) || std::isnan(number)) {
      return absl::InvalidArgumentError(absl::StrCat("a ", go_type,
                                                     " value is required, but found invalid "
                                                     "string value `",
                                                     v.string_value(), "`"));
    }
  } else {
    return Required(go_type, v);
  }
  if (kind == TK::kDouble) return Value::Double(number);
  const absl::string_view name = kind == TK::kInt ? "int" : "uint";
  if (std::isinf(number) || number != std::trunc(number)) {
    return absl::InvalidArgumentError(absl::StrCat("a ", name,
                                                   " value is required, but found numeric value `",
                                                   FormatDouble(number, 21), "`"));
  }
  // Like Go's big.Float.Int64(), out-of-range values saturate.
  int64_t integral = number >= 9223372036854775807.0    ? INT64_MAX
                     : number <= -9223372036854775808.0 ? INT64_MIN
                                                        : static_cast<int64_t>(number);
  if (kind == TK::kInt) return Value::Int(integral);
  if (integral < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a uint value is required, but found int64 value `", FormatDouble(number, 21), "`"));
  }
  return Value::Int(integral);  // a uint parameter is a CEL int (see types.h)
}

// SpiceDB's name of a parameter type (VariableType.String()): "int", "list<uint>", "any".
std::string SpiceDbTypeName(const Type& type) {
  switch (type.kind) {
    case TK::kDyn:
      return "any";
    case TK::kNull:
      return "null";
    case TK::kBool:
      return "bool";
    case TK::kInt:
      return "int";
    case TK::kUint:
      return "uint";
    case TK::kDouble:
      return "double";
    case TK::kString:
      return "string";
    case TK::kBytes:
      return "bytes";
    case TK::kDuration:
      return "duration";
    case TK::kTimestamp:
      return "timestamp";
    case TK::kIpAddress:
      return "ipaddress";
    case TK::kList:
      return absl::StrCat("list<", SpiceDbTypeName(type.Element()), ">");
    case TK::kMap:
      return absl::StrCat("map<", SpiceDbTypeName(type.Element()), ">");
  }
  return "unknown";
}

absl::StatusOr<Value> ConvertUnprefixed(const Type& type, const Value& v, int depth);

// As SpiceDB's VariableType.ConvertValue, every level names its type: "for list<uint>: found an
// invalid value for item at index 0: for uint: ...".
absl::StatusOr<Value> Convert(const Type& type, const Value& v, int depth) {
  absl::StatusOr<Value> converted = ConvertUnprefixed(type, v, depth);
  if (converted.ok()) return converted;
  return absl::InvalidArgumentError(
      absl::StrCat("for ", SpiceDbTypeName(type), ": ", converted.status().message()));
}

absl::StatusOr<Value> ConvertUnprefixed(const Type& type, const Value& v, int depth) {
  if (depth > 100) return absl::InvalidArgumentError("value nested too deeply");
  switch (type.kind) {
    case TK::kDyn:
      return v;
    case TK::kBool:
      if (v.kind() != VK::kBool) return Required("bool", v);
      return v;
    case TK::kString:
      if (v.kind() != VK::kString) return Required("string", v);
      return v;
    case TK::kInt:
    case TK::kUint:
    case TK::kDouble:
      return ConvertNumber(type.kind, v);
    case TK::kBytes: {
      if (v.kind() == VK::kBytes) return v;
      if (v.kind() != VK::kString) {
        return absl::InvalidArgumentError(
            absl::StrCat("bytes requires a base64 unicode string, found: ", GoTypeName(v), " `",
                         GoValueString(v), "`"));
      }
      std::string decoded;
      if (!absl::Base64Unescape(v.string_value(), &decoded)) {
        return absl::InvalidArgumentError(
            "bytes requires a base64 encoded string: illegal base64 data");
      }
      return Value::Bytes(std::move(decoded));
    }
    case TK::kDuration: {
      if (v.kind() == VK::kDuration) return v;
      if (v.kind() != VK::kString) {
        return absl::InvalidArgumentError(
            absl::StrCat("durations requires a duration string, found: ", GoTypeName(v)));
      }
      absl::StatusOr<absl::Duration> d = internal::ParseGoDuration(v.string_value());
      if (!d.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "could not parse duration string `", v.string_value(), "`: ", d.status().message()));
      }
      return Value::Duration(*d);
    }
    case TK::kTimestamp: {
      if (v.kind() == VK::kTimestamp) return v;
      if (v.kind() != VK::kString) {
        return absl::InvalidArgumentError(absl::StrCat(
            "timestamps requires a RFC 3339 formatted timestamp string, found: ", GoTypeName(v),
            " `", GoValueString(v), "`"));
      }
      absl::StatusOr<absl::Time> t = internal::ParseRfc3339(v.string_value());
      if (!t.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("could not parse RFC 3339 formatted timestamp string `", v.string_value(),
                         "`: ", t.status().message()));
      }
      return Value::Timestamp(*t);
    }
    case TK::kIpAddress: {
      if (v.kind() == VK::kIpAddress) return v;
      if (v.kind() != VK::kString) {
        return absl::InvalidArgumentError(
            absl::StrCat("ipaddress requires an ipaddress string, found: ", GoTypeName(v), " `",
                         GoValueString(v), "`"));
      }
      IpAddress ip;
      if (!IpAddress::Parse(v.string_value(), &ip)) {
        return absl::InvalidArgumentError(
            absl::StrCat("could not parse ip address string `", v.string_value(), "`: ParseAddr(",
                         QuoteString(v.string_value()), "): unable to parse IP"));
      }
      return Value::Ip(ip);
    }
    case TK::kList: {
      if (v.kind() != VK::kList) {
        return absl::InvalidArgumentError(
            absl::StrCat("list requires a list, found: ", GoTypeName(v)));
      }
      ValueList converted;
      converted.reserve(v.list().size());
      for (size_t i = 0; i < v.list().size(); ++i) {
        absl::StatusOr<Value> item = Convert(type.Element(), v.list()[i], depth + 1);
        if (!item.ok()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "found an invalid value for item at index ", i, ": ", item.status().message()));
        }
        converted.push_back(*std::move(item));
      }
      return Value::List(std::move(converted));
    }
    case TK::kMap: {
      if (v.kind() != VK::kMap) {
        return absl::InvalidArgumentError(
            absl::StrCat("map requires a map, found: ", GoTypeName(v)));
      }
      ValueMap converted;
      for (const auto& [key, item] : v.map()) {
        absl::StatusOr<Value> value = Convert(type.Element(), item, depth + 1);
        if (!value.ok()) {
          return absl::InvalidArgumentError(absl::StrCat("found an invalid value for key `", key,
                                                         "`: ", value.status().message()));
        }
        converted.emplace(key, *std::move(value));
      }
      return Value::Map(std::move(converted));
    }
    case TK::kNull:
      break;
  }
  return absl::InvalidArgumentError("unsupported parameter type");
}

}  // namespace

absl::StatusOr<Value> ConvertParameter(const ParameterType& type, const Value& value) {
  return Convert(type.declared, value, 0);
}

absl::StatusOr<Context> ConvertContext(const std::vector<Parameter>& parameters,
                                       const ValueMap& context, UnknownParameters unknown,
                                       std::string* failed_parameter) {
  Context converted;
  for (const auto& [key, value] : context) {
    const Parameter* parameter = nullptr;
    for (const Parameter& candidate : parameters) {
      if (candidate.name == key) parameter = &candidate;
    }
    if (parameter == nullptr) {
      if (unknown == UnknownParameters::kError) {
        return absl::InvalidArgumentError(absl::StrCat("unknown parameter `", key, "`"));
      }
      continue;
    }
    absl::StatusOr<Value> result = ConvertParameter(parameter->type, value);
    if (!result.ok()) {
      if (failed_parameter != nullptr) *failed_parameter = key;
      return absl::InvalidArgumentError(absl::StrCat("could not convert context parameter `", key,
                                                     "`: ", result.status().message()));
    }
    converted.emplace(key, *std::move(result));
  }
  return converted;
}

}  // namespace rebac::schema::caveats
