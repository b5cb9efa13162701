#!/usr/bin/env bash
# install-deps.sh: installs the Debian 12 packages rebacd needs to build, test and run.
# Idempotent: when everything is present it changes nothing and needs no root.
#   --no-node   skip Node.js/npm (only the integration tests need them; used by deploy/Dockerfile)
set -euo pipefail

want_node=1
for arg in "$@"; do
  case "$arg" in
    --no-node) want_node=0 ;;
    -h | --help) sed -n '2,4p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

packages=(
  build-essential cmake ninja-build ccache pkg-config
  librocksdb-dev libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libre2-dev libboost-dev libgtest-dev libgmock-dev nlohmann-json3-dev libcli11-dev libfmt-dev libyaml-cpp-dev
  clang lld libclang-rt-14-dev clang-format python3
)

# Node.js >= 18 from anywhere (NodeSource, nvm, Debian) will do; only without one do we take
# Debian's nodejs + npm, so an existing newer Node is never replaced.
if ((want_node)); then
  node_major=0
  if command -v node >/dev/null 2>&1; then
    node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  fi
  if ((node_major >= 18)); then
    if ! command -v npm >/dev/null 2>&1; then
      echo "install-deps.sh: $(command -v node) is Node $node_major but npm is missing;" \
        "install the npm that belongs to that Node" >&2
      exit 1
    fi
  else
    packages+=(nodejs npm)
  fi
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

echo "install-deps.sh: installing ${missing[*]}" >&2
sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null 2>&1 || {
    echo "install-deps.sh: missing packages and not root; run as root or install sudo" >&2
    exit 1
  }
  sudo=(sudo)
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
apt() {
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "$@" >"$log" 2>&1; then
    echo "install-deps.sh: '$*' failed; its last output:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
}
apt apt-get update -q
apt apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps.sh: done" >&2
