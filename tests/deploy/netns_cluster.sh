#!/usr/bin/env bash
# A multi-host cluster on one machine: five hosts made of network
# namespaces (own hostname too) on a private bridge, 10.77.0.0/24 - the
# coordinator on h0 (10.77.0.1), a node server on each of h1-h4 - started
# by deploy/disco-cluster from a host list, through an ssh stand-in that
# runs the command in the host's namespace. Each process listens only on
# its namespace's address.
#   1. over tls (control plane and interconnect): the machine assembles
#      (4 servers x 2 nodes), a bare SMP program runs and its statistics
#      are checked (where disco-coord runs --bare on remote servers; else
#      the machine is held and its layout checked);
#   2. over tcp: h3's link is cut mid-run (ip link set eth0 down); the
#      coordinator names the lost server (host h3) within a bound, every
#      process ends and none is left;
#   3. a host with another CA's certificate is refused with the TLS
#      handshake's reason, and an unreachable host with ssh's.
# Namespaces and processes are removed on exit, failure included. Needs
# root (skipped with 77 otherwise).
set -uo pipefail
. "$DISCO_SOURCE/tests/cluster/lib.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: network namespaces need root"; exit 77; }
command -v ip >/dev/null || { echo "SKIP: no ip (iproute2)"; exit 77; }

P=d$$ # namespace prefix: unique per run
HOSTS=5
T=$(mktemp -d)
pids=()
ns() { echo "$P-h$1"; }
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  for p in $(tagged_pids); do kill -KILL "$p" 2>/dev/null; done
  for i in $(seq 0 $((HOSTS - 1))); do ip netns del "$(ns $i)" 2>/dev/null; done
  ip netns del "$P-sw" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The network: a switch namespace with a bridge, each host a veth into it.
ip netns add "$P-sw" || { echo "SKIP: cannot create network namespaces here"; exit 77; }
ip -n "$P-sw" link add br0 type bridge && ip -n "$P-sw" link set br0 up || fail "bridge"
for i in $(seq 0 $((HOSTS - 1))); do
  h=$(ns $i)
  ip netns add "$h" || fail "netns $h"
  ip link add "$P-v$i" type veth peer name eth0 netns "$h" || fail "veth $i"
  ip link set "$P-v$i" netns "$P-sw" || fail "veth $i to switch"
  ip -n "$P-sw" link set "$P-v$i" master br0 up
  ip -n "$h" addr add "10.77.0.$((i + 1))/24" dev eth0
  ip -n "$h" link set eth0 up
  ip -n "$h" link set lo up
done
echo "network: $HOSTS hosts on 10.77.0.0/24 ($(ns 0) .. $(ns $((HOSTS - 1))))"

# Certificates: one CA, one identity per host, made by disco-cluster certs.
# Hosts are named by their addresses (no DNS inside the namespaces).
CLUSTER=$DISCO_SOURCE/deploy/disco-cluster
ip_of() { echo "10.77.0.$(($1 + 1))"; }
# An ssh stand-in: "ssh HOST CMD" runs CMD on that host (its namespace and
# hostname hN); any other host is unreachable, as ssh reports it.
cat >"$T/ssh" <<SSH
#!/bin/sh
h=\$1; shift
case "\$h" in 10.77.0.[1-5]) i=\$((\${h##*.} - 1)) ;;
*) echo "ssh: Could not resolve hostname \$h: Name or service not known" >&2; exit 255 ;; esac
exec ip netns exec $P-h\$i unshare --uts sh -c 'hostname "\$0"; eval "\$1"' "h\$i" "\$*"
SSH
chmod +x "$T/ssh"
conf() { # TRANSPORT [extra server option for host 2]: the cluster file
  echo "coordinator $(ip_of 0)"
  echo "port 7800"
  echo "transport $1"
  echo "tls-dir $T/tls"
  echo "bin-dir $BIN"
  echo "ssh $T/ssh"
  for i in 1 2 3 4; do echo "server $(ip_of $i) nodes=2 $([ $i = 2 ] && echo "${2:-}")"; done
}
conf tls >"$T/tls.conf"
"$CLUSTER" "$T/tls.conf" certs "$T/tls" >/dev/null || fail "disco-cluster certs"
"$CLUSTER" "$T/tls.conf" check >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "disco-cluster check"; }
[ "$(grep -c ': ok$' "$T/check.out")" = 5 ] || fail "check: not 5 hosts ok"

remote_bare=0
probe=$("$BIN/disco-coord" --servers 1 --bare /nonexistent 2>&1)
grep -q "needs --local" <<<"$probe" || remote_bare=1

# start CONF RUN-ARGS...: disco-cluster run in the background, until the machine is up.
start() {
  local c=$1; shift
  "$CLUSTER" "$c" run "$@" >"$T/coord.out" 2>&1 &
  coord=$!
  pids+=("$coord")
  for _ in $(seq 300); do
    grep -q "^  server 3 " "$T/coord.out" && return 0
    grep -q "^SMP RESULT" "$T/coord.out" && return 0
    kill -0 $coord 2>/dev/null || break
    sleep 0.05
  done
  cat "$T/coord.out"
  fail "the machine did not assemble"
}

# wait_all SECONDS: every started process has ended within the bound.
wait_all() {
  local deadline=$(($(date +%s) + $1)) p
  for p in "${pids[@]}"; do
    while kill -0 "$p" 2>/dev/null; do
      [ "$(date +%s)" -lt "$deadline" ] || fail "process $p still running after $1 s"
      sleep 0.1
    done
  done
  while [ -n "$(tagged_pids)" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "flash-node still running after $1 s: $(tagged_pids)"
    sleep 0.1
  done
  pids=()
}

# 1. tls: assemble across the hosts, run (or hold), check.
if [ $remote_bare = 1 ]; then
  start "$T/tls.conf" --bare "$DISCO_BUILD/guest/smp_counter_r10000" -- --timeout 90
else
  start "$T/tls.conf" --hold 2
fi
for i in 1 2 3 4; do # each server listens on its own address only
  l=$(ip netns exec "$(ns $i)" ss -Hltn 2>/dev/null | awk '{print $4}' | grep -v '^127\.' | sort -u)
  [ -z "$l" ] || [ "$(echo "$l" | grep -vc "^10\.77\.0\.$((i + 1)):")" = 0 ] || fail "h$i listens on $l"
done
st=0; wait $coord || st=$?
wait_all 15
cat "$T/coord.out"
[ $st = 0 ] || fail "tls run: coordinator exit status $st"
if [ $remote_bare = 1 ]; then
  grep -q "^SMP RESULT: PASS counter cpus=8" "$T/coord.out" || fail "no PASS line"
  [ "$(grep -cE '^[0-7] +[0-9]+ +[0-9]+' "$T/coord.out")" = 8 ] || fail "statistics of 8 nodes"
  remote=$(awk '$1 == "total" { print $5 }' "$T/coord.out")
  [ "${remote:-0}" -gt 0 ] || fail "no remote misses across hosts"
  echo "1. tls: bare SMP program on 4 hosts x 2 nodes: PASS, $remote remote misses"
else
  grep -q "^machine: 8 FLASH nodes x 1 CPU(s), 64 MiB per node, 4 server(s)" "$T/coord.out" ||
    fail "machine layout"
  grep -q "machine shut down cleanly" "$T/coord.out" || fail "no clean shutdown"
  for i in 1 2 3 4; do grep -q "^  server .* host h$i " "$T/coord.out" || fail "no server on h$i"; done
  echo "1. tls: machine of 4 hosts x 2 nodes assembled and shut down" \
    "(this disco-coord runs --bare only with --local)"
fi

# 2. tcp: h3's link cut mid-run gives the bounded, named failure.
conf tcp >"$T/tcp.conf"
start "$T/tcp.conf" --hold 60 -- --heartbeat-timeout 1500
sleep 0.5
t0=$(date +%s%N)
ip -n "$(ns 3)" link set eth0 down
st=0; wait $coord || st=$?
ms=$((($(date +%s%N) - t0) / 1000000))
wait_all 15
cat "$T/coord.out"
[ $st = 1 ] || fail "coordinator exit status $st after the cut (want 1)"
grep -Eq "host h3, pid [0-9]+\) lost: (no heartbeat|connection closed)" "$T/coord.out" ||
  fail "the lost server (host h3) is not named"
[ $ms -lt 10000 ] || fail "took $ms ms to name the lost server"
grep -q "coordinator lost" "$T/coord.out" || fail "h3's server did not notice it was cut off"
echo "2. tcp: h3 cut off: named and failed in $ms ms; every process ended"

# 3. A wrong certificate: h2 holds another CA's identity (and trusts that
# CA); disco-cluster names h2 with the TLS handshake's reason and starts nothing.
bash "$DISCO_SOURCE/deploy/tls/disco-ca.sh" init "$T/evil" >/dev/null
bash "$DISCO_SOURCE/deploy/tls/disco-ca.sh" issue "$T/evil" "$(ip_of 2)" >/dev/null
conf tls "tls-dir=$T/evil" >"$T/evil.conf"
st=0; timeout 60 "$CLUSTER" "$T/evil.conf" run --hold 30 >"$T/evil.out" 2>&1 || st=$?
cat "$T/evil.out"
[ $st != 0 ] || fail "a wrong certificate was not refused"
grep -Eq "$(ip_of 2): TLS handshake with $(ip_of 0):7800 failed: .*(certificate verify failed|unknown ca)" \
  "$T/evil.out" || fail "the handshake error does not name h2 and the reason"
wait_all 15
# And an unreachable host: ssh's own reason, before anything starts.
sed "s/^server $(ip_of 4) /server 10.77.9.9 /" "$T/tls.conf" >"$T/gone.conf"
st=0; "$CLUSTER" "$T/gone.conf" run --hold 5 >"$T/gone.out" 2>&1 || st=$?
cat "$T/gone.out"
[ $st != 0 ] && grep -q "cannot reach 10.77.9.9 over ssh (exit 255): ssh: Could not resolve" "$T/gone.out" ||
  fail "an unreachable host is not named"
echo "3. wrong certificate on h2 and an unreachable host: refused, named"
no_leftovers
echo PASS
