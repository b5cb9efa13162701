// The text form of relationships, objects and subjects, as zed writes them.
//
//   document:1#viewer@user:alice
//   document:1#viewer@group:eng#member
//   document:1#viewer@user:*
//   document:1#viewer@user:alice[only_on_weekdays:{"tz":"UTC"}][expiration:2026-01-01T00:00:00Z]
//
// Parsing never throws: malformed text yields a ParseError naming what was expected and the
// 1-based character where parsing stopped. This module knows nothing of protobuf or gRPC; see
// proto_convert.h for the mapping onto authzed.api.v1 messages.
#ifndef REBACD_TOOLS_REBAC_RELATIONSHIP_TEXT_H_
#define REBACD_TOOLS_REBAC_RELATIONSHIP_TEXT_H_

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace rebac::cli {

// `type:id`. The id may be "*" (a wildcard) only where a subject is expected.
struct ObjectText {
  std::string type;
  std::string id;

  bool operator==(const ObjectText&) const = default;
};

// `type:id` or `type:id#relation`; relation "" is the object itself (zed's `...`).
struct SubjectText {
  ObjectText object;
  std::string relation;

  bool operator==(const SubjectText&) const = default;
};

struct RelationshipText {
  ObjectText resource;
  std::string relation;
  SubjectText subject;
  std::string caveat_name;     // "" when the relationship is not caveated
  std::string caveat_context;  // compact JSON object text, "" when absent
  std::optional<absl::Time> expiration;

  bool operator==(const RelationshipText&) const = default;
};

// A filter as `rebac relationship read` takes it: `type[:id]` for the resource and
// `type[:id][#relation]` for the subject; empty fields match anything.
struct ResourceFilterText {
  std::string type;
  std::string id;  // "" matches any id

  bool operator==(const ResourceFilterText&) const = default;
};
struct SubjectFilterText {
  std::string type;
  std::string id;  // "" matches any id
  // Without `#`, any subject relation matches (has_relation false). `#member` matches only
  // that relation; `#...` (relation "") matches only subjects that are plain objects.
  std::string relation;
  bool has_relation = false;

  bool operator==(const SubjectFilterText&) const = default;
};

struct ParseError {
  int character = 0;  // 1-based index into the input where the problem was found
  std::string message;

  // "at character N: message".
  std::string ToString() const;
};

template <typename T>
class ParseResult {
 public:
  ParseResult(T value) : value_(std::move(value)) {}           // NOLINT: implicit by design
  ParseResult(ParseError error) : value_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(value_); }
  const T& value() const { return std::get<T>(value_); }
  T& value() { return std::get<T>(value_); }
  const ParseError& error() const { return std::get<ParseError>(value_); }

 private:
  std::variant<T, ParseError> value_;
};

ParseResult<RelationshipText> ParseRelationship(absl::string_view text);
// `type:id`; the wildcard id is refused.
ParseResult<ObjectText> ParseObject(absl::string_view text);
// `type:id[#relation]`; `#...` means the object itself.
ParseResult<SubjectText> ParseSubject(absl::string_view text);
ParseResult<ResourceFilterText> ParseResourceFilter(absl::string_view text);
ParseResult<SubjectFilterText> ParseSubjectFilter(absl::string_view text);

std::string FormatObject(const ObjectText& object);
std::string FormatSubject(const SubjectText& subject);
// The canonical text: ParseRelationship(FormatRelationship(r)) == r for every parsed r.
std::string FormatRelationship(const RelationshipText& relationship);

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_RELATIONSHIP_TEXT_H_
