// Schemas that SpiceDB accepts, shared by the compiler and printer tests. Most follow the
// examples in SpiceDB's documentation and its compiler/generator tests.
#ifndef REBACD_TESTS_SCHEMA_SCHEMA_CORPUS_H_
#define REBACD_TESTS_SCHEMA_SCHEMA_CORPUS_H_

#include <cstdlib>
#include <string>
#include <vector>

namespace rebac::schema::testing {

struct CorpusEntry {
  std::string name;
  std::string text;
  int definitions;  // expected count after compiling
  int caveats;
};

inline const std::vector<CorpusEntry>& AcceptedSchemas() {
  static const auto* const kSchemas = new std::vector<CorpusEntry>{
      {"empty", "", 0, 0},
      {"only_comments", "  // nothing here\n/* still\n nothing */\n\n", 0, 0},
      {"empty_definition", "definition user {}", 1, 0},
      {"google_docs",
       R"(definition user {}

definition document {
	relation writer: user
	relation reader: user

	permission edit = writer
	permission view = reader + edit
})",
       2, 0},
      {"github",
       R"(definition user {}

definition team {
	relation parent: team
	relation maintainer: user
	relation direct_member: user

	permission member = maintainer + direct_member + parent->member
}

definition organization {
	relation owner: user
	relation member: user | team#member
	relation repo_creator: user | team#member

	permission create_repository = owner + repo_creator
	permission read_all_repos = owner + member
}

definition repository {
	relation organization: organization
	relation reader: user | team#member
	relation writer: user | team#member
	relation admin: user | team#member

	permission read = reader + write + organization->read_all_repos
	permission write = writer + admin
	permission delete = admin + organization->owner
})",
       4, 0},
      {"caveat_ip",
       R"(caveat has_valid_ip(user_ip ipaddress, allowed_range string) {
	user_ip.in_cidr(allowed_range)
}

definition user {}

definition resource {
	relation viewer: user | user with has_valid_ip
	permission view = viewer
})",
       2, 1},
      {"wildcard",
       R"(definition user {}

definition resource {
	relation viewer: user | user:*
	relation banned: user
	permission view = viewer - banned
})",
       2, 0},
      {"prefixes",
       R"(definition org/user {}

definition org/team/group {
	relation member: org/user | org/team/group#member
}

definition org/document {
	relation viewer: org/user | org/team/group#member
	permission view = viewer
})",
       3, 0},
      {"arrow_functions",
       R"(definition user {}

definition group {
	relation member: user
}

definition document {
	relation group: group
	permission view_any = group.any(member)
	permission view_all = group.all(member)
	permission view_arrow = group->member
})",
       3, 0},
      {"nil",
       R"(definition user {}

definition document {
	relation viewer: user
	permission nothing = nil
	permission view = viewer - nil
	permission either = (viewer + nil) & viewer
})",
       2, 0},
      {"semicolons",
       "definition user {}; definition doc { relation owner: user; permission own = owner; }", 2,
       0},
      {"expiration",
       R"(use expiration

definition user {}

definition document {
	relation viewer: user with expiration
	relation editor: user with cav and expiration | user:* with expiration
}

caveat cav(level int) {
	level > 1
})",
       2, 1},
      {"caveat_named_expiration",
       R"(caveat expiration(someparam int) {
	someparam == 42
}

definition user {}

definition document {
	relation viewer: user with expiration
})",
       2, 1},
      {"doc_comments",
       R"(/**
  * user is a user
  */
definition user {}

/** single is a thing */
definition single {
	// the owner
	relation owner: user

	/* plain block */
	// and a line
	permission first = owner
})",
       2, 0},
      {"ellipsis_subject", "definition user {}\ndefinition doc {\n\trelation viewer: user#...;\n}",
       2, 0},
      {"caveat_types",
       R"(caveat typed(a list<int>, b map<any>, c map<list<string>>, d duration, e timestamp, f bytes, g double, h uint, i bool, j any) {
	a.size() > 0 && h > 1 && i && size(b) >= 0 && size(c) >= 0 && d > duration("0s") &&
	e > timestamp("2000-01-01T00:00:00Z") && size(f) > 0 && g > 0.0 && j != null
})",
       0, 1},
      {"caveat_braces_and_strings",
       R"(caveat tricky(m map<int>, s string) {
	m == {"a": 1} && s != "}" && s != '{'
})",
       0, 1},
      {"self_subject_relation",
       R"(definition user {}

definition group {
	relation member: user | group#member
	relation admin: user
	relation manager: group#admin
})",
       2, 0},
      {"alias_chain",
       R"(definition user {}

definition doc {
	permission first = second
	permission second = third
	relation third: user
})",
       2, 0},
      {"folders",
       R"(definition user {}

definition folder {
	relation parent: folder
	relation viewer: user
	permission view = viewer + parent->view
}

definition document {
	relation folder: folder
	relation viewer: user
	permission view = viewer + folder->view
})",
       3, 0},
      {"crlf", "definition user {}\r\n\r\ndefinition doc {\r\n\trelation viewer: user\r\n}\r\n", 2,
       0},
      {"words_that_are_keywords_elsewhere",
       "definition expiration {}\ndefinition doc {\n\trelation and: expiration\n\trelation use: "
       "expiration\n}",
       2, 0},
      {"unicode_in_caveat", "caveat greet(name string) {\n\tname == \"h\xC3\xA9llo\"\n}", 0, 1},
      {"complex_expressions",
       R"(definition user {}

definition doc {
	relation aaa: user
	relation bbb: user
	relation ccc: user
	relation ddd: user
	permission per1 = aaa + bbb & ccc - ddd
	permission per2 = (aaa - bbb) & (ccc + ddd)
	permission per3 = aaa - (bbb - ccc)
	permission per4 = (((aaa)))
	permission per5 = aaa & bbb & ccc & ddd
	permission per6 = aaa + (bbb & ccc) + ddd
})",
       2, 0},
      {"multiline_statements",
       "definition user {}\ndefinition doc {\n\trelation viewer: user "
       "|\n\t\tdoc#viewer\n\tpermission "
       "view = viewer +\n\t\tviewer &\n\t\tviewer\n}",
       2, 0},
      {"caveat_with_comment_in_body",
       "caveat c(x int) {\n\t// the answer\n\tx == 42 // always\n}\ndefinition user {}\ndefinition "
       "doc {\n\trelation viewer: user with c\n}",
       2, 1},
      {"prefixed_caveat",
       R"(definition org/team/user {}

definition foo/bar/baz {
	relation viewer: org/team/user with foo/bar/only_on_tuesday
}

caveat foo/bar/only_on_tuesday(day_of_week string) {
	day_of_week == 'tuesday'
})",
       2, 1},
      // SpiceDB v1.54's composable and typechecked schemas (tests/schema_corpus compares them).
      {"partials",
       R"(use partial
use expiration

partial base {
	// the viewers
	relation viewer: user | user with expiration
}

partial editable {
	...base
	relation editor: user
	permission edit = editor
}

definition user {}

/** a document */
definition doc {
	...editable
	relation owner: user
	permission view = owner + viewer + edit
})",
       2, 0},
      {"typechecking",
       R"(use typechecking

definition user {}

definition team {
	relation member: user | team#member
}

definition doc {
	relation parent: doc
	relation reader: user | team#member
	permission read: user = reader + parent->read
})",
       3, 0},
  };
  return *kSchemas;
}

// The text of the corpus entry called `name`; the entry must exist.
inline const std::string& CorpusText(const std::string& name) {
  for (const CorpusEntry& entry : AcceptedSchemas()) {
    if (entry.name == name) return entry.text;
  }
  std::abort();
}

}  // namespace rebac::schema::testing

#endif  // REBACD_TESTS_SCHEMA_SCHEMA_CORPUS_H_
