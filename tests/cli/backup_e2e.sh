#!/usr/bin/env bash
# End-to-end test of `rebac backup create` / `rebac backup restore` against real rebacd servers.
#
#   bash tests/cli/backup_e2e.sh path/to/rebacd path/to/rebac
#
# Starts a source rebacd and fills it with ~50k relationships (plain, caveated with context,
# expiring, both, subject sets, a wildcard), backs it up, restores the backup into a second,
# empty rebacd and compares the schema and every relationship (caveat context and expiration
# included) exactly. Then: a restore into the now non-empty store is refused, and merges with
# --conflict-strategy=skip (stored versions kept) and =touch (backup's versions win); missing,
# foreign, truncated and corrupted files fail with errors that say what and where, and write
# nothing. Prints "N passed, M failed" and exits non-zero if anything failed.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 REBACD REBAC" >&2
  exit 2
fi
REBACD=$1
REBAC=$2
KEY=testkey

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_server NAME: starts rebacd on a fresh data directory; sets ${NAME}_ENDPOINT.
start_server() {
  local name=$1 port
  port=$(free_port)
  mkdir -p "$WORK/$name"
  "$REBACD" serve --grpc-addr "127.0.0.1:$port" --grpc-preshared-key "$KEY" \
    --datastore-engine rocksdb --datastore-path "$WORK/$name/data" >"$WORK/$name/server.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  printf -v "${name}_ENDPOINT" '%s' "127.0.0.1:$port"
  local endpoint="127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "rebacd ($name) exited early; its log:" >&2
      cat "$WORK/$name/server.log" >&2
      exit 1
    fi
    # Up once it answers, even NOT_FOUND (no schema yet), rather than failing to connect.
    if "$REBAC" --endpoint "$endpoint" --insecure --token "$KEY" --timeout 1 schema read \
      >/dev/null 2>"$WORK/probe" || grep -q 'NOT_FOUND' "$WORK/probe"; then
      return 0
    fi
    sleep 0.2
  done
  echo "rebacd ($name) did not answer on $endpoint within 20 s; its log:" >&2
  cat "$WORK/$name/server.log" >&2
  exit 1
}

# rebac against ENDPOINT; the caller adds the command.
rb_at() {
  local endpoint=$1
  shift
  "$REBAC" --endpoint "$endpoint" --insecure --token "$KEY" --timeout 20 "$@"
}



# dump ENDPOINT OUT: the schema and every relationship (sorted) of a store, as text.
dump() {
  local endpoint=$1 out=$2
  {
    rb_at "$endpoint" schema read
    echo "--- relationships"
    { rb_at "$endpoint" relationship read document
      rb_at "$endpoint" relationship read group; } | LC_ALL=C sort
  } >"$out"
}

# expect_same_dump NAME A B: two dumps are identical.
expect_same_dump() {
  local name=$1 a=$2 b=$3
  if cmp -s "$a" "$b"; then
    pass "$name"
  else
    fail "$name" "dumps differ: $(diff "$a" "$b" | head -5 | tr '\n' ' ')"
  fi
}

start_server SOURCE
start_server TARGET

# --- a source store with every kind of relationship ---
cat >"$WORK/schema.zed" <<'ZED'
use expiration

caveat limited(count int, limit int, name string) {
  count < limit && name != ""
}

definition user {}

definition group {
  relation member: user | group#member
}

definition document {
  relation viewer: user | user:* | group#member | user with limited
  relation temp_viewer: user with expiration
  relation both: user with limited and expiration
  permission view = viewer + temp_viewer + both
}
ZED
run rb_at "$SOURCE_ENDPOINT" schema write "$WORK/schema.zed"
expect_err_has "source schema written" 0

{
  awk 'BEGIN { for (i = 0; i < 44000; i++) printf "document:d%d#viewer@user:u%d\n", i, i % 997 }'
  awk 'BEGIN { for (i = 0; i < 2000; i++)
    printf "document:c%d#viewer@user:u%d[limited:{\"limit\":%d,\"name\":\"n%d\"}]\n", i, i, i, i }'
  awk 'BEGIN { for (i = 0; i < 2000; i++)
    printf "document:e%d#temp_viewer@user:u%d[expiration:2099-01-%02dT00:00:00.123456789Z]\n", i, i, i % 28 + 1 }'
  awk 'BEGIN { for (i = 0; i < 500; i++)
    printf "document:b%d#both@user:u%d[limited:{\"limit\":3}][expiration:2098-06-01T12:34:56Z]\n", i, i }'
  awk 'BEGIN { for (i = 0; i < 1000; i++) printf "document:s%d#viewer@group:g%d#member\n", i, i % 100 }'
  awk 'BEGIN { for (i = 0; i < 500; i++) printf "group:g%d#member@user:u%d\n", i % 100, i }'
  awk 'BEGIN { for (i = 1; i < 100; i++) printf "group:g%d#member@group:g%d#member\n", i, i - 1 }'
  echo 'document:public#viewer@user:*'
} >"$WORK/rels.txt"
TOTAL=$(wc -l <"$WORK/rels.txt")
TOTAL_TEXT=$(printf '%s' "$TOTAL" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')  # 50100 -> 50,100
SKIPPED_TEXT=$(printf '%s' "$((TOTAL - 1))" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
split -l 1000 "$WORK/rels.txt" "$WORK/chunk."
load_ok=1
for chunk in "$WORK"/chunk.*; do
  if ! rb_at "$SOURCE_ENDPOINT" relationship create --stdin <"$chunk" >/dev/null 2>"$WORK/err"; then
    load_ok=0
    cat "$WORK/err" >&2
    break
  fi
done
if ((load_ok)); then pass "source loaded with $TOTAL relationships"; else fail "source load"; fi

dump "$SOURCE_ENDPOINT" "$WORK/source.dump"
if [[ $(grep -c '@' "$WORK/source.dump") -eq $TOTAL ]]; then
  pass "source reads back all $TOTAL relationships"
else
  fail "source reads back all relationships" "got $(grep -c '@' "$WORK/source.dump")"
fi

# --- create ---
run rb_at "$SOURCE_ENDPOINT" backup create "$WORK/store.backup"
expect_err_has "backup create" 0 "backup: wrote the schema and [0-9,]+ relationships to .*store.backup"
if [[ -s "$WORK/out" && ! -e "$WORK/store.backup.partial" ]]; then
  pass "backup create prints the revision token and leaves no partial file"
else
  fail "backup create prints the revision token and leaves no partial file"
fi

# The backup is of one revision: writes after it are not in it.
run rb_at "$SOURCE_ENDPOINT" relationship create 'document:late#viewer@user:late'
expect_err_has "a write after the backup" 0

# --- restore into an empty store: exact round trip ---
run rb_at "$TARGET_ENDPOINT" backup restore "$WORK/store.backup"
expect_err_has "backup restore into an empty store" 0 \
  "restore: wrote the schema and $TOTAL_TEXT relationships .* \\($TOTAL_TEXT imported, 0 skipped, 0 touched\\)"
[[ -s "$WORK/out" ]] && pass "backup restore prints a token" || fail "backup restore prints a token"
dump "$TARGET_ENDPOINT" "$WORK/target.dump"
expect_same_dump "restored store equals the source at the backup's revision" \
  "$WORK/source.dump" "$WORK/target.dump"
run rb_at "$TARGET_ENDPOINT" permission check document:c7 view user:u7 --caveat-context '{"count":1}'
expect_err_has "a restored caveat's stored context is in force (1 < limit 7)" 0
run rb_at "$TARGET_ENDPOINT" permission check document:c7 view user:u7 --caveat-context '{"count":8}'
expect_err_has "a restored caveat's stored context is in force (8 >= limit 7)" 1
run rb_at "$TARGET_ENDPOINT" permission check document:c7 view user:u7
expect_err_has "a restored caveated relationship is conditional without context" 3

# --- a second restore into the now non-empty store is refused, and writes nothing ---
rb_at "$TARGET_ENDPOINT" relationship touch \
  'document:c1#viewer@user:u1[limited:{"limit":99,"name":"changed"}]' >/dev/null
rb_at "$TARGET_ENDPOINT" relationship create 'document:extra#viewer@user:extra' >/dev/null
dump "$TARGET_ENDPOINT" "$WORK/before-refused.dump"
run rb_at "$TARGET_ENDPOINT" backup restore "$WORK/store.backup"
expect_err_has "restore into a non-empty store is refused" 2 \
  "refusing to restore into 127\\.0\\.0\\.1:[0-9]+: it already holds relationships" \
  "--conflict-strategy=skip" "--conflict-strategy=touch"
dump "$TARGET_ENDPOINT" "$WORK/after-refused.dump"
expect_same_dump "a refused restore writes nothing" "$WORK/before-refused.dump" "$WORK/after-refused.dump"

# --- skip keeps stored versions; touch overwrites them with the backup's ---
rb_at "$TARGET_ENDPOINT" relationship delete 'document:d5#viewer@user:u5' >/dev/null
run rb_at "$TARGET_ENDPOINT" backup restore --conflict-strategy=skip "$WORK/store.backup"
expect_err_has "restore --conflict-strategy=skip" 0 "\\(1 imported, $SKIPPED_TEXT skipped, 0 touched\\)"
dump "$TARGET_ENDPOINT" "$WORK/after-skip.dump"
expect_same_dump "skip: only the missing relationship is added back, changed ones are kept" \
  "$WORK/before-refused.dump" "$WORK/after-skip.dump"

run rb_at "$TARGET_ENDPOINT" backup restore --conflict-strategy=touch "$WORK/store.backup"
expect_err_has "restore --conflict-strategy=touch" 0 "\\(0 imported, 0 skipped, $TOTAL_TEXT touched\\)"
dump "$TARGET_ENDPOINT" "$WORK/after-touch.dump"
grep -v '^document:extra#' "$WORK/after-touch.dump" >"$WORK/after-touch-no-extra.dump"
expect_same_dump "touch: every relationship is the backup's version again" \
  "$WORK/source.dump" "$WORK/after-touch-no-extra.dump"

# --- damaged and foreign files: clear errors, nothing written ---
start_server EMPTY
run rb_at "$EMPTY_ENDPOINT" backup restore "$WORK/no-such.backup"
expect_err_has "restore of a missing file" 2 "^error: cannot read .*no-such\\.backup: No such file"

echo 'definition user {}' >"$WORK/schema-not-backup.zed"
run rb_at "$EMPTY_ENDPOINT" backup restore "$WORK/schema-not-backup.zed"
expect_err_has "restore of a file that is not a backup" 2 \
  "schema-not-backup\\.zed is not a rebac backup"

# Truncated: the uncompressed stream cut in the middle of a record.
gzip -dc "$WORK/store.backup" >"$WORK/plain"
head -c $(($(stat -c %s "$WORK/plain") / 2)) "$WORK/plain" | gzip -1 >"$WORK/truncated.backup"
run rb_at "$EMPTY_ENDPOINT" backup restore "$WORK/truncated.backup"
expect_err_has "restore of a truncated backup" 2 "truncated\\.backup is (cut short|damaged)" \
  "byte [0-9]+ of the uncompressed stream"

# One byte flipped inside a relationship record: the record's checksum catches it.
python3 - "$WORK/plain" "$WORK/flipped.backup" <<'PY'
import gzip, sys
data = bytearray(open(sys.argv[1], "rb").read())
data[len(data) // 3] ^= 0x20
with gzip.open(sys.argv[2], "wb", compresslevel=1) as out:
    out.write(bytes(data))
PY
run rb_at "$EMPTY_ENDPOINT" backup restore "$WORK/flipped.backup"
expect_err_has "restore of a backup with a flipped byte" 2 \
  "flipped\\.backup is damaged: record [0-9]+ \\(at byte [0-9]+ of the uncompressed stream\\)"

# Corrupt compressed data (bytes overwritten in the middle of the gzip file).
cp "$WORK/store.backup" "$WORK/corrupt.backup"
size=$(stat -c %s "$WORK/corrupt.backup")
printf 'garbage-garbage-garbage' | dd of="$WORK/corrupt.backup" bs=1 seek=$((size / 2)) conv=notrunc status=none
run rb_at "$EMPTY_ENDPOINT" backup restore "$WORK/corrupt.backup"
expect_err_has "restore of a backup with corrupt compressed data" 2 "corrupt\\.backup is (damaged|cut short)"

run rb_at "$EMPTY_ENDPOINT" schema read
expect_err_has "failed restores wrote nothing, not even the schema" 2 "NOT_FOUND"

# --- several imports: one per --batch-size chunk; a progress bar on a terminal ---
if command -v script >/dev/null; then
  set +e
  script -qec "$REBAC --endpoint $EMPTY_ENDPOINT --insecure --token $KEY backup restore \
    --batch-size 7000 $WORK/store.backup" /dev/null >"$WORK/err" 2>&1 </dev/null
  RC=$?
  set -e
  : >"$WORK/out"
  expect_err_has "restore in chunks of 7000, with a progress bar on a terminal" 0 \
    "restore: \\[#+\\] $TOTAL_TEXT / $TOTAL_TEXT relationships \\(100%\\), [0-9,]+/s"
else
  run rb_at "$EMPTY_ENDPOINT" backup restore --batch-size 7000 "$WORK/store.backup"
  expect_err_has "restore in chunks of 7000" 0
fi
dump "$EMPTY_ENDPOINT" "$WORK/chunked.dump"
expect_same_dump "a restore in chunks equals the source" "$WORK/source.dump" "$WORK/chunked.dump"

# --- create: errors ---
start_server NOSCHEMA
run rb_at "$NOSCHEMA_ENDPOINT" backup create "$WORK/empty.backup"
expect_err_has "backup of a store without schema" 2 "nothing to back up: .* has no schema"
run rb_at "$SOURCE_ENDPOINT" backup create "$WORK/no-such-dir/x.backup"
expect_err_has "backup into a missing directory" 2 "cannot create .*no-such-dir/x\\.backup\\.partial"

echo "$PASSED passed, $FAILED failed"
[[ "$FAILED" -eq 0 ]]
