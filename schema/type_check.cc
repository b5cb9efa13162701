#include "schema/type_check.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace rebac::schema::internal {
namespace {

constexpr SchemaError::Kind kType = SchemaError::Kind::kType;

using RelationMap = absl::flat_hash_map<absl::string_view, const AstRelation*>;

// How SpiceDB spells an allowed subject type in its messages, e.g. "user:* with c".
std::string SourceForAllowedType(const AstTypeRef& type) {
  std::string traits;
  if (!type.caveat.empty() || type.expiration) {
    traits = " with ";
    if (!type.caveat.empty()) absl::StrAppend(&traits, type.caveat);
    if (!type.caveat.empty() && type.expiration) absl::StrAppend(&traits, " and ");
    if (type.expiration) absl::StrAppend(&traits, "expiration");
  }
  if (type.wildcard) return absl::StrCat(type.type, ":*", traits);
  if (!type.relation.empty()) return absl::StrCat(type.type, "#", type.relation, traits);
  return absl::StrCat(type.type, traits);
}

std::string RelationNotFound(absl::string_view definition, absl::string_view relation) {
  return absl::StrCat("relation/permission `", relation, "` not found under definition `",
                      definition, "`");
}

class TypeChecker {
 public:
  explicit TypeChecker(const AstFile& file);

  std::optional<SchemaError> Run();

 private:
  // A wildcard subject type reachable from a relation, and the relation that allows it.
  struct Wildcard {
    std::string type;
    std::string via;  // "definition#relation"
  };

  std::optional<SchemaError> CheckDefinition(const AstDefinition& definition);
  std::optional<SchemaError> CheckAnnotation(const AstDefinition& definition,
                                             const AstRelation& permission) const;
  const AstRelation* FindRelation(absl::string_view definition, absl::string_view relation) const;
  std::optional<SchemaError> CheckExpression(const AstDefinition& definition,
                                             const AstRelation& permission, const AstExpr& expr);
  std::optional<SchemaError> CheckAllowedTypes(const AstDefinition& definition,
                                               const AstRelation& relation);
  std::optional<SchemaError> CheckAliasCycles(const AstDefinition& definition);
  std::optional<SchemaError> FindWildcard(absl::string_view definition, absl::string_view relation,
                                          SourcePos at, std::optional<Wildcard>* found) const;

  const AstFile& file_;
  absl::flat_hash_map<absl::string_view, const AstDefinition*> definitions_;
  absl::flat_hash_map<absl::string_view, RelationMap> relations_;  // by definition name
  absl::flat_hash_set<absl::string_view> caveats_;
};

TypeChecker::TypeChecker(const AstFile& file) : file_(file) {
  for (const AstItem& item : file.items) {
    if (const auto* caveat = std::get_if<AstCaveat>(&item)) caveats_.insert(caveat->name);
    const auto* definition = std::get_if<AstDefinition>(&item);
    if (definition == nullptr) continue;
    definitions_.emplace(definition->name, definition);
    RelationMap& relations = relations_[definition->name];
    for (const AstRelation& relation : definition->relations) {
      relations.emplace(relation.name, &relation);
    }
  }
}

std::optional<SchemaError> TypeChecker::Run() {
  for (const AstItem& item : file_.items) {
    if (const auto* definition = std::get_if<AstDefinition>(&item)) {
      if (auto error = CheckDefinition(*definition)) return error;
    }
  }
  return std::nullopt;
}

std::optional<SchemaError> TypeChecker::CheckDefinition(const AstDefinition& definition) {
  absl::flat_hash_set<absl::string_view> names;
  for (const AstRelation& relation : definition.relations) {
    if (!names.insert(relation.name).second) {
      return MakeError(kType,
                       absl::StrCat("found duplicate relation/permission name `", relation.name,
                                    "` under definition `", definition.name, "`"),
                       relation.pos, relation.name);
    }
  }
  for (const AstRelation& relation : definition.relations) {
    if (relation.is_permission && file_.typechecking && !relation.annotated_types.empty()) {
      if (auto error = CheckAnnotation(definition, relation)) return error;
    }
    auto error = relation.is_permission ? CheckExpression(definition, relation, relation.expression)
                                        : CheckAllowedTypes(definition, relation);
    if (error) return error;
  }
  return CheckAliasCycles(definition);
}

const AstRelation* TypeChecker::FindRelation(absl::string_view definition,
                                             absl::string_view relation) const {
  auto relations = relations_.find(definition);
  if (relations == relations_.end()) return nullptr;
  auto it = relations->second.find(relation);
  return it == relations->second.end() ? nullptr : it->second;
}

// Under `use typechecking`, SpiceDB checks a permission's type annotation against every subject
// type the permission can reach: the types of its relations (through `type#relation` to that
// relation's types, through arrows to the target on each tupleset type that has it), over every
// operand of `+`, `&` and `-` alike. References that do not resolve add nothing here; they are
// reported by the other checks. SpiceDB names the first missing type in a Go map's (random)
// order; this names one deterministically, a relation's own types in source order first.
std::optional<SchemaError> TypeChecker::CheckAnnotation(const AstDefinition& definition,
                                                        const AstRelation& permission) const {
  absl::flat_hash_set<std::string> visited;
  std::vector<std::pair<absl::string_view, const AstRelation*>> pending;  // definition, relation
  std::vector<const AstExpr*> exprs;
  std::vector<absl::string_view> reachable;
  absl::flat_hash_set<absl::string_view> seen_types;
  auto visit = [&](absl::string_view def, absl::string_view rel) {
    const AstRelation* found = FindRelation(def, rel);
    if (found != nullptr && visited.insert(absl::StrCat(def, "#", rel)).second) {
      pending.emplace_back(def, found);
    }
  };
  auto reach = [&](absl::string_view type) {
    if (seen_types.insert(type).second) reachable.push_back(type);
  };
  visit(definition.name, permission.name);
  // Depth first, with explicit stacks: long chains of relations cannot exhaust the native stack.
  while (!pending.empty()) {
    auto [def, relation] = pending.back();
    pending.pop_back();
    if (!relation->is_permission) {
      for (const AstTypeRef& type : relation->types) {
        if (type.wildcard || type.relation.empty()) reach(type.type);
      }
      for (auto type = relation->types.rbegin(); type != relation->types.rend(); ++type) {
        if (!type->wildcard && !type->relation.empty()) visit(type->type, type->relation);
      }
      continue;
    }
    exprs.push_back(&relation->expression);
    while (!exprs.empty()) {
      const AstExpr* expr = exprs.back();
      exprs.pop_back();
      switch (expr->kind) {
        case AstExpr::Kind::kNil:
          break;
        case AstExpr::Kind::kSelf:
          reach(def);
          break;
        case AstExpr::Kind::kIdentifier:
          visit(def, expr->name);
          break;
        case AstExpr::Kind::kArrow:
          if (const AstRelation* tupleset = FindRelation(def, expr->name)) {
            for (const AstTypeRef& type : tupleset->types) visit(type.type, expr->arrow_target);
          }
          break;
        default:
          for (auto child = expr->children.rbegin(); child != expr->children.rend(); ++child) {
            exprs.push_back(&*child);
          }
      }
    }
  }
  for (absl::string_view type : reachable) {
    if (std::find(permission.annotated_types.begin(), permission.annotated_types.end(), type) !=
        permission.annotated_types.end()) {
      continue;
    }
    std::vector<std::string> quoted;
    for (const std::string& annotated : permission.annotated_types) {
      quoted.push_back(absl::StrCat("`", annotated, "`"));
    }
    return MakeError(kType,
                     absl::StrCat("incomplete type annotation on relation `", permission.name,
                                  "` in definition `", definition.name, "`: `", type,
                                  "` found as reachable type, but not contained in provided set [",
                                  absl::StrJoin(quoted, " "), "]"),
                     permission.pos, permission.name);
  }
  return std::nullopt;
}

std::optional<SchemaError> TypeChecker::CheckExpression(const AstDefinition& definition,
                                                        const AstRelation& permission,
                                                        const AstExpr& expr) {
  const RelationMap& relations = relations_.at(definition.name);
  switch (expr.kind) {
    case AstExpr::Kind::kNil:
    case AstExpr::Kind::kSelf:
      return std::nullopt;
    case AstExpr::Kind::kIdentifier:
      if (!relations.contains(expr.name)) {
        return MakeError(kType, RelationNotFound(definition.name, expr.name), expr.pos, expr.name);
      }
      return std::nullopt;
    case AstExpr::Kind::kArrow: {
      // Only the tupleset is checked: the target may exist on some subject types and not on
      // others, which SpiceDB allows.
      auto it = relations.find(expr.name);
      if (it == relations.end()) {
        return MakeError(kType, RelationNotFound(definition.name, expr.name), expr.pos, expr.name);
      }
      if (it->second->is_permission) {
        return MakeError(kType,
                         absl::StrCat("under permission `", permission.name, "` under definition `",
                                      definition.name,
                                      "`: permissions cannot be used on the left hand side of an "
                                      "arrow (found `",
                                      expr.name, "`)"),
                         expr.pos, expr.name);
      }
      std::optional<Wildcard> wildcard;
      if (auto error = FindWildcard(definition.name, expr.name, expr.pos, &wildcard)) return error;
      if (wildcard.has_value()) {
        return MakeError(
            kType,
            absl::StrCat("for arrow under permission `", permission.name, "`: relation `",
                         definition.name, "#", expr.name, "` includes wildcard type `",
                         wildcard->type, "` via relation `", wildcard->via,
                         "`: wildcard relations cannot be used on the left side of "
                         "arrows"),
            expr.pos, expr.name);
      }
      return std::nullopt;
    }
    case AstExpr::Kind::kUnion:
    case AstExpr::Kind::kIntersection:
    case AstExpr::Kind::kExclusion:
      for (const AstExpr& child : expr.children) {
        if (auto error = CheckExpression(definition, permission, child)) return error;
      }
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<SchemaError> TypeChecker::CheckAllowedTypes(const AstDefinition& definition,
                                                          const AstRelation& relation) {
  absl::flat_hash_set<std::string> seen;
  for (const AstTypeRef& type : relation.types) {
    const std::string source = SourceForAllowedType(type);
    if (!seen.insert(source).second) {
      return MakeError(
          kType,
          absl::StrCat("found duplicate allowed subject type `", source, "` on relation `",
                       relation.name, "` under definition `", definition.name, "`"),
          type.pos, source);
    }
    const bool names_relation = !type.wildcard && !type.relation.empty();
    if (type.type == definition.name) {
      // Within its own definition SpiceDB only checks that the relation exists.
      if (names_relation && !relations_.at(definition.name).contains(type.relation)) {
        return MakeError(kType, RelationNotFound(type.type, type.relation), type.pos,
                         type.relation);
      }
    } else {
      auto subject = relations_.find(type.type);
      if (subject == relations_.end()) {
        return MakeError(
            kType,
            absl::StrCat("could not lookup definition `", type.type, "` for relation `",
                         relation.name, "`: object definition `", type.type, "` not found"),
            type.pos, type.type);
      }
      if (names_relation) {
        if (!subject->second.contains(type.relation)) {
          return MakeError(kType, RelationNotFound(type.type, type.relation), type.pos,
                           type.relation);
        }
        std::optional<Wildcard> wildcard;
        if (auto error = FindWildcard(type.type, type.relation, type.pos, &wildcard)) {
          return error;
        }
        if (wildcard.has_value()) {
          return MakeError(kType,
                           absl::StrCat("for relation `", relation.name, "`: relation/permission `",
                                        type.type, "#", type.relation, "` includes wildcard type `",
                                        wildcard->type, "` via relation `", wildcard->via,
                                        "`: wildcard relations cannot be transitively included"),
                           type.pos, absl::StrCat(type.type, "#", type.relation));
        }
      }
    }
    if (!type.caveat.empty() && !caveats_.contains(type.caveat)) {
      return MakeError(kType,
                       absl::StrCat("could not lookup caveat `", type.caveat, "` for relation `",
                                    relation.name, "`: caveat `", type.caveat, "` not found"),
                       type.pos, source);
    }
  }
  return std::nullopt;
}

// Depth-first over subject relations (`type#relation`), in the order SpiceDB's recursive walk
// visits them, with an explicit stack so that long chains of definitions cannot exhaust the
// native stack. References that do not resolve are reported as SpiceDB's walk reports them.
std::optional<SchemaError> TypeChecker::FindWildcard(absl::string_view definition,
                                                     absl::string_view relation, SourcePos at,
                                                     std::optional<Wildcard>* found) const {
  struct Frame {
    absl::string_view definition;
    const AstRelation* relation;
    size_t next_type = 0;
  };
  std::vector<Frame> stack;
  absl::flat_hash_set<std::string> visited;
  auto enter = [&](absl::string_view def_name,
                   absl::string_view rel_name) -> std::optional<SchemaError> {
    if (!visited.insert(absl::StrCat(def_name, "#", rel_name)).second) return std::nullopt;
    auto relations = relations_.find(def_name);
    if (relations == relations_.end()) {
      return MakeError(kType, absl::StrCat("object definition `", def_name, "` not found"), at,
                       std::string(def_name));
    }
    auto it = relations->second.find(rel_name);
    if (it == relations->second.end()) {
      return MakeError(kType, RelationNotFound(def_name, rel_name), at, std::string(rel_name));
    }
    stack.push_back(Frame{def_name, it->second});
    return std::nullopt;
  };

  if (auto error = enter(definition, relation)) return error;
  while (!stack.empty()) {
    Frame& frame = stack.back();
    if (frame.next_type >= frame.relation->types.size()) {
      stack.pop_back();
      continue;
    }
    const AstTypeRef& type = frame.relation->types[frame.next_type++];
    if (type.wildcard) {
      *found = Wildcard{type.type, absl::StrCat(frame.definition, "#", frame.relation->name)};
      return std::nullopt;
    }
    if (!type.relation.empty()) {
      if (auto error = enter(type.type, type.relation)) return error;
    }
  }
  return std::nullopt;
}

// SpiceDB resolves permissions that merely rename another (`permission a = b`) and refuses the
// schema when such renames only lead to each other.
std::optional<SchemaError> TypeChecker::CheckAliasCycles(const AstDefinition& definition) {
  const RelationMap& relations = relations_.at(definition.name);
  absl::flat_hash_map<absl::string_view, absl::string_view> unresolved;
  for (const AstRelation& relation : definition.relations) {
    if (!relation.is_permission || relation.expression.kind != AstExpr::Kind::kIdentifier) {
      continue;
    }
    auto target = relations.find(relation.expression.name);
    if (target != relations.end() && target->second->is_permission) {
      unresolved.emplace(relation.name, relation.expression.name);
    }
  }
  bool progressed = true;
  while (!unresolved.empty() && progressed) {
    progressed = false;
    for (auto it = unresolved.begin(); it != unresolved.end();) {
      if (unresolved.contains(it->second)) {
        ++it;
        continue;
      }
      unresolved.erase(it++);
      progressed = true;
    }
  }
  if (unresolved.empty()) return std::nullopt;

  std::vector<absl::string_view> names;
  for (const auto& [name, target] : unresolved) names.push_back(name);
  std::sort(names.begin(), names.end());
  SourcePos pos = definition.pos;
  for (const AstRelation& relation : definition.relations) {
    if (unresolved.contains(relation.name)) {
      pos = relation.pos;
      break;
    }
  }
  // SpiceDB v1.54 reports a permission that is only itself (`permission view = view`) untyped,
  // as UNKNOWN, and longer cycles as type errors; the message is the same.
  return MakeError(
      names.size() == 1 && unresolved.begin()->second == names[0] ? SchemaError::Kind::kUnknown
                                                                  : kType,
      absl::StrCat("under definition `", definition.name,
                   "`, there exists a cycle in permissions: ", absl::StrJoin(names, ", ")),
      pos);
}

}  // namespace

std::optional<SchemaError> TypeCheck(const AstFile& file) { return TypeChecker(file).Run(); }

}  // namespace rebac::schema::internal
