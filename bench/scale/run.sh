#!/bin/bash
# bench/scale/run.sh - the largest machines this host holds: a bare SMP
# program (guest/smp's counter rebuilt for 256 CPUs: scale_counter_r10000,
# every CPU adds 4 times to one shared counter with LL/SC, CPU 0 checks the
# exact total) booted to completion on disco-coord --local machines of
# growing size, up to 256 simulated CPUs over 16 and 32 node servers.
# Prints per machine: wall seconds, simulated cycles, guest instructions,
# remote misses, and the peak resident memory of one node server (sampled
# from /proc every 0.2 s) and of all of them together.
#
# Usage: bash bench/scale/run.sh BUILD_DIR [SHAPES...]
#   a shape is SERVERSxNODESxCPUS (default: 4x4x1 16x4x1 16x4x4 32x8x1)
#   SCALE_TRANSPORT=ipc|tcp|tls (default ipc), SCALE_TIMEOUT seconds (default 900)
# With 16-32 servers on 2 cores a server can go seconds without the CPU, so
# the coordinator's heartbeat timeout is raised to 30 s (3 s by default).
set -u
BUILD=${1:-build}
shift || true
COORD=$BUILD/bin/disco-coord
PROGRAM=$BUILD/guest/scale_counter_r10000
TRANSPORT=${SCALE_TRANSPORT:-ipc}
TIMEOUT=${SCALE_TIMEOUT:-900}
SHAPES=${*:-4x4x1 16x4x1 16x4x4 32x8x1}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
[ -x "$COORD" ] && [ -f "$PROGRAM" ] || { echo "bench/scale: build the project first" >&2; exit 1; }
export DISCO_SCALE_TAG="scale-$$"

# sample_rss PID: samples the tagged flash-node processes until the run ends;
# writes "max-per-server-KiB sum-KiB" to $TMP/rss.
sample_rss() {
  local pid=$1 max=0 sum=0 p r total
  while kill -0 "$pid" 2>/dev/null; do
    total=0
    for p in /proc/[0-9]*; do
      { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx "DISCO_SCALE_TAG=$DISCO_SCALE_TAG" || continue
      grep -q flash-node "$p/comm" 2>/dev/null || continue
      r=$(awk '/^VmRSS/ { print $2 }' "$p/status" 2>/dev/null)
      [ -n "$r" ] || continue
      total=$((total + r))
      [ "$r" -gt "$max" ] && max=$r
    done
    [ "$total" -gt "$sum" ] && sum=$total
    echo "$max $sum" >"$TMP/rss"
    sleep 0.2
  done
}

status=0
printf "%-10s %5s %7s %8s %12s %14s %11s %11s %11s\n" shape cpus servers wall_s sim_cycles \
  instructions remote_miss rss_srv_MiB rss_all_MiB
for shape in $SHAPES; do
  IFS=x read -r servers nodes cpus <<<"$shape"
  ncpu=$((servers * nodes * cpus))
  start=$(date +%s.%N)
  "$COORD" --local "$servers" --nodes-per-server "$nodes" --cpus-per-node "$cpus" \
    --memory-per-node 16 --transport "$TRANSPORT" --bare "$PROGRAM" --timeout "$TIMEOUT" \
    --heartbeat-timeout 30000 \
    >"$TMP/run" 2>&1 &
  pid=$!
  echo "0 0" >"$TMP/rss"
  sample_rss $pid &
  sampler=$!
  wait $pid
  st=$?
  wait $sampler
  secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  if [ $st != 0 ] || ! grep -q "^SMP RESULT: PASS counter cpus=$ncpu " "$TMP/run"; then
    echo "bench/scale: $shape ($ncpu CPUs) failed (status $st):" >&2
    tail -5 "$TMP/run" >&2
    status=1
    continue
  fi
  read -r rmax rsum <"$TMP/rss"
  awk -v sh="$shape" -v n="$ncpu" -v sv="$servers" -v s="$secs" -v mx="$rmax" -v sm="$rsum" '
    $1 == "total" { c = $2; i = $3; r = $5 }
    END { printf "%-10s %5d %7d %8.1f %12.0f %14.0f %11.0f %11s %11s\n", sh, n, sv, s, c, i, r,
          mx ? sprintf("%.1f", mx / 1024) : "-", sm ? sprintf("%.1f", sm / 1024) : "-" }' "$TMP/run"
done
echo "(scale_counter: 4 LL/SC adds per CPU on one shared line, transport $TRANSPORT, 16 MiB per node;"
echo " shape = servers x nodes per server x CPUs per node; rss = peak resident memory of node servers)"
exit $status
