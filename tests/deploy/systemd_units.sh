#!/usr/bin/env bash
# The systemd units of deploy/systemd: systemd-analyze verify finds nothing
# to say about either (with ExecStart pointing at this build and the example
# environment files), the offline security review rates both "OK" or better
# (exposure < 3), and the binaries speak the notify protocol their
# Type=notify promises: with $NOTIFY_SOCKET set, disco-coord sends READY=1
# once its control endpoint listens and every flash-node once its nodes are
# built. (systemd is not PID 1 in CI, so the units are not started for real.)
set -uo pipefail
. "$DISCO_SOURCE/tests/cluster/lib.sh"
UNITS=$DISCO_SOURCE/deploy/systemd
T=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT

# 1. The units, as installed: paths replaced by this build's and the examples.
if command -v systemd-analyze >/dev/null; then
  for u in disco-coord disco-node; do
    env=coord; [ $u = disco-node ] && env=node
    sed -e "s#/opt/disco/bin#$BIN#g" -e "s#/etc/disco/$env.env#$UNITS/$env.env.example#" \
      "$UNITS/$u.service" >"$T/$u.service"
    out=$(systemd-analyze verify "$T/$u.service" 2>&1) || fail "$u: verify failed: $out"
    [ -z "$out" ] || fail "$u: verify has remarks: $out"
    grep -q '^Type=notify$' "$T/$u.service" || fail "$u is not Type=notify"
    for k in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes Restart=; do
      grep -q "^$k" "$T/$u.service" || fail "$u lacks $k"
    done
    level=$(systemd-analyze security --offline=yes "$T/$u.service" 2>/dev/null |
      sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    [ -n "$level" ] && awk -v l="$level" 'BEGIN { exit !(l < 3) }' || fail "$u: exposure level '$level'"
    echo "$u.service: verify clean, exposure $level"
  done
else
  echo "(systemd-analyze not installed: unit files not verified)"
fi

# 2. READY=1 from the binaries, read from a real AF_UNIX datagram socket.
command -v python3 >/dev/null || { echo "(no python3: readiness not checked)"; echo PASS; exit 0; }
python3 - "$T/notify" "$T/messages" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.5)
end = time.time() + 20
with open(sys.argv[2], "w") as out:
    while time.time() < end:
        try:
            out.write(s.recv(4096).decode().replace("\n", " | ") + "\n")
            out.flush()
        except socket.timeout:
            pass
PY
pids+=($!)
disown
for _ in $(seq 50); do [ -S "$T/notify" ] && break; sleep 0.1; done
port=$((21000 + $$ % 4000))
NOTIFY_SOCKET=$T/notify "$BIN/disco-coord" --servers 2 --listen "tcp://127.0.0.1:$port" --hold 1 \
  >"$T/coord.out" 2>&1 &
coord=$!
pids+=("$coord")
for r in 0 1; do
  NOTIFY_SOCKET=$T/notify "$BIN/flash-node" --coord "tcp://127.0.0.1:$port" --server-rank $r \
    >"$T/node$r.out" 2>&1 &
  pids+=($!)
  disown
done
wait $coord || fail "coordinator failed: $(cat "$T/coord.out")"
sleep 0.5
cat "$T/messages"
grep -q "^READY=1 | STATUS=control endpoint tcp://127.0.0.1:$port, expecting 2 server(s)$" \
  "$T/messages" || fail "no READY=1 from disco-coord"
[ "$(grep -c '^READY=1 | STATUS=hosting nodes [01]-[01] of 2$' "$T/messages")" = 2 ] ||
  fail "not one READY=1 from each flash-node"
# The coordinator is ready before any server is (it must listen first).
head -1 "$T/messages" | grep -q "control endpoint" || fail "a server was ready before the coordinator"
# The servers leave when the coordinator ends (or when it falls silent).
for p in "${pids[@]:2}"; do
  for _ in $(seq 80); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
done
echo PASS
