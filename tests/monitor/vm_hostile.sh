#!/usr/bin/env bash
# Hostile guests beside good ones (issue 5): each hostile guest runs as a VM
# next to a test kernel VM on the same physical CPUs. The hostile VM gets
# guest-level faults or is ended with a reason (its cycle limit, a faulting
# exception vector); the good VM's output equals the bare run's; flash-run
# itself ends normally. Usage: vm_hostile.sh BUILD (r10000|r2el)
set -u
b=$1
build=${DISCO_BUILD:-build}
src=${DISCO_SOURCE:-.}
expected=$src/tests/tkernel/expected_bare.txt
fail() { echo "vm_hostile: $*" >&2; exit 1; }
want=$(sed 's/^tkernel: mode bare$/tkernel: mode vm/' "$expected")
for h in phys cp0 spin random; do
  out=$(timeout -s KILL 100 "$build/bin/flash-run" --vm --pcpus 1 --max-cycles 300000000 \
    "$build/guest/hostile_${h}_$b" "$build/guest/tkernel_$b" 2>&1)
  status=$?
  [ "$status" -le 1 ] || fail "hostile_$h: flash-run exited with $status: $out"
  got=$(echo "$out" | grep '^vm1: ' | sed 's/^vm1: //' | grep -v '^tkernel: info')
  diff -u <(echo "$want") <(echo "$got") >/dev/null ||
    fail "hostile_$h: the good VM's output differs: $(diff <(echo "$want") <(echo "$got") | head)"
  reason=$(echo "$out" | grep 'vm0 did not exit' || echo "$out" | grep '^vm0: ' | tail -1)
  echo "hostile_$h: good VM passed; hostile VM: ${reason:-exited}"
  case $h in
  spin) echo "$out" | grep -q "vm0 did not exit: time limit" || fail "hostile_spin was not stopped by its limit" ;;
  phys) echo "$out" | grep -q "^vm0: hostile_phys: done" || fail "hostile_phys did not get its faults" ;;
  esac
done
echo "vm_hostile: ok"
