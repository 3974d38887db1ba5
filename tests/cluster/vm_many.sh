#!/usr/bin/env bash
# Several VMs on the distributed machine: 4 VMs on 4 nodes of 2 server
# processes (least-loaded placement: one per node), each running the test
# kernel guest/tkernel (processes, TLB refills, timer interrupts, system
# calls) to its PASS line; then two VMs time-sharing one CPU.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
GUEST=$DISCO_BUILD/guest
K=$GUEST/tkernel_r10000
[ -f "$K" ] || fail "$K not built"
json=$(mktemp)
trap 'rm -f "$json"' EXIT

out=$("$BIN/disco-coord" --local 2 --nodes-per-server 2 --timeout 200 --stats-json "$json" \
        --vm "$K" --vm "$K" --vm "$K,name=t3" --vm "$K,name=t4" 2>&1) ||
  { echo "$out"; fail "exit status $?"; }
echo "$out" | grep -v "^[a-z0-9]*: pid\|primes\|sorted\|getpid\|products"
for n in vm1 vm2 t3 t4; do
  grep -qx "$n: tkernel: PASS" <<<"$out" || fail "$n: no PASS"
  grep -Eq "^[1-4] +$n +exit 0 +[1-9]" <<<"$out" || fail "$n: no table row"
done
python3 - "$json" <<'PY' || fail "placement"
import json, sys
vms = json.load(open(sys.argv[1]))["vms"]
assert [v["cpus"] for v in vms] == [[0], [1], [2], [3]], [v["cpus"] for v in vms]
assert [v["server"] for v in vms] == [0, 0, 1, 1]
assert all(v["stats"]["tlb_misses"] > 0 and v["stats"]["pages"] > 0 for v in vms)
PY

# Two VMs on one CPU: the monitor time-slices them; both pass.
out=$("$BIN/disco-coord" --local 1 --timeout 200 --vm "$K,name=a" --vm "$K,name=b" 2>&1) ||
  { echo "$out"; fail "shared CPU: exit status $?"; }
grep -qx "a: tkernel: PASS" <<<"$out" && grep -qx "b: tkernel: PASS" <<<"$out" || fail "shared CPU: no PASS"
no_leftovers
echo PASS
