#!/usr/bin/env bash
# import_bench.sh: ImportBulkRelationships throughput of rebacd at several sizes, each run on a
# fresh server and data directory (--datastore-sync=true), repeated; prints every run and the
# median per size, with the server's CPU seconds (user + system) during the import. A
# benchmark, not a test.
#
#   tools/bench/import_bench.sh                              # 100k, 400k, 1M; 3 rounds
#   SIZES="1000000" ROUNDS=5 tools/bench/import_bench.sh
#   BASELINE=/path/to/older/rebacd tools/bench/import_bench.sh   # both binaries, interleaved
#
# Needs build/tools/bench/write_bench and build/api/rebacd (override with WRITE_BENCH=,
# REBACD=). write_bench builds all messages before it starts the clock, so the time is the
# stream (1,000 relationships per message) and the commit.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REBACD=${REBACD:-$ROOT/build/api/rebacd}
WRITE_BENCH=${WRITE_BENCH:-$ROOT/build/tools/bench/write_bench}
BASELINE=${BASELINE:-}
SIZES=${SIZES:-"100000 400000 1000000"}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-50084}
DATA=$(mktemp -d /tmp/rebacd-import-bench.XXXXXX)
source "$ROOT/tools/bench/server_control.sh"
trap 'stop_server; rm -rf "$DATA"' EXIT

# run LABEL BINARY N: one import on a fresh server; prints "LABEL N rels/s seconds server_cpu".
run() {
  local label=$1 bin=$2 n=$3 before line
  rm -rf "$DATA/store"
  "$bin" serve --grpc-addr "127.0.0.1:$PORT" --grpc-preshared-key bench \
    --datastore-path "$DATA/store" --datastore-sync=true >/dev/null 2>&1 &
  SERVER_PID=$!
  wait_port "$PORT"
  "$WRITE_BENCH" --target "127.0.0.1:$PORT" --token bench setup >/dev/null
  before=$(cpu_seconds "$SERVER_PID")
  line=$("$WRITE_BENCH" --target "127.0.0.1:$PORT" --token bench import --relationships "$n")
  echo "$label $n $(echo "$line" | sed -E 's/.*"seconds":([0-9.]+),"rels_per_s":([0-9]+).*/\2 \1/') \
$(echo "$(cpu_seconds "$SERVER_PID") - $before" | bc)"
  stop_server
}

results=$(
  for _ in $(seq 1 "$ROUNDS"); do
    for n in $SIZES; do
      [[ -z "$BASELINE" ]] || run baseline "$BASELINE" "$n"
      run rebacd "$REBACD" "$n"
    done
  done | tee /dev/stderr
)
echo
echo "| binary | relationships | median rels/s | median seconds | median server CPU s |"
echo "|---|---|---|---|---|"
for label in baseline rebacd; do
  for n in $SIZES; do
    rows=$(echo "$results" | awk -v l="$label" -v n="$n" '$1 == l && $2 == n')
    [[ -n "$rows" ]] || continue
    median() { echo "$rows" | awk -v c="$1" '{ print $c }' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
    echo "| $label | $n | $(median 3) | $(median 4) | $(median 5) |"
  done
done
