// The reverse edges of a schema toward one target permission: which relations and permissions a
// subject of type#relation can lead to, one hop at a time, on the way to (type, permission).
//
//   LookupPlan plan(schema, "document", "view");
//   for (const Entrypoint& e : plan.EntrypointsFrom("group", "member")) ...
//
// This is SpiceDB's reachability graph in its "optimized" form (pkg/schema/reachability*.go):
// only the first operand of an intersection or exclusion leads anywhere, and every hop taken
// through one of them (or through `.all()`) is marked not direct, so what it finds at the target
// must still be confirmed by a check. Only hops toward relations that can reach the target are
// kept, so a reverse walk never leaves the part of the graph that can produce an answer.
//
// Thread safety: immutable after construction; share freely. Holds a reference to the schema,
// which must outlive it.
#ifndef REBACD_GRAPH_LOOKUP_PLAN_H_
#define REBACD_GRAPH_LOOKUP_PLAN_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "schema/compiled_schema.h"

namespace rebac::graph {

// One hop of a reverse walk, from objects that have subject relation S (the key it is stored
// under) to the objects of `found_type` that have `found_relation` because of them.
struct Entrypoint {
  enum class Kind {
    // `found_relation` is a relation that allows S: the objects whose relationships name the
    // subject (one reverse-index scan each).
    kRelation,
    // `found_relation` is a permission that uses S's relation as a computed userset: the same
    // objects.
    kComputedUserset,
    // `found_relation` is a permission with the arrow `tupleset->S.relation`: the objects whose
    // `tupleset` relationships name the subject object.
    kArrow,
  };
  Kind kind = Kind::kRelation;
  std::string found_type;
  std::string found_relation;
  // kRelation: S itself is allowed (not only as the wildcard).
  bool subject_allowed = false;
  // kRelation: `S.type:*` is allowed, so the wildcard's relationships count for any subject of
  // that type (only for the ellipsis, as in SpiceDB).
  bool wildcard_allowed = false;
  // kArrow: the tupleset relation and the subject relations of S's type it allows
  // ("" = the object itself).
  std::string tupleset;
  std::vector<std::string> tupleset_subject_relations;
  // False when reached through an intersection, exclusion or `.all()`.
  bool direct = true;
};

class LookupPlan {
 public:
  LookupPlan(const schema::CompiledSchema& schema, absl::string_view target_type,
             absl::string_view target_relation);

  // The hops out of subject relation (type, relation) that lead toward the target; relation ""
  // is the ellipsis (the subject object itself). Empty when none. In SpiceDB's entrypoint order
  // (a walk's results come in this order, which is what SpiceDB's pages under a limit follow):
  // by the relation each hop leads to, as a depth-first walk down from the target meets it,
  // taking the relations a relation is computed from in byte order of "type#relation"; hops
  // into one relation in schema order.
  const std::vector<Entrypoint>& EntrypointsFrom(absl::string_view type,
                                                 absl::string_view relation) const;

  // Whether objects with (type, relation) lead on toward the target (SpiceDB re-dispatches
  // those; the others are answers or dead ends).
  bool LeadsToTarget(absl::string_view type, absl::string_view relation) const {
    return !EntrypointsFrom(type, relation).empty();
  }

  const std::string& target_type() const { return target_type_; }
  const std::string& target_relation() const { return target_relation_; }

 private:
  static std::string Key(absl::string_view type, absl::string_view relation);

  std::string target_type_;
  std::string target_relation_;
  absl::flat_hash_map<std::string, std::vector<Entrypoint>> by_subject_;
};

}  // namespace rebac::graph

#endif  // REBACD_GRAPH_LOOKUP_PLAN_H_
