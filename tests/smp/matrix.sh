#!/usr/bin/env bash
# matrix.sh - the SMP test matrix of issue 4 outside ctest.
#
#   bash tests/smp/matrix.sh [--full] [BUILD]
#
# Without --full: the covering subset ctest runs (covering.txt).
# With --full: every program (counter, msgpass, peterson, barrier, matmul)
# on every transport (ipc, tcp, tls) and every shape (2 CPUs/1 process,
# 4/2, 8/4, 16/8): 60 runs, several minutes. Prints one line per run and a
# summary; exits 1 if any run failed (its output is kept under /tmp).
set -u
full=0
if [ "${1:-}" = --full ]; then
  full=1
  shift
fi
export DISCO_BUILD=${1:-${DISCO_BUILD:-build}}
export DISCO_SOURCE=${DISCO_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
here=$(dirname "$0")
programs="counter msgpass peterson barrier matmul"
shapes="1:2:1 2:2:1 4:2:1 8:1:2" # processes:nodes-per-server:cpus-per-node
runs=()
if [ "$full" = 1 ]; then
  for t in ipc tcp tls; do
    for s in $shapes; do
      for p in $programs; do runs+=("$t:$s:$p"); done
    done
  done
else
  mapfile -t runs < <(grep '^[a-z]' "$here/covering.txt")
fi
logs=$(mktemp -d /tmp/smp-matrix.XXXXXX)
passed=0 failed=0
for r in "${runs[@]}"; do
  IFS=: read -r t procs k c p <<<"$r"
  cpus=$((procs * k * c))
  log="$logs/${t}_${cpus}cpu_${procs}p_$p.log"
  start=$(date +%s.%N)
  if bash "$here/run_smp.sh" coord "$t" "$procs" "$k" "$c" "$DISCO_BUILD/guest/smp_${p}_r10000" >"$log" 2>&1; then
    verdict=PASS
    passed=$((passed + 1))
  else
    verdict=FAIL
    failed=$((failed + 1))
  fi
  secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  remote=$(bash "$here/stats_column.sh" remote <"$log")
  printf "%-4s %-4s %2d CPUs %d proc(s)  %-9s %6ss  remote misses %s\n" "$verdict" "$t" "$cpus" "$procs" "$p" "$secs" "${remote:--}"
done
echo "smp matrix: $passed passed, $failed failed (logs in $logs)"
[ "$failed" -eq 0 ]
