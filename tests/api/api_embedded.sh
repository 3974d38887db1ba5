#!/usr/bin/env bash
# The embedded default: `disco-coord --serve` without TLS options creates a
# private CA and an admin certificate under ~/.disco/state on first start,
# keeps them on restarts, and discoctl finds them with no configuration.
# deploy/tls/disco-ca.sh works on that CA (a new user, revocation), and
# discoctl's settings come from its configuration file and the environment.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export HOME=$WORK/home
mkdir -p "$HOME"
unset DISCO_URL DISCO_CERT DISCO_KEY DISCO_CA DISCO_CONFIG
TLS=$HOME/.disco/state/tls

start_embedded() {
  "$BIN/disco-coord" --local 1 --serve --api-listen 127.0.0.1:0 >>"$WORK/coord.out" 2>>"$WORK/coord.err" &
  COORD_PID=$!
  for _ in $(seq 100); do [ -s "$HOME/.disco/state/api-port" ] && break; sleep 0.1; done
  [ -s "$HOME/.disco/state/api-port" ] || fail "the embedded API did not come up"
}
start_embedded
for f in ca.crt ca.key disco-coord.crt disco-coord.key admin.crt admin.key crl.pem; do
  [ -s "$TLS/$f" ] || fail "no $TLS/$f"
done
[ "$(stat -c %a "$TLS/ca.key")" = 600 ] || fail "the CA key is not private"
openssl verify -CAfile "$TLS/ca.crt" "$TLS/admin.crt" >/dev/null || fail "admin.crt is not from the CA"
CA_SUM=$(sha256sum <"$TLS/ca.crt")
expect 0 "$BIN/discoctl" status
grep -q "you       admin (admin)" <<<"$OUT" || fail "no-configuration discoctl: $OUT"

# A new user of the embedded CA, through the configuration file.
"$CA_SH" user "$TLS" dave >/dev/null
mkdir -p "$HOME/.config/disco"
printf 'url = https://localhost:%s\ncert = %s\nkey = %s\nca = %s\n' "$(cat "$HOME/.disco/state/api-port")" \
  "$TLS/dave.crt" "$TLS/dave.key" "$TLS/ca.crt" >"$HOME/.config/disco/discoctl.conf"
expect 0 "$BIN/discoctl" status
grep -q "you       dave$" <<<"$OUT" || fail "configuration file: $OUT"
# The environment wins over the file, flags over both.
expect 0 env DISCO_CERT="$TLS/admin.crt" DISCO_KEY="$TLS/admin.key" "$BIN/discoctl" status
grep -q "you       admin (admin)" <<<"$OUT" || fail "environment: $OUT"
expect 0 env DISCO_CERT="$TLS/admin.crt" DISCO_KEY="$TLS/admin.key" "$BIN/discoctl" --cert "$TLS/dave.crt" --key "$TLS/dave.key" status
grep -q "you       dave$" <<<"$OUT" || fail "flags: $OUT"
printf 'bogus line\n' >"$WORK/bad.conf"
expect 2 "$BIN/discoctl" --config "$WORK/bad.conf" status

# Revoking dave in the embedded CA takes effect without a restart.
"$CA_SH" revoke "$TLS" dave >/dev/null
for _ in $(seq 40); do "$BIN/discoctl" status >/dev/null 2>&1 || break; sleep 0.1; done
expect 5 "$BIN/discoctl" status
rm "$HOME/.config/disco/discoctl.conf"

# A restart keeps the CA and everything issued by it.
KIDS=$(children)
stop_coord
no_leftovers $KIDS
rm -f "$HOME/.disco/state/api-port"
start_embedded
[ "$(sha256sum <"$TLS/ca.crt")" = "$CA_SUM" ] || fail "the CA changed on restart"
expect 0 "$BIN/discoctl" status
stop_coord
echo "PASS"
