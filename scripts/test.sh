#!/usr/bin/env bash
# test.sh: installs dependencies, builds everything and runs all tests (unit + Node.js
# integration) through ctest. Exits non-zero on any failure.
#   scripts/test.sh              build/ , RelWithDebInfo
#   scripts/test.sh --asan       build-asan/ , AddressSanitizer + UBSan (-DREBAC_SANITIZE=ON)
#   scripts/test.sh -- ARGS...   extra ctest arguments, e.g. -- -R node_integration
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REBAC_ROOT"

build_dir=build
cmake_args=()
ctest_args=()
while (($#)); do
  case "$1" in
    --asan) build_dir=build-asan; cmake_args+=(-DREBAC_SANITIZE=ON) ;;
    --) shift; ctest_args=("$@"); break ;;
    -h | --help) sed -n '2,6p' "$REBAC_ROOT/scripts/test.sh"; exit 0 ;;
    *) echo "test.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

bash scripts/install-deps.sh

# npm ci only when node_modules is older than the lock file (npm writes .package-lock.json).
for dir in tests/integration tests/differential; do
  (
    cd "$dir"
    stamp=node_modules/.package-lock.json
    if [[ ! -f "$stamp" || package-lock.json -nt "$stamp" || package.json -nt "$stamp" ]]; then
      echo "test.sh: npm ci in $dir" >&2
      npm ci --no-audit --no-fund --loglevel=error
    fi
  )
done

configure_build "$build_dir" "${cmake_args[@]}"
cmake --build "$build_dir" --parallel "$(nproc)"
ctest --test-dir "$build_dir" --output-on-failure --parallel "$(nproc)" "${ctest_args[@]}"
