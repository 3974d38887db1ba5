#!/usr/bin/env bash
# Runs the test kernel (guest/tkernel) bare under `flash-run --system` and
# compares its console output, without the "tkernel: info" lines (counts
# that depend on timing and on the monitor), with an expected file; the
# kernel must also exit with status 0 (its own verdict, "tkernel: PASS").
# Usage: run_tkernel.sh MODEL PROGRAM EXPECTED
set -u
model=$1
program=$2
expected=$3
flash_run=${DISCO_BUILD:-build}/bin/flash-run
out=$(timeout -s KILL 50 "$flash_run" --system --cpu "$model" --max-insns 100000000 "$program")
status=$?
echo "$out"
if [ "$status" -ne 0 ]; then
  echo "run_tkernel: $program exited with status $status" >&2
  exit 1
fi
if ! diff -u "$expected" <(echo "$out" | grep -v '^tkernel: info'); then
  echo "run_tkernel: output of $program differs from $expected" >&2
  exit 1
fi
echo "run_tkernel: output matches $(basename "$expected")"
