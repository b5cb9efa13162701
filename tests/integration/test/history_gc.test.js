// History window and garbage collection against the real binary, with a tiny window
// (--gc-window=2s --gc-interval=1s): a ZedToken older than the window is refused as SpiceDB
// refuses it (OUT_OF_RANGE "invalid revision: revision has expired" for at_exact_snapshot;
// INTERNAL "watch error: revision has expired" for a Watch start cursor), only sets a floor for
// at_least_as_fresh, and stays refused after a restart.
import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { v1 } from "@authzed/authzed-node";

import { rebacdBinary, startServer } from "../lib/server.js";
import {
  HAS,
  Status,
  TOUCH,
  atLeastAsFresh,
  check,
  checkResponse,
  rejectsWith,
  write,
  writeSchema,
} from "../lib/spicedb.js";

const SCHEMA = `definition user {}

definition document {
    relation viewer: user
    permission view = viewer
}
`;

const atExactSnapshot = (zedToken) => ({
  requirement: { oneofKind: "atExactSnapshot", atExactSnapshot: zedToken },
});

/** The first error of a Watch stream started after `token`, or null if it sends data first. */
function watchError(client, token) {
  return new Promise((resolve) => {
    const stream = client.watch(v1.WatchRequest.create({ optionalStartCursor: token }));
    stream.on("data", () => {
      stream.cancel();
      resolve(null);
    });
    stream.on("error", resolve);
  });
}

describe("history window and garbage collection", () => {
  let wrapperDir;
  let server;
  let client;

  before(async () => {
    // lib/server.js passes a fixed set of flags; a wrapper adds the GC ones.
    wrapperDir = await mkdtemp(join(tmpdir(), "rebacd-gc-it-"));
    const bin = join(wrapperDir, "rebacd");
    await writeFile(
      bin,
      `#!/bin/sh\nexec "${rebacdBinary()}" "$@" --gc-window=2s --gc-interval=1s ` +
        `--datastore-revision-quantization-interval=0\n`,
    );
    await chmod(bin, 0o755);
    server = await startServer({ bin });
    client = server.client();
  });

  after(async () => {
    await server?.dispose();
    if (wrapperDir) await rm(wrapperDir, { recursive: true, force: true });
  });

  it("refuses a ZedToken older than the window as SpiceDB does, also after a restart", async () => {
    await writeSchema(client, SCHEMA);
    const old = (await write(client, TOUCH, ["document:d#viewer@user:alice"])).writtenAt;
    assert.equal(
      await check(client, "document:d", "view", "user:alice", atExactSnapshot(old)),
      HAS,
    );
    // Two more revisions, so the horizon (never the head) can pass the old one.
    await write(client, TOUCH, ["document:d#viewer@user:bob"]);
    await write(client, TOUCH, ["document:d#viewer@user:carol"]);

    // The window is 2s and GC runs every second: the old token expires within a few seconds.
    let err = null;
    for (let i = 0; i < 40 && err === null; i++) {
      await sleep(250);
      try {
        await checkResponse(client, "document:d", "view", "user:alice", atExactSnapshot(old));
      } catch (e) {
        err = e;
      }
    }
    assert.ok(err, `the old token never expired; server log:\n${server.logTail()}`);
    assert.equal(err.code, Status.OUT_OF_RANGE, err.details ?? err.message);
    assert.match(err.details ?? err.message, /invalid revision: revision has expired/);

    // at_least_as_fresh only sets a floor: an expired token is no error.
    assert.equal(
      await check(client, "document:d", "view", "user:carol", atLeastAsFresh(old)),
      HAS,
    );

    const watchErr = await watchError(client, old);
    assert.ok(watchErr, "Watch from an expired token started");
    assert.equal(watchErr.code, Status.INTERNAL, watchErr.details);
    assert.match(watchErr.details ?? watchErr.message, /watch error: revision has expired/);

    assert.match(server.log, /rebacd: gc: oldest readable revision now \d+/);

    // The horizon is persisted: still refused after a crash and restart.
    await server.kill();
    await server.start();
    client = server.client();
    await rejectsWith(
      checkResponse(client, "document:d", "view", "user:alice", atExactSnapshot(old)),
      Status.OUT_OF_RANGE,
      "at_exact_snapshot of an expired token after a restart",
    );
    // Reads at the head are unaffected.
    assert.equal(await check(client, "document:d", "view", "user:bob"), HAS);
  });
});
