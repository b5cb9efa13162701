// A set of subjects of one type as LookupSubjects computes it: concrete subject ids plus,
// optionally, the wildcard `*` minus some excluded ids.
//
// The operations mirror SpiceDB's internal/datasets BaseSubjectSet (for uncaveated subjects), so
// results come out in SpiceDB's *shape*, not just with its meaning: a concrete subject and the
// wildcard are both kept when both are granted ({*, tom} stays two results), `{*} - {tom}` is the
// wildcard excluding tom, and `{* - {tom}} + {tom}` is `*` again plus tom.
//
// Thread safety: a value type; not synchronized.
#ifndef REBACD_GRAPH_SUBJECT_SET_H_
#define REBACD_GRAPH_SUBJECT_SET_H_

#include <optional>
#include <string>

#include "absl/container/btree_set.h"
#include "absl/strings/string_view.h"

namespace rebac::graph {

class SubjectSet {
 public:
  void AddConcrete(absl::string_view id);
  // Adds `*` excluding `excluded`.
  void AddWildcard(const absl::btree_set<std::string>& excluded);
  // A subject id of "*" adds the wildcard (with no exclusions).
  void Add(absl::string_view id) {
    if (id == "*") {
      AddWildcard({});
    } else {
      AddConcrete(id);
    }
  }

  void UnionWith(const SubjectSet& other);
  void IntersectWith(const SubjectSet& other);
  void Subtract(const SubjectSet& other);

  bool empty() const { return concrete_.empty() && !wildcard_.has_value(); }
  const absl::btree_set<std::string>& concrete() const { return concrete_; }
  bool has_wildcard() const { return wildcard_.has_value(); }
  // Only meaningful when has_wildcard().
  const absl::btree_set<std::string>& wildcard_exclusions() const { return *wildcard_; }

 private:
  void SubtractConcrete(const std::string& id);
  void SubtractWildcard(const absl::btree_set<std::string>& excluded);

  absl::btree_set<std::string> concrete_;
  std::optional<absl::btree_set<std::string>> wildcard_;  // its exclusions, when present
};

}  // namespace rebac::graph

#endif  // REBACD_GRAPH_SUBJECT_SET_H_
