#!/usr/bin/env bash
# VMs that come and go: a VM started once another has ended on the same
# node gets the machine pages the first one left (the monitor reuses freed
# pages first), which the server purged from its caches and directory
# before the monitor took them back: the second test kernel must still pass
# (without the purge it reads the first one's stale cached lines and hangs).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
GUEST=$DISCO_BUILD/guest
K=$GUEST/tkernel_r10000
[ -f "$K" ] || fail "$K not built"

out=$(DISCO_LOG=info "$BIN/disco-coord" --local 1 --nodes-per-server 2 --timeout 200 \
        --vm "$K,name=a,node=0" --vm "$K,name=b,node=0,after=a" --vm "$K,name=c,node=0,after=b" 2>&1) ||
  { echo "$out"; fail "exit status $?"; }
echo "$out" | grep -E "reclaimed|created|PASS|^[1-3] "
for n in a b c; do grep -qx "$n: tkernel: PASS" <<<"$out" || fail "$n: no PASS"; done
# a's pages were reclaimed before b was created, b's before c.
grep -E "reclaimed [1-9][0-9]* machine page|VM [0-9] [a-c] created" <<<"$out" | sed 's/.*server0: //' >/tmp/vm_reclaim.$$
order=$(sed -E 's/^VM [0-9] ([a-c]) created.*/\1/; s/^reclaimed.*/R/' /tmp/vm_reclaim.$$ | tr -d '\n')
rm -f /tmp/vm_reclaim.$$
[[ $order == aRbRc* ]] || fail "reclaim order: $order"
no_leftovers
echo PASS
