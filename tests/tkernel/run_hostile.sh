#!/usr/bin/env bash
# Runs one hostile guest (guest/hostile) bare under `flash-run --system`
# with an instruction budget. Any exit status is accepted as long as
# flash-run ended by itself: not by a signal (a simulator crash) and not by
# the wall-clock limit. With PATTERN, the console output must contain a line
# matching it (the guest's summary).
# Usage: run_hostile.sh MODEL PROGRAM MAX_INSNS [PATTERN]
set -u
model=$1
program=$2
max_insns=$3
pattern=${4:-}
flash_run=${DISCO_BUILD:-build}/bin/flash-run
out=$(timeout -s KILL 50 "$flash_run" --system --cpu "$model" --max-insns "$max_insns" "$program" 2>&1)
status=$?
echo "$out"
if [ "$status" -ge 128 ]; then
  echo "run_hostile: flash-run was killed by signal $((status - 128)) (crash or time limit)" >&2
  exit 1
fi
if [ -n "$pattern" ] && ! echo "$out" | grep -q -- "$pattern"; then
  echo "run_hostile: no line matching '$pattern' in the output" >&2
  exit 1
fi
echo "run_hostile: flash-run exited by itself with status $status"
