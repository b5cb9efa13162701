# shellcheck shell=bash
# common.sh: sourced by test.sh and serve.sh (not run on its own).

# The repository root; scripts cd there first.
REBAC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ccache keys on relative paths below the checkout, so a fresh clone elsewhere (as CI makes)
# reuses what an earlier build of the same sources compiled.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$REBAC_ROOT}
# With -g, ccache also hashes the working directory unless told not to; debug info may then
# name the first checkout's paths, which is fine for tests.
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

# configure_build DIR [CMAKE_ARGS...]: configures DIR with Ninja and RelWithDebInfo. A build
# directory already configured by hand keeps its generator (CMake cannot switch it in place).
configure_build() {
  local dir=$1
  shift
  local generator=(-G Ninja)
  [[ -f "$dir/CMakeCache.txt" ]] && generator=()
  cmake -S "$REBAC_ROOT" -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
}
