// SchemaService through the official client: WriteSchema refusing a change that would orphan
// relationships, and the four reflection RPCs. The expected answers are SpiceDB's (messages
// from internal/services/shared/schema.go; reflection cases from internal/services/v1's
// schema_test.go and reflectionapi.go).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { v1 } from "@authzed/authzed-node";

import { serveForSuite } from "../lib/server.js";
import {
  CREATE,
  DELETE,
  Status,
  fullyConsistent,
  rejectsWith,
  write,
  writeSchema,
} from "../lib/spicedb.js";

const SCHEMA = `definition user {}

/** group of users */
definition group {
  relation direct_member: user | group#member
  relation admin: user
  permission member = direct_member + admin
}

definition folder {
  relation viewer: user
  permission view = viewer
}

caveat somecaveat(first int, second string) {
  first == 1 && second == "two"
}

definition document {
  relation parent: folder
  relation viewer: user | user:* | user with somecaveat | group#member
  permission view = viewer + parent->view
}`;

const refs = (list) =>
  list.map((r) => `${r.definitionName}#${r.relationName}${r.isPermission ? "(P)" : ""}`);

describe("schema reflection and safe schema changes", { timeout: 120000 }, () => {
  let zed;
  serveForSuite(async (client) => {
    zed = client;
    await writeSchema(zed, SCHEMA);
  });

  it("ReflectSchema describes definitions, relations, subject types and caveats", async () => {
    const res = await zed.promises.reflectSchema(
      v1.ReflectSchemaRequest.create({ consistency: fullyConsistent() }),
    );
    assert.ok(res.readAt?.token, "read_at is set");
    assert.deepEqual(
      res.definitions.map((d) => d.name),
      ["user", "group", "folder", "document"],
    );
    const group = res.definitions[1];
    assert.equal(group.comment, "/** group of users */");
    const doc = res.definitions[3];
    const viewer = doc.relations.find((r) => r.name === "viewer");
    assert.deepEqual(
      viewer.subjectTypes.map((t) => [t.subjectDefinitionName, t.typeref.oneofKind, t.optionalCaveatName]),
      [
        ["user", "isTerminalSubject", ""],
        ["user", "isPublicWildcard", ""],
        ["user", "isTerminalSubject", "somecaveat"],
        ["group", "optionalRelationName", ""],
      ],
    );
    assert.deepEqual(doc.permissions.map((p) => p.name), ["view"]);
    assert.equal(res.caveats.length, 1);
    assert.deepEqual(
      res.caveats[0].parameters.map((p) => `${p.name}:${p.type}`),
      ["first:int", "second:string"],
    );

    const filtered = await zed.promises.reflectSchema(
      v1.ReflectSchemaRequest.create({
        optionalFilters: [{ optionalDefinitionNameFilter: "doc", optionalPermissionNameFilter: "vi" }],
      }),
    );
    assert.deepEqual(filtered.definitions.map((d) => d.name), ["document"]);
    assert.deepEqual(filtered.caveats, []);

    const err = await rejectsWith(
      zed.promises.reflectSchema(
        v1.ReflectSchemaRequest.create({ optionalFilters: [{ optionalRelationNameFilter: "x" }] }),
      ),
      Status.INVALID_ARGUMENT,
      "relation filter without a definition filter",
    );
    assert.match(err.details, /relation name match requires definition name match/);
  });

  it("DependentRelations and ComputablePermissions walk the schema as SpiceDB does", async () => {
    const dependent = await zed.promises.dependentRelations(
      v1.DependentRelationsRequest.create({
        consistency: fullyConsistent(),
        definitionName: "document",
        permissionName: "view",
      }),
    );
    assert.deepEqual(refs(dependent.relations), [
      "document#parent",
      "document#viewer",
      "folder#view(P)",
      "folder#viewer",
      "group#admin",
      "group#direct_member",
      "group#member(P)",
    ]);
    assert.ok(dependent.readAt?.token);

    const computable = await zed.promises.computablePermissions(
      v1.ComputablePermissionsRequest.create({ definitionName: "folder", relationName: "viewer" }),
    );
    assert.deepEqual(refs(computable.permissions), ["document#view(P)", "folder#view(P)"]);

    const notPermission = await rejectsWith(
      zed.promises.dependentRelations(
        v1.DependentRelationsRequest.create({ definitionName: "document", permissionName: "viewer" }),
      ),
      Status.INVALID_ARGUMENT,
      "a relation is not a permission",
    );
    assert.match(notPermission.details, /the relation `viewer` is not a permission/);
    await rejectsWith(
      zed.promises.computablePermissions(
        v1.ComputablePermissionsRequest.create({ definitionName: "nope" }),
      ),
      Status.FAILED_PRECONDITION,
      "unknown definition",
    );
  });

  it("DiffSchema lists the changes to a comparison schema", async () => {
    const res = await zed.promises.diffSchema(
      v1.DiffSchemaRequest.create({
        consistency: fullyConsistent(),
        comparisonSchema: SCHEMA.replace("| user:* ", "").replace(
          "definition folder {",
          "definition team {}\n\ndefinition folder {",
        ),
      }),
    );
    assert.deepEqual(
      res.diffs.map((d) => d.diff.oneofKind),
      ["definitionAdded", "relationSubjectTypeRemoved"],
    );
    assert.equal(res.diffs[0].diff.definitionAdded.name, "team");
    const removed = res.diffs[1].diff.relationSubjectTypeRemoved;
    assert.equal(removed.relation.name, "viewer");
    assert.equal(removed.changedSubjectType.typeref.oneofKind, "isPublicWildcard");
    await rejectsWith(
      zed.promises.diffSchema(v1.DiffSchemaRequest.create({ comparisonSchema: "definition {" })),
      Status.INVALID_ARGUMENT,
      "an unparsable comparison schema",
    );
  });

  it("WriteSchema refuses a change that would orphan relationships, with SpiceDB's message", async () => {
    await write(zed, CREATE, ["document:readme#viewer@user:*"]);
    const withoutWildcard = SCHEMA.replace("| user:* ", "");
    const err = await rejectsWith(
      writeSchema(zed, withoutWildcard),
      Status.INVALID_ARGUMENT,
      "removing user:* while document:readme#viewer@user:* exists",
    );
    assert.equal(
      err.details,
      "cannot remove allowed type `user:*` from relation `viewer` in object definition " +
        "`document`, as a relationship exists with it: document:readme#viewer@user:*",
    );

    const withoutDocument = SCHEMA.slice(0, SCHEMA.indexOf("definition document"));
    const removedDef = await rejectsWith(
      writeSchema(zed, withoutDocument),
      Status.INVALID_ARGUMENT,
      "removing definition document while it has relationships",
    );
    assert.equal(
      removedDef.details,
      "cannot delete object definition `document`, as at least one relationship exists under " +
        "it: document:readme#viewer@user:*",
    );

    await write(zed, DELETE, ["document:readme#viewer@user:*"]);
    await writeSchema(zed, withoutWildcard);
    const read = await zed.promises.readSchema(v1.ReadSchemaRequest.create({}));
    assert.ok(!read.schemaText.includes("user:*"), "the accepted schema is in force");
  });
});
