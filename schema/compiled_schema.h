// The compiled form of a SpiceDB schema: what the graph engine and the API read.
//
// A CompiledSchema is produced by Compile() (schema/compiler.h) from schema text and is immutable
// afterwards, so it is safe to share across threads without locking (hold it by
// std::shared_ptr<const CompiledSchema>).
//
// Names keep SpiceDB's spelling: a definition name may carry a prefix ("org/user"); a subject
// relation of "" means the ellipsis ("..."), i.e. the subject object itself.
#ifndef REBACD_SCHEMA_COMPILED_SCHEMA_H_
#define REBACD_SCHEMA_COMPILED_SCHEMA_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "schema/caveats/expression.h"

namespace rebac::schema {

// One entry of a relation's allowed subject types: `user`, `group#member`, `user:*`,
// optionally `with caveat_name` and/or `with expiration`.
struct AllowedSubjectType {
  std::string type;         // definition name, e.g. "user" or "org/user"
  std::string relation;     // "" for the object itself (ellipsis), else e.g. "member"
  bool wildcard = false;    // `user:*`
  std::string caveat;       // "" when no caveat is required
  bool expiration = false;  // `with expiration`

  bool operator==(const AllowedSubjectType&) const = default;
};

// A permission's rewrite expression, as a tree. As in SpiceDB, a permission's top node is always
// a set operation: `permission p = r` compiles to kUnion{r}. Unions and intersections are
// flattened (`(a + b) + c` is one kUnion of three); `-` stays binary and left-nested.
struct RewriteNode {
  enum class Kind {
    kUnion,            // children[0] + children[1] + ...
    kIntersection,     // children[0] & children[1] & ...
    kExclusion,        // children[0] - children[1]   (exactly two children)
    kComputedUserset,  // `relation` on the same object
    kArrow,            // `relation->target` (tupleset relation -> computed relation on subjects)
    kNil,              // `nil`: no subjects
    kSelf,             // `self` (under `use self`): the object itself, as a subject of its type
  };
  enum class ArrowFunction { kAny, kAll };  // `->` and `.any()` are kAny; `.all()` is kAll

  Kind kind = Kind::kNil;
  std::vector<RewriteNode> children;  // for kUnion / kIntersection / kExclusion
  std::string relation;               // kComputedUserset: the relation; kArrow: the tupleset
  std::string arrow_target;           // kArrow: the relation/permission computed on each subject
  ArrowFunction arrow_function = ArrowFunction::kAny;
  // kArrow: written `rel.any(x)` / `rel.all(x)` rather than `rel->x`. Same meaning for kAny;
  // kept so that Print() writes the arrow back the way SpiceDB's ReadSchema does.
  bool arrow_is_function = false;
};

// A `relation` (has allowed subject types, stores relationships) or a `permission` (has a
// rewrite, is computed, never stored).
struct Relation {
  std::string name;
  bool is_permission = false;
  std::vector<AllowedSubjectType> allowed;  // relations only
  RewriteNode rewrite;                      // permissions only
  // The comments written right before it, for ReadSchema: like SpiceDB, all of them (`/** */`,
  // `/* */` and `//`), delimiters included, each line trimmed, one comment after another.
  std::string doc_comment;
};

struct Definition {
  std::string name;
  std::vector<Relation> relations;  // in source order
  std::string doc_comment;

  // Returns the relation or permission called `name`, or nullptr.
  const Relation* FindRelation(std::string_view name) const;
};

// A caveat declaration: typed parameters and a CEL expression, already parsed and
// type-checked, ready for caveats::Evaluate() (schema/caveats/evaluate.h).
struct CaveatParameter {
  std::string name;
  std::string type;  // canonical spelling: "int", "list<string>", "map<list<int>>"
};
struct Caveat {
  std::string name;
  std::vector<CaveatParameter> parameters;  // in source order
  std::string expression;                   // the CEL source between the braces, trimmed
  // The checked expression (never null in a schema from Compile()). Its parameters() carry the
  // parsed types, for caveats::ConvertContext().
  std::shared_ptr<const caveats::CompiledExpression> compiled;
  std::string doc_comment;
};

class CompiledSchema {
 public:
  CompiledSchema() = default;
  CompiledSchema(std::vector<Definition> definitions, std::vector<Caveat> caveats);

  // Movable, not copyable: it is large and shared by pointer.
  CompiledSchema(CompiledSchema&&) = default;
  CompiledSchema& operator=(CompiledSchema&&) = default;
  CompiledSchema(const CompiledSchema&) = delete;
  CompiledSchema& operator=(const CompiledSchema&) = delete;

  // Returns the definition called `name` (prefix included), or nullptr.
  const Definition* FindDefinition(std::string_view name) const;
  // Returns the caveat called `name`, or nullptr.
  const Caveat* FindCaveat(std::string_view name) const;

  const std::vector<Definition>& definitions() const { return definitions_; }
  const std::vector<Caveat>& caveats() const { return caveats_; }

 private:
  std::vector<Definition> definitions_;
  std::vector<Caveat> caveats_;
  absl::flat_hash_map<std::string, size_t> definition_index_;
  absl::flat_hash_map<std::string, size_t> caveat_index_;
};

}  // namespace rebac::schema

#endif  // REBACD_SCHEMA_COMPILED_SCHEMA_H_
