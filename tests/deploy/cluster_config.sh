#!/usr/bin/env bash
# deploy/disco-cluster without hosts: the example cluster file parses and
# prints one command per host with the right options; malformed files are
# refused with the file and line; certs makes a CA and one certificate per
# host; check names an unreachable host with ssh's reason (an ssh stand-in
# that fails as ssh does) and a certificate from another CA.
set -uo pipefail
. "$DISCO_SOURCE/tests/cluster/lib.sh"
C=$DISCO_SOURCE/deploy/disco-cluster
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

out=$("$C" "$DISCO_SOURCE/deploy/cluster.conf.example" print --bare p.elf -- --timeout 60) ||
  fail "print failed"
echo "$out"
[ "$(grep -c '^/opt/disco/bin/flash-node ' <<<"$out")" = 3 ] || fail "not 3 node servers"
grep -q "^/opt/disco/bin/disco-coord --servers 3 --listen tls+tcp://head.lab.example:7800 --tls-ca /etc/disco/tls/ca.crt --tls-cert /etc/disco/tls/head.lab.example.crt .* --bare p.elf --transport tls --timeout 60" <<<"$out" ||
  fail "coordinator command"
grep -q -- "--tls-cert /etc/disco/tls/node2.lab.example.crt .*--nodes 4 .*--interconnect tls+tcp://node2.lab.example:0 --server-rank 1$" <<<"$out" ||
  fail "node2 command"
grep -q -- "--interconnect tls+tcp://10.0.0.13:0 --server-rank 2$" <<<"$out" || fail "address= not used"

bad() { # TEXT EXPECTED-MESSAGE
  printf '%b' "$1" >"$T/bad.conf"
  local o st=0
  o=$("$C" "$T/bad.conf" print 2>&1) || st=$?
  [ $st = 2 ] && grep -q "$2" <<<"$o" || fail "'$1': got '$o' (status $st)"
}
bad "coordinator h\nserver a nodes=x\n" "bad.conf:2: nodes= wants a number"
bad "coordinator h\nservr a\n" "bad.conf:2: unknown setting 'servr'"
bad "coordinator h\nserver a colour=red\n" "unknown server option 'colour=red'"
bad "server a\n" "no coordinator line"
bad "coordinator h\n" "no server lines"
bad "coordinator h\ntransport udp\nserver a\n" "transport is tls or tcp"

# certs, then check through a stand-in ssh that runs commands locally, except
# for host "gone", which fails as ssh does.
cat >"$T/ssh" <<'SSH'
#!/bin/sh
h=$1; shift
[ "$h" = gone ] && { echo "ssh: connect to host gone port 22: No route to host" >&2; exit 255; }
exec sh -c "$*"
SSH
chmod +x "$T/ssh"
printf 'coordinator head\ntls-dir %s\nssh %s\nserver n1 nodes=2\nserver n2\n' "$T/tls" "$T/ssh" >"$T/ok.conf"
"$C" "$T/ok.conf" certs "$T/tls" >/dev/null || fail "certs"
for h in head n1 n2; do openssl verify -CAfile "$T/tls/ca.crt" "$T/tls/$h.crt" >/dev/null || fail "$h.crt"; done
"$C" "$T/ok.conf" check >"$T/check" 2>&1 || { cat "$T/check"; fail "check of good hosts"; }
[ "$(grep -c ': ok$' "$T/check")" = 3 ] || fail "check: not 3 ok"
bash "$DISCO_SOURCE/deploy/tls/disco-ca.sh" init "$T/other" >/dev/null
bash "$DISCO_SOURCE/deploy/tls/disco-ca.sh" issue "$T/other" n2 >/dev/null
cp "$T/other/n2.crt" "$T/other/n2.key" "$T/tls/"
printf 'server gone\n' >>"$T/ok.conf"
st=0; "$C" "$T/ok.conf" check >"$T/check" 2>&1 || st=$?
cat "$T/check"
[ $st = 1 ] || fail "check passed with a bad host"
grep -q "^n2: " "$T/check" && fail "n2 reported ok"
grep -q "disco-cluster: n2: certificate: .*n2.crt not valid for .*ca.crt" "$T/check" || fail "n2's certificate not named"
grep -q "cannot reach gone over ssh (exit 255): ssh: connect to host gone port 22: No route to host" "$T/check" ||
  fail "unreachable host not named"
echo PASS
