// The lexer's token kinds, positions, statement ends, comments and `use` flag handling, which
// decide what SpiceDB's parser (and so ours) accepts and where errors point.

#include "schema/lexer.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace rebac::schema::internal {
namespace {

std::vector<Token> LexAll(absl::string_view text) {
  TokenStream stream(text);
  std::vector<Token> tokens;
  while (true) {
    Token token = stream.Next();
    const bool done = token.kind == TokenKind::kEof || token.kind == TokenKind::kError;
    tokens.push_back(std::move(token));
    if (done || tokens.size() > 10000) return tokens;
  }
}

std::vector<std::string> Kinds(const std::vector<Token>& tokens) {
  std::vector<std::string> kinds;
  for (const Token& token : tokens) kinds.emplace_back(TokenKindName(token.kind));
  return kinds;
}

TEST(LexerTest, PositionsAreOneBasedAndNewlinesEndStatementsAfterWords) {
  std::vector<Token> tokens = LexAll("definition doc {\n\trelation r: user\n}\n");
  EXPECT_EQ(Kinds(tokens),
            (std::vector<std::string>{
                "TokenTypeKeyword", "TokenTypeIdentifier", "TokenTypeLeftBrace", "TokenTypeKeyword",
                "TokenTypeIdentifier", "TokenTypeColon", "TokenTypeIdentifier",
                "TokenTypeSyntheticSemicolon", "TokenTypeRightBrace", "TokenTypeSyntheticSemicolon",
                "TokenTypeEOF"}));
  EXPECT_EQ(tokens[3].line, 2);
  EXPECT_EQ(tokens[3].column, 2);
  EXPECT_EQ(tokens[6].text, "user");
  EXPECT_EQ(tokens[6].column, 14);
  EXPECT_EQ(tokens[7].line, 2);  // the newline itself
  EXPECT_EQ(tokens[7].column, 18);
  EXPECT_EQ(tokens[8].line, 3);
  EXPECT_EQ(tokens[10].line, 4);
  EXPECT_EQ(tokens[10].column, 1);
}

TEST(LexerTest, NewlineAfterOperatorDoesNotEndStatement) {
  EXPECT_EQ(Kinds(LexAll("a +\nb")),
            (std::vector<std::string>{"TokenTypeIdentifier", "TokenTypePlus", "TokenTypeIdentifier",
                                      "TokenTypeEOF"}));
  EXPECT_EQ(Kinds(LexAll("a\n+ b")),
            (std::vector<std::string>{"TokenTypeIdentifier", "TokenTypeSyntheticSemicolon",
                                      "TokenTypePlus", "TokenTypeIdentifier", "TokenTypeEOF"}));
}

TEST(LexerTest, CarriageReturnEndsStatementButOnlyLineFeedCountsLines) {
  std::vector<Token> tokens = LexAll("a\r\nb");
  EXPECT_EQ(Kinds(tokens),
            (std::vector<std::string>{"TokenTypeIdentifier", "TokenTypeSyntheticSemicolon",
                                      "TokenTypeIdentifier", "TokenTypeEOF"}));
  EXPECT_EQ(tokens[1].text, "\r");
  EXPECT_EQ(tokens[2].line, 2);
  EXPECT_EQ(tokens[2].column, 1);
}

TEST(LexerTest, Operators) {
  EXPECT_EQ(Kinds(LexAll("-> - ... .. | || & && == = != ! <= < >= > # * : ; , ? [ ] % / ( ) { }")),
            (std::vector<std::string>{"TokenTypeRightArrow",
                                      "TokenTypeMinus",
                                      "TokenTypeEllipsis",
                                      "TokenTypePeriod",
                                      "TokenTypePeriod",
                                      "TokenTypePipe",
                                      "TokenTypeConditionalOr",
                                      "TokenTypeAnd",
                                      "TokenTypeConditionalAnd",
                                      "TokenTypeEqualEqual",
                                      "TokenTypeEquals",
                                      "TokenTypeNotEqual",
                                      "TokenTypeExclamationPoint",
                                      "TokenTypeLessThanOrEqual",
                                      "TokenTypeLessThan",
                                      "TokenTypeGreaterThanOrEqual",
                                      "TokenTypeGreaterThan",
                                      "TokenTypeHash",
                                      "TokenTypeStar",
                                      "TokenTypeColon",
                                      "TokenTypeSemicolon",
                                      "TokenTypeComma",
                                      "TokenTypeQuestionMark",
                                      "TokenTypeLeftBracket",
                                      "TokenTypeRightBracket",
                                      "TokenTypePercent",
                                      "TokenTypeDiv",
                                      "TokenTypeLeftParen",
                                      "TokenTypeRightParen",
                                      "TokenTypeLeftBrace",
                                      "TokenTypeRightBrace",
                                      "TokenTypeEOF"}));
}

TEST(LexerTest, IdentifiersMayStartWithDigitsAndHoldNonAscii) {
  std::vector<Token> tokens = LexAll("123abc h\xC3\xA9llo nil with");
  ASSERT_EQ(tokens.size(), 5);
  EXPECT_EQ(tokens[0].kind, TokenKind::kIdentifier);
  EXPECT_EQ(tokens[0].text, "123abc");
  EXPECT_EQ(tokens[1].kind, TokenKind::kIdentifier);
  EXPECT_EQ(tokens[1].text, "h\xC3\xA9llo");
  EXPECT_EQ(tokens[2].kind, TokenKind::kKeyword);
  EXPECT_EQ(tokens[3].kind, TokenKind::kKeyword);
}

TEST(LexerTest, CommentsAttachToTheNextToken) {
  std::vector<Token> tokens = LexAll("// one\n/* two\n lines */ definition");
  ASSERT_EQ(tokens.size(), 2);
  EXPECT_EQ(tokens[0].text, "definition");
  ASSERT_EQ(tokens[0].comments.size(), 2);
  EXPECT_EQ(tokens[0].comments[0], "// one");
  EXPECT_EQ(tokens[0].comments[1], "/* two\n lines */");
  EXPECT_EQ(tokens[0].line, 3);
}

TEST(LexerTest, Strings) {
  std::vector<Token> tokens = LexAll("'a' \"b}\" \"\"\"multi\nline\"\"\"");
  ASSERT_EQ(tokens.size(), 4);
  EXPECT_EQ(tokens[0].kind, TokenKind::kString);
  EXPECT_EQ(tokens[1].text, "\"b}\"");
  EXPECT_EQ(tokens[2].text, "\"\"\"multi\nline\"\"\"");
}

TEST(LexerTest, TripleSingleQuotesEndOnlyAtTripleDoubleQuotesLikeSpiceDB) {
  std::vector<Token> tokens = LexAll("'''abc'''");
  ASSERT_EQ(tokens.size(), 1);
  EXPECT_EQ(tokens[0].kind, TokenKind::kError);
  EXPECT_EQ(tokens[0].error, "Unterminated string");
}

TEST(LexerTest, Errors) {
  std::vector<Token> tokens = LexAll("ok $");
  ASSERT_EQ(tokens.size(), 2);
  EXPECT_EQ(tokens[1].kind, TokenKind::kError);
  EXPECT_EQ(tokens[1].error, "unrecognized character at this location: U+0024 '$'");
  EXPECT_EQ(tokens[1].column, 4);

  tokens = LexAll("x \"abc\ny\"");
  EXPECT_EQ(tokens.back().error, "Unterminated string");
  EXPECT_EQ(tokens.back().column, 3);

  tokens = LexAll("x /* open");
  EXPECT_EQ(tokens.back().error, "Unterminated multiline comment");
  EXPECT_EQ(tokens.back().column, 3);

  tokens = LexAll("\xFF");
  EXPECT_EQ(tokens.back().error, "unrecognized character at this location: U+FFFD '\xEF\xBF\xBD'");
}

TEST(LexerTest, AfterTheEndEveryTokenIsAnEmptyErrorAtTheStart) {
  TokenStream stream("a\nb");
  while (stream.Next().kind != TokenKind::kEof) {
  }
  for (int i = 0; i < 3; ++i) {
    Token token = stream.Next();
    EXPECT_EQ(token.kind, TokenKind::kError);
    EXPECT_EQ(token.line, 1);
    EXPECT_EQ(token.column, 1);
    EXPECT_EQ(token.text, "");
  }
}

TEST(LexerTest, UseExpirationMakesKeywords) {
  std::vector<Token> tokens = LexAll("use expiration\ndefinition x { and expiration }");
  EXPECT_EQ(tokens[0].kind, TokenKind::kIdentifier);  // `use` itself stays an identifier
  EXPECT_EQ(tokens[1].kind, TokenKind::kKeyword);
  EXPECT_EQ(tokens[6].text, "and");
  EXPECT_EQ(tokens[6].kind, TokenKind::kKeyword);
  EXPECT_EQ(tokens[7].kind, TokenKind::kKeyword);

  tokens = LexAll("definition x { and expiration }");
  EXPECT_EQ(tokens[3].kind, TokenKind::kIdentifier);
  EXPECT_EQ(tokens[4].kind, TokenKind::kIdentifier);

  // After a definition, `use` no longer switches anything on.
  tokens = LexAll("definition x {}\nuse expiration\nexpiration");
  EXPECT_EQ(tokens.back().kind, TokenKind::kEof);
  EXPECT_EQ(tokens[tokens.size() - 2].kind, TokenKind::kIdentifier);
}

}  // namespace
}  // namespace rebac::schema::internal
