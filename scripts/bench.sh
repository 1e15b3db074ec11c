#!/usr/bin/env bash
# Benchmark rlmsh against Racket and CPython on this machine, and check that
# rlmsh's peak memory stays flat as loop counts grow.
#
# Usage: scripts/bench.sh [RLMSH_BIN]        (default: target/release/rlmsh)
#
# Environment:
#   RLMSH_CMD      command used for the rlmsh column (default: "$RLMSH_BIN run");
#                  split on whitespace, e.g. RLMSH_CMD=racket to test the script.
#   BENCH_RUNS     runs per timing item; the best wall time is reported (default 3)
#   BENCH_TIMEOUT  per-run timeout in seconds (default 300)
#   BENCH_ITEMS    space-separated subset of timing items (default: all)
#   BENCH_SKIP_MEM set to 1 to skip the memory-flatness table
#
# The markdown tables go to stdout; progress and diagnostics go to stderr.
# A failing or timed-out run shows as FAIL, a missing tool as n/a, and output
# that differs from the reference implementation (racket, else python3) is
# flagged MISMATCH; none of these abort the script.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RLMSH_BIN="${1:-target/release/rlmsh}"
RLMSH_CMD="${RLMSH_CMD:-$RLMSH_BIN run}"
RUNS="${BENCH_RUNS:-3}"
TIMEOUT="${BENCH_TIMEOUT:-300}"
read -r -a ITEMS <<<"${BENCH_ITEMS:-fib27 tak loop10m list1m strjoin100k wordcount1m}"
MEM_ITEMS=(mem-closure mem-loop)
MEM_NS=(100000 10000000)
FLAT_LIMIT="1.10"

read -r -a RLMSH_ARGV <<<"$RLMSH_CMD"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

log() { printf '%s\n' "$*" >&2; }

have() { command -v "$1" >/dev/null 2>&1; }

HAVE_GNU_TIME=0
[[ -x /usr/bin/time ]] && HAVE_GNU_TIME=1
HAVE_TIMEOUT=0
have timeout && HAVE_TIMEOUT=1
[[ $HAVE_GNU_TIME == 1 ]] || log "warning: /usr/bin/time not found (apt-get install time); peak RSS will be n/a"

# Is the implementation's launcher available?
HAVE_RLMSH=0
if [[ ${#RLMSH_ARGV[@]} -gt 0 ]] && have "${RLMSH_ARGV[0]}"; then HAVE_RLMSH=1; fi
HAVE_RACKET=0
have racket && HAVE_RACKET=1
HAVE_PYTHON=0
have python3 && HAVE_PYTHON=1
[[ $HAVE_RLMSH == 1 ]] || log "warning: rlmsh command not runnable: $RLMSH_CMD"
[[ $HAVE_RACKET == 1 ]] || log "warning: racket not found; its columns will be n/a"
[[ $HAVE_PYTHON == 1 ]] || log "warning: python3 not found; its columns will be n/a"

# run_once OUTFILE CMD... : run CMD with stdout to OUTFILE, stderr to OUTFILE.err.
# Sets RUN_RC, RUN_SECS (wall clock, ms resolution) and RUN_RSS (peak KB).
run_once() {
  local out=$1
  shift
  local tf="$TMP/time.$$"
  local -a pre=()
  [[ $HAVE_GNU_TIME == 1 ]] && pre+=(/usr/bin/time -o "$tf" -f "%M")
  [[ $HAVE_TIMEOUT == 1 ]] && pre+=(timeout "$TIMEOUT")
  : >"$tf"
  RUN_RC=0
  local t0=$EPOCHREALTIME
  "${pre[@]}" "$@" >"$out" 2>"$out.err" </dev/null || RUN_RC=$?
  local t1=$EPOCHREALTIME
  RUN_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  RUN_RSS="n/a"
  if [[ $HAVE_GNU_TIME == 1 ]]; then
    # GNU time prepends "Command exited with non-zero status N" on failure.
    local last
    last=$(tail -n 1 "$tf" 2>/dev/null || true)
    [[ $last =~ ^[0-9]+$ ]] && RUN_RSS=$last
  fi
  if [[ $RUN_RC == 124 && $HAVE_TIMEOUT == 1 ]]; then
    echo "timed out after ${TIMEOUT}s" >>"$out.err"
  fi
  return 0
}

# bench IMPL ITEM CMD... : best of $RUNS runs. Sets B_STATUS (ok|FAIL|n/a),
# B_SECS, B_RSS (max over runs) and leaves first-run stdout in $TMP/IMPL.ITEM.out
bench() {
  local impl=$1 item=$2
  shift 2
  local out="$TMP/$impl.$item.out"
  B_STATUS="ok" B_SECS="" B_RSS="n/a" B_RC=0
  local i
  for ((i = 1; i <= RUNS; i++)); do
    local o="$out"
    [[ $i -gt 1 ]] && o="$TMP/$impl.$item.run$i.out"
    run_once "$o" "$@"
    if [[ $RUN_RC != 0 ]]; then
      B_STATUS="FAIL" B_RC=$RUN_RC
      log "  $impl $item: FAIL (exit $RUN_RC): $(tail -n 3 "$o.err" | tr '\n' ' ')"
      [[ $i -gt 1 ]] && cp "$o" "$out" && cp "$o.err" "$out.err"
      return 0
    fi
    if [[ $i -gt 1 ]] && ! cmp -s "$o" "$out"; then
      log "  $impl $item: output differs between runs"
    fi
    if [[ -z $B_SECS ]] || awk -v a="$RUN_SECS" -v b="$B_SECS" 'BEGIN { exit !(a < b) }'; then
      B_SECS=$RUN_SECS
    fi
    if [[ $RUN_RSS != n/a ]] && { [[ $B_RSS == n/a ]] || ((RUN_RSS > B_RSS)); }; then
      B_RSS=$RUN_RSS
    fi
  done
  log "  $impl $item: ${B_SECS}s ${B_RSS}KB"
}

ratio() { # ratio A B -> "A/B" with 2 decimals, or n/a
  local a=$1 b=$2
  if [[ $a =~ ^[0-9.]+$ && $b =~ ^[0-9.]+$ ]]; then
    awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
  else
    echo "n/a"
  fi
}

# ---------------------------------------------------------------- header
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || true)
rk_ver=n/a
[[ $HAVE_RACKET == 1 ]] && rk_ver=$(racket --version 2>/dev/null | sed 's/^Welcome to //; s/\.$//' || echo '?')
py_ver=n/a
[[ $HAVE_PYTHON == 1 ]] && py_ver=$(python3 --version 2>&1 || echo '?')

echo "Machine: $(uname -sm), ${cpu:-unknown CPU}, $(nproc 2>/dev/null || echo '?') cores. $(date -u +%Y-%m-%d)."
echo "rlmsh: \`$RLMSH_CMD\`; $rk_ver; $py_ver. Times are wall-clock seconds, best of $RUNS (process startup included); RSS is peak KB."
echo

# ---------------------------------------------------------------- timing
declare -A NOTES=()
ROWS=()
for item in "${ITEMS[@]}"; do
  log "== $item"
  declare -A S=() T=() R=() X=()
  for impl in rlmsh racket python3; do
    case $impl in
      rlmsh) avail=$HAVE_RLMSH cmd=("${RLMSH_ARGV[@]}" "bench/$item.rkt") ;;
      racket) avail=$HAVE_RACKET cmd=(racket "bench/$item.rkt") ;;
      python3) avail=$HAVE_PYTHON cmd=(python3 "bench/$item.py") ;;
    esac
    if [[ $avail != 1 ]]; then
      S[$impl]="n/a" T[$impl]="n/a" R[$impl]="n/a"
      continue
    fi
    bench "$impl" "$item" "${cmd[@]}"
    S[$impl]=$B_STATUS T[$impl]=$B_SECS R[$impl]=$B_RSS X[$impl]=$B_RC
    [[ $B_STATUS == FAIL ]] && T[$impl]="FAIL" R[$impl]="FAIL"
  done

  # Output agreement: reference is racket if it ran, else python3.
  ref=""
  for impl in racket python3 rlmsh; do
    if [[ ${S[$impl]} == ok ]]; then ref=$impl; break; fi
  done
  declare -A CELL=()
  for impl in rlmsh racket python3; do
    CELL[$impl]=${T[$impl]}
    if [[ ${S[$impl]} == ok && $impl != "$ref" ]] &&
      ! cmp -s "$TMP/$impl.$item.out" "$TMP/$ref.$item.out"; then
      CELL[$impl]="${T[$impl]} MISMATCH"
      NOTES["$item/$impl"]="$impl printed $(head -c 200 "$TMP/$impl.$item.out" | tr '\n' ' ')but $ref printed $(head -c 200 "$TMP/$ref.$item.out" | tr '\n' ' ')"
      log "  MISMATCH: ${NOTES["$item/$impl"]}"
    fi
    if [[ ${S[$impl]} == FAIL ]]; then
      NOTES["$item/$impl"]="$impl failed (exit ${X[$impl]}): $(tail -n 3 "$TMP/$impl.$item.out.err" | tr '\n' ' ' | head -c 300)"
    fi
  done
  ROWS+=("| $item | ${CELL[rlmsh]} | ${CELL[racket]} | ${CELL[python3]} | $(ratio "${T[rlmsh]}" "${T[racket]}") | $(ratio "${T[rlmsh]}" "${T[python3]}") | ${R[rlmsh]} |")
  unset S T R X CELL
done

echo "| item | rlmsh s | racket s | python3 s | rlmsh/racket | rlmsh/python3 | rlmsh peak RSS KB |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
echo

# ---------------------------------------------------------------- memory
if [[ ${BENCH_SKIP_MEM:-0} != 1 ]]; then
  MROWS=()
  for item in "${MEM_ITEMS[@]}"; do
    # racket first so its output is the reference for rlmsh's.
    for impl in racket rlmsh; do
      case $impl in
        rlmsh) avail=$HAVE_RLMSH cmd=("${RLMSH_ARGV[@]}" "bench/$item.rkt") ;;
        racket) avail=$HAVE_RACKET cmd=(racket "bench/$item.rkt") ;;
      esac
      if [[ $avail != 1 ]]; then
        MROWS+=("| $item | $impl | n/a | n/a | n/a | n/a | n/a |")
        continue
      fi
      log "== $item ($impl)"
      rss=() secs=() flag=""
      for n in "${MEM_NS[@]}"; do
        run_once "$TMP/$impl.$item.$n.out" "${cmd[@]}" "$n"
        if [[ $RUN_RC != 0 ]]; then
          rss+=("FAIL") secs+=("FAIL")
          NOTES["$item N=$n/$impl"]="$impl failed (exit $RUN_RC): $(tail -n 3 "$TMP/$impl.$item.$n.out.err" | tr '\n' ' ' | head -c 300)"
          log "  N=$n FAIL (exit $RUN_RC)"
        else
          rss+=("$RUN_RSS") secs+=("$RUN_SECS")
          log "  N=$n ${RUN_SECS}s ${RUN_RSS}KB"
          if [[ $impl != racket && $HAVE_RACKET == 1 && -s "$TMP/racket.$item.$n.out" ]] &&
            ! cmp -s "$TMP/$impl.$item.$n.out" "$TMP/racket.$item.$n.out"; then
            flag=" MISMATCH"
            NOTES["$item N=$n/$impl"]="$impl printed $(head -c 200 "$TMP/$impl.$item.$n.out" | tr '\n' ' ')but racket printed $(head -c 200 "$TMP/racket.$item.$n.out" | tr '\n' ' ')"
          fi
        fi
      done
      r=$(ratio "${rss[1]}" "${rss[0]}")
      verdict="n/a"
      if [[ $r != n/a ]]; then
        if awk -v r="$r" -v l="$FLAT_LIMIT" 'BEGIN { exit !(r <= l) }'; then verdict="yes"; else verdict="NO"; fi
      fi
      MROWS+=("| $item | $impl | ${rss[0]} | ${rss[1]} | $r | $verdict$flag | ${secs[1]} |")
    done
  done

  echo "Memory flatness (peak RSS KB; target: N=10000000 / N=100000 <= $FLAT_LIMIT):"
  echo
  echo "| program | impl | RSS N=100000 | RSS N=10000000 | ratio | flat | s at N=10000000 |"
  echo "|---|---|---:|---:|---:|---|---:|"
  printf '%s\n' "${MROWS[@]}"
  echo
fi

if [[ ${#NOTES[@]} -gt 0 ]]; then
  echo "Notes:"
  echo
  while IFS= read -r k; do
    echo "- $k: ${NOTES[$k]}"
  done < <(printf '%s\n' "${!NOTES[@]}" | sort)
fi
