#!/usr/bin/env bash
# Runs every tests/validation/*.yaml through `rebac validate` against a real rebacd.
#
#   bash tests/validation/run_validation.sh path/to/rebacd path/to/rebac
#
# Starts `rebacd serve-testing` on a free loopback port; each file gets a fresh random bearer
# token, hence its own empty in-memory datastore. Files listed in rebacd_skip.txt (features
# rebacd does not have yet) are skipped with the reason given there, or, when the line says
# `assertions-only`, run without their `validation` sections. Also checks that files
# under failing/ are reported as failures (exit 1) naming FILE:LINE:COL, and that a malformed
# file is an error (exit 2). Prints "N passed, M failed, K skipped"; exits non-zero on failure.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 REBACD REBAC" >&2
  exit 2
fi
REBACD=$1
REBAC=$2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
ENDPOINT="127.0.0.1:$PORT"
"$REBACD" serve-testing --grpc-addr "$ENDPOINT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

token() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
rb() { "$REBAC" --endpoint "$ENDPOINT" --insecure --timeout 30 "$@"; }

# Ready when a schema read answers at all (NOT_FOUND: no schema yet).
for _ in $(seq 1 100); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "rebacd exited while starting:" >&2
    cat "$WORK/server.log" >&2
    exit 1
  fi
  if rb --token "$(token)" schema read 2>&1 | grep -q -e NOT_FOUND -e definition; then break; fi
  sleep 0.1
done

declare -A SKIP=()
declare -A PARTIAL=()
if [[ -f "$HERE/rebacd_skip.txt" ]]; then
  while IFS= read -r line; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    name=${line%% *}
    reason=${line#* }
    if [[ "$reason" == assertions-only* ]]; then
      PARTIAL[$name]=${reason#assertions-only }
    else
      SKIP[$name]=$reason
    fi
  done <"$HERE/rebacd_skip.txt"
fi

PASSED=0
FAILED=0
SKIPPED=0
for file in "$HERE"/*.yaml; do
  name=$(basename "$file")
  if [[ -n "${SKIP[$name]:-}" ]]; then
    SKIPPED=$((SKIPPED + 1))
    echo "skip $name: ${SKIP[$name]}"
    continue
  fi
  flags=()
  if [[ -n "${PARTIAL[$name]:-}" ]]; then
    flags=(--assertions-only)
    SKIPPED=$((SKIPPED + 1))
    echo "skip $name validation section: ${PARTIAL[$name]}"
  fi
  set +e
  rb --token "$(token)" validate "${flags[@]}" "$file" >"$WORK/out" 2>&1
  rc=$?
  set -e
  if [[ $rc -eq 0 ]]; then
    PASSED=$((PASSED + 1))
    echo "ok   $name"
  else
    FAILED=$((FAILED + 1))
    echo "FAIL $name (exit $rc)"
    sed 's/^/     /' "$WORK/out"
  fi
done

# expect_output NAME WANT_RC FILE PATTERN...: `rebac validate FILE` exits WANT_RC and prints
# lines matching every PATTERN (grep -E).
expect_output() {
  local name=$1 want_rc=$2 file=$3
  shift 3
  set +e
  rb --token "$(token)" validate "$file" >"$WORK/out" 2>&1
  local rc=$?
  set -e
  local ok=1
  [[ $rc -eq $want_rc ]] || ok=0
  for pattern in "$@"; do grep -qE -- "$pattern" "$WORK/out" || ok=0; done
  if ((ok)); then
    PASSED=$((PASSED + 1))
    echo "ok   $name"
  else
    FAILED=$((FAILED + 1))
    echo "FAIL $name (exit $rc, want $want_rc; patterns: $*)"
    sed 's/^/     /' "$WORK/out"
  fi
}

F="$HERE/failing/wrong_expectations.yaml"
expect_output "failing/wrong_expectations.yaml reports each failure" 1 "$F" \
  "wrong_expectations.yaml:17:7: assertTrue failed: .document:1#view@user:bob with \{\}." \
  "expected: true \(HAS_PERMISSION\)" \
  "got: +false \(NO_PERMISSION\)" \
  "wrong_expectations.yaml:19:7: assertFalse failed: .document:1#view@user:tom." \
  "wrong_expectations.yaml:23:7: .document:1#view.: missing expected subject .user:zoe." \
  "wrong_expectations.yaml:22:7: .document:1#view.: different relationships for subject .user:tom." \
  "wrong_expectations.yaml:21:3: .document:1#view.: subject .user:ann. found but missing"
F="$HERE/failing/bad_relationship.yaml"
expect_output "failing/bad_relationship.yaml is an error at its line" 2 "$F" \
  "bad_relationship.yaml:9:[0-9]+: invalid relationship"
F="$HERE/failing/unknown_relation.yaml"
expect_output "failing/unknown_relation.yaml: the server refuses the relationship" 2 "$F" \
  "unknown_relation.yaml:10:3: relationship .document:1#editor@user:tom. refused"
# An unknown type is a type-system error: FAILED_PRECONDITION, as SpiceDB answers it.
F="$HERE/failing/bad_schema.yaml"
expect_output "failing/bad_schema.yaml: the schema error points into the file" 2 "$F" \
  "bad_schema.yaml:5:[0-9]+: schema refused: FAILED_PRECONDITION"

# The query commands against a loaded file: expand, lookups, check --explain.
T=$(token)
rb --token "$T" validate "$HERE/28_wildcard_and_groups.yaml" >/dev/null
# expect_command NAME WANT_RC WANT_STDOUT COMMAND...: exact stdout (lines sorted when the
# name ends in "(sorted)").
expect_command() {
  local name=$1 want_rc=$2 want=$3
  shift 3
  set +e
  rb --token "$T" "$@" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  set -e
  local got
  got=$(cat "$WORK/out")
  [[ "$name" == *"(sorted)" ]] && got=$(sort <<<"$got")
  if [[ $rc -eq $want_rc && "$got" == "$want" ]]; then
    PASSED=$((PASSED + 1))
    echo "ok   $name"
  else
    FAILED=$((FAILED + 1))
    echo "FAIL $name (exit $rc, want $want_rc)"
    printf '     want: %s\n     got:  %s\n' "$(tr '\n' '|' <<<"$want")" "$(tr '\n' '|' <<<"$got")"
    sed 's/^/     stderr: /' "$WORK/err"
  fi
}
expect_command "lookup-resources (sorted)" 0 $'1\n2' permission lookup-resources document view user:tom
expect_command "lookup-subjects user (sorted)" 0 $'user:*\nuser:ann\nuser:tom' \
  permission lookup-subjects document:1 view user
expect_command "lookup-subjects group#member" 0 "group:g#member" \
  permission lookup-subjects document:1 view group#member
expect_command "lookup-subjects with a bad context" 2 "" \
  permission lookup-subjects document:1 view user --caveat-context '[1]'
rb --token "$T" permission expand document:1 view >"$WORK/out" 2>&1 || true
if grep -q "^document:1#view$" "$WORK/out" && grep -q "── user:ann$" "$WORK/out" &&
  grep -q "── user:\*$" "$WORK/out" && grep -q "── group:g#member$" "$WORK/out"; then
  PASSED=$((PASSED + 1))
  echo "ok   expand prints the tree with the relation and its subjects"
else
  FAILED=$((FAILED + 1))
  echo "FAIL expand output"
  sed 's/^/     /' "$WORK/out"
fi
set +e
rb --token "$T" permission check document:1 view user:tom --explain >"$WORK/out" 2>&1
rc=$?
set -e
if [[ $rc -eq 0 && "$(head -1 "$WORK/out")" == true && $(wc -l <"$WORK/out") -ge 2 ]]; then
  PASSED=$((PASSED + 1))
  echo "ok   check --explain prints the answer, then a trace or that there is none"
else
  FAILED=$((FAILED + 1))
  echo "FAIL check --explain (exit $rc)"
  sed 's/^/     /' "$WORK/out"
fi
T=$(token)
rb --token "$T" validate "$HERE/17_wildcard_exclusion.yaml" >/dev/null
expect_command "lookup-subjects prints wildcard exclusions" 0 "user:* - {bob, eve}" \
  permission lookup-subjects document:1 view user

echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[[ $FAILED -eq 0 ]]
