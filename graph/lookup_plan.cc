#include "graph/lookup_plan.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <string_view>
#include <utility>

#include "absl/container/btree_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace rebac::graph {
namespace {

using Kind = schema::RewriteNode::Kind;

struct Edge {
  std::string subject_key;
  Entrypoint entrypoint;
};

void AddArrowEdges(const schema::CompiledSchema& schema, const schema::Definition& definition,
                   const schema::Relation& permission, const schema::RewriteNode& node, bool direct,
                   std::vector<Edge>* edges) {
  const schema::Relation* tupleset = definition.FindRelation(node.relation);
  if (tupleset == nullptr) return;
  // One hop per subject type the tupleset allows that has the arrow's target, listing every
  // form (`folder`, `folder#x`) in which that type may appear in the tupleset.
  std::vector<std::string> types;
  for (const schema::AllowedSubjectType& allowed : tupleset->allowed) {
    bool seen = false;
    for (const std::string& t : types) seen = seen || t == allowed.type;
    if (!seen) types.push_back(allowed.type);
  }
  for (const std::string& type : types) {
    const schema::Definition* subject_definition = schema.FindDefinition(type);
    if (subject_definition == nullptr ||
        subject_definition->FindRelation(node.arrow_target) == nullptr) {
      continue;
    }
    Entrypoint e;
    e.kind = Entrypoint::Kind::kArrow;
    e.found_type = definition.name;
    e.found_relation = permission.name;
    e.tupleset = node.relation;
    e.direct = direct && node.arrow_function == schema::RewriteNode::ArrowFunction::kAny;
    for (const schema::AllowedSubjectType& allowed : tupleset->allowed) {
      if (allowed.type != type || allowed.wildcard) continue;
      bool seen = false;
      for (const std::string& r : e.tupleset_subject_relations)
        seen = seen || r == allowed.relation;
      if (!seen) e.tupleset_subject_relations.push_back(allowed.relation);
    }
    edges->push_back({absl::StrCat(type, "#", node.arrow_target), std::move(e)});
  }
}

void AddRewriteEdges(const schema::CompiledSchema& schema, const schema::Definition& definition,
                     const schema::Relation& permission, const schema::RewriteNode& node,
                     bool direct, std::vector<Edge>* edges) {
  switch (node.kind) {
    case Kind::kNil:
      return;
    case Kind::kSelf:
    case Kind::kComputedUserset: {
      // The same objects: those with the computed relation, or, for `self`, the objects
      // themselves (relation "": the ellipsis).
      Entrypoint e;
      e.kind = Entrypoint::Kind::kComputedUserset;
      e.found_type = definition.name;
      e.found_relation = permission.name;
      e.direct = direct;
      absl::string_view from = node.kind == Kind::kSelf ? absl::string_view() : node.relation;
      edges->push_back({absl::StrCat(definition.name, "#", from), std::move(e)});
      return;
    }
    case Kind::kArrow:
      AddArrowEdges(schema, definition, permission, node, direct, edges);
      return;
    case Kind::kUnion:
      for (const schema::RewriteNode& child : node.children) {
        AddRewriteEdges(schema, definition, permission, child, direct, edges);
      }
      return;
    case Kind::kIntersection:
    case Kind::kExclusion:
      // Every answer is in the first operand, so walking it alone finds them all; the check at
      // the end removes what the other operands exclude.
      if (!node.children.empty()) {
        AddRewriteEdges(schema, definition, permission, node.children[0], false, edges);
      }
      return;
  }
}

std::vector<Edge> AllEdges(const schema::CompiledSchema& schema) {
  std::vector<Edge> edges;
  for (const schema::Definition& definition : schema.definitions()) {
    for (const schema::Relation& relation : definition.relations) {
      if (relation.is_permission) {
        AddRewriteEdges(schema, definition, relation, relation.rewrite, true, &edges);
        continue;
      }
      // One hop per allowed subject relation, merging `user`, `user:*` and caveated variants.
      std::vector<Edge> local;
      for (const schema::AllowedSubjectType& allowed : relation.allowed) {
        std::string key = absl::StrCat(allowed.type, "#", allowed.wildcard ? "" : allowed.relation);
        Edge* edge = nullptr;
        for (Edge& existing : local) {
          if (existing.subject_key == key) edge = &existing;
        }
        if (edge == nullptr) {
          local.push_back({key, {}});
          edge = &local.back();
          edge->entrypoint.kind = Entrypoint::Kind::kRelation;
          edge->entrypoint.found_type = definition.name;
          edge->entrypoint.found_relation = relation.name;
        }
        if (allowed.wildcard) {
          edge->entrypoint.wildcard_allowed = true;
        } else {
          edge->entrypoint.subject_allowed = true;
        }
      }
      for (Edge& e : local) edges.push_back(std::move(e));
    }
  }
  return edges;
}

}  // namespace

std::string LookupPlan::Key(absl::string_view type, absl::string_view relation) {
  return absl::StrCat(type, "#", relation);
}

LookupPlan::LookupPlan(const schema::CompiledSchema& schema, absl::string_view target_type,
                       absl::string_view target_relation)
    : target_type_(target_type), target_relation_(target_relation) {
  std::vector<Edge> edges = AllEdges(schema);

  // The relations that can reach the target: a backward search from it over the edges.
  absl::flat_hash_map<std::string, std::vector<size_t>> edges_into;
  for (size_t i = 0; i < edges.size(); ++i) {
    const Entrypoint& e = edges[i].entrypoint;
    edges_into[Key(e.found_type, e.found_relation)].push_back(i);
  }
  absl::flat_hash_set<std::string> reaches_target;
  std::deque<std::string> pending;
  pending.push_back(Key(target_type, target_relation));
  reaches_target.insert(pending.back());
  while (!pending.empty()) {
    std::string key = std::move(pending.front());
    pending.pop_front();
    auto it = edges_into.find(key);
    if (it == edges_into.end()) continue;
    for (size_t i : it->second) {
      if (reaches_target.insert(edges[i].subject_key).second) {
        pending.push_back(edges[i].subject_key);
      }
    }
  }

  // SpiceDB's entrypoint order (FirstEntrypointsForSubjectToResource): the relations met by a
  // depth-first walk down from the target, each before the relations it is reached from, those
  // taken in the byte order of their "type#relation" names (the objects themselves, "type#",
  // are not walked into). A subject's hops follow the order of the relation each one leads to,
  // and within one relation the order of the schema text. It fixes the order in which a walk
  // reports what it finds, so SpiceDB's pages under a limit can be reproduced.
  absl::flat_hash_map<std::string, size_t> preorder;
  std::function<void(const std::string&)> walk = [&](const std::string& key) {
    if (!preorder.emplace(key, preorder.size()).second) return;
    auto it = edges_into.find(key);
    if (it == edges_into.end()) return;
    absl::btree_set<std::string> below;
    for (size_t i : it->second) {
      if (!absl::EndsWith(edges[i].subject_key, "#")) below.insert(edges[i].subject_key);
    }
    for (const std::string& next : below) walk(next);
  };
  walk(Key(target_type, target_relation));

  for (Edge& edge : edges) {
    const Entrypoint& e = edge.entrypoint;
    if (!reaches_target.contains(Key(e.found_type, e.found_relation))) continue;
    // The same hop met twice (`writer + (writer + x)`) is one entrypoint, as SpiceDB keys
    // its entrypoints by what they are (pkg/schema reachability): walking it twice would
    // stream its conditional results twice.
    std::vector<Entrypoint>& hops = by_subject_[edge.subject_key];
    bool seen = false;
    for (const Entrypoint& other : hops) {
      seen = seen || (other.kind == e.kind && other.found_type == e.found_type &&
                      other.found_relation == e.found_relation && other.tupleset == e.tupleset &&
                      other.direct == e.direct);
    }
    if (!seen) hops.push_back(std::move(edge.entrypoint));
  }
  for (auto& [subject, hops] : by_subject_) {
    std::stable_sort(hops.begin(), hops.end(), [&](const Entrypoint& a, const Entrypoint& b) {
      return preorder.at(Key(a.found_type, a.found_relation)) <
             preorder.at(Key(b.found_type, b.found_relation));
    });
  }
}

const std::vector<Entrypoint>& LookupPlan::EntrypointsFrom(absl::string_view type,
                                                           absl::string_view relation) const {
  static const std::vector<Entrypoint>* const kNone = new std::vector<Entrypoint>();
  auto it = by_subject_.find(Key(type, relation));
  return it == by_subject_.end() ? *kNone : it->second;
}

}  // namespace rebac::graph
