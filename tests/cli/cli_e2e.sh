#!/usr/bin/env bash
# End-to-end test of the rebac CLI against a real rebacd.
#
#   bash tests/cli/cli_e2e.sh path/to/rebacd path/to/rebac
#
# Starts rebacd on a free loopback port with a preshared key and a fresh RocksDB directory, then
# drives it only through rebac: schema write/read, relationship create/touch/delete/read and
# permission check, including the error paths (bad token, bad relationship syntax, bad schema).
# Prints "N passed, M failed" and exits non-zero if anything failed.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 REBACD REBAC" >&2
  exit 2
fi
REBACD=$1
REBAC=$2
KEY=testkey

WORK=$(mktemp -d)
DATA=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK" "$DATA"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
ENDPOINT="127.0.0.1:$PORT"

"$REBACD" serve --grpc-addr "$ENDPOINT" --grpc-preshared-key "$KEY" \
  --datastore-engine rocksdb --datastore-path "$DATA" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

# rebac against the test server with the right key; the caller adds the command.
rb() { "$REBAC" --endpoint "$ENDPOINT" --insecure --token "$KEY" --timeout 10 "$@"; }

# Like run, with standard input taken from $WORK/in.
run_stdin() {
  set +e
  "$@" >"$WORK/out" 2>"$WORK/err" <"$WORK/in"
  RC=$?
  set -e
}

# expect NAME RC [STDOUT]: the last run exited RC and, if given, printed exactly STDOUT.
expect() {
  local name=$1 want_rc=$2
  if [[ "$RC" -ne "$want_rc" ]]; then
    fail "$name" "exit status $RC, want $want_rc"
  elif [[ $# -ge 3 && "$(cat "$WORK/out")" != "$3" ]]; then
    fail "$name" "stdout differs; want: $(printf '%s' "$3" | tr '\n' ' ')"
  else
    pass "$name"
  fi
}
# expect_lines NAME WANT: exited 0 and stdout has exactly the lines of WANT, in any order.
expect_lines() {
  local name=$1 want=$2
  if [[ "$RC" -ne 0 ]]; then
    fail "$name" "exit status $RC, want 0"
  elif [[ "$(sort "$WORK/out")" != "$(printf '%s\n' "$want" | sed '/^$/d' | sort)" ]]; then
    fail "$name" "lines differ; want: $(printf '%s' "$want" | tr '\n' ' ')"
  else
    pass "$name"
  fi
}

# --- wait for the server: up to ~20 s for an answer from it (not a connection failure) ---
ready=0
for _ in $(seq 1 100); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "rebacd exited early; its log:" >&2
    cat "$WORK/server.log" >&2
    SERVER_PID=""
    echo "0 passed, 1 failed"
    exit 1
  fi
  run rb --timeout 1 schema read
  if [[ "$RC" -eq 0 ]] || { grep -qE '^error: [A-Z_]+: ' "$WORK/err" &&
    ! grep -qE '^error: (UNAVAILABLE|DEADLINE_EXCEEDED): ' "$WORK/err"; }; then
    ready=1
    break
  fi
  sleep 0.2
done
if [[ "$ready" -ne 1 ]]; then
  echo "rebacd did not answer on $ENDPOINT within 20 s; its log:" >&2
  cat "$WORK/server.log" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# --- schema ---
cat >"$WORK/schema.zed" <<'EOF'
use expiration

definition user {}

definition group {
  relation member: user | group#member
}

definition folder {
  relation viewer: user | group#member
  permission view = viewer
}

definition document {
  relation parent: folder
  relation viewer: user | group#member
  relation editor: user
  relation temp_viewer: user with expiration
  permission view = viewer + editor + parent->view
}
EOF
run rb schema write "$WORK/schema.zed"
if [[ "$RC" -eq 0 && -n "$(cat "$WORK/out")" ]]; then pass "schema write prints a token"; else
  fail "schema write prints a token" "want exit 0 and a ZedToken on stdout"; fi

run rb schema read
if [[ "$RC" -eq 0 ]] && grep -q 'definition document' "$WORK/out" &&
  grep -q 'parent->view' "$WORK/out"; then
  pass "schema read shows the schema"
else
  fail "schema read shows the schema" "want exit 0 and the document definition"
fi

cp "$WORK/schema.zed" "$WORK/in"
run_stdin rb schema write -
expect_err_has "schema write from stdin" 0

# --- relationships ---
run rb relationship create \
  'document:readme#viewer@user:alice' \
  'document:readme#editor@user:bob' \
  'group:eng#member@user:carol' \
  'document:design#viewer@group:eng#member' \
  'folder:shared#viewer@user:dave' \
  'document:plan#parent@folder:shared'
if [[ "$RC" -eq 0 && -n "$(cat "$WORK/out")" ]]; then pass "relationship create prints a token"; else
  fail "relationship create prints a token" "want exit 0 and a ZedToken on stdout"; fi
WRITE_TOKEN=$(cat "$WORK/out")

printf '%s\n' 'group:ops#member@user:erin' '' '// a comment' 'document:runbook#viewer@group:ops#member' \
  >"$WORK/in"
run_stdin rb relationship touch --stdin
expect_err_has "relationship touch --stdin" 0

run rb relationship create 'document:readme#editor@user:bob'
expect_err_has "creating an existing relationship fails" 2 '^error: ALREADY_EXISTS: '

run rb relationship touch 'document:readme#editor@user:bob'
expect_err_has "touching an existing relationship succeeds" 0

# --- checks ---
run rb permission check document:readme view user:alice
expect "check allowed (direct viewer)" 0 "true"
run rb permission check document:readme view user:bob
expect "check allowed (editor)" 0 "true"
run rb permission check document:readme view user:mallory
expect "check denied" 1 "false"
run rb permission check document:design view user:carol
expect "check allowed through a group" 0 "true"
run rb permission check document:design view user:alice
expect "check denied outside the group" 1 "false"
run rb permission check document:plan view user:dave
expect "check allowed through parent->view" 0 "true"
run rb permission check document:design view group:eng#member
expect "check with a subject set" 0 "true"
run rb permission check document:runbook view user:erin
expect "check allowed for a relationship from stdin" 0 "true"
run rb permission check document:readme view user:alice --consistency "token:$WRITE_TOKEN"
expect "check at least as fresh as a token" 0 "true"
run rb permission check document:readme view user:alice --consistency min
expect "check with minimize_latency" 0 "true"
run rb permission check document:readme nonexistent user:alice
expect_err_has "check of an unknown permission fails" 2 '^error: [A-Z_]+: .*nonexistent'

# --- reads ---
run rb relationship read document:readme
expect_lines "read one resource" 'document:readme#editor@user:bob
document:readme#viewer@user:alice'
run rb relationship read document viewer
expect_lines "read a type and relation" 'document:readme#viewer@user:alice
document:design#viewer@group:eng#member
document:runbook#viewer@group:ops#member'
run rb relationship read document viewer group:eng#member
expect_lines "read with a subject filter" 'document:design#viewer@group:eng#member'
run rb relationship read document user:alice
expect_lines "read with a subject filter and no relation" 'document:readme#viewer@user:alice'
run rb relationship read folder
expect_lines "read a whole type" 'folder:shared#viewer@user:dave'

# --- expiration ---
run rb relationship create 'document:temp#temp_viewer@user:frank[expiration:2099-01-01T00:00:00Z]'
expect_err_has "create with an expiration" 0
run rb relationship read document:temp
expect_lines "expiration reads back" 'document:temp#temp_viewer@user:frank[expiration:2099-01-01T00:00:00Z]'
run rb permission check document:temp temp_viewer user:frank
expect "check a relation with an expiration ahead" 0 "true"

# --- delete ---
run rb relationship delete 'document:readme#viewer@user:alice'
expect_err_has "relationship delete" 0
run rb relationship read document:readme
expect_lines "deleted relationship is gone" 'document:readme#editor@user:bob'
run rb permission check document:readme view user:alice
expect "check denied after delete" 1 "false"

# --- errors ---
# As in SpiceDB: a wrong key is PERMISSION_DENIED, a missing one UNAUTHENTICATED.
run "$REBAC" --endpoint "$ENDPOINT" --insecure --token wrongkey schema read
expect_err_has "wrong token is refused" 2 '^error: PERMISSION_DENIED: .*preshared key'
run "$REBAC" --endpoint "$ENDPOINT" --insecure permission check document:readme view user:bob
expect_err_has "missing token is refused" 2 '^error: UNAUTHENTICATED: '

run rb relationship create 'document:readme#viewer@user'
expect_err_has "bad relationship syntax" 2 'at character 28' '^  document:readme#viewer@user$' \
  '^ {29}\^$'
run rb permission check document:readme view 'user alice'
expect_err_has "bad subject syntax" 2 'at character 5'
run rb relationship create 'document:readme#viewer@user:alice[expiration:soon]'
expect_err_has "bad expiration" 2 'at character 46' 'RFC 3339'

cat >"$WORK/bad.zed" <<'EOF'
definition user {}

definition document {
  relation viewer user
}
EOF
run rb schema write "$WORK/bad.zed"
expect_err_has "schema error shows line:column and a caret" 2 '^error: INVALID_ARGUMENT: ' \
  'bad\.zed:4:[0-9]+' '^ 4 \|   relation viewer user$' '^   \| +\^$'
run rb schema read
if [[ "$RC" -eq 0 ]] && grep -q 'parent->view' "$WORK/out"; then
  pass "a refused schema leaves the old one in place"
else
  fail "a refused schema leaves the old one in place" "want exit 0 and the first schema"
fi

run rb schema write "$WORK/missing.zed"
expect_err_has "schema write of a missing file" 2 '^error: cannot read'
run rb relationship frobnicate
expect_err_has "unknown command is a usage error" 2
run rb permission check document:readme view user:alice --consistency sometimes
expect_err_has "bad --consistency" 2 'consistency'

echo "$PASSED passed, $FAILED failed"
[[ "$FAILED" -eq 0 ]]
