#!/bin/bash
# bench/coherence/run.sh - the real time of one remote miss (the requester's
# cache agent, the home directory in another process, the interconnect and
# codec of the node server) against a raw NNG PUSH/PULL round trip on the
# same transport, for ipc and tcp; docs/performance.md, "Coherent memory".
# The aggregate MIPS of an SMP workload on 1-8 processes is bench/smp/run.sh.
#
# Usage: bash bench/coherence/run.sh BUILD_DIR   (BENCH_MISSES=n, default 5000)
set -u
BUILD=${1:-build}
BENCH=$BUILD/bench/remote_miss
if [ ! -x "$BENCH" ]; then
  echo "bench/coherence: $BENCH not built" >&2
  exit 1
fi
status=0
for t in ipc tcp; do
  timeout 120 "$BENCH" "$t" "${BENCH_MISSES:-5000}" || status=1
done
exit $status
