#include "schema/caveats/evaluate.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "re2/re2.h"
#include "schema/caveats/builtins.h"
#include "schema/caveats/format.h"

namespace rebac::schema::caveats {
namespace {

using internal::CompareValues;
using internal::ConvertValue;
using internal::TimeAccessor;
using internal::TimeArithmetic;
using VK = Value::Kind;

// The result of evaluating one node: a value, a CEL error, or unknown (with the missing
// parameters it depends on).
struct Outcome {
  enum class State { kValue, kError, kUnknown };
  State state = State::kValue;
  Value value;
  std::string error;
  std::set<std::string> unknown;

  static Outcome Of(Value v) {
    Outcome out;
    out.value = std::move(v);
    return out;
  }
  static Outcome Error(std::string message) {
    Outcome out;
    out.state = State::kError;
    out.error = std::move(message);
    return out;
  }
  bool ok() const { return state == State::kValue; }
  bool IsBool(bool b) const { return ok() && value.kind() == VK::kBool && value.bool_value() == b; }
};

Outcome NoOverload(absl::string_view function) {
  return Outcome::Error(absl::StrCat("no such overload: ", function));
}

class Evaluator {
 public:
  Evaluator(const Context& context, const EvalOptions& options)
      : context_(context), options_(options) {}

  Outcome Eval(const Expr& e) {
    if (!Spend(1)) return Exhausted();
    switch (e.kind) {
      case Expr::Kind::kLiteral:
        return Outcome::Of(e.literal);
      case Expr::Kind::kIdent:
        return Ident(e);
      case Expr::Kind::kSelect:
      case Expr::Kind::kPresenceTest:
        return Select(e);
      case Expr::Kind::kList:
        return ListLiteral(e);
      case Expr::Kind::kMap:
        return MapLiteral(e);
      case Expr::Kind::kComprehension:
        return Comprehension(e);
      case Expr::Kind::kCall:
        return Call(e);
    }
    return Outcome::Error("unsupported expression");
  }

  bool exhausted() const { return exhausted_; }
  uint64_t cost() const { return cost_; }

 private:
  bool Spend(uint64_t steps) {
    cost_ += steps;
    if (cost_ > options_.max_cost) exhausted_ = true;
    return !exhausted_;
  }
  Outcome Exhausted() {
    exhausted_ = true;
    return Outcome::Error("budget exhausted");
  }

  Outcome CheckString(std::string s, bool bytes) {
    if (s.size() > options_.max_string_size) {
      return Outcome::Error(absl::StrCat(
          "string of ", s.size(), " bytes exceeds the maximum size of ", options_.max_string_size));
    }
    if (!Spend(s.size() / 64)) return Exhausted();
    return Outcome::Of(bytes ? Value::Bytes(std::move(s)) : Value::String(std::move(s)));
  }

  Outcome Ident(const Expr& e) {
    for (auto it = variables_.rbegin(); it != variables_.rend(); ++it) {
      if (it->first == e.name) return Outcome::Of(it->second);
    }
    auto it = context_.find(e.name);
    if (it == context_.end()) {
      Outcome out;
      out.state = Outcome::State::kUnknown;
      out.unknown.insert(e.name);
      return out;
    }
    return Outcome::Of(it->second);
  }

  Outcome Select(const Expr& e) {
    Outcome operand = Eval(*e.args[0]);
    if (!operand.ok()) return operand;
    if (operand.value.kind() != VK::kMap) return NoOverload(e.name);
    const ValueMap& map = operand.value.map();
    auto it = map.find(e.name);
    if (e.kind == Expr::Kind::kPresenceTest) return Outcome::Of(Value::Bool(it != map.end()));
    if (it == map.end()) return Outcome::Error(absl::StrCat("no such key: ", e.name));
    return Outcome::Of(it->second);
  }

  // Strict evaluation of all of `e`'s arguments: the first argument, left to right, that is
  // unknown or an error is the result, as in cel-go's strict calls (evalBinary / evalVarArgs
  // return the first unknown-or-error argument). So `n < limit` with both missing needs `n`:
  // SpiceDB reports exactly that as the missing context.
  bool EvalArgs(const Expr& e, std::vector<Value>* values, Outcome* failure) {
    std::vector<Outcome> outcomes;
    outcomes.reserve(e.args.size());
    for (const auto& arg : e.args) {
      outcomes.push_back(Eval(*arg));
      if (exhausted_) {
        *failure = Exhausted();
        return false;
      }
    }
    return Strict(std::move(outcomes), values, failure);
  }
  static bool Strict(std::vector<Outcome> outcomes, std::vector<Value>* values, Outcome* failure) {
    for (Outcome& outcome : outcomes) {
      if (outcome.state != Outcome::State::kValue) {
        *failure = std::move(outcome);
        return false;
      }
    }
    for (Outcome& outcome : outcomes) values->push_back(std::move(outcome.value));
    return true;
  }

  Outcome ListLiteral(const Expr& e) {
    std::vector<Value> values;
    Outcome failure;
    if (!EvalArgs(e, &values, &failure)) return failure;
    return Outcome::Of(Value::List(std::move(values)));
  }

  Outcome MapLiteral(const Expr& e) {
    std::vector<Value> values;
    Outcome failure;
    if (!EvalArgs(e, &values, &failure)) return failure;
    ValueMap map;
    for (size_t i = 0; i + 1 < values.size(); i += 2) {
      if (values[i].kind() != VK::kString) return Outcome::Error("unsupported key type");
      if (!map.emplace(values[i].string_value(), values[i + 1]).second) {
        return Outcome::Error(absl::StrCat("Failed with repeated key: ", values[i].string_value()));
      }
    }
    return Outcome::Of(Value::Map(std::move(map)));
  }

  // CEL's commutative logic: either side deciding wins; else unknowns, then errors.
  Outcome Logical(const Expr& e, bool is_and) {
    const bool decisive = !is_and;  // false decides &&, true decides ||
    Outcome left = Eval(*e.args[0]);
    if (exhausted_) return Exhausted();
    if (left.IsBool(decisive)) return left;
    Outcome right = Eval(*e.args[1]);
    if (exhausted_) return Exhausted();
    if (right.IsBool(decisive)) return right;
    for (Outcome* side : {&left, &right}) {
      if (side->ok() && side->value.kind() != VK::kBool) *side = NoOverload(e.name);
    }
    if (left.state == Outcome::State::kUnknown || right.state == Outcome::State::kUnknown) {
      Outcome out;
      out.state = Outcome::State::kUnknown;
      for (const Outcome* side : {&left, &right}) {
        if (side->state == Outcome::State::kUnknown) {
          out.unknown.insert(side->unknown.begin(), side->unknown.end());
        }
      }
      return out;
    }
    if (!left.ok()) return left;
    if (!right.ok()) return right;
    return Outcome::Of(Value::Bool(!decisive));
  }

  Outcome Conditional(const Expr& e) {
    Outcome condition = Eval(*e.args[0]);
    if (!condition.ok()) return condition;
    if (condition.value.kind() != VK::kBool) return NoOverload("_?_:_");
    return Eval(*e.args[condition.value.bool_value() ? 1 : 2]);
  }

  Outcome Comprehension(const Expr& e) {
    Outcome range = Eval(*e.args[0]);
    if (!range.ok()) return range;
    std::vector<Value> items;
    if (range.value.kind() == VK::kList) {
      items = range.value.list();
    } else if (range.value.kind() == VK::kMap) {
      for (const auto& [key, value] : range.value.map()) items.push_back(Value::String(key));
    } else {
      return NoOverload(e.name);
    }
    const std::string& macro = e.name;
    const bool is_all = macro == "all";
    const bool is_exists = macro == "exists";
    // all/exists accumulate like && / ||: a deciding element wins over errors and unknowns.
    Outcome accumulated = Outcome::Of(Value::Bool(is_all));
    int64_t count = 0;
    std::vector<Value> collected;
    std::vector<Outcome> strict;
    for (const Value& item : items) {
      variables_.emplace_back(e.variable, item);
      Outcome step = Eval(*e.args[1]);
      variables_.pop_back();
      if (exhausted_) return Exhausted();
      if (is_all || is_exists) {
        if (step.ok() && step.value.kind() != VK::kBool) step = NoOverload(macro);
        if (step.IsBool(!is_all)) return step;
        if (step.state == Outcome::State::kUnknown) {
          if (accumulated.state != Outcome::State::kUnknown) {
            accumulated = Outcome();
            accumulated.state = Outcome::State::kUnknown;
          }
          accumulated.unknown.insert(step.unknown.begin(), step.unknown.end());
        } else if (step.state == Outcome::State::kError && accumulated.ok()) {
          accumulated = step;
        }
        continue;
      }
      if (!step.ok()) {
        strict.push_back(std::move(step));
        continue;
      }
      if (macro == "map") {
        collected.push_back(std::move(step.value));
      } else if (step.value.kind() != VK::kBool) {
        strict.push_back(NoOverload(macro));
      } else if (step.value.bool_value()) {
        ++count;
        if (macro == "filter") collected.push_back(item);
      }
    }
    if (is_all || is_exists) return accumulated;
    if (!strict.empty()) {
      std::vector<Value> ignored;
      Outcome failure;
      Strict(std::move(strict), &ignored, &failure);
      return failure;
    }
    if (macro == "exists_one") return Outcome::Of(Value::Bool(count == 1));
    return Outcome::Of(Value::List(std::move(collected)));
  }

  Outcome Call(const Expr& e) {
    const std::string& f = e.name;
    if (f == "_&&_") return Logical(e, true);
    if (f == "_||_") return Logical(e, false);
    if (f == "_?_:_") return Conditional(e);
    std::vector<Value> args;
    Outcome failure;
    if (!EvalArgs(e, &args, &failure)) return failure;
    return Apply(f, e.has_target, args);
  }

  Outcome Apply(const std::string& f, bool member, const std::vector<Value>& a);
  Outcome Arithmetic(const std::string& f, const Value& x, const Value& y);
  Outcome Compare(const std::string& f, const Value& x, const Value& y);
  Outcome StringFunction(const std::string& f, const Value& x, const Value& y);
  Outcome Convert(const std::string& f, const Value& x);

  const Context& context_;
  const EvalOptions& options_;
  std::vector<std::pair<std::string, Value>> variables_;
  uint64_t cost_ = 0;
  bool exhausted_ = false;
};

Outcome IntResult(bool overflow, int64_t value) {
  if (overflow) return Outcome::Error("integer overflow");
  return Outcome::Of(Value::Int(value));
}
Outcome UintResult(bool overflow, uint64_t value) {
  if (overflow) return Outcome::Error("unsigned integer overflow");
  return Outcome::Of(Value::Uint(value));
}

Outcome Evaluator::Arithmetic(const std::string& f, const Value& x, const Value& y) {
  const char op = f[1];
  if (x.kind() == VK::kInt && y.kind() == VK::kInt) {
    int64_t out = 0;
    const int64_t a = x.int_value();
    const int64_t b = y.int_value();
    switch (op) {
      case '+': {
        const bool overflow = __builtin_add_overflow(a, b, &out);
        return IntResult(overflow, out);
      }
      case '-': {
        const bool overflow = __builtin_sub_overflow(a, b, &out);
        return IntResult(overflow, out);
      }
      case '*': {
        const bool overflow = __builtin_mul_overflow(a, b, &out);
        return IntResult(overflow, out);
      }
      case '/':
        if (b == 0) return Outcome::Error("division by zero");
        // INT64_MIN / -1 overflows; negating INT64_MIN to compute it would be undefined.
        if (a == INT64_MIN && b == -1) return IntResult(true, 0);
        return IntResult(false, a / b);
      case '%':
        if (b == 0) return Outcome::Error("modulus by zero");
        return IntResult(a == INT64_MIN && b == -1, b == -1 ? 0 : a % b);
    }
  }
  if (x.kind() == VK::kUint && y.kind() == VK::kUint) {
    uint64_t out = 0;
    const uint64_t a = x.uint_value();
    const uint64_t b = y.uint_value();
    switch (op) {
      case '+': {
        const bool overflow = __builtin_add_overflow(a, b, &out);
        return UintResult(overflow, out);
      }
      case '-': {
        const bool overflow = __builtin_sub_overflow(a, b, &out);
        return UintResult(overflow, out);
      }
      case '*': {
        const bool overflow = __builtin_mul_overflow(a, b, &out);
        return UintResult(overflow, out);
      }
      case '/':
        if (b == 0) return Outcome::Error("division by zero");
        return Outcome::Of(Value::Uint(a / b));
      case '%':
        if (b == 0) return Outcome::Error("modulus by zero");
        return Outcome::Of(Value::Uint(a % b));
    }
  }
  if (x.kind() == VK::kDouble && y.kind() == VK::kDouble && op != '%') {
    const double a = x.double_value();
    const double b = y.double_value();
    return Outcome::Of(Value::Double(op == '+'   ? a + b
                                     : op == '-' ? a - b
                                     : op == '*' ? a * b
                                                 : a / b));
  }
  if (op == '+' && x.kind() == y.kind() && (x.kind() == VK::kString || x.kind() == VK::kBytes)) {
    if (x.string_value().size() + y.string_value().size() > options_.max_string_size) {
      return Outcome::Error(
          absl::StrCat("string exceeds the maximum size of ", options_.max_string_size));
    }
    return CheckString(x.string_value() + y.string_value(), x.kind() == VK::kBytes);
  }
  if (op == '+' && x.kind() == VK::kList && y.kind() == VK::kList) {
    const size_t size = x.list().size() + y.list().size();
    if (size > options_.max_list_size) {
      return Outcome::Error(
          absl::StrCat("list exceeds the maximum size of ", options_.max_list_size));
    }
    if (!Spend(size)) return Exhausted();
    ValueList joined = x.list();
    joined.insert(joined.end(), y.list().begin(), y.list().end());
    return Outcome::Of(Value::List(std::move(joined)));
  }
  if (op == '+' || op == '-') {
    absl::StatusOr<Value> result = TimeArithmetic(op, x, y);
    if (result.ok()) return Outcome::Of(*std::move(result));
    if (result.status().code() != absl::StatusCode::kUnimplemented) {
      return Outcome::Error(std::string(result.status().message()));
    }
  }
  return NoOverload(f);
}

Outcome Evaluator::Compare(const std::string& f, const Value& x, const Value& y) {
  int order = 0;
  if (!CompareValues(x, y, &order)) return NoOverload(f);
  bool result = false;
  if (order == 2) {
    result = false;  // NaN is unordered
  } else if (f == "_<_") {
    result = order < 0;
  } else if (f == "_<=_") {
    result = order <= 0;
  } else if (f == "_>_") {
    result = order > 0;
  } else {
    result = order >= 0;
  }
  return Outcome::Of(Value::Bool(result));
}

Outcome Evaluator::StringFunction(const std::string& f, const Value& x, const Value& y) {
  if (x.kind() != VK::kString || y.kind() != VK::kString) return NoOverload(f);
  const std::string& s = x.string_value();
  const std::string& t = y.string_value();
  if (!Spend((s.size() + t.size()) / 64)) return Exhausted();
  if (f == "startsWith") return Outcome::Of(Value::Bool(absl::StartsWith(s, t)));
  if (f == "endsWith") return Outcome::Of(Value::Bool(absl::EndsWith(s, t)));
  if (f == "contains") return Outcome::Of(Value::Bool(absl::StrContains(s, t)));
  // matches
  if (t.size() > options_.max_regex_size) {
    return Outcome::Error(absl::StrCat("regular expression of ", t.size(),
                                       " bytes exceeds the maximum size of ",
                                       options_.max_regex_size));
  }
  if (!Spend(t.size())) return Exhausted();
  RE2::Options re_options;
  re_options.set_log_errors(false);
  re_options.set_max_mem(8 << 20);
  RE2 re(t, re_options);
  if (!re.ok()) return Outcome::Error(absl::StrCat("error parsing regexp: ", re.error()));
  return Outcome::Of(Value::Bool(RE2::PartialMatch(s, re)));
}

Outcome Evaluator::Convert(const std::string& f, const Value& x) {
  absl::StatusOr<Value> converted = ConvertValue(f, x);
  if (converted.ok()) return Outcome::Of(*std::move(converted));
  if (converted.status().code() == absl::StatusCode::kUnimplemented) return NoOverload(f);
  return Outcome::Error(std::string(converted.status().message()));
}

Outcome Evaluator::Apply(const std::string& f, bool member, const std::vector<Value>& a) {
  if (f == "!_") {
    if (a[0].kind() != VK::kBool) return NoOverload(f);
    return Outcome::Of(Value::Bool(!a[0].bool_value()));
  }
  if (f == "-_") {
    if (a[0].kind() == VK::kInt) {
      return IntResult(a[0].int_value() == INT64_MIN,
                       a[0].int_value() == INT64_MIN ? 0 : -a[0].int_value());
    }
    if (a[0].kind() == VK::kDouble) return Outcome::Of(Value::Double(-a[0].double_value()));
    return NoOverload(f);
  }
  if (f == "_==_" || f == "_!=_") {
    if (!Spend(1 + (a[0].kind() == VK::kList ? a[0].list().size() : 0))) return Exhausted();
    return Outcome::Of(Value::Bool(ValuesEqual(a[0], a[1]) == (f == "_==_")));
  }
  if (f == "_<_" || f == "_<=_" || f == "_>_" || f == "_>=_") return Compare(f, a[0], a[1]);
  if (f == "_+_" || f == "_-_" || f == "_*_" || f == "_/_" || f == "_%_") {
    return Arithmetic(f, a[0], a[1]);
  }
  if (f == "_[_]") {
    if (a[0].kind() == VK::kList) {
      int64_t index = 0;
      if (a[1].kind() == VK::kInt) {
        index = a[1].int_value();
      } else if (a[1].kind() == VK::kUint && a[1].uint_value() <= INT64_MAX) {
        index = static_cast<int64_t>(a[1].uint_value());
      } else {
        return NoOverload(f);
      }
      const ValueList& list = a[0].list();
      if (index < 0 || static_cast<uint64_t>(index) >= list.size()) {
        return Outcome::Error(
            absl::StrCat("index '", index, "' out of range in list size '", list.size(), "'"));
      }
      return Outcome::Of(list[static_cast<size_t>(index)]);
    }
    if (a[0].kind() == VK::kMap) {
      if (a[1].kind() != VK::kString) return NoOverload(f);
      auto it = a[0].map().find(a[1].string_value());
      if (it == a[0].map().end()) {
        return Outcome::Error(absl::StrCat("no such key: ", a[1].string_value()));
      }
      return Outcome::Of(it->second);
    }
    return NoOverload(f);
  }
  if (f == "@in") {
    if (a[1].kind() == VK::kList) {
      const ValueList& list = a[1].list();
      if (!Spend(list.size())) return Exhausted();
      for (const Value& item : list) {
        if (ValuesEqual(a[0], item)) return Outcome::Of(Value::Bool(true));
      }
      return Outcome::Of(Value::Bool(false));
    }
    if (a[1].kind() == VK::kMap) {
      if (a[0].kind() != VK::kString) return Outcome::Of(Value::Bool(false));
      return Outcome::Of(Value::Bool(a[1].map().count(a[0].string_value()) > 0));
    }
    return NoOverload(f);
  }
  if (f == "size" && a.size() == 1) {
    switch (a[0].kind()) {
      case VK::kString: {
        // Code points, as CEL counts them.
        int64_t count = 0;
        for (char c : a[0].string_value()) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        return Outcome::Of(Value::Int(count));
      }
      case VK::kBytes:
        return Outcome::Of(Value::Int(static_cast<int64_t>(a[0].string_value().size())));
      case VK::kList:
        return Outcome::Of(Value::Int(static_cast<int64_t>(a[0].list().size())));
      case VK::kMap:
        return Outcome::Of(Value::Int(static_cast<int64_t>(a[0].map().size())));
      default:
        return NoOverload(f);
    }
  }
  if ((f == "startsWith" || f == "endsWith" || f == "contains" || f == "matches") &&
      a.size() == 2) {
    return StringFunction(f, a[0], a[1]);
  }
  if (f == "in_cidr" && member && a.size() == 2) {
    if (a[0].kind() != VK::kIpAddress || a[1].kind() != VK::kString) return NoOverload(f);
    bool valid = false;
    const bool inside = a[0].ip_value().InCidr(a[1].string_value(), &valid);
    if (!valid)
      return Outcome::Error(absl::StrCat("invalid CIDR string: `", a[1].string_value(), "`"));
    return Outcome::Of(Value::Bool(inside));
  }
  if (member && a.size() == 1 && absl::StartsWith(f, "get")) {
    absl::StatusOr<Value> part = TimeAccessor(f, a[0]);
    if (part.ok()) return Outcome::Of(*std::move(part));
    return NoOverload(f);
  }
  if (!member && a.size() == 1) return Convert(f, a[0]);
  return NoOverload(f);
}

}  // namespace

absl::StatusOr<EvalResult> Evaluate(const CompiledExpression& expression, const Context& context,
                                    const EvalOptions& options) {
  Evaluator evaluator(context, options);
  Outcome outcome = evaluator.Eval(expression.root());
  if (evaluator.exhausted()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("caveat evaluation exceeded its cost budget of ", options.max_cost));
  }
  EvalResult result;
  result.cost = evaluator.cost();
  switch (outcome.state) {
    case Outcome::State::kUnknown:
      result.kind = EvalResult::Kind::kUnknown;
      result.missing.assign(outcome.unknown.begin(), outcome.unknown.end());
      return result;
    case Outcome::State::kError:
      return absl::InvalidArgumentError(outcome.error);
    case Outcome::State::kValue:
      if (outcome.value.kind() != VK::kBool) {
        return absl::InvalidArgumentError(
            absl::StrCat("caveat expression must result in a boolean value: found `",
                         outcome.value.TypeName(), "`"));
      }
      result.kind = outcome.value.bool_value() ? EvalResult::Kind::kTrue : EvalResult::Kind::kFalse;
      return result;
  }
  return absl::InternalError("unreachable");
}

}  // namespace rebac::schema::caveats
