#!/usr/bin/env bash
# Runs bare-metal programs as Disco VMs under `flash-run --vm` and checks
# every VM's verdict: exit status 0, no FAIL line, and for each VM a final
# "KT RESULT: PASS" (kernel tests) or "SMP RESULT: PASS" (SMP programs).
# Usage: run_vm_test.sh NVMS [flash-run options...] PROGRAM...
set -u
nvms=$1
shift
flash_run=${DISCO_BUILD:-build}/bin/flash-run
out=$(timeout 100 "$flash_run" --vm --max-cycles 2000000000 "$@" 2>&1)
status=$?
echo "$out"
if [ "$status" -ne 0 ]; then
  echo "run_vm_test: flash-run exited with status $status" >&2
  exit 1
fi
if echo "$out" | grep -q 'FAIL'; then
  echo "run_vm_test: a VM reported failures" >&2
  exit 1
fi
verdicts=$(echo "$out" | grep -cE '(KT|SMP) RESULT: PASS')
if [ "$verdicts" -ne "$nvms" ]; then
  echo "run_vm_test: $verdicts passing verdicts, want $nvms" >&2
  exit 1
fi
echo "run_vm_test: $nvms VM(s) passed"
