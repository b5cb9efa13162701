# shellcheck shell=bash
# checks.sh: the pass/fail bookkeeping the CLI end-to-end scripts share (sourced, not run).
# The sourcing script sets WORK (a scratch directory) first and reports PASSED/FAILED at the end.

PASSED=0
FAILED=0
pass() {
  PASSED=$((PASSED + 1))
  echo "ok   $1"
}
# fail NAME [DETAIL...]: counts a failure and shows the last run's output (first 2000 bytes).
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL $1"
  shift
  for detail in "$@"; do printf '     %s\n' "$detail"; done
  printf '     stdout: %s\n' "$(head -c 2000 "$WORK/out" | sed 's/^/|/' | tr '\n' ' ')"
  printf '     stderr: %s\n' "$(head -c 2000 "$WORK/err" | sed 's/^/|/' | tr '\n' ' ')"
}

# Runs a command, keeping its exit status in RC and its output in $WORK/out and $WORK/err.
run() {
  set +e
  "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
  RC=$?
  set -e
}

# expect_err_has NAME RC PATTERN...: exited RC and stderr matches every grep -E PATTERN.
expect_err_has() {
  local name=$1 want_rc=$2
  shift 2
  if [[ "$RC" -ne "$want_rc" ]]; then
    fail "$name" "exit status $RC, want $want_rc"
    return
  fi
  local pattern
  for pattern in "$@"; do
    if ! grep -qE -- "$pattern" "$WORK/err"; then
      fail "$name" "stderr does not match /$pattern/"
      return
    fi
  done
  pass "$name"
}
