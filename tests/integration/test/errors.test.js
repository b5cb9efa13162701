// Errors carry SpiceDB's gRPC status codes, and a failed write changes nothing.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { v1 } from "@authzed/authzed-node";

import { startServer } from "../lib/server.js";
import { DOCS_SCHEMA, DOCS_TYPES } from "../lib/schemas.js";
import {
  CREATE,
  HAS,
  Status,
  TOUCH,
  check,
  checkResponse,
  deleteWhere,
  read,
  readAll,
  readSchema,
  rejectsWith,
  update,
  write,
  writeSchema,
  writeUpdates,
} from "../lib/spicedb.js";

const BASE = [
  "group:eng#member@user:bob",
  "document:doc1#owner@user:alice",
  "document:doc1#editor@group:eng#member",
];

// Five valid new relationships, to be sent together with one bad update.
const GOOD = [1, 2, 3, 4, 5].map((i) => `document:atomic#viewer@user:u${i}`);

describe("errors", { timeout: 120000 }, () => {
  let server;
  let zed;
  let snapshot; // every relationship, as written by before()

  before(async () => {
    server = await startServer();
    zed = server.client();
    await writeSchema(zed, DOCS_SCHEMA);
    await write(zed, CREATE, BASE);
    snapshot = await readAll(zed, DOCS_TYPES);
    assert.deepEqual(snapshot, [...BASE].sort());
  });
  after(async () => {
    await server?.dispose();
  });

  /** Asserts that the stored relationships are exactly those written by before(). */
  async function assertUnchanged(what) {
    assert.deepEqual(await readAll(zed, DOCS_TYPES), snapshot, `data changed after ${what}`);
  }

  /** Sends the updates in one WriteRelationships that must fail with `code`; nothing may change. */
  async function failingWrite(updates, code, what) {
    const err = await rejectsWith(writeUpdates(zed, updates), code, what);
    await assertUnchanged(what);
    return err;
  }

  it("check on an unknown definition → FAILED_PRECONDITION", async () => {
    const err = await rejectsWith(
      checkResponse(zed, "spreadsheet:s1", "view", "user:alice"),
      Status.FAILED_PRECONDITION,
      "CheckPermission spreadsheet:s1#view@user:alice",
    );
    assert.match(err.details, /spreadsheet/);
  });

  it("check on an unknown relation or permission → FAILED_PRECONDITION", async () => {
    const err = await rejectsWith(
      checkResponse(zed, "document:doc1", "delete", "user:alice"),
      Status.FAILED_PRECONDITION,
      "CheckPermission document:doc1#delete@user:alice",
    );
    assert.match(err.details, /delete/);
  });

  it("write of a subject type the relation does not allow → INVALID_ARGUMENT", async () => {
    await failingWrite(
      [update(CREATE, "document:doc1#owner@group:eng#member")],
      Status.INVALID_ARGUMENT,
      "CREATE document:doc1#owner@group:eng#member (owner allows user only)",
    );
    await failingWrite(
      [update(TOUCH, "document:doc1#editor@user:*")],
      Status.INVALID_ARGUMENT,
      "TOUCH document:doc1#editor@user:* (editor allows no wildcard)",
    );
  });

  it("CREATE of an existing relationship → ALREADY_EXISTS", async () => {
    await failingWrite(
      [update(CREATE, "document:doc1#owner@user:alice")],
      Status.ALREADY_EXISTS,
      "CREATE of the existing document:doc1#owner@user:alice",
    );
  });

  it("schema with a syntax error → INVALID_ARGUMENT naming line and column; the old schema stays", async () => {
    const before = (await readSchema(zed));
    const broken = "definition user {}\n\ndefinition document {\n    relation viewer user\n}\n";
    const err = await rejectsWith(
      writeSchema(zed, broken),
      Status.INVALID_ARGUMENT,
      "WriteSchema with a missing ':' on line 4",
    );
    const line = /line\s*:?\s*(\d+)/i.exec(err.details);
    const column = /col(?:umn)?\s*:?\s*(\d+)/i.exec(err.details);
    assert.ok(line && column, `no line and column in the error message: ${err.details}`);
    assert.equal(Number(line[1]), 4, `wrong line number in: ${err.details}`);
    assert.equal((await readSchema(zed)), before);
    assert.equal(await check(zed, "document:doc1", "edit", "user:bob"), HAS);
  });

  it("no preshared key → UNAUTHENTICATED; a wrong one → PERMISSION_DENIED", async () => {
    // SpiceDB answers UNAUTHENTICATED for a missing bearer token and PERMISSION_DENIED for a
    // token that matches no preshared key (internal/auth/presharedkey.go).
    const anonymous = server.client("");
    await rejectsWith(readSchema(anonymous), Status.UNAUTHENTICATED, "ReadSchema without a key");
    const stranger = server.client("not-the-key");
    await rejectsWith(
      checkResponse(stranger, "document:doc1", "view", "user:alice"),
      Status.PERMISSION_DENIED,
      "CheckPermission with a wrong key",
    );
    await rejectsWith(
      write(stranger, TOUCH, ["document:doc1#viewer@user:intruder"]),
      Status.PERMISSION_DENIED,
      "WriteRelationships with a wrong key",
    );
    await rejectsWith(
      writeSchema(stranger, "definition user {}"),
      Status.PERMISSION_DENIED,
      "WriteSchema with a wrong key",
    );
    await assertUnchanged("writes with a wrong key");
    assert.match((await readSchema(zed)), /definition document/);
  });

  it("more than 1,000 updates in one write → INVALID_ARGUMENT; exactly 1,000 succeed", async () => {
    const many = (n, prefix) =>
      Array.from({ length: n }, (_, i) => update(CREATE, `document:${prefix}${i}#viewer@user:bulk`));
    await failingWrite(many(1001, "over"), Status.INVALID_ARGUMENT, "WriteRelationships with 1,001 updates");

    await writeUpdates(zed, many(1000, "limit"));
    const stored = await read(zed, { resourceType: "document", optionalRelation: "viewer" });
    assert.equal(stored.length, 1000);
    await deleteWhere(zed, {
      resourceType: "document",
      optionalRelation: "viewer",
      optionalSubjectFilter: { subjectType: "user", optionalSubjectId: "bulk" },
    });
    await assertUnchanged("deleting the 1,000");
  });

  it("malformed object types and ids → INVALID_ARGUMENT", async () => {
    const rel = (resourceType, resourceId, subjectId) =>
      v1.RelationshipUpdate.create({
        operation: TOUCH,
        relationship: {
          resource: { objectType: resourceType, objectId: resourceId },
          relation: "viewer",
          subject: { object: { objectType: "user", objectId: subjectId }, optionalRelation: "" },
        },
      });
    const bad = [
      ["document", "has space", "alice", "resource id with a space"],
      ["document", "", "alice", "empty resource id"],
      ["document", "doc1", "al ice", "subject id with a space"],
      ["document", "doc1", "", "empty subject id"],
      ["document", "x".repeat(1025), "alice", "resource id over 1024 characters"],
      ["Document", "doc1", "alice", "upper-case object type"],
      ["", "doc1", "alice", "empty object type"],
    ];
    for (const [type, id, subjectId, what] of bad) {
      await failingWrite([rel(type, id, subjectId)], Status.INVALID_ARGUMENT, `write with ${what}`);
    }
    await rejectsWith(
      checkResponse(zed, "document:doc 1", "view", "user:alice"),
      Status.INVALID_ARGUMENT,
      "CheckPermission on resource id 'doc 1'",
    );
  });

  it("a write with five good updates and one bad one stores none of them", async () => {
    const good = GOOD.map((r) => update(CREATE, r));
    const cases = [
      [update(CREATE, "document:atomic#owner@group:eng#member"), Status.INVALID_ARGUMENT, "disallowed subject type"],
      [update(CREATE, "document:doc1#owner@user:alice"), Status.ALREADY_EXISTS, "CREATE of an existing relationship"],
      [update(CREATE, "document:atomic#nonexistent@user:u1"), Status.FAILED_PRECONDITION, "unknown relation"],
      [
        v1.RelationshipUpdate.create({
          operation: CREATE,
          relationship: {
            resource: { objectType: "document", objectId: "bad id" },
            relation: "viewer",
            subject: { object: { objectType: "user", objectId: "u9" }, optionalRelation: "" },
          },
        }),
        Status.INVALID_ARGUMENT,
        "malformed id",
      ],
    ];
    for (const [bad, code, what] of cases) {
      // The bad update last, so a server that applies updates one by one has applied the rest.
      await failingWrite([...good, bad], code, `5 good updates + 1 bad (${what})`);
    }
    // The same five alone are accepted.
    await write(zed, CREATE, GOOD);
    assert.deepEqual(
      await readAll(zed, DOCS_TYPES),
      [...snapshot, ...GOOD].sort(),
    );
  });
});
