# shellcheck shell=bash
# server_control.sh: sourced by the benchmark scripts here to run one server at a time.
#
#   source "$ROOT/tools/bench/server_control.sh"
#   some-server ... & SERVER_PID=$!
#   wait_port 50051 || exit 1
#   ...; stop_server   # also on exit: the scripts trap it
SERVER_PID=""

# Stops the server SERVER_PID names, if any, and waits for it to exit.
stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# wait_port PORT: returns once something accepts connections on 127.0.0.1:PORT (up to 15 s). A
# gRPC client whose first connection is refused backs off for about a second: call this first.
wait_port() {
  for _ in $(seq 1 1500); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.01; done
  echo "$(basename "$0"): nothing listens on $1" >&2
  return 1
}

# cpu_seconds PID: user + system CPU seconds the process has used so far.
cpu_seconds() { awk '{ print ($14 + $15) / 100 }' "/proc/$1/stat"; }
