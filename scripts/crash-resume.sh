#!/usr/bin/env bash
# Crash and resume: kills checkpointing programs with SIGKILL at random moments and checks that
# rerunning them ends as an uninterrupted run does, and that no checkpoint file is ever unreadable.
#
#   scripts/crash-resume.sh [--kills 20] [--seed S] [--only stream-logs|fan-out]
#                           [--lines 300000] [--tickets 400] [--latency-ms 40]
#
# Two programs are tested:
#   stream-logs  scripts/stream-logs.scm (offline model) on a log of --lines lines from
#                scripts/gen-logs.scm; it checkpoints its fold every 10 chunks of 1,000 lines.
#   fan-out      scripts/fan-out-checkpointed.scm on --tickets generated tickets, its calls
#                answered by scripts/stub-model.py on loopback after --latency-ms (so calls are in
#                flight when the kill comes); it checkpoints each slice of 20 answers.
# For each, an uninterrupted reference run gives the expected output and the run time T. Then,
# starting from an empty checkpoint directory, the program is started, killed after a random
# delay in [0, T) and restarted, again and again; a run that ends before its kill must print the
# reference output exactly, and the next round starts afresh. After every kill, `rlmsh
# checkpoints list` must succeed (it fails on any unreadable checkpoint file) and `rlmsh
# checkpoints show` on every key it lists. This goes on until --kills kills were made; the
# round then in progress runs to its end without further kills.
#
# The delays come from the seed (printed; pass it with --seed to replay the same delays). Prints
# one line per kill and a summary per program; exits 1 on any mismatch or unreadable checkpoint.
# Run after `cargo build --release` (RLMSH_CMD overrides the binary); needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
RLMSH=${RLMSH_CMD:-target/release/rlmsh}

kills=20 seed="" only="" lines=300000 tickets=400 latency=40
while (($#)); do
  case "$1" in
    --kills) kills=$2 ;;
    --seed) seed=$2 ;;
    --only) only=$2 ;;
    --lines) lines=$2 ;;
    --tickets) tickets=$2 ;;
    --latency-ms) latency=$2 ;;
    *) echo "usage: $0 [--kills N] [--seed S] [--only stream-logs|fan-out] [--lines N] [--tickets N] [--latency-ms MS]" >&2
       exit 2 ;;
  esac
  shift 2
done
seed=${seed:-$(( $(date +%s%N) % 1000000000 ))}
RANDOM=$seed
echo "crash-resume: seed $seed, $kills kills per program (replay: $0 --seed $seed --kills $kills)"

work=$(mktemp -d)
stub_pid=""
cleanup() {
  if [[ -n $stub_pid ]]; then kill "$stub_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# A delay below $1 ms from the seeded generator (two draws of $RANDOM make 30 bits).
random_below() { echo $(( ((RANDOM << 15) | RANDOM) % $1 )); }

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# Every checkpoint in $1 is readable: `list` succeeds, `show` succeeds on each key it lists, and
# it lists as many keys as there are checkpoint files. Returns 1 (after saying why) otherwise.
checkpoints_readable() {
  local dir=$1 context=$2 listing key count=0 files
  [[ -d $dir ]] || return 0
  if ! listing=$("$RLMSH" checkpoints list --checkpoint-dir "$dir" 2>&1); then
    fail "$context: rlmsh checkpoints list failed: $listing"
    return 1
  fi
  while IFS=$'\t' read -r key _; do
    [[ -n $key ]] || continue
    count=$((count + 1))
    key=${key#\"}
    key=${key%\"}
    if ! "$RLMSH" checkpoints show --checkpoint-dir "$dir" "$key" > /dev/null 2> "$work/show.err"; then
      fail "$context: rlmsh checkpoints show $key failed: $(cat "$work/show.err")"
      return 1
    fi
  done <<< "$listing"
  files=$(find "$dir" -maxdepth 1 -name '*.json' | wc -l)
  if ((files != count)); then
    fail "$context: $files checkpoint files but $count listed"
    return 1
  fi
}

# The temporary files in checkpoint directory $1: what a write killed before its rename leaves.
temporary_files() {
  if [[ -d $1 ]]; then find "$1" -maxdepth 1 -name '.tmp*' | wc -l; else echo 0; fi
}

# Runs the program in the array named by $1 (its checkpoint directory comes from
# RLMSH_CHECKPOINT_DIR): the reference run, then the kills and restarts. $2 names it.
crash_test() {
  local -n command=$1
  local name=$2 ref="$work/$2.ref" cp="$work/$2.cp" started elapsed
  started=$(now_ms)
  if ! RLMSH_CHECKPOINT_DIR="$work/$name.ref-cp" "${command[@]}" > "$ref" 2> "$work/$name.ref-err"; then
    fail "$name: the reference run failed: $(tail -3 "$work/$name.ref-err")"
    return
  fi
  local run_ms=$(( $(now_ms) - started ))
  echo "$name: reference run ${run_ms} ms, $(wc -c < "$ref") bytes of output"

  local made=0 rounds=0 runs=0 resumed=0 equal=0 checks=0 strays=0 status delay pid
  started=$(now_ms)
  while ((made < kills)); do
    rounds=$((rounds + 1))
    strays=$((strays + $(temporary_files "$cp")))
    rm -rf "$cp"
    while :; do
      delay=""
      if ((made < kills)); then delay=$(random_below "$run_ms"); fi
      runs=$((runs + 1))
      RLMSH_CHECKPOINT_DIR="$cp" "${command[@]}" > "$work/$name.out" 2> "$work/$name.err" &
      pid=$!
      if [[ -n $delay ]]; then
        sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
        kill -KILL "$pid" 2>/dev/null || true
      fi
      status=0
      # (stderr: the shell's own "Killed" notice)
      wait "$pid" 2> /dev/null || status=$?
      if grep -q "resuming" "$work/$name.err"; then resumed=$((resumed + 1)); fi
      if ((status == 137)); then
        made=$((made + 1))
        checks=$((checks + 1))
        echo "  kill $made: round $rounds, run $runs, after $delay ms"
        checkpoints_readable "$cp" "$name, kill $made" || return
        continue
      fi
      if ((status != 0)); then
        fail "$name: run $runs exited with $status: $(tail -3 "$work/$name.err")"
        return
      fi
      checks=$((checks + 1))
      checkpoints_readable "$cp" "$name, end of round $rounds" || return
      if cmp -s "$ref" "$work/$name.out"; then
        equal=$((equal + 1))
        echo "  round $rounds ended (run $runs): output equals the reference"
      else
        fail "$name: round $rounds ended with output that differs from the reference:"
        diff <(tr ',' '\n' < "$ref") <(tr ',' '\n' < "$work/$name.out") | head -10
        return
      fi
      break
    done
  done
  strays=$((strays + $(temporary_files "$cp")))
  elapsed=$(( $(now_ms) - started ))
  echo "$name: $made kills, $runs runs in $rounds rounds ($resumed resumed from a checkpoint), $equal of $rounds final outputs equal to the reference, checkpoints readable at all $checks checks, $strays temporary files left by killed writes, ${elapsed} ms"
}

if [[ -z $only || $only == stream-logs ]]; then
  "$RLMSH" run scripts/gen-logs.scm "$lines" 7 > "$work/app.log"
  stream_logs=("$RLMSH" run --offline --quiet scripts/stream-logs.scm "$work/app.log")
  crash_test stream_logs stream-logs
fi

if [[ -z $only || $only == fan-out ]]; then
  python3 - "$work/tickets.json" "$tickets" <<'EOF'
import json, sys
base = json.load(open("scripts/data/tickets.json"))
count = int(sys.argv[2])
tickets = [{"id": f"T-{100000 + i}", "subject": base[i % len(base)]["subject"],
            "body": base[i % len(base)]["body"] + f" (order {i * 7919 % 100000})"} for i in range(count)]
json.dump(tickets, open(sys.argv[1], "w"), indent=0)
EOF
  python3 scripts/stub-model.py --latency-ms "$latency" > "$work/stub.port" &
  stub_pid=$!
  for _ in $(seq 100); do
    [[ -s $work/stub.port ]] && break
    sleep 0.05
  done
  port=$(head -1 "$work/stub.port")
  fan_out=(env OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=stub
           "$RLMSH" run --quiet scripts/fan-out-checkpointed.scm "$work/tickets.json")
  crash_test fan_out fan-out
fi

if ((failures > 0)); then
  echo "crash-resume: FAILED ($failures failures; seed $seed)"
  exit 1
fi
echo "crash-resume: passed (seed $seed)"
