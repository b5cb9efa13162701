#include "schema/translator.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "schema/caveats/expression.h"
#include "schema/names.h"

namespace rebac::schema::internal {
namespace {

constexpr SchemaError::Kind kParse = SchemaError::Kind::kParse;

// Caveat parameter types SpiceDB knows, with how many generic arguments each takes.
int GenericArgumentCount(absl::string_view type, bool* known) {
  static constexpr absl::string_view kBasic[] = {"any",       "bool",     "string", "int",
                                                 "uint",      "double",   "bytes",  "duration",
                                                 "timestamp", "ipaddress"};
  *known = true;
  for (absl::string_view basic : kBasic) {
    if (type == basic) return 0;
  }
  if (type == "list" || type == "map") return 1;
  *known = false;
  return 0;
}

// Builds the canonical spelling of a parameter type ("list<int>"), or returns false with
// SpiceDB's complaint. Generic arguments are checked first, as SpiceDB does; basic types ignore
// any arguments given to them, also as SpiceDB does.
bool BuildCaveatType(const AstCaveatType& type, std::string* out, std::string* problem) {
  std::vector<std::string> arguments;
  for (const AstCaveatType& child : type.children) {
    std::string built;
    if (!BuildCaveatType(child, &built, problem)) return false;
    arguments.push_back(std::move(built));
  }
  bool known = false;
  const int expected = GenericArgumentCount(type.name, &known);
  if (!known) {
    *problem = absl::StrCat("unknown type `", type.name, "`");
    return false;
  }
  if (expected == 0) {
    *out = type.name;
    return true;
  }
  if (static_cast<int>(arguments.size()) != expected) {
    *problem = absl::StrCat("type `", type.name, "` requires ", expected, " generic types; found ",
                            arguments.size());
    return false;
  }
  *out = absl::StrCat(type.name, "<", absl::StrJoin(arguments, ", "), ">");
  return true;
}

// Where byte `offset` of the caveat's expression text lies in the schema text.
SourcePos ExpressionPosition(const AstCaveat& ast, int offset) {
  SourcePos pos = ast.expression_pos;
  const size_t end = std::min(static_cast<size_t>(std::max(offset, 0)), ast.expression.size());
  for (size_t i = 0; i < end; ++i) {
    if (ast.expression[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  }
  return pos;
}

// Parses and type-checks the expression against the parameters, as SpiceDB's translator does
// with CEL. SpiceDB shifts CEL's error locations into the schema text in the message
// ("ERROR: name:line:column: ..."), and places the error itself at the expression's start.
std::optional<SchemaError> CompileCaveatExpression(const AstCaveat& ast, Caveat* out) {
  std::vector<caveats::Parameter> parameters;
  for (const CaveatParameter& parameter : out->parameters) {
    absl::StatusOr<caveats::ParameterType> type = caveats::ParseParameterType(parameter.type);
    if (!type.ok()) {
      return MakeError(kParse,
                       absl::StrCat("invalid type for caveat parameter `", parameter.name,
                                    "` on caveat `", ast.name, "`: ", type.status().message()),
                       ast.pos, parameter.name);
    }
    parameters.push_back(caveats::Parameter{parameter.name, *std::move(type)});
  }
  caveats::CompileExpressionResult compiled =
      caveats::CompileExpression(ast.expression, std::move(parameters));
  if (compiled.error) {
    const caveats::ExpressionError& error = *compiled.error;
    // The expression text handed over starts at its first token, so offset 0 is that token.
    std::string detail = error.message;
    if (error.offset == caveats::ExpressionError::kNoOffset) {
      detail = absl::StrCat("ERROR: ", ast.name, ":0:0: ", detail);
    } else if (error.has_location) {
      const SourcePos pos = ExpressionPosition(ast, error.offset);
      detail = absl::StrCat("ERROR: ", ast.name, ":", pos.line, ":", pos.column, ": ", detail);
    }
    // SpiceDB attaches the error to the expression as a whole (its first token); only CEL's
    // message inside points into it.
    return MakeError(kParse,
                     absl::StrCat("invalid expression for caveat `", ast.name, "`: ", detail),
                     ast.expression_pos, out->expression);
  }
  out->compiled = std::move(compiled.expression);
  return std::nullopt;
}

std::optional<SchemaError> TranslateCaveat(const AstCaveat& ast, Caveat* out) {
  out->name = ast.name;
  out->doc_comment = ast.comments;
  if (ast.parameters.empty()) {
    return MakeError(
        kParse, absl::StrCat("caveat `", ast.name, "` must have at least one parameter defined"),
        ast.pos, ast.name);
  }
  absl::flat_hash_set<std::string> seen;
  for (const AstCaveatParameter& parameter : ast.parameters) {
    if (!seen.insert(parameter.name).second) {
      return MakeError(kParse,
                       absl::StrCat("duplicate parameter `", parameter.name,
                                    "` defined on caveat `", ast.name, "`"),
                       parameter.pos, parameter.name);
    }
    CaveatParameter translated;
    translated.name = parameter.name;
    std::string problem;
    if (!BuildCaveatType(parameter.type, &translated.type, &problem)) {
      return MakeError(kParse,
                       absl::StrCat("invalid type for caveat parameter `", parameter.name,
                                    "` on caveat `", ast.name, "`: ", problem),
                       parameter.pos, parameter.name);
    }
    out->parameters.push_back(std::move(translated));
  }
  if (!ast.has_expression) {
    // The wording is what SpiceDB's translator says when the parser dropped the body.
    return MakeError(kParse, "invalid expression: unknown predicate caveat-definition-expression",
                     ast.pos, ast.name);
  }
  out->expression = std::string(absl::StripAsciiWhitespace(ast.expression));
  return CompileCaveatExpression(ast, out);
}

std::optional<SchemaError> TranslateRelation(const AstRelation& ast, Relation* out) {
  out->name = ast.name;
  out->doc_comment = ast.comments;
  for (const AstTypeRef& type : ast.types) {
    std::string problem = CheckAllowedTypeName(type.type);
    if (problem.empty() && !type.wildcard && !type.relation.empty()) {
      problem = CheckAllowedTypeRelation(type.relation);
    }
    if (!problem.empty()) {
      return MakeError(kParse, absl::StrCat("invalid type relation: ", problem), type.pos);
    }
    AllowedSubjectType allowed;
    allowed.type = type.type;
    allowed.relation = type.relation;
    allowed.wildcard = type.wildcard;
    allowed.caveat = type.caveat;
    allowed.expiration = type.expiration;
    out->allowed.push_back(std::move(allowed));
  }
  if (std::string problem = CheckRelationName(ast.name); !problem.empty()) {
    return MakeError(kParse, absl::StrCat("error in relation ", ast.name, ": ", problem), ast.pos);
  }
  return std::nullopt;
}

// Converts an expression, refusing nested arrows as SpiceDB's translator does. Recursion is
// bounded by the parser's depth limit.
std::optional<SchemaError> ConvertExpression(const AstExpr& ast, RewriteNode* out) {
  switch (ast.kind) {
    case AstExpr::Kind::kIdentifier:
      out->kind = RewriteNode::Kind::kComputedUserset;
      out->relation = ast.name;
      return std::nullopt;
    case AstExpr::Kind::kNil:
      out->kind = RewriteNode::Kind::kNil;
      return std::nullopt;
    case AstExpr::Kind::kArrow:
      if (ast.nested_arrow) return MakeError(kParse, "Nested arrows not yet supported", ast.pos);
      out->kind = RewriteNode::Kind::kArrow;
      out->relation = ast.name;
      out->arrow_target = ast.arrow_target;
      out->arrow_function = ast.arrow_function;
      out->arrow_is_function = ast.arrow_is_function;
      return std::nullopt;
    case AstExpr::Kind::kUnion:
      out->kind = RewriteNode::Kind::kUnion;
      break;
    case AstExpr::Kind::kIntersection:
      out->kind = RewriteNode::Kind::kIntersection;
      break;
    case AstExpr::Kind::kExclusion:
      out->kind = RewriteNode::Kind::kExclusion;
      break;
  }
  out->children.resize(ast.children.size());
  for (size_t i = 0; i < ast.children.size(); ++i) {
    if (auto error = ConvertExpression(ast.children[i], &out->children[i])) return error;
  }
  return std::nullopt;
}

// The checks SpiceDB's generated validators make on every relation named in a rewrite.
std::string CheckRewriteNames(const RewriteNode& node) {
  switch (node.kind) {
    case RewriteNode::Kind::kComputedUserset:
      return CheckReferencedRelation("ComputedUserset.Relation", node.relation, true);
    case RewriteNode::Kind::kArrow: {
      std::string problem = CheckReferencedRelation(
          node.arrow_is_function ? "FunctionedTupleToUserset_Tupleset.Relation"
                                 : "TupleToUserset_Tupleset.Relation",
          node.relation, false);
      if (problem.empty()) {
        problem = CheckReferencedRelation("ComputedUserset.Relation", node.arrow_target, true);
      }
      return problem;
    }
    case RewriteNode::Kind::kNil:
      return "";
    default:
      for (const RewriteNode& child : node.children) {
        if (std::string problem = CheckRewriteNames(child); !problem.empty()) return problem;
      }
      return "";
  }
}

std::optional<SchemaError> TranslatePermission(const AstRelation& ast, Relation* out) {
  out->name = ast.name;
  out->is_permission = true;
  out->doc_comment = ast.comments;
  RewriteNode converted;
  if (auto error = ConvertExpression(ast.expression, &converted)) return error;
  // As in SpiceDB, a permission's rewrite is always a set operation at the top:
  // `permission p = r` is a union of one.
  if (converted.kind == RewriteNode::Kind::kComputedUserset ||
      converted.kind == RewriteNode::Kind::kArrow || converted.kind == RewriteNode::Kind::kNil) {
    out->rewrite.kind = RewriteNode::Kind::kUnion;
    out->rewrite.children.push_back(std::move(converted));
  } else {
    out->rewrite = std::move(converted);
  }
  std::string problem = CheckRelationName(ast.name);
  if (problem.empty()) problem = CheckRewriteNames(out->rewrite);
  if (!problem.empty()) {
    return MakeError(kParse, absl::StrCat("error in permission ", ast.name, ": ", problem),
                     ast.pos);
  }
  return std::nullopt;
}

std::optional<SchemaError> TranslateDefinition(const AstDefinition& ast, Definition* out) {
  out->name = ast.name;
  out->doc_comment = ast.comments;
  for (const AstRelation& relation : ast.relations) {
    Relation translated;
    auto error = relation.is_permission ? TranslatePermission(relation, &translated)
                                        : TranslateRelation(relation, &translated);
    if (error) return error;
    out->relations.push_back(std::move(translated));
  }
  if (std::string problem = CheckDefinitionName(ast.name); !problem.empty()) {
    return MakeError(kParse, absl::StrCat("error in object definition ", ast.name, ": ", problem),
                     ast.pos);
  }
  return std::nullopt;
}

}  // namespace

std::optional<SchemaError> Translate(const AstFile& file, std::vector<Definition>* definitions,
                                     std::vector<Caveat>* caveats) {
  absl::flat_hash_set<std::string> names;  // definitions and caveats share one namespace
  for (const AstItem& item : file.items) {
    std::string name;
    SourcePos pos;
    // A flag may be repeated: SpiceDB v1.54 accepts `use expiration` twice.
    if (std::get_if<AstUseFlag>(&item) != nullptr) continue;
    if (const auto* caveat = std::get_if<AstCaveat>(&item)) {
      Caveat translated;
      if (auto error = TranslateCaveat(*caveat, &translated)) return error;
      caveats->push_back(std::move(translated));
      name = caveat->name;
      pos = caveat->pos;
    } else {
      const auto& definition = std::get<AstDefinition>(item);
      Definition translated;
      if (auto error = TranslateDefinition(definition, &translated)) return error;
      definitions->push_back(std::move(translated));
      name = definition.name;
      pos = definition.pos;
    }
    if (!names.insert(name).second) {
      return MakeError(
          kParse,
          absl::StrCat("found name reused between multiple definitions and/or caveats: ", name),
          pos, name);
    }
  }
  return std::nullopt;
}

}  // namespace rebac::schema::internal
