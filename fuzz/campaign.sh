#!/usr/bin/env bash
# A fuzzing campaign: builds the targets (fuzz/build.sh), seeds the corpora (fuzz/seeds.sh)
# and runs each target in turn with a time or an execution budget, keeping what it learns in
# fuzz/corpus/<target>/ and crashes in fuzz/artifacts/<target>/. Prints execs per target.
#
# Usage: fuzz/campaign.sh [-t SECONDS | -n RUNS] [-j JOBS] [TARGET...]
#   -t SECONDS  time per target (default 60)
#   -n RUNS     executions per target instead of time
#   -j JOBS     parallel fuzzing processes per target (default 1)
#   TARGET      default: every target
# An input running longer than SCRUTIN_FUZZ_TIMEOUT seconds (default 30) is a crash (a hang:
# a loop that does not end), as is one allocating more than libFuzzer's 2 GB RSS limit.
# Exit status 1 if any target crashed (its reproducer is in fuzz/artifacts/<target>/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
secs=60 runs="" jobs=1
while getopts "t:n:j:" o; do
  case $o in
    t) secs=$OPTARG ;;
    n) runs=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) sed -n '2,13p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decode notes_keys imports event_sequence receipt_verify bundle_verify bundle_signed verify_state)
bin=$("$here/build.sh" -q | tail -1)
[ -d "$here/corpus" ] || "$here/seeds.sh" > /dev/null
mkdir -p "$here/logs"
crashed=0
printf '%-16s %12s %8s %9s %s\n' target execs seconds execs/s result
for t in "${targets[@]}"; do
  mkdir -p "$here/artifacts/$t" "$here/corpus/$t"
  budget=(-max_total_time="$secs")
  [ -n "$runs" ] && budget=(-runs="$runs")
  log="$here/logs/$t.log"
  start=$(date +%s)
  status=ok
  if [ "$jobs" -gt 1 ]; then
    budget+=(-jobs="$jobs" -workers="$jobs")
  fi
  (cd "$here/logs" && "$bin/$t" "${budget[@]}" -print_final_stats=1 \
    -timeout="${SCRUTIN_FUZZ_TIMEOUT:-30}" \
    -artifact_prefix="$here/artifacts/$t/" "$here/corpus/$t") > "$log" 2>&1 || status=CRASH
  end=$(date +%s)
  [ "$jobs" -gt 1 ] && cat "$here"/logs/fuzz-*.log >> "$log" 2>/dev/null && rm -f "$here"/logs/fuzz-*.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | awk '{s+=$1} END {print s+0}')
  el=$((end - start)); [ "$el" -gt 0 ] || el=1
  [ "$status" = ok ] || crashed=1
  printf '%-16s %12d %8d %9d %s\n' "$t" "$execs" "$el" $((execs / el)) "$status"
done
exit $crashed
