// WatchService.Watch against the real binary: what SpiceDB sends (CREATE reported as TOUCH,
// one response per revision with its token and transaction metadata, schema changes and
// checkpoints only when asked for), filters, and resuming after a SIGKILL with nothing skipped
// and nothing repeated.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { v1 } from "@authzed/authzed-node";

import { startServer } from "../lib/server.js";
import {
  CREATE,
  DELETE,
  Status,
  TOUCH,
  relationshipText,
  update,
  write,
  writeSchema,
} from "../lib/spicedb.js";

const SCHEMA = `definition user {}

definition group {
    relation member: user
}

definition document {
    relation viewer: user | group#member
    permission view = viewer
}
`;

const { INCLUDE_SCHEMA_UPDATES: SCHEMA_UPDATES, INCLUDE_CHECKPOINTS: CHECKPOINTS } =
  v1.WatchKind;

/** Opens a Watch stream and hands its responses out one at a time. */
function openWatch(client, request = {}) {
  const stream = client.watch(v1.WatchRequest.create(request));
  const queue = [];
  let failure = null;
  let wake = () => {};
  stream.on("data", (response) => {
    queue.push(response);
    wake();
  });
  stream.on("error", (err) => {
    failure = err;
    wake();
  });
  return {
    /** The next response; throws the stream's error, or on timeout. */
    async next(timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0) {
        if (failure) throw failure;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error("no Watch response in time");
        await new Promise((resolve) => {
          wake = resolve;
          setTimeout(resolve, left);
        });
      }
      return queue.shift();
    },
    /** Responses that arrive within `ms`, without waiting for more. */
    async drain(ms = 300) {
      await new Promise((r) => setTimeout(r, ms));
      return queue.splice(0);
    },
    cancel() {
      stream.cancel();
    },
  };
}

const texts = (response) =>
  response.updates.map((u) => `${u.operation === DELETE ? "-" : "+"}${relationshipText(u.relationship)}`);

describe("Watch", { timeout: 120000 }, () => {
  let server;
  let zed;

  before(async () => {
    server = await startServer();
    zed = server.client();
    await writeSchema(zed, SCHEMA);
  });
  after(async () => {
    await server?.dispose();
  });

  it("streams each revision once, CREATE as TOUCH, with its token and transaction metadata", async () => {
    const watch = openWatch(zed);
    await new Promise((r) => setTimeout(r, 200)); // the stream starts "now"
    const created = await write(zed, CREATE, ["document:w1#viewer@user:alice", "document:w1#viewer@user:bob"]);
    const response = await watch.next();
    assert.deepEqual(texts(response).sort(), ["+document:w1#viewer@user:alice", "+document:w1#viewer@user:bob"]);
    assert.ok(response.updates.every((u) => u.operation === TOUCH));
    assert.equal(response.changesThrough.token, created.writtenAt.token);

    const metadata = v1.createStructFromObject({ source: "watch-test", n: 7 });
    const deleted = await zed.promises.writeRelationships(
      v1.WriteRelationshipsRequest.create({
        updates: [update(DELETE, "document:w1#viewer@user:alice")],
        optionalTransactionMetadata: metadata,
      }),
    );
    const second = await watch.next();
    assert.deepEqual(texts(second), ["-document:w1#viewer@user:alice"]);
    assert.equal(second.changesThrough.token, deleted.writtenAt.token);
    assert.deepEqual(v1.PbStruct.toJson(second.optionalTransactionMetadata), { source: "watch-test", n: 7 });
    // No schema or checkpoint messages unless asked for.
    await writeSchema(zed, SCHEMA);
    assert.deepEqual(await watch.drain(), []);
    watch.cancel();
  });

  it("filters by object type and by relationship filter, and refuses both at once", async () => {
    const byType = openWatch(zed, { optionalObjectTypes: ["group"] });
    const byFilter = openWatch(zed, {
      optionalRelationshipFilters: [
        v1.RelationshipFilter.create({ resourceType: "document", optionalResourceId: "f2" }),
      ],
    });
    await new Promise((r) => setTimeout(r, 200));
    await write(zed, TOUCH, ["document:f1#viewer@user:a", "group:g#member@user:a", "document:f2#viewer@user:b"]);
    assert.deepEqual(texts(await byType.next()), ["+group:g#member@user:a"]);
    assert.deepEqual(texts(await byFilter.next()), ["+document:f2#viewer@user:b"]);
    byType.cancel();
    byFilter.cancel();

    const both = openWatch(zed, {
      optionalObjectTypes: ["group"],
      optionalRelationshipFilters: [v1.RelationshipFilter.create({ resourceType: "document" })],
    });
    await assert.rejects(both.next(), (err) => {
      assert.equal(err.code, Status.INVALID_ARGUMENT);
      assert.match(err.details, /cannot specify both object types and relationship filters/);
      return true;
    });
  });

  it("reports schema changes and checkpoints when asked for", async () => {
    const watch = openWatch(zed, { optionalUpdateKinds: [SCHEMA_UPDATES, CHECKPOINTS] });
    const first = await watch.next();
    assert.equal(first.isCheckpoint, true); // caught up with the head
    const written = await writeSchema(zed, SCHEMA);
    const schema = await watch.next();
    assert.equal(schema.schemaUpdated, true);
    assert.equal(schema.changesThrough.token, written.writtenAt.token);
    const checkpoint = await watch.next();
    assert.equal(checkpoint.isCheckpoint, true);
    assert.equal(checkpoint.changesThrough.token, written.writtenAt.token);
    watch.cancel();
  });

  it("rejects a start cursor that does not decode", async () => {
    const watch = openWatch(zed, { optionalStartCursor: { token: "not-a-token" } });
    await assert.rejects(watch.next(), (err) => {
      assert.equal(err.code, Status.INVALID_ARGUMENT);
      assert.match(err.details, /failed to decode start revision/);
      return true;
    });
  });

  it("resumes after a SIGKILL from the last token, skipping and repeating nothing", async () => {
    const start = (await write(zed, TOUCH, ["document:r0#viewer@user:x"])).writtenAt;
    const expected = [];
    for (let i = 1; i <= 20; i++) {
      const rel = `document:r${i}#viewer@user:x`;
      await write(zed, CREATE, [rel]);
      expected.push(`+${rel}`);
    }
    // Read part of the history, remember the last token, then crash the server.
    const seen = [];
    let watch = openWatch(zed, { optionalStartCursor: start });
    let lastToken = start;
    for (let i = 0; i < 8; i++) {
      const response = await watch.next();
      seen.push(...texts(response));
      lastToken = response.changesThrough;
    }
    watch.cancel();
    await server.kill();
    await server.start();
    zed = server.client();
    for (let i = 21; i <= 25; i++) {
      const rel = `document:r${i}#viewer@user:x`;
      await write(zed, CREATE, [rel]);
      expected.push(`+${rel}`);
    }
    watch = openWatch(zed, { optionalStartCursor: lastToken });
    while (seen.length < expected.length) {
      seen.push(...texts(await watch.next()));
    }
    assert.deepEqual(seen, expected);
    assert.deepEqual(await watch.drain(), []);
    watch.cancel();
  });
});
