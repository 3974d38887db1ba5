#!/usr/bin/env bash
# bench/api/run.sh BUILD_DIR [CLIENTS] [ROUNDS] - the public API under load on
# loopback: a real disco-coord (two local node servers, mutual TLS, a lab CA
# from deploy/tls/disco-ca.sh), CLIENTS concurrent libdiscoclient clients
# (default 16) each running ROUNDS (default 25) rounds of SubmitJob,
# ListJobs, GetJob, GetStatus and StreamConsole. Prints a Markdown table of
# latency percentiles (the API section of docs/performance.md) and fails on
# any error. Jobs run the tiny rt_hello guest, two at a time.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
CLIENTS=${2:-16}
ROUNDS=${3:-25}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/disco-api-bench-XXXXXX)
PID=
trap '[ -n "$PID" ] && kill -TERM $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
CA="$SRC/deploy/tls/disco-ca.sh"
"$CA" init "$WORK/pki" >/dev/null
"$CA" issue "$WORK/pki" localhost >/dev/null
"$CA" user "$WORK/pki" bench >/dev/null
"$BUILD/bin/disco-coord" --local 2 --serve --api-listen 127.0.0.1:0 --state-dir "$WORK/state" \
  --api-ca "$WORK/pki/ca.crt" --api-cert "$WORK/pki/localhost.crt" --api-key "$WORK/pki/localhost.key" \
  --log-level warn >"$WORK/coord.out" 2>"$WORK/coord.err" &
PID=$!
for _ in $(seq 100); do [ -s "$WORK/state/api-port" ] && break; sleep 0.1; done
URL=https://localhost:$(cat "$WORK/state/api-port")
ctl() { "$BUILD/bin/discoctl" --url "$URL" --ca "$WORK/pki/ca.crt" --cert "$WORK/pki/bench.crt" --key "$WORK/pki/bench.key" "$@"; }
IMAGE=$(ctl image push "$BUILD/guest/rt_hello")
JOB=$(ctl job submit "$IMAGE" --args "warm up")
ctl job submit "$IMAGE" --wait --quiet || true # rt_hello exits 3: a FAIL verdict, as meant
VM=$(ctl --json job show "$JOB" | sed -n 's/.*"vmId": \([0-9]*\).*/\1/p')
echo "API load: $CLIENTS clients x $ROUNDS rounds against $URL (host: $(nproc) cores)"
"$BUILD/bench/api_load" "$URL" "$WORK/pki/ca.crt" "$WORK/pki/bench.crt" "$WORK/pki/bench.key" \
  "$IMAGE" "$VM" "$CLIENTS" "$ROUNDS"
