#include "schema/caveats/unparser.h"

#include <cstddef>
#include <string>

#include "absl/strings/str_cat.h"
#include "schema/caveats/format.h"

namespace rebac::schema::caveats::internal {
namespace {

// cel-go's operator precedence: a lower number binds tighter; 0 for non-operators.
int Precedence(const Expr& e) {
  if (e.kind != Expr::Kind::kCall || e.has_target) return 0;
  const std::string& f = e.name;
  if (f == "_?_:_") return 8;
  if (f == "_||_") return 7;
  if (f == "_&&_") return 6;
  if (f == "_==_" || f == "_!=_" || f == "_<_" || f == "_<=_" || f == "_>_" || f == "_>=_" ||
      f == "@in") {
    return 5;
  }
  if (f == "_+_" || f == "_-_") return 4;
  if (f == "_*_" || f == "_/_" || f == "_%_") return 3;
  if (f == "!_" || f == "-_") return 2;
  if (f == "_[_]") return 1;
  return 0;
}

bool IsBinaryOrTernary(const Expr& e) {
  const int p = Precedence(e);
  return p >= 3 && p <= 8;
}

const char* Symbol(const std::string& f) {
  if (f == "_||_") return "||";
  if (f == "_&&_") return "&&";
  if (f == "_==_") return "==";
  if (f == "_!=_") return "!=";
  if (f == "_<_") return "<";
  if (f == "_<=_") return "<=";
  if (f == "_>_") return ">";
  if (f == "_>=_") return ">=";
  if (f == "@in") return "in";
  if (f == "_+_") return "+";
  if (f == "_-_") return "-";
  if (f == "_*_") return "*";
  if (f == "_/_") return "/";
  if (f == "_%_") return "%";
  return "?";
}

// cel-go's default unparser options, which SpiceDB's ReadSchema uses: a line is broken after an
// `&&` or `||` once it would reach this column.
constexpr size_t kWrapOnColumn = 80;

class Unparser {
 public:
  std::string Take() { return std::move(out_); }

  void Visit(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kLiteral:
        Literal(e.literal);
        return;
      case Expr::Kind::kIdent:
        out_ += e.name;
        return;
      case Expr::Kind::kSelect:
        Maybe(*e.args[0], IsBinaryOrTernary(*e.args[0]));
        absl::StrAppend(&out_, ".", e.name);
        return;
      case Expr::Kind::kPresenceTest:
        out_ += "has(";
        Visit(*e.args[0]);
        absl::StrAppend(&out_, ".", e.name, ")");
        return;
      case Expr::Kind::kList:
        out_ += "[";
        for (size_t i = 0; i < e.args.size(); ++i) {
          if (i > 0) out_ += ", ";
          Visit(*e.args[i]);
        }
        out_ += "]";
        return;
      case Expr::Kind::kMap:
        out_ += "{";
        for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
          if (i > 0) out_ += ", ";
          Visit(*e.args[i]);
          out_ += ": ";
          Visit(*e.args[i + 1]);
        }
        out_ += "}";
        return;
      case Expr::Kind::kComprehension:
        Maybe(*e.args[0], IsBinaryOrTernary(*e.args[0]));
        absl::StrAppend(&out_, ".", e.name, "(", e.variable, ", ");
        Visit(*e.args[1]);
        out_ += ")";
        return;
      case Expr::Kind::kCall:
        Call(e);
        return;
    }
  }

 private:
  void Maybe(const Expr& e, bool parenthesize) {
    if (parenthesize) out_ += "(";
    Visit(e);
    if (parenthesize) out_ += ")";
  }

  void Literal(const Value& v) {
    switch (v.kind()) {
      case Value::Kind::kDouble: {
        // Keep a double a double when read back: `2.0`, not `2`.
        std::string text = FormatDouble(v.double_value());
        if (text.find_first_of(".eIN") == std::string::npos) text += ".0";
        out_ += text;
        return;
      }
      case Value::Kind::kBytes:
        // cel-go writes every byte as a three-digit octal escape: b"abc" is b"\141\142\143".
        out_ += "b\"";
        for (unsigned char c : v.string_value()) {
          out_ += '\\';
          out_ += static_cast<char>('0' + ((c >> 6) & 7));
          out_ += static_cast<char>('0' + ((c >> 3) & 7));
          out_ += static_cast<char>('0' + (c & 7));
        }
        out_ += "\"";
        return;
      default:
        out_ += v.DebugString();
    }
  }

  // cel-go's writeOperatorWithWrapping with its defaults: the line length counts from the last
  // break, plus the length of the operator's function name (`_&&_`); at the limit the operator
  // ends the line.
  void Operator(const std::string& function) {
    const bool wraps = function == "_&&_" || function == "_||_";
    if (wraps && out_.size() - last_wrapped_ + function.size() >= kWrapOnColumn) {
      last_wrapped_ = out_.size();
      absl::StrAppend(&out_, " ", Symbol(function), "\n");
      return;
    }
    absl::StrAppend(&out_, " ", Symbol(function), " ");
  }

  void Call(const Expr& e) {
    const std::string& f = e.name;
    const int p = Precedence(e);
    if (f == "_?_:_") {
      Maybe(*e.args[0], Precedence(*e.args[0]) == 8 || IsBinaryOrTernary(*e.args[0]));
      out_ += " ? ";
      // The grammar reads the middle operand as a `||` expression.
      Maybe(*e.args[1], Precedence(*e.args[1]) >= 8);
      out_ += " : ";
      Maybe(*e.args[2], Precedence(*e.args[2]) > 8);
      return;
    }
    if (f == "!_" || f == "-_") {
      out_ += f == "!_" ? "!" : "-";
      Maybe(*e.args[0], IsBinaryOrTernary(*e.args[0]));
      return;
    }
    if (f == "_[_]") {
      Maybe(*e.args[0], IsBinaryOrTernary(*e.args[0]));
      out_ += "[";
      Visit(*e.args[1]);
      out_ += "]";
      return;
    }
    if (p >= 3 && p <= 7) {
      const Expr& left = *e.args[0];
      const Expr& right = *e.args[1];
      const bool left_paren = Precedence(left) > p;
      bool right_paren = Precedence(right) > p;
      // All binary operators but && and || associate to the left.
      if (!right_paren && f != "_&&_" && f != "_||_") right_paren = Precedence(right) == p;
      Maybe(left, left_paren);
      Operator(f);
      Maybe(right, right_paren);
      return;
    }
    size_t first = 0;
    if (e.has_target) {
      Maybe(*e.args[0], IsBinaryOrTernary(*e.args[0]));
      out_ += ".";
      first = 1;
    }
    absl::StrAppend(&out_, f, "(");
    for (size_t i = first; i < e.args.size(); ++i) {
      if (i > first) out_ += ", ";
      Visit(*e.args[i]);
    }
    out_ += ")";
  }

  std::string out_;
  size_t last_wrapped_ = 0;  // where the current line started, for wrapping
};

}  // namespace

std::string Unparse(const Expr& root) {
  Unparser unparser;
  unparser.Visit(root);
  return unparser.Take();
}

}  // namespace rebac::schema::caveats::internal
