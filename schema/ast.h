// The parse tree of a schema text, with source positions: what the parser builds and what the
// translator (to CompiledSchema) and the type checker read. Positions are those SpiceDB reports
// for the same construct, so errors point where SpiceDB's do.
#ifndef REBACD_SCHEMA_AST_H_
#define REBACD_SCHEMA_AST_H_

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "schema/compiled_schema.h"
#include "schema/compiler.h"

namespace rebac::schema::internal {

// Deeper expressions or parameter types are refused, so that no recursive pass over a tree can
// exhaust the stack, whatever the input.
inline constexpr int kMaxNestingDepth = 1000;

struct SourcePos {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in bytes
};

inline SchemaError MakeError(SchemaError::Kind kind, std::string message, SourcePos pos,
                             std::string source_code = "") {
  SchemaError error;
  error.kind = kind;
  error.message = std::move(message);
  error.line = pos.line;
  error.column = pos.column;
  error.source_code = std::move(source_code);
  return error;
}

// A permission expression. Unions and intersections are n-ary and already flattened the way
// SpiceDB's translator collapses them (`(a + b) + c` has three children); exclusions are binary.
struct AstExpr {
  // kSelf: the `self` keyword (under `use self`), the resource itself as a subject.
  enum class Kind { kUnion, kIntersection, kExclusion, kIdentifier, kArrow, kNil, kSelf };

  Kind kind = Kind::kNil;
  SourcePos pos;  // first token of the expression
  std::vector<AstExpr> children;
  std::string name;          // kIdentifier: the relation; kArrow: the tupleset relation
  std::string arrow_target;  // kArrow: first hop's computed relation
  RewriteNode::ArrowFunction arrow_function = RewriteNode::ArrowFunction::kAny;
  bool arrow_is_function = false;  // written `.any(x)` / `.all(x)` rather than `->x`
  bool nested_arrow = false;       // `a->b->c`: parses, but SpiceDB's translator refuses it
  int depth = 1;                   // height of this subtree
};

struct AstTypeRef {
  SourcePos pos;  // first identifier of the type name
  std::string type;
  std::string relation;  // "" for none or `...`
  bool wildcard = false;
  std::string caveat;
  bool expiration = false;
};

struct AstRelation {
  SourcePos pos;  // the `relation` / `permission` keyword, or the `...` of a partial reference
  bool is_permission = false;
  // `...name` in a definition or partial body (composable schemas, `use partial`): stands for the
  // named partial's relations and permissions. `name` is the partial's. Translate() replaces
  // every reference by the partial's members, so later passes never see one.
  bool is_partial_reference = false;
  std::string name;
  std::vector<AstTypeRef> types;  // relations
  AstExpr expression;             // permissions
  // Permissions: the type annotation `permission view: user | team = ...`. SpiceDB v1.54 parses
  // it always and checks it only under `use typechecking` (schema/type_check.h).
  std::vector<std::string> annotated_types;
  std::string comments;
};

struct AstDefinition {
  SourcePos pos;  // the `definition` keyword
  std::string name;
  std::vector<AstRelation> relations;
  std::string comments;
};

// `partial name { ... }` (composable schemas, `use partial`): relations and permissions that
// definitions (and other partials) pull in with `...name`. Not a type of its own.
struct AstPartial {
  SourcePos pos;  // the `partial` keyword
  std::string name;
  std::vector<AstRelation> relations;  // may hold partial references
};

struct AstCaveatType {
  SourcePos pos;
  std::string name;
  std::vector<AstCaveatType> children;  // generic arguments, `list<int>`
};

struct AstCaveatParameter {
  SourcePos pos;  // the parameter name
  std::string name;
  AstCaveatType type;
};

struct AstCaveat {
  SourcePos pos;  // the `caveat` keyword
  std::string name;
  std::vector<AstCaveatParameter> parameters;
  // SpiceDB's parser drops a caveat's body silently when it is empty or cut short (the error
  // lands on a detached node); the translator then refuses the caveat.
  bool has_expression = false;
  std::string expression;    // raw text between the braces, untrimmed
  SourcePos expression_pos;  // where `expression` starts in the schema text
  std::string comments;
};

struct AstUseFlag {
  SourcePos pos;  // the `use` word
  std::string name;
};

using AstItem = std::variant<AstUseFlag, AstCaveat, AstDefinition, AstPartial>;

struct AstFile {
  std::vector<AstItem> items;  // in source order
  bool typechecking = false;   // `use typechecking`: permission type annotations are checked
};

}  // namespace rebac::schema::internal

#endif  // REBACD_SCHEMA_AST_H_
