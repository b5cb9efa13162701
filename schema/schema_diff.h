// The differences between two compiled schemas, as SpiceDB's pkg/diff computes them.
//
// DiffSchemas() names the definitions and caveats added or removed and, for each one present
// in both, its deltas: relations and permissions added or removed, permission expressions and
// doc comments changed, allowed subject types added or removed, caveat parameters added,
// removed or retyped, caveat expressions changed. WriteSchema's safety checks, the DiffSchema
// RPC and `rebac schema diff` all read it. Pure functions; safe from any thread.
//
// Order: SpiceDB walks Go sets (unordered); here added definitions and caveats follow the
// updated schema's source order, removed ones the existing schema's, changed ones the updated
// schema's; deltas of one kind are sorted by name, kinds in SpiceDB's order.
#ifndef REBACD_SCHEMA_SCHEMA_DIFF_H_
#define REBACD_SCHEMA_SCHEMA_DIFF_H_

#include <string>
#include <vector>

#include "schema/compiled_schema.h"

namespace rebac::schema {

struct DefinitionDelta {
  enum class Kind {
    kCommentsChanged,           // the definition's doc comment
    kRelationRemoved,           // (existing) relation `relation`
    kRelationAdded,             // (updated) relation `relation`
    kPermissionRemoved,         // (existing) permission `relation`
    kPermissionAdded,           // (updated) permission `relation`
    kPermissionExprChanged,     // permission `relation` computes something else
    kPermissionCommentChanged,  // permission `relation`'s doc comment
    kRelationCommentChanged,    // relation `relation`'s doc comment
    kAllowedTypeRemoved,        // `allowed_type` no longer allowed on relation `relation`
    kAllowedTypeAdded,          // `allowed_type` newly allowed on relation `relation`
  };
  Kind kind;
  std::string relation;             // "" for kCommentsChanged
  AllowedSubjectType allowed_type;  // for kAllowedType*
};

struct CaveatDelta {
  enum class Kind {
    kCommentsChanged,
    kParameterRemoved,
    kParameterAdded,
    kParameterTypeChanged,
    kExpressionChanged,
  };
  Kind kind;
  std::string parameter;      // for the parameter kinds
  std::string previous_type;  // kParameterTypeChanged, kParameterRemoved
  std::string current_type;   // kParameterTypeChanged, kParameterAdded
};

struct DefinitionDiff {
  std::string name;
  std::vector<DefinitionDelta> deltas;  // never empty
};
struct CaveatDiff {
  std::string name;
  std::vector<CaveatDelta> deltas;  // never empty
};

struct SchemaDiff {
  std::vector<std::string> added_definitions;
  std::vector<std::string> removed_definitions;
  std::vector<std::string> added_caveats;
  std::vector<std::string> removed_caveats;
  std::vector<DefinitionDiff> changed_definitions;
  std::vector<CaveatDiff> changed_caveats;

  bool empty() const {
    return added_definitions.empty() && removed_definitions.empty() && added_caveats.empty() &&
           removed_caveats.empty() && changed_definitions.empty() && changed_caveats.empty();
  }
};

// The deltas from `existing` to `updated` (two versions of one definition / caveat).
std::vector<DefinitionDelta> DiffDefinitions(const Definition& existing, const Definition& updated);
std::vector<CaveatDelta> DiffCaveats(const Caveat& existing, const Caveat& updated);

// Everything that changed from `existing` to `updated`.
SchemaDiff DiffSchemas(const CompiledSchema& existing, const CompiledSchema& updated);

// An allowed subject type as SpiceDB writes it in messages: `user`, `group#member`, `user:*`,
// `user with caveat`, `user with caveat and expiration`, `user with expiration`.
std::string AllowedTypeSource(const AllowedSubjectType& type);

// Whether two rewrite trees compute the same thing the same way (SpiceDB compares the
// compiled expressions structurally; `rel->x` and `rel.any(x)` differ, as they do there).
bool SameRewrite(const RewriteNode& a, const RewriteNode& b);

}  // namespace rebac::schema

#endif  // REBACD_SCHEMA_SCHEMA_DIFF_H_
