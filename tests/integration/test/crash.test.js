// Crash safety: SIGKILL the server while a write is in flight, restart it on the same data dir,
// and check that every acknowledged write survived and no write survived in part.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { startServer } from "../lib/server.js";
import {
  CREATE,
  HAS,
  NO,
  atLeastAsFresh,
  check,
  read,
  readSchema,
  write,
  writeSchema,
} from "../lib/spicedb.js";

const SCHEMA = `definition user {}

definition document {
    relation viewer: user
    permission view = viewer
}
`;

const CYCLES = 5;
const WRITES_PER_CYCLE = 50;
const RELS_PER_WRITE = 20;
const IN_FLIGHT = 3; // concurrent writes sent just before the kill

/** The relationships of one batch; every batch has its own resource ids. */
const batch = (name) =>
  Array.from({ length: RELS_PER_WRITE }, (_, i) => `document:${name}-${i}#viewer@user:${name}-u${i % 7}`);

describe("crash recovery", { timeout: 300000 }, () => {
  let server;
  const acknowledged = new Set(); // relationship strings the server acknowledged
  let lastToken; // writtenAt of the last acknowledged write

  before(async () => {
    server = await startServer();
    await writeSchema(server.client(), SCHEMA);
  });
  after(async () => {
    await server?.dispose();
  });

  for (let cycle = 0; cycle < CYCLES; cycle++) {
    it(`cycle ${cycle + 1}/${CYCLES}: acknowledged writes survive SIGKILL, in-flight ones are all-or-nothing`, async (t) => {
      const zed = server.client();
      for (let w = 0; w < WRITES_PER_CYCLE; w++) {
        const rels = batch(`c${cycle}w${w}`);
        const response = await write(zed, CREATE, rels);
        for (const r of rels) acknowledged.add(r);
        lastToken = response.writtenAt;
      }

      // A few writes in flight, then SIGKILL after a delay that differs from cycle to cycle.
      const inFlight = Array.from({ length: IN_FLIGHT }, (_, i) => {
        const rels = batch(`c${cycle}f${i}`);
        const outcome = write(zed, CREATE, rels).then(
          () => "acknowledged",
          (err) => `failed: code ${err.code}`,
        );
        return { rels, outcome };
      });
      await sleep([0, 1, 3, 6, 10][cycle % 5]);
      await server.kill();

      const outcomes = await Promise.all(inFlight.map((f) => f.outcome));
      await server.start();
      const recovered = server.client();

      const stored = new Set(await read(recovered, { resourceType: "document" }));
      const missing = [...acknowledged].filter((r) => !stored.has(r));
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged relationships lost`);

      inFlight.forEach(({ rels }, i) => {
        const present = rels.filter((r) => stored.has(r)).length;
        t.diagnostic(`in-flight write ${i}: ${outcomes[i]}, ${present ? "present" : "absent"} after restart`);
        assert.ok(
          present === 0 || present === rels.length,
          `in-flight write ${i} was partly applied: ${present} of ${rels.length} relationships present`,
        );
        if (outcomes[i] === "acknowledged") {
          assert.equal(present, rels.length, `in-flight write ${i} was acknowledged but is missing`);
        }
        if (present) for (const r of rels) acknowledged.add(r);
      });
      const unexpected = [...stored].filter((r) => !acknowledged.has(r));
      assert.deepEqual(unexpected, [], "relationships that were never written");

      // The schema survived, checks answer, and a token from before the crash is still accepted.
      assert.match(await readSchema(recovered), /definition document/);
      const sample = `document:c${cycle}w${WRITES_PER_CYCLE - 1}-0`;
      assert.equal(await check(recovered, sample, "view", `user:c${cycle}w${WRITES_PER_CYCLE - 1}-u0`), HAS);
      assert.equal(await check(recovered, sample, "view", "user:nobody"), NO);
      assert.equal(
        await check(recovered, `document:c0w0-3`, "view", "user:c0w0-u3", atLeastAsFresh(lastToken)),
        HAS,
      );

      // Writes still work after recovery.
      const extra = `document:c${cycle}-after#viewer@user:after`;
      await write(recovered, CREATE, [extra]);
      acknowledged.add(extra);
      server.closeClients();
    });
  }
});
