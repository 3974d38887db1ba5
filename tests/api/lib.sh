# Shared helpers of the API tests: a lab CA with users, a coordinator with
# two local node servers serving the API on a free loopback port, and
# clean-up that leaves no process behind. DISCO_BUILD/DISCO_SOURCE come from ctest.
GUEST=${DISCO_BUILD:?DISCO_BUILD not set}/guest
PROBE=$DISCO_BUILD/tests/api_probe
CA_SH=${DISCO_SOURCE:?DISCO_SOURCE not set}/deploy/tls/disco-ca.sh
WORK=$(mktemp -d /tmp/disco-api-test-XXXXXX)
# Private copies of the binaries: other tests running at the same time look
# for their processes by the path of build/bin/flash-node, and must not see ours.
BIN=$WORK/bin
mkdir -p "$BIN"
cp "$DISCO_BUILD/bin/disco-coord" "$DISCO_BUILD/bin/flash-node" "$DISCO_BUILD/bin/flash-run" \
  "$DISCO_BUILD/bin/discoctl" "$BIN/"
STATE=$WORK/state
PKI=$WORK/pki
COORD_PID=
fail() { echo "FAIL: $*" >&2; [ -f "$WORK/coord.err" ] && tail -20 "$WORK/coord.err" >&2; exit 1; }

cleanup() {
  if [ -n "$COORD_PID" ] && kill -0 "$COORD_PID" 2>/dev/null; then
    kill -TERM "$COORD_PID"; wait "$COORD_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The lab: CA "pki" with the server, users alice, bob, carol (to revoke) and
# root (admin); a second, unrelated CA "other" with a user mallory.
make_pki() {
  "$CA_SH" init "$PKI" "Test lab CA" >/dev/null
  "$CA_SH" issue "$PKI" localhost >/dev/null
  for u in alice bob carol; do "$CA_SH" user "$PKI" $u >/dev/null; done
  "$CA_SH" user "$PKI" root --admin >/dev/null
  "$CA_SH" crl "$PKI" >/dev/null
  "$CA_SH" init "$WORK/other" "Another CA" >/dev/null
  "$CA_SH" user "$WORK/other" mallory >/dev/null
}

# start_coord [extra disco-coord options]: serves until stop_coord.
# The control socket lives in $WORK (a new one per start), so a coordinator
# killed with -9 leaves nothing in /tmp.
STARTS=0
start_coord() {
  rm -f "$STATE/api-port"
  STARTS=$((STARTS + 1))
  "$BIN/disco-coord" --local 2 --listen "ipc://$WORK/control.$STARTS" --serve \
    --api-listen 127.0.0.1:0 --state-dir "$STATE" \
    --api-ca "$PKI/ca.crt" --api-cert "$PKI/localhost.crt" --api-key "$PKI/localhost.key" \
    --api-crl "$PKI/crl.pem" "$@" >>"$WORK/coord.out" 2>>"$WORK/coord.err" &
  COORD_PID=$!
  for _ in $(seq 100); do
    [ -s "$STATE/api-port" ] && break
    kill -0 $COORD_PID 2>/dev/null || fail "disco-coord exited at start"
    sleep 0.1
  done
  [ -s "$STATE/api-port" ] || fail "the API did not come up"
  PORT=$(cat "$STATE/api-port")
  URL=https://localhost:$PORT
}

stop_coord() {
  kill -TERM "$COORD_PID"
  local st=0
  wait "$COORD_PID" || st=$?
  COORD_PID=
  [ $st = 0 ] || fail "disco-coord exited with $st on SIGTERM"
}

# as USER discoctl-args...: discoctl with USER's certificate.
as() {
  local u=$1; shift
  "$BIN/discoctl" --url "$URL" --ca "$PKI/ca.crt" --cert "$PKI/$u.crt" --key "$PKI/$u.key" "$@"
}

# expect STATUS cmd...: runs cmd, checks its exit status, leaves its output in $OUT.
expect() {
  local want=$1; shift
  local st=0
  OUT=$("$@" 2>&1) || st=$?
  [ "$st" = "$want" ] || fail "'$*' exited $st, expected $want: $OUT"
}

# curl_call USER SERVICE/METHOD [field=value...]: HTTP status in $HTTP, body in $WORK/body.
curl_call() {
  local u=$1 m=$2; shift 2
  "$PROBE" body "$m" "$@" >"$WORK/req"
  HTTP=$(curl -sS -o "$WORK/body" -w '%{http_code}' --cacert "$PKI/ca.crt" \
    --cert "$PKI/$u.crt" --key "$PKI/$u.key" -H 'Content-Type: application/protobuf' \
    --data-binary @"$WORK/req" "$URL/twirp/disco.api.$m") || true
}

# decoded SERVICE/METHOD: the last curl answer as JSON.
decoded() { "$PROBE" decode "$1" <"$WORK/body"; }

# wait_job USER ID STATE: polls until the job reaches STATE (10 s).
wait_job_state() {
  for _ in $(seq 100); do
    as "$1" --json job show "$2" | grep -q "\"state\": \"$3\"" && return 0
    sleep 0.1
  done
  fail "job $2 did not reach $3: $(as "$1" job show "$2")"
}

# The coordinator's children (node servers, guests), to check none outlives it.
children() { pgrep -P "$COORD_PID" | tr '\n' ' '; }

# no_leftovers PIDS...: none of these processes may still exist.
no_leftovers() {
  sleep 0.5
  for p in "$@"; do
    if kill -0 "$p" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null; then
      fail "process $p left behind: $(ps -o args= -p "$p")"
    fi
  done
}
