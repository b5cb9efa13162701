#include "api/schema_reflection.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/schema_validation.h"
#include "graph/error_reason.h"
#include "schema/schema_diff.h"

namespace rebac::api {
namespace {

namespace v1 = authzed::api::v1;
using schema::AllowedSubjectType;
using schema::CompiledSchema;
using schema::Definition;
using schema::Relation;
using schema::RewriteNode;

constexpr char kEllipsis[] = "...";

// ---- ReflectSchema filters (SpiceDB's schemaFilters) ----

class SchemaFilters {
 public:
  explicit SchemaFilters(const google::protobuf::RepeatedPtrField<v1::ReflectionSchemaFilter>& f)
      : filters_(f) {}

  absl::Status Validate() const {
    for (const v1::ReflectionSchemaFilter& f : filters_) {
      if (!f.optional_definition_name_filter().empty() &&
          !f.optional_caveat_name_filter().empty()) {
        return Invalid("cannot filter by both definition and caveat name", f);
      }
      if (!f.optional_relation_name_filter().empty()) {
        if (f.optional_definition_name_filter().empty()) {
          return Invalid("relation name match requires definition name match", f);
        }
        if (!f.optional_permission_name_filter().empty()) {
          return Invalid("cannot filter by both relation and permission name", f);
        }
      }
      if (!f.optional_permission_name_filter().empty() &&
          f.optional_definition_name_filter().empty()) {
        return Invalid("permission name match requires definition name match", f);
      }
    }
    return absl::OkStatus();
  }

  bool HasDefinitions() const {
    if (filters_.empty()) return true;
    for (const auto& f : filters_) {
      if (!f.optional_definition_name_filter().empty()) return true;
    }
    return false;
  }
  bool HasCaveats() const {
    if (filters_.empty()) return true;
    for (const auto& f : filters_) {
      if (!f.optional_caveat_name_filter().empty()) return true;
    }
    return false;
  }
  bool HasDefinition(const std::string& name) const {
    if (filters_.empty()) return true;
    bool any = false;
    for (const auto& f : filters_) {
      if (f.optional_definition_name_filter().empty()) continue;
      any = true;
      if (absl::StartsWith(name, f.optional_definition_name_filter())) return true;
    }
    return !any;
  }
  bool HasCaveat(const std::string& name) const {
    if (filters_.empty()) return true;
    bool any = false;
    for (const auto& f : filters_) {
      if (f.optional_caveat_name_filter().empty()) continue;
      any = true;
      if (absl::StartsWith(name, f.optional_caveat_name_filter())) return true;
    }
    return !any;
  }
  // `permission` selects which filter field applies.
  bool HasMember(const std::string& definition, const std::string& name, bool permission) const {
    if (filters_.empty()) return true;
    bool any = false;
    for (const auto& f : filters_) {
      const std::string& member =
          permission ? f.optional_permission_name_filter() : f.optional_relation_name_filter();
      if (member.empty()) continue;
      any = true;
      if (!absl::StartsWith(name, member)) continue;
      if (absl::StartsWith(definition, f.optional_definition_name_filter())) return true;
    }
    return !any;
  }

 private:
  static absl::Status Invalid(absl::string_view reason, const v1::ReflectionSchemaFilter& f) {
    return ErrorWithReason(absl::StatusCode::kInvalidArgument,
                           absl::StrCat("the relationship filter provided is not valid: ", reason),
                           "ERROR_REASON_INVALID_FILTER", {{"filter", f.ShortDebugString()}});
  }

  const google::protobuf::RepeatedPtrField<v1::ReflectionSchemaFilter>& filters_;
};

// ---- API representations (SpiceDB's *APIRepr) ----

void TypeRepr(const AllowedSubjectType& t, v1::ReflectionTypeReference* out) {
  out->set_subject_definition_name(t.type);
  if (!t.relation.empty()) {
    out->set_optional_relation_name(t.relation);
  } else if (t.wildcard) {
    out->set_is_public_wildcard(true);
  } else {
    out->set_is_terminal_subject(false);  // SpiceDB sets the oneof to an empty (false) value
  }
  if (!t.caveat.empty()) out->set_optional_caveat_name(t.caveat);
}

void RelationRepr(const Relation& r, const std::string& parent, v1::ReflectionRelation* out) {
  out->set_name(r.name);
  out->set_comment(r.doc_comment);
  out->set_parent_definition_name(parent);
  for (const AllowedSubjectType& t : r.allowed) TypeRepr(t, out->add_subject_types());
}

void PermissionRepr(const Relation& r, const std::string& parent, v1::ReflectionPermission* out) {
  out->set_name(r.name);
  out->set_comment(r.doc_comment);
  out->set_parent_definition_name(parent);
}

void DefinitionRepr(const Definition& d, const SchemaFilters* filters,
                    v1::ReflectionDefinition* out) {
  out->set_name(d.name);
  out->set_comment(d.doc_comment);
  for (const Relation& r : d.relations) {
    if (filters != nullptr && !filters->HasMember(d.name, r.name, r.is_permission)) continue;
    if (r.is_permission) {
      PermissionRepr(r, d.name, out->add_permissions());
    } else {
      RelationRepr(r, d.name, out->add_relations());
    }
  }
}

void ParameterRepr(const schema::CaveatParameter& p, const std::string& caveat,
                   v1::ReflectionCaveatParameter* out) {
  out->set_name(p.name);
  out->set_type(p.type);
  out->set_parent_caveat_name(caveat);
}

void CaveatRepr(const schema::Caveat& c, v1::ReflectionCaveat* out) {
  out->set_name(c.name);
  out->set_comment(c.doc_comment);
  std::vector<const schema::CaveatParameter*> params;
  for (const auto& p : c.parameters) params.push_back(&p);
  std::sort(params.begin(), params.end(), [](auto* a, auto* b) { return a->name < b->name; });
  for (const auto* p : params) ParameterRepr(*p, c.name, out->add_parameters());
  out->set_expression(c.expression);
}

const schema::CaveatParameter* FindParameter(const CompiledSchema& s, const std::string& caveat,
                                             const std::string& name) {
  const schema::Caveat* c = s.FindCaveat(caveat);
  if (c == nullptr) return nullptr;
  for (const auto& p : c->parameters) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// ---- Reachability (SpiceDB's pkg/schema reachability graph) ----

using RelationRef = std::pair<std::string, std::string>;  // (definition, relation or "...")

struct Entrypoint {
  RelationRef target;    // the relation/permission the entrypoint leads into
  std::string tupleset;  // for an arrow: its left relation, on target.first
};

struct ReachabilityGraph {
  std::map<std::string, std::vector<Entrypoint>> by_subject_type;  // wildcards
  std::map<std::string, std::pair<RelationRef, std::vector<Entrypoint>>> by_subject_relation;

  void AddBySubjectRelation(const RelationRef& subject, Entrypoint e) {
    auto& slot = by_subject_relation[absl::StrCat(subject.first, "#", subject.second)];
    slot.first = subject;
    slot.second.push_back(std::move(e));
  }
};

class Reachability {
 public:
  explicit Reachability(const CompiledSchema& schema) : schema_(schema) {}

  // Every relation met walking outward from `resource` (RelationsEncounteredForResource).
  std::set<RelationRef> EncounteredForResource(const RelationRef& resource) {
    std::vector<Entrypoint> collected;
    std::set<RelationRef> encountered;
    Collect(resource, nullptr, &collected, &encountered);
    return encountered;
  }

  // Every relation reached walking outward from subjects of `start`
  // (RelationsEncounteredForSubject).
  std::set<RelationRef> EncounteredForSubject(const RelationRef& start) {
    std::set<RelationRef> all, added;
    std::vector<RelationRef> to_check = {start};
    while (!to_check.empty()) {
      std::vector<Entrypoint> collected;
      for (const Definition& d : schema_.definitions()) {
        for (const Relation& r : d.relations) {
          for (const RelationRef& subject : to_check) {
            if (subject.first == d.name && subject.second == r.name) continue;
            std::set<RelationRef> encountered;
            Collect({d.name, r.name}, &subject, &collected, &encountered);
          }
        }
      }
      to_check.clear();
      for (const Entrypoint& e : collected) {
        if (!added.insert(e.target).second) continue;
        all.insert(e.target);
        to_check.push_back(e.target);
      }
    }
    return all;
  }

 private:
  const Relation* Find(const RelationRef& ref) const {
    const Definition* d = schema_.FindDefinition(ref.first);
    return d == nullptr ? nullptr : d->FindRelation(ref.second);
  }

  // Adds the entrypoints of `node`'s children. As in SpiceDB, a `nil` child ends the reading
  // of its set operation's children.
  void RewriteReach(const RewriteNode& node, const RelationRef& target,
                    const Definition& definition, ReachabilityGraph* graph) const {
    for (const RewriteNode& child : node.children) {
      switch (child.kind) {
        case RewriteNode::Kind::kComputedUserset:
          graph->AddBySubjectRelation({definition.name, child.relation}, {target, ""});
          break;
        case RewriteNode::Kind::kArrow: {
          const Relation* tupleset = definition.FindRelation(child.relation);
          if (tupleset == nullptr) break;
          for (const AllowedSubjectType& t : tupleset->allowed) {
            const Definition* subject = schema_.FindDefinition(t.type);
            if (subject == nullptr || subject->FindRelation(child.arrow_target) == nullptr) {
              continue;
            }
            graph->AddBySubjectRelation({t.type, child.arrow_target}, {target, child.relation});
          }
          break;
        }
        case RewriteNode::Kind::kNil:
          return;
        case RewriteNode::Kind::kSelf:
          break;  // the object itself: no relation depends on it
        default:
          RewriteReach(child, target, definition, graph);
          break;
      }
    }
  }

  ReachabilityGraph Build(const RelationRef& ref) const {
    ReachabilityGraph graph;
    const Definition* d = schema_.FindDefinition(ref.first);
    const Relation* r = d == nullptr ? nullptr : d->FindRelation(ref.second);
    if (r == nullptr) return graph;
    if (r->is_permission) {
      RewriteReach(r->rewrite, ref, *d, &graph);
      return graph;
    }
    for (const AllowedSubjectType& t : r->allowed) {
      if (t.wildcard) {
        graph.by_subject_type[t.type].push_back({ref, ""});
        continue;
      }
      graph.AddBySubjectRelation({t.type, t.relation.empty() ? kEllipsis : t.relation}, {ref, ""});
    }
    return graph;
  }

  static void Add(const std::vector<Entrypoint>& entrypoints, std::vector<Entrypoint>* collected,
                  std::set<RelationRef>* encountered) {
    for (const Entrypoint& e : entrypoints) {
      if (!e.tupleset.empty()) encountered->insert({e.target.first, e.tupleset});
      collected->push_back(e);
    }
  }

  void Collect(const RelationRef& resource, const RelationRef* subject,
               std::vector<Entrypoint>* collected, std::set<RelationRef>* encountered) {
    if (!encountered->insert(resource).second) return;
    if (Find(resource) == nullptr) return;
    ReachabilityGraph graph = Build(resource);
    if (subject != nullptr) {
      if (auto it = graph.by_subject_type.find(subject->first); it != graph.by_subject_type.end()) {
        Add(it->second, collected, encountered);
      }
      auto it = graph.by_subject_relation.find(absl::StrCat(subject->first, "#", subject->second));
      if (it != graph.by_subject_relation.end()) Add(it->second.second, collected, encountered);
    } else {
      for (const auto& [type, entrypoints] : graph.by_subject_type) {
        Add(entrypoints, collected, encountered);
      }
      for (const auto& [key, entry] : graph.by_subject_relation) {
        Add(entry.second, collected, encountered);
      }
    }
    for (const auto& [key, entry] : graph.by_subject_relation) {  // sorted by key, as SpiceDB
      if (entry.first.second != kEllipsis) Collect(entry.first, subject, collected, encountered);
    }
  }

  const CompiledSchema& schema_;
};

void AddReferences(const CompiledSchema& schema, const std::set<RelationRef>& refs,
                   const RelationRef& self, const std::string& definition_prefix,
                   google::protobuf::RepeatedPtrField<v1::ReflectionRelationReference>* out) {
  std::vector<RelationRef> sorted(refs.begin(), refs.end());  // (definition, relation) order
  for (const RelationRef& r : sorted) {
    if (r == self) continue;
    if (!absl::StartsWith(r.first, definition_prefix)) continue;
    const Definition* d = schema.FindDefinition(r.first);
    const Relation* rel = d == nullptr ? nullptr : d->FindRelation(r.second);
    v1::ReflectionRelationReference* ref = out->Add();
    ref->set_definition_name(r.first);
    ref->set_relation_name(r.second);
    ref->set_is_permission(rel != nullptr && rel->is_permission);
  }
}

}  // namespace

absl::Status ReflectSchema(const CompiledSchema& schema, const v1::ReflectSchemaRequest& request,
                           v1::ReflectSchemaResponse* response) {
  SchemaFilters filters(request.optional_filters());
  if (absl::Status s = filters.Validate(); !s.ok()) return s;
  if (filters.HasDefinitions()) {
    for (const Definition& d : schema.definitions()) {
      if (!filters.HasDefinition(d.name)) continue;
      DefinitionRepr(d, &filters, response->add_definitions());
    }
  }
  if (filters.HasCaveats()) {
    for (const schema::Caveat& c : schema.caveats()) {
      if (!filters.HasCaveat(c.name)) continue;
      CaveatRepr(c, response->add_caveats());
    }
  }
  return absl::OkStatus();
}

void DiffSchema(const CompiledSchema& existing, const CompiledSchema& comparison,
                v1::DiffSchemaResponse* response) {
  schema::SchemaDiff diff = schema::DiffSchemas(existing, comparison);
  for (const std::string& name : diff.added_definitions) {
    DefinitionRepr(*comparison.FindDefinition(name), nullptr,
                   response->add_diffs()->mutable_definition_added());
  }
  for (const std::string& name : diff.removed_definitions) {
    DefinitionRepr(*existing.FindDefinition(name), nullptr,
                   response->add_diffs()->mutable_definition_removed());
  }
  for (const std::string& name : diff.added_caveats) {
    CaveatRepr(*comparison.FindCaveat(name), response->add_diffs()->mutable_caveat_added());
  }
  for (const std::string& name : diff.removed_caveats) {
    CaveatRepr(*existing.FindCaveat(name), response->add_diffs()->mutable_caveat_removed());
  }
  using DK = schema::DefinitionDelta::Kind;
  for (const schema::DefinitionDiff& changed : diff.changed_definitions) {
    const Definition& now = *comparison.FindDefinition(changed.name);
    const Definition& before = *existing.FindDefinition(changed.name);
    for (const schema::DefinitionDelta& d : changed.deltas) {
      v1::ReflectionSchemaDiff* out = response->add_diffs();
      const Relation* rel_now = now.FindRelation(d.relation);
      const Relation* rel_before = before.FindRelation(d.relation);
      switch (d.kind) {
        case DK::kCommentsChanged:
          DefinitionRepr(now, nullptr, out->mutable_definition_doc_comment_changed());
          break;
        case DK::kRelationAdded:
          RelationRepr(*rel_now, now.name, out->mutable_relation_added());
          break;
        case DK::kRelationRemoved:
          RelationRepr(*rel_before, now.name, out->mutable_relation_removed());
          break;
        case DK::kPermissionAdded:
          PermissionRepr(*rel_now, now.name, out->mutable_permission_added());
          break;
        case DK::kPermissionRemoved:
          PermissionRepr(*rel_before, now.name, out->mutable_permission_removed());
          break;
        case DK::kPermissionExprChanged:
          PermissionRepr(*rel_now, now.name, out->mutable_permission_expr_changed());
          break;
        case DK::kPermissionCommentChanged:
          PermissionRepr(*rel_now, now.name, out->mutable_permission_doc_comment_changed());
          break;
        case DK::kRelationCommentChanged:
          RelationRepr(*rel_now, now.name, out->mutable_relation_doc_comment_changed());
          break;
        case DK::kAllowedTypeRemoved:
        case DK::kAllowedTypeAdded: {
          v1::ReflectionRelationSubjectTypeChange* change =
              d.kind == DK::kAllowedTypeAdded ? out->mutable_relation_subject_type_added()
                                              : out->mutable_relation_subject_type_removed();
          RelationRepr(*rel_now, now.name, change->mutable_relation());
          TypeRepr(d.allowed_type, change->mutable_changed_subject_type());
          break;
        }
      }
    }
  }
  using CK = schema::CaveatDelta::Kind;
  for (const schema::CaveatDiff& changed : diff.changed_caveats) {
    const schema::Caveat& now = *comparison.FindCaveat(changed.name);
    for (const schema::CaveatDelta& d : changed.deltas) {
      v1::ReflectionSchemaDiff* out = response->add_diffs();
      switch (d.kind) {
        case CK::kCommentsChanged:
          CaveatRepr(now, out->mutable_caveat_doc_comment_changed());
          break;
        case CK::kExpressionChanged:
          CaveatRepr(now, out->mutable_caveat_expr_changed());
          break;
        case CK::kParameterAdded:
          ParameterRepr(*FindParameter(comparison, now.name, d.parameter), now.name,
                        out->mutable_caveat_parameter_added());
          break;
        case CK::kParameterRemoved:
          ParameterRepr(*FindParameter(existing, now.name, d.parameter), now.name,
                        out->mutable_caveat_parameter_removed());
          break;
        case CK::kParameterTypeChanged: {
          v1::ReflectionCaveatParameterTypeChange* change =
              out->mutable_caveat_parameter_type_changed();
          ParameterRepr(*FindParameter(comparison, now.name, d.parameter), now.name,
                        change->mutable_parameter());
          change->set_previous_type(d.previous_type);
          break;
        }
      }
    }
  }
}

absl::Status ComputablePermissions(const CompiledSchema& schema,
                                   const v1::ComputablePermissionsRequest& request,
                                   v1::ComputablePermissionsResponse* response) {
  const Definition* d = schema.FindDefinition(request.definition_name());
  if (d == nullptr) return UnknownDefinition(request.definition_name());
  std::string relation = request.relation_name();
  if (relation.empty()) {
    relation = kEllipsis;
  } else if (d->FindRelation(relation) == nullptr) {
    return UnknownRelation(request.definition_name(), relation);
  }
  Reachability reachability(schema);
  std::set<RelationRef> refs = reachability.EncounteredForSubject({d->name, relation});
  AddReferences(schema, refs, {request.definition_name(), request.relation_name()},
                request.optional_definition_name_filter(), response->mutable_permissions());
  return absl::OkStatus();
}

absl::Status DependentRelations(const CompiledSchema& schema,
                                const v1::DependentRelationsRequest& request,
                                v1::DependentRelationsResponse* response) {
  const Definition* d = schema.FindDefinition(request.definition_name());
  if (d == nullptr) return UnknownDefinition(request.definition_name());
  const Relation* permission = d->FindRelation(request.permission_name());
  if (permission == nullptr) {
    return UnknownRelation(request.definition_name(), request.permission_name());
  }
  if (!permission->is_permission) {
    return ErrorWithReason(
        absl::StatusCode::kInvalidArgument,
        absl::StrCat("the relation `", request.permission_name(), "` is not a permission"),
        "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION",
        {{"relationName", request.permission_name()}});
  }
  Reachability reachability(schema);
  std::set<RelationRef> refs =
      reachability.EncounteredForResource({d->name, request.permission_name()});
  AddReferences(schema, refs, {request.definition_name(), request.permission_name()}, "",
                response->mutable_relations());
  return absl::OkStatus();
}

}  // namespace rebac::api
