#include "schema/translator.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
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
    case AstExpr::Kind::kSelf:
      // SpiceDB v1.54 accepts `self` under `use self` (the resource itself as its subject);
      // rebacd's engine cannot evaluate it yet, so the schema is refused here, plainly.
      return MakeError(kParse,
                       "`self` is not supported by this server yet: rebacd cannot evaluate it",
                       ast.pos, "self");
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

std::optional<SchemaError> TranslateMember(const AstRelation& ast, Relation* out) {
  return ast.is_permission ? TranslatePermission(ast, out) : TranslateRelation(ast, out);
}

// How many relations and permissions partial references may copy in one schema, in partials and
// definitions together. Far more than any real schema has; it stops partials that include each
// other several times over (`...a ...a` in b, `...b ...b` in c, ...) or a large partial included
// everywhere from growing without bound. SpiceDB has no such limit.
constexpr size_t kMaxCopiedMembers = 100000;

// SpiceDB's collectPartials: each partial is translated in source order; one that references a
// partial not translated yet waits for it (on the first such reference), and is translated again
// once that one is. Partials that are still waiting at the end form cycles or reference missing
// partials. Members are validated as a definition's would be, whether or not anything uses them.
class PartialCollector {
 public:
  explicit PartialCollector(const AstFile& file) : file_(file) {}

  std::optional<SchemaError> Run() {
    for (const AstItem& item : file_.items) {
      if (const auto* partial = std::get_if<AstPartial>(&item)) {
        if (auto error = Collect(*partial)) return error;
      }
    }
    if (waiting_.empty()) return std::nullopt;
    const auto still_waiting = StillWaiting();
    std::vector<absl::string_view> names;
    for (const auto& [name, entry] : still_waiting) names.push_back(name);
    // SpiceDB's error has no position; this one keeps the first unresolved reference's for
    // rebacd's own callers (the wire answer is UNKNOWN with the bare message either way).
    return MakeError(SchemaError::Kind::kUnknown,
                     absl::StrCat("could not resolve partials: [", absl::StrJoin(names, ", "),
                                  "]. this may indicate a circular reference"),
                     still_waiting.front().second->first_reference, still_waiting.front().first);
  }

  // The members of a translated partial (references expanded), or nullptr.
  const std::vector<AstRelation>* Find(absl::string_view name) const {
    auto it = compiled_.find(name);
    return it == compiled_.end() ? nullptr : &it->second;
  }

  // Counts the copies `reference` is about to make against kMaxCopiedMembers.
  std::optional<SchemaError> Charge(const std::vector<AstRelation>& members,
                                    const AstRelation& reference) {
    copied_ += members.size();
    if (copied_ <= kMaxCopiedMembers) return std::nullopt;
    return MakeError(kParse,
                     absl::StrCat("partial references expand to more than ", kMaxCopiedMembers,
                                  " relations and permissions in all"),
                     reference.pos, reference.name);
  }

 private:
  // Translates `partial`, then every partial waiting for it, depth first as SpiceDB's recursion
  // does, with an explicit stack so that long chains cannot exhaust the native stack.
  std::optional<SchemaError> Collect(const AstPartial& partial) {
    struct Frame {
      std::string name;
      std::vector<const AstPartial*> waiters;
      size_t next = 0;
    };
    std::vector<Frame> stack;
    auto attempt = [&](const AstPartial& p) -> std::optional<SchemaError> {
      bool done = false;
      if (auto error = TryTranslate(p, &done)) return error;
      if (done) stack.push_back(Frame{p.name, WaitersOf(p.name)});
      return std::nullopt;
    };
    if (auto error = attempt(partial)) return error;
    while (!stack.empty()) {
      Frame& frame = stack.back();
      if (frame.next == frame.waiters.size()) {
        RemoveWaiters(frame.name);
        stack.pop_back();
        continue;
      }
      const AstPartial* waiter = frame.waiters[frame.next++];
      if (auto error = attempt(*waiter)) return error;
    }
    return std::nullopt;
  }

  std::optional<SchemaError> TryTranslate(const AstPartial& partial, bool* done) {
    std::vector<AstRelation> members;
    for (const AstRelation& member : partial.relations) {
      if (member.is_partial_reference) {
        const std::vector<AstRelation>* included = Find(member.name);
        if (included == nullptr) {
          AddWaiter(member, &partial);
          return std::nullopt;
        }
        if (auto error = Charge(*included, member)) return error;
        members.insert(members.end(), included->begin(), included->end());
        continue;
      }
      Relation translated;
      if (auto error = TranslateMember(member, &translated)) return error;
      members.push_back(member);
    }
    // A later partial of the same name replaces an earlier one, as in SpiceDB.
    compiled_[partial.name] = std::move(members);
    *done = true;
    return std::nullopt;
  }

  std::vector<const AstPartial*> WaitersOf(absl::string_view name) const {
    auto it = waiting_.find(name);
    return it == waiting_.end() ? std::vector<const AstPartial*>() : it->second.partials;
  }
  void AddWaiter(const AstRelation& reference, const AstPartial* partial) {
    auto [it, inserted] = waiting_.try_emplace(reference.name);
    if (inserted) {
      it->second.order = next_order_++;
      it->second.first_reference = reference.pos;
    }
    it->second.partials.push_back(partial);
  }
  void RemoveWaiters(absl::string_view name) { waiting_.erase(name); }

  struct Waiting {
    uint64_t order = 0;
    SourcePos first_reference;  // the first `...name` that waited for it
    std::vector<const AstPartial*> partials;
  };

  // The entries still waited for, in the order their names were first waited for.
  std::vector<std::pair<std::string, const Waiting*>> StillWaiting() const {
    std::vector<std::pair<std::string, const Waiting*>> ordered;
    for (const auto& [name, entry] : waiting_) ordered.emplace_back(name, &entry);
    std::sort(ordered.begin(), ordered.end(),
              [](const auto& a, const auto& b) { return a.second->order < b.second->order; });
    return ordered;
  }

  const AstFile& file_;
  size_t copied_ = 0;
  absl::flat_hash_map<std::string, std::vector<AstRelation>> compiled_;
  // Partial name -> the partials waiting for it.
  absl::flat_hash_map<std::string, Waiting> waiting_;
  uint64_t next_order_ = 0;
};

// Translates a definition, replacing each partial reference by the partial's members in place.
// On success `ast` holds the expanded members, for the checks that follow translation.
std::optional<SchemaError> TranslateDefinition(PartialCollector& partials, AstDefinition& ast,
                                               Definition* out) {
  out->name = ast.name;
  out->doc_comment = ast.comments;
  std::vector<AstRelation> expanded;
  expanded.reserve(ast.relations.size());
  for (AstRelation& member : ast.relations) {
    if (member.is_partial_reference) {
      const std::vector<AstRelation>* included = partials.Find(member.name);
      if (included == nullptr) {
        return MakeError(kParse,
                         absl::StrCat("could not find partial reference with name ", member.name),
                         member.pos, member.name);
      }
      if (auto error = partials.Charge(*included, member)) return error;
      for (const AstRelation& relation : *included) {
        Relation translated;
        if (auto error = TranslateMember(relation, &translated)) return error;
        out->relations.push_back(std::move(translated));
        expanded.push_back(relation);
      }
      continue;
    }
    Relation translated;
    if (auto error = TranslateMember(member, &translated)) return error;
    out->relations.push_back(std::move(translated));
    expanded.push_back(std::move(member));
  }
  ast.relations = std::move(expanded);
  if (std::string problem = CheckDefinitionName(ast.name); !problem.empty()) {
    return MakeError(kParse, absl::StrCat("error in object definition ", ast.name, ": ", problem),
                     ast.pos);
  }
  return std::nullopt;
}

}  // namespace

std::optional<SchemaError> Translate(AstFile& file, std::vector<Definition>* definitions,
                                     std::vector<Caveat>* caveats) {
  // As in SpiceDB, partials come first, whatever their place in the text.
  PartialCollector partials(file);
  if (auto error = partials.Run()) return error;

  absl::flat_hash_set<std::string> names;  // definitions and caveats share one namespace
  for (AstItem& item : file.items) {
    std::string name;
    SourcePos pos;
    absl::string_view what;
    // A flag may be repeated: SpiceDB v1.54 accepts `use expiration` twice.
    if (std::holds_alternative<AstUseFlag>(item) || std::holds_alternative<AstPartial>(item)) {
      continue;
    }
    if (const auto* caveat = std::get_if<AstCaveat>(&item)) {
      Caveat translated;
      if (auto error = TranslateCaveat(*caveat, &translated)) return error;
      caveats->push_back(std::move(translated));
      name = caveat->name;
      pos = caveat->pos;
      what = "caveat";
    } else {
      auto& definition = std::get<AstDefinition>(item);
      Definition translated;
      if (auto error = TranslateDefinition(partials, definition, &translated)) return error;
      definitions->push_back(std::move(translated));
      name = definition.name;
      pos = definition.pos;
      what = "definition";
    }
    if (!names.insert(name).second) {
      return MakeError(
          kParse,
          absl::StrCat("found name reused between multiple definitions and/or caveats: ", name),
          pos, name);
    }
    if (partials.Find(name) != nullptr) {
      return MakeError(kParse,
                       absl::StrCat("found ", what, " with same name as existing partial: ", name),
                       pos, name);
    }
  }
  return std::nullopt;
}

}  // namespace rebac::schema::internal
