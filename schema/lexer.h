// Tokenizer for the SpiceDB schema language.
//
// It reproduces SpiceDB's lexer token for token, because parse errors name token kinds
// ("found: TokenTypeRightBrace") at token positions and clients compare them:
//  - a newline right after an identifier, keyword, `)`, `}` or `*` is a synthetic semicolon
//    (that is how statements end without `;`); other newlines are dropped;
//  - once the input has ended, or a character could not be lexed, every further token is an
//    empty error token at offset 0, which is what SpiceDB's parser reads from the lexer's closed
//    channel;
//  - `use FLAG` (before any definition or caveat) turns words into keywords from then on:
//    `use expiration` makes `expiration` and `and` keywords, and `use typechecking`, `use self`,
//    `use partial` and `use import` make that word itself one (SpiceDB's flaggable lexer).
#ifndef REBACD_SCHEMA_LEXER_H_
#define REBACD_SCHEMA_LEXER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace rebac::schema::internal {

// Token kinds, named after SpiceDB's TokenType values (see TokenKindName).
enum class TokenKind {
  kError,
  kSyntheticSemicolon,
  kEof,
  kWhitespace,
  kSinglelineComment,
  kMultilineComment,
  kNewline,
  kKeyword,
  kIdentifier,
  kNumber,
  kLeftBrace,
  kRightBrace,
  kLeftParen,
  kRightParen,
  kPipe,
  kPlus,
  kMinus,
  kAnd,
  kDiv,
  kEquals,
  kColon,
  kSemicolon,
  kRightArrow,
  kHash,
  kEllipsis,
  kStar,
  kQuestionMark,
  kConditionalOr,
  kConditionalAnd,
  kExclamationPoint,
  kLeftBracket,
  kRightBracket,
  kPeriod,
  kComma,
  kPercent,
  kLessThan,
  kGreaterThan,
  kLessThanOrEqual,
  kGreaterThanOrEqual,
  kEqualEqual,
  kNotEqual,
  kString,
};

// SpiceDB's spelling of a token kind, e.g. "TokenTypeRightBrace".
absl::string_view TokenKindName(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::kError;
  absl::string_view text;  // the source bytes; for kError the offending character, if any
  int offset = 0;          // byte offset in the input
  int line = 1;            // 1-based; only '\n' starts a line, as in SpiceDB's position mapper
  int column = 1;          // 1-based, counted in bytes
  std::string error;       // kError only: what went wrong
  // Comments (with their delimiters) met between the previous significant token and this one.
  std::vector<absl::string_view> comments;
};

// The raw scanner: returns comments as tokens, drops spaces and non-terminating newlines.
class Lexer {
 public:
  explicit Lexer(absl::string_view input) : input_(input) {}

  Token Next();

 private:
  Token Make(TokenKind kind, size_t start, size_t end);
  Token Fail(size_t start, size_t length, std::string message);
  // Moves past `count` bytes, keeping the line bookkeeping.
  void Skip(size_t count);
  bool LooksAt(size_t at, absl::string_view text) const;
  Token LexString(size_t start);
  Token LexIdentifierOrKeyword(size_t start);

  absl::string_view input_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  bool closed_ = false;
  TokenKind last_significant_ = TokenKind::kError;
};

// What the parser reads: significant tokens with their preceding comments attached, and the
// `use expiration` keyword switch applied.
class TokenStream {
 public:
  explicit TokenStream(absl::string_view input) : lexer_(input) {}

  Token Next();

 private:
  void ApplyFlags(Token& token);

  Lexer lexer_;
  bool seen_definition_ = false;
  bool after_use_ = false;
  bool expiration_enabled_ = false;
  // The single-word flags enabled so far: each makes its own name a keyword.
  std::vector<std::string> word_flags_;
};

}  // namespace rebac::schema::internal

#endif  // REBACD_SCHEMA_LEXER_H_
