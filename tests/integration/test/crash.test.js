// Crash safety, 50 times over: SIGKILL the server while concurrent writers are mid-flight and a
// Watch stream is open, restart it on the same data dir, and check after every restart that
//   - every acknowledged write is there, and no write (acknowledged or not) is there in part;
//   - a Watch resumed from the last token received before the kill continues with exactly the
//     revisions committed after it: nothing skipped, nothing repeated, nothing that is not in
//     the data (a write the kill interrupted is in both the data and Watch, or in neither);
//   - each revision Watch reports is one write (or several whole ones folded together), with the
//     token each was acknowledged with, and writes acknowledged before another was sent come
//     first.
// At the end a Watch from the earliest token replays the whole history, and it must equal the
// per-cycle streams concatenated and rebuild exactly the stored relationships.
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { v1 } from "@authzed/authzed-node";

import { startServer } from "../lib/server.js";
import {
  CREATE,
  DELETE,
  HAS,
  atLeastAsFresh,
  check,
  read,
  readSchema,
  relationshipText,
  write,
  writeSchema,
} from "../lib/spicedb.js";

const SCHEMA = `definition user {}

definition document {
    relation viewer: user
    permission view = viewer
}
`;

const CYCLES = Number(process.env.CRASH_CYCLES ?? 50);
const WRITERS = 4; // concurrent writers; each keeps one write in flight
const RELS_PER_WRITE = 5;
const DELETE_EVERY = 4; // every 4th write of a writer deletes an earlier acknowledged batch

/** The relationships of one batch; every batch has its own resource ids. */
const batch = (name) =>
  Array.from({ length: RELS_PER_WRITE }, (_, i) => `document:${name}-${i}#viewer@user:${name}-u${i % 3}`);

/** A Watch stream whose responses are queued; remembers how it ended. */
function openWatch(client, startToken) {
  const stream = client.watch(v1.WatchRequest.create({ optionalStartCursor: startToken }));
  const queue = [];
  let failure = null;
  let ended = false;
  let wake = () => {};
  stream.on("data", (response) => {
    queue.push(response);
    wake();
  });
  stream.on("error", (err) => {
    failure = err;
    wake();
  });
  stream.on("end", () => {
    ended = true;
    wake();
  });
  return {
    /** Responses until one whose changesThrough is `token` (included). */
    async until(token, timeoutMs = 20000) {
      const out = [];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (queue.length) {
          const response = queue.shift();
          out.push(response);
          if (response.changesThrough?.token === token) return out;
        }
        if (failure) throw failure;
        if (ended) throw new Error("Watch stream ended before reaching the token");
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(`Watch did not reach token ${token} within ${timeoutMs} ms (${out.length} responses)`);
        }
        await new Promise((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(left, 200));
        });
      }
    },
    /** Everything received so far (the stream may have failed meanwhile). */
    received() {
      return queue.splice(0);
    },
    cancel() {
      stream.cancel();
    },
  };
}

/** A Watch response as { token, key }: key is its sorted "+rel"/"-rel" list, joined. */
const revisionOf = (response) => ({
  token: response.changesThrough?.token,
  key: response.updates
    .map((u) => `${u.operation === DELETE ? "-" : "+"}${relationshipText(u.relationship)}`)
    .sort()
    .join(" "),
});

/** The key an operation's revision must have in Watch (CREATE is reported as TOUCH, "+"). */
const keyOf = (op) => op.rels.map((r) => `${op.kind === "delete" ? "-" : "+"}${r}`).sort().join(" ");

describe("crash recovery with Watch replay", { timeout: 600000 }, () => {
  let server;
  let startToken; // the schema write's token: history starts after it
  let cursor; // Watch token the next cycle resumes from (the previous cycle's marker)
  const ops = []; // every write attempted: { id, cycle, kind, rels, batch, sentAt, ackedAt, token, acked, applied }
  const batches = new Map(); // batch name -> { created: op, deleted: op|null }
  const segments = []; // per cycle, the revisions Watch reported (before + after the kill)

  before(async () => {
    server = await startServer();
    startToken = (await writeSchema(server.client(), SCHEMA)).writtenAt;
    cursor = startToken;
  });
  after(async () => {
    await server?.dispose();
  });

  for (let cycle = 0; cycle < CYCLES; cycle++) {
    it(`cycle ${cycle + 1}/${CYCLES}: SIGKILL under concurrent writes; data all-or-nothing, Watch resumes without gap or duplicate`, async (t) => {
      const zed = server.client();
      const watch = openWatch(zed, cursor);
      const cycleOps = [];
      let killed = false;

      // Writers: each sends one write at a time until the kill makes its call fail.
      const writer = async (w) => {
        for (let n = 0; !killed; n++) {
          let op;
          // Deletes alternate between the oldest undeleted batch and the newest one (usually
          // created this cycle, so a create and its delete both land between two kills).
          let victim;
          if (n % DELETE_EVERY === DELETE_EVERY - 1) {
            const candidates = [...batches.values()].filter((b) => b.created.acked && !b.deleteTried);
            victim = n % (2 * DELETE_EVERY) === 2 * DELETE_EVERY - 1 ? candidates.at(-1) : candidates[0];
          }
          if (victim) {
            victim.deleteTried = true;
            op = { kind: "delete", rels: victim.created.rels, batch: victim.name };
          } else {
            const name = `c${cycle}w${w}n${n}`;
            op = { kind: "create", rels: batch(name), batch: name };
            batches.set(name, { name, created: op, deleted: null });
          }
          if (op.kind === "delete") batches.get(op.batch).deleted = op;
          Object.assign(op, { id: ops.length, cycle, sentAt: performance.now(), acked: false });
          ops.push(op);
          cycleOps.push(op);
          try {
            const response = await write(zed, op.kind === "create" ? CREATE : DELETE, op.rels);
            Object.assign(op, { acked: true, ackedAt: performance.now(), token: response.writtenAt.token });
          } catch (err) {
            op.error = `code ${err.code}`;
            if (!killed) throw new Error(`write ${op.batch} failed before the kill: ${err.code} ${err.details}`);
            return;
          }
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));

      // Let the load run for a while that differs from cycle to cycle, then crash.
      await sleep(15 + ((cycle * 37) % 120));
      const dying = server.kill(); // sends SIGKILL before its first await
      killed = true; // writers stop sending; the calls already sent are in flight
      await dying;
      await Promise.all(writers);
      await sleep(20); // let the stream's error arrive
      const beforeKill = watch.received().map(revisionOf);
      watch.cancel();

      await server.start();
      const recovered = server.client();

      // Data: acknowledged writes are all there; interrupted ones all or nothing.
      const stored = new Set(await read(recovered, { resourceType: "document" }));
      let deletedInCycle = 0;
      // Deletes first: a create whose delete was sent this cycle is judged by that delete, which
      // may have committed without being acknowledged (killed while it waited for its fsync).
      const deletesFirst = [
        ...cycleOps.filter((o) => o.kind === "delete"),
        ...cycleOps.filter((o) => o.kind !== "delete"),
      ];
      for (const op of deletesFirst) {
        const present = op.rels.filter((r) => stored.has(r)).length;
        const deletedLater = op.kind === "create" && batches.get(op.batch).deleted?.applied;
        if (op.kind === "create" && deletedLater) {
          // Judged by the delete, which was sent only after this create was acknowledged: the
          // create committed, and its revision is in Watch's history.
          op.applied = true;
          deletedInCycle++;
          continue;
        }
        assert.ok(
          present === 0 || present === op.rels.length,
          `${op.kind} of ${op.batch} (${op.acked ? "acknowledged" : op.error}) half-applied: ` +
            `${present} of ${op.rels.length} relationships present`,
        );
        op.applied = op.kind === "create" ? present > 0 : present === 0;
        if (op.acked) {
          assert.ok(op.applied, `acknowledged ${op.kind} of ${op.batch} was lost in the crash`);
        }
      }
      const expected = new Set();
      for (const b of batches.values()) {
        if (b.created.applied && !b.deleted?.applied) for (const r of b.created.rels) expected.add(r);
      }
      for (const m of ops.filter((o) => o.kind === "marker")) for (const r of m.rels) expected.add(r);
      const missing = [...expected].filter((r) => !stored.has(r));
      const unexpected = [...stored].filter((r) => !expected.has(r));
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} relationships missing`);
      assert.deepEqual(unexpected.slice(0, 10), [], `${unexpected.length} relationships never written`);
      const interrupted = cycleOps.filter((o) => !o.acked);
      t.diagnostic(
        `${cycleOps.length} writes, ${interrupted.length} interrupted ` +
          `(${interrupted.filter((o) => o.applied).length} of them committed), ` +
          `${deletedInCycle} batches created and deleted, ${beforeKill.length} Watch responses before the kill`,
      );

      // A marker write after the restart ends this cycle's history.
      const markerRels = [`document:marker${cycle}#viewer@user:marker`];
      const marker = {
        id: ops.length, cycle, kind: "marker", rels: markerRels, sentAt: performance.now(),
      };
      const markerResponse = await write(recovered, CREATE, markerRels);
      Object.assign(marker, {
        acked: true, applied: true, ackedAt: performance.now(), token: markerResponse.writtenAt.token,
      });
      ops.push(marker);

      // Watch resumed from the last token received before the kill (or where this cycle began).
      const resumeFrom = beforeKill.length ? { token: beforeKill.at(-1).token } : cursor;
      const resumed = openWatch(recovered, resumeFrom);
      const afterKill = (await resumed.until(marker.token)).map(revisionOf);
      resumed.cancel();
      const segment = [...beforeKill, ...afterKill];
      segments.push(segment);
      cursor = { token: marker.token };
      checkSegment(segment, [...cycleOps.filter((o) => o.applied), marker], cycle);

      // The schema survived, checks answer, a token from before the crash is still accepted.
      assert.match(await readSchema(recovered), /definition document/);
      assert.equal(await check(recovered, `document:marker${cycle}`, "view", "user:marker"), HAS);
      assert.equal(
        await check(recovered, "document:marker0", "view", "user:marker", atLeastAsFresh({ token: marker.token })),
        HAS,
      );
      server.closeClients();
    });
  }

  it("a Watch from the earliest token replays the whole history, in order, once", async () => {
    assert.equal(segments.length, CYCLES, "a cycle failed; the replay is not checked");
    const zed = server.client();
    const last = ops.at(-1);
    const watch = openWatch(zed, startToken);
    const replay = (await watch.until(last.token, 60000)).map(revisionOf);
    watch.cancel();
    const streamed = segments.flat();
    const differs = replay.findIndex((r, i) => r.token !== streamed[i]?.token || r.key !== streamed[i]?.key);
    assert.ok(
      differs === -1 && replay.length === streamed.length,
      `the full replay (${replay.length} revisions) differs from the per-cycle streams ` +
        `(${streamed.length}) at revision ${differs}: ` +
        `${JSON.stringify(replay[differs])?.slice(0, 300)} vs ${JSON.stringify(streamed[differs])?.slice(0, 300)}`,
    );

    // Applying the replayed changes in order rebuilds exactly what is stored.
    const rebuilt = new Set();
    for (const { key } of replay) {
      for (const change of key.split(" ")) {
        if (change.startsWith("+")) rebuilt.add(change.slice(1));
        else assert.ok(rebuilt.delete(change.slice(1)), `Watch deletes ${change} before creating it`);
      }
    }
    const stored = await read(zed, { resourceType: "document" });
    assert.deepEqual([...rebuilt].sort(), stored, "replayed history does not rebuild the stored data");
    server.closeClients();
  });

  /**
   * One cycle's Watch revisions are exactly its committed writes, each once and whole, in a
   * causal order. A revision may hold several whole writes (a datastore may fold concurrent
   * transactions into one revision, as full_revision_metadata allows); then each of them was
   * acknowledged with that revision's token.
   */
  function checkSegment(segment, committed, cycle) {
    const where = `cycle ${cycle + 1}`;
    const name = (op) => (op.kind === "marker" ? `marker write ${op.rels[0]}` : `${op.kind} of ${op.batch}`);
    const owner = new Map(); // "+rel" / "-rel" -> the write that made that change
    for (const op of committed) for (const change of keyOf(op).split(" ")) owner.set(change, op);
    const seen = new Map(); // op -> position of its revision
    segment.forEach(({ token, key }, position) => {
      const changes = key.split(" ");
      const writes = new Map(); // op -> how many of its changes this revision holds
      for (const change of changes) {
        const op = owner.get(change);
        assert.ok(op, `${where}: Watch revision ${position} holds ${change}, which no committed write of this cycle made`);
        writes.set(op, (writes.get(op) ?? 0) + 1);
      }
      for (const [op, count] of writes) {
        assert.equal(count, op.rels.length, `${where}: Watch revision ${position} holds ${count} of the ${op.rels.length} changes of ${name(op)}`);
        assert.ok(!seen.has(op), `${where}: Watch repeats ${name(op)} (revisions ${seen.get(op)} and ${position})`);
        seen.set(op, position);
        if (op.acked) {
          assert.equal(token, op.token, `${where}: Watch token of ${name(op)} differs from its acknowledgement`);
        }
      }
    });
    const skipped = committed.filter((op) => !seen.has(op));
    assert.deepEqual(
      skipped.map((op) => `${name(op)} (${op.acked ? "acknowledged" : "interrupted, committed"})`),
      [],
      `${where}: committed writes Watch skipped`,
    );
    const tokens = new Set(segment.map((r) => r.token));
    assert.equal(tokens.size, segment.length, `${where}: two Watch revisions share a token`);
    for (const a of committed) {
      if (!a.acked) continue;
      for (const b of committed) {
        if (a !== b && a.ackedAt < b.sentAt) {
          assert.ok(
            seen.get(a) < seen.get(b),
            `${where}: ${name(b)} was sent after ${name(a)} was acknowledged, but Watch reports it first`,
          );
        }
      }
    }
  }
});
