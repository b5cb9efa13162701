#!/usr/bin/env bash
# stream_bench.sh: rebacd's streaming reads with the kit's load generator, LookupResources (the
# kit's `lookup` pool) and ReadRelationships (1,000 resource-id-prefix reads of `document`
# relationships, a few hundred rows each), at concurrency 1 and 8, on one loaded store. With
# BASELINE set, both binaries run on the same data, interleaved; prints every run and the
# medians. A benchmark, not a test.
#
#   tools/bench/stream_bench.sh                                # 3 rounds
#   BASELINE=/path/to/older/rebacd ROUNDS=5 tools/bench/stream_bench.sh
#
# Needs the kit built and its datasets generated in $REBAC_BENCH_DIR (default /tmp/rebacd-bench),
# as tools/bench/compare.sh leaves them. The store is loaded once (by REBACD) and left 3 s to
# settle (the memtables are flushed once writes pause).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REBACD=${REBACD:-$ROOT/build/api/rebacd}
BASELINE=${BASELINE:-}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
PORT=${PORT:-50086}
KIT=${REBAC_BENCH_DIR:-/tmp/rebacd-bench}
LOADGEN=$KIT/build/loadgen
[[ -x "$LOADGEN" && -f "$KIT/data/lookup/lookups.bin" ]] ||
  { echo "stream_bench.sh: run tools/bench/compare.sh once first (builds the kit in $KIT)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/rebacd-stream-bench.XXXXXX)
source "$ROOT/tools/bench/server_control.sh"
trap 'stop_server; rm -rf "$WORK"' EXIT

start_server() {
  "$1" serve --grpc-addr "127.0.0.1:$PORT" --grpc-preshared-key bench \
    --datastore-path "$WORK/store" >/dev/null 2>&1 &
  SERVER_PID=$!
  wait_port "$PORT"
}

# The ReadRelationships pool, written with the kit's own copy of the official client's types.
cat >"$KIT/.stream-bench-reads.mjs" <<'EOF'
import { v1 } from "@authzed/authzed-node";
import fs from "node:fs";
const parts = [];
for (let i = 0; i < 1000; i++) {
  const bytes = v1.ReadRelationshipsRequest.toBinary(v1.ReadRelationshipsRequest.create({
    consistency: { requirement: { oneofKind: "minimizeLatency", minimizeLatency: true } },
    relationshipFilter: { resourceType: "document", optionalResourceIdPrefix: `doc${10 + (i % 90)}` },
  }));
  const header = Buffer.alloc(4);
  header.writeUInt32LE(bytes.length, 0);
  parts.push(header, Buffer.from(bytes));
}
fs.writeFileSync(process.argv[2], Buffer.concat(parts));
EOF
(cd "$KIT" && node .stream-bench-reads.mjs "$WORK/reads.bin")
rm -f "$KIT/.stream-bench-reads.mjs"

start_server "$REBACD"
"$LOADGEN" load --target "127.0.0.1:$PORT" --dir "$KIT/data/lookup" --token bench >/dev/null
sleep 3
stop_server

# run LABEL BINARY: prints "LABEL METHOD CONCURRENCY results/s" for each method and concurrency.
run() {
  local label=$1 bin=$2 method pool c
  start_server "$bin"
  for method in LookupResources ReadRelationships; do
    pool=$KIT/data/lookup/lookups.bin
    [[ $method == ReadRelationships ]] && pool=$WORK/reads.bin
    for c in 1 8; do
      "$LOADGEN" bench --target "127.0.0.1:$PORT" --token bench \
        --method "/authzed.api.v1.PermissionsService/$method" --requests "$pool" \
        --concurrency "$c" --duration "$DURATION" --timeout-ms 20000 |
        sed -E "s/.*\"results_per_s\":([0-9.]+).*/$label $method $c \1/"
    done
  done
  stop_server
}

results=$(
  for _ in $(seq 1 "$ROUNDS"); do
    [[ -z "$BASELINE" ]] || run baseline "$BASELINE"
    run rebacd "$REBACD"
  done | tee /dev/stderr
)
echo
echo "| binary | method | concurrency | median results/s | runs |"
echo "|---|---|---|---|---|"
echo "$results" | awk '{ key = $1 " " $2 " " $3; runs[key] = runs[key] " " int($4) }
  END { for (k in runs) print k, runs[k] }' | sort | while read -r label method c rest; do
  median=$(echo "$rest" | tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  echo "| $label | $method | $c | $median | $(echo "$rest" | tr ' ' ',') |"
done
