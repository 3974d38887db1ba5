#!/usr/bin/env bash
# deploy/disco-local, the embedded default: the private CA and node
# certificate are made on first use and reused after; a bare SMP program runs
# over tls and its statistics come back; Ctrl-C (SIGINT to the launcher)
# mid-run and a killed coordinator both leave no flash-node or disco-coord
# process behind.
set -euo pipefail
. "$DISCO_SOURCE/tests/cluster/lib.sh"
LOCAL=$DISCO_SOURCE/deploy/disco-local
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export DISCO_STATE=$TMP/state DISCO_BIN=$BIN
tagged_any() { # flash-node or disco-coord processes of this test
  local p
  for p in /proc/[0-9]*; do
    { tr "\0" "\n" <"$p/environ"; } 2>/dev/null | grep -qx "DISCO_TEST_TAG=$DISCO_TEST_TAG" || continue
    grep -qE "flash-node|disco-coord" "$p/cmdline" 2>/dev/null && echo "${p#/proc/}"
  done
  return 0
}
none_left() {
  local left
  for _ in $(seq 30); do left=$(tagged_any); [ -z "$left" ] && return 0; sleep 0.1; done
  fail "$1: processes left behind: $left"
}

# 1. First use: the CA and certificate appear; a bare SMP run over tls.
"$LOCAL" -n 4 -k 2 --bare "$DISCO_BUILD/guest/smp_counter_r10000" >"$TMP/run1" 2>&1 ||
  { cat "$TMP/run1"; fail "bare run failed"; }
grep -q "^SMP RESULT: PASS counter cpus=8" "$TMP/run1" || { cat "$TMP/run1"; fail "no PASS line"; }
total=$(awk '$1 == "total" { print $3 }' "$TMP/run1")
[ "${total:-0}" -gt 0 ] || fail "no instruction total in the statistics"
for f in ca.crt ca.key node.crt node.key; do [ -s "$DISCO_STATE/tls/$f" ] || fail "no $f made"; done
[ "$(stat -c %a "$DISCO_STATE/tls/node.key")" = 600 ] || fail "node.key is not mode 600"
openssl verify -CAfile "$DISCO_STATE/tls/ca.crt" "$DISCO_STATE/tls/node.crt" >/dev/null ||
  fail "node certificate not signed by the CA"
sum=$(sha256sum "$DISCO_STATE/tls/ca.crt")
echo "run 1: PASS over tls, $total instructions, certificates made"

# 2. Second use reuses them (a plain hold run).
"$LOCAL" -n 2 --hold 1 >"$TMP/run2" 2>&1 || { cat "$TMP/run2"; fail "hold run failed"; }
grep -q "machine shut down cleanly" "$TMP/run2" || fail "no clean shutdown"
[ "$(sha256sum "$DISCO_STATE/tls/ca.crt")" = "$sum" ] || fail "the CA was made again"
none_left "after a clean run"
echo "run 2: certificates reused, clean shutdown"

# 3. Ctrl-C mid-run: SIGINT to the launcher while the machine is held. (A
# background job of a script starts with SIGINT ignored; env gives it back
# the default, as a terminal's foreground job has.)
env --default-signal=INT "$LOCAL" -n 4 >"$TMP/run3" 2>&1 &
launcher=$!
for _ in $(seq 200); do grep -q "^  server 3" "$TMP/run3" && break; sleep 0.05; done
grep -q "^  server 3" "$TMP/run3" || { cat "$TMP/run3"; fail "machine not up"; }
[ "$(tagged_any | wc -w)" -eq 5 ] || fail "expected 5 processes up, got $(tagged_any | wc -w)"
t0=$(date +%s%N)
kill -INT "$launcher"
st=0; wait "$launcher" || st=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$st" = 130 ] || fail "launcher exit status $st after SIGINT (want 130)"
none_left "after SIGINT"
echo "run 3: SIGINT mid-run: stopped in $ms ms, nothing left"

# 4. The coordinator killed outright: the launcher stops the orphaned servers.
"$LOCAL" -n 3 >"$TMP/run4" 2>&1 &
launcher=$!
for _ in $(seq 200); do grep -q "^  server 2" "$TMP/run4" && break; sleep 0.05; done
coord=$(for p in $(tagged_any); do tr '\0' '\n' </proc/$p/cmdline 2>/dev/null | head -1 | grep -q 'disco-coord$' && echo $p; done; true)
[ -n "$coord" ] || fail "no coordinator found"
kill -KILL "$coord"
st=0; wait "$launcher" || st=$?
[ "$st" != 0 ] || fail "launcher reported success after its coordinator was killed"
none_left "after SIGKILL of the coordinator"
echo "run 4: coordinator killed: servers stopped, nothing left"
echo PASS
