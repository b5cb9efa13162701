// The syntax tree of a caveat expression, with byte offsets into the expression text. The parser
// builds it; the checker fills in each node's type; the evaluator and printer walk it.
//
// Operators are calls with CEL's internal function names ("_&&_", "_+_", "!_", "_?_:_", "_[_]",
// "@in"), so checking, evaluation and printing treat them uniformly.
#ifndef REBACD_SCHEMA_CAVEATS_AST_H_
#define REBACD_SCHEMA_CAVEATS_AST_H_

#include <memory>
#include <string>
#include <vector>

#include "schema/caveats/types.h"
#include "schema/caveats/value.h"

namespace rebac::schema::caveats {

// Deeper expressions are refused by the parser, so no recursive pass can exhaust the stack.
inline constexpr int kMaxExpressionDepth = 200;

struct Expr {
  enum class Kind {
    kLiteral,        // `literal`
    kIdent,          // `name`: a parameter or a comprehension variable
    kSelect,         // `args[0].name`
    kPresenceTest,   // `has(args[0].name)`
    kCall,           // `name(args...)`, or `args[0].name(args[1...])` when has_target
    kList,           // `[args...]`
    kMap,            // `{args[0]: args[1], ...}`: keys at even, values at odd indexes
    kComprehension,  // `args[0].name(variable, args[1])`: all, exists, exists_one, map, filter
  };

  Kind kind = Kind::kLiteral;
  int offset = 0;  // byte offset in the expression text of the node's operator or first token
  Value literal;
  std::string name;
  std::string variable;  // kComprehension: the iteration variable
  bool has_target = false;
  std::vector<std::unique_ptr<Expr>> args;
  Type type;       // set by the checker
  int height = 1;  // of this subtree; bounded by kMaxExpressionDepth
};

// A problem in an expression, at a byte offset into its text.
struct ExpressionError {
  std::string message;
  // kNoOffset: a problem CEL reports at location 0:0 (e.g. a parameter named like a CEL type,
  // found while declaring the parameters, before any source is read).
  static constexpr int kNoOffset = -1;
  int offset = 0;
  // False for problems of the whole expression (its size, its result type), which SpiceDB
  // reports without a CEL location.
  bool has_location = true;
};

}  // namespace rebac::schema::caveats

#endif  // REBACD_SCHEMA_CAVEATS_AST_H_
