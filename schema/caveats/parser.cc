#include "schema/caveats/parser.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "schema/caveats/lexer.h"

namespace rebac::schema::caveats::internal {
namespace {

using ExprPtr = std::unique_ptr<Expr>;

bool IsReserved(absl::string_view word) {
  static constexpr absl::string_view kReserved[] = {
      "as",  "break", "const",   "continue",  "else",   "for", "function", "if",   "import",
      "let", "loop",  "package", "namespace", "return", "var", "void",     "while"};
  return std::find(std::begin(kReserved), std::end(kReserved), word) != std::end(kReserved);
}

class Parser {
 public:
  explicit Parser(absl::string_view text) : lexer_(text) { Advance(); }

  ParsedExpression Run() {
    ParsedExpression out;
    ExprPtr root = ParseExpr();
    if (!error_ && current_.kind != CelToken::Kind::kEnd) {
      Fail(current_.offset, absl::StrCat("Syntax error: extraneous input '", current_.text, "'"));
    }
    if (error_) {
      out.error = std::move(error_);
    } else {
      out.root = std::move(root);
    }
    return out;
  }

 private:
  void Advance() {
    if (current_.kind == CelToken::Kind::kError) return;
    current_ = lexer_.Next();
    if (current_.kind == CelToken::Kind::kError) Fail(current_.offset, current_.error);
  }
  bool IsOp(absl::string_view op) const {
    return current_.kind == CelToken::Kind::kOperator && current_.text == op;
  }
  bool IsWord(absl::string_view word) const {
    return current_.kind == CelToken::Kind::kIdent && current_.text == word;
  }
  // Records the first error only; later ones are consequences.
  ExprPtr Fail(int offset, std::string message) {
    if (!error_) error_ = ExpressionError{std::move(message), offset};
    return nullptr;
  }
  ExprPtr Unexpected() {
    if (current_.kind == CelToken::Kind::kEnd) {
      return Fail(current_.offset, "Syntax error: mismatched input '<EOF>'");
    }
    return Fail(current_.offset,
                absl::StrCat("Syntax error: mismatched input '", current_.text, "'"));
  }
  bool Expect(absl::string_view op) {
    if (!IsOp(op)) {
      Unexpected();
      return false;
    }
    Advance();
    return true;
  }

  ExprPtr Node(Expr::Kind kind, int offset) {
    auto node = std::make_unique<Expr>();
    node->kind = kind;
    node->offset = offset;
    return node;
  }
  // Finishes a node: computes its height and refuses trees that are too deep.
  ExprPtr Seal(ExprPtr node) {
    if (!node) return nullptr;
    int height = 0;
    for (const ExprPtr& arg : node->args) height = std::max(height, arg ? arg->height : 0);
    node->height = height + 1;
    if (node->height > kMaxExpressionDepth) {
      return Fail(node->offset, "max recursion depth exceeded");
    }
    return node;
  }
  ExprPtr Call(absl::string_view function, int offset, std::vector<ExprPtr> args) {
    for (const ExprPtr& arg : args) {
      if (!arg) return nullptr;
    }
    ExprPtr node = Node(Expr::Kind::kCall, offset);
    node->name = std::string(function);
    node->args = std::move(args);
    return Seal(std::move(node));
  }
  ExprPtr Binary(absl::string_view function, int offset, ExprPtr left, ExprPtr right) {
    std::vector<ExprPtr> args;
    args.push_back(std::move(left));
    args.push_back(std::move(right));
    return Call(function, offset, std::move(args));
  }

  // Guards the parser's own recursion (parentheses, nested literals, arguments).
  struct DepthGuard {
    explicit DepthGuard(Parser* parser) : parser(parser) { ++parser->depth_; }
    ~DepthGuard() { --parser->depth_; }
    Parser* parser;
  };
  bool TooDeep() {
    if (depth_ <= kMaxExpressionDepth) return false;
    Fail(current_.offset, "max recursion depth exceeded");
    return true;
  }

  ExprPtr ParseExpr() {
    DepthGuard guard(this);
    if (TooDeep()) return nullptr;
    ExprPtr condition = ParseLogical("||");
    if (!condition || !IsOp("?")) return condition;
    const int offset = current_.offset;
    Advance();
    ExprPtr then = ParseLogical("||");
    if (!then || !Expect(":")) return nullptr;
    ExprPtr otherwise = ParseExpr();
    std::vector<ExprPtr> args;
    args.push_back(std::move(condition));
    args.push_back(std::move(then));
    args.push_back(std::move(otherwise));
    return Call("_?_:_", offset, std::move(args));
  }

  // `||` over `&&` over relations; operands collected, then balanced.
  ExprPtr ParseLogical(absl::string_view op) {
    std::vector<ExprPtr> terms;
    std::vector<int> offsets;
    ExprPtr first = op == "||" ? ParseLogical("&&") : ParseRelation();
    if (!first) return nullptr;
    terms.push_back(std::move(first));
    while (IsOp(op)) {
      offsets.push_back(current_.offset);
      Advance();
      ExprPtr next = op == "||" ? ParseLogical("&&") : ParseRelation();
      if (!next) return nullptr;
      terms.push_back(std::move(next));
    }
    return Balance(op == "||" ? "_||_" : "_&&_", terms, offsets, 0, terms.size() - 1);
  }
  ExprPtr Balance(absl::string_view function, std::vector<ExprPtr>& terms,
                  const std::vector<int>& offsets, size_t lo, size_t hi) {
    if (lo == hi) return std::move(terms[lo]);
    const size_t mid = (lo + hi + 1) / 2;
    ExprPtr left = Balance(function, terms, offsets, lo, mid - 1);
    ExprPtr right = Balance(function, terms, offsets, mid, hi);
    return Binary(function, offsets[mid - 1], std::move(left), std::move(right));
  }

  ExprPtr ParseRelation() {
    ExprPtr left = ParseAddition();
    while (left) {
      absl::string_view function;
      if (IsOp("<")) {
        function = "_<_";
      } else if (IsOp("<=")) {
        function = "_<=_";
      } else if (IsOp(">")) {
        function = "_>_";
      } else if (IsOp(">=")) {
        function = "_>=_";
      } else if (IsOp("==")) {
        function = "_==_";
      } else if (IsOp("!=")) {
        function = "_!=_";
      } else if (IsWord("in")) {
        function = "@in";
      } else {
        break;
      }
      const int offset = current_.offset;
      Advance();
      left = Binary(function, offset, std::move(left), ParseAddition());
    }
    return left;
  }

  ExprPtr ParseAddition() {
    ExprPtr left = ParseMultiplication();
    while (left && (IsOp("+") || IsOp("-"))) {
      const absl::string_view function = IsOp("+") ? "_+_" : "_-_";
      const int offset = current_.offset;
      Advance();
      left = Binary(function, offset, std::move(left), ParseMultiplication());
    }
    return left;
  }

  ExprPtr ParseMultiplication() {
    ExprPtr left = ParseUnary();
    while (left && (IsOp("*") || IsOp("/") || IsOp("%"))) {
      const absl::string_view function = IsOp("*") ? "_*_" : IsOp("/") ? "_/_" : "_%_";
      const int offset = current_.offset;
      Advance();
      left = Binary(function, offset, std::move(left), ParseUnary());
    }
    return left;
  }

  ExprPtr ParseUnary() {
    DepthGuard guard(this);
    if (TooDeep()) return nullptr;
    if (IsOp("!") || IsOp("-")) {
      const bool negate = IsOp("-");
      const int offset = current_.offset;
      Advance();
      // `-` directly on a number literal is part of the literal, as in CEL, so the most
      // negative int can be written.
      // Not for int 0: `-0` folded to 0 would print without its sign and so not round-trip.
      if (negate && current_.kind == CelToken::Kind::kLiteral &&
          ((current_.literal.kind() == Value::Kind::kInt && current_.literal.int_value() != 0) ||
           current_.literal.kind() == Value::Kind::kDouble || current_.error == "int-min")) {
        ExprPtr literal = Node(Expr::Kind::kLiteral, offset);
        if (current_.error == "int-min") {
          literal->literal = Value::Int(INT64_MIN);
        } else if (current_.literal.kind() == Value::Kind::kInt) {
          literal->literal = Value::Int(-current_.literal.int_value());
        } else {
          literal->literal = Value::Double(-current_.literal.double_value());
        }
        Advance();
        return ParseMemberSuffix(Seal(std::move(literal)));
      }
      ExprPtr operand = ParseUnary();
      std::vector<ExprPtr> args;
      args.push_back(std::move(operand));
      return Call(negate ? "-_" : "!_", offset, std::move(args));
    }
    return ParseMemberSuffix(ParsePrimary());
  }

  // Arguments of a call, after `(`; consumes the `)`.
  bool ParseArguments(std::vector<ExprPtr>* args) {
    if (IsOp(")")) {
      Advance();
      return true;
    }
    while (true) {
      ExprPtr arg = ParseExpr();
      if (!arg) return false;
      args->push_back(std::move(arg));
      if (IsOp(",")) {
        Advance();
        continue;
      }
      return Expect(")");
    }
  }

  ExprPtr ParseMemberSuffix(ExprPtr operand) {
    while (operand) {
      if (IsOp(".")) {
        const int dot = current_.offset;  // where cel-go places a field selection
        Advance();
        if (current_.kind != CelToken::Kind::kIdent) return Unexpected();
        const std::string name(current_.text);
        Advance();
        if (IsOp("(")) {
          // cel-go places a call at its opening parenthesis.
          const int paren = current_.offset;
          Advance();
          std::vector<ExprPtr> args;
          if (!ParseArguments(&args)) return nullptr;
          operand = MemberCall(std::move(operand), name, paren, std::move(args));
        } else {
          ExprPtr select = Node(Expr::Kind::kSelect, dot);
          select->name = name;
          select->args.push_back(std::move(operand));
          operand = Seal(std::move(select));
        }
      } else if (IsOp("[")) {
        const int offset = current_.offset;
        Advance();
        ExprPtr index = ParseExpr();
        if (!index || !Expect("]")) return nullptr;
        operand = Binary("_[_]", offset, std::move(operand), std::move(index));
      } else {
        break;
      }
    }
    return operand;
  }

  ExprPtr MemberCall(ExprPtr target, const std::string& name, int offset,
                     std::vector<ExprPtr> args) {
    const bool macro = name == "all" || name == "exists" || name == "exists_one" || name == "map" ||
                       name == "filter";
    if (macro && args.size() == 2) {
      if (args[0]->kind != Expr::Kind::kIdent) {
        return Fail(args[0]->offset, "argument must be a simple name");
      }
      ExprPtr node = Node(Expr::Kind::kComprehension, offset);
      node->name = name;
      node->variable = args[0]->name;
      node->args.push_back(std::move(target));
      node->args.push_back(std::move(args[1]));
      return Seal(std::move(node));
    }
    ExprPtr node = Node(Expr::Kind::kCall, offset);
    node->name = name;
    node->has_target = true;
    node->args.push_back(std::move(target));
    for (ExprPtr& arg : args) node->args.push_back(std::move(arg));
    return Seal(std::move(node));
  }

  ExprPtr ParsePrimary() {
    DepthGuard guard(this);
    if (TooDeep()) return nullptr;
    const int offset = current_.offset;
    if (current_.kind == CelToken::Kind::kLiteral) {
      if (current_.error == "int-min") return Fail(offset, "invalid int literal");
      ExprPtr literal = Node(Expr::Kind::kLiteral, offset);
      literal->literal = current_.literal;
      Advance();
      return Seal(std::move(literal));
    }
    if (current_.kind == CelToken::Kind::kIdent) {
      const std::string name(current_.text);
      Advance();
      if (name == "true" || name == "false") {
        ExprPtr literal = Node(Expr::Kind::kLiteral, offset);
        literal->literal = Value::Bool(name == "true");
        return Seal(std::move(literal));
      }
      if (name == "null") return Seal(Node(Expr::Kind::kLiteral, offset));
      if (name == "in") {
        return Fail(offset, "Syntax error: mismatched input 'in'");
      }
      if (IsReserved(name)) return Fail(offset, absl::StrCat("reserved identifier: ", name));
      if (IsOp("(")) {
        const int paren = current_.offset;  // where cel-go places the call
        Advance();
        std::vector<ExprPtr> args;
        if (!ParseArguments(&args)) return nullptr;
        if (name == "has") {
          if (args.size() != 1 || args[0]->kind != Expr::Kind::kSelect) {
            return Fail(args.size() == 1 ? args[0]->offset : paren,
                        "invalid argument to has() macro");
          }
          ExprPtr test = std::move(args[0]);
          test->kind = Expr::Kind::kPresenceTest;
          return Seal(std::move(test));
        }
        return Call(name, paren, std::move(args));
      }
      ExprPtr ident = Node(Expr::Kind::kIdent, offset);
      ident->name = name;
      return Seal(std::move(ident));
    }
    if (IsOp("(")) {
      Advance();
      ExprPtr inner = ParseExpr();
      if (!inner || !Expect(")")) return nullptr;
      return inner;
    }
    if (IsOp("[")) {
      Advance();
      ExprPtr list = Node(Expr::Kind::kList, offset);
      while (!IsOp("]")) {
        ExprPtr item = ParseExpr();
        if (!item) return nullptr;
        list->args.push_back(std::move(item));
        if (!IsOp(",")) break;
        Advance();
      }
      if (!Expect("]")) return nullptr;
      return Seal(std::move(list));
    }
    if (IsOp("{")) {
      Advance();
      ExprPtr map = Node(Expr::Kind::kMap, offset);
      while (!IsOp("}")) {
        ExprPtr key = ParseExpr();
        if (!key || !Expect(":")) return nullptr;
        ExprPtr value = ParseExpr();
        if (!value) return nullptr;
        map->args.push_back(std::move(key));
        map->args.push_back(std::move(value));
        if (!IsOp(",")) break;
        Advance();
      }
      if (!Expect("}")) return nullptr;
      return Seal(std::move(map));
    }
    return Unexpected();
  }

  CelLexer lexer_;
  CelToken current_;
  std::optional<ExpressionError> error_;
  int depth_ = 0;
};

}  // namespace

ParsedExpression ParseExpression(absl::string_view text) { return Parser(text).Run(); }

}  // namespace rebac::schema::caveats::internal
