#!/usr/bin/env bash
# deploy/demo.sh BUILD_DIR - the main job on the embedded default, run by
# `make demo`. It grows with the project; today it:
#   1. assembles a simulated FLASH machine from local node servers on
#      loopback with deploy/disco-local (a coordinator and 4 flash-node
#      processes, 8 nodes; the nodes' CA and certificate made on first use
#      under ~/.local/state/disco) and shuts it down cleanly;
#   2. runs the demo workload on one simulated MIPS64 CPU with flash-run, in
#      both byte orders, prints what the simulator computed and its counters,
#      and checks the output against QEMU on the same binary;
#   3. boots a bare-metal kernel-mode test on the R10000 model (system mode:
#      TLB refills, exceptions, the Count/Compare timer) through flash-run;
#   4. runs a bare-metal SMP program on the whole distributed machine
#      (4 node servers x 2 nodes, coherent shared memory over the
#      interconnect, mutual TLS): disco-local --bare prints its console and
#      statistics;
#   5. runs four Disco VMs, one per FLASH node over 2 node servers: the test
#      kernel (guest/tkernel: six preemptive user processes with their own
#      page tables and ASIDs) in supervisor mode under the monitor, with each
#      VM's statistics (kernel/user/monitor cycles, monitor cycles by cause,
#      TLB misses, second-level TLB hit ratio);
#   6. the virtualization overhead of one VM against the same kernel bare.
set -euo pipefail
B=${1:-build}
BIN=$B/bin
GUEST=$B/guest
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

LOCAL=$(dirname "$0")/disco-local
say "1. A simulated FLASH machine: coordinator + 4 node servers on loopback (deploy/disco-local)"
"$LOCAL" --build "$B" --servers 4 --nodes-per-server 2 --memory-per-node 64 --hold 1

say "2. The demo workload on one simulated MIPS64 CPU (flash-run), checked against QEMU"
status=0
for endian in be le; do
  prog=$GUEST/demo-workload-$endian
  qemu=qemu-mips64; [ $endian = le ] && qemu=qemu-mips64el
  echo "-- $(basename "$prog") ($([ $endian = be ] && echo big || echo little)-endian, mips64r2 model)"
  stats=$(mktemp)
  ours=$("$BIN/flash-run" --cpu mips64r2 --stats "$prog" 2>"$stats")
  echo "$ours" | sed 's/^/   /'
  sed 's/^/   /' "$stats"
  theirs=$($qemu -cpu MIPS64R2-generic "$prog")
  if [ "$ours" = "$theirs" ]; then
    echo "   output identical to $qemu -cpu MIPS64R2-generic"
  else
    echo "   OUTPUT DIFFERS from $qemu:"; diff <(echo "$ours") <(echo "$theirs") | sed 's/^/   /'
    status=1
  fi
  rm -f "$stats"
done

say "3. Kernel mode on the R10000 model: a bare-metal TLB and timer test (flash-run --system)"
for prog in k_tlb_refill_r10000 k_timer_r10000 k_modes_r10000; do
  out=$("$BIN/flash-run" --system --stats "$GUEST/$prog" 2>&1) || status=1
  printf '   %-24s %3d checks passed, %s\n' "$prog" "$(grep -c '^PASS:' <<<"$out")" \
    "$(grep -o 'KT RESULT: [A-Z]*' <<<"$out")"
  grep '^flash-run:' <<<"$out" | sed 's/^/   /'
  grep '^FAIL' <<<"$out" | sed 's/^/   /' || true
done

say "4. A bare-metal SMP program on the distributed machine (4 servers x 2 nodes over tls, disco-local --bare)"
smp=$GUEST/smp_matmul_r10000
[ -f "$smp" ] || smp=$GUEST/bare_smoke_be
"$LOCAL" --build "$B" --servers 4 --nodes-per-server 2 --bare "$smp" -- --timeout 120 | sed 's/^/   /' ||
  status=1

say "5. Four Disco VMs (the test kernel) on 4 FLASH nodes over 2 node servers (disco-local --vm)"
tk=$GUEST/tkernel_r10000
"$LOCAL" --build "$B" --servers 2 --nodes-per-server 2 \
  --vm "$tk,name=vm0" --vm "$tk,name=vm1" --vm "$tk,name=vm2" --vm "$tk,name=vm3" -- --timeout 300 |
  grep -v ': \(pid\|primes\|sorted\|2000\|4 products\|3000\|tkernel: info\)' | sed 's/^/   /' || status=1

say "6. Virtualization overhead: the same kernel bare and as a VM (flash-run, one CPU)"
bare=$("$BIN/flash-run" --system --stats "$tk" 2>&1 >/dev/null | grep -o 'cycles=[0-9]*' | cut -d= -f2)
vmst=$("$BIN/flash-run" --vm --stats "$tk" 2>&1 >/dev/null)
vm=$(grep -o 'end_cycle=[0-9]*' <<<"$vmst" | cut -d= -f2)
printf '   bare %s cycles, VM %s cycles: %+.1f%% (monitor cycles by action below)\n' "$bare" "$vm" \
  "$(awk -v a="$vm" -v b="$bare" 'BEGIN { print (a / b - 1) * 100 }')"
grep -o 'monitor_cycles_by_action.*' <<<"$vmst" | tr ' ' '\n' | tail -n +2 | sed 's/^/     /'
exit $status
