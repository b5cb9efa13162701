#!/usr/bin/env bash
# serve.sh: installs dependencies, builds rebacd and runs it on the RocksDB datastore.
#   REBACD_GRPC_ADDR      listen address          (default 127.0.0.1:50051)
#   REBACD_DATA_DIR       datastore directory     (default ./data)
#   REBACD_GRPC_PRESHARED_KEY  clients' bearer token (default: generated once, kept in
#                         $REBACD_DATA_DIR/.preshared-key, printed at start)
# Further arguments go to `rebacd serve`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REBAC_ROOT"

bash scripts/install-deps.sh --no-node
configure_build build
cmake --build build --parallel "$(nproc)" --target rebacd

addr=${REBACD_GRPC_ADDR:-127.0.0.1:50051}
data=${REBACD_DATA_DIR:-./data}
mkdir -p "$data"
key=${REBACD_GRPC_PRESHARED_KEY:-${REBACD_PRESHARED_KEY:-}}
if [[ -z "$key" ]]; then
  keyfile="$data/.preshared-key"
  if [[ ! -s "$keyfile" ]]; then
    (umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$keyfile")
  fi
  chmod 600 "$keyfile"
  key=$(<"$keyfile")
  echo "serve.sh: preshared key (kept in $keyfile): $key" >&2
fi
echo "serve.sh: rebacd on $addr, data in $data" >&2
# Through the environment, not argv, so the key does not show in the process list.
export REBACD_GRPC_PRESHARED_KEY=$key
exec build/api/rebacd serve --grpc-addr "$addr" \
  --datastore-engine rocksdb --datastore-path "$data" "$@"
