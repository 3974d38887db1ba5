#!/usr/bin/env bash
# run_smp.sh - runs one SMP guest program (guest/smp) and checks its verdict.
#
#   run_smp.sh flash MODEL PROGRAM
#       one CPU under `flash-run --system --cpu MODEL`
#   run_smp.sh interleave MODEL PROGRAM "N1 N2..."
#       smp-interleave (a one-thread sequentially consistent machine, random
#       slices) with each CPU count, three seeds and slice bounds each
#   run_smp.sh coord TRANSPORT PROCS NODES_PER_SERVER CPUS_PER_NODE PROGRAM [ARGS...]
#       the distributed machine: `disco-coord --local PROCS --nodes-per-server
#       NODES_PER_SERVER --cpus-per-node CPUS_PER_NODE --transport TRANSPORT
#       --bare PROGRAM` (TRANSPORT ipc|tcp|tls); ARGS go to disco-coord.
#
# Accepts a run only with exit status 0, no FAIL line, the program's PASS
# line and "SMP RESULT: PASS <name> cpus=N" with N the machine's CPU count;
# for coord runs over more than one process the statistics table must also
# report remote misses > 0 (the shared data lives in node 0's bank, so the
# other processes' CPUs can only reach it through the interconnect).
set -u
BUILD=${DISCO_BUILD:-build}
SOURCE=${DISCO_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
TIMEOUT=${SMP_TIMEOUT:-120}
fail() { echo "run_smp: FAIL: $*" >&2; exit 1; }

mode=${1:?usage: run_smp.sh flash MODEL PROGRAM | interleave MODEL PROGRAM COUNTS | coord TRANSPORT PROCS K C PROGRAM [ARGS...]}
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check OUTPUT STATUS CPUS: the verdict of one run.
check() {
  local out=$1 status=$2 cpus=$3
  [ "$status" -eq 0 ] || fail "$program exited with status $status"
  ! grep -q 'FAIL' "$out" || fail "$program reported a failure"
  grep -q '^PASS: ' "$out" || fail "$program printed no PASS line"
  grep -q "^SMP RESULT: PASS $name cpus=$cpus " "$out" ||
    fail "no 'SMP RESULT: PASS $name cpus=$cpus' line"
}

case "$mode" in
interleave)
  model=$1 program=$2 counts=$3
  name=$(basename "$program")
  name=${name#smp_}
  name=${name%_*}
  for n in $counts; do
    for run in "1 4" "2 64" "3 1000"; do
      read -r seed slice <<<"$run"
      timeout "$TIMEOUT" "$BUILD/tests/smp-interleave" --cpu "$model" --seed "$seed" \
        --max-slice "$slice" "$n" "$program" >"$tmp/out" 2>&1
      status=$?
      cat "$tmp/out"
      check "$tmp/out" "$status" "$n"
      echo "run_smp: PASS $name on $n CPUs, seed $seed, slices up to $slice"
    done
  done
  exit 0
  ;;
flash)
  model=$1 program=$2
  cpus=1 procs=1
  timeout "$TIMEOUT" "$BUILD/bin/flash-run" --system --cpu "$model" --max-insns 500000000 \
    "$program" >"$tmp/out" 2>&1
  status=$?
  ;;
coord)
  transport=$1 procs=$2 per_server=$3 per_node=$4 program=$5
  shift 5
  cpus=$((procs * per_server * per_node))
  # --transport tls: disco-coord makes a private CA and node identity per run
  # with deploy/tls/disco-ca.sh.
  export DISCO_CA_SH="$SOURCE/deploy/tls/disco-ca.sh"
  # --timeout bounds the run inside disco-coord (it reports which node hung);
  # the outer timeout is the last resort.
  timeout $((TIMEOUT + 30)) "$BUILD/bin/disco-coord" --local "$procs" \
    --nodes-per-server "$per_server" --cpus-per-node "$per_node" --transport "$transport" \
    --bare "$program" --timeout "$TIMEOUT" "$@" >"$tmp/out" 2>&1
  status=$?
  ;;
*)
  fail "unknown mode $mode"
  ;;
esac

cat "$tmp/out"
name=$(basename "$program")
name=${name#smp_}
name=${name%_*}
check "$tmp/out" "$status" "$cpus"
if [ "$mode" = coord ] && [ "$procs" -gt 1 ]; then
  remote=$(bash "$(dirname "$0")/stats_column.sh" remote <"$tmp/out")
  [ -n "$remote" ] || fail "no remote-miss total found in the statistics table"
  [ "$remote" -gt 0 ] || fail "statistics report $remote remote misses over $procs processes"
  echo "run_smp: remote misses: $remote"
fi
echo "run_smp: PASS $name on $cpus CPUs ($mode${transport:+ $transport}, $procs process(es))"
