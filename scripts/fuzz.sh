#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer targets in tests/fuzz with clang (ASan + UBSan) into build-fuzz/
# and runs each for a bounded time on its corpus (tests/fuzz/corpus/<name>), with its dictionary
# (tests/fuzz/<name>.dict). Fails on any crash, leak, timeout or out-of-memory; the reproducer is
# left in build-fuzz/artifacts/.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60; FUZZ_JOBS=N build jobs, default 1)
# Needs clang and libclang-rt-14-dev (scripts/install-deps.sh installs both). build-fuzz/ is its
# own CMake project, apart from build/: it can run beside a main build, and a lock keeps two
# fuzz.sh runs from sharing it at once.
set -euo pipefail

seconds=${1:-60}
case "$seconds" in
  -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
  *[!0-9]* | '') echo "fuzz.sh: SECONDS_PER_TARGET must be a number" >&2; exit 2 ;;
esac

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
root=$REBAC_ROOT
build="$root/build-fuzz"
command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (scripts/install-deps.sh)" >&2; exit 1; }

mkdir -p "$build"
exec 9>"$build/.lock"
flock 9 || { echo "fuzz.sh: cannot lock $build" >&2; exit 1; }

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
generator=(-G Ninja)
[[ -f "$build/CMakeCache.txt" ]] && generator=()
cmake -S "$root/tests/fuzz" -B "$build" "${generator[@]}" -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
echo "fuzz.sh: building the fuzz targets in $build" >&2
if ! ninja -C "$build" -j"${FUZZ_JOBS:-1}" >"$build/build.log" 2>&1; then
  tail -n 40 "$build/build.log" >&2
  echo "fuzz.sh: build failed; see $build/build.log" >&2
  exit 1
fi

mkdir -p "$build/artifacts"
status=0
for target in schema_compile:schema caveat_expression:caveat; do
  name=${target%%:*}
  corpus_name=${target##*:}
  # Fuzz into a scratch copy so new inputs do not churn the committed corpus.
  work="$build/corpus/$corpus_name"
  mkdir -p "$work"
  cp -n "$root/tests/fuzz/corpus/$corpus_name"/* "$work"/ 2>/dev/null || true
  echo "fuzz.sh: ${name}_fuzzer for ${seconds}s" >&2
  if ! "$build/${name}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=4096 -dict="$root/tests/fuzz/$corpus_name.dict" \
      -artifact_prefix="$build/artifacts/${name}-" -print_final_stats=1 \
      "$work" 2>"$build/${name}.log"; then
    echo "fuzz.sh: ${name}_fuzzer FAILED; see $build/${name}.log and $build/artifacts/" >&2
    tail -n 30 "$build/${name}.log" >&2
    status=1
  else
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/${name}.log")
    echo "fuzz.sh: ${name}_fuzzer ok: ${runs:-?} inputs in ${seconds}s," \
      "$(grep -c . < <(ls "$work")) in its corpus" >&2
  fi
done
exit $status
