#!/bin/bash
# bench/smp/run.sh - aggregate simulated MIPS of one SMP workload on the
# distributed machine (disco-coord --bare): the 128 x 128 parallel matrix
# multiply of guest/smp (smp_matmul_bench_r10000) on 8 CPUs spread over 1, 2,
# 4 and 8 node-server processes (8, 4, 2, 1 nodes per server), then on 4
# processes with --quantum-cycles 1000, 10000 and 100000. Prints per run the
# wall seconds, total guest instructions and aggregate MIPS (instructions /
# wall second, all CPUs together; spinning in barriers counts), and the
# local/remote miss totals and average miss latency of the statistics table.
#
# Usage: bash bench/smp/run.sh BUILD_DIR   (SMP_BENCH_TRANSPORT=ipc|tcp, default ipc;
#                                           BENCH_REPEAT=n best-of-n, default 1)
set -u
BUILD=${1:-build}
COORD=$BUILD/bin/disco-coord
PROGRAM=$BUILD/guest/smp_matmul_bench_r10000
TRANSPORT=${SMP_BENCH_TRANSPORT:-ipc}
REPEAT=${BENCH_REPEAT:-1}
STATS=$(cd "$(dirname "$0")/../../tests/smp" && pwd)/stats_column.sh
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ ! -x "$COORD" ] || [ ! -f "$PROGRAM" ]; then
  echo "bench/smp: $COORD or $PROGRAM missing (build the project first)" >&2
  exit 1
fi
if ! "$COORD" --help 2>&1 | grep -q -- '--bare'; then
  echo "bench/smp: this disco-coord has no --bare mode" >&2
  exit 1
fi

status=0
# run LABEL PROCS NODES_PER_SERVER [disco-coord args...]: best wall time of REPEAT runs.
run() {
  local label=$1 procs=$2 k=$3 best="" start secs
  shift 3
  for _ in $(seq "$REPEAT"); do
    start=$(date +%s.%N)
    if ! "$COORD" --local "$procs" --nodes-per-server "$k" --cpus-per-node 1 \
      --transport "$TRANSPORT" --bare "$PROGRAM" --timeout 300 "$@" >"$TMP/run" 2>&1 ||
      ! grep -q '^SMP RESULT: PASS' "$TMP/run"; then
      echo "bench/smp: $label failed:" >&2
      tail -20 "$TMP/run" >&2
      status=1
      return
    fi
    secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.3f", e - s }')
    if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$secs
      cp "$TMP/run" "$TMP/best"
    fi
  done
  local insns local_m remote_m latency
  insns=$(bash "$STATS" instructions <"$TMP/best")
  local_m=$(bash "$STATS" local <"$TMP/best")
  remote_m=$(bash "$STATS" remote <"$TMP/best")
  latency=$(bash "$STATS" avg <"$TMP/best")
  awk -v l="$label" -v p="$procs" -v s="$best" -v i="${insns:-0}" -v lm="${local_m:--}" \
    -v rm="${remote_m:--}" -v lat="${latency:--}" 'BEGIN {
    printf "%-26s %5d %8.2f %12d %9.2f %10s %10s %9s\n", l, p, s, i, (s > 0 ? i / s / 1e6 : 0), lm, rm, lat
  }'
}

printf "%-26s %5s %8s %12s %9s %10s %10s %9s\n" run procs wall_s instructions "agg_MIPS" \
  local_miss remote_miss avg_lat
for procs in 1 2 4 8; do
  run "8 CPUs, $procs proc(s)" "$procs" $((8 / procs))
done
for q in 1000 10000 100000; do
  run "8 CPUs, 4 procs, q=$q" 4 2 --quantum-cycles "$q"
done
echo "(workload: smp_matmul_bench, 128x128 integer product on 8 CPUs, transport $TRANSPORT;"
echo " agg_MIPS = guest instructions of all CPUs / wall second, including process start-up)"
exit $status
