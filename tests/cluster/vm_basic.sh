#!/usr/bin/env bash
# Disco VMs on the distributed machine (disco-coord --vm), the basics: a
# bare-metal guest as a 1-vCPU VM, an SMP program as a 2-vCPU VM (big-endian
# R10000 and little-endian MIPS64 R2 machines), the per-VM table and its
# JSON, and clear refusals of bad options, mixed kernels and missing files.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
GUEST=$DISCO_BUILD/guest
json=$(mktemp)
trap 'rm -f "$json"' EXIT

# One VM: the boot stub's hello, exit 0, a table row, valid JSON.
out=$("$BIN/disco-coord" --local 1 --timeout 60 --vm "$GUEST/boot_hello" --stats-json "$json" 2>&1) ||
  { echo "$out"; fail "boot_hello: exit status $?"; }
echo "$out"
grep -qx "vm1: KT RESULT: PASS" <<<"$out" || fail "boot_hello: no PASS line"
grep -Eq "^1 +vm1 +exit 0 +[1-9][0-9]* " <<<"$out" || fail "boot_hello: no table row"
grep -Eq "^1 +vm1 +tlb_miss [0-9]+ privileged [1-9][0-9]* traps_reflection [1-9]" <<<"$out" ||
  fail "boot_hello: no monitor cycles by cause"
python3 - "$json" <<'PY' || fail "stats JSON"
import json, sys
d = json.load(open(sys.argv[1]))
v = d["vms"][0]
assert v["name"] == "vm1" and v["exited"] and v["exit_status"] == 0 and v["reason"] == "exit 0", v
assert v["cpus"] == [0] and v["server"] == 0, v
s = v["stats"]
assert s["instructions"] > 0 and s["kernel_cycles"] > 0 and s["monitor_cycles"] > 0, s
assert sum(s["monitor_cycles_by_group"].values()) == sum(c["cycles"] for c in s["causes"].values())
assert 0 < v["end_cycle"] <= d["machine_cycles"], (v["end_cycle"], d["machine_cycles"])
PY

# SMP programs as 2-vCPU VMs, on both machine models.
for k in smp_counter_r10000 smp_counter_r2; do
  out=$("$BIN/disco-coord" --local 1 --cpus-per-node 2 --timeout 60 --vm "$GUEST/$k,vcpus=2,name=smp" 2>&1) ||
    { echo "$out"; fail "$k: exit status $?"; }
  grep -q "^smp: SMP RESULT: PASS counter cpus=2" <<<"$out" || { echo "$out"; fail "$k: no PASS"; }
  grep -q "^smp: PASS: counter total 1000" <<<"$out" || fail "$k: wrong total"
done

# A kernel the coordinator accepts (a MIPS ELF header) but the monitor cannot
# load: that VM is refused with the monitor's reason, the other one runs.
fake=$(mktemp)
python3 -c 'import sys; h = bytearray(64); h[0:7] = b"\x7fELF\x02\x02\x01"; h[19] = 8; open(sys.argv[1], "wb").write(h)' "$fake"
st=0
out=$("$BIN/disco-coord" --local 1 --timeout 60 --vm "$fake,name=fake" --vm "$GUEST/boot_hello" 2>&1) || st=$?
rm -f "$fake"
[ $st = 1 ] || { echo "$out"; fail "refused VM: exit status $st"; }
grep -qx "vm2: KT RESULT: PASS" <<<"$out" || fail "refused VM: the other VM did not run"
grep -q "disco-coord: fake: refused: VM 1: " <<<"$out" || { echo "$out"; fail "refused VM: no reason"; }

# Refusals: each with its reason, before any server starts.
expect_refusal() { # expected-status pattern args...
  local want=$1 pattern=$2 st=0 out
  shift 2
  out=$("$BIN/disco-coord" --local 1 "$@" 2>&1) || st=$?
  [ "$st" = "$want" ] || { echo "$out"; fail "$*: exit status $st, not $want"; }
  grep -q -- "$pattern" <<<"$out" || { echo "$out"; fail "$*: no '$pattern'"; }
}
expect_refusal 2 "vcpus= wants a number" --vm "$GUEST/boot_hello,vcpus=x"
expect_refusal 2 "unknown option" --vm "$GUEST/boot_hello,colour=red"
expect_refusal 2 "mem= wants a size" --vm "$GUEST/boot_hello,mem=3000"
expect_refusal 2 "a VM runs on the CPUs of one server" --vm "$GUEST/boot_hello,vcpus=3"
expect_refusal 2 "node=5, but the machine has nodes 0-0" --vm "$GUEST/boot_hello,node=5"
expect_refusal 1 "after=nope names no earlier --vm" --vm "$GUEST/boot_hello,after=nope"
expect_refusal 1 "cannot open /nonexistent" --vm /nonexistent
expect_refusal 1 "the kernels need different machines" --vm "$GUEST/boot_hello" --vm "$GUEST/smp_counter_r2"
expect_refusal 2 "--bare and --vm do not go together" --bare "$GUEST/boot_hello" --vm "$GUEST/boot_hello"
no_leftovers
echo PASS
