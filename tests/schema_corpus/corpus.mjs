// Schema texts for the differential schema corpus (run.mjs). No expected answers: the real SpiceDB
// decides each one. Mostly realistic schemas, plus one case per error the schema compiler reports.
const cases = [];
const add = (name, schema) => cases.push({ name, schema });

// ---------------------------------------------------------------------------------------------
// Valid constructs
add("minimal_user", `definition user {}`);
add("two_defs_relation", `definition user {}\ndefinition doc {\n  relation viewer: user\n}`);
add("prefix_single", `definition org/user {}\ndefinition org/doc {\n  relation viewer: org/user\n}`);
add("prefix_nested_names", `definition my_org/user {}\ndefinition my_org/team {\n  relation member: my_org/user | my_org/team#member\n}`);
add("relation_multiple_types", `definition user {}\ndefinition bot {}\ndefinition doc {\n  relation viewer: user | bot\n}`);
add("wildcard", `definition user {}\ndefinition doc {\n  relation viewer: user | user:*\n}`);
add("wildcard_only", `definition user {}\ndefinition doc {\n  relation public: user:*\n}`);
add("userset", `definition user {}\ndefinition group {\n  relation member: user | group#member\n}\ndefinition doc {\n  relation viewer: user | group#member\n}`);
add("userset_of_permission", `definition user {}\ndefinition group {\n  relation direct: user\n  permission member = direct\n}\ndefinition doc {\n  relation viewer: group#member\n}`);
add("permission_union", `definition user {}\ndefinition doc {\n  relation a: user\n  relation b: user\n  permission p = a + b\n}`);
add("permission_intersection", `definition user {}\ndefinition doc {\n  relation a: user\n  relation b: user\n  permission p = a & b\n}`);
add("permission_exclusion", `definition user {}\ndefinition doc {\n  relation a: user\n  relation b: user\n  permission p = a - b\n}`);
add("permission_precedence", `definition user {}\ndefinition doc {\n  relation a: user\n  relation b: user\n  relation c: user\n  permission p = a + b & c - a\n}`);
add("permission_parentheses", `definition user {}\ndefinition doc {\n  relation a: user\n  relation b: user\n  relation c: user\n  permission p = (a + b) & (c - a)\n}`);
add("permission_nested_parens", `definition user {}\ndefinition doc {\n  relation a: user\n  relation b: user\n  permission p = ((a))\n  permission q = (((a + b)) - (b))\n}`);
add("permission_of_permission", `definition user {}\ndefinition doc {\n  relation a: user\n  permission p = a\n  permission q = p + a\n}`);
add("permission_forward_reference", `definition user {}\ndefinition doc {\n  permission q = p\n  permission p = a\n  relation a: user\n}`);
add("arrow", `definition user {}\ndefinition folder {\n  relation viewer: user\n  permission view = viewer\n}\ndefinition doc {\n  relation parent: folder\n  permission view = parent->view\n}`);
add("arrow_to_relation", `definition user {}\ndefinition folder {\n  relation viewer: user\n}\ndefinition doc {\n  relation parent: folder\n  permission view = parent->viewer\n}`);
add("arrow_recursive", `definition user {}\ndefinition folder {\n  relation parent: folder\n  relation viewer: user\n  permission view = viewer + parent->view\n}`);
add("arrow_any", `definition user {}\ndefinition folder {\n  relation viewer: user\n}\ndefinition doc {\n  relation parent: folder\n  permission view = parent.any(viewer)\n}`);
add("arrow_all", `definition user {}\ndefinition group {\n  relation member: user\n}\ndefinition doc {\n  relation groups: group\n  permission view = groups.all(member)\n}`);
add("arrow_multi_type_left", `definition user {}\ndefinition folder {\n  relation viewer: user\n}\ndefinition drive {\n  relation viewer: user\n}\ndefinition doc {\n  relation parent: folder | drive\n  permission view = parent->viewer\n}`);
add("arrow_missing_on_one_type", `definition user {}\ndefinition folder {\n  relation viewer: user\n}\ndefinition drive {}\ndefinition doc {\n  relation parent: folder | drive\n  permission view = parent->viewer\n}`);
add("arrow_in_expression", `definition user {}\ndefinition folder {\n  relation viewer: user\n  relation banned: user\n}\ndefinition doc {\n  relation parent: folder\n  relation owner: user\n  permission view = (owner + parent->viewer) - parent->banned\n}`);
add("nil_permission", `definition user {}\ndefinition doc {\n  permission nothing = nil\n}`);
add("nil_in_union", `definition user {}\ndefinition doc {\n  relation a: user\n  permission p = a + nil\n}`);
add("nil_in_exclusion", `definition user {}\ndefinition doc {\n  relation a: user\n  permission p = nil - a\n}`);
add("doc_comments", `/** user is a person */\ndefinition user {}\n\n/**\n * doc is a document\n */\ndefinition doc {\n  /** viewer can view */\n  relation viewer: user\n  /** view permission */\n  permission view = viewer\n}`);
add("line_comments", `// top\ndefinition user {} // trailing\ndefinition doc {\n  // before relation\n  relation viewer: user // after\n  permission view = viewer // after permission\n}`);
add("block_comment", `/* plain block */\ndefinition user {}\ndefinition doc {\n  relation viewer: user /* inline */\n}`);
add("semicolons", `definition user {}\ndefinition doc {\n  relation viewer: user;\n  permission view = viewer;\n}`);
add("one_line_definition", `definition user {} definition doc { relation viewer: user }`);
add("whitespace_heavy", `\n\n   definition    user   {   }\n\n\tdefinition doc\n{\n\trelation   viewer  :  user   |   user:*\n\n\tpermission view=viewer\n}\n\n`);
add("relation_no_types_empty_def", `definition user {}\ndefinition doc {}`);
add("names_with_underscore_digits", `definition user_v2 {}\ndefinition doc_3 {\n  relation viewer_1: user_v2\n  permission can_view_2 = viewer_1\n}`);
add("name_max_length_type", `definition ${"a".repeat(64)} {}`);
add("name_max_length_relation", `definition user {}\ndefinition doc {\n  relation ${"r".repeat(64)}: user\n}`);
add("name_min_length", `definition ab {}\ndefinition doc {\n  relation rx: ab\n}`);
add("many_definitions", Array.from({ length: 30 }, (_, i) => `definition t${i} {\n  relation r: user\n}`).join("\n") + "\ndefinition user {}");
add("self_userset", `definition user {}\ndefinition group {\n  relation member: user | group#member\n  relation manager: user | group#manager\n  permission admin = manager + member\n}`);
add("userset_and_wildcard_same_type", `definition user {}\ndefinition group {\n  relation member: user\n}\ndefinition doc {\n  relation viewer: user | user:* | group#member\n}`);
add("relation_to_self_type", `definition node {\n  relation next: node\n  permission reach = next + next->reach\n}`);

// Caveats
add("caveat_simple", `caveat is_tuesday(today string) {\n  today == "tuesday"\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user with is_tuesday\n}`);
for (const [t, expr] of [
  ["int", "p > 5"],
  ["uint", "p > uint(5)"],
  ["double", "p < 3.5"],
  ["bool", "p"],
  ["string", `p.startsWith("a")`],
  ["bytes", `p == b"abc"`],
  ["duration", `p < duration("1h")`],
  ["timestamp", `p > timestamp("2020-01-01T00:00:00Z")`],
  ["list<int>", "1 in p"],
  ["list<string>", `p.exists(x, x == "a")`],
  ["map<int>", `p["a"] == 1`],
  ["map<string>", `"k" in p`],
  ["ipaddress", `p.in_cidr("10.0.0.0/8")`],
  ["any", "p == 1"],
  ["list<list<int>>", "size(p) > 0"],
  ["map<list<string>>", `size(p) > 0`],
]) {
  const slug = t.replace(/[<>]/g, "_").replace(/_+$/, "");
  add(`caveat_param_${slug}`, `caveat c(p ${t}) {\n  ${expr}\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user with c\n}`);
}
add("caveat_all_types_together", `caveat everything(i int, u uint, d double, b bool, s string, by bytes, du duration, ts timestamp, l list<int>, m map<string>, ip ipaddress, a any) {\n  i > 0 && u >= u && d > 0.0 && b && s != "" && size(by) > 0 && du > duration("0s") && ts > timestamp("2000-01-01T00:00:00Z") && size(l) > 0 && size(m) > 0 && ip.in_cidr("0.0.0.0/0") && a != null\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user with everything\n}`);
add("caveat_operators", `caveat ops(a int, b int, s string, l list<int>) {\n  (a + b * 2 - 1) / 3 % 2 == 0 || !(a >= b) && a <= b && a != b && s.contains("x") && s.endsWith("y") && s.matches("^x.*y$") && a in l && (a > 0 ? true : false)\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user with ops\n}`);
add("caveat_functions", `caveat fn(s string, l list<string>, ts timestamp, d duration) {\n  size(s) > 2 && l.all(x, size(x) > 0) && l.exists_one(x, x == "a") && size(l.filter(x, x != "")) > 0 && l.map(x, x + "!").size() > 0 && ts.getFullYear() > 2000 && d.getHours() < 100 && int("5") == 5 && string(5) == "5"\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user with fn\n}`);
add("caveat_multiline_expression", `caveat ip_allowlist(user_ip ipaddress, cidr string) {\n  user_ip.in_cidr(cidr)\n}\n\ncaveat in_time(now timestamp, start timestamp, end timestamp) {\n  now >= start &&\n  now < end\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user with ip_allowlist | user with in_time\n}`);
add("caveat_with_wildcard", `caveat c(x int) {\n  x == 1\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user:* with c\n}`);
add("caveat_with_userset", `caveat c(x int) {\n  x == 1\n}\ndefinition user {}\ndefinition group {\n  relation member: user\n}\ndefinition doc {\n  relation viewer: group#member with c\n}`);
add("caveat_mixed_plain_and_caveated", `caveat c(x int) {\n  x == 1\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user | user with c\n}`);
add("caveat_unused_definition", `caveat never_used(x int) {\n  x == 1\n}\ndefinition user {}`);
add("caveat_prefixed", `caveat org/c(x int) {\n  x == 1\n}\ndefinition org/user {}\ndefinition org/doc {\n  relation viewer: org/user with org/c\n}`);
add("caveat_after_use", `definition user {}\ndefinition doc {\n  relation viewer: user with later\n}\ncaveat later(x int) {\n  x == 1\n}`);
add("caveat_doc_comment", `/** only on tuesdays */\ncaveat c(day string) {\n  // a comment inside\n  day == "tue"\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user with c\n}`);
add("caveat_constant_true", `caveat c(x int) {\n  true || x == 1\n}\ndefinition user {}`);
add("caveat_string_escapes", `caveat c(s string) {\n  s == "a\\"b" || s == 'single' || s == "\\u00e9"\n}\ndefinition user {}`);
add("caveat_map_access", `caveat c(m map<any>) {\n  m.a == 1 && has(m.b)\n}\ndefinition user {}`);
add("caveat_two_params_same_line", `caveat c(a int, b int) { a == b }\ndefinition user {}`);

// Expiration
add("expiration", `use expiration\ndefinition user {}\ndefinition doc {\n  relation viewer: user with expiration\n}`);
add("expiration_userset", `use expiration\ndefinition user {}\ndefinition group {\n  relation member: user with expiration\n}\ndefinition doc {\n  relation viewer: group#member with expiration\n}`);
add("expiration_wildcard", `use expiration\ndefinition user {}\ndefinition doc {\n  relation viewer: user:* with expiration\n}`);
add("caveat_and_expiration", `use expiration\ncaveat c(x int) {\n  x == 1\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user with c and expiration\n}`);
add("expiration_mixed", `use expiration\ndefinition user {}\ndefinition doc {\n  relation viewer: user | user with expiration\n}`);
add("use_expiration_unused", `use expiration\ndefinition user {}`);
add("use_expiration_twice", `use expiration\nuse expiration\ndefinition user {}\ndefinition doc {\n  relation viewer: user with expiration\n}`);
add("use_expiration_after_definition", `definition user {}\nuse expiration\ndefinition doc {\n  relation viewer: user with expiration\n}`);

// ---------------------------------------------------------------------------------------------
// Public SpiceDB documentation examples
add("docs_google_docs", `definition user {}

definition group {
  relation member: user | group#member
}

definition folder {
  relation parent: folder
  relation owner: user | group#member
  relation editor: user | group#member
  relation viewer: user | group#member

  permission admin = owner + parent->admin
  permission edit = editor + admin + parent->edit
  permission view = viewer + edit + parent->view
}

definition document {
  relation parent: folder
  relation owner: user | group#member
  relation editor: user | group#member
  relation viewer: user | user:* | group#member

  permission admin = owner + parent->admin
  permission edit = editor + admin + parent->edit
  permission view = viewer + edit + parent->view
}`);
add("docs_github_like", `definition user {}

definition team {
  relation parent: team
  relation maintainer: user
  relation direct_member: user

  permission member = maintainer + direct_member
  permission change_team_name = maintainer + parent->change_team_name
}

definition organization {
  relation owner: user
  relation member: user | team#member
  relation repo_creator: user | team#member

  permission admin = owner
  permission create_repository = repo_creator + owner
  permission read_all_members = owner + member
}

definition repository {
  relation organization: organization
  relation reader: user | team#member
  relation writer: user | team#member
  relation admin: user | team#member

  permission read = reader + write + organization->admin
  permission write = writer + admin_perm
  permission admin_perm = admin + organization->admin
  permission delete = admin_perm
}`);
add("docs_caveats_ip", `definition user {}

caveat has_valid_ip(user_ip ipaddress, allowed_range string) {
  user_ip.in_cidr(allowed_range)
}

definition resource {
  relation viewer: user | user with has_valid_ip
}`);
add("docs_caveats_attributes", `caveat attributes_match(expected map<any>, provided map<any>) {
  expected.all(x, x in provided && provided[x] == expected[x])
}

definition user {}

definition resource {
  relation viewer: user with attributes_match
}`);
add("docs_caveats_time", `caveat not_expired(now timestamp, expires_at timestamp) {
  now < expires_at
}

definition user {}

definition document {
  relation viewer: user with not_expired
  permission view = viewer
}`);
add("docs_caveats_allowed_list", `caveat has_allowed_value(value string, allowed list<string>) {
  value in allowed
}

definition user {}

definition document {
  relation viewer: user with has_allowed_value
  permission view = viewer
}`);
add("docs_banned_users", `definition user {}

definition document {
  relation viewer: user
  relation banned: user
  permission view = viewer - banned
}`);
add("docs_intersection_approval", `definition user {}

definition document {
  relation viewer: user
  relation approved: user
  permission view = viewer & approved
}`);
add("docs_superuser_platform", `definition user {}

definition platform {
  relation administrator: user
  permission super_admin = administrator
}

definition organization {
  relation platform: platform
  permission admin = platform->super_admin
}

definition resource {
  relation owner: user | organization
  permission admin = owner + owner->admin
}`);
add("docs_expiration_example", `use expiration

definition user {}

definition resource {
  relation viewer: user with expiration
  permission view = viewer
}`);
add("docs_all_arrow_groups", `definition user {}

definition group {
  relation member: user
}

definition document {
  relation group: group
  permission view = group.all(member)
}`);
add("docs_recursive_folders", `definition user {}

definition folder {
  relation parent: folder
  relation viewer: user
  permission view = viewer + parent->view
}

definition document {
  relation folder: folder
  relation viewer: user
  permission view = viewer + folder->view
}`);
add("docs_multi_tenant", `definition platform/user {}

definition platform/tenant {
  relation admin: platform/user
  relation member: platform/user
  permission manage = admin
  permission access = admin + member
}

definition platform/project {
  relation tenant: platform/tenant
  relation contributor: platform/user
  permission read = contributor + tenant->access
  permission delete = tenant->manage
}`);
add("docs_rbac_roles", `definition user {}

definition role {
  relation member: user
  relation read_perm: user:*
  relation write_perm: user:*
}

definition role_binding {
  relation subject: user
  relation role: role
  permission can_read = subject & role->read_perm
  permission can_write = subject & role->write_perm
}

definition resource {
  relation binding: role_binding
  permission read = binding->can_read
  permission write = binding->can_write
}`);
add("docs_caveat_and_expiration_example", `use expiration

caveat on_weekday(day int) {
  day >= 1 && day <= 5
}

definition user {}

definition document {
  relation viewer: user with on_weekday and expiration | user with expiration
  permission view = viewer
}`);

// ---------------------------------------------------------------------------------------------
// Errors: unknown references
add("err_unknown_type", `definition doc {\n  relation viewer: user\n}`);
add("err_unknown_prefixed_type", `definition org/user {}\ndefinition org/doc {\n  relation viewer: other/user\n}`);
add("err_unknown_userset_relation", `definition user {}\ndefinition group {\n  relation member: user\n}\ndefinition doc {\n  relation viewer: group#members\n}`);
add("err_unknown_wildcard_type", `definition doc {\n  relation viewer: user:*\n}`);
add("err_unknown_relation_in_permission", `definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view = viewr\n}`);
add("err_unknown_arrow_left", `definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view = parent->viewer\n}`);
add("err_unknown_arrow_right", `definition user {}\ndefinition folder {\n  relation viewer: user\n}\ndefinition doc {\n  relation parent: folder\n  permission view = parent->editor\n}`);
add("err_unknown_any_right", `definition user {}\ndefinition folder {}\ndefinition doc {\n  relation parent: folder\n  permission view = parent.any(editor)\n}`);
add("err_unknown_all_left", `definition user {}\ndefinition doc {\n  permission view = parent.all(editor)\n}`);
add("err_unknown_caveat", `definition user {}\ndefinition doc {\n  relation viewer: user with nope\n}`);
for (const t of ["integer", "float", "str", "list", "map", "list<foo>", "map<int, int>", "set<int>", "Int"]) {
  add(`err_unknown_param_type_${t.replace(/[^a-zA-Z]/g, "_")}`, `caveat c(p ${t}) {\n  true\n}\ndefinition user {}`);
}
// Duplicates
add("err_duplicate_definition", `definition user {}\ndefinition user {}`);
add("err_duplicate_relation", `definition user {}\ndefinition doc {\n  relation viewer: user\n  relation viewer: user\n}`);
add("err_duplicate_permission", `definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view = viewer\n  permission view = viewer\n}`);
add("err_relation_permission_same_name", `definition user {}\ndefinition doc {\n  relation view: user\n  permission view = view\n}`);
add("err_duplicate_caveat", `caveat c(x int) {\n  x == 1\n}\ncaveat c(x int) {\n  x == 2\n}\ndefinition user {}`);
add("err_caveat_definition_same_name", `caveat user(x int) {\n  x == 1\n}\ndefinition user {}`);
add("err_duplicate_parameter", `caveat c(x int, x int) {\n  x == 1\n}\ndefinition user {}`);
add("err_duplicate_parameter_other_type", `caveat c(x int, x string) {\n  x == 1\n}\ndefinition user {}`);
add("err_duplicate_allowed_type", `definition user {}\ndefinition doc {\n  relation viewer: user | user\n}`);
add("err_duplicate_allowed_wildcard", `definition user {}\ndefinition doc {\n  relation viewer: user:* | user:*\n}`);
add("err_duplicate_allowed_caveat", `caveat c(x int) {\n  x == 1\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user with c | user with c\n}`);
// Caveat expressions
add("err_caveat_non_boolean_int", `caveat c(x int) {\n  x + 1\n}\ndefinition user {}`);
add("err_caveat_non_boolean_string", `caveat c(s string) {\n  s\n}\ndefinition user {}`);
add("err_caveat_undeclared_parameter", `caveat c(x int) {\n  y == 1\n}\ndefinition user {}`);
add("err_caveat_unused_parameter", `caveat c(x int, y int) {\n  x == 1\n}\ndefinition user {}`);
add("err_caveat_type_mismatch", `caveat c(x int) {\n  x == "a"\n}\ndefinition user {}`);
add("err_caveat_unknown_function", `caveat c(x int) {\n  frobnicate(x)\n}\ndefinition user {}`);
add("err_caveat_empty_body", `caveat c(x int) {\n}\ndefinition user {}`);
add("err_caveat_no_parameters", `caveat c() {\n  true\n}\ndefinition user {}`);
add("err_caveat_cel_syntax", `caveat c(x int) {\n  x == == 1\n}\ndefinition user {}`);
add("err_caveat_missing_paren", `caveat c(x int {\n  x == 1\n}\ndefinition user {}`);
add("err_caveat_param_no_type", `caveat c(x) {\n  x == 1\n}\ndefinition user {}`);
add("err_caveat_uint_int_compare_mixed", `caveat c(x uint) {\n  x + 1 > 2\n}\ndefinition user {}`);
// Arrows and wildcards
add("err_arrow_over_permission", `definition user {}\ndefinition folder {\n  relation viewer: user\n  permission view = viewer\n}\ndefinition doc {\n  relation viewer: user\n  permission p = viewer\n  permission view = p->view\n}`);
add("err_arrow_over_subject_relation", `definition user {}\ndefinition group {\n  relation member: user\n}\ndefinition doc {\n  relation viewer: group#member\n  permission view = viewer->member\n}`);
add("err_any_over_permission", `definition user {}\ndefinition folder {\n  relation viewer: user\n}\ndefinition doc {\n  relation parent: folder\n  permission p = parent\n  permission view = p.any(viewer)\n}`);
add("err_wildcard_in_userset_target", `definition user {}\ndefinition group {\n  relation member: user:*\n}\ndefinition doc {\n  relation viewer: group#member\n  permission view = viewer\n}`);
add("err_wildcard_via_arrow", `definition user {}\ndefinition doc {\n  relation parent: user:*\n  permission view = parent->member\n}`);
add("err_wildcard_with_relation", `definition user {}\ndefinition group {\n  relation member: user\n}\ndefinition doc {\n  relation viewer: group:*#member\n}`);
add("err_wildcard_no_colon_star", `definition user {}\ndefinition doc {\n  relation viewer: user:foo\n}`);
// Expiration / use
add("err_use_unknown_flag", `use typechecking2\ndefinition user {}`);
add("err_use_no_flag", `use\ndefinition user {}`);
add("err_expiration_without_use", `definition user {}\ndefinition doc {\n  relation viewer: user with expiration\n}`);
add("err_caveat_and_expiration_without_use", `caveat c(x int) {\n  x == 1\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user with c and expiration\n}`);
add("err_expiration_and_caveat_order", `use expiration\ncaveat c(x int) {\n  x == 1\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user with expiration and c\n}`);
add("err_expiration_twice", `use expiration\ndefinition user {}\ndefinition doc {\n  relation viewer: user with expiration and expiration\n}`);
add("err_with_nothing", `definition user {}\ndefinition doc {\n  relation viewer: user with\n}`);
// Syntax
add("err_empty_schema", ``);
add("err_only_whitespace", `   \n\n  `);
add("err_only_comment", `// nothing here`);
add("err_missing_open_brace", `definition user }`);
add("err_missing_close_brace", `definition user {`);
add("err_missing_close_brace_second", `definition user {}\ndefinition doc {\n  relation viewer: user\n`);
add("err_relation_missing_colon", `definition user {}\ndefinition doc {\n  relation viewer user\n}`);
add("err_relation_missing_types", `definition user {}\ndefinition doc {\n  relation viewer:\n}`);
add("err_relation_trailing_pipe", `definition user {}\ndefinition doc {\n  relation viewer: user |\n}`);
add("err_permission_missing_equals", `definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view viewer\n}`);
add("err_permission_empty_expression", `definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view =\n}`);
add("err_permission_trailing_operator", `definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view = viewer +\n}`);
add("err_permission_unbalanced_parens", `definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view = (viewer\n}`);
add("err_permission_extra_close_paren", `definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view = viewer)\n}`);
add("err_permission_double_operator", `definition user {}\ndefinition doc {\n  relation a: user\n  relation b: user\n  permission view = a + + b\n}`);
add("err_permission_unknown_operator", `definition user {}\ndefinition doc {\n  relation a: user\n  relation b: user\n  permission view = a * b\n}`);
add("err_permission_pipe_operator", `definition user {}\ndefinition doc {\n  relation a: user\n  relation b: user\n  permission view = a | b\n}`);
add("err_arrow_missing_right", `definition user {}\ndefinition doc {\n  relation parent: user\n  permission view = parent->\n}`);
add("err_arrow_chained", `definition user {}\ndefinition folder {\n  relation parent: folder\n  relation viewer: user\n}\ndefinition doc {\n  relation parent: folder\n  permission view = parent->parent->viewer\n}`);
add("err_any_missing_arg", `definition user {}\ndefinition folder {}\ndefinition doc {\n  relation parent: folder\n  permission view = parent.any()\n}`);
add("err_unknown_arrow_function", `definition user {}\ndefinition folder {\n  relation viewer: user\n}\ndefinition doc {\n  relation parent: folder\n  permission view = parent.some(viewer)\n}`);
add("err_relation_expression", `definition user {}\ndefinition doc {\n  relation a: user\n  relation b = a\n}`);
add("err_permission_with_types", `definition user {}\ndefinition doc {\n  permission view: user\n}`);
add("err_unknown_keyword_in_definition", `definition user {}\ndefinition doc {\n  rel viewer: user\n}`);
add("err_unknown_top_level_keyword", `definitions user {}`);
add("err_garbage_top_level", `definition user {}\n???`);
add("err_definition_missing_name", `definition {}`);
add("err_unterminated_block_comment", `definition user {}\n/* never closed`);
add("err_unterminated_doc_comment", `/** never closed\ndefinition user {}`);
add("err_nested_definition", `definition user {\n  definition doc {}\n}`);
add("err_caveat_unclosed_body", `caveat c(x int) {\n  x == 1\ndefinition user {}`);
add("err_userset_missing_relation", `definition user {}\ndefinition group {\n  relation member: user\n}\ndefinition doc {\n  relation viewer: group#\n}`);
add("err_two_hashes", `definition user {}\ndefinition group {\n  relation member: user\n}\ndefinition doc {\n  relation viewer: group#member#member\n}`);
add("err_nil_in_relation", `definition user {}\ndefinition doc {\n  relation viewer: nil\n}`);
add("err_nil_arrow", `definition user {}\ndefinition doc {\n  permission view = nil->x\n}`);
// Names
for (const w of ["definition", "relation", "permission", "caveat", "nil", "use", "with", "and", "expiration", "any", "all", "this", "self", "in", "import", "partial"]) {
  add(`name_reserved_type_${w}`, `definition ${w} {}`);
  add(`name_reserved_relation_${w}`, `definition user {}\ndefinition doc {\n  relation ${w}: user\n}`);
}
add("err_name_too_long_type", `definition ${"a".repeat(65)} {}`);
add("err_name_too_long_relation", `definition user {}\ndefinition doc {\n  relation ${"r".repeat(65)}: user\n}`);
add("err_name_too_long_permission", `definition user {}\ndefinition doc {\n  relation r: user\n  permission ${"p".repeat(65)} = r\n}`);
add("err_name_too_long_caveat", `caveat ${"c".repeat(65)}(x int) {\n  x == 1\n}\ndefinition user {}`);
add("err_name_too_short_type", `definition a {}`);
add("err_name_too_short_relation", `definition user {}\ndefinition doc {\n  relation v: user\n}`);
add("err_name_uppercase_type", `definition User {}`);
add("err_name_uppercase_relation", `definition user {}\ndefinition doc {\n  relation Viewer: user\n}`);
add("err_name_leading_digit", `definition 1user {}`);
add("err_name_leading_underscore", `definition _user {}`);
add("err_name_trailing_underscore", `definition user_ {}`);
add("err_name_dash", `definition my-user {}`);
add("err_name_dot", `definition my.user {}`);
add("err_name_unicode", `definition usér {}`);
add("err_prefix_double_slash", `definition org/sub/user {}`);
add("err_prefix_empty", `definition /user {}`);
add("err_prefix_too_long", `definition ${"o".repeat(64)}/user {}`);
add("err_prefix_uppercase", `definition Org/user {}`);
// Self reference and cycles
add("err_permission_references_itself", `definition user {}\ndefinition doc {\n  permission view = view\n}`);
add("err_permission_self_union", `definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view = viewer + view\n}`);
add("err_permission_cycle_two", `definition user {}\ndefinition doc {\n  permission a = b\n  permission b = a\n}`);
add("err_permission_cycle_three", `definition user {}\ndefinition doc {\n  relation r: user\n  permission a = b + r\n  permission b = c\n  permission c = a\n}`);
add("err_permission_cycle_via_exclusion", `definition user {}\ndefinition doc {\n  relation r: user\n  permission a = r - b\n  permission b = a\n}`);
add("arrow_cycle_across_types", `definition user {}\ndefinition a {\n  relation to_b: b\n  permission p = to_b->p\n}\ndefinition b {\n  relation to_a: a\n  permission p = to_a->p\n}`);
add("userset_cycle_groups", `definition user {}\ndefinition group {\n  relation member: user | group#member | team#member\n}\ndefinition team {\n  relation member: user | group#member\n}`);


// More edge cases
add("caveat_uint_literal", `caveat c(p uint) {\n  p > 5u\n}\ndefinition user {}`);
add("caveat_trailing_comma_params", `caveat c(a int, b int,) {\n  a == b\n}\ndefinition user {}`);
add("caveat_named_expiration_with_use", `use expiration\ncaveat expiration(x int) {\n  x == 1\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user with expiration\n}`);
add("caveat_named_expiration_without_use", `caveat expiration(x int) {\n  x == 1\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user with expiration\n}`);
add("relation_named_expiration_with_use", `use expiration\ndefinition user {}\ndefinition doc {\n  relation expiration: user with expiration\n}`);
add("caveat_param_named_like_type", `caveat c(int int, string string) {\n  int > 0 && string != ""\n}\ndefinition user {}`);
add("caveat_param_uppercase", `caveat c(MyParam int) {\n  MyParam > 0\n}\ndefinition user {}`);
add("caveat_uses_unknown_member", `caveat c(s string) {\n  s.frob()\n}\ndefinition user {}`);
add("caveat_list_of_ipaddress", `caveat c(l list<ipaddress>, ip ipaddress) {\n  l.exists(x, x == ip)\n}\ndefinition user {}`);
add("caveat_map_of_timestamp", `caveat c(m map<timestamp>, now timestamp) {\n  m.all(k, m[k] < now)\n}\ndefinition user {}`);
add("same_relation_names_across_definitions", `definition user {}\ndefinition folder {\n  relation viewer: user\n  permission view = viewer\n}\ndefinition doc {\n  relation viewer: user\n  permission view = viewer\n}`);
add("arrow_to_permission_with_arrow", `definition user {}\ndefinition org {\n  relation admin: user\n  permission manage = admin\n}\ndefinition folder {\n  relation org: org\n  permission manage = org->manage\n}\ndefinition doc {\n  relation folder: folder\n  permission manage = folder->manage\n}`);
add("err_arrow_to_unknown_on_all_types", `definition user {}\ndefinition folder {}\ndefinition drive {}\ndefinition doc {\n  relation parent: folder | drive\n  permission view = parent->viewer\n}`);
add("err_wildcard_caveat_unknown", `definition user {}\ndefinition doc {\n  relation viewer: user:* with missing\n}`);
add("err_caveat_wrong_param_count_in_with", `caveat c(x int) {\n  x == 1\n}\ndefinition user {}\ndefinition doc {\n  relation viewer: user with c(1)\n}`);
add("err_userset_of_unknown_type", `definition doc {\n  relation viewer: group#member\n}`);
add("err_permission_names_type", `definition user {}\ndefinition doc {\n  permission view = user\n}`);
add("err_definition_caveat_keyword_swap", `caveat user {}\ndefinition doc {}`);

// Permission type annotations (SpiceDB v1.54 parses them; checks them only under `use typechecking`)
add("permission_type_annotation", `definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view: user = viewer\n}`);
add("permission_type_annotation_unknown_type", `definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view: user | nosuchtype = viewer\n}`);
add("err_permission_annotation_empty", `definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view: = viewer\n}`);
add("err_permission_annotation_subject_relation", `definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view: user | doc#viewer = viewer\n}`);
add("err_permission_annotation_wildcard", `definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view: user:* = viewer\n}`);
add("err_permission_annotation_type_path", `definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view: a/b | user = viewer\n}`);
add("use_typechecking", `use typechecking\ndefinition user {}\ndefinition doc {\n  relation viewer: user\n  permission view: user = viewer\n}`);

// `use` flags of SpiceDB v1.54: expiration, import, partial, self, typechecking. Each may repeat;
// each but expiration turns its own word into a keyword from then on. A `partial` is not a
// definition: `use` may follow one.
add("use_all_flags", `use expiration\nuse import\nuse partial\nuse self\nuse typechecking\ndefinition user {}`);
add("use_typechecking_twice", `use typechecking\nuse typechecking\ndefinition user {}`);
add("use_after_partial", `use partial\npartial viewable {\n}\nuse typechecking\ndefinition user {}`);
add("self_relation_without_flag", `definition user {\n  relation self: user\n}`);
add("err_use_typechecking_after_definition", `definition user {}\nuse typechecking`);
add("err_use_typechecking_after_caveat", `caveat c(x int) {\n  x == 1\n}\nuse typechecking\ndefinition user {}`);
add("err_use_flags_comma", `use expiration, typechecking\ndefinition user {}`);
add("err_typechecking_keyword_relation", `use typechecking\ndefinition doc {\n  relation typechecking: doc\n}`);
add("err_self_keyword_relation", `use self\ndefinition doc {\n  relation self: doc\n}`);
add("err_partial_keyword_relation", `use partial\ndefinition doc {\n  relation partial: doc\n}`);
add("err_import_keyword_relation", `use import\ndefinition doc {\n  relation import: doc\n}`);
add("err_typechecking_keyword_after_partial", `use partial\npartial viewable {\n}\nuse typechecking\ndefinition user {\n  relation typechecking: user\n}`);

// `use typechecking`: permission type annotations are checked against every subject type the
// permission reaches (FAILED_PRECONDITION "incomplete type annotation ..."). Error cases have one
// missing type only: SpiceDB names the first it finds in a Go map's order.
const TC = `use typechecking\ndefinition user {}\ndefinition bot {}\ndefinition team {\n  relation member: user | team#member\n}\n`;
add("typecheck_direct", `${TC}definition doc {\n  relation viewer: user\n  permission view: user = viewer\n}`);
add("typecheck_subject_relation", `${TC}definition doc {\n  relation viewer: team#member\n  permission view: user = viewer\n}`);
add("typecheck_wildcard", `${TC}definition doc {\n  relation viewer: user:*\n  permission view: user = viewer\n}`);
add("typecheck_several_types", `${TC}definition doc {\n  relation viewer: user | bot\n  permission view: bot | user = viewer\n}`);
add("typecheck_arrow", `${TC}definition folder {\n  relation reader: user\n}\ndefinition doc {\n  relation parent: folder\n  permission view: user = parent->reader\n}`);
add("typecheck_arrow_target_missing_on_one_type", `${TC}definition folder {\n  relation reader: user\n}\ndefinition drive {}\ndefinition doc {\n  relation parent: folder | drive\n  permission view: user = parent->reader\n}`);
add("typecheck_arrow_all", `${TC}definition doc {\n  relation parent: doc\n  relation viewer: user\n  permission view: user = parent.all(viewer)\n}`);
add("typecheck_recursive", `${TC}definition doc {\n  relation parent: doc\n  relation viewer: user\n  permission view: user = viewer + parent->view\n}`);
add("typecheck_self_reference", `${TC}definition doc {\n  relation viewer: user\n  permission view: user = view + viewer\n}`);
add("typecheck_nil", `${TC}definition doc {\n  permission view: user = nil\n}`);
add("typecheck_unannotated_not_checked", `${TC}definition doc {\n  relation viewer: bot\n  permission view = viewer\n}`);
add("typecheck_annotation_ignored_without_flag", `definition user {}\ndefinition bot {}\ndefinition doc {\n  relation viewer: bot\n  permission view: user = viewer\n}`);
add("err_typecheck_direct", `${TC}definition doc {\n  relation viewer: user | bot\n  permission view: user = viewer\n}`);
add("err_typecheck_unknown_annotated_type", `${TC}definition doc {\n  relation viewer: user\n  permission view: nosuch = viewer\n}`);
add("err_typecheck_subject_relation_type", `${TC}definition doc {\n  relation viewer: team#member\n  permission view: team = viewer\n}`);
add("err_typecheck_arrow", `${TC}definition folder {\n  relation reader: bot\n}\ndefinition drive {}\ndefinition doc {\n  relation parent: folder | drive\n  permission view: user = parent->reader\n}`);
add("err_typecheck_intersection", `${TC}definition doc {\n  relation owner: user\n  relation banned: bot\n  permission view: user = owner & banned\n}`);
add("err_typecheck_exclusion_right", `${TC}definition doc {\n  relation owner: user\n  relation banned: bot\n  permission view: user = owner - banned\n}`);
add("err_typecheck_via_permission", `${TC}definition doc {\n  relation viewer: user\n  relation robot: bot\n  permission view: user = other\n  permission other = viewer + robot\n}`);
add("err_typecheck_before_unknown_relation", `${TC}definition doc {\n  relation robot: bot\n  permission view: user = robot + nosuch\n}`);
add("err_typecheck_before_later_relation", `${TC}definition doc {\n  relation robot: bot\n  permission view: user = robot\n  relation other: nosuch\n}`);
add("err_unknown_type_before_typecheck", `${TC}definition doc {\n  relation robot: bot\n  relation other: nosuch\n  permission view: user = robot\n}`);
add("err_typecheck_set_of_two", `${TC}definition org {}\ndefinition doc {\n  relation viewer: user | bot | org\n  permission view: user | org = viewer\n}`);

// `import`: SpiceDB's server parses it under `use import` and then refuses it; without the flag
// `import` is just an identifier at the root.
add("err_import_without_flag", `import "other.zed"\ndefinition user {}`);
add("err_import", `use import\nimport "other.zed"\ndefinition user {}`);
add("err_import_single_quotes", `use import\nimport 'other.zed'\ndefinition user {}`);
add("err_import_second", `use import\ndefinition user {}\nimport "a.zed"\nimport "b.zed"`);
add("err_import_not_a_string", `use import\nimport other\ndefinition user {}`);
add("err_import_at_end", `use import\nimport`);
add("err_import_then_token", `use import\nimport "x.zed" extra\ndefinition user {}`);
add("err_import_then_syntax_error", `use import\nimport "x.zed"\ndefinition {`);
add("err_import_then_bad_name", `use import\nimport "x.zed"\ndefinition a {}`);

// Partials (`use partial`): `partial name { ... }` and `...name` in a definition or partial.
add("partial_basic", `use partial\npartial viewable {\n  relation viewer: user\n  permission view = viewer\n}\ndefinition user {}\ndefinition doc {\n  relation owner: user\n  ...viewable\n  permission edit = owner + view\n}`);
add("partial_nested", `use partial\npartial base {\n  // the viewers\n  relation viewer: user\n}\npartial editable {\n  ...base\n  relation editor: user\n}\ndefinition user {}\n/** a doc */\ndefinition doc {\n  ...editable\n  relation owner: user\n}`);
add("partial_referenced_before_defined", `use partial\npartial outer {\n  ...inner\n  relation editor: user\n}\npartial inner {\n  relation viewer: user\n}\ndefinition user {}\ndefinition doc {\n  ...outer\n}`);
add("partial_chain_out_of_order", `use partial\npartial one {\n  ...two\n}\npartial two {\n  ...three\n}\npartial three {\n  relation viewer: user\n}\ndefinition user {}\ndefinition doc {\n  ...one\n}`);
add("partial_empty", `use partial\npartial nothing {\n}\ndefinition doc {\n  ...nothing\n}`);
add("partial_after_definition", `use partial\ndefinition user {}\npartial viewable {\n  relation viewer: user\n}\ndefinition doc {\n  ...viewable\n}`);
add("partial_unused_unknown_type", `use partial\npartial viewable {\n  relation viewer: nosuch\n}\ndefinition user {}`);
add("partial_duplicate_name", `use partial\npartial viewable {\n  relation viewer: user\n}\npartial viewable {\n  relation editor: user\n}\ndefinition user {}\ndefinition doc {\n  ...viewable\n}`);
add("partial_with_prefix_name", `use partial\npartial org/viewable {\n  relation viewer: user\n}\ndefinition user {}`);
add("partial_nil_permission", `use partial\npartial pp {\n  permission view = nil\n}\ndefinition user {\n  ...pp\n}`);
add("partial_with_caveat_and_expiration", `use expiration\nuse partial\ncaveat c(x int) {\n  x == 1\n}\npartial viewable {\n  relation viewer: user with c and expiration\n}\ndefinition user {}\ndefinition doc {\n  ...viewable\n}`);
add("partial_typechecked", `use partial\nuse typechecking\npartial viewable {\n  relation viewer: user\n  permission view: user = viewer\n}\ndefinition user {}\ndefinition doc {\n  ...viewable\n}`);
add("err_partial_without_flag", `partial viewable {\n  relation viewer: user\n}\ndefinition user {}`);
add("err_partial_reference_without_flag", `definition user {}\ndefinition doc {\n  ...viewable\n}`);
add("err_partial_reference_missing", `use partial\ndefinition user {}\ndefinition doc {\n  relation owner: user\n  ...viewable\n}`);
add("err_partial_reference_empty", `definition doc {\n  ...\n}`);
add("err_partial_reference_prefixed", `use partial\npartial org/viewable {\n  relation viewer: user\n}\ndefinition user {}\ndefinition doc {\n  ...org/viewable\n}`);
add("err_partial_reference_then_keyword", `definition doc {\n  ...viewable relation other: doc\n}`);
add("err_partial_no_name", `use partial\npartial {`);
add("err_partial_cycle", `use partial\npartial one {\n  ...two\n}\npartial two {\n  ...one\n}\ndefinition user {}`);
add("err_partial_self_cycle", `use partial\npartial pp {\n  relation viewer: user\n  ...pp\n}\ndefinition user {}`);
add("err_partial_missing_from_partial", `use partial\npartial viewable {\n  ...other\n}\ndefinition user {}`);
add("err_partial_same_name_definition", `use partial\npartial user {\n  relation viewer: user\n}\ndefinition user {}`);
add("err_partial_same_name_caveat", `use partial\npartial cav {\n  relation viewer: user\n}\ncaveat cav(a int) {\n  a == 1\n}\ndefinition user {}`);
add("err_partial_invalid_member_name", `use partial\npartial viewable {\n  relation v: user\n}\ndefinition user {}`);
add("err_partial_member_after_missing_reference", `use partial\npartial viewable {\n  relation v: user\n  ...later\n  relation w: user\n}\npartial later {\n}\ndefinition user {}`);
add("err_partial_nested_arrow", `use partial\npartial viewable {\n  relation parent: user\n  permission view = parent->a->b\n}\ndefinition user {}`);
add("err_partial_duplicate_member", `use partial\npartial viewable {\n  relation viewer: user\n}\ndefinition user {\n  relation viewer: user\n  ...viewable\n}`);
add("err_partial_included_twice", `use partial\npartial viewable {\n  relation viewer: user\n}\ndefinition user {\n  ...viewable\n  ...viewable\n}`);
add("err_partial_unknown_type_when_used", `use partial\npartial viewable {\n  relation viewer: nosuch\n}\ndefinition user {\n  ...viewable\n}`);
add("err_partial_error_before_definitions", `use partial\ndefinition a {}\npartial viewable {\n  relation v: user\n}`);

// `self` (`use self`): SpiceDB v1.54 accepts it; rebacd cannot evaluate it and refuses it (a known
// mismatch). Misplaced `self` is a syntax error in both.
add("use_self_permission", `use self\ndefinition user {\n  permission view = self\n}`);
add("err_self_without_flag", `definition user {\n  permission view = self\n}`);
add("err_self_arrow_left", `use self\ndefinition user {\n  permission view = self->foo\n}`);
add("err_self_arrow_right", `use self\ndefinition user {\n  relation parent: user\n  permission view = parent->self\n}`);

// Comments longer than 64 KiB on one line: SpiceDB reads comments with a bufio.Scanner, which
// stops at such a line; the line and the rest of that comment are dropped, the schema accepted.
// (ReadSchema's text for these is compared in tests/schema/printer_test.cc.)
add("comment_line_70k", `// ${"x".repeat(70000)}\ndefinition user {}`);
add("comment_doc_70k", `/** ${"x".repeat(70000)} */\ndefinition user {}`);
add("comment_doc_long_middle_line", `/**\n * first\n * ${"x".repeat(70000)}\n * after\n */\n// next\ndefinition user {\n  // ${"y".repeat(70000)}\n  relation viewer: user\n}`);

// Where CEL places its errors
add("err_caveat_unknown_function_nested", `caveat c(x int) {\n  x > 1 &&\n    frob(x)\n}\ndefinition user {}`);
add("err_caveat_member_on_wrong_type", `caveat c(a int) {\n  a.startsWith("x")\n}\ndefinition user {}`);
add("err_caveat_select_on_int", `caveat c(a int) {\n  a.b == 1\n}\ndefinition user {}`);
add("err_caveat_macro_predicate_not_bool", `caveat c(l list<int>) {\n  l.exists(v, v + 1)\n}\ndefinition user {}`);
add("err_caveat_has_without_field", `caveat c(m map<int>) {\n  has(m)\n}\ndefinition user {}`);
add("err_caveat_index_wrong_type", `caveat c(l list<int>) {\n  l["a"] == 1\n}\ndefinition user {}`);
add("err_caveat_ternary_mismatch", `caveat c(b bool) {\n  (b ? 1 : "x") == 1\n}\ndefinition user {}`);
add("err_caveat_macro_over_int", `caveat c(a int) {\n  a.exists(v, v > 1)\n}\ndefinition user {}`);
add("err_caveat_select_on_select", `caveat c(m map<string>) {\n  m.a.b == "x"\n}\ndefinition user {}`);
add("err_caveat_in_wrong_element", `caveat c(a int, l list<string>) {\n  a in l\n}\ndefinition user {}`);

export const CORPUS = cases;
