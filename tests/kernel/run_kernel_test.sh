#!/usr/bin/env bash
# Runs one bare-metal kernel test under `flash-run --system` and checks its
# verdict: exit status 0, at least one PASS line, no FAIL line, and the
# runtime's final "KT RESULT: PASS". Usage: run_kernel_test.sh MODEL PROGRAM
set -u
model=$1
program=$2
flash_run=${DISCO_BUILD:-build}/bin/flash-run
out=$(timeout 60 "$flash_run" --system --cpu "$model" --max-insns 200000000 "$program" 2>&1)
status=$?
echo "$out"
if [ "$status" -ne 0 ]; then
  echo "run_kernel_test: $program exited with status $status" >&2
  exit 1
fi
if echo "$out" | grep -q '^FAIL'; then
  echo "run_kernel_test: $program reported failures" >&2
  exit 1
fi
if ! echo "$out" | grep -q '^PASS' || ! echo "$out" | tail -n 1 | grep -q '^KT RESULT: PASS$'; then
  echo "run_kernel_test: $program did not report a passing verdict" >&2
  exit 1
fi
echo "run_kernel_test: $(echo "$out" | grep -c '^PASS') checks passed"
