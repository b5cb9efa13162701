#include "tools/rebac/relationship_text.h"

#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace rebac::cli {
namespace {

constexpr absl::string_view kExpirationKeyword = "expiration";
constexpr absl::string_view kExpirationFormat = "%Y-%m-%d%ET%H:%M:%E*SZ";

bool IsNameStart(char c) { return c >= 'a' && c <= 'z'; }
bool IsNameChar(char c) { return IsNameStart(c) || absl::ascii_isdigit(c) || c == '_'; }
bool IsIdChar(char c) {
  return absl::ascii_isalnum(c) || c == '/' || c == '_' || c == '|' || c == '-' || c == '=' ||
         c == '+';
}
bool IsCaveatNameChar(char c) {
  return absl::ascii_isalnum(c) || c == '/' || c == '_' || c == '|' || c == '-';
}

// A read position in the input, with helpers that describe what was found there.
class Cursor {
 public:
  explicit Cursor(absl::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  size_t pos() const { return pos_; }
  absl::string_view text() const { return text_; }
  void Advance(size_t n) { pos_ += n; }

  bool Consume(char c) {
    if (Peek() != c || AtEnd()) return false;
    ++pos_;
    return true;
  }
  bool ConsumePrefix(absl::string_view prefix) {
    if (text_.substr(pos_).substr(0, prefix.size()) != prefix) return false;
    pos_ += prefix.size();
    return true;
  }
  template <typename Pred>
  absl::string_view TakeWhile(Pred pred) {
    size_t start = pos_;
    while (!AtEnd() && pred(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // "'x'" for the character at the cursor, or "the end of the text".
  std::string Found() const {
    if (AtEnd()) return "the end of the text";
    return absl::StrCat("'", absl::string_view(&text_[pos_], 1), "'");
  }
  ParseError ErrorAt(size_t pos, std::string message) const {
    return ParseError{static_cast<int>(pos) + 1, std::move(message)};
  }
  ParseError Error(std::string message) const { return ErrorAt(pos_, std::move(message)); }
  ParseError Expected(absl::string_view what) const {
    return Error(absl::StrCat("expected ", what, " but found ", Found()));
  }

 private:
  absl::string_view text_;
  size_t pos_ = 0;
};

using MaybeError = std::optional<ParseError>;

// `name` or `prefix/name`, each segment [a-z][a-z0-9_]*.
MaybeError ParseTypeName(Cursor& c, absl::string_view role, std::string* out) {
  size_t start = c.pos();
  while (true) {
    if (!IsNameStart(c.Peek())) {
      return c.Expected(absl::StrCat("the ", role, " type (a lowercase name)"));
    }
    c.TakeWhile(IsNameChar);
    if (!c.Consume('/')) break;
  }
  *out = std::string(c.text().substr(start, c.pos() - start));
  return std::nullopt;
}

MaybeError ParseObjectId(Cursor& c, absl::string_view role, bool allow_wildcard, std::string* out) {
  if (c.Peek() == '*' && !c.AtEnd()) {
    if (!allow_wildcard) {
      return c.Error(absl::StrCat("the wildcard id '*' is not allowed for the ", role));
    }
    c.Advance(1);
    out->assign(1, '*');  // not `= "*"`: GCC 12 warns falsely (-Wrestrict) on that
    return std::nullopt;
  }
  absl::string_view id = c.TakeWhile(IsIdChar);
  if (id.empty()) {
    return c.Expected(absl::StrCat("the ", role, " id (letters, digits or /_|-=+)"));
  }
  *out = std::string(id);
  return std::nullopt;
}

MaybeError ParseRelationName(Cursor& c, absl::string_view what, std::string* out) {
  if (!IsNameStart(c.Peek())) return c.Expected(absl::StrCat(what, " (a lowercase name)"));
  *out = std::string(c.TakeWhile(IsNameChar));
  return std::nullopt;
}

MaybeError ParseObjectAt(Cursor& c, absl::string_view role, bool allow_wildcard, ObjectText* out) {
  if (auto e = ParseTypeName(c, role, &out->type)) return e;
  if (!c.Consume(':')) {
    return c.Expected(absl::StrCat("':' and the ", role, " id after `", out->type, "`"));
  }
  return ParseObjectId(c, role, allow_wildcard, &out->id);
}

MaybeError ParseSubjectAt(Cursor& c, SubjectText* out) {
  if (auto e = ParseObjectAt(c, "subject", /*allow_wildcard=*/true, &out->object)) return e;
  size_t hash_pos = c.pos();
  if (!c.Consume('#')) return std::nullopt;
  if (out->object.id == "*") {
    return c.ErrorAt(hash_pos, "a wildcard subject cannot have a relation");
  }
  if (c.ConsumePrefix("...")) {
    out->relation.clear();
    return std::nullopt;
  }
  return ParseRelationName(c, "the subject relation after '#'", &out->relation);
}

// The JSON object starting at the cursor ('{'), up to its matching '}', canonicalized.
MaybeError ParseCaveatContext(Cursor& c, std::string* out) {
  size_t start = c.pos();
  if (c.Peek() != '{') return c.Expected("a JSON object for the caveat context");
  absl::string_view rest = c.text().substr(start);
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  size_t end = absl::string_view::npos;
  for (size_t i = 0; i < rest.size() && end == absl::string_view::npos; ++i) {
    char ch = rest[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (ch == '\\') {
        escaped = true;
      } else if (ch == '"') {
        in_string = false;
      }
      continue;
    }
    if (ch == '"') {
      in_string = true;
    } else if (ch == '{') {
      ++depth;
    } else if (ch == '}') {
      if (--depth == 0) end = i + 1;
    }
  }
  if (end == absl::string_view::npos) {
    return c.Error("unterminated JSON caveat context (no matching '}')");
  }
  absl::string_view json_text = rest.substr(0, end);
  try {
    nlohmann::json context = nlohmann::json::parse(json_text.begin(), json_text.end());
    if (!context.is_object()) return c.Error("the caveat context must be a JSON object");
    *out = context.dump();
  } catch (const nlohmann::json::parse_error& e) {
    size_t offset = e.byte == 0 ? 0 : e.byte - 1;
    if (offset >= json_text.size()) offset = json_text.size() - 1;
    return c.ErrorAt(start + offset, "invalid JSON in the caveat context");
  } catch (const nlohmann::json::exception& e) {
    return c.Error(absl::StrCat("invalid JSON in the caveat context: ", e.what()));
  }
  c.Advance(end);
  return std::nullopt;
}

MaybeError ParseExpiration(Cursor& c, absl::Time* out) {
  size_t start = c.pos();
  absl::string_view text = c.TakeWhile([](char ch) { return ch != ']'; });
  std::string error;
  if (text.empty() || !absl::ParseTime(absl::RFC3339_full, std::string(text), out, &error)) {
    return c.ErrorAt(start, absl::StrCat("invalid expiration time `", text,
                                         "` (want RFC 3339, e.g. 2026-01-01T00:00:00Z)"));
  }
  return std::nullopt;
}

// One `[caveat]`, `[caveat:{json}]` or `[expiration:time]` section; the '[' is consumed.
MaybeError ParseBracketSection(Cursor& c, RelationshipText* out) {
  size_t name_pos = c.pos();
  absl::string_view name = c.TakeWhile(IsCaveatNameChar);
  if (name.empty()) return c.Expected("a caveat name or `expiration` after '['");
  if (name == kExpirationKeyword) {
    if (out->expiration.has_value()) {
      return c.ErrorAt(name_pos, "the expiration is given twice");
    }
    if (!c.Consume(':')) return c.Expected("':' and a time after `expiration`");
    absl::Time expiration;
    if (auto e = ParseExpiration(c, &expiration)) return e;
    out->expiration = expiration;
  } else {
    if (!out->caveat_name.empty()) {
      return c.ErrorAt(name_pos, "a relationship can have only one caveat");
    }
    out->caveat_name = std::string(name);
    if (c.Consume(':')) {
      if (auto e = ParseCaveatContext(c, &out->caveat_context)) return e;
    }
  }
  if (!c.Consume(']')) return c.Expected("']'");
  return std::nullopt;
}

MaybeError ExpectEnd(const Cursor& c, absl::string_view after) {
  if (c.AtEnd()) return std::nullopt;
  return c.Error(absl::StrCat("unexpected ", c.Found(), " after the ", after));
}

}  // namespace

std::string ParseError::ToString() const {
  return absl::StrCat("at character ", character, ": ", message);
}

ParseResult<RelationshipText> ParseRelationship(absl::string_view text) {
  Cursor c(text);
  RelationshipText rel;
  if (auto e = ParseObjectAt(c, "resource", /*allow_wildcard=*/false, &rel.resource)) return *e;
  if (!c.Consume('#')) return c.Expected("'#' and a relation after the resource");
  if (auto e = ParseRelationName(c, "the relation after '#'", &rel.relation)) return *e;
  if (!c.Consume('@')) return c.Expected("'@' and a subject after the relation");
  if (auto e = ParseSubjectAt(c, &rel.subject)) return *e;
  while (c.Consume('[')) {
    if (auto e = ParseBracketSection(c, &rel)) return *e;
  }
  if (auto e = ExpectEnd(c, "relationship")) return *e;
  return rel;
}

ParseResult<ObjectText> ParseObject(absl::string_view text) {
  Cursor c(text);
  ObjectText object;
  if (auto e = ParseObjectAt(c, "resource", /*allow_wildcard=*/false, &object)) return *e;
  if (auto e = ExpectEnd(c, "object")) return *e;
  return object;
}

ParseResult<SubjectText> ParseSubject(absl::string_view text) {
  Cursor c(text);
  SubjectText subject;
  if (auto e = ParseSubjectAt(c, &subject)) return *e;
  if (auto e = ExpectEnd(c, "subject")) return *e;
  return subject;
}

ParseResult<ResourceFilterText> ParseResourceFilter(absl::string_view text) {
  Cursor c(text);
  ResourceFilterText filter;
  if (auto e = ParseTypeName(c, "resource", &filter.type)) return *e;
  if (c.Consume(':')) {
    if (auto e = ParseObjectId(c, "resource", /*allow_wildcard=*/false, &filter.id)) return *e;
  }
  if (auto e = ExpectEnd(c, "resource filter")) return *e;
  return filter;
}

ParseResult<SubjectFilterText> ParseSubjectFilter(absl::string_view text) {
  Cursor c(text);
  SubjectFilterText filter;
  if (auto e = ParseTypeName(c, "subject", &filter.type)) return *e;
  if (c.Consume(':')) {
    if (auto e = ParseObjectId(c, "subject", /*allow_wildcard=*/true, &filter.id)) return *e;
  }
  if (c.Consume('#')) {
    filter.has_relation = true;
    if (!c.ConsumePrefix("...")) {
      if (auto e = ParseRelationName(c, "the subject relation after '#'", &filter.relation)) {
        return *e;
      }
    }
  }
  if (auto e = ExpectEnd(c, "subject filter")) return *e;
  return filter;
}

std::string FormatObject(const ObjectText& object) {
  return absl::StrCat(object.type, ":", object.id);
}

std::string FormatSubject(const SubjectText& subject) {
  if (subject.relation.empty()) return FormatObject(subject.object);
  return absl::StrCat(FormatObject(subject.object), "#", subject.relation);
}

std::string FormatRelationship(const RelationshipText& relationship) {
  std::string out = absl::StrCat(FormatObject(relationship.resource), "#", relationship.relation,
                                 "@", FormatSubject(relationship.subject));
  if (!relationship.caveat_name.empty()) {
    absl::StrAppend(&out, "[", relationship.caveat_name);
    if (!relationship.caveat_context.empty()) {
      absl::StrAppend(&out, ":", relationship.caveat_context);
    }
    absl::StrAppend(&out, "]");
  }
  if (relationship.expiration.has_value()) {
    absl::StrAppend(
        &out, "[", kExpirationKeyword, ":",
        absl::FormatTime(kExpirationFormat, *relationship.expiration, absl::UTCTimeZone()), "]");
  }
  return out;
}

}  // namespace rebac::cli
