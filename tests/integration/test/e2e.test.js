// End to end through the official client: schema, writes, checks, reads, deletes, consistency.
// The tests in this file run in order and build on each other's data.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { v1 } from "@authzed/authzed-node";

import { startServer } from "../lib/server.js";
import { DOCS_SCHEMA } from "../lib/schemas.js";
import {
  CREATE,
  DELETE,
  HAS,
  NO,
  Status,
  TOUCH,
  atLeastAsFresh,
  check,
  checkResponse,
  deleteWhere,
  fullyConsistent,
  minimizeLatency,
  read,
  readSchema,
  rejectsWith,
  update,
  write,
  writeSchema,
  writeUpdates,
} from "../lib/spicedb.js";

const BASE = [
  "group:eng#member@user:bob",
  "group:all#member@group:eng#member",
  "group:all#member@user:dana",
  "document:doc1#owner@user:alice",
  "document:doc1#editor@group:all#member",
  "document:doc1#viewer@user:erin",
  "document:public#viewer@user:*",
  "document:public#banned@user:eve",
  "folder:root#viewer@user:carol",
  "folder:sub#parent@folder:root",
  "document:doc2#parent@folder:sub",
];

const nonEmptyToken = (zedToken, what) => {
  assert.equal(typeof zedToken?.token, "string", `${what}: token is not a string`);
  assert.ok(zedToken.token.length > 0, `${what}: token is empty`);
};

describe("end to end", { timeout: 120000 }, () => {
  let server;
  let zed;

  before(async () => {
    server = await startServer();
    zed = server.client();
  });
  after(async () => {
    await server?.dispose();
  });

  it("ReadSchema before any WriteSchema answers NOT_FOUND", async () => {
    await rejectsWith(readSchema(zed), Status.NOT_FOUND, "ReadSchema on an empty server");
  });

  it("WriteSchema accepts the schema and ReadSchema returns every definition", async () => {
    const written = await writeSchema(zed, DOCS_SCHEMA);
    nonEmptyToken(written.writtenAt, "WriteSchema.writtenAt");

    const schemaText = await readSchema(zed);
    for (const name of ["user", "group", "folder", "document"]) {
      assert.match(schemaText, new RegExp(`definition ${name}\\s*\\{`), `definition ${name} missing`);
    }
    for (const name of ["member", "parent", "owner", "editor", "viewer", "banned"]) {
      assert.match(schemaText, new RegExp(`relation ${name}\\s*:`), `relation ${name} missing`);
    }
    for (const name of ["edit", "view", "view_not_banned"]) {
      assert.match(schemaText, new RegExp(`permission ${name}\\s*=`), `permission ${name} missing`);
    }
    assert.match(schemaText, /user:\*/);
    assert.match(schemaText, /parent\s*->\s*view/);

    // The text ReadSchema returns is a valid schema that reads back the same.
    await writeSchema(zed, schemaText);
    assert.equal((await readSchema(zed)), schemaText);
  });

  it("WriteRelationships CREATE returns a revision token", async () => {
    const response = await write(zed, CREATE, BASE);
    nonEmptyToken(response.writtenAt, "WriteRelationships.writtenAt");
  });

  it("checks: direct, relation, group nesting, subject sets, wildcard, arrow, exclusion", async () => {
    const cases = [
      ["document:doc1", "edit", "user:alice", HAS, "owner → edit"],
      ["document:doc1", "view", "user:alice", HAS, "owner → edit → view"],
      ["document:doc1", "owner", "user:alice", HAS, "relation checked directly"],
      ["document:doc1", "view_not_banned", "user:alice", HAS, "view and not banned"],
      ["document:doc1", "view", "user:erin", HAS, "direct viewer"],
      ["document:doc1", "edit", "user:erin", NO, "viewer cannot edit"],
      ["document:doc1", "view", "user:mallory", NO, "unrelated user"],
      ["document:doc1", "edit", "user:dana", HAS, "member of group:all"],
      ["document:doc1", "edit", "user:bob", HAS, "member of group:eng, nested in group:all"],
      ["group:all", "member", "user:bob", HAS, "nested group membership"],
      ["group:eng", "member", "user:dana", NO, "membership does not flow upwards"],
      ["document:doc1", "edit", "group:all#member", HAS, "subject set given directly"],
      ["document:doc1", "edit", "group:eng#member", HAS, "nested subject set"],
      ["document:public", "view", "user:zed", HAS, "user:* wildcard"],
      ["document:public", "edit", "user:zed", NO, "wildcard is only on viewer"],
      ["document:public", "view", "user:eve", HAS, "banned user still views"],
      ["document:public", "view_not_banned", "user:eve", NO, "exclusion removes the banned user"],
      ["document:public", "view_not_banned", "user:zed", HAS, "exclusion keeps the others"],
      ["document:doc2", "view", "user:carol", HAS, "arrow through two folders"],
      ["document:doc2", "edit", "user:carol", NO, "folder viewers cannot edit"],
      ["document:doc2", "view", "user:bob", NO, "no path to doc2"],
      ["folder:sub", "view", "user:carol", HAS, "arrow to the parent folder"],
      ["folder:root", "view", "user:bob", NO, "not a folder viewer"],
    ];
    const wrong = [];
    for (const [resource, permission, subj, expected, why] of cases) {
      const response = await checkResponse(zed, resource, permission, subj);
      nonEmptyToken(response.checkedAt, "CheckPermission.checkedAt");
      if (response.permissionship !== expected) {
        wrong.push(
          `${resource}#${permission}@${subj} (${why}): expected ` +
            `${v1.CheckPermissionResponse_Permissionship[expected]}, got ` +
            `${v1.CheckPermissionResponse_Permissionship[response.permissionship]}`,
        );
      }
    }
    assert.deepEqual(wrong, [], `wrong check results:\n${wrong.join("\n")}`);
  });

  it("ReadRelationships returns exactly the relationships matching a filter", async () => {
    const cases = [
      [{ resourceType: "group" }, BASE.filter((r) => r.startsWith("group:"))],
      [{ resourceType: "document" }, BASE.filter((r) => r.startsWith("document:"))],
      [{ resourceType: "document", optionalResourceId: "doc1" }, BASE.filter((r) => r.startsWith("document:doc1#"))],
      [{ resourceType: "document", optionalRelation: "viewer" }, ["document:doc1#viewer@user:erin", "document:public#viewer@user:*"]],
      [{ resourceType: "document", optionalResourceId: "doc1", optionalRelation: "owner" }, ["document:doc1#owner@user:alice"]],
      [
        { resourceType: "document", optionalSubjectFilter: { subjectType: "user", optionalSubjectId: "alice" } },
        ["document:doc1#owner@user:alice"],
      ],
      [
        { resourceType: "document", optionalSubjectFilter: { subjectType: "group", optionalSubjectId: "" } },
        ["document:doc1#editor@group:all#member"],
      ],
      [
        {
          resourceType: "group",
          optionalSubjectFilter: { subjectType: "group", optionalSubjectId: "eng", optionalRelation: { relation: "member" } },
        },
        ["group:all#member@group:eng#member"],
      ],
      [{ resourceType: "folder", optionalRelation: "parent" }, ["folder:sub#parent@folder:root"]],
      [{ resourceType: "document", optionalResourceId: "nonexistent" }, []],
    ];
    for (const [filter, expected] of cases) {
      assert.deepEqual(await read(zed, filter), [...expected].sort(), `filter ${JSON.stringify(filter)}`);
    }

    const responses = await zed.promises.readRelationships(
      v1.ReadRelationshipsRequest.create({
        consistency: fullyConsistent(),
        relationshipFilter: { resourceType: "document", optionalResourceId: "doc1" },
      }),
    );
    for (const r of responses) nonEmptyToken(r.readAt, "ReadRelationships.readAt");
  });

  it("WriteRelationships TOUCH and DELETE", async () => {
    await write(zed, CREATE, ["document:doc3#viewer@user:x1", "document:doc3#viewer@user:x2"]);
    // TOUCH of an existing relationship is not an error; TOUCH of a new one creates it.
    await write(zed, TOUCH, ["document:doc3#viewer@user:x1", "document:doc3#viewer@user:x3"]);
    // DELETE of an absent relationship is not an error.
    const deleted = await write(zed, DELETE, ["document:doc3#viewer@user:x2", "document:doc3#viewer@user:never"]);
    nonEmptyToken(deleted.writtenAt, "WriteRelationships(DELETE).writtenAt");

    assert.deepEqual(await read(zed, { resourceType: "document", optionalResourceId: "doc3" }), [
      "document:doc3#viewer@user:x1",
      "document:doc3#viewer@user:x3",
    ]);
    assert.equal(await check(zed, "document:doc3", "view", "user:x1"), HAS);
    assert.equal(await check(zed, "document:doc3", "view", "user:x2"), NO);
    assert.equal(await check(zed, "document:doc3", "view", "user:x3"), HAS);

    // Mixed operations in one request apply together.
    await writeUpdates(zed, [update(DELETE, "document:doc3#viewer@user:x1"), update(CREATE, "document:doc3#owner@user:x1")]);
    assert.deepEqual(await read(zed, { resourceType: "document", optionalResourceId: "doc3" }), [
      "document:doc3#owner@user:x1",
      "document:doc3#viewer@user:x3",
    ]);
  });

  it("DeleteRelationships removes exactly what the filter matches", async () => {
    const response = await deleteWhere(zed, { resourceType: "document", optionalResourceId: "public" });
    nonEmptyToken(response.deletedAt, "DeleteRelationships.deletedAt");
    assert.deepEqual(await read(zed, { resourceType: "document", optionalResourceId: "public" }), []);
    assert.equal(await check(zed, "document:public", "view", "user:zed"), NO);

    await deleteWhere(zed, {
      resourceType: "group",
      optionalRelation: "member",
      optionalSubjectFilter: { subjectType: "user", optionalSubjectId: "dana" },
    });
    assert.deepEqual(await read(zed, { resourceType: "group" }), [
      "group:all#member@group:eng#member",
      "group:eng#member@user:bob",
    ]);
    assert.equal(await check(zed, "document:doc1", "edit", "user:dana"), NO);
    assert.equal(await check(zed, "document:doc1", "edit", "user:bob"), HAS);
    // Everything else is untouched.
    assert.deepEqual(
      await read(zed, { resourceType: "document", optionalResourceId: "doc1" }),
      BASE.filter((r) => r.startsWith("document:doc1#")).sort(),
    );
  });

  it("consistency: fullyConsistent and atLeastAsFresh(writtenAt) see the latest write", async () => {
    const created = await write(zed, CREATE, ["document:doc4#viewer@user:fresh"]);
    assert.equal(await check(zed, "document:doc4", "view", "user:fresh", atLeastAsFresh(created.writtenAt)), HAS);
    assert.equal(await check(zed, "document:doc4", "view", "user:fresh", fullyConsistent()), HAS);
    assert.deepEqual(
      await read(zed, { resourceType: "document", optionalResourceId: "doc4" }, atLeastAsFresh(created.writtenAt)),
      ["document:doc4#viewer@user:fresh"],
    );

    const deleted = await write(zed, DELETE, ["document:doc4#viewer@user:fresh"]);
    assert.equal(await check(zed, "document:doc4", "view", "user:fresh", atLeastAsFresh(deleted.writtenAt)), NO);
    assert.deepEqual(
      await read(zed, { resourceType: "document", optionalResourceId: "doc4" }, atLeastAsFresh(deleted.writtenAt)),
      [],
    );

    // A token from a check works as a freshness bound too, and minimizeLatency answers.
    const checked = await checkResponse(zed, "document:doc1", "edit", "user:bob");
    assert.equal(await check(zed, "document:doc1", "edit", "user:bob", atLeastAsFresh(checked.checkedAt)), HAS);
    const relaxed = await check(zed, "document:doc1", "edit", "user:bob", minimizeLatency());
    assert.ok([HAS, NO].includes(relaxed), `minimizeLatency check answered ${relaxed}`);
  });

  it("SIGTERM shuts the server down cleanly and the data is there after a restart", async () => {
    const before = await read(zed, { resourceType: "document" });
    const schemaBefore = (await readSchema(zed));

    const exit = await server.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGTERM; server output:\n${server.logTail()}`);

    await server.start();
    zed = server.client();
    assert.equal((await readSchema(zed)), schemaBefore);
    assert.deepEqual(await read(zed, { resourceType: "document" }), before);
    assert.equal(await check(zed, "document:doc1", "edit", "user:bob"), HAS);
    assert.equal(await check(zed, "document:doc2", "view", "user:carol"), HAS);
  });
});
