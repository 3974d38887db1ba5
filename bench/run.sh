#!/bin/bash
# bench/run.sh - the benchmarks of `make bench`: runs each CPU benchmark guest
# (bench/cpu: integer, memory-bound, floating point; both byte orders) under
# flash-run and under qemu-user in the same run, and prints guest MIPS per
# host core (instructions / (user + system CPU seconds) of flash-run) and the
# CPU-time ratio flash-run / qemu-user on the same binary. Outputs of the two
# emulators are compared; a mismatch is reported and fails the script.
#
# Each measurement is the best (lowest CPU time) of BENCH_REPEAT runs (default
# 3): on a shared host the minimum is the figure least disturbed by others.
#
# Usage: bash bench/run.sh BUILD_DIR        (BENCH_ROUNDS_SCALE=n multiplies work)
set -u
BUILD=${1:-build}
FLASH_RUN=$BUILD/bin/flash-run
GUEST=$BUILD/guest
SCALE=${BENCH_ROUNDS_SCALE:-1}
REPEAT=${BENCH_REPEAT:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ ! -x "$FLASH_RUN" ]; then
    echo "bench: $FLASH_RUN not built" >&2
    exit 1
fi

# cpu_seconds CMD... : runs CMD with stdout to $TMP/out, stderr to $TMP/err,
# and prints its user+system CPU seconds.
cpu_seconds() {
    local best="" t
    for _ in $(seq "$REPEAT"); do
        /usr/bin/time -f "%U %S" -o "$TMP/time" "$@" >"$TMP/out" 2>"$TMP/err"
        t=$(awk '{ printf "%.3f", $1 + $2 }' "$TMP/time")
        best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
    done
    echo "$best"
}

status=0
printf "%-16s %-3s %12s %9s %9s %10s %8s\n" benchmark end instructions flash_s qemu_s "MIPS/core" ratio
for spec in "int_bench 12" "mem_bench 12" "fp_bench 3"; do
    set -- $spec
    name=$1
    rounds=$(($2 * SCALE))
    for end in be le; do
        bin=$GUEST/bench-cpu-$name-$end
        qemu=qemu-mips64
        [ "$end" = le ] && qemu=qemu-mips64el
        if [ ! -f "$bin" ]; then
            echo "bench: $bin missing (build the project first)" >&2
            status=1
            continue
        fi
        fs=$(cpu_seconds "$FLASH_RUN" --stats "$bin" "$rounds")
        cp "$TMP/out" "$TMP/flash.out"
        insns=$(sed -n 's/.*instructions=\([0-9]*\).*/\1/p' "$TMP/err")
        qs=$(cpu_seconds "$qemu" -cpu MIPS64R2-generic "$bin" "$rounds")
        if ! cmp -s "$TMP/out" "$TMP/flash.out"; then
            echo "bench: $name-$end: flash-run and qemu outputs differ" >&2
            status=1
        fi
        awk -v n="$name" -v e="$end" -v i="${insns:-0}" -v f="$fs" -v q="$qs" 'BEGIN {
            mips = f > 0 ? i / f / 1e6 : 0
            ratio = q > 0 ? f / q : 0
            printf "%-16s %-3s %12d %9.3f %9.3f %10.1f %7.2fx\n", n, e, i, f, q, mips, ratio
        }'
    done
done
echo "(MIPS/core = guest instructions per CPU second of flash-run; ratio = flash-run / qemu-user CPU time)"
# The public API under load (bench/api/run.sh): latency percentiles, docs/performance.md.
bash "$(dirname "$0")/api/run.sh" "$BUILD" || status=1
# The SMP machine (bench/smp/run.sh): aggregate simulated MIPS over 1-8 processes, quantum size.
bash "$(dirname "$0")/smp/run.sh" "$BUILD" || status=1
# One remote miss against a raw NNG round trip (bench/coherence/run.sh).
bash "$(dirname "$0")/coherence/run.sh" "$BUILD" || status=1
# The largest machines this host holds (bench/scale/run.sh): up to 256 simulated CPUs over 16-32 servers.
bash "$(dirname "$0")/scale/run.sh" "$BUILD" || status=1
# Virtualization overhead of the Disco monitor (bench/monitor/run.sh): bare vs VM, with and without the L2TLB.
bash "$(dirname "$0")/monitor/run.sh" "$BUILD" || status=1
exit $status
