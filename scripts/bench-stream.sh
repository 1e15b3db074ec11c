#!/usr/bin/env bash
# Peak memory and time of scripts/stream-logs.scm (offline model) on generated logs of 10^5 and
# 10^6 lines: the stream is read in chunks, so the peak must not grow with the input. Fails when
# a peak reaches 50 MB or the two peaks differ by 10% or more. Run after `cargo build --release`.
set -euo pipefail
cd "$(dirname "$0")/.."
RLMSH=${RLMSH_CMD:-target/release/rlmsh}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "| log lines | log size MB | wall s | peak RSS KB | model calls |"
echo "|---:|---:|---:|---:|---:|"
peaks=()
for lines in 100000 1000000; do
  log="$work/app-$lines.log"
  "$RLMSH" run scripts/gen-logs.scm "$lines" 7 > "$log"
  /usr/bin/time -f "%e %M" -o "$work/time" \
    "$RLMSH" run --offline --quiet --checkpoint-dir "$work/cp-$lines" scripts/stream-logs.scm "$log" \
    > "$work/out" 2> /dev/null
  read -r wall peak < "$work/time"
  calls=$(grep -o '"model_calls":[0-9]*' "$work/out" | cut -d: -f2)
  size=$(awk -v b="$(stat -c %s "$log")" 'BEGIN { printf "%.1f", b / 1048576 }')
  echo "| $lines | $size | $wall | $peak | $calls |"
  peaks+=("$peak")
done

awk -v small="${peaks[0]}" -v large="${peaks[1]}" 'BEGIN {
  growth = (large - small) / small * 100
  printf "\npeak growth from 10^5 to 10^6 lines: %+.1f%%\n", growth
  if (small >= 51200 || large >= 51200) { print "FAIL: a peak is 50 MB or more"; exit 1 }
  if (growth >= 10 || growth <= -10) { print "FAIL: the peaks differ by 10% or more"; exit 1 }
}'
