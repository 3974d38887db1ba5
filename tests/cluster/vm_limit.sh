#!/usr/bin/env bash
# VMs that end without exiting: a spinning guest stopped by its max-cycles
# ends with "time limit" while another VM finishes; a signal to disco-coord
# stops every VM ("stopped by request", one not started yet "stopped before
# it started") and still prints their statistics; the exit status is 1.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
GUEST=$DISCO_BUILD/guest
SPIN=$GUEST/bare_smoke_forever_be

st=0
out=$("$BIN/disco-coord" --local 1 --nodes-per-server 2 --timeout 60 \
        --vm "$SPIN,name=spin,max-cycles=3000000" --vm "$GUEST/boot_hello,name=hello" 2>&1) || st=$?
echo "$out"
[ $st = 1 ] || fail "time limit: exit status $st"
grep -qx "hello: KT RESULT: PASS" <<<"$out" || fail "the other VM did not finish"
grep -Eq "^1 +spin +time limit +(2[5-9]|30)[0-9]{5} " <<<"$out" || fail "spin: no time limit near 3M instructions"
grep -q "disco-coord: spin: time limit" <<<"$out" || fail "spin: reason not on stderr"

# A signal stops the VMs.
log=$(mktemp)
"$BIN/disco-coord" --local 1 --timeout 60 --vm "$SPIN,name=spin" --vm "$SPIN,name=next,after=spin" >"$log" 2>&1 &
coord=$!
sleep 1.5
kill -TERM $coord
st=0; wait $coord || st=$?
out=$(cat "$log"); rm -f "$log"
echo "$out"
[ $st = 1 ] || fail "stop: exit status $st"
grep -Eq "^1 +spin +stopped by request +[1-9]" <<<"$out" || fail "stop: spin not stopped by request"
grep -Eq "^2 +next +stopped before it started" <<<"$out" || fail "stop: next not reported"
sleep 0.2
no_leftovers
echo PASS
