#include "schema/parser.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "schema/lexer.h"

namespace rebac::schema::internal {
namespace {

// The longest line Go's bufio.Scanner reads with its default buffer (64 KiB, newline included).
constexpr size_t kMaxScannedLineLength = 64 * 1024 - 1;

// One comment as SpiceDB stores it: split into lines with a bufio.Scanner, each line trimmed,
// joined again. The scanner gives up at the first line longer than kMaxScannedLineLength and
// SpiceDB ignores the error, so that line and everything after it are dropped; a `//` comment
// that long becomes empty. Sets *truncated when that happened.
std::string NormalizeComment(absl::string_view comment, bool* truncated) {
  std::vector<absl::string_view> lines = absl::StrSplit(comment, '\n');
  *truncated = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].size() > kMaxScannedLineLength) {
      lines.resize(i);
      *truncated = true;
      break;
    }
    lines[i] = absl::StripAsciiWhitespace(lines[i]);
  }
  return absl::StrJoin(lines, "\n");
}

// SpiceDB keeps each comment (see NormalizeComment); several are kept one per line. A block
// comment cut short by the scanner gets its closing `*/` back when another comment follows, so
// that the printer (which splits comments again at their delimiters) does not run them together;
// SpiceDB's generator prints each one separately, with the same result.
std::string NormalizeComments(const std::vector<absl::string_view>& comments) {
  std::vector<std::string> normalized;
  normalized.reserve(comments.size());
  for (size_t i = 0; i < comments.size(); ++i) {
    bool truncated = false;
    std::string comment = NormalizeComment(comments[i], &truncated);
    if (truncated && absl::StartsWith(comment, "/*") && i + 1 < comments.size()) {
      absl::StrAppend(&comment, " */");
    }
    normalized.push_back(std::move(comment));
  }
  return absl::StrJoin(normalized, "\n");
}

AstExpr::Kind KindForOperator(TokenKind op) {
  switch (op) {
    case TokenKind::kPlus:
      return AstExpr::Kind::kUnion;
    case TokenKind::kAnd:
      return AstExpr::Kind::kIntersection;
    default:
      return AstExpr::Kind::kExclusion;
  }
}

// Binding strength of a permission operator; 0 for any other token.
int Precedence(TokenKind kind) {
  switch (kind) {
    case TokenKind::kMinus:
      return 1;
    case TokenKind::kAnd:
      return 2;
    case TokenKind::kPlus:
      return 3;
    default:
      return 0;
  }
}

class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text), tokens_(text) {}

  ParseResult Run();

 private:
  // One parenthesized level of an expression being parsed: operands and pending operators.
  struct Group {
    std::vector<AstExpr> operands;
    std::vector<TokenKind> operators;
  };

  void Advance() { current_ = tokens_.Next(); }
  bool Is(TokenKind kind) const { return current_.kind == kind; }
  bool IsKeyword(absl::string_view word) const {
    return Is(TokenKind::kKeyword) && current_.text == word;
  }
  bool IsIdentifier(absl::string_view word) const {
    return Is(TokenKind::kIdentifier) && current_.text == word;
  }
  SourcePos Here() const { return SourcePos{current_.line, current_.column}; }
  absl::string_view CurrentKind() const { return TokenKindName(current_.kind); }

  bool TryConsume(TokenKind kind) {
    if (!Is(kind)) return false;
    Advance();
    return true;
  }
  bool TryConsumeStatementTerminator() {
    return TryConsume(TokenKind::kSyntheticSemicolon) || TryConsume(TokenKind::kSemicolon) ||
           TryConsume(TokenKind::kEof);
  }

  // Records the error at the current token; always returns false. `with_source` mirrors whether
  // SpiceDB attaches the token's text as the error's source code.
  bool Fail(std::string message, bool with_source = true) {
    error_ = MakeError(SchemaError::Kind::kParse, std::move(message), Here(),
                       with_source ? std::string(current_.text) : std::string());
    return false;
  }
  bool Expect(TokenKind kind) {
    if (TryConsume(kind)) return true;
    return Fail(
        absl::StrCat("Expected one of: [", TokenKindName(kind), "], found: ", CurrentKind()));
  }
  bool ExpectIdentifier(std::string* out) {
    if (!Is(TokenKind::kIdentifier)) {
      return Fail(absl::StrCat("Expected identifier, found token ", CurrentKind()));
    }
    *out = std::string(current_.text);
    Advance();
    return true;
  }

  bool ParseTypePath(std::string* out);
  bool ParseUseFlag(bool after_definition);
  bool ParseImport();
  bool ParseDefinition();
  bool ParsePartial();
  bool ParseBody(std::vector<AstRelation>* out);
  bool ParsePartialReference(AstRelation* out);
  bool ParseRelation(AstRelation* out);
  bool ParseAllowedType(AstTypeRef* out);
  bool ParsePermission(AstRelation* out);
  bool ParseExpression(AstExpr* out);
  bool ParseOperandChain(AstExpr* out);
  bool Reduce(Group& group);
  bool ParseCaveat();
  bool ParseCaveatType(int depth, AstCaveatType* out);

  absl::string_view text_;
  TokenStream tokens_;
  Token current_;
  AstFile file_;
  std::optional<SchemaError> error_;
  std::optional<SourcePos> first_import_;
};

ParseResult Parser::Run() {
  Advance();
  ParseResult result;
  if (Is(TokenKind::kError)) {
    error_ =
        MakeError(SchemaError::Kind::kParse, current_.error, Here(), std::string(current_.text));
    result.error = std::move(error_);
    return result;
  }
  bool seen_definition = false;
  bool ok = true;
  while (ok) {
    if (Is(TokenKind::kEof)) break;
    TryConsumeStatementTerminator();
    if (Is(TokenKind::kEof)) break;
    if (IsIdentifier("use")) {
      ok = ParseUseFlag(seen_definition);
    } else if (IsKeyword("definition")) {
      seen_definition = true;
      ok = ParseDefinition();
    } else if (IsKeyword("caveat")) {
      seen_definition = true;
      ok = ParseCaveat();
    } else if (IsKeyword("partial")) {  // a keyword only under `use partial`
      ok = ParsePartial();
    } else if (IsKeyword("import")) {  // a keyword only under `use import`
      ok = ParseImport();
    } else {
      ok = Fail(absl::StrCat("Unexpected token at root level: ", CurrentKind()));
    }
  }
  if (!error_.has_value() && first_import_.has_value()) {
    // SpiceDB's server compiles schemas without a source folder: once the whole text has
    // parsed, any import is refused, at the first one.
    error_ = MakeError(SchemaError::Kind::kParse,
                       "import statements are not allowed in this context", *first_import_);
  }
  if (error_.has_value()) {
    result.error = std::move(error_);
  } else {
    result.file = std::move(file_);
  }
  return result;
}

bool Parser::ParseTypePath(std::string* out) {
  std::string path;
  while (true) {
    std::string segment;
    if (!ExpectIdentifier(&segment)) return false;
    absl::StrAppend(&path, segment);
    if (!TryConsume(TokenKind::kDiv)) break;
    path.push_back('/');
  }
  *out = std::move(path);
  return true;
}

bool Parser::ParseUseFlag(bool after_definition) {
  AstUseFlag flag;
  flag.pos = Here();
  Advance();  // `use`
  if (Is(TokenKind::kIdentifier) || Is(TokenKind::kKeyword)) {
    flag.name = std::string(current_.text);
    Advance();
  } else {
    return Fail(absl::StrCat("Expected keyword, found token ", CurrentKind()));
  }
  // SpiceDB v1.54's flags. A flag may be given more than once.
  if (flag.name != "expiration" && flag.name != "import" && flag.name != "partial" &&
      flag.name != "self" && flag.name != "typechecking") {
    return Fail(absl::StrCat("Unknown use flag: `", flag.name,
                             "`. Options are: expiration, import, partial, self, typechecking"));
  }
  if (after_definition) return Fail("`use` expressions must be declared before any definition");
  if (flag.name == "typechecking") file_.typechecking = true;
  file_.items.push_back(std::move(flag));
  return true;
}

// `import "path"`: parsed as SpiceDB parses it, then refused once parsing is done (see Run).
bool Parser::ParseImport() {
  const SourcePos pos = Here();
  Advance();  // `import`
  if (!Is(TokenKind::kString)) {
    return Fail(absl::StrCat("Expected quote-delimited string, found token ", CurrentKind()));
  }
  Advance();
  if (!first_import_.has_value()) first_import_ = pos;
  return true;
}

bool Parser::ParseDefinition() {
  AstDefinition definition;
  definition.pos = Here();
  definition.comments = NormalizeComments(current_.comments);
  Advance();  // `definition`
  if (!ParseTypePath(&definition.name)) return false;
  if (!ParseBody(&definition.relations)) return false;
  file_.items.push_back(std::move(definition));
  return true;
}

// `partial name { ... }`: a definition body without a type of its own. Its comments are dropped,
// as SpiceDB drops them.
bool Parser::ParsePartial() {
  AstPartial partial;
  partial.pos = Here();
  Advance();  // `partial`
  if (!ParseTypePath(&partial.name)) return false;
  if (!ParseBody(&partial.relations)) return false;
  file_.items.push_back(std::move(partial));
  return true;
}

// `{ ... }` of a definition or partial: relations, permissions and partial references.
bool Parser::ParseBody(std::vector<AstRelation>* out) {
  if (!Expect(TokenKind::kLeftBrace)) return false;
  while (!TryConsume(TokenKind::kRightBrace)) {
    if (IsKeyword("relation") || IsKeyword("permission") || Is(TokenKind::kEllipsis)) {
      AstRelation member;
      bool ok = Is(TokenKind::kEllipsis) ? ParsePartialReference(&member)
                : IsKeyword("relation")  ? ParseRelation(&member)
                                         : ParsePermission(&member);
      if (!ok) return false;
      out->push_back(std::move(member));
    }
    // A statement must end here; a bare `;` is an empty statement, as in SpiceDB.
    if (!TryConsumeStatementTerminator()) {
      return Fail(absl::StrCat("Expected end of statement or definition, found: ", CurrentKind()));
    }
  }
  return true;
}

// `...name`: SpiceDB parses it in every definition, with or without `use partial`; the name is
// one identifier (no `prefix/`).
bool Parser::ParsePartialReference(AstRelation* out) {
  out->pos = Here();
  out->is_partial_reference = true;
  Advance();  // `...`
  return ExpectIdentifier(&out->name);
}

bool Parser::ParseRelation(AstRelation* out) {
  out->pos = Here();
  out->comments = NormalizeComments(current_.comments);
  Advance();  // `relation`
  if (!ExpectIdentifier(&out->name)) return false;
  if (!Expect(TokenKind::kColon)) return false;
  do {
    AstTypeRef type;
    if (!ParseAllowedType(&type)) return false;
    out->types.push_back(std::move(type));
  } while (TryConsume(TokenKind::kPipe));
  return true;
}

bool Parser::ParseAllowedType(AstTypeRef* out) {
  out->pos = Here();
  if (!ParseTypePath(&out->type)) return false;
  if (TryConsume(TokenKind::kColon)) {
    if (!Expect(TokenKind::kStar)) return false;
    out->wildcard = true;
  } else if (TryConsume(TokenKind::kHash)) {
    if (!Is(TokenKind::kIdentifier) && !Is(TokenKind::kEllipsis)) {
      return Fail(absl::StrCat("Expected one of: [TokenTypeIdentifier TokenTypeEllipsis], found: ",
                               CurrentKind()));
    }
    if (Is(TokenKind::kIdentifier)) out->relation = std::string(current_.text);
    Advance();
  }
  if (!IsKeyword("with")) return true;
  Advance();
  // `expiration` is a keyword only under `use expiration`; otherwise it names a caveat.
  if (!IsKeyword("expiration")) {
    if (!ParseTypePath(&out->caveat)) return false;
    if (!IsKeyword("and")) return true;
    Advance();
  }
  if (IsKeyword("expiration")) {
    Advance();
    out->expiration = true;
  }
  return true;
}

bool Parser::ParsePermission(AstRelation* out) {
  out->pos = Here();
  out->is_permission = true;
  out->comments = NormalizeComments(current_.comments);
  Advance();  // `permission`
  if (!ExpectIdentifier(&out->name)) return false;
  // An optional type annotation: plain type names (no paths, relations or wildcards) joined by `|`.
  if (TryConsume(TokenKind::kColon)) {
    do {
      std::string type;
      if (!ExpectIdentifier(&type)) return false;
      out->annotated_types.push_back(std::move(type));
    } while (TryConsume(TokenKind::kPipe));
  }
  if (!Expect(TokenKind::kEquals)) return false;
  return ParseExpression(&out->expression);
}

// Operator-precedence parsing with an explicit stack of parenthesized groups, so that hostile
// nesting costs heap, never native stack. The messages and positions are those of SpiceDB's
// recursive-descent parser for the same input.
bool Parser::ParseExpression(AstExpr* out) {
  std::vector<Group> groups(1);
  bool expect_operand = true;
  bool after_operator = false;
  while (true) {
    Group& group = groups.back();
    if (expect_operand) {
      if (Is(TokenKind::kLeftParen)) {
        if (static_cast<int>(groups.size()) >= kMaxNestingDepth) {
          return Fail(
              absl::StrCat("expression nesting exceeds the maximum depth of ", kMaxNestingDepth));
        }
        Advance();
        groups.emplace_back();
        after_operator = false;
        continue;
      }
      AstExpr operand;
      if (Is(TokenKind::kIdentifier)) {
        if (!ParseOperandChain(&operand)) return false;
      } else if (IsKeyword("nil") || IsKeyword("self")) {  // `self`: a keyword under `use self`
        operand.kind = IsKeyword("nil") ? AstExpr::Kind::kNil : AstExpr::Kind::kSelf;
        operand.pos = Here();
        Advance();
      } else if (after_operator) {
        return Fail(absl::StrCat("Expected right hand expression, found: ", CurrentKind()));
      } else {
        return Fail("Expected compute expression for permission", /*with_source=*/false);
      }
      group.operands.push_back(std::move(operand));
      expect_operand = false;
      continue;
    }

    const int precedence = Precedence(current_.kind);
    if (precedence > 0) {
      while (!group.operators.empty() && Precedence(group.operators.back()) >= precedence) {
        if (!Reduce(group)) return false;
      }
      group.operators.push_back(current_.kind);
      Advance();
      expect_operand = true;
      after_operator = true;
      continue;
    }

    // Neither an operator nor an operand: this group ends here.
    while (!group.operators.empty()) {
      if (!Reduce(group)) return false;
    }
    AstExpr finished = std::move(group.operands.back());
    if (groups.size() == 1) {
      *out = std::move(finished);
      return true;
    }
    if (!Expect(TokenKind::kRightParen)) return false;
    groups.pop_back();
    groups.back().operands.push_back(std::move(finished));
  }
}

// Combines the last two operands with the last operator, flattening unions into unions and
// intersections into intersections as SpiceDB's translator does.
bool Parser::Reduce(Group& group) {
  const AstExpr::Kind kind = KindForOperator(group.operators.back());
  group.operators.pop_back();
  AstExpr right = std::move(group.operands.back());
  group.operands.pop_back();
  AstExpr& left = group.operands.back();

  if (kind == AstExpr::Kind::kExclusion || left.kind != kind) {
    AstExpr node;
    node.kind = kind;
    node.pos = left.pos;
    node.depth = left.depth + 1;
    node.children.push_back(std::move(left));
    left = std::move(node);
  }
  auto append = [&left](AstExpr child) {
    left.depth = std::max(left.depth, child.depth + 1);
    left.children.push_back(std::move(child));
  };
  if (kind != AstExpr::Kind::kExclusion && right.kind == kind) {
    for (AstExpr& child : right.children) append(std::move(child));
  } else {
    append(std::move(right));
  }
  if (left.depth > kMaxNestingDepth) {
    return Fail(absl::StrCat("expression nesting exceeds the maximum depth of ", kMaxNestingDepth));
  }
  return true;
}

// An identifier, optionally followed by arrows: `rel`, `rel->perm`, `rel.any(perm)`.
bool Parser::ParseOperandChain(AstExpr* out) {
  out->kind = AstExpr::Kind::kIdentifier;
  out->pos = Here();
  out->name = std::string(current_.text);
  Advance();
  while (Is(TokenKind::kRightArrow) || Is(TokenKind::kPeriod)) {
    const bool is_function = Is(TokenKind::kPeriod);
    Advance();
    std::string target;
    RewriteNode::ArrowFunction function = RewriteNode::ArrowFunction::kAny;
    if (is_function) {
      std::string function_name;
      if (!ExpectIdentifier(&function_name)) return false;
      if (function_name != "any" && function_name != "all") {
        return Fail(
            absl::StrCat("Expected 'any' or 'all' for arrow function, found: ", function_name));
      }
      if (!Expect(TokenKind::kLeftParen)) return false;
      if (!Is(TokenKind::kIdentifier)) {
        return Fail(absl::StrCat("Expected right hand expression, found: ", CurrentKind()));
      }
      target = std::string(current_.text);
      Advance();
      if (!Expect(TokenKind::kRightParen)) return false;
      if (function_name == "all") function = RewriteNode::ArrowFunction::kAll;
    } else {
      if (!Is(TokenKind::kIdentifier)) {
        return Fail(absl::StrCat("Expected right hand expression, found: ", CurrentKind()));
      }
      target = std::string(current_.text);
      Advance();
    }
    if (out->kind == AstExpr::Kind::kArrow) {
      out->nested_arrow = true;
    } else {
      out->kind = AstExpr::Kind::kArrow;
      out->arrow_target = std::move(target);
      out->arrow_function = function;
      out->arrow_is_function = is_function;
    }
  }
  return true;
}

bool Parser::ParseCaveat() {
  AstCaveat caveat;
  caveat.pos = Here();
  caveat.comments = NormalizeComments(current_.comments);
  Advance();  // `caveat`
  if (!ParseTypePath(&caveat.name)) return false;
  if (!Expect(TokenKind::kLeftParen)) return false;
  while (true) {
    if (!Is(TokenKind::kIdentifier)) {
      // SpiceDB's error for this lands on a detached node and is lost: parsing resumes at the
      // root with the caveat kept as far as it got.
      file_.items.push_back(std::move(caveat));
      return true;
    }
    AstCaveatParameter parameter;
    parameter.pos = Here();
    parameter.name = std::string(current_.text);
    Advance();
    if (!ParseCaveatType(1, &parameter.type)) return false;
    caveat.parameters.push_back(std::move(parameter));
    if (!TryConsume(TokenKind::kComma)) break;
  }
  if (!Expect(TokenKind::kRightParen)) return false;
  if (!Expect(TokenKind::kLeftBrace)) return false;

  // The expression is CEL, kept as text: everything up to the brace matching the opening one.
  int depth = 1;
  bool empty = true;
  size_t begin = 0;
  size_t end = 0;
  while (!Is(TokenKind::kError) && !Is(TokenKind::kEof)) {
    if (Is(TokenKind::kLeftBrace)) ++depth;
    if (Is(TokenKind::kRightBrace) && --depth == 0) break;
    if (empty) {
      begin = static_cast<size_t>(current_.offset);
      caveat.expression_pos = Here();
    }
    empty = false;
    end = static_cast<size_t>(current_.offset) + current_.text.size();
    Advance();
  }
  if (empty) {
    // As with a bad parameter, SpiceDB loses this error and carries on at the root.
    file_.items.push_back(std::move(caveat));
    return true;
  }
  caveat.has_expression = true;
  caveat.expression = std::string(text_.substr(begin, end - begin));
  if (!Expect(TokenKind::kRightBrace)) return false;
  file_.items.push_back(std::move(caveat));
  return true;
}

bool Parser::ParseCaveatType(int depth, AstCaveatType* out) {
  if (depth > kMaxNestingDepth) {
    return Fail(absl::StrCat("caveat parameter type nesting exceeds the maximum depth of ",
                             kMaxNestingDepth));
  }
  out->pos = Here();
  if (!ExpectIdentifier(&out->name)) return false;
  if (!TryConsume(TokenKind::kLessThan)) return true;
  do {
    AstCaveatType child;
    if (!ParseCaveatType(depth + 1, &child)) return false;
    out->children.push_back(std::move(child));
  } while (TryConsume(TokenKind::kComma));
  return Expect(TokenKind::kGreaterThan);
}

}  // namespace

ParseResult Parse(absl::string_view text) { return Parser(text).Run(); }

}  // namespace rebac::schema::internal
