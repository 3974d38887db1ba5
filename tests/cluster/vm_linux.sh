#!/usr/bin/env bash
# Linux VMs on the distributed machine (disco-coord --vm with initrd=, disk=,
# append=; issue 7, docs/linux.md): Debian's mips64el kernel in two VMs at
# once, one per server process, both running the scripted workload (their
# outputs must match each other and flash-run --vm's), and a third VM whose
# kernel panics (no init) ending with the panic as its reason while the two
# others finish. Skipped (77) when the guest cannot be built (no cache, no
# network), as tests/linux.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../linux/guest.sh"
BASE="console=ttyS0 earlycon nokaslr lpj=400000"
out=$(mktemp)
ref=$(mktemp)
trap 'rm -f "$out" "$ref"' EXIT

# The workload block of one VM's console lines ("name: line").
workload() { # name file
  sed -n "s/^$1: //p" "$2" | tr -d '\r' | sed -n '/^DISCO-WORKLOAD-BEGIN$/,/^DISCO-WORKLOAD-END$/p'
}

t0=$(date +%s.%N)
st=0
# append= is the last key: its commas (disco.tag=a,b) stay in the command line.
"$BIN/disco-coord" --local 2 --nodes-per-server 1 --cpus-per-node 2 --memory-per-node 384 \
  --timeout 500 --max-cycles 8000000000 --heartbeat-timeout 30000 \
  --vm "$K,name=linA,node=0,initrd=$I,disk=$D,append=$BASE workload=script disco.tag=a,b" \
  --vm "$K,name=linB,node=1,initrd=$I,disk=$D" \
  --vm "$K,name=panic,node=1,initrd=$I,append=$BASE rdinit=/nonexistent init=/nonexistent" \
  >"$out" 2>&1 || st=$?
t1=$(date +%s.%N)
echo "three Linux VMs on 2 servers: $(python3 -c "print('%.1f' % ($t1 - $t0))") s wall"
grep -v "^lin[AB]: \|^panic: " "$out" || true
[ $st = 1 ] || { tail -50 "$out"; fail "exit status $st, not 1 (the panicking VM fails the run)"; }
for v in linA linB; do
  grep -q "^$v: DISCO-LINUX: init reached" "$out" || { tail -50 "$out"; fail "$v: never reached init"; }
  grep -q "^$v: DISCO-DISK: DISCO-DISK-OK $(stat -c %s "$D") bytes md5 $(md5sum <"$D" | cut -d' ' -f1)" "$out" ||
    fail "$v: the virtio disk was not read as the image holds it"
  grep -q "^$v: DISCO-DISK: readback disco-write-test" "$out" || fail "$v: disk write not read back"
  grep -Eq "^[0-9]+ +$v +exit 0 " "$out" || fail "$v: no 'exit 0' row (guest reboot)"
  [ -n "$(workload $v "$out" | sed -n '/DISCO-WORKLOAD-END/p')" ] || fail "$v: no complete workload output"
done
grep -q "^linA: .*Kernel command line: .*workload=script disco.tag=a,b" "$out" ||
  fail "linA: append= did not reach the kernel whole"
grep -q "^linB: .*Kernel command line: $BASE" "$out" || fail "linB: not the monitor's default command line"
diff <(workload linA "$out") <(workload linB "$out") || fail "the two VMs' workload outputs differ"
grep -q "^disco-coord: panic: guest panic: " "$out" || fail "the panicking VM did not end with its panic"
grep -q "^linA: DISCO-LINUX: poweroff" "$out" || fail "linA did not finish"
echo "workload: $(workload linA "$out" | wc -l) lines, identical in both VMs"

# The same kernel under flash-run --vm (one process): the same workload output.
"$BIN/flash-run" --vm --max-cycles 8000000000 --initrd "$I" --disk "$D" "$K" >"$ref" 2>&1 ||
  { tail -30 "$ref"; fail "flash-run --vm failed"; }
diff <(tr -d '\r' <"$ref" | sed -n '/^DISCO-WORKLOAD-BEGIN$/,/^DISCO-WORKLOAD-END$/p') \
  <(workload linA "$out") || fail "the workload differs from flash-run --vm's"

# Clear refusals of bad Linux options.
expect_refusal() { # expected-status pattern args...
  local want=$1 pattern=$2 st=0 o
  shift 2
  o=$("$BIN/disco-coord" --local 1 "$@" 2>&1) || st=$?
  [ "$st" = "$want" ] || { echo "$o"; fail "$*: exit status $st, not $want"; }
  grep -q -- "$pattern" <<<"$o" || { echo "$o"; fail "$*: no '$pattern'"; }
}
expect_refusal 1 "cannot open the initramfs /nonexistent" --vm "$K,initrd=/nonexistent"
expect_refusal 1 "cannot open the disk image /nonexistent" --vm "$K,initrd=$I,disk=/nonexistent"
expect_refusal 2 "disk= and append= are for Linux VMs" --vm "$K,disk=$D"
big=$(mktemp)
truncate -s 60M "$big"
st=0
o=$("$BIN/disco-coord" --local 1 --vm "$K,initrd=$I,disk=$big" 2>&1) || st=$?
rm -f "$big"
[ $st = 1 ] && grep -q "too large" <<<"$o" || { echo "$o"; fail "a 60 MiB disk was not refused"; }
no_leftovers
echo PASS
