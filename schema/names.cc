#include "schema/names.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace rebac::schema::internal {
namespace {

constexpr absl::string_view kDefinitionPattern =
    "^([a-z][a-z0-9_]{1,62}[a-z0-9]/)*[a-z][a-z0-9_]{1,62}[a-z0-9]$";
constexpr absl::string_view kAllowedTypePattern =
    "^([a-z][a-z0-9_]{1,61}[a-z0-9]/)*[a-z][a-z0-9_]{1,62}[a-z0-9]$";
constexpr absl::string_view kRelationPattern = "^[a-z][a-z0-9_]{1,62}[a-z0-9]$";
constexpr absl::string_view kRelationOrEllipsisPattern =
    R"(^(\.\.\.|[a-z][a-z0-9_]{1,62}[a-z0-9])$)";
constexpr absl::string_view kCaveatPattern = R"(^(([a-zA-Z0-9_][a-zA-Z0-9/_|-]{0,127})|\*)$)";

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// [a-z][a-z0-9_]{1,max_middle}[a-z0-9]
bool MatchesSegment(absl::string_view s, size_t max_middle) {
  if (s.size() < 3 || s.size() > max_middle + 2) return false;
  if (!IsLower(s.front())) return false;
  if (!IsLower(s.back()) && !IsDigit(s.back())) return false;
  for (char c : s.substr(1, s.size() - 2)) {
    if (!IsLower(c) && !IsDigit(c) && c != '_') return false;
  }
  return true;
}

bool MatchesPath(absl::string_view s, size_t prefix_max_middle) {
  std::vector<absl::string_view> segments = absl::StrSplit(s, '/');
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    if (!MatchesSegment(segments[i], prefix_max_middle)) return false;
  }
  return MatchesSegment(segments.back(), 62);
}

bool MatchesCaveatName(absl::string_view s) {
  if (s == "*") return true;
  if (s.empty() || s.size() > 128) return false;
  auto word_char = [](char c) {
    return IsLower(c) || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_';
  };
  if (!word_char(s.front())) return false;
  for (char c : s.substr(1)) {
    if (!word_char(c) && c != '/' && c != '|' && c != '-') return false;
  }
  return true;
}

// Byte limits are checked before patterns, as the generated validators do.
std::string Check(absl::string_view field, absl::string_view value, size_t max_bytes, bool matches,
                  absl::string_view pattern) {
  if (value.size() > max_bytes) {
    return absl::StrCat("invalid ", field, ": value length must be at most ", max_bytes, " bytes");
  }
  if (!matches) {
    return absl::StrCat("invalid ", field, ": value does not match regex pattern \"", pattern,
                        "\"");
  }
  return "";
}

}  // namespace

std::string CheckDefinitionName(absl::string_view name) {
  return Check("NamespaceDefinition.Name", name, 128, MatchesPath(name, 62), kDefinitionPattern);
}

std::string CheckAllowedTypeName(absl::string_view name) {
  return Check("AllowedRelation.Namespace", name, 128, MatchesPath(name, 61), kAllowedTypePattern);
}

std::string CheckAllowedTypeRelation(absl::string_view name) {
  return Check("AllowedRelation.Relation", name, 64, name == "..." || MatchesSegment(name, 62),
               kRelationOrEllipsisPattern);
}

std::string CheckRelationName(absl::string_view name) {
  return Check("Relation.Name", name, 64, MatchesSegment(name, 62), kRelationPattern);
}

std::string CheckReferencedRelation(absl::string_view field, absl::string_view name,
                                    bool allow_ellipsis) {
  const bool matches = (allow_ellipsis && name == "...") || MatchesSegment(name, 62);
  return Check(field, name, 64, matches,
               allow_ellipsis ? kRelationOrEllipsisPattern : kRelationPattern);
}

std::string CheckCaveatName(absl::string_view name) {
  return Check("CaveatDefinition.Name", name, 128, MatchesCaveatName(name), kCaveatPattern);
}

}  // namespace rebac::schema::internal
