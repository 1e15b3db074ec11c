#!/usr/bin/env bash
# Per-call cost of rlmsh's embedded Python bridge next to a JSON-over-pipe bridge doing the
# same work (the reference system's design). Run after `cargo build --release`.
set -euo pipefail
cd "$(dirname "$0")/.."
RLMSH=${RLMSH_CMD:-target/release/rlmsh}
embedded=$("$RLMSH" bench/python-bridge.scm)
piped=$(python3 bench/pipe_bridge.py)
echo "| operation | rlmsh µs | JSON over a pipe µs | ratio |"
echo "|---|---:|---:|---:|"
join <(sort <<<"$embedded") <(sort <<<"$piped") | awk '{ printf "| %s | %.2f | %.1f | %.0fx |\n", $1, $2, $3, $3 / $2 }'
