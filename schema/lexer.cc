#include "schema/lexer.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rebac::schema::internal {
namespace {

bool IsAsciiIdentifierChar(unsigned char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Length of the well-formed UTF-8 sequence at `at`, or 0 when the bytes are not one. Used for
// non-ASCII characters, which SpiceDB accepts in identifiers when they are letters or digits;
// we accept every well-formed one and let name validation refuse the result later.
size_t Utf8SequenceLength(absl::string_view text, size_t at) {
  const unsigned char lead = static_cast<unsigned char>(text[at]);
  size_t length = 0;
  uint32_t code_point = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[at + i]);
    if ((c & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (c & 0x3F);
  }
  if ((length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000) ||
      code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return 0;
  }
  return length;
}

// Go's %#U rendering of a character, which SpiceDB puts in its "unrecognized character" message.
std::string DescribeCharacter(absl::string_view text, size_t at) {
  const unsigned char c = static_cast<unsigned char>(text[at]);
  if (c < 0x80) {
    std::string described = absl::StrFormat("U+%04X", c);
    if (c >= 0x20 && c < 0x7F) absl::StrAppend(&described, " '", std::string(1, c), "'");
    return described;
  }
  // Only malformed UTF-8 gets here; Go decodes it as the replacement character.
  return "U+FFFD '\xEF\xBF\xBD'";
}

bool EndsStatement(TokenKind kind) {
  switch (kind) {
    case TokenKind::kIdentifier:
    case TokenKind::kKeyword:
    case TokenKind::kRightBrace:
    case TokenKind::kRightParen:
    case TokenKind::kStar:
      return true;
    default:
      return false;
  }
}

bool IsKeyword(absl::string_view word) {
  return word == "definition" || word == "caveat" || word == "relation" || word == "permission" ||
         word == "nil" || word == "with";
}

}  // namespace

absl::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kError:
      return "TokenTypeError";
    case TokenKind::kSyntheticSemicolon:
      return "TokenTypeSyntheticSemicolon";
    case TokenKind::kEof:
      return "TokenTypeEOF";
    case TokenKind::kWhitespace:
      return "TokenTypeWhitespace";
    case TokenKind::kSinglelineComment:
      return "TokenTypeSinglelineComment";
    case TokenKind::kMultilineComment:
      return "TokenTypeMultilineComment";
    case TokenKind::kNewline:
      return "TokenTypeNewline";
    case TokenKind::kKeyword:
      return "TokenTypeKeyword";
    case TokenKind::kIdentifier:
      return "TokenTypeIdentifier";
    case TokenKind::kNumber:
      return "TokenTypeNumber";
    case TokenKind::kLeftBrace:
      return "TokenTypeLeftBrace";
    case TokenKind::kRightBrace:
      return "TokenTypeRightBrace";
    case TokenKind::kLeftParen:
      return "TokenTypeLeftParen";
    case TokenKind::kRightParen:
      return "TokenTypeRightParen";
    case TokenKind::kPipe:
      return "TokenTypePipe";
    case TokenKind::kPlus:
      return "TokenTypePlus";
    case TokenKind::kMinus:
      return "TokenTypeMinus";
    case TokenKind::kAnd:
      return "TokenTypeAnd";
    case TokenKind::kDiv:
      return "TokenTypeDiv";
    case TokenKind::kEquals:
      return "TokenTypeEquals";
    case TokenKind::kColon:
      return "TokenTypeColon";
    case TokenKind::kSemicolon:
      return "TokenTypeSemicolon";
    case TokenKind::kRightArrow:
      return "TokenTypeRightArrow";
    case TokenKind::kHash:
      return "TokenTypeHash";
    case TokenKind::kEllipsis:
      return "TokenTypeEllipsis";
    case TokenKind::kStar:
      return "TokenTypeStar";
    case TokenKind::kQuestionMark:
      return "TokenTypeQuestionMark";
    case TokenKind::kConditionalOr:
      return "TokenTypeConditionalOr";
    case TokenKind::kConditionalAnd:
      return "TokenTypeConditionalAnd";
    case TokenKind::kExclamationPoint:
      return "TokenTypeExclamationPoint";
    case TokenKind::kLeftBracket:
      return "TokenTypeLeftBracket";
    case TokenKind::kRightBracket:
      return "TokenTypeRightBracket";
    case TokenKind::kPeriod:
      return "TokenTypePeriod";
    case TokenKind::kComma:
      return "TokenTypeComma";
    case TokenKind::kPercent:
      return "TokenTypePercent";
    case TokenKind::kLessThan:
      return "TokenTypeLessThan";
    case TokenKind::kGreaterThan:
      return "TokenTypeGreaterThan";
    case TokenKind::kLessThanOrEqual:
      return "TokenTypeLessThanOrEqual";
    case TokenKind::kGreaterThanOrEqual:
      return "TokenTypeGreaterThanOrEqual";
    case TokenKind::kEqualEqual:
      return "TokenTypeEqualEqual";
    case TokenKind::kNotEqual:
      return "TokenTypeNotEqual";
    case TokenKind::kString:
      return "TokenTypeString";
  }
  return "TokenTypeError";
}

Token Lexer::Make(TokenKind kind, size_t start, size_t end) {
  Token token;
  token.kind = kind;
  token.text = input_.substr(start, end - start);
  token.offset = static_cast<int>(start);
  token.line = line_;
  token.column = static_cast<int>(start - line_start_) + 1;
  Skip(end - start);
  if (kind != TokenKind::kSinglelineComment && kind != TokenKind::kMultilineComment) {
    last_significant_ = kind;
  }
  return token;
}

Token Lexer::Fail(size_t start, size_t length, std::string message) {
  Token token;
  token.kind = TokenKind::kError;
  token.text = input_.substr(start, length);
  token.offset = static_cast<int>(start);
  token.line = line_;
  token.column = static_cast<int>(start - line_start_) + 1;
  token.error = std::move(message);
  closed_ = true;
  return token;
}

void Lexer::Skip(size_t count) {
  for (size_t end = pos_ + count; pos_ < end; ++pos_) {
    if (input_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
  }
}

bool Lexer::LooksAt(size_t at, absl::string_view text) const {
  return input_.substr(at, text.size()) == text;
}

Token Lexer::Next() {
  // After the end, SpiceDB's parser reads zero-valued lexemes: errors at offset 0.
  if (closed_) return Token{};

  while (true) {
    if (pos_ >= input_.size()) {
      closed_ = true;
      return Make(TokenKind::kEof, pos_, pos_);
    }
    const size_t start = pos_;
    const char c = input_[pos_];
    auto single = [&](TokenKind kind) { return Make(kind, start, start + 1); };
    auto maybe_double = [&](char second, TokenKind two, TokenKind one) {
      return LooksAt(start + 1, absl::string_view(&second, 1)) ? Make(two, start, start + 2)
                                                               : Make(one, start, start + 1);
    };
    switch (c) {
      case ' ':
      case '\t':
        Skip(1);
        continue;
      case '\n':
      case '\r':
        if (EndsStatement(last_significant_)) return single(TokenKind::kSyntheticSemicolon);
        last_significant_ = TokenKind::kNewline;
        Skip(1);
        continue;
      case '{':
        return single(TokenKind::kLeftBrace);
      case '}':
        return single(TokenKind::kRightBrace);
      case '(':
        return single(TokenKind::kLeftParen);
      case ')':
        return single(TokenKind::kRightParen);
      case '+':
        return single(TokenKind::kPlus);
      case '?':
        return single(TokenKind::kQuestionMark);
      case '[':
        return single(TokenKind::kLeftBracket);
      case ']':
        return single(TokenKind::kRightBracket);
      case '%':
        return single(TokenKind::kPercent);
      case ',':
        return single(TokenKind::kComma);
      case ':':
        return single(TokenKind::kColon);
      case ';':
        return single(TokenKind::kSemicolon);
      case '#':
        return single(TokenKind::kHash);
      case '*':
        return single(TokenKind::kStar);
      case '|':
        return maybe_double('|', TokenKind::kConditionalOr, TokenKind::kPipe);
      case '&':
        return maybe_double('&', TokenKind::kConditionalAnd, TokenKind::kAnd);
      case '!':
        return maybe_double('=', TokenKind::kNotEqual, TokenKind::kExclamationPoint);
      case '<':
        return maybe_double('=', TokenKind::kLessThanOrEqual, TokenKind::kLessThan);
      case '>':
        return maybe_double('=', TokenKind::kGreaterThanOrEqual, TokenKind::kGreaterThan);
      case '=':
        return maybe_double('=', TokenKind::kEqualEqual, TokenKind::kEquals);
      case '-':
        return maybe_double('>', TokenKind::kRightArrow, TokenKind::kMinus);
      case '.':
        return LooksAt(start + 1, "..") ? Make(TokenKind::kEllipsis, start, start + 3)
                                        : single(TokenKind::kPeriod);
      case '"':
      case '\'':
        return LexString(start);
      case '/':
        if (LooksAt(start + 1, "/")) {
          size_t end = start + 2;
          while (end < input_.size() && input_[end] != '\n' && input_[end] != '\r') ++end;
          return Make(TokenKind::kSinglelineComment, start, end);
        }
        if (LooksAt(start + 1, "*")) {
          const size_t close = input_.find("*/", start + 2);
          if (close == absl::string_view::npos) {
            return Fail(start, 0, "Unterminated multiline comment");
          }
          return Make(TokenKind::kMultilineComment, start, close + 2);
        }
        return single(TokenKind::kDiv);
      default:
        break;
    }
    if (IsAsciiIdentifierChar(static_cast<unsigned char>(c)) ||
        Utf8SequenceLength(input_, start) > 0) {
      return LexIdentifierOrKeyword(start);
    }
    return Fail(start, 1,
                absl::StrCat("unrecognized character at this location: ",
                             DescribeCharacter(input_, start)));
  }
}

Token Lexer::LexIdentifierOrKeyword(size_t start) {
  size_t end = start;
  while (end < input_.size()) {
    const unsigned char c = static_cast<unsigned char>(input_[end]);
    if (IsAsciiIdentifierChar(c)) {
      ++end;
      continue;
    }
    const size_t length = c >= 0x80 ? Utf8SequenceLength(input_, end) : 0;
    if (length == 0) break;
    end += length;
  }
  const absl::string_view word = input_.substr(start, end - start);
  return Make(IsKeyword(word) ? TokenKind::kKeyword : TokenKind::kIdentifier, start, end);
}

Token Lexer::LexString(size_t start) {
  // Triple-quoted strings may span lines. SpiceDB ends ''' strings with """ too, and knows no
  // escapes; both quirks decide which inputs are refused, so they are kept.
  absl::string_view terminator;
  bool multiline = true;
  size_t at = start;
  if (LooksAt(start, "\"\"\"") || LooksAt(start, "'''")) {
    terminator = "\"\"\"";
    at += 3;
  } else {
    terminator = input_.substr(start, 1);
    multiline = false;
    at += 1;
  }
  while (true) {
    if (LooksAt(at, terminator)) return Make(TokenKind::kString, start, at + terminator.size());
    if (at >= input_.size()) return Fail(start, 0, "Unterminated string");
    const char c = input_[at];
    if (!multiline && (c == '\n' || c == '\r')) return Fail(start, 1, "Unterminated string");
    ++at;
  }
}

Token TokenStream::Next() {
  std::vector<absl::string_view> comments;
  while (true) {
    Token token = lexer_.Next();
    if (token.kind == TokenKind::kSinglelineComment || token.kind == TokenKind::kMultilineComment) {
      comments.push_back(token.text);
      continue;
    }
    ApplyFlags(token);
    token.comments = std::move(comments);
    return token;
  }
}

void TokenStream::ApplyFlags(Token& token) {
  // Same state machine as SpiceDB's flaggable lexer: an identifier following the identifier
  // `use` names a flag, until the first definition or caveat (a `partial` does not count).
  if (token.kind == TokenKind::kIdentifier && !seen_definition_) {
    if (after_use_) {
      if (token.text == "expiration") {
        expiration_enabled_ = true;
      } else if (token.text == "typechecking" || token.text == "self" || token.text == "partial" ||
                 token.text == "import") {
        word_flags_.emplace_back(token.text);
      }
      after_use_ = false;
    } else {
      after_use_ = token.text == "use";
    }
  }
  if (token.kind == TokenKind::kKeyword && (token.text == "definition" || token.text == "caveat")) {
    seen_definition_ = true;
  }
  if (token.kind != TokenKind::kIdentifier) return;
  if (expiration_enabled_ && (token.text == "expiration" || token.text == "and")) {
    token.kind = TokenKind::kKeyword;
    return;
  }
  for (const std::string& flag : word_flags_) {
    if (token.text == flag) token.kind = TokenKind::kKeyword;
  }
}

}  // namespace rebac::schema::internal
