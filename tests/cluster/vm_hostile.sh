#!/usr/bin/env bash
# Hostile guests (guest/hostile: garbage CP0 writes, wild physical
# addresses, random instruction streams, a spin with interrupts off) each
# beside a good VM on the same CPU and on another node of its server: the
# good VM passes, the hostile one ends with a reason (its own exit or the
# time limit), and no server dies. On the R10000 machine and, for two of
# them, on the little-endian MIPS64 R2 one.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
GUEST=$DISCO_BUILD/guest
for run in cp0:r10000:0 cp0:r10000:1 phys:r10000:0 phys:r10000:1 random:r10000:0 random:r10000:1 \
           spin:r10000:0 spin:r10000:1 random:r2el:0 spin:r2el:1; do
  IFS=: read -r h model node <<<"$run"
  H=$GUEST/hostile_${h}_$model K=$GUEST/tkernel_$model
  [ -f "$H" ] && [ -f "$K" ] || fail "$H or $K not built"
  {
    st=0
    out=$("$BIN/disco-coord" --local 1 --nodes-per-server 2 --timeout 200 \
            --vm "$H,name=bad,max-cycles=30000000,node=0" --vm "$K,name=good,node=$node" 2>&1) || st=$?
    echo "$out" | grep -E "^bad|^[12] +(bad|good)|disco-coord|error" || true
    grep -qx "good: tkernel: PASS" <<<"$out" || { echo "$out"; fail "$h/$model/node $node: good VM did not pass"; }
    grep -Eq "^2 +good +exit 0 " <<<"$out" || fail "$h/$model/node $node: good VM's row"
    grep -Eq "^1 +bad +(exit [0-9]+|time limit|[a-z])" <<<"$out" || fail "$h/$model/node $node: no reason for the hostile VM"
    grep -q "lost\|run failed\|exited (" <<<"$out" && fail "$h/$model/node $node: a server died"
    case $st in 0|1) ;; *) fail "$h/$model/node $node: exit status $st" ;; esac
  }
done
no_leftovers
echo PASS
