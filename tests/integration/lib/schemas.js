// Schemas shared by the integration tests.

/** A Google-Docs-like schema: nested groups, folders, wildcards, arrows and exclusion. */
export const DOCS_SCHEMA = `definition user {}

definition group {
    relation member: user | group#member
}

definition folder {
    relation parent: folder
    relation viewer: user | group#member
    permission view = viewer + parent->view
}

definition document {
    relation parent: folder
    relation owner: user
    relation editor: user | group#member
    relation viewer: user | user:* | group#member
    relation banned: user
    permission edit = owner + editor
    permission view = viewer + edit + parent->view
    permission view_not_banned = view - banned
}
`;

export const DOCS_TYPES = ["group", "folder", "document"];
