#!/usr/bin/env bash
# Model-call overhead against loopback servers (bench/loopback_openai.py):
#  1. llm-query per call against an instant server, next to a plain keep-alive HTTP client's
#     round trip for the same request;
#  2. 2,000 calls through map-async at #:max-concurrent 64 against a 50 ms server, next to the
#     ideal 2000/64 x 50 ms, and the most calls the server ever saw in flight.
set -euo pipefail
cd "$(dirname "$0")/.."
RLMSH=${RLMSH_CMD:-target/release/rlmsh}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT

serve() { # latency-ms name: starts a server in the background and sets $port
  python3 bench/loopback_openai.py --latency-ms "$1" --port-file "$WORK/$2" >"$WORK/$2.log" 2>&1 &
  for _ in $(seq 50); do [ -s "$WORK/$2" ] && break; sleep 0.1; done
  port=$(cat "$WORK/$2")
}

serve 0 instant
export OPENAI_API_KEY=bench-key OPENAI_BASE_URL="http://127.0.0.1:$port/v1"
"$RLMSH" bench/llm-overhead.scm
python3 bench/http_round_trip.py "$port"

serve 50 slow
export OPENAI_BASE_URL="http://127.0.0.1:$port/v1"
"$RLMSH" bench/llm-fanout.scm
echo "ideal-seconds $(python3 -c 'print(2000 / 64 * 0.05)')"
curl -s "http://127.0.0.1:$port/stats"; echo
