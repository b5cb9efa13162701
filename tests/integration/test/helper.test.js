// The test harness itself: port finding and the clear errors for a missing binary.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";

import { RebacdServer, freePort } from "../lib/server.js";

describe("test harness", () => {
  it("freePort returns a port that can be bound on 127.0.0.1", async () => {
    const port = await freePort();
    assert.ok(Number.isInteger(port) && port > 0 && port < 65536, `port ${port}`);
    const listener = createServer();
    await new Promise((resolve, reject) => {
      listener.once("error", reject);
      listener.listen(port, "127.0.0.1", resolve);
    });
    await new Promise((resolve) => listener.close(resolve));
  });

  it("a binary that does not exist is reported, not waited for", async () => {
    const server = new RebacdServer({ bin: "/nonexistent/rebacd" });
    await assert.rejects(server.start(), /exited before answering|ENOENT/);
    await server.dispose();
  });
});
