#!/usr/bin/env bash
# compare.sh: rebacd and the real SpiceDB side by side, with ../shared/bench's kit.
#
#   tools/bench/compare.sh                  # everything, about 12 minutes on 2 cores
#   DURATION=5 REPEAT=1 DATASETS="nested" tools/bench/compare.sh
#   SPICEDB=0 tools/bench/compare.sh        # rebacd only
#
# Copies the kit to $REBAC_BENCH_DIR (default /tmp/rebacd-bench; shared/ is read-only), builds
# it and generates the datasets. Then, for each dataset, on a fresh rebacd data directory:
#   load          schema + relationships; load time, server RSS before and after (memory per 1M
#                 relationships = RSS growth / relationships), data directory size
#   verify        every check (and for `lookup`, every lookup's result count) against the
#                 generator's expected answers; a wrong answer stops the run
#   bench         grpc.health.v1.Health/Check (the loopback floor of this gRPC stack) and
#                 CheckPermission at each concurrency in $CONC (direct, nested), or
#                 LookupResources (lookup), each $REPEAT times interleaved, so the check/health
#                 ratios compare runs taken seconds apart; server CPU per request from /proc
#   cold start    stop the server, start it again on the loaded directory, and time the start
#                 until the first successful CheckPermission
# and the same loads and benches on SpiceDB (the kit's spicedb-serve: SpiceDB v1.54.0's memory
# datastore, a fresh one per dataset), verifying only the first $SPICEDB_VERIFY checks because
# its memory datastore answers ~15 checks/s at 300k relationships.
# Output: one JSON line per run in $REBAC_BENCH_DIR/results/<stamp>/runs.jsonl, facts (load,
# memory, cold start) in facts.jsonl, and summary.md: medians, ratios and the targets.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KIT_SRC=${REBAC_BENCH_KIT:-$ROOT/../shared/bench}
WORK=${REBAC_BENCH_DIR:-/tmp/rebacd-bench}
DATASETS=${DATASETS:-"direct nested lookup"}
DURATION=${DURATION:-8}
REPEAT=${REPEAT:-3}
CONC=${CONC:-"1 8"}
LOOKUP_CONC=${LOOKUP_CONC:-"1 8"}
SPICEDB=${SPICEDB:-1}
SPICEDB_DURATION=${SPICEDB_DURATION:-10}
SPICEDB_VERIFY=${SPICEDB_VERIFY:-100}
REBACD=${REBACD:-$ROOT/build/api/rebacd}
REBACD_ARGS=${REBACD_ARGS:-}
KEY=bench-key
RPORT=50071
SPORT=50061
CHECK=/authzed.api.v1.PermissionsService/CheckPermission
LOOKUP=/authzed.api.v1.PermissionsService/LookupResources
HEALTH=/grpc.health.v1.Health/Check
log() { echo "[$(date +%T)] $*" >&2; }

[[ -x "$REBACD" ]] || { echo "compare.sh: build rebacd first ($REBACD)" >&2; exit 2; }
if [[ ! -x "$WORK/build/loadgen" ]]; then
  mkdir -p "$WORK" && cp -r "$KIT_SRC"/. "$WORK"/ && chmod -R u+w "$WORK"
  (cd "$WORK" && ./build.sh)
fi
cd "$WORK"
for ds in $DATASETS; do [[ -f data/$ds/rels.bin ]] || node gen.mjs "$ds" >/dev/null; done
printf '\0\0\0\0' >health.bin
R="results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$R"
START=$(date +%s)

source "$ROOT/tools/bench/server_control.sh"
trap stop_server EXIT

now_ms() { date +%s%3N; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
fact() { # key=value... appended as one JSON object to facts.jsonl
  node -e 'const o={};for(const a of process.argv.slice(1)){const i=a.indexOf("=");const v=a.slice(i+1);
    o[a.slice(0,i)]=v!==""&&!isNaN(+v)?+v:v}console.log(JSON.stringify(o))' "$@" | tee -a "$R/facts.jsonl" >&2
}
# The first N records of a .bin and the matching .tsv lines (header + N).
head_records() { # in.bin out.bin N
  node -e 'const fs=require("fs");const b=fs.readFileSync(process.argv[1]);let o=0;
    for(let i=0;i<+process.argv[3]&&o<b.length;i++)o+=4+b.readUInt32LE(o);
    fs.writeFileSync(process.argv[2],b.subarray(0,o))' "$1" "$2" "$3"
}

bench() { # server target tok ds what method requests conc duration rep
  local server=$1 target=$2 tok=$3 ds=$4 what=$5 method=$6 requests=$7 c=$8 dur=$9 rep=${10}
  local t0 t1 extra=()
  [[ $what == lookup ]] && extra=(--timeout-ms 120000)
  t0=$(cpu_ticks "$SERVER_PID")
  ./build/loadgen bench --target "$target" $tok --method "$method" --requests "$requests" \
    --concurrency "$c" --duration "$dur" --warmup 2 "${extra[@]}" >"$R/last.json"
  t1=$(cpu_ticks "$SERVER_PID")
  node -e 'const fs=require("fs");const j=JSON.parse(fs.readFileSync(process.argv[1],"utf8").trim().split("\n").pop());
    const [server,dataset,what,conc,rep,ticks,hz]=process.argv.slice(2);
    Object.assign(j,{server,dataset,what,conc:+conc,rep:+rep,server_cpu_s:ticks/hz});
    j.server_cpu_us_per_req=j.requests?j.server_cpu_s*1e6/j.requests:null;
    console.log(JSON.stringify(j))' "$R/last.json" "$server" "$ds" "$what" "$c" "$rep" \
    $((t1 - t0)) "$(getconf CLK_TCK)" | tee -a "$R/runs.jsonl" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);
      console.error(`  ${j.server} ${j.dataset} ${j.what} c=${j.conc}: ${Math.round(j.qps)} qps, p50 ${j.p50_us} µs, p99 ${j.p99_us} µs`+
        (j.results_per_s?`, ${Math.round(j.results_per_s)} results/s`:"")+(j.errors_by_code&&Object.keys(j.errors_by_code).length?` ERRORS ${JSON.stringify(j.errors_by_code)}`:""))})'
}

# Health and the dataset's workload, interleaved per repetition.
bench_dataset() { # server target tok ds duration repeat
  local server=$1 target=$2 tok=$3 ds=$4 dur=$5 repeat=$6 rep c
  for rep in $(seq 1 "$repeat"); do
    if [[ $ds == lookup ]]; then
      for c in $LOOKUP_CONC; do
        bench "$server" "$target" "$tok" "$ds" lookup $LOOKUP "data/$ds/lookups.bin" "$c" "$dur" "$rep"
      done
    else
      for c in $CONC; do
        bench "$server" "$target" "$tok" "$ds" health $HEALTH health.bin "$c" "$dur" "$rep"
        bench "$server" "$target" "$tok" "$ds" check $CHECK "data/$ds/checks.bin" "$c" "$dur" "$rep"
      done
    fi
  done
}

rels_of() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).counts.relationships)' "data/$1/meta.json"; }

start_rebacd() { # data-dir
  "$REBACD" serve --grpc-addr 127.0.0.1:$RPORT --grpc-preshared-key "$KEY" \
    --datastore-path "$1" $REBACD_ARGS >/dev/null 2>>"$R/rebacd.log" &
  SERVER_PID=$!
}

run_rebacd() { # ds
  local ds=$1 dir="$WORK/rebacd-data-$1" t0 t1 rss0 rss1 rels tok="--token $KEY"
  rels=$(rels_of "$ds")
  rm -rf "$dir"
  start_rebacd "$dir"
  wait_port $RPORT
  rss0=$(rss_kb "$SERVER_PID")
  log "rebacd: load $ds ($rels relationships)"
  t0=$(now_ms)
  ./build/loadgen load --target 127.0.0.1:$RPORT $tok --dir "data/$ds" >/dev/null
  t1=$(now_ms)
  sleep 1
  rss1=$(rss_kb "$SERVER_PID")
  log "rebacd: verify $ds"
  if [[ $ds == lookup ]]; then
    ./build/loadgen verify --target 127.0.0.1:$RPORT $tok --method $LOOKUP \
      --requests "data/$ds/lookups.bin" --expect "data/$ds/lookups.tsv" >/dev/null
  else
    ./build/loadgen verify --target 127.0.0.1:$RPORT $tok --method $CHECK \
      --requests "data/$ds/checks.bin" --expect "data/$ds/checks.tsv" >/dev/null
  fi
  bench_dataset rebacd 127.0.0.1:$RPORT "$tok" "$ds" "$DURATION" "$REPEAT"
  stop_server

  # Cold start: a new process on the loaded directory, until its first successful check.
  head_records "data/$ds/checks.bin" "$R/one-check.bin" 1
  sync
  local s0 s1 ok=0
  s0=$(now_ms)
  start_rebacd "$dir"
  wait_port $RPORT  # before the first call: a refused connection makes gRPC back off for ~1 s
  for _ in $(seq 1 600); do
    if ./build/loadgen bench --target 127.0.0.1:$RPORT $tok --method $CHECK \
      --requests "$R/one-check.bin" --count 1 --concurrency 1 2>/dev/null | grep -q '"ok":1,'; then
      ok=1; break
    fi
    sleep 0.01
  done
  s1=$(now_ms)
  ((ok)) || { echo "compare.sh: rebacd never answered a check after a restart" >&2; exit 1; }
  fact server=rebacd dataset="$ds" relationships="$rels" load_s="$(((t1 - t0)))e-3" \
    rss_empty_mb="$((rss0 / 1024))" rss_loaded_mb="$((rss1 / 1024))" \
    mb_per_million_rels="$(node -e "console.log(((${rss1}-${rss0})/1024/${rels}*1e6).toFixed(0))")" \
    disk_mb="$(du -sm "$dir" | cut -f1)" cold_start_ms="$((s1 - s0))" \
    rss_after_restart_mb="$(($(rss_kb "$SERVER_PID") / 1024))"
  stop_server
}

run_spicedb() { # ds
  local ds=$1 t0 t1 rss0 rss1 rels
  rels=$(rels_of "$ds")
  ./build/spicedb-serve --port $SPORT >/dev/null 2>>"$R/spicedb.log" &
  SERVER_PID=$!
  wait_port $SPORT
  sleep 1
  rss0=$(rss_kb "$SERVER_PID")
  log "spicedb: load $ds ($rels relationships)"
  t0=$(now_ms)
  ./build/loadgen load --target 127.0.0.1:$SPORT --dir "data/$ds" >/dev/null
  t1=$(now_ms)
  sleep 6  # its minimize_latency reads a revision up to ~5 s old
  rss1=$(rss_kb "$SERVER_PID")
  if ((SPICEDB_VERIFY > 0)) && [[ $ds != lookup ]]; then
    log "spicedb: verify the first $SPICEDB_VERIFY checks of $ds"
    head_records "data/$ds/checks.bin" "$R/spicedb-checks.bin" "$SPICEDB_VERIFY"
    head -n $((SPICEDB_VERIFY + 1)) "data/$ds/checks.tsv" >"$R/spicedb-checks.tsv"
    ./build/loadgen verify --target 127.0.0.1:$SPORT --method $CHECK \
      --requests "$R/spicedb-checks.bin" --expect "$R/spicedb-checks.tsv" >/dev/null
  fi
  bench_dataset spicedb 127.0.0.1:$SPORT "" "$ds" "$SPICEDB_DURATION" 1
  fact server=spicedb dataset="$ds" relationships="$rels" load_s="$(((t1 - t0)))e-3" \
    rss_empty_mb="$((rss0 / 1024))" rss_loaded_mb="$((rss1 / 1024))" \
    mb_per_million_rels="$(node -e "console.log(((${rss1}-${rss0})/1024/${rels}*1e6).toFixed(0))")"
  stop_server
}

for ds in $DATASETS; do run_rebacd "$ds"; done
if ((SPICEDB)); then
  for ds in $DATASETS; do run_spicedb "$ds"; done
fi

node "$ROOT/tools/bench/summarize.mjs" "$R/runs.jsonl" "$R/facts.jsonl" | tee "$R/summary.md"
log "results in $WORK/$R ($(($(date +%s) - START)) s)"
