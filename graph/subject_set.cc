#include "graph/subject_set.h"

#include <memory>
#include <utility>

#include "absl/container/flat_hash_map.h"

namespace rebac::graph {
namespace {

CaveatExpr Node(CaveatNode::Op op, std::vector<CaveatExpr> children) {
  auto node = std::make_shared<CaveatNode>();
  node->op = op;
  node->children = std::move(children);
  return node;
}

using Optional = std::optional<FoundSubject>;

FoundSubject Wildcard(CaveatExpr caveat, std::vector<FoundSubject> excluded) {
  return FoundSubject{std::string(kWildcardId), std::move(caveat), std::move(excluded)};
}

FoundSubject Concrete(const std::string& id, CaveatExpr caveat) {
  return FoundSubject{id, std::move(caveat), {}};
}

absl::flat_hash_map<std::string, const FoundSubject*> ExclusionsOf(const FoundSubject& wildcard) {
  absl::flat_hash_map<std::string, const FoundSubject*> by_id;
  for (const FoundSubject& e : wildcard.excluded) by_id[e.id] = &e;
  return by_id;
}

// Two finds of the same concrete subject: found where either is.
Optional UnionConcretes(const Optional& existing, const Optional& adding) {
  if (!existing) return adding;
  if (!adding) return existing;
  return Concrete(existing->id, ShortcircuitedCaveatOr(existing->caveat, adding->caveat));
}

// {* - X} + {* - Y} => {* - (X & Y)}: an id only one side excludes is in the other wildcard.
FoundSubject UnionWildcards(const FoundSubject& existing, const FoundSubject& adding) {
  SubjectSet excluded(existing.excluded);
  excluded.IntersectWith(SubjectSet(adding.excluded));
  return Wildcard(ShortcircuitedCaveatOr(existing.caveat, adding.caveat), excluded.AsList());
}

// Adding a concrete subject lifts its exclusion from the wildcard, or, when the concrete is
// conditional, keeps the exclusion only where the concrete is not found.
Optional UnionWildcardWithConcrete(const Optional& wildcard, const FoundSubject& adding) {
  if (!wildcard) return std::nullopt;
  std::vector<FoundSubject> excluded;
  excluded.reserve(wildcard->excluded.size());
  for (const FoundSubject& e : wildcard->excluded) {
    if (e.id != adding.id) {
      excluded.push_back(e);
    } else if (adding.caveat != nullptr) {
      excluded.push_back(Concrete(e.id, CaveatAnd(e.caveat, CaveatNot(adding.caveat))));
    }
  }
  return Wildcard(wildcard->caveat, std::move(excluded));
}

Optional SubtractConcreteFromConcrete(const FoundSubject& existing, const FoundSubject& removed) {
  if (removed.caveat == nullptr) return std::nullopt;
  return Concrete(existing.id, CaveatAnd(existing.caveat, CaveatNot(removed.caveat)));
}

// {*} - {tom} => {* - {tom}}; excluding an id twice excludes it where either exclusion holds.
FoundSubject SubtractConcreteFromWildcard(const FoundSubject& wildcard,
                                          const FoundSubject& removed) {
  std::vector<FoundSubject> excluded;
  excluded.reserve(wildcard.excluded.size() + 1);
  bool found = false;
  for (const FoundSubject& e : wildcard.excluded) {
    if (e.id == removed.id) {
      excluded.push_back(Concrete(e.id, ShortcircuitedCaveatOr(e.caveat, removed.caveat)));
      found = true;
    } else {
      excluded.push_back(e);
    }
  }
  if (!found) excluded.push_back(removed);
  return Wildcard(wildcard.caveat, std::move(excluded));
}

// A concrete subject survives a subtracted wildcard only where the wildcard excludes it or
// does not hold.
Optional SubtractWildcardFromConcrete(const FoundSubject& concrete, const FoundSubject& wildcard) {
  const FoundSubject* exclusion = nullptr;
  for (const FoundSubject& e : wildcard.excluded) {
    if (e.id == concrete.id) exclusion = &e;
  }
  if (exclusion == nullptr) {
    if (wildcard.caveat == nullptr) return std::nullopt;
    return Concrete(concrete.id, CaveatAnd(concrete.caveat, CaveatNot(wildcard.caveat)));
  }
  if (exclusion->caveat == nullptr) return concrete;
  return Concrete(concrete.id, CaveatAnd(concrete.caveat,
                                         CaveatOr(CaveatNot(wildcard.caveat), exclusion->caveat)));
}

// {* - X} - {* - Y}: what Y excludes and X does not becomes concrete; the wildcard itself stays
// only where the subtracted one does not hold. (As in SpiceDB, a subtracted wildcard with
// exclusions but no caveat leaves the first wildcard's own caveat, if any.)
std::pair<Optional, std::vector<FoundSubject>> SubtractWildcardFromWildcard(
    const Optional& existing, const FoundSubject& removed) {
  if (!existing) return {std::nullopt, {}};
  if (removed.caveat == nullptr && removed.excluded.empty()) return {std::nullopt, {}};
  auto existing_exclusions = ExclusionsOf(*existing);
  std::vector<FoundSubject> concretes;
  for (const FoundSubject& e : removed.excluded) {
    auto it = existing_exclusions.find(e.id);
    const FoundSubject* prior = it == existing_exclusions.end() ? nullptr : it->second;
    if (prior != nullptr && prior->caveat == nullptr) continue;
    CaveatExpr both = CaveatAnd(existing->caveat, removed.caveat);
    if (prior != nullptr) both = CaveatAnd(both, CaveatNot(prior->caveat));
    concretes.push_back(Concrete(e.id, CaveatAnd(both, e.caveat)));
  }
  CaveatExpr remaining = CaveatAnd(existing->caveat, CaveatNot(removed.caveat));
  if (remaining == nullptr) return {std::nullopt, std::move(concretes)};
  return {Wildcard(std::move(remaining), existing->excluded), std::move(concretes)};
}

Optional IntersectConcretes(const FoundSubject& first, const FoundSubject* second) {
  if (second == nullptr) return std::nullopt;
  return Concrete(first.id, CaveatAnd(first.caveat, second->caveat));
}

Optional IntersectConcreteWithWildcard(const FoundSubject& concrete, const Optional& wildcard) {
  if (!wildcard) return std::nullopt;
  const FoundSubject* exclusion = nullptr;
  for (const FoundSubject& e : wildcard->excluded) {
    if (e.id == concrete.id) exclusion = &e;
  }
  if (exclusion == nullptr) {
    if (wildcard->caveat == nullptr) return concrete;
    return Concrete(concrete.id, CaveatAnd(concrete.caveat, wildcard->caveat));
  }
  if (exclusion->caveat == nullptr) return std::nullopt;
  return Concrete(concrete.id, CaveatAnd(concrete.caveat, CaveatAnd(wildcard->caveat,
                                                                    CaveatNot(exclusion->caveat))));
}

// {* - X}[a] & {* - Y}[b] => {* - (X + Y)}[a && b].
Optional IntersectWildcards(const Optional& first, const Optional& second) {
  if (!first || !second) return std::nullopt;
  SubjectSet excluded(first->excluded);
  excluded.UnionWith(second->excluded);
  return Wildcard(CaveatAnd(first->caveat, second->caveat), excluded.AsList());
}

}  // namespace

bool SameCaveat(const CaveatExpr& a, const CaveatExpr& b) {
  if (a == b) return true;
  if (a == nullptr || b == nullptr) return false;
  if (a->op != b->op || a->caveat_name != b->caveat_name || a->context != b->context ||
      a->children.size() != b->children.size()) {
    return false;
  }
  for (size_t i = 0; i < a->children.size(); ++i) {
    if (!SameCaveat(a->children[i], b->children[i])) return false;
  }
  return true;
}

CaveatExpr CaveatAnd(const CaveatExpr& a, const CaveatExpr& b) {
  if (a == nullptr) return b;
  if (b == nullptr || SameCaveat(a, b)) return a;
  return Node(CaveatNode::Op::kAnd, {a, b});
}

CaveatExpr CaveatOr(const CaveatExpr& a, const CaveatExpr& b) {
  if (a == nullptr) return b;
  if (b == nullptr || SameCaveat(a, b)) return a;
  return Node(CaveatNode::Op::kOr, {a, b});
}

CaveatExpr ShortcircuitedCaveatOr(const CaveatExpr& a, const CaveatExpr& b) {
  if (a == nullptr || b == nullptr) return nullptr;
  return CaveatOr(a, b);
}

CaveatExpr CaveatNot(const CaveatExpr& a) {
  if (a == nullptr) return nullptr;
  return Node(CaveatNode::Op::kNot, {a});
}

void SubjectSet::SetConcrete(const std::string& id, std::optional<FoundSubject> subject) {
  if (subject) {
    concrete_.insert_or_assign(id, std::move(*subject));
  } else {
    concrete_.erase(id);
  }
}

void SubjectSet::Add(const FoundSubject& subject) {
  if (subject.id == kWildcardId) {
    Optional updated = wildcard_ ? UnionWildcards(*wildcard_, subject) : subject;
    for (const auto& [id, concrete] : concrete_) {
      updated = UnionWildcardWithConcrete(updated, concrete);
    }
    wildcard_ = std::move(updated);
    return;
  }
  auto it = concrete_.find(subject.id);
  Optional existing = it == concrete_.end() ? Optional() : Optional(it->second);
  SetConcrete(subject.id, UnionConcretes(existing, subject));
  wildcard_ = UnionWildcardWithConcrete(wildcard_, subject);
}

void SubjectSet::Subtract(const FoundSubject& subject) {
  if (subject.id == kWildcardId) {
    std::vector<std::pair<std::string, Optional>> updated;
    updated.reserve(concrete_.size());
    for (const auto& [id, concrete] : concrete_) {
      updated.emplace_back(id, SubtractWildcardFromConcrete(concrete, subject));
    }
    for (auto& [id, concrete] : updated) SetConcrete(id, std::move(concrete));
    auto [wildcard, concretes] = SubtractWildcardFromWildcard(wildcard_, subject);
    wildcard_ = std::move(wildcard);
    for (FoundSubject& concrete : concretes) {
      std::string id = concrete.id;
      SetConcrete(id, std::move(concrete));
    }
    return;
  }
  if (auto it = concrete_.find(subject.id); it != concrete_.end()) {
    SetConcrete(subject.id, SubtractConcreteFromConcrete(it->second, subject));
  }
  if (wildcard_) wildcard_ = SubtractConcreteFromWildcard(*wildcard_, subject);
}

void SubjectSet::UnionWith(const std::vector<FoundSubject>& members) {
  for (const FoundSubject& member : members) Add(member);
}

void SubjectSet::SubtractAll(const SubjectSet& other) {
  for (const FoundSubject& member : other.AsList()) Subtract(member);
}

void SubjectSet::IntersectWith(const SubjectSet& other) {
  // SpiceDB's IntersectionDifference: the concretes meet the other side's concretes and its
  // wildcard (as it was), and this side's wildcard (as it was) meets the other's concretes.
  const Optional own_wildcard = wildcard_;
  wildcard_ = IntersectWildcards(own_wildcard, other.wildcard_);
  absl::btree_map<std::string, FoundSubject> updated;
  for (const auto& [id, concrete] : concrete_) {
    auto match = other.concrete_.find(id);
    Optional result = UnionConcretes(
        IntersectConcretes(concrete, match == other.concrete_.end() ? nullptr : &match->second),
        IntersectConcreteWithWildcard(concrete, other.wildcard_));
    if (result) updated.insert_or_assign(id, std::move(*result));
  }
  if (own_wildcard) {
    for (const auto& [id, concrete] : other.concrete_) {
      Optional via_wildcard = IntersectConcreteWithWildcard(concrete, own_wildcard);
      auto it = updated.find(id);
      if (it != updated.end()) {
        it->second = *UnionConcretes(it->second, via_wildcard);
      } else if (via_wildcard) {
        updated.insert_or_assign(id, std::move(*via_wildcard));
      }
    }
  }
  concrete_ = std::move(updated);
}

SubjectSet SubjectSet::WithParentCaveat(const CaveatExpr& parent) const {
  SubjectSet out = *this;
  if (out.wildcard_) out.wildcard_->caveat = CaveatAnd(parent, out.wildcard_->caveat);
  for (auto& [id, concrete] : out.concrete_) concrete.caveat = CaveatAnd(parent, concrete.caveat);
  return out;
}

std::vector<FoundSubject> SubjectSet::AsList() const {
  std::vector<FoundSubject> out;
  out.reserve(concrete_.size() + (wildcard_ ? 1 : 0));
  for (const auto& [id, concrete] : concrete_) out.push_back(concrete);
  if (wildcard_) out.push_back(*wildcard_);
  return out;
}

}  // namespace rebac::graph
