#include "tools/rebac/validation_file.h"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "tools/rebac/input_file.h"
#include "yaml-cpp/yaml.h"

namespace rebac::cli {
namespace {

// A failure at a place in the file; turned into a Status with the file name at the top.
struct Located {
  SourceLocation location;
  std::string message;
};

// The parse of one file: the raw lines, to find where block-scalar lines sit.
class FileParser {
 public:
  FileParser(absl::string_view name, absl::string_view contents)
      : name_(name), contents_(contents), lines_(absl::StrSplit(contents, '\n')) {}

  absl::StatusOr<ValidationFile> Parse();

 private:
  // One line of a scalar's value and where it sits in the file.
  struct ScalarLine {
    std::string text;
    SourceLocation location;
  };

  absl::Status Fail(SourceLocation location, absl::string_view message) const {
    return absl::InvalidArgumentError(FormatLocated(name_, location, message));
  }
  static SourceLocation At(const YAML::Node& node) {
    return {node.Mark().line + 1, node.Mark().column + 1};
  }
  bool IsBlockScalar(const YAML::Node& node) const {
    size_t pos = static_cast<size_t>(node.Mark().pos);
    return pos < contents_.size() && (contents_[pos] == '|' || contents_[pos] == '>');
  }
  // The lines of a scalar's value. For a literal block scalar (`|`), value line k is file line
  // mark+1+k; its column is the first non-blank character of that file line. Other scalars
  // report every line at the scalar's own position.
  std::vector<ScalarLine> LinesOf(const YAML::Node& node) const;

  absl::Status ParseRelationships(const YAML::Node& node, ValidationFile* out) const;
  absl::Status ParseAssertions(const YAML::Node& node, int line_offset, int column_offset,
                               ValidationFile* out) const;
  absl::Status ParseValidation(const YAML::Node& node, int line_offset, int column_offset,
                               ValidationFile* out) const;
  // `assertions`/`validation` given as a block scalar holding YAML: parses that text and
  // calls `parse` with the offsets that map its positions back onto the file.
  template <typename ParseFn>
  absl::Status ParseNested(const YAML::Node& node, ParseFn parse) const;

  std::string name_;
  absl::string_view contents_;
  std::vector<absl::string_view> lines_;
};

std::vector<FileParser::ScalarLine> FileParser::LinesOf(const YAML::Node& node) const {
  std::vector<ScalarLine> out;
  std::string value = node.IsNull() ? "" : node.Scalar();
  std::vector<std::string> parts = absl::StrSplit(value, '\n');
  const bool literal = IsBlockScalar(node) && contents_[node.Mark().pos] == '|';
  for (size_t k = 0; k < parts.size(); ++k) {
    SourceLocation location = At(node);
    if (literal) {
      location.line = node.Mark().line + 2 + static_cast<int>(k);
      location.column = 1;
      if (static_cast<size_t>(location.line - 1) < lines_.size()) {
        absl::string_view raw = lines_[location.line - 1];
        size_t first = raw.find_first_not_of(" \t");
        if (first != absl::string_view::npos) location.column = static_cast<int>(first) + 1;
      }
    }
    out.push_back({parts[k], location});
  }
  return out;
}

absl::Status FileParser::ParseRelationships(const YAML::Node& node, ValidationFile* out) const {
  if (node.IsNull()) return absl::OkStatus();
  if (!node.IsScalar()) {
    return Fail(At(node), "`relationships` must be text: one relationship per line");
  }
  for (const ScalarLine& line : LinesOf(node)) {
    absl::string_view text = absl::StripAsciiWhitespace(line.text);
    if (text.empty() || absl::StartsWith(text, "//")) continue;
    SourceLocation location = line.location;
    ParseResult<RelationshipText> parsed = ParseRelationship(text);
    if (!parsed.ok()) {
      SourceLocation at = location;
      at.column += parsed.error().character - 1;
      return Fail(at, absl::StrCat("invalid relationship `", text, "`: ", parsed.error().message));
    }
    out->relationships.push_back({std::string(text), parsed.value(), location});
  }
  return absl::OkStatus();
}

// `RELATIONSHIP[ with {JSON}]` as in SpiceDB's assertions block.
absl::Status ParseAssertionText(absl::string_view raw, Assertion* out, std::string* error,
                                int* error_column) {
  absl::string_view text = absl::StripAsciiWhitespace(raw);
  out->text = std::string(text);
  absl::string_view relationship_text = text;
  absl::string_view context_text;
  size_t with = text.find(" with ");
  if (with != absl::string_view::npos) {
    relationship_text = absl::StripAsciiWhitespace(text.substr(0, with));
    context_text = absl::StripAsciiWhitespace(text.substr(with + 6));
  }
  ParseResult<RelationshipText> parsed = ParseRelationship(relationship_text);
  if (!parsed.ok()) {
    *error = absl::StrCat("invalid assertion `", text, "`: ", parsed.error().message);
    *error_column = parsed.error().character;
    return absl::InvalidArgumentError(*error);
  }
  const RelationshipText& relationship = parsed.value();
  if (!relationship.caveat_name.empty() || relationship.expiration.has_value()) {
    *error = absl::StrCat("cannot specify a caveat or expiration on an assertion: `", text,
                          "` (give the context with ` with {...}`)");
    *error_column = 1;
    return absl::InvalidArgumentError(*error);
  }
  out->resource = relationship.resource;
  out->permission = relationship.relation;
  out->subject = relationship.subject;
  if (with != absl::string_view::npos) {
    nlohmann::json context =
        nlohmann::json::parse(context_text, nullptr, /*allow_exceptions=*/false);
    if (context.is_discarded() || !context.is_object()) {
      *error = absl::StrCat("invalid caveat context in assertion `", text,
                            "`: want a JSON object after ` with `");
      *error_column = static_cast<int>(with) + 7;
      return absl::InvalidArgumentError(*error);
    }
    out->context = context.dump();
  }
  return absl::OkStatus();
}

absl::Status FileParser::ParseAssertions(const YAML::Node& node, int line_offset, int column_offset,
                                         ValidationFile* out) const {
  if (node.IsNull()) return absl::OkStatus();
  auto at = [&](const YAML::Node& n) {
    SourceLocation location = At(n);
    location.line += line_offset;
    location.column += column_offset;
    return location;
  };
  if (!node.IsMap()) {
    return Fail(at(node), "`assertions` must map assertTrue/assertFalse/assertCaveated to lists");
  }
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    AssertionKind kind;
    if (key == "assertTrue") {
      kind = AssertionKind::kTrue;
    } else if (key == "assertFalse") {
      kind = AssertionKind::kFalse;
    } else if (key == "assertCaveated") {
      kind = AssertionKind::kCaveated;
    } else {
      return Fail(at(entry.first),
                  absl::StrCat("unknown assertion kind `", key,
                               "`; want assertTrue, assertFalse or assertCaveated"));
    }
    const YAML::Node& list = entry.second;
    if (list.IsNull()) continue;
    if (!list.IsSequence()) return Fail(at(list), absl::StrCat("`", key, "` must be a list"));
    for (const YAML::Node& item : list) {
      if (!item.IsScalar()) {
        return Fail(at(item), absl::StrCat("each `", key,
                                           "` entry must be a string, e.g. "
                                           "\"document:1#view@user:tom\" (quote entries that "
                                           "hold `: `, such as a JSON context)"));
      }
      Assertion assertion;
      assertion.kind = kind;
      assertion.location = at(item);
      std::string error;
      int error_column = 1;
      if (!ParseAssertionText(item.Scalar(), &assertion, &error, &error_column).ok()) {
        SourceLocation location = assertion.location;
        // Quoted scalars start one column before their text.
        if (item.Tag() == "!") location.column += 1;
        location.column += error_column - 1;
        return Fail(location, error);
      }
      out->assertions.push_back(std::move(assertion));
    }
  }
  return absl::OkStatus();
}

absl::Status FileParser::ParseValidation(const YAML::Node& node, int line_offset, int column_offset,
                                         ValidationFile* out) const {
  if (node.IsNull()) return absl::OkStatus();
  auto at = [&](const YAML::Node& n) {
    SourceLocation location = At(n);
    location.line += line_offset;
    location.column += column_offset;
    return location;
  };
  if (!node.IsMap()) {
    return Fail(at(node), "`validation` must map `type:id#relation` to lists of subjects");
  }
  for (const auto& entry : node) {
    ExpectedRelation relation;
    relation.text = entry.first.Scalar();
    relation.location = at(entry.first);
    ParseResult<SubjectText> onr = ParseSubject(relation.text);
    if (!onr.ok() || onr.value().relation.empty() || onr.value().object.id == "*") {
      return Fail(relation.location, absl::StrCat("invalid validation key `", relation.text,
                                                  "`: want type:id#relation"));
    }
    relation.resource = onr.value().object;
    relation.relation = onr.value().relation;
    const YAML::Node& list = entry.second;
    if (!list.IsNull()) {
      if (!list.IsSequence()) {
        return Fail(at(list), absl::StrCat("`", relation.text, "` must be a list of subjects"));
      }
      for (const YAML::Node& item : list) {
        if (!item.IsScalar()) {
          return Fail(at(item),
                      "each validation entry must be a string like "
                      "\"[user:tom] is <document:1#viewer>\"");
        }
        absl::StatusOr<ExpectedSubjectLine> line = ParseExpectedSubjectLine(item.Scalar());
        SourceLocation location = at(item);
        if (!line.ok()) {
          return Fail(location, absl::StripPrefix(line.status().message(), "1:"));
        }
        line->location = location;
        relation.subjects.push_back(*std::move(line));
      }
    }
    out->validation.push_back(std::move(relation));
  }
  return absl::OkStatus();
}

template <typename ParseFn>
absl::Status FileParser::ParseNested(const YAML::Node& node, ParseFn parse) const {
  if (!node.IsScalar()) return parse(node, 0, 0);
  std::vector<ScalarLine> lines = LinesOf(node);
  YAML::Node nested;
  try {
    nested = YAML::Load(node.Scalar());
  } catch (const YAML::Exception& e) {
    SourceLocation location = At(node);
    if (IsBlockScalar(node) && e.mark.line >= 0 &&
        static_cast<size_t>(e.mark.line) < lines.size()) {
      location = lines[e.mark.line].location;
    }
    return Fail(location, e.msg);
  }
  if (!IsBlockScalar(node) || lines.empty()) return parse(nested, node.Mark().line, 0);
  // The block's lines lost their common indentation; add it back.
  int indent = 0;
  for (const ScalarLine& line : lines) {
    if (!absl::StripAsciiWhitespace(line.text).empty()) {
      indent = line.location.column - 1 - static_cast<int>(line.text.find_first_not_of(" \t"));
      break;
    }
  }
  return parse(nested, node.Mark().line + 1, indent);
}

absl::StatusOr<ValidationFile> FileParser::Parse() {
  ValidationFile out;
  out.name = name_;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(contents_));
  } catch (const YAML::Exception& e) {
    return Fail({e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  if (root.IsNull()) return Fail({1, 1}, "the file is empty");
  if (!root.IsMap()) return Fail(At(root), "want a YAML mapping with `schema`, `relationships`...");

  try {
    bool has_schema = false;
    for (const auto& entry : root) {
      const std::string key = entry.first.Scalar();
      const YAML::Node& value = entry.second;
      if (key == "schema") {
        if (!value.IsScalar() && !value.IsNull()) return Fail(At(value), "`schema` must be text");
        std::vector<ScalarLine> lines = LinesOf(value);
        out.schema = value.IsNull() ? "" : value.Scalar();
        out.schema_location = lines.empty() ? At(value) : lines.front().location;
        has_schema = true;
      } else if (key == "schemaFile") {
        if (!value.IsScalar()) return Fail(At(value), "`schemaFile` must be a path");
        out.schema_file = value.Scalar();
      } else if (key == "relationships") {
        if (absl::Status s = ParseRelationships(value, &out); !s.ok()) return s;
      } else if (key == "assertions") {
        absl::Status s = ParseNested(value, [&](const YAML::Node& n, int lines, int columns) {
          return ParseAssertions(n, lines, columns, &out);
        });
        if (!s.ok()) return s;
      } else if (key == "validation") {
        absl::Status s = ParseNested(value, [&](const YAML::Node& n, int lines, int columns) {
          return ParseValidation(n, lines, columns, &out);
        });
        if (!s.ok()) return s;
      }
      // Other keys are ignored, as zed does.
    }
    if (has_schema && !out.schema_file.empty()) {
      return Fail({1, 1}, "give either `schema` or `schemaFile`, not both");
    }
  } catch (const YAML::Exception& e) {
    return Fail({e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  return out;
}

// Splits `user:* - {a, b}` / `user:tom[...]` into the subject parts.
absl::StatusOr<ExpectedSubject> ParseExpectedSubject(absl::string_view text, int column) {
  auto fail = [&](int at, absl::string_view message) {
    return absl::InvalidArgumentError(absl::StrCat("1:", column + at, ": ", message));
  };
  ExpectedSubject out;
  absl::string_view subject_text = text;
  absl::string_view exceptions_text;
  size_t brace = text.find('{');
  if (brace != absl::string_view::npos) {
    absl::string_view head = absl::StripTrailingAsciiWhitespace(text.substr(0, brace));
    if (!absl::ConsumeSuffix(&head, "-") || !absl::EndsWith(text, "}")) {
      return fail(static_cast<int>(brace), "want `SUBJECT - {EXCLUDED, ...}`");
    }
    subject_text = absl::StripTrailingAsciiWhitespace(head);
    exceptions_text = text.substr(brace + 1, text.size() - brace - 2);
  }
  if (absl::ConsumeSuffix(&subject_text, "[...]")) out.caveated = true;
  ParseResult<SubjectText> subject = ParseSubject(subject_text);
  if (!subject.ok()) {
    return fail(subject.error().character - 1,
                absl::StrCat("invalid subject `", subject_text, "`: ", subject.error().message));
  }
  out.subject = subject.value();
  if (brace != absl::string_view::npos) {
    if (out.subject.object.id != "*") {
      return fail(static_cast<int>(brace), "only a wildcard subject can have exclusions");
    }
    for (absl::string_view part : absl::StrSplit(exceptions_text, ',')) {
      absl::string_view item = absl::StripAsciiWhitespace(part);
      ExpectedSubject::Exception exception;
      if (absl::ConsumeSuffix(&item, "[...]")) exception.caveated = true;
      ParseResult<SubjectText> excluded = ParseSubject(item);
      if (!excluded.ok()) {
        return fail(static_cast<int>(brace) + 1, absl::StrCat("invalid excluded subject `", item,
                                                              "`: ", excluded.error().message));
      }
      exception.subject = excluded.value();
      out.exceptions.push_back(exception);
    }
  }
  return out;
}

}  // namespace

absl::string_view AssertionKindName(AssertionKind kind) {
  switch (kind) {
    case AssertionKind::kTrue:
      return "assertTrue";
    case AssertionKind::kFalse:
      return "assertFalse";
    case AssertionKind::kCaveated:
      return "assertCaveated";
  }
  return "assert?";
}

std::string FormatLocated(absl::string_view name, SourceLocation location,
                          absl::string_view message) {
  if (location.line <= 0) return absl::StrCat(name, ": ", message);
  return absl::StrCat(name, ":", location.line, ":", location.column, ": ", message);
}

absl::StatusOr<ExpectedSubjectLine> ParseExpectedSubjectLine(absl::string_view text) {
  ExpectedSubjectLine out;
  out.text = std::string(text);
  size_t open = text.find('[');
  size_t close = text.rfind(']');
  // `<...>` relationship names sit after the subject's closing bracket.
  size_t search_from = 0;
  if (open != absl::string_view::npos && close != absl::string_view::npos && close > open) {
    absl::string_view inner = absl::StripAsciiWhitespace(text.substr(open + 1, close - open - 1));
    int column = static_cast<int>(text.find(inner, open)) + 1;
    absl::StatusOr<ExpectedSubject> subject = ParseExpectedSubject(inner, column);
    if (!subject.ok()) return subject.status();
    out.has_subject = true;
    out.subject = *std::move(subject);
    search_from = close + 1;
  }
  for (size_t pos = text.find('<', search_from); pos != absl::string_view::npos;
       pos = text.find('<', pos + 1)) {
    size_t end = text.find('>', pos);
    if (end == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("1:", pos + 1, ": unclosed `<` in a validation entry"));
    }
    absl::string_view onr = text.substr(pos + 1, end - pos - 1);
    ParseResult<SubjectText> parsed = ParseSubject(onr);
    if (!parsed.ok() || parsed.value().relation.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "1:", pos + 2, ": invalid resource and relation `", onr, "`: want type:id#relation"));
    }
    out.relationships.push_back(std::string(onr));
    pos = end;
  }
  return out;
}

absl::StatusOr<ValidationFile> ParseValidationFile(absl::string_view name,
                                                   absl::string_view contents) {
  return FileParser(name, contents).Parse();
}

absl::StatusOr<ValidationFile> LoadValidationFile(const std::string& path) {
  absl::StatusOr<std::string> contents = ReadInput(path);
  if (!contents.ok()) return contents.status();
  absl::StatusOr<ValidationFile> file = ParseValidationFile(path, *contents);
  if (!file.ok() || file->schema_file.empty()) return file;
  std::filesystem::path schema_path(file->schema_file);
  if (schema_path.is_relative() && path != "-") {
    schema_path = std::filesystem::path(path).parent_path() / schema_path;
  }
  absl::StatusOr<std::string> schema = ReadInput(schema_path.string());
  if (!schema.ok()) {
    return absl::NotFoundError(
        FormatLocated(path, {}, absl::StrCat("cannot read schemaFile ", schema_path.string())));
  }
  file->schema = *std::move(schema);
  file->schema_location = {1, 1};
  return file;
}

}  // namespace rebac::cli
