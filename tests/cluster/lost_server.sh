#!/usr/bin/env bash
# A node server killed mid-run, or frozen, is detected within a bounded time
# and the run fails with a message naming the lost node; nothing hangs and
# no process is left behind.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

run_and_break() { # $1 = signal to send to one node server
  local log; log=$(mktemp)
  "$BIN/disco-coord" --local 3 --hold 60 --heartbeat-timeout 1000 >"$log" 2>&1 &
  local coord=$!
  for _ in $(seq 100); do grep -q "^  server 2" "$log" && break; sleep 0.05; done
  local victim; victim=$(for p in $(tagged_pids); do { tr "\0" " " </proc/$p/cmdline; } 2>/dev/null | grep -q -- "--server-rank 1" && echo $p; done; true)
  local t0; t0=$(date +%s%N)
  kill "-$1" "$victim"
  local st=0; wait $coord || st=$?
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  cat "$log"
  [ $st = 1 ] || fail "coordinator exit status $st after SIG$1"
  grep -Eq "lost: (connection closed|no heartbeat)" "$log" || fail "no lost-node message after SIG$1"
  grep -q "pid $victim) lost" "$log" || fail "message does not name the victim (pid $victim)"
  [ $ms -lt 8000 ] || fail "took $ms ms to fail after SIG$1"
  echo "SIG$1: failed as expected in $ms ms"
  kill -CONT "$victim" 2>/dev/null || true
  rm -f "$log"
}
run_and_break KILL
run_and_break STOP
sleep 0.2
no_leftovers
echo "PASS"
