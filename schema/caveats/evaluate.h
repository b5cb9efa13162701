// Evaluation of a compiled caveat expression against a context, with CEL's semantics and
// partial evaluation: parameters missing from the context are unknown, and the result is true,
// false, or unknown together with the missing parameters that could still change it.
//
//   absl::StatusOr<EvalResult> result = Evaluate(*compiled, context);
//   if (!result.ok()) { /* kInvalidArgument: a CEL run-time error ("division by zero");
//                          kResourceExhausted: the evaluation went over its budget */ }
//   else if (result->kind == EvalResult::Kind::kUnknown) { /* result->missing */ }
//
// Semantics: int and uint arithmetic that overflows is an error, as are division and modulus by
// zero, missing map keys and out-of-range indexes. `&&` and `||` are commutative: `false && x`
// and `x && false` are false whatever x is (error or unknown), and likewise `true || x`; if
// neither side decides, unknowns win over errors and the unknowns of both sides are merged. Other
// operators and functions are strict, as in cel-go: their first argument (left to right) that is
// unknown or an error is their result, so `a + b` with both missing needs just `a`. The ternary
// is strict in its condition.
//
// Evaluate() is a pure function of its arguments; safe to call concurrently.
#ifndef REBACD_SCHEMA_CAVEATS_EVALUATE_H_
#define REBACD_SCHEMA_CAVEATS_EVALUATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "schema/caveats/expression.h"
#include "schema/caveats/value.h"

namespace rebac::schema::caveats {

// Bounds on one evaluation, so that no caveat can run away whatever its context.
struct EvalOptions {
  // Steps: one per node evaluated, plus one per 64 bytes a string function scans or builds and
  // one per element a list operation touches.
  uint64_t max_cost = 100'000;
  // Largest string or bytes value an operation may produce.
  size_t max_string_size = 1 << 20;
  // Largest list an operation may produce.
  size_t max_list_size = 100'000;
  // Largest regular expression `matches` accepts; RE2 itself runs in linear time.
  size_t max_regex_size = 10'000;
};

struct EvalResult {
  enum class Kind { kFalse, kTrue, kUnknown };
  Kind kind = Kind::kFalse;
  // kUnknown: the missing parameters that can change the answer, sorted, without duplicates.
  std::vector<std::string> missing;
  // Steps spent, for metrics and tests.
  uint64_t cost = 0;

  bool is_true() const { return kind == Kind::kTrue; }
  bool is_unknown() const { return kind == Kind::kUnknown; }
};

absl::StatusOr<EvalResult> Evaluate(const CompiledExpression& expression, const Context& context,
                                    const EvalOptions& options = {});

}  // namespace rebac::schema::caveats

#endif  // REBACD_SCHEMA_CAVEATS_EVALUATE_H_
