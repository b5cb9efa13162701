// A set of subjects of one type as LookupSubjects computes it: concrete subject ids and,
// optionally, the wildcard `*` minus some excluded ids — each member "found" unconditionally or
// only where a caveat expression holds (an excluded id too: `* - {tom if c}`).
//
// The operations are SpiceDB's internal/datasets BaseSubjectSet, caveats included, so results
// come out in SpiceDB's *shape*, not just with its meaning — the shape is what LookupSubjects
// streams:
//   {*} + {tom}             => {tom, *}        a concrete subject stays beside the wildcard
//   {* - {tom}} + {tom}     => {tom, *}
//   {* - {tom}} + {tom[c]}  => {tom[c], * - {tom[!c]}}
//   {tom} - {tom[c]}        => {tom[!c]}
//   {tom} & {*[c]}          => {tom[c]}
// and the same combinators as SpiceDB's (an `or` with an unconditional side is unconditional;
// `a and a` is `a`), because the expressions are what the request's context is evaluated on.
//
// Thread safety: a value type; not synchronized.
#ifndef REBACD_GRAPH_SUBJECT_SET_H_
#define REBACD_GRAPH_SUBJECT_SET_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/strings/string_view.h"
#include "graph/caveat_expression.h"

namespace rebac::graph {

inline constexpr absl::string_view kWildcardId = "*";

// One member of a subject set (SpiceDB's dispatch FoundSubject).
struct FoundSubject {
  std::string id;                      // kWildcardId for the wildcard
  CaveatExpr caveat;                   // null: found unconditionally
  std::vector<FoundSubject> excluded;  // the wildcard's exclusions (concrete ids only)
};

// The combinators SpiceDB's subject sets use (internal/caveats): a null expression means
// "always". And / Or return the other side when one is null and `a` for `a op a`;
// ShortcircuitedOr is null when either side is; Invert(null) is null.
CaveatExpr CaveatAnd(const CaveatExpr& a, const CaveatExpr& b);
CaveatExpr CaveatOr(const CaveatExpr& a, const CaveatExpr& b);
CaveatExpr ShortcircuitedCaveatOr(const CaveatExpr& a, const CaveatExpr& b);
CaveatExpr CaveatNot(const CaveatExpr& a);
// Structural equality (operators, caveat names, stored contexts).
bool SameCaveat(const CaveatExpr& a, const CaveatExpr& b);

class SubjectSet {
 public:
  SubjectSet() = default;
  explicit SubjectSet(const std::vector<FoundSubject>& members) { UnionWith(members); }

  // Union with the set holding just `subject`.
  void Add(const FoundSubject& subject);
  // Removes `subject` (a conditional removal leaves members conditional on its negation).
  void Subtract(const FoundSubject& subject);

  void UnionWith(const std::vector<FoundSubject>& members);
  void UnionWith(const SubjectSet& other) { UnionWith(other.AsList()); }
  void SubtractAll(const SubjectSet& other);
  void IntersectWith(const SubjectSet& other);

  // A copy whose every member (not the wildcard's exclusions) also requires `parent`.
  SubjectSet WithParentCaveat(const CaveatExpr& parent) const;

  bool empty() const { return concrete_.empty() && !wildcard_.has_value(); }
  const absl::btree_map<std::string, FoundSubject>& concrete() const { return concrete_; }
  const std::optional<FoundSubject>& wildcard() const { return wildcard_; }
  // Concrete members in id order, then the wildcard.
  std::vector<FoundSubject> AsList() const;

 private:
  void SetConcrete(const std::string& id, std::optional<FoundSubject> subject);

  absl::btree_map<std::string, FoundSubject> concrete_;
  std::optional<FoundSubject> wildcard_;
};

}  // namespace rebac::graph

#endif  // REBACD_GRAPH_SUBJECT_SET_H_
