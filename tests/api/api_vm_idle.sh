#!/usr/bin/env bash
# The VM host at rest: with no VM to run, the coordinator holds the barrier
# release instead of spinning through empty quanta (little CPU, a quantum a
# second), a submission still starts at once, and a node server that dies
# while the machine idles is noticed (heartbeats and loss detection go on):
# the coordinator ends with the loss named.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
make_pki
start_coord --heartbeat-timeout 1500
cpu_ticks() { # user+system ticks of the coordinator and its node servers
  local t=0
  for p in $COORD_PID $(pgrep -P "$COORD_PID"); do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo $t
}
sleep 1
T0=$(cpu_ticks)
sleep 3
T1=$(cpu_ticks)
TICKS=$(getconf CLK_TCK)
echo "idle: $((T1 - T0)) CPU ticks in 3 s for the coordinator and 2 servers ($TICKS ticks/s)"
# A spinning barrier would burn most of a core per process; held, a few %.
[ $((T1 - T0)) -lt $((TICKS * 3 / 2)) ] || fail "the idle machine used $((T1 - T0)) ticks in 3 s"
expect 0 as alice --json stats
grep -q '"name": "machine_idle_holds"' <<<"$OUT" || fail "cluster stats: $OUT"
HOLDS=$(grep -A1 '"machine_idle_holds"' <<<"$OUT" | sed -n 's/.*"value": \([0-9]*\).*/\1/p')
QUANTA=$(grep -A1 '"machine_quanta"' <<<"$OUT" | sed -n 's/.*"value": \([0-9]*\).*/\1/p')
[ "$HOLDS" -gt 20 ] && [ "$QUANTA" -lt 20 ] || fail "idle holds $HOLDS, quanta $QUANTA: $OUT"
# A job still starts and ends promptly on the idle machine.
T=$(date +%s%N)
expect 0 as alice job submit "$GUEST/boot_hello" --wait --quiet
MS=$(( ($(date +%s%N) - T) / 1000000 ))
echo "boot_hello on the idle machine: $MS ms from submit to verdict"
[ "$MS" -lt 5000 ] || fail "a job on the idle machine took $MS ms"
# A node server dies while the machine idles: noticed, named, the coordinator ends.
SERVER=$(pgrep -P "$COORD_PID" -f flash-node | head -1)
kill -9 "$SERVER"
for _ in $(seq 100); do kill -0 "$COORD_PID" 2>/dev/null || break; sleep 0.1; done
st=0
wait "$COORD_PID" || st=$?
COORD_PID=
[ "$st" != 0 ] || fail "the coordinator went on without a node server"
grep -q "lost\|exited" "$WORK/coord.err" || fail "the loss is not named: $(tail -5 "$WORK/coord.err")"
echo "a lost server on the idle machine ended the coordinator: $(grep -m1 'lost\|exited' "$WORK/coord.err")"
echo "PASS"
