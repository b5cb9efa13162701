// Starts and stops the real rebacd binary for the integration tests.
//
//   const server = await startServer();          // free port, fresh data dir, random key
//   const zed = server.client();                 // official @authzed/authzed-node client
//   await zed.promises.writeSchema(v1.WriteSchemaRequest.create({ schema }));
//   await server.kill();                         // SIGKILL, as a crash would
//   await server.start();                        // same port, same data dir
//   await server.dispose();                      // SIGTERM, close clients, remove the data dir
//
//   const testing = await startServer({ testing: true });  // `rebacd serve-testing`: no data
//   const a = testing.client("token-a");                    // dir; each token its own store
//
// The binary comes from $REBACD_BIN. Its stdout and stderr are kept (the last 256 KiB) and shown
// when it fails to start or exits on its own; REBACD_TEST_VERBOSE=1 also streams them live.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants as fsConstants } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { v1 } from "@authzed/authzed-node";

import { Status } from "./spicedb.js";

const LOG_LIMIT = 256 * 1024;
const verbose = process.env.REBACD_TEST_VERBOSE === "1";
const live = new Set(); // servers with a running process, killed if this process exits early

process.on("exit", () => {
  for (const server of live) server.proc?.kill("SIGKILL");
});

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort() {
  const probe = createServer();
  await new Promise((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", resolve);
  });
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The path of the server binary from $REBACD_BIN; throws a clear error if it is unusable. */
export function rebacdBinary() {
  const bin = process.env.REBACD_BIN;
  if (!bin) {
    throw new Error(
      "REBACD_BIN is not set: point it at the server binary, e.g. " +
        "REBACD_BIN=build/api/rebacd node --test tests/integration/test/ (ctest sets it)",
    );
  }
  try {
    accessSync(bin, fsConstants.X_OK);
  } catch {
    throw new Error(`REBACD_BIN=${bin} is not an executable file: build the rebacd target first`);
  }
  return bin;
}

export class RebacdServer {
  /**
   * @param {object} [options]
   * @param {string} [options.bin]      server binary (default $REBACD_BIN)
   * @param {string} [options.key]      preshared key (default: random)
   * @param {string} [options.dataDir]  datastore directory (default: a new temporary one)
   * @param {number} [options.port]     gRPC port on 127.0.0.1 (default: a free one)
   * @param {boolean} [options.testing] run `serve-testing` (in-memory, one store per token)
   * @param {string} [options.host]     host to listen on and dial (default 127.0.0.1)
   */
  constructor({ bin, key, dataDir, port, testing = false, host = "127.0.0.1" } = {}) {
    this.bin = bin ?? rebacdBinary();
    this.key = key ?? randomBytes(16).toString("hex");
    this.dataDir = dataDir;
    this.ownsDataDir = dataDir === undefined;
    this.port = port;
    this.testing = testing;
    this.host = host;
    this.proc = null;
    this.exited = null; // resolves with { code, signal } when the current process ends
    this.log = "";
    this.clients = [];
  }

  get address() {
    return `${this.host}:${this.port}`;
  }

  /** The server's recent stdout/stderr, for failure messages. */
  logTail(chars = 8000) {
    return this.log.length > chars ? "…" + this.log.slice(-chars) : this.log;
  }

  /** Starts the process (on the same port and data dir as before, if any) and waits until it answers. */
  async start({ readyTimeoutMs = 20000 } = {}) {
    if (this.proc) throw new Error("rebacd is already running");
    this.port ??= await freePort();
    let args;
    if (this.testing) {
      args = ["serve-testing", "--grpc-addr", this.address];
    } else {
      this.dataDir ??= await mkdtemp(join(tmpdir(), "rebacd-it-"));
      args = [
        "serve",
        "--grpc-addr", this.address,
        "--grpc-preshared-key", this.key,
        "--datastore-engine", "rocksdb",
        "--datastore-path", this.dataDir,
      ];
    }
    this.appendLog(`\n--- start: ${this.bin} ${args.join(" ")}\n`);
    const proc = spawn(this.bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.proc = proc;
    live.add(this);
    proc.stdout.on("data", (chunk) => this.appendLog(chunk));
    proc.stderr.on("data", (chunk) => this.appendLog(chunk));
    let expectedExit = false;
    this.expectExit = () => (expectedExit = true);
    this.exited = new Promise((resolve) => {
      proc.once("error", (err) => {
        this.appendLog(`--- spawn error: ${err.message}\n`);
        this.onExit(proc, { code: null, signal: null, error: err }, resolve, expectedExit);
      });
      proc.once("exit", (code, signal) =>
        this.onExit(proc, { code, signal }, resolve, expectedExit),
      );
    });
    await this.waitReady(readyTimeoutMs);
  }

  onExit(proc, result, resolve, expectedExit) {
    if (this.proc !== proc) return;
    this.proc = null;
    live.delete(this);
    this.appendLog(`--- exit: code=${result.code} signal=${result.signal}\n`);
    if (!expectedExit && !this.starting) {
      process.stderr.write(
        `rebacd exited unexpectedly (code ${result.code}, signal ${result.signal}); ` +
          `its output:\n${this.logTail()}\n`,
      );
    }
    resolve(result);
  }

  appendLog(chunk) {
    const text = chunk.toString();
    if (verbose) process.stderr.write(text);
    this.log += text;
    if (this.log.length > LOG_LIMIT) this.log = this.log.slice(-LOG_LIMIT / 2);
  }

  /** Retries ReadSchema until the server answers (OK or NOT_FOUND both mean it is up). */
  async waitReady(timeoutMs) {
    this.starting = true;
    const deadline = Date.now() + timeoutMs;
    let lastError = "no attempt";
    try {
      while (Date.now() < deadline) {
        if (!this.proc) {
          throw new Error(`rebacd exited before answering; its output:\n${this.logTail()}`);
        }
        // A fresh channel each time: a channel that failed to connect backs off for seconds.
        const probe = v1.NewClient(this.key, this.address, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
        try {
          await probe.promises.readSchema(v1.ReadSchemaRequest.create(), { deadline: Date.now() + 1000 });
          return;
        } catch (err) {
          if (err.code === Status.NOT_FOUND) return;
          if (![Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED].includes(err.code)) {
            throw new Error(
              `rebacd answered ReadSchema with code ${err.code} (${err.details}) while starting; ` +
                `expected OK or NOT_FOUND. Its output:\n${this.logTail()}`,
            );
          }
          lastError = `code ${err.code}: ${err.details}`;
        } finally {
          probe.close();
        }
        await sleep(100);
      }
      throw new Error(
        `rebacd did not answer within ${timeoutMs} ms (last: ${lastError}); its output:\n${this.logTail()}`,
      );
    } catch (err) {
      await this.kill();
      throw err;
    } finally {
      this.starting = false;
    }
  }

  /** A new client with the server's key (or another one); closed by stop(). */
  client(key = this.key) {
    const client = v1.NewClient(key, this.address, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
    this.clients.push(client);
    return client;
  }

  closeClients() {
    for (const client of this.clients) client.close();
    this.clients = [];
  }

  /** SIGKILLs the process (a crash: nothing is flushed) and waits until it is gone. */
  async kill() {
    if (!this.proc) return null;
    this.expectExit();
    this.proc.kill("SIGKILL");
    return await this.exited;
  }

  /**
   * SIGTERMs the process and waits up to graceMs for it to exit (then SIGKILLs it).
   * Returns { code, signal } of the exit, or null if it was not running.
   */
  async stop({ graceMs = 10000 } = {}) {
    this.closeClients();
    if (!this.proc) return null;
    this.expectExit();
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => {
      this.appendLog(`--- still running ${graceMs} ms after SIGTERM: SIGKILL\n`);
      this.proc?.kill("SIGKILL");
    }, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the server and removes the data directory if this object created it. */
  async dispose() {
    await this.stop();
    if (this.ownsDataDir && this.dataDir) {
      await rm(this.dataDir, { recursive: true, force: true });
    }
  }
}

/** Creates a server with the given options and starts it. */
export async function startServer(options) {
  const server = new RebacdServer(options);
  await server.start();
  return server;
}

/**
 * One server for the enclosing describe(): started before its tests, `setup(client, server)` run
 * (write a schema, relationships), disposed of after them.
 */
export function serveForSuite(setup) {
  let server;
  before(async () => {
    server = await startServer();
    await setup(server.client(), server);
  });
  after(async () => {
    await server?.dispose();
  });
}
