#!/usr/bin/env bash
# Certificates that do not match, over real mutual TLS on loopback: a node
# server whose certificate comes from another CA, and one that does not
# trust the coordinator, each fail at once (not at the join timeout) naming
# the TLS handshake; the coordinator keeps waiting, and a server with the
# right identity then joins and the bare program runs to its total.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
GUEST=$DISCO_BUILD/guest
S=${DISCO_SOURCE:?}/deploy/tls/disco-ca.sh
T=$(mktemp -d)
coord_pid=
cleanup() {
  [ -z "$coord_pid" ] || kill "$coord_pid" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
{ "$S" init "$T/good" && "$S" issue "$T/good" coord && "$S" issue "$T/good" node &&
  "$S" init "$T/evil" && "$S" issue "$T/evil" node; } >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="tls+tcp://127.0.0.1:$port"
"$BIN/disco-coord" --servers 1 --listen "$url" --tls-ca "$T/good/ca.crt" \
  --tls-cert "$T/good/coord.crt" --tls-key "$T/good/coord.key" --join-timeout 120 --timeout 120 \
  --bare "$GUEST/bare_smoke_be" >"$T/coord.log" 2>&1 &
coord_pid=$!

# try NAME CA CERT KEY: a node server that must be turned away quickly.
try() {
  local t0 st=0 out
  t0=$(date +%s)
  out=$("$BIN/flash-node" --coord "$url" --tls-ca "$2" --tls-cert "$3" --tls-key "$4" \
          --join-timeout 60 2>&1) || st=$?
  echo "$1: exit $st after $(($(date +%s) - t0)) s: $out"
  [ "$st" != 0 ] || fail "$1: the node server was let in"
  [ $(($(date +%s) - t0)) -lt 30 ] || fail "$1: refused only after the join timeout"
  grep -q "TLS handshake failed" <<<"$out" || fail "$1: the TLS failure is not named"
}
sleep 0.5
try "certificate from another CA" "$T/good/ca.crt" "$T/evil/node.crt" "$T/evil/node.key"
try "coordinator not trusted" "$T/evil/ca.crt" "$T/good/node.crt" "$T/good/node.key"
kill -0 "$coord_pid" 2>/dev/null || { cat "$T/coord.log"; fail "the coordinator died"; }

# The right identity joins the same coordinator and the run completes.
"$BIN/flash-node" --coord "$url" --tls-ca "$T/good/ca.crt" --tls-cert "$T/good/node.crt" \
  --tls-key "$T/good/node.key" --join-timeout 60 >"$T/node.log" 2>&1 &
st=0
wait "$coord_pid" || st=$?
coord_pid=
cat "$T/coord.log"
[ "$st" = 0 ] || { cat "$T/node.log"; fail "the run failed (exit $st)"; }
grep -qx "smoke: cpus=1 total=200" "$T/coord.log" || fail "wrong or missing total"
wait || true
no_leftovers
echo "PASS"
