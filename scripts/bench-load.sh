#!/usr/bin/env bash
# Load: N calls (default 10,000; give others as arguments) through one map-async at concurrency
# 256 against an instant keep-alive loopback server (examples/loopback_server.rs, which closes
# connections idle for 300 ms). Reports per run: throughput, RSS sampled every 200 ms and the
# peak (VmRSS and VmHWM of /proc/PID/status), and open descriptors (/proc/PID/fd) before the
# calls, at their peak and after the server closed the idle connections. Run after
# `cargo build --release`.
set -euo pipefail
cd "$(dirname "$0")/.."
RLMSH=${RLMSH_CMD:-target/release/rlmsh}
cargo build --release --quiet --example loopback_server
work=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT

target/release/examples/loopback_server 300 > "$work/port" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
export OPENAI_API_KEY=bench-key OPENAI_BASE_URL="http://127.0.0.1:$(cat "$work/port")/v1"

fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
status() { awk -v field="$2:" '$1 == field { print $2 }' "/proc/$1/status" 2>/dev/null; }

for n in "${@:-10000}"; do
  "$RLMSH" run --max-concurrency 256 bench/llm-load.scm "$n" > "$work/out" &
  pid=$!
  sleep 0.5  # the warm-up call is made; the map starts a second after it
  before=$(fds "$pid"); peak_fds=$before; samples=()
  while kill -0 "$pid" 2>/dev/null && [ -e "/proc/$pid/status" ]; do
    kb=$(status "$pid" VmRSS); high=$(status "$pid" VmHWM); open=$(fds "$pid")
    [ -n "$kb" ] || break
    samples+=("$kb"); peak=$high; last_fds=$open
    [ "$open" -gt "$peak_fds" ] && peak_fds=$open
    sleep 0.2
  done
  wait "$pid"
  echo "calls $n: $(cat "$work/out")"
  echo "  RSS KB every 200 ms: ${samples[*]}"
  echo "  peak RSS KB (VmHWM): $peak"
  echo "  descriptors: before $before, peak $peak_fds, after $last_fds"
done
