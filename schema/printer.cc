// Print(): the canonical schema text, laid out as SpiceDB's schema generator lays it out, since
// ReadSchema returns it and clients compare it byte for byte.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "schema/compiler.h"

namespace rebac::schema {
namespace {

// SpiceDB keeps shorter block comments on one line.
constexpr size_t kMaxSingleLineCommentLength = 70;

// An output buffer with the generator's rules: tab indentation at line starts, and knowledge of
// whether it ends in a blank line or right after an opening brace, so that comments get a blank
// line before them only between members.
class SourceWriter {
 public:
  void Append(absl::string_view text) {
    for (char c : text) {
      if (c == '\n') {
        if (has_newline_) has_blank_line_ = true;
        out_.push_back('\n');
        has_newline_ = true;
        continue;
      }
      has_blank_line_ = false;
      has_new_scope_ = false;
      if (has_newline_) {
        out_.append(indentation_, '\t');
        has_newline_ = false;
      }
      out_.push_back(c);
    }
  }
  void AppendLine() { Append("\n"); }
  void Indent() { ++indentation_; }
  void Dedent() { --indentation_; }
  void MarkNewScope() { has_new_scope_ = true; }
  void EnsureBlankLineOrNewScope() {
    if (!has_blank_line_ && !has_new_scope_) AppendLine();
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  size_t indentation_ = 0;
  bool has_newline_ = true;
  bool has_blank_line_ = true;
  bool has_new_scope_ = true;
};

// Splits a stored comment block back into its comments: `//` ones end at a newline, `/* */`
// ones at their closing delimiter. Undelimited text (a doc string set by hand) stays whole.
std::vector<absl::string_view> SplitComments(absl::string_view text) {
  std::vector<absl::string_view> comments;
  size_t at = 0;
  while (at < text.size()) {
    const char c = text[at];
    if (c == '\n' || c == ' ' || c == '\t' || c == '\r') {
      ++at;
      continue;
    }
    size_t end;
    if (absl::StartsWith(text.substr(at), "/*")) {
      end = text.find("*/", at + 2);
      end = end == absl::string_view::npos ? text.size() : end + 2;
    } else if (absl::StartsWith(text.substr(at), "//")) {
      end = text.find('\n', at);
      if (end == absl::string_view::npos) end = text.size();
    } else {
      end = text.size();
    }
    comments.push_back(text.substr(at, end - at));
    at = end;
  }
  return comments;
}

// Go's unicode.IsSpace for the character whose UTF-8 encoding ends `text` (at_end) or starts it;
// returns its length in bytes, 0 when it is not a space. SpiceDB trims comments with
// strings.TrimSpace, which also removes U+0085, U+00A0 and the Unicode space separators.
size_t SpaceLength(absl::string_view text, bool at_end) {
  static constexpr absl::string_view kUnicodeSpaces[] = {
      "\xC2\x85",     "\xC2\xA0",     "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81",
      "\xE2\x80\x82", "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86",
      "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89", "\xE2\x80\x8A", "\xE2\x80\xA8",
      "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80"};
  if (text.empty()) return 0;
  const char edge = at_end ? text.back() : text.front();
  if (edge == ' ' || (edge >= '\t' && edge <= '\r')) return 1;
  for (absl::string_view space : kUnicodeSpaces) {
    // UTF-8 is self-synchronizing, so a whole encoding at either edge is that character.
    if (at_end ? absl::EndsWith(text, space) : absl::StartsWith(text, space)) return space.size();
  }
  return 0;
}

// Go's strings.TrimSpace.
absl::string_view TrimSpace(absl::string_view text) {
  while (size_t n = SpaceLength(text, /*at_end=*/false)) text.remove_prefix(n);
  while (size_t n = SpaceLength(text, /*at_end=*/true)) text.remove_suffix(n);
  return text;
}

// One line of a block comment without its decoration: trimmed, one leading `*` dropped, trimmed.
absl::string_view TrimmedWithoutStar(absl::string_view line) {
  line = TrimSpace(line);
  absl::ConsumePrefix(&line, "*");
  return TrimSpace(line);
}

// A one-line comment body without any leading `*`s (see AppendComment).
absl::string_view TrimmedWithoutStars(absl::string_view line) {
  line = TrimSpace(line);
  while (absl::ConsumePrefix(&line, "*")) line = TrimSpace(line);
  return line;
}

// Lays out a comment as SpiceDB's generator does (appendComment), with one difference that makes
// the printed text a fixed point of compile-then-print, which SpiceDB's is not. The generator
// removes one leading `*` from a one-line body, taking it for the decoration of a doc comment
// line. A body whose text itself starts with `*` (`/**\n * * item\n */`, `/* **x */`) is
// therefore printed as `/** * item */`, which reads back as `/** item */`: every
// read-and-rewrite of the schema loses another star. Printed here is the text SpiceDB's output
// settles on after such rewrites; it is SpiceDB's output byte for byte wherever that output
// already reads back unchanged.
void AppendComment(absl::string_view comment, SourceWriter& out) {
  if (absl::StartsWith(comment, "//")) {
    absl::string_view body = TrimSpace(comment);
    absl::ConsumePrefix(&body, "//");
    out.Append("// ");
    out.Append(TrimSpace(body));
    out.AppendLine();
    return;
  }
  absl::string_view body = TrimSpace(comment);
  if (absl::ConsumePrefix(&body, "/**")) {
    out.Append("/**");
  } else if (absl::ConsumePrefix(&body, "/*")) {
    out.Append("/*");
  } else {
    out.Append("/**");  // hand-set text without delimiters reads as a doc comment
  }
  absl::ConsumeSuffix(&body, "*/");
  body = TrimSpace(body);
  bool multiline = body.size() > kMaxSingleLineCommentLength || absl::StrContains(body, '\n');
  if (multiline && !absl::StrContains(body, '\n')) {
    // One long line is printed as ` * LINE`, which reads back as the body `* LINE`: it stays
    // multiline only if that is still too long for one line.
    const absl::string_view line = TrimmedWithoutStar(body);
    if (line.size() + 2 <= kMaxSingleLineCommentLength) {
      body = line;
      multiline = false;
    }
  }
  if (multiline) {
    out.AppendLine();
    for (absl::string_view line : absl::StrSplit(body, '\n')) {
      out.Append(" * ");
      out.Append(TrimmedWithoutStar(line));
      out.AppendLine();
    }
    out.Append(" */");
  } else {
    out.Append(" ");
    out.Append(TrimmedWithoutStars(body));
    out.Append(" */");
  }
  out.AppendLine();
}

void AppendComments(absl::string_view comments, SourceWriter& out) {
  std::vector<absl::string_view> split = SplitComments(comments);
  if (split.empty()) return;
  out.EnsureBlankLineOrNewScope();
  for (absl::string_view comment : split) AppendComment(comment, out);
}

bool IsSetOperation(const RewriteNode& node) {
  return node.kind == RewriteNode::Kind::kUnion || node.kind == RewriteNode::Kind::kIntersection ||
         node.kind == RewriteNode::Kind::kExclusion;
}

// A union made only of unions needs no parentheses anywhere: `+` binds tightest.
bool IsAllUnion(const RewriteNode& node) {
  if (node.kind != RewriteNode::Kind::kUnion) return false;
  return std::all_of(node.children.begin(), node.children.end(), [](const RewriteNode& child) {
    return !IsSetOperation(child) || IsAllUnion(child);
  });
}

void AppendRewrite(const RewriteNode& node, SourceWriter& out);

void AppendOperand(const RewriteNode& node, SourceWriter& out) {
  switch (node.kind) {
    case RewriteNode::Kind::kUnion:
    case RewriteNode::Kind::kIntersection:
    case RewriteNode::Kind::kExclusion:
      if (IsAllUnion(node)) {
        AppendRewrite(node, out);
      } else {
        out.Append("(");
        AppendRewrite(node, out);
        out.Append(")");
      }
      return;
    case RewriteNode::Kind::kNil:
      out.Append("nil");
      return;
    case RewriteNode::Kind::kSelf:
      out.Append("self");
      return;
    case RewriteNode::Kind::kComputedUserset:
      out.Append(node.relation);
      return;
    case RewriteNode::Kind::kArrow:
      out.Append(node.relation);
      if (node.arrow_is_function || node.arrow_function == RewriteNode::ArrowFunction::kAll) {
        out.Append(node.arrow_function == RewriteNode::ArrowFunction::kAll ? ".all(" : ".any(");
        out.Append(node.arrow_target);
        out.Append(")");
      } else {
        out.Append("->");
        out.Append(node.arrow_target);
      }
      return;
  }
}

void AppendRewrite(const RewriteNode& node, SourceWriter& out) {
  absl::string_view separator;
  switch (node.kind) {
    case RewriteNode::Kind::kUnion:
      separator = " + ";
      break;
    case RewriteNode::Kind::kIntersection:
      separator = " & ";
      break;
    case RewriteNode::Kind::kExclusion:
      separator = " - ";
      break;
    default:
      AppendOperand(node, out);
      return;
  }
  for (size_t i = 0; i < node.children.size(); ++i) {
    if (i > 0) out.Append(separator);
    AppendOperand(node.children[i], out);
  }
}

void AppendAllowedType(const AllowedSubjectType& allowed, SourceWriter& out) {
  out.Append(allowed.type);
  if (!allowed.relation.empty() && allowed.relation != "...") {
    out.Append("#");
    out.Append(allowed.relation);
  }
  if (allowed.wildcard) out.Append(":*");
  if (allowed.caveat.empty() && !allowed.expiration) return;
  out.Append(" with ");
  if (!allowed.caveat.empty()) out.Append(allowed.caveat);
  if (!allowed.caveat.empty() && allowed.expiration) out.Append(" and ");
  if (allowed.expiration) out.Append("expiration");
}

void AppendRelation(const Relation& relation, SourceWriter& out) {
  AppendComments(relation.doc_comment, out);
  if (relation.is_permission) {
    out.Append("permission ");
    out.Append(relation.name);
    out.Append(" = ");
    AppendRewrite(relation.rewrite, out);
  } else {
    out.Append("relation ");
    out.Append(relation.name);
    out.Append(": ");
    if (relation.allowed.empty()) out.Append("/* missing allowed types */");
    for (size_t i = 0; i < relation.allowed.size(); ++i) {
      if (i > 0) out.Append(" | ");
      AppendAllowedType(relation.allowed[i], out);
    }
  }
  out.AppendLine();
}

std::string DefinitionText(const Definition& definition) {
  SourceWriter out;
  AppendComments(definition.doc_comment, out);
  out.Append("definition ");
  out.Append(definition.name);
  if (definition.relations.empty()) {
    out.Append(" {}");
    return out.Take();
  }
  out.Append(" {");
  out.AppendLine();
  out.Indent();
  out.MarkNewScope();
  for (const Relation& relation : definition.relations) AppendRelation(relation, out);
  out.Dedent();
  out.Append("}");
  return out.Take();
}

// For a Caveat built by hand without a compiled expression: approximates CEL's rendering by
// putting the text on one line, comments dropped, whitespace outside string literals collapsed.
std::string NormalizeExpression(absl::string_view expression) {
  std::string out;
  bool pending_space = false;
  size_t at = 0;
  auto emit = [&](absl::string_view piece) {
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.append(piece.data(), piece.size());
  };
  while (at < expression.size()) {
    const char c = expression[at];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = true;
      ++at;
      continue;
    }
    absl::string_view rest = expression.substr(at);
    if (absl::StartsWith(rest, "//")) {
      const size_t end = rest.find_first_of("\r\n");
      at = end == absl::string_view::npos ? expression.size() : at + end;
      pending_space = true;
      continue;
    }
    if (absl::StartsWith(rest, "/*")) {
      const size_t end = rest.find("*/", 2);
      at = end == absl::string_view::npos ? expression.size() : at + end + 2;
      pending_space = true;
      continue;
    }
    if (c == '"' || c == '\'') {
      // Same string boundaries as the lexer that captured the expression.
      const bool triple = absl::StartsWith(rest, "\"\"\"") || absl::StartsWith(rest, "'''");
      const absl::string_view terminator = triple ? "\"\"\"" : rest.substr(0, 1);
      const size_t open = triple ? 3 : 1;
      const size_t close = rest.find(terminator, open);
      const size_t length =
          close == absl::string_view::npos ? rest.size() : close + terminator.size();
      emit(rest.substr(0, length));
      at += length;
      continue;
    }
    emit(rest.substr(0, 1));
    ++at;
  }
  return out;
}

std::string CaveatText(const Caveat& caveat) {
  SourceWriter out;
  AppendComments(caveat.doc_comment, out);
  out.Append("caveat ");
  out.Append(caveat.name);
  out.Append("(");
  // SpiceDB stores parameters in a map, so they come back sorted by name.
  std::vector<const CaveatParameter*> parameters;
  for (const CaveatParameter& parameter : caveat.parameters) parameters.push_back(&parameter);
  std::stable_sort(
      parameters.begin(), parameters.end(),
      [](const CaveatParameter* a, const CaveatParameter* b) { return a->name < b->name; });
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (i > 0) out.Append(", ");
    out.Append(parameters[i]->name);
    out.Append(" ");
    out.Append(parameters[i]->type);
  }
  out.Append(") {");
  out.AppendLine();
  out.Indent();
  out.MarkNewScope();
  // SpiceDB prints the expression from its syntax tree (CEL's unparser).
  out.Append(caveat.compiled != nullptr ? caveat.compiled->ToString()
                                        : NormalizeExpression(caveat.expression));
  out.AppendLine();
  out.Dedent();
  out.Append("}");
  return out.Take();
}

bool UsesSelf(const RewriteNode& node) {
  if (node.kind == RewriteNode::Kind::kSelf) return true;
  for (const RewriteNode& child : node.children) {
    if (UsesSelf(child)) return true;
  }
  return false;
}

bool UsesSelf(const Definition& definition) {
  for (const Relation& relation : definition.relations) {
    if (relation.is_permission && UsesSelf(relation.rewrite)) return true;
  }
  return false;
}

bool UsesExpiration(const Definition& definition) {
  for (const Relation& relation : definition.relations) {
    for (const AllowedSubjectType& allowed : relation.allowed) {
      if (allowed.expiration) return true;
    }
  }
  return false;
}

template <typename T>
std::vector<const T*> SortedByName(const std::vector<T>& items) {
  std::vector<const T*> sorted;
  sorted.reserve(items.size());
  for (const T& item : items) sorted.push_back(&item);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const T* a, const T* b) { return a->name < b->name; });
  return sorted;
}

}  // namespace

// Like SpiceDB's ReadSchema: caveats, then definitions, each sorted by name, separated by blank
// lines, with `use expiration` first when some relation needs it.
std::string Print(const CompiledSchema& schema) {
  std::vector<std::string> blocks;
  bool uses_expiration = false;
  bool uses_self = false;
  for (const Caveat* caveat : SortedByName(schema.caveats())) blocks.push_back(CaveatText(*caveat));
  for (const Definition* definition : SortedByName(schema.definitions())) {
    blocks.push_back(DefinitionText(*definition));
    uses_expiration = uses_expiration || UsesExpiration(*definition);
    uses_self = uses_self || UsesSelf(*definition);
  }
  if (uses_self) blocks.insert(blocks.begin(), "use self");
  if (uses_expiration) blocks.insert(blocks.begin(), "use expiration");
  std::string text;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (i > 0) text.append("\n\n");
    text.append(blocks[i]);
  }
  return text;
}

}  // namespace rebac::schema
