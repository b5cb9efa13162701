// The naming rules SpiceDB's core protos enforce on compiled schemas (regex patterns and byte
// limits), as plain functions, with SpiceDB's wording when a name breaks them.
//
// Each Check* function returns "" for a valid name, else text such as
//   invalid Relation.Name: value does not match regex pattern "^[a-z][a-z0-9_]{1,62}[a-z0-9]$"
#ifndef REBACD_SCHEMA_NAMES_H_
#define REBACD_SCHEMA_NAMES_H_

#include <string>

#include "absl/strings/string_view.h"

namespace rebac::schema::internal {

// A definition's own name (NamespaceDefinition.Name): `segment(/segment)*`, at most 128 bytes.
std::string CheckDefinitionName(absl::string_view name);

// The type of an allowed subject (AllowedRelation.Namespace). Prefix segments may be one byte
// shorter than in CheckDefinitionName: SpiceDB's two patterns differ.
std::string CheckAllowedTypeName(absl::string_view name);

// The relation of an allowed subject, `type#relation` (AllowedRelation.Relation).
std::string CheckAllowedTypeRelation(absl::string_view name);

// A relation or permission name (Relation.Name).
std::string CheckRelationName(absl::string_view name);

// A relation named in a permission expression; `field` names the proto field for the message,
// e.g. "ComputedUserset.Relation" or "TupleToUserset_Tupleset.Relation".
std::string CheckReferencedRelation(absl::string_view field, absl::string_view name,
                                    bool allow_ellipsis);

// A caveat name (CaveatDefinition.Name).
std::string CheckCaveatName(absl::string_view name);

}  // namespace rebac::schema::internal

#endif  // REBACD_SCHEMA_NAMES_H_
