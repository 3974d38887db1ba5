#!/usr/bin/env bash
# Bad input against a real coordinator over real TLS: malformed protobuf,
# oversized bodies, unknown methods, wrong content types and HTTP methods,
# garbage to every method, no certificate, a certificate from another CA,
# a revoked one, a slow client and an abandoned stream. Each gets a clear
# error; the coordinator keeps serving and loses nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
make_pki
start_coord --api-timeout 3
echo "coordinator on $URL"
expect 0 as alice image push "$GUEST/demo-workload-be"
WORKLOAD=$OUT
expect 0 as alice job submit "$WORKLOAD" --wait --quiet
expect 0 as carol status

# raw REQUEST-FILE PATH [curl options...]: HTTP status in $HTTP, body in $WORK/body.
raw() {
  local req=$1 path=$2; shift 2
  HTTP=$(curl -sS -o "$WORK/body" -w '%{http_code}' --cacert "$PKI/ca.crt" \
    --cert "$PKI/alice.crt" --key "$PKI/alice.key" --data-binary @"$req" "$@" "$URL$path") || true
}
twirp_code() { grep -q "\"code\":\"$1\"" "$WORK/body" || fail "expected Twirp code $1, got $HTTP $(cat "$WORK/body")"; }
PB=(-H 'Content-Type: application/protobuf')

# Malformed protobuf: a field with a truncated length.
printf '\x0a\xff\xff\xff\x0f' >"$WORK/bad.pb"
raw "$WORK/bad.pb" /twirp/disco.api.Jobs/GetJob "${PB[@]}"
[ "$HTTP" = 400 ] || fail "malformed: HTTP $HTTP"; twirp_code malformed
# A required field missing (GetJob without id) is malformed too.
: >"$WORK/empty.pb"
raw "$WORK/empty.pb" /twirp/disco.api.Jobs/GetJob "${PB[@]}"
[ "$HTTP" = 400 ] || fail "missing required field: HTTP $HTTP"; twirp_code malformed
# Unknown method, unknown service, not Twirp at all.
raw "$WORK/empty.pb" /twirp/disco.api.Jobs/Frobnicate "${PB[@]}"
[ "$HTTP" = 404 ] || fail "unknown method: $HTTP"; twirp_code bad_route
raw "$WORK/empty.pb" /twirp/disco.api.Nope/GetJob "${PB[@]}"
[ "$HTTP" = 404 ] || fail "unknown service: $HTTP"; twirp_code bad_route
raw "$WORK/empty.pb" /index.html "${PB[@]}"
[ "$HTTP" = 404 ] || fail "not twirp: $HTTP"; twirp_code bad_route
# Wrong content types, and GET.
raw "$WORK/empty.pb" /twirp/disco.api.Cluster/WhoAmI -H 'Content-Type: text/plain'
[ "$HTTP" = 404 ] || fail "text/plain: $HTTP"; twirp_code bad_route
raw "$WORK/empty.pb" /twirp/disco.api.Cluster/WhoAmI -H 'Content-Type: application/xml'
[ "$HTTP" = 404 ] || fail "xml: $HTTP"; twirp_code bad_route
# Malformed JSON, and JSON nested too deeply.
raw "$WORK/empty.pb" /twirp/disco.api.Cluster/WhoAmI -H 'Content-Type: application/json'
[ "$HTTP" = 400 ] || fail "empty JSON: $HTTP"; twirp_code malformed
printf '{"x":%s' "$(printf '[%.0s' $(seq 5000))" >"$WORK/deep.json"
raw "$WORK/deep.json" /twirp/disco.api.Jobs/SubmitJob -H 'Content-Type: application/json'
[ "$HTTP" = 400 ] && grep -q "nested too deeply" "$WORK/body" || fail "deep JSON: $HTTP $(cat "$WORK/body")"
HTTP=$(curl -sS -o "$WORK/body" -w '%{http_code}' --cacert "$PKI/ca.crt" --cert "$PKI/alice.crt" \
  --key "$PKI/alice.key" "$URL/twirp/disco.api.Cluster/WhoAmI") || true
[ "$HTTP" = 404 ] || fail "GET: $HTTP"; twirp_code bad_route
# Oversized body (6 MiB; the limit is 5 MiB): refused before it is read.
head -c $((6 << 20)) /dev/zero >"$WORK/big.pb"
raw "$WORK/big.pb" /twirp/disco.api.Images/UploadChunk "${PB[@]}"
[ "$HTTP" = 413 ] || fail "oversized: HTTP $HTTP"
# An upload chunk over the image size limit, and a bad SHA-256: Twirp errors.
"$PROBE" body Images/UploadChunk sha256="$(printf 'a%.0s' $(seq 64))" size=999999999999 offset=0 data=x >"$WORK/r.pb"
raw "$WORK/r.pb" /twirp/disco.api.Images/UploadChunk "${PB[@]}"
[ "$HTTP" = 400 ] || fail "image over the limit: $HTTP"; twirp_code out_of_range
"$PROBE" body Images/UploadChunk sha256=XYZ size=1 offset=0 data=x >"$WORK/r.pb"
raw "$WORK/r.pb" /twirp/disco.api.Images/UploadChunk "${PB[@]}"
[ "$HTTP" = 400 ] || fail "bad sha: $HTTP"; twirp_code invalid_argument
# An upload whose content does not match its name is refused.
"$PROBE" body Images/UploadChunk sha256="$(printf 'b%.0s' $(seq 64))" size=4 offset=0 data=abcd kind=2 >"$WORK/r.pb"
raw "$WORK/r.pb" /twirp/disco.api.Images/UploadChunk "${PB[@]}"
[ "$HTTP" = 400 ] && grep -q "its content has SHA-256" "$WORK/body" || fail "hash mismatch: $HTTP $(cat "$WORK/body")"
# Garbage to every method: errors, never a crash.
head -c 300 /dev/urandom >"$WORK/noise.pb"
for m in Cluster/WhoAmI Cluster/GetStatus Cluster/ListNodes Cluster/GetStats Images/UploadChunk \
         Images/GetUpload Images/ListImages Images/DeleteImage Vms/SubmitVm Vms/ListVms Vms/GetVm \
         Vms/StopVm Vms/DestroyVm Vms/StreamConsole Vms/WriteConsole Jobs/SubmitJob Jobs/ListJobs \
         Jobs/GetJob Jobs/CancelJob Jobs/GetResults; do
  raw "$WORK/noise.pb" "/twirp/disco.api.${m/\//\/}" "${PB[@]}"
  case $HTTP in 200|400|404|412) ;; *) fail "$m answered noise with HTTP $HTTP";; esac
done
expect 0 as alice status

# No certificate, a certificate from another CA: the TLS handshake fails.
st=0; curl -sS -o /dev/null --cacert "$PKI/ca.crt" -H 'Content-Type: application/protobuf' \
  --data-binary '' "$URL/twirp/disco.api.Cluster/WhoAmI" 2>"$WORK/e" || st=$?
[ $st != 0 ] || fail "a client without a certificate was served"
expect 5 "$BIN/discoctl" --url "$URL" --ca "$PKI/ca.crt" --cert "$WORK/other/mallory.crt" --key "$WORK/other/mallory.key" status
grep -qi "tls\|closed" <<<"$OUT" || fail "another CA: $OUT"
# A revoked certificate stops working within a couple of seconds of the new CRL.
expect 0 as carol status
"$CA_SH" revoke "$PKI" carol >/dev/null
for _ in $(seq 40); do as carol status >/dev/null 2>&1 || break; sleep 0.1; done
expect 5 as carol status
expect 0 as alice status

# A slow client is dropped after the timeout (3 s) while others are served.
"$PROBE" slow "$URL" "$PKI/ca.crt" "$PKI/alice.crt" "$PKI/alice.key" 3 || fail "slow client"
# A connection that never starts its TLS handshake is closed after the timeout too.
SECONDS=0
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
timeout 15 cat <&3 >/dev/null || true
exec 3<&-
[ $SECONDS -le 6 ] || fail "an idle connection was kept $SECONDS s"
expect 0 as alice status
# A console stream abandoned half-way does not hurt the server, and a
# following stream outlives the timeout (the client sends nothing while it reads).
expect 0 as alice vm submit "$GUEST/api_spin" --args ${SPIN_MILLIONS:-200}
VM=$OUT
as alice vm console "$VM" --follow >"$WORK/follow.txt" 2>&1 &
FOLLOW=$!
sleep 0.5
"$PROBE" abandon "$URL" "$PKI/ca.crt" "$PKI/alice.crt" "$PKI/alice.key" "$VM" || fail "abandon"
SECONDS=0
wait $FOLLOW || fail "the following stream failed: $(cat "$WORK/follow.txt")"
grep -q "spun ${SPIN_MILLIONS:-200} million" "$WORK/follow.txt" || fail "follow to the end: $(cat "$WORK/follow.txt")"
echo "a console stream followed a VM for ${SECONDS}+ s with a 3 s timeout"

# Nothing was lost: the image and the job are still there, and new work runs.
expect 0 as alice job list
[ "$(grep -c 'DONE' <<<"$OUT")" = 1 ] || fail "jobs after the abuse: $OUT"
expect 0 as alice job submit "$WORKLOAD" --wait --quiet
expect 0 as alice --json stats
grep -q '"name": "api_errors"' <<<"$OUT" || fail "stats"
KIDS=$(children)
stop_coord
no_leftovers $KIDS
echo "PASS"
