// Conditional membership: what the graph walks compute when relationships carry caveats.
//
// A stored relationship with a caveat grants its subject membership only where the caveat holds.
// The walks therefore compute, per sub-problem, a Membership: no, yes, or "yes if this caveat
// expression holds" — a tree of caveat invocations (each with the context stored on its
// relationship) joined by and / or / not, as SpiceDB's dispatch builds them
// (core.CaveatExpression). The expression is only evaluated once, at the end of a request, by a
// CaveatRunner with the request's context:
//
//   Membership m = AnyOf(Membership::Yes(), Membership::If(Caveat("ip_ok", stored_context)));
//   CaveatRunner runner(schema, request_context);
//   absl::StatusOr<CaveatOutcome> outcome = runner.Run(m.condition());
//
// Evaluation follows SpiceDB's internal/caveats/run.go: the relationship's stored context wins
// over the request's for a parameter both give; unknown context keys are ignored; `and` / `or`
// stop at the first decisive child; a partial result reports the parameters missing from every
// partial child. Errors carry SpiceDB's reasons (CAVEAT_PARAMETER_TYPE_ERROR,
// CAVEAT_EVALUATION_ERROR), both INVALID_ARGUMENT.
//
// Thread safety: expressions and memberships are immutable values, safe to share. A CaveatRunner
// caches leaf results and serves one request on one thread.
#ifndef REBACD_GRAPH_CAVEAT_EXPRESSION_H_
#define REBACD_GRAPH_CAVEAT_EXPRESSION_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "schema/caveats/value.h"
#include "schema/compiled_schema.h"
#include "storage/relationship.h"

namespace rebac::graph {

struct CaveatNode;
using CaveatExpr = std::shared_ptr<const CaveatNode>;

struct CaveatNode {
  enum class Op : uint8_t { kCaveat, kAnd, kOr, kNot };
  Op op = Op::kCaveat;
  std::string caveat_name;  // kCaveat
  std::string context;      // kCaveat: serialized google.protobuf.Struct, "" when none
  std::vector<CaveatExpr> children;
};

// One caveat invocation, as a relationship stores it.
CaveatExpr Caveat(std::string name, std::string context);

class Membership {
 public:
  static Membership No() { return Membership(Kind::kNo, nullptr); }
  static Membership Yes() { return Membership(Kind::kYes, nullptr); }
  static Membership If(CaveatExpr condition) {
    return Membership(Kind::kConditional, std::move(condition));
  }
  // The membership a stored relationship grants by itself: yes, or "if its caveat holds".
  static Membership Granted(const storage::RelationshipValue& value);
  // The same from the encoded form scans hand out (storage::EncodeValue).
  static Membership GrantedEncoded(absl::string_view encoded_value);

  bool no() const { return kind_ == Kind::kNo; }
  bool yes() const { return kind_ == Kind::kYes; }
  bool conditional() const { return kind_ == Kind::kConditional; }
  // Set only when conditional().
  const CaveatExpr& condition() const { return condition_; }

 private:
  enum class Kind : uint8_t { kNo, kYes, kConditional };
  Membership(Kind kind, CaveatExpr condition) : kind_(kind), condition_(std::move(condition)) {}

  Kind kind_;
  CaveatExpr condition_;
};

// A text that is equal for equal expressions (operators, caveat names, stored contexts), for
// telling routes with different conditions apart.
std::string Signature(const CaveatExpr& expression);

// Union: a member of either.
Membership AnyOf(const Membership& a, const Membership& b);
// Intersection: a member of both.
Membership AllOf(const Membership& a, const Membership& b);
// Exclusion: a member of `base` and not of `excluded`.
Membership Excluding(const Membership& base, const Membership& excluded);

struct CaveatOutcome {
  enum class Kind { kFalse, kTrue, kPartial };
  Kind kind = Kind::kFalse;
  // kPartial: the context parameters whose absence left the answer open, sorted.
  std::vector<std::string> missing;
};

class CaveatRunner {
 public:
  // `schema` must outlive the runner. `request_context` is the client's context as sent
  // (JSON-like values; see schema/caveats/struct_adapter.h).
  CaveatRunner(const schema::CompiledSchema& schema, schema::caveats::ValueMap request_context);

  absl::StatusOr<CaveatOutcome> Run(const CaveatExpr& expression);

 private:
  absl::StatusOr<CaveatOutcome> RunLeaf(const CaveatNode& leaf);

  const schema::CompiledSchema& schema_;
  schema::caveats::ValueMap request_context_;
  // (caveat name + '\0' + stored context) -> outcome: the same relationship caveat is often
  // met on several routes.
  absl::flat_hash_map<std::string, CaveatOutcome> leaf_cache_;
};

}  // namespace rebac::graph

#endif  // REBACD_GRAPH_CAVEAT_EXPRESSION_H_
