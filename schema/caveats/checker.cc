#include "schema/caveats/checker.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rebac::schema::caveats::internal {
namespace {

using K = Type::Kind;

Type T(K kind) { return Type::Of(kind); }

// Whether a value of type `a` may be used where `b` is expected, `dyn` matching anything at any
// depth.
bool Assignable(const Type& a, const Type& b) {
  if (a.IsDyn() || b.IsDyn()) return true;
  if (a.kind != b.kind) return false;
  if (a.kind == K::kList || a.kind == K::kMap) return Assignable(a.Element(), b.Element());
  return true;
}

// The type both `a` and `b` fit, for list literals and the ternary: equal types stay, otherwise
// dyn where they differ (CEL's default for heterogeneous aggregate literals).
Type Join(const Type& a, const Type& b) {
  if (a == b) return a;
  if (a.kind == b.kind && (a.kind == K::kList || a.kind == K::kMap)) {
    Type joined = Join(a.Element(), b.Element());
    return a.kind == K::kList ? Type::List(std::move(joined)) : Type::Map(std::move(joined));
  }
  return T(K::kDyn);
}

struct Signature {
  const char* function;
  bool member;
  std::vector<K> args;
  K result;
};

// The non-generic overloads of CEL's standard library that caveats use, plus SpiceDB's
// ipaddress functions. Lists, maps, equality, `in`, indexing, size and the ternary are generic
// and handled in code.
const std::vector<Signature>& Signatures() {
  static const auto* const kSignatures = new std::vector<Signature>{
      {"!_", false, {K::kBool}, K::kBool},
      {"-_", false, {K::kInt}, K::kInt},
      {"-_", false, {K::kDouble}, K::kDouble},
      {"_&&_", false, {K::kBool, K::kBool}, K::kBool},
      {"_||_", false, {K::kBool, K::kBool}, K::kBool},
      {"_+_", false, {K::kInt, K::kInt}, K::kInt},
      {"_+_", false, {K::kUint, K::kUint}, K::kUint},
      {"_+_", false, {K::kDouble, K::kDouble}, K::kDouble},
      {"_+_", false, {K::kString, K::kString}, K::kString},
      {"_+_", false, {K::kBytes, K::kBytes}, K::kBytes},
      {"_+_", false, {K::kTimestamp, K::kDuration}, K::kTimestamp},
      {"_+_", false, {K::kDuration, K::kTimestamp}, K::kTimestamp},
      {"_+_", false, {K::kDuration, K::kDuration}, K::kDuration},
      {"_-_", false, {K::kInt, K::kInt}, K::kInt},
      {"_-_", false, {K::kUint, K::kUint}, K::kUint},
      {"_-_", false, {K::kDouble, K::kDouble}, K::kDouble},
      {"_-_", false, {K::kTimestamp, K::kTimestamp}, K::kDuration},
      {"_-_", false, {K::kTimestamp, K::kDuration}, K::kTimestamp},
      {"_-_", false, {K::kDuration, K::kDuration}, K::kDuration},
      {"_*_", false, {K::kInt, K::kInt}, K::kInt},
      {"_*_", false, {K::kUint, K::kUint}, K::kUint},
      {"_*_", false, {K::kDouble, K::kDouble}, K::kDouble},
      {"_/_", false, {K::kInt, K::kInt}, K::kInt},
      {"_/_", false, {K::kUint, K::kUint}, K::kUint},
      {"_/_", false, {K::kDouble, K::kDouble}, K::kDouble},
      {"_%_", false, {K::kInt, K::kInt}, K::kInt},
      {"_%_", false, {K::kUint, K::kUint}, K::kUint},
      {"size", false, {K::kString}, K::kInt},
      {"size", true, {K::kString}, K::kInt},
      {"size", false, {K::kBytes}, K::kInt},
      {"size", true, {K::kBytes}, K::kInt},
      {"startsWith", true, {K::kString, K::kString}, K::kBool},
      {"endsWith", true, {K::kString, K::kString}, K::kBool},
      {"contains", true, {K::kString, K::kString}, K::kBool},
      {"matches", true, {K::kString, K::kString}, K::kBool},
      {"matches", false, {K::kString, K::kString}, K::kBool},
      {"duration", false, {K::kString}, K::kDuration},
      {"duration", false, {K::kDuration}, K::kDuration},
      {"timestamp", false, {K::kString}, K::kTimestamp},
      {"timestamp", false, {K::kTimestamp}, K::kTimestamp},
      {"timestamp", false, {K::kInt}, K::kTimestamp},
      {"ipaddress", false, {K::kString}, K::kIpAddress},
      {"in_cidr", true, {K::kIpAddress, K::kString}, K::kBool},
      {"int", false, {K::kInt}, K::kInt},
      {"int", false, {K::kUint}, K::kInt},
      {"int", false, {K::kDouble}, K::kInt},
      {"int", false, {K::kString}, K::kInt},
      {"int", false, {K::kTimestamp}, K::kInt},
      {"uint", false, {K::kUint}, K::kUint},
      {"uint", false, {K::kInt}, K::kUint},
      {"uint", false, {K::kDouble}, K::kUint},
      {"uint", false, {K::kString}, K::kUint},
      {"double", false, {K::kDouble}, K::kDouble},
      {"double", false, {K::kInt}, K::kDouble},
      {"double", false, {K::kUint}, K::kDouble},
      {"double", false, {K::kString}, K::kDouble},
      {"string", false, {K::kString}, K::kString},
      {"string", false, {K::kInt}, K::kString},
      {"string", false, {K::kUint}, K::kString},
      {"string", false, {K::kDouble}, K::kString},
      {"string", false, {K::kBool}, K::kString},
      {"string", false, {K::kBytes}, K::kString},
      {"string", false, {K::kTimestamp}, K::kString},
      {"string", false, {K::kDuration}, K::kString},
      {"string", false, {K::kIpAddress}, K::kString},
      {"bytes", false, {K::kBytes}, K::kBytes},
      {"bytes", false, {K::kString}, K::kBytes},
      {"bool", false, {K::kBool}, K::kBool},
      {"bool", false, {K::kString}, K::kBool},
      {"getFullYear", true, {K::kTimestamp}, K::kInt},
      {"getMonth", true, {K::kTimestamp}, K::kInt},
      {"getDayOfYear", true, {K::kTimestamp}, K::kInt},
      {"getDayOfMonth", true, {K::kTimestamp}, K::kInt},
      {"getDate", true, {K::kTimestamp}, K::kInt},
      {"getDayOfWeek", true, {K::kTimestamp}, K::kInt},
      {"getHours", true, {K::kTimestamp}, K::kInt},
      {"getMinutes", true, {K::kTimestamp}, K::kInt},
      {"getSeconds", true, {K::kTimestamp}, K::kInt},
      {"getMilliseconds", true, {K::kTimestamp}, K::kInt},
      {"getHours", true, {K::kDuration}, K::kInt},
      {"getMinutes", true, {K::kDuration}, K::kInt},
      {"getSeconds", true, {K::kDuration}, K::kInt},
      {"getMilliseconds", true, {K::kDuration}, K::kInt},
  };
  return *kSignatures;
}

bool IsNumeric(K kind) { return kind == K::kInt || kind == K::kUint || kind == K::kDouble; }

bool Orderable(K kind) {
  return IsNumeric(kind) || kind == K::kString || kind == K::kBytes || kind == K::kBool ||
         kind == K::kTimestamp || kind == K::kDuration;
}

bool IsKnownFunction(absl::string_view name) {
  for (const Signature& signature : Signatures()) {
    if (name == signature.function) return true;
  }
  return name == "size";
}

class Checker {
 public:
  Checker(const std::vector<Parameter>& parameters, std::set<std::string>* referenced)
      : parameters_(parameters), referenced_(referenced) {}

  bool Check(Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kLiteral:
        e.type = LiteralType(e.literal);
        return true;
      case Expr::Kind::kIdent:
        return CheckIdent(e);
      case Expr::Kind::kSelect:
      case Expr::Kind::kPresenceTest:
        return CheckSelect(e);
      case Expr::Kind::kList: {
        Type element = T(K::kDyn);
        for (size_t i = 0; i < e.args.size(); ++i) {
          if (!Check(*e.args[i])) return false;
          element = i == 0 ? e.args[i]->type : Join(element, e.args[i]->type);
        }
        e.type = Type::List(std::move(element));
        return true;
      }
      case Expr::Kind::kMap: {
        Type value = T(K::kDyn);
        for (size_t i = 0; i < e.args.size(); ++i) {
          if (!Check(*e.args[i])) return false;
          if (i % 2 == 0) {
            if (!Assignable(e.args[i]->type, T(K::kString))) {
              return Fail(e.args[i]->offset, "map keys in caveat expressions must be strings");
            }
            continue;
          }
          value = i == 1 ? e.args[i]->type : Join(value, e.args[i]->type);
        }
        e.type = Type::Map(std::move(value));
        return true;
      }
      case Expr::Kind::kComprehension:
        return CheckComprehension(e);
      case Expr::Kind::kCall:
        return CheckCall(e);
    }
    return false;
  }

  std::optional<ExpressionError> error() { return std::move(error_); }

 private:
  bool Fail(int offset, std::string message) {
    if (!error_) error_ = ExpressionError{std::move(message), offset};
    return false;
  }

  static Type LiteralType(const Value& value) {
    switch (value.kind()) {
      case Value::Kind::kNull:
        return T(K::kNull);
      case Value::Kind::kBool:
        return T(K::kBool);
      case Value::Kind::kInt:
        return T(K::kInt);
      case Value::Kind::kUint:
        return T(K::kUint);
      case Value::Kind::kDouble:
        return T(K::kDouble);
      case Value::Kind::kString:
        return T(K::kString);
      case Value::Kind::kBytes:
        return T(K::kBytes);
      default:
        return T(K::kDyn);
    }
  }

  bool CheckIdent(Expr& e) {
    for (auto it = variables_.rbegin(); it != variables_.rend(); ++it) {
      if (it->first == e.name) {
        e.type = it->second;
        return true;
      }
    }
    for (const Parameter& parameter : parameters_) {
      if (parameter.name == e.name) {
        e.type = parameter.type.cel;
        referenced_->insert(e.name);
        return true;
      }
    }
    return Fail(e.offset, absl::StrCat("undeclared reference to '", e.name, "' (in container '')"));
  }

  bool CheckSelect(Expr& e) {
    Expr& operand = *e.args[0];
    if (!Check(operand)) return false;
    if (operand.type.kind != K::kMap && !operand.type.IsDyn()) {
      return Fail(e.offset, absl::StrCat("type '", operand.type.CelName(),
                                         "' does not support field selection"));
    }
    e.type = e.kind == Expr::Kind::kPresenceTest ? T(K::kBool) : operand.type.Element();
    return true;
  }

  bool CheckComprehension(Expr& e) {
    Expr& range = *e.args[0];
    if (!Check(range)) return false;
    Type variable;
    if (range.type.kind == K::kList) {
      variable = range.type.Element();
    } else if (range.type.kind == K::kMap) {
      variable = T(K::kString);
    } else if (range.type.IsDyn()) {
      variable = T(K::kDyn);
    } else {
      // cel-go reports it at the range expression itself.
      return Fail(range.offset, absl::StrCat("expression of type '", range.type.CelName(),
                                             "' cannot be range of a comprehension (must be list, "
                                             "map, or dynamic)"));
    }
    variables_.emplace_back(e.variable, variable);
    const bool ok = Check(*e.args[1]);
    variables_.pop_back();
    if (!ok) return false;
    const Type& step = e.args[1]->type;
    if (e.name == "map") {
      e.type = Type::List(step);
      return true;
    }
    if (!Assignable(step, T(K::kBool))) {
      return Fail(e.args[1]->offset, absl::StrCat("found no matching overload for '", e.name,
                                                  "' applied to '(", step.CelName(), ")'"));
    }
    e.type = e.name == "filter" ? Type::List(variable) : T(K::kBool);
    return true;
  }

  bool NoOverload(const Expr& e) {
    std::vector<std::string> names;
    for (size_t i = e.has_target ? 1 : 0; i < e.args.size(); ++i) {
      names.push_back(e.args[i]->type.CelName());
    }
    const std::string arguments = absl::StrCat("(", absl::StrJoin(names, ", "), ")");
    return Fail(e.offset,
                absl::StrCat("found no matching overload for '", e.name, "' applied to '",
                             e.has_target ? e.args[0]->type.CelName() + "." : "", arguments, "'"));
  }

  bool CheckCall(Expr& e) {
    for (auto& arg : e.args) {
      if (!Check(*arg)) return false;
    }
    if (!IsKnownFunction(e.name) && e.name[0] != '_' && e.name != "@in" && e.name != "-_" &&
        e.name != "!_") {
      // cel-go knows no function of that name at all, member or global.
      return Fail(e.offset,
                  absl::StrCat("undeclared reference to '", e.name, "' (in container '')"));
    }
    std::vector<Type> args;
    for (auto& arg : e.args) args.push_back(arg->type);
    const std::string& f = e.name;
    if (f == "_?_:_") {
      if (!Assignable(args[0], T(K::kBool)) || !Assignable(args[1], args[2])) return NoOverload(e);
      e.type = Join(args[1], args[2]);
      return true;
    }
    if (f == "_==_" || f == "_!=_") {
      if (!Assignable(args[0], args[1])) return NoOverload(e);
      e.type = T(K::kBool);
      return true;
    }
    if (f == "_<_" || f == "_<=_" || f == "_>_" || f == "_>=_") {
      // Same types only: SpiceDB's CEL environment has no cross-type numeric overloads
      // ("found no matching overload for '_>_' applied to '(int, double)'"; a uint parameter
      // is an int there, so `u > 1u` is refused too — verified on SpiceDB v1.54).
      const bool ok = (args[0].IsDyn() && (args[1].IsDyn() || Orderable(args[1].kind))) ||
                      (args[1].IsDyn() && Orderable(args[0].kind)) ||
                      (args[0].kind == args[1].kind && Orderable(args[0].kind));
      if (!ok) return NoOverload(e);
      e.type = T(K::kBool);
      return true;
    }
    if (f == "_[_]") {
      if (args[0].kind == K::kList && Assignable(args[1], T(K::kInt))) {
        e.type = args[0].Element();
        return true;
      }
      if (args[0].kind == K::kMap && Assignable(args[1], T(K::kString))) {
        e.type = args[0].Element();
        return true;
      }
      if (args[0].IsDyn()) {
        e.type = T(K::kDyn);
        return true;
      }
      return NoOverload(e);
    }
    if (f == "@in") {
      const bool ok = args[1].IsDyn() ||
                      (args[1].kind == K::kList && Assignable(args[0], args[1].Element())) ||
                      (args[1].kind == K::kMap && Assignable(args[0], T(K::kString)));
      if (!ok) return NoOverload(e);
      e.type = T(K::kBool);
      return true;
    }
    if (f == "_+_" && (args[0].kind == K::kList || args[1].kind == K::kList) &&
        Assignable(args[0], args[1])) {
      e.type = args[0].kind == K::kList && args[1].kind == K::kList
                   ? Join(args[0], args[1])
                   : (args[0].kind == K::kList ? args[0] : args[1]);
      return true;
    }
    if (f == "size" && args.size() == 1 && (args[0].kind == K::kList || args[0].kind == K::kMap)) {
      e.type = T(K::kInt);
      return true;
    }
    // Table overloads; with dyn arguments several may fit, and the result is their common type.
    bool found = false;
    Type result;
    for (const Signature& signature : Signatures()) {
      if (f != signature.function || signature.member != e.has_target ||
          signature.args.size() != args.size()) {
        continue;
      }
      bool fits = true;
      for (size_t i = 0; i < args.size() && fits; ++i) {
        fits = args[i].IsDyn() || args[i].kind == signature.args[i];
      }
      if (!fits) continue;
      const Type candidate = T(signature.result);
      result = found && !(result == candidate) ? T(K::kDyn) : candidate;
      found = true;
    }
    bool any_dyn = false;
    for (const Type& arg : args) any_dyn = any_dyn || arg.IsDyn();
    if (!found && any_dyn && (f == "_+_" || f == "size" || f == "@in")) {
      e.type = f == "_+_" ? T(K::kDyn) : f == "size" ? T(K::kInt) : T(K::kBool);
      return true;
    }
    if (!found) return NoOverload(e);
    e.type = result;
    return true;
  }

  const std::vector<Parameter>& parameters_;
  std::set<std::string>* referenced_;
  std::vector<std::pair<std::string, Type>> variables_;  // comprehension scopes, innermost last
  std::optional<ExpressionError> error_;
};

}  // namespace

std::optional<ExpressionError> CheckExpression(Expr* root, const std::vector<Parameter>& parameters,
                                               std::set<std::string>* referenced) {
  Checker checker(parameters, referenced);
  if (checker.Check(*root)) return std::nullopt;
  return checker.error();
}

}  // namespace rebac::schema::caveats::internal
