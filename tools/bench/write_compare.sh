#!/usr/bin/env bash
# write_compare.sh: the write side of rebacd and the real SpiceDB, side by side, as a markdown
# table. A benchmark, not a test.
#
#   tools/bench/write_compare.sh                   # everything, about 6 minutes on 2 cores
#   DURATION=3 IMPORT_RELS=200000 tools/bench/write_compare.sh   # a quick look
#   SPICEDB=0 tools/bench/write_compare.sh         # rebacd only
#
# Needs build/tools/bench/write_bench and build/api/rebacd (override with WRITE_BENCH=,
# REBACD=; e.g. `ninja -C build write_bench rebacd`). SpiceDB is the kit's spicedb-serve
# (SpiceDB v1.54.0, memory datastore) from $REBAC_BENCH_DIR (default /tmp/rebacd-bench), which
# is copied from ../shared/bench and built there when missing, as compare.sh does.
#
# On a fresh rebacd data directory (fsync before every acknowledgement, --datastore-sync=true):
#   write      WriteRelationships, TOUCH of fresh relationships, at each concurrency in $CONC
#              and each size in $RELS (relationships per call), $DURATION s after $WARMUP s
#   bulk       WriteRelationships of 1,000 relationships per call at concurrency 4: the bulk
#              load path SpiceDB offers here (its library does not export ImportBulk)
#   import     one ImportBulkRelationships stream of $IMPORT_RELS relationships
#   watch lag  $LAG_COUNT sequential one-relationship writes, $LAG_INTERVAL_MS apart, with a
#              Watch open: acknowledgement (and send) to delivery on the stream, p50/p99
# then the same on SpiceDB (import is reported as not served).
# Output: JSON lines in $REBAC_BENCH_DIR/write-results/<stamp>/runs.jsonl and the table in
# summary.md next to it (also printed).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KIT_SRC=${REBAC_BENCH_KIT:-$ROOT/../shared/bench}
WORK=${REBAC_BENCH_DIR:-/tmp/rebacd-bench}
REBACD=${REBACD:-$ROOT/build/api/rebacd}
WRITE_BENCH=${WRITE_BENCH:-$ROOT/build/tools/bench/write_bench}
REBACD_ARGS=${REBACD_ARGS:-}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONC=${CONC:-"1 8 64"}
RELS=${RELS:-"1 10"}
IMPORT_RELS=${IMPORT_RELS:-1000000}
LAG_COUNT=${LAG_COUNT:-500}
LAG_INTERVAL_MS=${LAG_INTERVAL_MS:-5}
SPICEDB=${SPICEDB:-1}
KEY=bench-key
RPORT=50081
SPORT=50082
log() { echo "[$(date +%T)] $*" >&2; }

[[ -x "$REBACD" ]] || { echo "write_compare.sh: build rebacd first ($REBACD)" >&2; exit 2; }
[[ -x "$WRITE_BENCH" ]] || { echo "write_compare.sh: build write_bench first ($WRITE_BENCH)" >&2; exit 2; }
if ((SPICEDB)) && [[ ! -x "$WORK/build/spicedb-serve" ]]; then
  mkdir -p "$WORK" && cp -r "$KIT_SRC"/. "$WORK"/ && chmod -R u+w "$WORK"
  (cd "$WORK" && ./build.sh)
fi
R="$WORK/write-results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$R"
START=$(date +%s)

source "$ROOT/tools/bench/server_control.sh"
trap 'stop_server; rm -rf "$WORK/write-rebacd-data"' EXIT


# run SERVER TARGET TOKEN_ARGS MODE ARGS...: one write_bench run, its JSON line kept.
run() {
  local server=$1 target=$2 tok=$3 mode=$4
  shift 4
  local line
  # write_bench exits 1 on call errors (e.g. UNIMPLEMENTED); the JSON line says which.
  line=$("$WRITE_BENCH" --target "$target" $tok --label "$server" "$mode" "$@" || true)
  [[ -n "$line" ]] || { echo "write_compare.sh: write_bench $mode printed nothing" >&2; exit 1; }
  echo "$line" >>"$R/runs.jsonl"
  echo "  $line" >&2
}

bench_server() { # SERVER TARGET TOKEN_ARGS
  local server=$1 target=$2 tok=$3 c n
  run "$server" "$target" "$tok" setup >/dev/null
  for n in $RELS; do
    for c in $CONC; do
      log "$server: write c=$c, $n relationship(s) per call"
      run "$server" "$target" "$tok" write --concurrency "$c" --rels-per-write "$n" \
        --duration "$DURATION" --warmup "$WARMUP"
    done
  done
  log "$server: watch lag ($LAG_COUNT writes)"
  run "$server" "$target" "$tok" watch-lag --count "$LAG_COUNT" --interval-ms "$LAG_INTERVAL_MS"
  log "$server: bulk WriteRelationships, 1,000 per call, c=4"
  run "$server" "$target" "$tok" write --concurrency 4 --rels-per-write 1000 \
    --duration "$DURATION" --warmup "$WARMUP"
  log "$server: ImportBulkRelationships of $IMPORT_RELS relationships"
  run "$server" "$target" "$tok" import --relationships "$IMPORT_RELS"
}

log "rebacd: fresh data directory, --datastore-sync=true"
rm -rf "$WORK/write-rebacd-data"
"$REBACD" serve --grpc-addr 127.0.0.1:$RPORT --grpc-preshared-key "$KEY" \
  --datastore-path "$WORK/write-rebacd-data" --datastore-sync=true $REBACD_ARGS \
  >/dev/null 2>>"$R/rebacd.log" &
SERVER_PID=$!
wait_port $RPORT
bench_server rebacd 127.0.0.1:$RPORT "--token $KEY"
stop_server

if ((SPICEDB)); then
  log "spicedb: the kit's spicedb-serve, memory datastore"
  (cd "$WORK" && exec ./build/spicedb-serve --port $SPORT) >/dev/null 2>>"$R/spicedb.log" &
  SERVER_PID=$!
  wait_port $SPORT
  sleep 1
  bench_server spicedb 127.0.0.1:$SPORT ""
  stop_server
fi

node - "$R/runs.jsonl" >"$R/summary.md" <<'JS'
const fs = require("fs");
const runs = fs.readFileSync(process.argv[2], "utf8").trim().split("\n").map((l) => JSON.parse(l));
const servers = ["rebacd", "spicedb"].filter((s) => runs.some((r) => r.label === s));
const find = (server, pred) => runs.find((r) => r.label === server && pred(r));
const k = (x) => (x >= 10000 ? `${(x / 1000).toFixed(0)}k` : x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0));
const ms = (us) => (us >= 10000 ? `${(us / 1000).toFixed(0)} ms` : us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${us.toFixed(0)} µs`);
const rows = [];
const writes = runs.filter((r) => r.mode === "write" && r.label === servers[0]);
for (const w of writes) {
  const name = w.rels_per_write === 1000
    ? `bulk WriteRelationships, 1,000/call, c=${w.concurrency}`
    : `WriteRelationships, ${w.rels_per_write} rel/call, c=${w.concurrency}`;
  rows.push([name, ...servers.map((s) => {
    const r = find(s, (x) => x.mode === "write" && x.concurrency === w.concurrency && x.rels_per_write === w.rels_per_write);
    if (!r) return "—";
    const errors = Object.keys(r.errors).length ? ` (errors ${JSON.stringify(r.errors)})` : "";
    return `${k(r.writes_per_s)} writes/s = ${k(r.rels_per_s)} rels/s; p50 ${ms(r.p50_us)}, p99 ${ms(r.p99_us)}${errors}`;
  })]);
}
rows.push(["ImportBulkRelationships", ...servers.map((s) => {
  const r = find(s, (x) => x.mode === "import");
  if (!r) return "—";
  if (r.error) return `not served (${r.error})`;
  return `${k(r.rels_per_s)} rels/s (${r.relationships.toLocaleString("en-US")} in ${r.seconds} s)`;
})]);
rows.push(["Watch lag, ack → delivered", ...servers.map((s) => {
  const r = find(s, (x) => x.mode === "watch-lag");
  if (!r) return "—";
  return `p50 ${ms(r.lag_from_ack_p50_us)}, p99 ${ms(r.lag_from_ack_p99_us)}` + (r.missing ? ` (${r.missing} never delivered)` : "");
})]);
rows.push(["Watch lag, send → delivered", ...servers.map((s) => {
  const r = find(s, (x) => x.mode === "watch-lag");
  return r ? `p50 ${ms(r.lag_from_send_p50_us)}, p99 ${ms(r.lag_from_send_p99_us)}` : "—";
})]);
const header = ["workload", ...servers.map((s) => (s === "rebacd" ? "rebacd (RocksDB, fsync per commit)" : "SpiceDB v1.54.0 (memory datastore)"))];
console.log(`| ${header.join(" | ")} |`);
console.log(`|${header.map(() => "---").join("|")}|`);
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
JS
cat "$R/summary.md"
log "results in $R ($(($(date +%s) - START)) s)"
