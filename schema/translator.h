// Turns a parse tree into the compiled model (definitions, caveats, rewrite trees), applying the
// checks SpiceDB's compiler makes at this stage: name syntax and length, nested arrows, caveat
// parameter types, duplicate names, partials (`use partial`) and `use` flags. SpiceDB reports all
// of these as parse errors ("parse error in `schema`, ..."), so every error here is
// SchemaError::Kind::kParse.
//
// Name resolution (does a referenced definition/relation/caveat exist) is not done here; see
// schema/type_check.h.
#ifndef REBACD_SCHEMA_TRANSLATOR_H_
#define REBACD_SCHEMA_TRANSLATOR_H_

#include <optional>
#include <vector>

#include "schema/ast.h"
#include "schema/compiled_schema.h"
#include "schema/compiler.h"

namespace rebac::schema::internal {

// On success fills both vectors, in source order, and returns nullopt; every definition in
// `file` then has its partial references (`...name`) replaced by the partial's members. Errors
// are kParse, except partials left unresolved (a cycle, or a missing partial referenced from a
// partial), which SpiceDB reports as a plain error without position: kUnknown, positioned here
// at the first unresolved reference.
std::optional<SchemaError> Translate(AstFile& file, std::vector<Definition>* definitions,
                                     std::vector<Caveat>* caveats);

}  // namespace rebac::schema::internal

#endif  // REBACD_SCHEMA_TRANSLATOR_H_
