#include "schema/compiled_schema.h"

#include <utility>

#include "absl/strings/string_view.h"

namespace rebac::schema {

const Relation* Definition::FindRelation(std::string_view name) const {
  // Definitions hold a handful of relations; a scan beats hashing at that size.
  for (const Relation& relation : relations) {
    if (relation.name == name) return &relation;
  }
  return nullptr;
}

CompiledSchema::CompiledSchema(std::vector<Definition> definitions, std::vector<Caveat> caveats)
    : definitions_(std::move(definitions)), caveats_(std::move(caveats)) {
  for (size_t i = 0; i < definitions_.size(); ++i) {
    definition_index_.emplace(definitions_[i].name, i);
  }
  for (size_t i = 0; i < caveats_.size(); ++i) caveat_index_.emplace(caveats_[i].name, i);
}

const Definition* CompiledSchema::FindDefinition(std::string_view name) const {
  auto it = definition_index_.find(absl::string_view(name.data(), name.size()));
  return it == definition_index_.end() ? nullptr : &definitions_[it->second];
}

const Caveat* CompiledSchema::FindCaveat(std::string_view name) const {
  auto it = caveat_index_.find(absl::string_view(name.data(), name.size()));
  return it == caveat_index_.end() ? nullptr : &caveats_[it->second];
}

}  // namespace rebac::schema
