// ReadRelationships paging: optional_limit pages, after_result_cursor resumes exactly after the
// last relationship sent — also when that relationship was deleted between the pages.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { v1 } from "@authzed/authzed-node";

import { startServer } from "../lib/server.js";
import { CREATE, DELETE, fullyConsistent, relationshipText, write, writeSchema } from "../lib/spicedb.js";

let server;
let zed;
const all = ["doc:a#viewer@user:u1", "doc:b#viewer@user:u1", "doc:c#viewer@user:u1",
             "doc:d#viewer@user:u1", "doc:e#viewer@user:u1"];

async function page(limit, cursor, filter = { resourceType: "doc" }) {
  const responses = await zed.promises.readRelationships(v1.ReadRelationshipsRequest.create({
    consistency: fullyConsistent(),
    relationshipFilter: filter,
    optionalLimit: limit,
    ...(cursor ? { optionalCursor: cursor } : {}),
  }));
  return { texts: responses.map((r) => relationshipText(r.relationship)),
           cursor: responses.at(-1)?.afterResultCursor };
}

before(async () => {
  server = await startServer();
  zed = server.client();
  await writeSchema(zed, "definition user {}\ndefinition doc {\n  relation viewer: user\n}");
  await write(zed, CREATE, all);
});

after(() => server?.dispose());

test("pages of two walk every relationship once, in order", async () => {
  const seen = [];
  let cursor;
  for (;;) {
    const p = await page(2, cursor);
    seen.push(...p.texts);
    if (p.texts.length < 2) break;
    cursor = p.cursor;
  }
  assert.deepEqual(seen, all);
});

test("a cursor still resumes after its relationship is deleted", async () => {
  const first = await page(2);
  assert.deepEqual(first.texts, all.slice(0, 2));
  await write(zed, DELETE, [all[1]]);
  const rest = await page(10, first.cursor);
  assert.deepEqual(rest.texts, all.slice(2));
});

test("the subject-major index pages the same way", async () => {
  const filter = { resourceType: "doc",
                   optionalSubjectFilter: { subjectType: "user", optionalSubjectId: "u1" } };
  const first = await page(1, undefined, filter);
  const rest = await page(10, first.cursor, filter);
  assert.equal(first.texts.length, 1);
  assert.ok(!rest.texts.includes(first.texts[0]));
  assert.equal(first.texts.length + rest.texts.length, all.length - 1);  // doc:b was deleted
});
