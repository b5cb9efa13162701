#include "graph/subject_set.h"

#include <utility>

namespace rebac::graph {

void SubjectSet::AddConcrete(absl::string_view id) {
  concrete_.insert(std::string(id));
  // {* - {tom}} + {tom} => {*} (and tom): the concrete subject is no longer excluded.
  if (wildcard_) wildcard_->erase(std::string(id));
}

void SubjectSet::AddWildcard(const absl::btree_set<std::string>& excluded) {
  if (!wildcard_) {
    wildcard_ = excluded;
  } else {
    // {* - {tom, sarah}} + {* - {sarah}} => {* - {sarah}}: only what both exclude stays out.
    absl::btree_set<std::string> kept;
    for (const std::string& id : *wildcard_) {
      if (excluded.contains(id)) kept.insert(id);
    }
    wildcard_ = std::move(kept);
  }
  for (const std::string& id : concrete_) wildcard_->erase(id);
}

void SubjectSet::UnionWith(const SubjectSet& other) {
  for (const std::string& id : other.concrete_) AddConcrete(id);
  if (other.wildcard_) AddWildcard(*other.wildcard_);
}

void SubjectSet::SubtractConcrete(const std::string& id) {
  concrete_.erase(id);
  if (wildcard_) wildcard_->insert(id);
}

void SubjectSet::SubtractWildcard(const absl::btree_set<std::string>& excluded) {
  // Concrete subjects survive only where the subtracted wildcard excludes them.
  for (auto it = concrete_.begin(); it != concrete_.end();) {
    it = excluded.contains(*it) ? std::next(it) : concrete_.erase(it);
  }
  if (!wildcard_) return;
  // {* - X} - {* - E}: what E excludes but X does not is left, as concrete subjects.
  for (const std::string& id : excluded) {
    if (!wildcard_->contains(id)) concrete_.insert(id);
  }
  wildcard_.reset();
}

void SubjectSet::Subtract(const SubjectSet& other) {
  for (const std::string& id : other.concrete_) SubtractConcrete(id);
  if (other.wildcard_) SubtractWildcard(*other.wildcard_);
}

void SubjectSet::IntersectWith(const SubjectSet& other) {
  absl::btree_set<std::string> concrete;
  for (const std::string& id : concrete_) {
    if (other.concrete_.contains(id) || (other.wildcard_ && !other.wildcard_->contains(id))) {
      concrete.insert(id);
    }
  }
  if (wildcard_) {
    for (const std::string& id : other.concrete_) {
      if (!wildcard_->contains(id)) concrete.insert(id);
    }
  }
  if (wildcard_ && other.wildcard_) {
    // Both wildcards: everything either one excludes stays out.
    wildcard_->insert(other.wildcard_->begin(), other.wildcard_->end());
  } else {
    wildcard_.reset();
  }
  concrete_ = std::move(concrete);
}

}  // namespace rebac::graph
