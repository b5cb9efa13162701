// The validation files `zed validate` reads, parsed with the position of every entry:
//
//   schema: |-                      # or  schemaFile: ./schema.zed  (relative to the file)
//     definition user {}
//     definition document { relation viewer: user  permission view = viewer }
//   relationships: |-               # one per line; blank lines and `//` comments skipped
//     document:1#viewer@user:tom
//     document:2#viewer@user:ann[only_weekdays:{"day":"mon"}][expiration:2030-01-01T00:00:00Z]
//   assertions:
//     assertTrue:   ["document:1#view@user:tom"]
//     assertFalse:  ["document:1#view@user:ann"]
//     assertCaveated: ['document:2#view@user:ann with {"day": "sun"}']
//   validation:                     # every subject of each resource#relation, and why
//     document:1#view:
//       - "[user:tom] is <document:1#viewer>"
//
// `assertions` and `validation` may also be block scalars holding that YAML (older files).
// Positions are 1-based lines and columns of the file. This module does no I/O except
// LoadValidationFile, and knows nothing of gRPC.
#ifndef REBACD_TOOLS_REBAC_VALIDATION_FILE_H_
#define REBACD_TOOLS_REBAC_VALIDATION_FILE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/rebac/relationship_text.h"

namespace rebac::cli {

struct SourceLocation {
  int line = 0;    // 1-based
  int column = 0;  // 1-based

  bool operator==(const SourceLocation&) const = default;
};

struct RelationshipEntry {
  std::string text;
  RelationshipText relationship;
  SourceLocation location;
};

enum class AssertionKind { kTrue, kFalse, kCaveated };

// "assertTrue", "assertFalse" or "assertCaveated".
absl::string_view AssertionKindName(AssertionKind kind);

struct Assertion {
  AssertionKind kind = AssertionKind::kTrue;
  std::string text;  // as written, e.g. `document:1#view@user:tom with {"k": 1}`
  ObjectText resource;
  std::string permission;
  SubjectText subject;
  std::string context;  // compact JSON object text after ` with `, "" when absent
  SourceLocation location;
};

// A subject in a `validation` entry: `user:tom`, `user:tom[...]` (caveated), `group:eng#member`,
// `user:* - {user:bob, user:ann[...]}`.
struct ExpectedSubject {
  SubjectText subject;
  bool caveated = false;
  struct Exception {
    SubjectText subject;
    bool caveated = false;
  };
  std::vector<Exception> exceptions;
};

// One line of a `validation` list: `[SUBJECT] is <ONR>/<ONR>...`.
struct ExpectedSubjectLine {
  std::string text;
  bool has_subject = false;  // false when the line has no `[...]`
  ExpectedSubject subject;
  std::vector<std::string> relationships;  // the `<type:id#relation>` texts, as written
  SourceLocation location;
};

// One key of `validation`: `document:1#view:` and its lines.
struct ExpectedRelation {
  std::string text;  // "document:1#view"
  ObjectText resource;
  std::string relation;
  std::vector<ExpectedSubjectLine> subjects;
  SourceLocation location;
};

struct ValidationFile {
  std::string name;  // the path, for messages
  std::string schema;
  SourceLocation schema_location;  // of the first schema line; {0,0} for a schemaFile
  std::string schema_file;         // the `schemaFile` value as written, "" when inline
  std::vector<RelationshipEntry> relationships;
  std::vector<Assertion> assertions;  // in file order
  std::vector<ExpectedRelation> validation;
};

// "NAME:LINE:COL: message" (or "NAME: message" without a location).
std::string FormatLocated(absl::string_view name, SourceLocation location,
                          absl::string_view message);

// Parses `contents`; `name` is used in error messages. A `schemaFile` is recorded, not read.
// Errors are InvalidArgument with a "NAME:LINE:COL: " prefix.
absl::StatusOr<ValidationFile> ParseValidationFile(absl::string_view name,
                                                   absl::string_view contents);

// Reads `path` ("-" for standard input) and parses it; reads a `schemaFile` relative to the
// directory of `path` into `schema`.
absl::StatusOr<ValidationFile> LoadValidationFile(const std::string& path);

// Parses one validation-list line, e.g. `[user:* - {user:bob}] is <document:1#viewer>`.
// Errors name the column within `text` (1-based) through the location prefix "1:COL".
absl::StatusOr<ExpectedSubjectLine> ParseExpectedSubjectLine(absl::string_view text);

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_VALIDATION_FILE_H_
