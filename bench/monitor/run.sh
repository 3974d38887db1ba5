#!/bin/bash
# bench/monitor/run.sh - virtualization overhead of the Disco monitor (issue 5):
# each workload runs bare (flash-run --system: the kernel in kernel mode, no
# monitor) and as a VM (flash-run --vm) with and without the second-level
# TLB, on the same simulated CPU. Simulated time is the machine cycles the
# guest took (VM: the cycle it ended at, monitor costs included); host time
# is user+system CPU seconds, best of BENCH_REPEAT runs. Also prints the
# VM's monitor cycles by cause and its L2TLB hit ratio.
#
# Usage: bash bench/monitor/run.sh BUILD_DIR
set -u
BUILD=${1:-build}
FR=$BUILD/bin/flash-run
G=$BUILD/guest
REPEAT=${BENCH_REPEAT:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# run NAME ARGS...: best CPU seconds into $TMP/NAME.secs, last stderr in $TMP/NAME.err
run() {
    local name=$1 best="" t
    shift
    for _ in $(seq "$REPEAT"); do
        /usr/bin/time -f "%U %S" -o "$TMP/time" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || {
            echo "bench/monitor: $name failed: $(tail -3 "$TMP/$name.err")" >&2
            return 1
        }
        t=$(awk '{ printf "%.3f", $1 + $2 }' "$TMP/time")
        best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
    done
    echo "$best" >"$TMP/$name.secs"
}
field() { grep -oE "(^| )$2=[0-9.]*" "$TMP/$1.err" | head -1 | cut -d= -f2; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f%%", (a / b - 1) * 100 }'; }

status=0
printf "%-26s %13s %13s %9s %13s %9s %8s %8s %8s %7s\n" workload bare_cycles vm_cycles overhead \
    vm_no_l2tlb overhead bare_s vm_s host_x l2_hit
for w in tkernel_bench_hz_r10000 tkernel_bench_hz_r2el tkernel_bench_r10000 tkernel_bench_r2el \
    smp_matmul_bench_r10000; do
    model=r10000
    case $w in *r2*) model=mips64r2 ;; esac
    run bare "$FR" --system --cpu "$model" --stats "$G/$w" || { status=1; continue; }
    run vm "$FR" --vm --stats "$G/$w" || { status=1; continue; }
    run nol2 "$FR" --vm --no-l2tlb --stats "$G/$w" || { status=1; continue; }
    # The workload's own output must not change under the monitor (mode line and info aside).
    if ! diff -q <(grep -v "tkernel: \(mode\|info\)\|SMP RESULT" "$TMP/bare.out") \
        <(grep -v "tkernel: \(mode\|info\)\|SMP RESULT" "$TMP/vm.out") >/dev/null; then
        echo "bench/monitor: $w: VM output differs from bare" >&2
        status=1
    fi
    bc=$(field bare cycles) vc=$(field vm end_cycle) nc=$(field nol2 end_cycle)
    bs=$(cat "$TMP/bare.secs") vs=$(cat "$TMP/vm.secs")
    printf "%-26s %13s %13s %9s %13s %9s %8s %8s %8s %7s\n" "$w" "$bc" "$vc" "$(pct "$vc" "$bc")" \
        "$nc" "$(pct "$nc" "$bc")" "$bs" "$vs" "$(awk -v a="$vs" -v b="$bs" 'BEGIN { printf "%.2f", a / b }')" \
        "$(field vm l2tlb_hit_ratio)"
    echo "    VM monitor cycles by action (cycles/count): $(grep -o 'monitor_cycles_by_action.*' "$TMP/vm.err" | cut -d' ' -f2-)"
    echo "    VM: instructions=$(field vm instructions) bare: instructions=$(field bare instructions) traps=$(field vm traps) tlb_misses=$(field vm tlb_misses) privops=$(field vm privops) host_monitor_ms=$(field vm host_monitor_ms)"
done
exit $status
