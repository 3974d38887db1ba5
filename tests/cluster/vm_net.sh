#!/usr/bin/env bash
# The virtual subnet across node servers (disco-coord --vm ...,net=N;
# docs/architecture.md "The virtual subnet"): Debian's Linux in two VMs on
# subnet 1, on two server processes, one sending a 256 KB file to the other
# over TCP (guest/linux/net.sh): the frames go up in the barrier arrivals and
# the coordinator switches them into the other server's release. The md5s
# must match, both VMs power off, and the coordinator must have switched
# frames. A third VM on subnet 2, beside the client, pings 10.0.0.1 until its
# time limit: it must receive nothing (its ARP broadcasts go nowhere, subnet
# 1's never reach it). Skipped (77) when the guest cannot be built, as
# tests/linux.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../linux/guest.sh"
BASE="console=ttyS0 earlycon nokaslr lpj=400000"
out=$(mktemp)
json=$(mktemp)
trap 'rm -f "$out" "$json"' EXIT

# Clear refusals of bad subnet options (before the long run).
expect_refusal() { # pattern args...
  local pattern=$1 st=0 o
  shift
  o=$("$BIN/disco-coord" --local 1 "$@" 2>&1) || st=$?
  [ "$st" = 2 ] || { echo "$o"; fail "$*: exit status $st, not 2"; }
  grep -q -- "$pattern" <<<"$o" || { echo "$o"; fail "$*: no '$pattern'"; }
}
expect_refusal "net= is for Linux VMs" --vm "$K,net=1"
expect_refusal "net= wants a subnet number" --vm "$K,initrd=$I,net=0"
expect_refusal "net= wants a subnet number" --vm "$K,initrd=$I,net=x"

t0=$(date +%s.%N)
st=0
# VM ids follow the --vm order: srv is VM 1 (10.0.0.1), cli VM 2, iso VM 3.
"$BIN/disco-coord" --local 2 --nodes-per-server 1 --cpus-per-node 2 --memory-per-node 384 \
  --timeout 800 --max-cycles 8000000000 --heartbeat-timeout 30000 --stats-json "$json" \
  --vm "$K,name=srv,node=0,net=1,initrd=$I,append=$BASE workload=netserver" \
  --vm "$K,name=cli,node=1,net=1,initrd=$I,append=$BASE workload=netclient peer=10.0.0.1" \
  --vm "$K,name=iso,node=1,net=2,max-cycles=1800000000,initrd=$I,append=$BASE workload=netclient peer=10.0.0.1" \
  >"$out" 2>&1 || st=$?
t1=$(date +%s.%N)
sed -i 's/\r$//' "$out" # the guests' console lines end in CR LF
echo "two Linux VMs talking across 2 servers, a third isolated: $(python3 -c "print('%.1f' % ($t1 - $t0))") s wall"
grep "^srv: DISCO-\|^cli: DISCO-\|^iso: DISCO-\|^between servers\|^virtual subnet\| net [12] tx " "$out" || true
# The isolated VM ends at its time limit, so the run's status is 1.
[ $st = 1 ] || { tail -40 "$out"; fail "exit status $st, not 1 (iso ends at its time limit)"; }
grep -Eq "^[0-9]+ +srv +exit 0 " "$out" || { tail -40 "$out"; fail "srv did not power off"; }
grep -Eq "^[0-9]+ +cli +exit 0 " "$out" || { tail -40 "$out"; fail "cli did not power off"; }
grep -Eq "^[0-9]+ +iso +time limit " "$out" || { tail -40 "$out"; fail "iso did not end at its time limit"; }
for v in srv:1 cli:2 iso:3; do
  grep -q "^${v%:*}: DISCO-NET: eth0 02:44:00:00:00:0${v#*:} 10.0.0.${v#*:}$" "$out" ||
    fail "${v%:*}: eth0 not up with the MAC and address of VM ${v#*:}"
done
grep -q "^cli: DISCO-NET: ping 64 bytes from 10.0.0.1" "$out" || fail "cli: no ping answer from srv"
sent=$(sed -n 's/^cli: DISCO-NET: sending \([0-9]* bytes md5 [0-9a-f]*\).*/\1/p' "$out")
got=$(sed -n 's/^srv: DISCO-NET: received \([0-9]* bytes md5 [0-9a-f]*\).*/\1/p' "$out")
[ -n "$sent" ] || fail "cli: no 'sending N bytes md5 M' line"
[ "$sent" = "$got" ] || fail "srv received '$got', cli sent '$sent'"
[ "${sent%% *}" -ge 262144 ] || fail "only ${sent%% *} bytes sent"
grep -q "^cli: DISCO-NET: sent to 10.0.0.1:5000" "$out" || fail "cli: the transfer did not finish"
if grep -q "^iso: DISCO-NET: ping" "$out"; then fail "iso (subnet 2) got an answer from subnet 1"; fi

# The statistics: frames switched between the servers, each VM's counters.
python3 - "$json" <<'EOF' || fail "statistics JSON"
import json, sys
j = json.load(open(sys.argv[1]))
n = j["net"]
vm = {v["name"]: v for v in j["vms"]}
def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what + ": " + json.dumps(n) + " " +
                 json.dumps({k: {f: v["stats"][f] for f in v["stats"] if f.startswith("net_")}
                             for k, v in vm.items()}))
check(vm["srv"]["net"] == 1 and vm["cli"]["net"] == 1 and vm["iso"]["net"] == 2, "subnets")
check(vm["srv"]["server"] != vm["cli"]["server"], "srv and cli on different servers")
check(n["frames_switched"] > 100 and n["bytes_switched"] >= 262144, "frames switched between servers")
check(n["dropped_invalid"] == 0, "no invalid frame")
s, c, i = vm["srv"]["stats"], vm["cli"]["stats"], vm["iso"]["stats"]
check(s["net_rx_bytes"] >= 262144 and c["net_tx_bytes"] >= 262144, "the file crossed")
check(c["net_rx_frames"] > 0 and s["net_tx_frames"] > 0, "srv answered")
# iso sent ARP requests, nobody on subnet 2 could hear them, nothing came back.
check(i["net_tx_frames"] > 0, "iso sent frames")
check(i["net_rx_frames"] == 0 and i["net_rx_bytes"] == 0, "iso received nothing")
check(n["dropped_unroutable"] >= i["net_tx_frames"], "iso's frames dropped by the coordinator")
print("switched %d frames (%d bytes); srv rx %d bytes; iso tx %d rx %d; %d unroutable dropped" %
      (n["frames_switched"], n["bytes_switched"], s["net_rx_bytes"], i["net_tx_frames"],
       i["net_rx_frames"], n["dropped_unroutable"]))
EOF
no_leftovers
echo PASS
