// summarize.mjs RUNS.jsonl FACTS.jsonl: compare.sh's markdown summary. Medians over repetitions;
// every ratio compares runs of the same compare.sh invocation.
import fs from "node:fs";

const lines = (f) =>
  fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim().split("\n").filter(Boolean).map(JSON.parse) : [];
const runs = lines(process.argv[2]);
const facts = lines(process.argv[3]);

const median = (xs) => {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const pick = (server, dataset, what, conc) =>
  runs.filter((r) => r.server === server && r.dataset === dataset && r.what === what && r.conc === conc);
const med = (server, dataset, what, conc, field) => median(pick(server, dataset, what, conc).map((r) => r[field]));
// Median of per-repetition ratios a/b (each pair taken seconds apart).
const pairedRatio = (server, dataset, conc, field, whatA, whatB) => {
  const a = pick(server, dataset, whatA, conc), b = pick(server, dataset, whatB, conc);
  return median(a.map((ra) => {
    const rb = b.find((x) => x.rep === ra.rep);
    return rb ? ra[field] / rb[field] : undefined;
  }));
};
const n = (x, digits = 0) =>
  x === undefined ? "–" : x.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a, b, digits = 1) => (a === undefined || b === undefined || !b ? "–" : `${(a / b).toFixed(digits)}×`);

const out = [];
const datasets = [...new Set(runs.map((r) => r.dataset))];
const reps = Math.max(0, ...runs.filter((r) => r.server === "rebacd").map((r) => r.rep));

out.push(`### CheckPermission (medians of ${reps} rebacd runs; SpiceDB memory datastore, 1 run)`, "");
out.push("| dataset | conc | rebacd check QPS | p50 µs | p99 µs | server CPU µs/check | rebacd health QPS | check/health | SpiceDB check QPS | SpiceDB p50 µs | SpiceDB health QPS | rebacd/SpiceDB |");
out.push("|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const d of datasets) {
  for (const c of [...new Set(runs.filter((r) => r.dataset === d && r.what === "check").map((r) => r.conc))]) {
    const q = med("rebacd", d, "check", c, "qps"), sq = med("spicedb", d, "check", c, "qps");
    const ch = pairedRatio("rebacd", d, c, "qps", "check", "health");
    out.push(`| ${d} | ${c} | ${n(q)} | ${n(med("rebacd", d, "check", c, "p50_us"))} | ${n(med("rebacd", d, "check", c, "p99_us"))} | ` +
      `${n(med("rebacd", d, "check", c, "server_cpu_us_per_req"))} | ${n(med("rebacd", d, "health", c, "qps"))} | ` +
      `${ch === undefined ? "–" : ch.toFixed(2)} | ${n(sq, 1)} | ${n(med("spicedb", d, "check", c, "p50_us"))} | ` +
      `${n(med("spicedb", d, "health", c, "qps"))} | ${ratio(q, sq, 0)} |`);
  }
}

const lookupRows = runs.filter((r) => r.what === "lookup");
if (lookupRows.length) {
  out.push("", "### LookupResources", "");
  out.push("| dataset | conc | rebacd results/s | requests/s | p50 µs | p99 µs | first result p50 µs | SpiceDB results/s | rebacd/SpiceDB |");
  out.push("|---|---|---|---|---|---|---|---|---|");
  for (const d of [...new Set(lookupRows.map((r) => r.dataset))]) {
    for (const c of [...new Set(lookupRows.filter((r) => r.dataset === d).map((r) => r.conc))]) {
      const rr = med("rebacd", d, "lookup", c, "results_per_s"), sr = med("spicedb", d, "lookup", c, "results_per_s");
      out.push(`| ${d} | ${c} | ${n(rr)} | ${n(med("rebacd", d, "lookup", c, "qps"), 1)} | ${n(med("rebacd", d, "lookup", c, "p50_us"))} | ` +
        `${n(med("rebacd", d, "lookup", c, "p99_us"))} | ${n(med("rebacd", d, "lookup", c, "first_result_p50_us"))} | ${n(sr)} | ${ratio(rr, sr, 0)} |`);
    }
  }
}

if (facts.length) {
  out.push("", "### Load, memory, cold start", "");
  out.push("| server | dataset | relationships | load s | RSS empty MB | RSS loaded MB | MB per 1M relationships | data dir MB | cold start ms (start → first check) | RSS after restart MB |");
  out.push("|---|---|---|---|---|---|---|---|---|---|");
  for (const f of facts) {
    out.push(`| ${f.server} | ${f.dataset} | ${n(f.relationships)} | ${n(f.load_s, 1)} | ${n(f.rss_empty_mb)} | ${n(f.rss_loaded_mb)} | ` +
      `${n(f.mb_per_million_rels)} | ${n(f.disk_mb)} | ${n(f.cold_start_ms)} | ${n(f.rss_after_restart_mb)} |`);
  }
}

// The targets of issue 4 ("Speed").
const targets = [];
const t = (name, value, ok) => targets.push(`| ${name} | ${value} | ${ok === undefined ? "–" : ok ? "yes" : "**no**"} |`);
const chDirect = pairedRatio("rebacd", "direct", 8, "qps", "check", "health");
const chNested = pairedRatio("rebacd", "nested", 8, "qps", "check", "health");
const p99Nested = med("rebacd", "nested", "check", 8, "p99_us");
const p50Direct = med("rebacd", "direct", "check", 1, "p50_us");
const lookupRate = med("rebacd", "lookup", "lookup", 8, "results_per_s");
if (chDirect !== undefined) t("direct check QPS / health QPS, c=8 ≥ 0.7", chDirect.toFixed(2), chDirect >= 0.7);
if (chNested !== undefined) t("nested check QPS / health QPS, c=8 ≥ 0.3", chNested.toFixed(2), chNested >= 0.3);
if (p99Nested !== undefined) t("nested check p99 at c=8 < 2 ms", `${n(p99Nested)} µs`, p99Nested < 2000);
if (p50Direct !== undefined) t("direct check p50 at c=1 ≤ 0.2 ms", `${n(p50Direct)} µs`, p50Direct <= 200);
if (lookupRate !== undefined) t("LookupResources on lookup, c=8 ≥ 300,000 results/s", n(lookupRate), lookupRate >= 300000);
if (targets.length) {
  out.push("", "### Targets", "", "| target | measured | met |", "|---|---|---|", ...targets);
}
console.log(out.join("\n"));
