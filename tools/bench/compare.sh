#!/usr/bin/env bash
# compare.sh: rebacd and the real SpiceDB side by side, with ../shared/bench's kit.
#
#   tools/bench/compare.sh                  # everything (~10 minutes on 2 cores)
#   DURATION=10 DATASETS="nested" tools/bench/compare.sh
#
# Copies the kit to $REBAC_BENCH_DIR (default /tmp/rebacd-bench; shared/ is read-only), builds
# it, generates the `direct` and `nested` datasets, then for each server in turn: loads the
# dataset, verifies (rebacd) every check answer against the generator's expected answers (a wrong
# answer stops the run), and measures the gRPC health check (the loopback floor) and CheckPermission
# at concurrency 1 and 8. Results: one JSON line per run in $REBAC_BENCH_DIR/results/<stamp>/,
# and a summary table with rebacd/SpiceDB ratios taken in the same run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KIT_SRC=${REBAC_BENCH_KIT:-$ROOT/../shared/bench}
WORK=${REBAC_BENCH_DIR:-/tmp/rebacd-bench}
DATASETS=${DATASETS:-"direct nested"}
DURATION=${DURATION:-15}
CONC=${CONC:-"1 8"}
REBACD=${REBACD:-$ROOT/build/api/rebacd}
KEY=bench-key
log() { echo "[$(date +%T)] $*" >&2; }

[[ -x "$REBACD" ]] || { echo "compare.sh: build rebacd first ($REBACD)" >&2; exit 2; }
if [[ ! -x "$WORK/build/loadgen" ]]; then
  mkdir -p "$WORK" && cp -r "$KIT_SRC"/. "$WORK"/ && chmod -R u+w "$WORK"
  (cd "$WORK" && ./build.sh)
fi
cd "$WORK"
for ds in $DATASETS; do [[ -f data/$ds/rels.bin ]] || node gen.mjs "$ds"; done
printf '\0\0\0\0' >health.bin
R="results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$R"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "compare.sh: nothing listens on $1" >&2; return 1
}

bench() { # server target token-args dataset method requests conc label
  local server=$1 target=$2 tok=$3 ds=$4 method=$5 requests=$6 c=$7 what=$8
  ./build/loadgen bench --target "$target" $tok --method "$method" --requests "$requests" \
    --concurrency "$c" --duration "$DURATION" --warmup 2 |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s.trim().split("\n").pop());
      Object.assign(j,{server:process.argv[1],dataset:process.argv[2],what:process.argv[3],conc:+process.argv[4]});
      console.log(JSON.stringify(j))})' "$server" "$ds" "$what" "$c" | tee -a "$R/runs.jsonl"
}

run_server() { # name target token-args
  local name=$1 target=$2 tok=$3
  for ds in $DATASETS; do
    log "$name: load $ds"
    ./build/loadgen load --target "$target" $tok --dir "data/$ds" >/dev/null
    [[ $name == spicedb ]] && sleep 6  # its minimize_latency reads a ~5 s old revision
    if [[ $name == rebacd ]]; then  # SpiceDB is the reference the answers came from
      log "$name: verify $ds"
      ./build/loadgen verify --target "$target" $tok \
        --method /authzed.api.v1.PermissionsService/CheckPermission \
        --requests "data/$ds/checks.bin" --expect "data/$ds/checks.tsv"
    fi
    for c in $CONC; do
      bench "$name" "$target" "$tok" "$ds" /grpc.health.v1.Health/Check health.bin "$c" health
      bench "$name" "$target" "$tok" "$ds" /authzed.api.v1.PermissionsService/CheckPermission \
        "data/$ds/checks.bin" "$c" check
    done
  done
}

log "rebacd: start"
rm -rf "$WORK/rebacd-data"
"$REBACD" serve --grpc-addr 127.0.0.1:50071 --grpc-preshared-key "$KEY" \
  --datastore-path "$WORK/rebacd-data" 2>"$R/rebacd.log" &
pids+=($!)
wait_port 50071
run_server rebacd 127.0.0.1:50071 "--token $KEY"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

log "spicedb: start"
./build/spicedb-serve --port 50061 2>"$R/spicedb.log" &
pids+=($!)
wait_port 50061
run_server spicedb 127.0.0.1:50061 ""

node - "$R/runs.jsonl" <<'JS' | tee "$R/summary.md"
const fs = require("fs");
const runs = fs.readFileSync(process.argv[2], "utf8").trim().split("\n").map(JSON.parse);
const get = (s, d, w, c) => runs.find((r) => r.server === s && r.dataset === d && r.what === w && r.conc === c);
const rows = ["| dataset | conc | rebacd check QPS | p50 µs | p99 µs | rebacd health QPS | check/health | SpiceDB check QPS | rebacd/SpiceDB |",
              "|---|---|---|---|---|---|---|---|---|"];
for (const d of [...new Set(runs.map((r) => r.dataset))]) {
  for (const c of [...new Set(runs.map((r) => r.conc))]) {
    const rc = get("rebacd", d, "check", c), rh = get("rebacd", d, "health", c), sc = get("spicedb", d, "check", c);
    if (!rc) continue;
    const f = (x) => (x === undefined ? "–" : Math.round(x).toLocaleString("en"));
    rows.push(`| ${d} | ${c} | ${f(rc.qps)} | ${f(rc.p50_us)} | ${f(rc.p99_us)} | ${f(rh?.qps)} | ` +
      `${rh ? (rc.qps / rh.qps).toFixed(2) : "–"} | ${f(sc?.qps)} | ${sc ? (rc.qps / sc.qps).toFixed(1) + "×" : "–"} |`);
  }
}
console.log(rows.join("\n"));
JS
log "results in $WORK/$R"
