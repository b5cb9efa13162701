#include "schema/caveats/lexer.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "schema/caveats/format.h"

namespace rebac::schema::caveats::internal {
namespace {

bool IsIdentStart(char c) { return absl::ascii_isalpha(c) || c == '_'; }
bool IsIdentChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }

void AppendUtf8(uint32_t code, std::string* out) {
  if (code < 0x80) {
    out->push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code >> 6)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

CelToken CelLexer::Error(size_t at, std::string message) {
  CelToken token;
  token.kind = CelToken::Kind::kError;
  token.offset = static_cast<int>(at);
  token.error = std::move(message);
  pos_ = input_.size();
  return token;
}

CelToken CelLexer::Next() {
  while (pos_ < input_.size()) {
    const char c = input_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      ++pos_;
    } else if (c == '/' && pos_ + 1 < input_.size() && input_[pos_ + 1] == '/') {
      while (pos_ < input_.size() && input_[pos_] != '\n') ++pos_;
    } else {
      break;
    }
  }
  CelToken token;
  token.offset = static_cast<int>(pos_);
  if (pos_ >= input_.size()) return token;
  const size_t start = pos_;
  const char c = input_[pos_];
  const absl::string_view rest = input_.substr(pos_);

  // String prefixes: r, b, rb, br in any case, directly followed by a quote.
  {
    size_t prefix = 0;
    bool raw = false;
    bool bytes = false;
    while (prefix < 2 && prefix < rest.size()) {
      const char p = absl::ascii_tolower(rest[prefix]);
      if (p == 'r' && !raw) {
        raw = true;
      } else if (p == 'b' && !bytes) {
        bytes = true;
      } else {
        break;
      }
      ++prefix;
    }
    if (prefix < rest.size() && (rest[prefix] == '"' || rest[prefix] == '\'')) {
      return Quoted(start, prefix, raw, bytes);
    }
  }
  if (IsIdentStart(c)) {
    while (pos_ < input_.size() && IsIdentChar(input_[pos_])) ++pos_;
    token.kind = CelToken::Kind::kIdent;
    token.text = input_.substr(start, pos_ - start);
    return token;
  }
  if (absl::ascii_isdigit(c) || (c == '.' && rest.size() > 1 && absl::ascii_isdigit(rest[1]))) {
    return Number(start);
  }
  static constexpr absl::string_view kTwoChar[] = {"==", "!=", "<=", ">=", "&&", "||"};
  for (absl::string_view op : kTwoChar) {
    if (rest.substr(0, 2) == op) {
      pos_ += 2;
      token.kind = CelToken::Kind::kOperator;
      token.text = rest.substr(0, 2);
      return token;
    }
  }
  static constexpr absl::string_view kOneChar = "?:!<>+-*/%()[]{}.,";
  if (kOneChar.find(c) != absl::string_view::npos) {
    ++pos_;
    token.kind = CelToken::Kind::kOperator;
    token.text = rest.substr(0, 1);
    return token;
  }
  return Error(start,
               absl::StrCat("Syntax error: token recognition error at: '", rest.substr(0, 1), "'"));
}

CelToken CelLexer::Number(size_t start) {
  CelToken token;
  token.kind = CelToken::Kind::kLiteral;
  token.offset = static_cast<int>(start);
  const absl::string_view rest = input_.substr(start);
  size_t end = 0;
  bool is_double = false;
  bool hex = false;
  if (rest.size() > 1 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X')) {
    hex = true;
    end = 2;
    while (end < rest.size() && HexDigit(rest[end]) >= 0) ++end;
    if (end == 2) return Error(start, "Syntax error: malformed hexadecimal literal");
  } else {
    while (end < rest.size() && absl::ascii_isdigit(rest[end])) ++end;
    if (end < rest.size() && rest[end] == '.' && end + 1 < rest.size() &&
        absl::ascii_isdigit(rest[end + 1])) {
      is_double = true;
      ++end;
      while (end < rest.size() && absl::ascii_isdigit(rest[end])) ++end;
    }
    if (end < rest.size() && (rest[end] == 'e' || rest[end] == 'E')) {
      size_t exp = end + 1;
      if (exp < rest.size() && (rest[exp] == '+' || rest[exp] == '-')) ++exp;
      if (exp < rest.size() && absl::ascii_isdigit(rest[exp])) {
        is_double = true;
        end = exp;
        while (end < rest.size() && absl::ascii_isdigit(rest[end])) ++end;
      }
    }
  }
  const std::string digits(rest.substr(0, end));
  if (is_double) {
    errno = 0;
    const double value = std::strtod(digits.c_str(), nullptr);
    // As Go's ParseFloat, which CEL uses: a literal beyond the double range is refused.
    if (std::isinf(value)) return Error(start, "invalid double literal");
    token.literal = Value::Double(value);
  } else {
    const bool unsigned_suffix = end < rest.size() && (rest[end] == 'u' || rest[end] == 'U');
    const std::string body = hex ? digits.substr(2) : digits;
    errno = 0;
    const unsigned long long value = std::strtoull(body.c_str(), nullptr, hex ? 16 : 10);
    if (errno == ERANGE) return Error(start, "invalid int literal");
    if (unsigned_suffix) {
      ++end;
      token.literal = Value::Uint(value);
    } else if (value > 9223372036854775808ULL) {
      return Error(start, "invalid int literal");
    } else {
      // 2^63 is only valid negated; the parser folds `-` into it and checks.
      token.literal = value == 9223372036854775808ULL ? Value::Uint(value)
                                                      : Value::Int(static_cast<int64_t>(value));
      if (value == 9223372036854775808ULL) token.error = "int-min";
    }
  }
  pos_ = start + end;
  token.text = rest.substr(0, end);
  return token;
}

CelToken CelLexer::Quoted(size_t start, size_t prefix_length, bool raw, bool bytes) {
  const absl::string_view rest = input_.substr(start + prefix_length);
  const char quote = rest[0];
  const bool triple = rest.size() >= 3 && rest[1] == quote && rest[2] == quote;
  const size_t open = triple ? 3 : 1;
  std::string decoded;
  size_t at = open;
  while (true) {
    if (at >= rest.size()) return Error(start, "Syntax error: unterminated string literal");
    const char c = rest[at];
    if (c == quote &&
        (!triple || (at + 2 < rest.size() && rest[at + 1] == quote && rest[at + 2] == quote))) {
      at += open;
      break;
    }
    if (!triple && (c == '\n' || c == '\r')) {
      return Error(start, "Syntax error: unterminated string literal");
    }
    if (c != '\\' || raw) {
      // Like CEL's parser, which reads runes: bytes that are not UTF-8 become U+FFFD.
      const size_t length = Utf8SequenceLength(rest, at);
      if (length == 0) {
        decoded.append("\xEF\xBF\xBD");
        ++at;
      } else {
        decoded.append(rest.substr(at, length).data(), length);
        at += length;
      }
      continue;
    }
    if (at + 1 >= rest.size()) return Error(start, "Syntax error: unterminated string literal");
    const char e = rest[at + 1];
    at += 2;
    switch (e) {
      case 'a':
        decoded.push_back('\a');
        continue;
      case 'b':
        decoded.push_back('\b');
        continue;
      case 'f':
        decoded.push_back('\f');
        continue;
      case 'n':
        decoded.push_back('\n');
        continue;
      case 'r':
        decoded.push_back('\r');
        continue;
      case 't':
        decoded.push_back('\t');
        continue;
      case 'v':
        decoded.push_back('\v');
        continue;
      case '\\':
      case '\'':
      case '"':
      case '`':
      case '?':
        decoded.push_back(e);
        continue;
      default:
        break;
    }
    int width = 0;
    int base = 16;
    if (e == 'x' || e == 'X') {
      width = 2;
    } else if (e == 'u') {
      width = 4;
    } else if (e == 'U') {
      width = 8;
    } else if (e >= '0' && e <= '3') {
      width = 2;
      base = 8;
      --at;  // the first octal digit is `e` itself
      ++width;
    } else {
      return Error(start + prefix_length + at - 2, "Syntax error: invalid escape sequence");
    }
    uint32_t code = 0;
    for (int i = 0; i < width; ++i) {
      const int digit = at < rest.size() ? HexDigit(rest[at]) : -1;
      if (digit < 0 || digit >= base) {
        return Error(start + prefix_length + at, "Syntax error: invalid escape sequence");
      }
      code = code * base + digit;
      ++at;
    }
    if (bytes && (e == 'x' || e == 'X' || base == 8)) {
      decoded.push_back(static_cast<char>(code));
    } else {
      if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
        return Error(start, "Syntax error: invalid unicode code point");
      }
      AppendUtf8(code, &decoded);
    }
  }
  CelToken token;
  token.kind = CelToken::Kind::kLiteral;
  token.offset = static_cast<int>(start);
  token.text = input_.substr(start, prefix_length + at);
  token.literal = bytes ? Value::Bytes(std::move(decoded)) : Value::String(std::move(decoded));
  pos_ = start + prefix_length + at;
  return token;
}

}  // namespace rebac::schema::caveats::internal
