#!/usr/bin/env bash
# A VM whose vCPUs span nodes: vCPUs fill the first node's CPUs and spill to
# the next nodes of the same server (never to another server). The SMP
# counter's LL/SC total must be exact across the nodes' caches; a pinned
# placement (node=) wraps within its server.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
GUEST=$DISCO_BUILD/guest
json=$(mktemp)
trap 'rm -f "$json"' EXIT

# 2 vCPUs on 2 one-CPU nodes of one server.
out=$("$BIN/disco-coord" --local 1 --nodes-per-server 2 --timeout 60 --stats-json "$json" \
        --vm "$GUEST/smp_counter_r10000,vcpus=2" 2>&1) || { echo "$out"; fail "exit status $?"; }
echo "$out"
grep -q "^vm1: SMP RESULT: PASS counter cpus=2" <<<"$out" || fail "no PASS"
python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["vms"][0]; assert v["cpus"]==[0,1], v["cpus"]' "$json" ||
  fail "not spread over nodes 0 and 1"

# 3 vCPUs from node 3 on 2 servers x 2 nodes x 2 CPUs: node 3's CPUs, then node 2 (same server).
out=$("$BIN/disco-coord" --local 2 --nodes-per-server 2 --cpus-per-node 2 --timeout 60 --stats-json "$json" \
        --vm "$GUEST/smp_barrier_r10000,vcpus=3,node=3" 2>&1) || { echo "$out"; fail "pinned: exit status $?"; }
grep -q "^vm1: SMP RESULT: PASS barrier cpus=3" <<<"$out" || { echo "$out"; fail "pinned: no PASS"; }
python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["vms"][0]; assert v["cpus"]==[6,7,4] and v["server"]==1, v' "$json" ||
  fail "pinned: wrong placement"
no_leftovers
echo PASS
