#include "schema/schema_diff.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"

namespace rebac::schema {
namespace {

using RelationMap = std::map<std::string, const Relation*, std::less<>>;

// Relations and permissions of `definition`, each by name (sorted).
void Split(const Definition& definition, RelationMap* relations, RelationMap* permissions) {
  for (const Relation& r : definition.relations) {
    (r.is_permission ? permissions : relations)->emplace(r.name, &r);
  }
}

void AddOnlyIn(const RelationMap& a, const RelationMap& b, DefinitionDelta::Kind kind,
               std::vector<DefinitionDelta>* out) {
  for (const auto& [name, relation] : a) {
    if (!b.contains(name)) out->push_back({kind, name, {}});
  }
}

}  // namespace

std::string AllowedTypeSource(const AllowedSubjectType& type) {
  std::string out = type.type;
  if (type.wildcard) {
    absl::StrAppend(&out, ":*");
  } else if (!type.relation.empty()) {
    absl::StrAppend(&out, "#", type.relation);
  }
  if (!type.caveat.empty() || type.expiration) {
    absl::StrAppend(&out, " with ", type.caveat);
    if (!type.caveat.empty() && type.expiration) absl::StrAppend(&out, " and ");
    if (type.expiration) absl::StrAppend(&out, "expiration");
  }
  return out;
}

bool SameRewrite(const RewriteNode& a, const RewriteNode& b) {
  if (a.kind != b.kind || a.relation != b.relation || a.arrow_target != b.arrow_target ||
      a.arrow_function != b.arrow_function || a.arrow_is_function != b.arrow_is_function ||
      a.children.size() != b.children.size()) {
    return false;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!SameRewrite(a.children[i], b.children[i])) return false;
  }
  return true;
}

std::vector<DefinitionDelta> DiffDefinitions(const Definition& existing,
                                             const Definition& updated) {
  using Kind = DefinitionDelta::Kind;
  std::vector<DefinitionDelta> deltas;
  if (existing.doc_comment != updated.doc_comment) deltas.push_back({Kind::kCommentsChanged});

  RelationMap old_relations, old_permissions, new_relations, new_permissions;
  Split(existing, &old_relations, &old_permissions);
  Split(updated, &new_relations, &new_permissions);

  AddOnlyIn(old_relations, new_relations, Kind::kRelationRemoved, &deltas);
  AddOnlyIn(new_relations, old_relations, Kind::kRelationAdded, &deltas);
  AddOnlyIn(old_permissions, new_permissions, Kind::kPermissionRemoved, &deltas);
  AddOnlyIn(new_permissions, old_permissions, Kind::kPermissionAdded, &deltas);

  for (const auto& [name, old_permission] : old_permissions) {
    auto it = new_permissions.find(name);
    if (it == new_permissions.end()) continue;
    if (!SameRewrite(old_permission->rewrite, it->second->rewrite)) {
      deltas.push_back({Kind::kPermissionExprChanged, name, {}});
    }
    if (old_permission->doc_comment != it->second->doc_comment) {
      deltas.push_back({Kind::kPermissionCommentChanged, name, {}});
    }
  }

  for (const auto& [name, old_relation] : old_relations) {
    auto it = new_relations.find(name);
    if (it == new_relations.end()) continue;
    if (old_relation->doc_comment != it->second->doc_comment) {
      deltas.push_back({Kind::kRelationCommentChanged, name, {}});
    }
    // Allowed types compare by their source text, as in SpiceDB.
    std::map<std::string, const AllowedSubjectType*> old_types, new_types;
    for (const AllowedSubjectType& t : old_relation->allowed) old_types[AllowedTypeSource(t)] = &t;
    for (const AllowedSubjectType& t : it->second->allowed) new_types[AllowedTypeSource(t)] = &t;
    for (const auto& [source, type] : old_types) {
      if (!new_types.contains(source)) deltas.push_back({Kind::kAllowedTypeRemoved, name, *type});
    }
    for (const auto& [source, type] : new_types) {
      if (!old_types.contains(source)) deltas.push_back({Kind::kAllowedTypeAdded, name, *type});
    }
  }
  return deltas;
}

std::vector<CaveatDelta> DiffCaveats(const Caveat& existing, const Caveat& updated) {
  using Kind = CaveatDelta::Kind;
  std::vector<CaveatDelta> deltas;
  if (existing.doc_comment != updated.doc_comment) deltas.push_back({Kind::kCommentsChanged});
  std::map<std::string, std::string> old_params, new_params;
  for (const CaveatParameter& p : existing.parameters) old_params[p.name] = p.type;
  for (const CaveatParameter& p : updated.parameters) new_params[p.name] = p.type;
  for (const auto& [name, type] : old_params) {
    if (!new_params.contains(name)) deltas.push_back({Kind::kParameterRemoved, name, type, ""});
  }
  for (const auto& [name, type] : new_params) {
    if (!old_params.contains(name)) deltas.push_back({Kind::kParameterAdded, name, "", type});
  }
  for (const auto& [name, type] : old_params) {
    auto it = new_params.find(name);
    if (it != new_params.end() && it->second != type) {
      deltas.push_back({Kind::kParameterTypeChanged, name, type, it->second});
    }
  }
  if (existing.expression != updated.expression) deltas.push_back({Kind::kExpressionChanged});
  return deltas;
}

SchemaDiff DiffSchemas(const CompiledSchema& existing, const CompiledSchema& updated) {
  SchemaDiff diff;
  for (const Definition& d : updated.definitions()) {
    const Definition* old = existing.FindDefinition(d.name);
    if (old == nullptr) {
      diff.added_definitions.push_back(d.name);
      continue;
    }
    std::vector<DefinitionDelta> deltas = DiffDefinitions(*old, d);
    if (!deltas.empty()) diff.changed_definitions.push_back({d.name, std::move(deltas)});
  }
  for (const Definition& d : existing.definitions()) {
    if (updated.FindDefinition(d.name) == nullptr) diff.removed_definitions.push_back(d.name);
  }
  for (const Caveat& c : updated.caveats()) {
    const Caveat* old = existing.FindCaveat(c.name);
    if (old == nullptr) {
      diff.added_caveats.push_back(c.name);
      continue;
    }
    std::vector<CaveatDelta> deltas = DiffCaveats(*old, c);
    if (!deltas.empty()) diff.changed_caveats.push_back({c.name, std::move(deltas)});
  }
  for (const Caveat& c : existing.caveats()) {
    if (updated.FindCaveat(c.name) == nullptr) diff.removed_caveats.push_back(c.name);
  }
  return diff;
}

}  // namespace rebac::schema
