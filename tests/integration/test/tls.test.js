// TLS: rebacd serves gRPC over TLS with --grpc-tls-cert-path/--grpc-tls-key-path, and the
// official client connects with the server's certificate as its root; a plaintext client
// cannot talk to a TLS server. The certificate is a fresh self-signed one for 127.0.0.1.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { v1 } from "@authzed/authzed-node";

import { freePort, rebacdBinary } from "../lib/server.js";
import { Status } from "../lib/spicedb.js";

let dir;
let proc;
let port;
let cert;
const key = "tls-test-key";

async function readSchemaCode(client) {
  try {
    await client.promises.readSchema(v1.ReadSchemaRequest.create(), { deadline: Date.now() + 2000 });
    return Status.OK;
  } catch (err) {
    return err.code;
  } finally {
    client.close();
  }
}

const tlsClient = () => v1.NewClientWithCustomCert(key, `127.0.0.1:${port}`, cert);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "rebacd-tls-"));
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
    "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
  ], { stdio: "ignore" });
  cert = await readFile(join(dir, "cert.pem"));
  port = await freePort();
  proc = spawn(rebacdBinary(), [
    "serve", "--grpc-addr", `127.0.0.1:${port}`, "--grpc-preshared-key", key,
    "--datastore-path", join(dir, "data"),
    "--grpc-tls-cert-path", join(dir, "cert.pem"), "--grpc-tls-key-path", join(dir, "key.pem"),
  ], { stdio: "ignore" });
  // Up when a TLS ReadSchema answers NOT_FOUND (no schema yet).
  for (let i = 0; i < 100; i++) {
    if ((await readSchemaCode(tlsClient())) === Status.NOT_FOUND) return;
    await sleep(100);
  }
  throw new Error("rebacd with TLS did not answer within 10 s");
});

after(async () => {
  proc?.kill("SIGKILL");
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("a client trusting the server's certificate talks to it over TLS", async () => {
  const client = tlsClient();
  await client.promises.writeSchema(v1.WriteSchemaRequest.create({ schema: "definition user {}" }));
  assert.equal(await readSchemaCode(client), Status.OK);
});

test("a plaintext client cannot talk to the TLS server", async () => {
  const plain = v1.NewClient(key, `127.0.0.1:${port}`, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
  assert.equal(await readSchemaCode(plain), Status.UNAVAILABLE);
});

test("a client that does not trust the certificate is refused", async () => {
  const untrusting = v1.NewClient(key, `127.0.0.1:${port}`, v1.ClientSecurity.SECURE);
  assert.equal(await readSchemaCode(untrusting), Status.UNAVAILABLE);
});
