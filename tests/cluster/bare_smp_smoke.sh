#!/usr/bin/env bash
# The distributed coherent machine end to end: disco-coord --bare runs an
# LL/SC counter (guest/bare_smoke) on 2 processes x 2 nodes over ipc, tcp and
# tls+tcp and must print the exact total, the statistics and exit 0; a
# program that never exits fails at --max-cycles; one the servers cannot
# load fails with their reason; a server killed mid-run fails the run
# within a bounded time, naming the node; nothing is left.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
GUEST=$DISCO_BUILD/guest
export DISCO_CA_SH=${DISCO_SOURCE:?}/deploy/tls/disco-ca.sh

for t in ipc tcp tls; do
  out=$("$BIN/disco-coord" --local 2 --nodes-per-server 2 --transport $t --timeout 60 \
          --bare "$GUEST/bare_smoke_be" 2>&1) || { echo "$out"; fail "$t: exit status $?"; }
  echo "$out"
  grep -qx "smoke: cpus=4 total=800" <<<"$out" || fail "$t: wrong or missing total"
  grep -Eq "^total +[0-9]+ +[0-9]+ +[0-9]+ +[1-9][0-9]* " <<<"$out" || fail "$t: no remote misses counted"
  for n in 0 1 2 3; do grep -Eq "^$n +[1-9]" <<<"$out" || fail "$t: no statistics for node $n"; done
  grep -q "exit status 0 (cpu 0" <<<"$out" || fail "$t: exit not reported"
done

# --console-prefix and 2 CPUs per node on 1 process.
out=$("$BIN/disco-coord" --local 1 --nodes-per-server 2 --cpus-per-node 2 --console-prefix \
        --bare "$GUEST/bare_smoke_be" 2>&1) || fail "prefix run: exit status $?"
grep -qx "cpu0: smoke: cpus=4 total=800" <<<"$out" || fail "prefixed line missing"

# A program that never exits ends at --max-cycles with status 1.
st=0
out=$("$BIN/disco-coord" --local 2 --max-cycles 200000 --bare "$GUEST/bare_smoke_forever_be" 2>&1) || st=$?
[ $st = 1 ] || { echo "$out"; fail "max-cycles: exit status $st"; }
grep -q "ran past --max-cycles 200000" <<<"$out" || fail "max-cycles: no message"

# A program the servers cannot load: the run fails with their reason.
fake=$(mktemp); printf '\177ELF%060d' 0 >"$fake"
st=0
out=$("$BIN/disco-coord" --local 2 --bare "$fake" 2>&1) || st=$?
rm -f "$fake"
[ $st = 1 ] || { echo "$out"; fail "bad program: exit status $st"; }
grep -q "run failed: server [01]: cannot load the program" <<<"$out" || { echo "$out"; fail "bad program: no reason"; }

# A server killed mid-run: bounded, named failure.
log=$(mktemp)
"$BIN/disco-coord" --local 3 --heartbeat-timeout 1000 --bare "$GUEST/bare_smoke_forever_be" >"$log" 2>&1 &
coord=$!
victim=
for _ in $(seq 200); do
  victim=$(for p in $(tagged_pids); do { tr "\0" " " </proc/$p/cmdline; } 2>/dev/null | grep -q -- "--server-rank 1" && echo $p; done; true)
  [ -n "$victim" ] && grep -q "" /proc/$victim/status 2>/dev/null && break
  sleep 0.05
done
sleep 1
t0=$(date +%s%N)
kill -KILL "$victim"
st=0; wait $coord || st=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
out=$(cat "$log"); rm -f "$log"
echo "$out"
[ $st = 1 ] || fail "lost server: exit status $st"
grep -q "pid $victim) lost" <<<"$out" || fail "lost server: message does not name pid $victim"
[ $ms -lt 8000 ] || fail "lost server: took $ms ms"
echo "lost server: failed in $ms ms"
sleep 0.2
no_leftovers
echo PASS
