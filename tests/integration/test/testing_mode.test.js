// `rebacd serve-testing`: every bearer token gets its own in-memory datastore, so test suites
// running in parallel against one server never see each other's data (SpiceDB's serve-testing).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { v1 } from "@authzed/authzed-node";

import { startServer } from "../lib/server.js";
import { CREATE, HAS, NO, Status, check, read, readSchema, write, writeSchema } from "../lib/spicedb.js";

const SCHEMA = `definition user {}

definition document {
    relation viewer: user
    permission view = viewer
}
`;

describe("serve-testing", { timeout: 60000 }, () => {
  let server;

  before(async () => {
    server = await startServer({ testing: true, host: "localhost" });
  });
  after(async () => {
    await server?.dispose();
  });

  it("gives each token its own datastore", async () => {
    const a = server.client("suite-a");
    const b = server.client("suite-b");
    await writeSchema(a, SCHEMA);
    await write(a, CREATE, ["document:1#viewer@user:alice"]);

    await assert.rejects(readSchema(b), (err) => err.code === Status.NOT_FOUND);
    await writeSchema(b, SCHEMA);
    assert.deepEqual(await read(b, { resourceType: "document" }), []);
    await write(b, CREATE, ["document:1#viewer@user:bob"]);

    assert.deepEqual(await read(a, { resourceType: "document" }), ["document:1#viewer@user:alice"]);
    assert.deepEqual(await read(b, { resourceType: "document" }), ["document:1#viewer@user:bob"]);
    assert.equal(await check(a, "document:1", "view", "user:bob"), NO);
    assert.equal(await check(b, "document:1", "view", "user:bob"), HAS);

    // The same token again (a new connection) finds its data.
    const again = server.client("suite-a");
    assert.deepEqual(await read(again, { resourceType: "document" }), ["document:1#viewer@user:alice"]);
  });

  it("needs no preshared key: any token is accepted", async () => {
    const zed = server.client("anything-at-all");
    await writeSchema(zed, SCHEMA);
  });

  it("answers on localhost over both IPv4 and IPv6", async (t) => {
    const v4 = v1.NewClient("ip-test", `127.0.0.1:${server.port}`, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
    try {
      await writeSchema(v4, SCHEMA);
    } finally {
      v4.close();
    }
    const v6 = v1.NewClient("ip-test", `[::1]:${server.port}`, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
    try {
      assert.match(await readSchema(v6), /definition document/);
    } catch (err) {
      if (err.code === Status.UNAVAILABLE && /EADDRNOTAVAIL|ENETUNREACH|EAFNOSUPPORT/.test(err.details)) {
        t.skip("this machine has no IPv6 loopback");
        return;
      }
      throw err;
    } finally {
      v6.close();
    }
  });
});
