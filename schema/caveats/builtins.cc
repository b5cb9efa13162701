#include "schema/caveats/builtins.h"

#include <cmath>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "schema/caveats/format.h"

namespace rebac::schema::caveats::internal {
namespace {

using VK = Value::Kind;

// CEL's ranges: durations within ±10000 years, timestamps in years 1 to 9999.
constexpr int64_t kMaxDurationSeconds = 315'576'000'000;
constexpr int64_t kMinTimestampSeconds = -62'135'596'800;
constexpr int64_t kMaxTimestampSeconds = 253'402'300'799;

bool DurationInRange(absl::Duration d) {
  return d <= absl::Seconds(kMaxDurationSeconds) + absl::Nanoseconds(999'999'999) &&
         d >= -absl::Seconds(kMaxDurationSeconds) - absl::Nanoseconds(999'999'999);
}

bool TimeInRange(absl::Time t) {
  return t >= absl::FromUnixSeconds(kMinTimestampSeconds) &&
         t < absl::FromUnixSeconds(kMaxTimestampSeconds + 1);
}

absl::Status NoOverload() { return absl::UnimplementedError("no such overload"); }

template <typename T>
int Order(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Orders numbers of different kinds exactly, as CEL's heterogeneous comparisons do.
int CompareNumbers(const Value& x, const Value& y) {
  if (x.kind() == VK::kDouble || y.kind() == VK::kDouble) {
    const auto as_double = [](const Value& v) {
      return v.kind() == VK::kDouble ? v.double_value()
             : v.kind() == VK::kInt  ? static_cast<double>(v.int_value())
                                     : static_cast<double>(v.uint_value());
    };
    return Order(as_double(x), as_double(y));
  }
  if (x.kind() == y.kind()) {
    return x.kind() == VK::kInt ? Order(x.int_value(), y.int_value())
                                : Order(x.uint_value(), y.uint_value());
  }
  if (x.kind() == VK::kInt) {
    return x.int_value() < 0 ? -1 : Order(static_cast<uint64_t>(x.int_value()), y.uint_value());
  }
  return y.int_value() < 0 ? 1 : Order(x.uint_value(), static_cast<uint64_t>(y.int_value()));
}

bool IsNumber(VK kind) { return kind == VK::kInt || kind == VK::kUint || kind == VK::kDouble; }

}  // namespace

absl::StatusOr<absl::Duration> ParseGoDuration(absl::string_view text) {
  absl::Duration d;
  const absl::string_view unsigned_text = absl::StripPrefix(absl::StripPrefix(text, "-"), "+");
  // absl also reads "inf", which Go does not.
  if (unsigned_text.empty() || !absl::ascii_isdigit(unsigned_text[0]) ||
      !absl::ParseDuration(text, &d) || d == absl::InfiniteDuration() ||
      d == -absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat("time: invalid duration ", QuoteString(text)));
  }
  if (!DurationInRange(d)) return absl::InvalidArgumentError("duration out of range");
  return d;
}

absl::StatusOr<absl::Time> ParseRfc3339(absl::string_view text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("parsing time ", QuoteString(text), " as RFC 3339: ", error));
  }
  if (!TimeInRange(t)) return absl::InvalidArgumentError("timestamp out of range");
  return t;
}

std::string FormatRfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

bool CompareValues(const Value& x, const Value& y, int* order) {
  if (IsNumber(x.kind()) && IsNumber(y.kind())) {
    if ((x.kind() == VK::kDouble && std::isnan(x.double_value())) ||
        (y.kind() == VK::kDouble && std::isnan(y.double_value()))) {
      *order = 2;  // NaN: every comparison but != is false; 2 is not <, <=, >= ... see caller
      return true;
    }
    *order = CompareNumbers(x, y);
    return true;
  }
  if (x.kind() != y.kind()) return false;
  switch (x.kind()) {
    case VK::kBool:
      *order = Order(x.bool_value(), y.bool_value());
      return true;
    case VK::kString:
    case VK::kBytes:
      *order = x.string_value().compare(y.string_value());
      *order = *order < 0 ? -1 : (*order > 0 ? 1 : 0);
      return true;
    case VK::kDuration:
      *order = Order(x.duration_value(), y.duration_value());
      return true;
    case VK::kTimestamp:
      *order = Order(x.timestamp_value(), y.timestamp_value());
      return true;
    default:
      return false;
  }
}

absl::StatusOr<Value> TimeArithmetic(char op, const Value& x, const Value& y) {
  if (x.kind() == VK::kTimestamp && y.kind() == VK::kTimestamp && op == '-') {
    const absl::Duration d = x.timestamp_value() - y.timestamp_value();
    if (!DurationInRange(d)) return absl::InvalidArgumentError("integer overflow");
    return Value::Duration(d);
  }
  if (x.kind() == VK::kDuration && y.kind() == VK::kDuration) {
    const absl::Duration d = op == '+' ? x.duration_value() + y.duration_value()
                                       : x.duration_value() - y.duration_value();
    if (!DurationInRange(d)) return absl::InvalidArgumentError("integer overflow");
    return Value::Duration(d);
  }
  const bool time_first = x.kind() == VK::kTimestamp && y.kind() == VK::kDuration;
  const bool duration_first = x.kind() == VK::kDuration && y.kind() == VK::kTimestamp && op == '+';
  if (time_first || duration_first) {
    const absl::Time t = time_first ? x.timestamp_value() : y.timestamp_value();
    const absl::Duration d = time_first ? y.duration_value() : x.duration_value();
    const absl::Time result = op == '+' ? t + d : t - d;
    if (!TimeInRange(result)) return absl::InvalidArgumentError("timestamp out of range");
    return Value::Timestamp(result);
  }
  return NoOverload();
}

absl::StatusOr<Value> ConvertValue(absl::string_view function, const Value& x) {
  const VK kind = x.kind();
  if (function == "int") {
    switch (kind) {
      case VK::kInt:
        return x;
      case VK::kUint:
        if (x.uint_value() > INT64_MAX) return absl::InvalidArgumentError("integer overflow");
        return Value::Int(static_cast<int64_t>(x.uint_value()));
      case VK::kDouble: {
        const double d = x.double_value();
        if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0)) {
          return absl::InvalidArgumentError("integer overflow");
        }
        return Value::Int(static_cast<int64_t>(d));
      }
      case VK::kString: {
        int64_t parsed = 0;
        if (!absl::SimpleAtoi(x.string_value(), &parsed)) {
          return absl::InvalidArgumentError(
              absl::StrCat("cannot convert ", QuoteString(x.string_value()), " to int"));
        }
        return Value::Int(parsed);
      }
      case VK::kTimestamp:
        return Value::Int(absl::ToUnixSeconds(x.timestamp_value()));
      default:
        return NoOverload();
    }
  }
  if (function == "uint") {
    switch (kind) {
      case VK::kUint:
        return x;
      case VK::kInt:
        if (x.int_value() < 0) return absl::InvalidArgumentError("unsigned integer overflow");
        return Value::Uint(static_cast<uint64_t>(x.int_value()));
      case VK::kDouble: {
        const double d = x.double_value();
        if (!(d > -1.0 && d < 18446744073709551616.0)) {
          return absl::InvalidArgumentError("unsigned integer overflow");
        }
        return Value::Uint(static_cast<uint64_t>(d));
      }
      case VK::kString: {
        uint64_t parsed = 0;
        if (!absl::SimpleAtoi(x.string_value(), &parsed)) {
          return absl::InvalidArgumentError(
              absl::StrCat("cannot convert ", QuoteString(x.string_value()), " to uint"));
        }
        return Value::Uint(parsed);
      }
      default:
        return NoOverload();
    }
  }
  if (function == "double") {
    switch (kind) {
      case VK::kDouble:
        return x;
      case VK::kInt:
        return Value::Double(static_cast<double>(x.int_value()));
      case VK::kUint:
        return Value::Double(static_cast<double>(x.uint_value()));
      case VK::kString: {
        double parsed = 0;
        if (!absl::SimpleAtod(x.string_value(), &parsed)) {
          return absl::InvalidArgumentError(
              absl::StrCat("cannot convert ", QuoteString(x.string_value()), " to double"));
        }
        return Value::Double(parsed);
      }
      default:
        return NoOverload();
    }
  }
  if (function == "string") {
    switch (kind) {
      case VK::kString:
        return x;
      case VK::kInt:
        return Value::String(absl::StrCat(x.int_value()));
      case VK::kUint:
        return Value::String(absl::StrCat(x.uint_value()));
      case VK::kDouble:
        return Value::String(FormatDouble(x.double_value()));
      case VK::kBool:
        return Value::String(x.bool_value() ? "true" : "false");
      case VK::kBytes:
        return Value::String(x.string_value());
      case VK::kTimestamp:
        return Value::String(FormatRfc3339(x.timestamp_value()));
      case VK::kDuration:
        return Value::String(
            absl::StrCat(FormatDouble(absl::ToDoubleSeconds(x.duration_value()), 21), "s"));
      case VK::kIpAddress:
        return Value::String(x.ip_value().ToString());
      default:
        return NoOverload();
    }
  }
  if (function == "bytes") {
    if (kind == VK::kBytes) return x;
    if (kind == VK::kString) return Value::Bytes(x.string_value());
    return NoOverload();
  }
  if (function == "bool") {
    if (kind == VK::kBool) return x;
    if (kind != VK::kString) return NoOverload();
    const std::string& s = x.string_value();
    if (s == "true" || s == "True" || s == "TRUE" || s == "t" || s == "1") return Value::Bool(true);
    if (s == "false" || s == "False" || s == "FALSE" || s == "f" || s == "0") {
      return Value::Bool(false);
    }
    return absl::InvalidArgumentError(
        absl::StrCat("type conversion error from 'string' to 'bool'"));
  }
  if (function == "duration") {
    if (kind == VK::kDuration) return x;
    if (kind != VK::kString) return NoOverload();
    absl::StatusOr<absl::Duration> d = ParseGoDuration(x.string_value());
    if (!d.ok()) return d.status();
    return Value::Duration(*d);
  }
  if (function == "timestamp") {
    if (kind == VK::kTimestamp) return x;
    if (kind == VK::kInt) {
      const absl::Time t = absl::FromUnixSeconds(x.int_value());
      if (!TimeInRange(t)) return absl::InvalidArgumentError("timestamp out of range");
      return Value::Timestamp(t);
    }
    if (kind != VK::kString) return NoOverload();
    absl::StatusOr<absl::Time> t = ParseRfc3339(x.string_value());
    if (!t.ok()) return t.status();
    return Value::Timestamp(*t);
  }
  if (function == "ipaddress") {
    if (kind != VK::kString) return NoOverload();
    IpAddress ip;
    if (!IpAddress::Parse(x.string_value(), &ip)) {
      return absl::InvalidArgumentError(
          absl::StrCat("could not parse ip address string `", x.string_value(), "`"));
    }
    return Value::Ip(ip);
  }
  return NoOverload();
}

absl::StatusOr<Value> TimeAccessor(absl::string_view function, const Value& x) {
  if (x.kind() == VK::kDuration) {
    const absl::Duration d = x.duration_value();
    if (function == "getHours") return Value::Int(absl::ToInt64Hours(d));
    if (function == "getMinutes") return Value::Int(absl::ToInt64Minutes(d));
    if (function == "getSeconds") return Value::Int(absl::ToInt64Seconds(d));
    if (function == "getMilliseconds") return Value::Int(absl::ToInt64Milliseconds(d));
    return NoOverload();
  }
  if (x.kind() != VK::kTimestamp) return NoOverload();
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::TimeZone::CivilInfo info = utc.At(x.timestamp_value());
  const absl::CivilSecond& cs = info.cs;
  if (function == "getFullYear") return Value::Int(cs.year());
  if (function == "getMonth") return Value::Int(cs.month() - 1);
  if (function == "getDayOfYear") return Value::Int(absl::GetYearDay(absl::CivilDay(cs)) - 1);
  if (function == "getDayOfMonth") return Value::Int(cs.day() - 1);
  if (function == "getDate") return Value::Int(cs.day());
  if (function == "getDayOfWeek") {
    // absl counts from Monday; CEL from Sunday = 0.
    const int weekday = static_cast<int>(absl::GetWeekday(absl::CivilDay(cs)));
    return Value::Int((weekday + 1) % 7);
  }
  if (function == "getHours") return Value::Int(cs.hour());
  if (function == "getMinutes") return Value::Int(cs.minute());
  if (function == "getSeconds") return Value::Int(cs.second());
  if (function == "getMilliseconds") return Value::Int(absl::ToInt64Milliseconds(info.subsecond));
  return NoOverload();
}

}  // namespace rebac::schema::caveats::internal
