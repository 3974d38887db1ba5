#!/usr/bin/env bash
# The test kernel as Disco VMs: `flash-run --vm` runs each given kernel as a
# VM; every VM's console, minus its "tkernel: info" lines and with the one
# mode line expected to say "vm", must equal the bare run's expected file,
# and every VM must exit 0. Usage:
#   run_tkernel_vm.sh EXPECTED NVMS [flash-run options...] KERNEL...
set -u
expected=$1
nvms=$2
shift 2
flash_run=${DISCO_BUILD:-build}/bin/flash-run
out=$(timeout -s KILL 100 "$flash_run" --vm --max-cycles 4000000000 "$@")
status=$?
echo "$out"
if [ "$status" -ne 0 ]; then
  echo "run_tkernel_vm: flash-run exited with status $status" >&2
  exit 1
fi
want=$(sed 's/^tkernel: mode bare$/tkernel: mode vm/' "$expected")
for ((i = 0; i < nvms; i++)); do
  if [ "$nvms" -eq 1 ]; then
    got=$(echo "$out" | grep -v '^tkernel: info')
  else
    got=$(echo "$out" | grep "^vm$i: " | sed "s/^vm$i: //" | grep -v '^tkernel: info')
  fi
  if ! diff -u <(echo "$want") <(echo "$got"); then
    echo "run_tkernel_vm: VM $i's output differs from the bare run's" >&2
    exit 1
  fi
done
echo "run_tkernel_vm: $nvms VM(s) match the bare output apart from the mode line"
