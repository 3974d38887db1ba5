#!/usr/bin/env bash
# The embedded default assembles a machine of 4 servers x 2 nodes on loopback,
# lays out ids and memory, and shuts down cleanly with no process left.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
out=$("$BIN/disco-coord" --local 4 --nodes-per-server 2 --memory-per-node 32 --hold 1)
echo "$out"
grep -q "^machine: 8 FLASH nodes x 1 CPU(s), 32 MiB per node, 4 server(s)$" <<<"$out" || fail "layout header"
[ "$(grep -c '^  server ' <<<"$out")" = 4 ] || fail "four server lines"
# Every node id 0..7 is hosted exactly once, in consecutive pairs.
ranges=$(grep '^  server ' <<<"$out" | sed -E 's/.*nodes +([0-9]+)-([0-9]+).*/\1 \2/' | sort -n)
[ "$ranges" = $'0 1\n2 3\n4 5\n6 7' ] || fail "node ranges: $ranges"
grep -q "0x0000000000-0x0003ffffff" <<<"$out" || fail "machine address map"
grep -q "machine shut down cleanly" <<<"$out" || fail "clean shutdown"
no_leftovers
# Bad arguments are refused with a message and status 2.
set +e
msg=$("$BIN/disco-coord" --local 2 --memory-per-node lots 2>&1); st=$?
set -e
[ $st = 2 ] && grep -q "memory-per-node must be a number" <<<"$msg" || fail "bad argument handling ($st): $msg"
echo "PASS"
