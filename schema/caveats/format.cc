#include "schema/caveats/format.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rebac::schema::caveats {

std::string FormatDouble(double value, int exponent_threshold) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Shortest round-trip digits in scientific form: "d.ddde±x".
  char buffer[64];
  auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  std::string sci(buffer, result.ptr);
  const size_t e = sci.find('e');
  std::string mantissa = sci.substr(0, e);
  const int exponent = std::atoi(sci.c_str() + e + 1);
  std::string sign;
  if (!mantissa.empty() && mantissa[0] == '-') {
    sign = "-";
    mantissa.erase(0, 1);
  }
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits.push_back(c);
  }
  if (exponent < -4 || exponent >= exponent_threshold) {
    std::string out = sign + digits.substr(0, 1);
    if (digits.size() > 1) absl::StrAppend(&out, ".", digits.substr(1));
    absl::StrAppend(&out, exponent < 0 ? "e-" : "e+", absl::StrFormat("%02d", std::abs(exponent)));
    return out;
  }
  if (exponent < 0) return absl::StrCat(sign, "0.", std::string(-exponent - 1, '0'), digits);
  const size_t int_digits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= int_digits) {
    return absl::StrCat(sign, digits, std::string(int_digits - digits.size(), '0'));
  }
  return absl::StrCat(sign, digits.substr(0, int_digits), ".", digits.substr(int_digits));
}

size_t Utf8SequenceLength(absl::string_view text, size_t at) {
  const unsigned char c = static_cast<unsigned char>(text[at]);
  size_t length;
  uint32_t code;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    length = 2;
    code = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    length = 3;
    code = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    length = 4;
    code = c & 0x07;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    const unsigned char next = static_cast<unsigned char>(text[at + i]);
    if ((next & 0xC0) != 0x80) return 0;
    code = (code << 6) | (next & 0x3F);
  }
  static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kMinimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

std::string QuoteString(absl::string_view text) {
  std::string out = "\"";
  for (size_t at = 0; at < text.size();) {
    const char c = text[at];
    switch (c) {
      case '"':
        out += "\\\"";
        ++at;
        continue;
      case '\\':
        out += "\\\\";
        ++at;
        continue;
      case '\n':
        out += "\\n";
        ++at;
        continue;
      case '\t':
        out += "\\t";
        ++at;
        continue;
      case '\r':
        out += "\\r";
        ++at;
        continue;
      case '\a':
        out += "\\a";
        ++at;
        continue;
      case '\b':
        out += "\\b";
        ++at;
        continue;
      case '\f':
        out += "\\f";
        ++at;
        continue;
      case '\v':
        out += "\\v";
        ++at;
        continue;
      default:
        break;
    }
    const size_t length = Utf8SequenceLength(text, at);
    const unsigned char u = static_cast<unsigned char>(c);
    if (length == 0 || (length == 1 && (u < 0x20 || u == 0x7F))) {
      absl::StrAppend(&out, absl::StrFormat("\\x%02x", u));
      ++at;
      continue;
    }
    out.append(text.substr(at, length).data(), length);
    at += length;
  }
  out += "\"";
  return out;
}

}  // namespace rebac::schema::caveats
