// Depth limit: SpiceDB stops a check after 50 levels of dispatch.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { serveForSuite } from "../lib/server.js";
import { CREATE, HAS, NO, Status, check, checkResponse, rejectsWith, write, writeSchema } from "../lib/spicedb.js";

const SCHEMA = `definition user {}

definition group {
    relation member: user | group#member
}
`;

/** group:<prefix>0 holds user:u; group:<prefix>i holds group:<prefix>(i-1)#member. */
function chain(prefix, length) {
  const rels = [`group:${prefix}0#member@user:u`];
  for (let i = 1; i < length; i++) rels.push(`group:${prefix}${i}#member@group:${prefix}${i - 1}#member`);
  return rels;
}

describe("depth", { timeout: 120000 }, () => {
  let zed;
  serveForSuite(async (client) => {
    zed = client;
    await writeSchema(zed, SCHEMA);
    await write(zed, CREATE, [...chain("short", 10), ...chain("long", 60)]);
  });

  it("a chain of 10 nested groups → HAS_PERMISSION", async () => {
    assert.equal(await check(zed, "group:short9", "member", "user:u"), HAS);
    assert.equal(await check(zed, "group:short9", "member", "user:other"), NO);
  });

  it("a chain of 60 nested groups → FAILED_PRECONDITION (maximum depth 50)", async () => {
    // SpiceDB v1.54 answers FAILED_PRECONDITION "max depth exceeded: this usually indicates a
    // recursive or too deep data dependency".
    await rejectsWith(
      checkResponse(zed, "group:long59", "member", "user:u"),
      Status.FAILED_PRECONDITION,
      "CheckPermission group:long59#member@user:u through 60 nested groups",
    );
    // The shallow end of the same chain still answers.
    assert.equal(await check(zed, "group:long9", "member", "user:u"), HAS);
  });
});
