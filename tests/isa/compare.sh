#!/bin/sh
# compare.sh - runs one MIPS program under the QEMU oracle and under
# flash-run, in the same scratch directory with the same arguments, a fixed
# environment (env -i) and stdin from /dev/null, and compares stdout, stderr
# and the exit status byte for byte. Exit 0 if identical, 1 with a diff if
# not, 77 (skip) if the oracle is not installed.
#
# usage: compare.sh ORACLE SIM PROGRAM [ARGS...]
#   ORACLE, SIM: command prefixes, split on spaces, e.g.
#   "qemu-mips64 -cpu MIPS64R2-generic" "build/bin/flash-run --cpu mips64r2"
# Environment: ISA_TIMEOUT (seconds per run, default 60), ISA_KEEP=1 keeps
# the scratch directory.
set -u
oracle=$1
sim=$2
shift 2
prog=$(realpath "$1")
shift
timeout_s=${ISA_TIMEOUT:-150} # generous: a loaded 2-core CI host runs the -O0 builds slowly

oracle_bin=${oracle%% *}
if ! command -v "$oracle_bin" >/dev/null 2>&1; then
    echo "SKIP: $oracle_bin not installed"
    exit 77
fi
if [ ! -x "$prog" ]; then
    echo "FAIL: program $prog not built"
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/isa-compare.XXXXXX")
[ "${ISA_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
mkdir "$work/run"

# run NAME CMD...: runs in $work/run (emptied first), records out/err/status.
run() {
    name=$1
    shift
    rm -rf "$work/run" && mkdir "$work/run"
    (cd "$work/run" && env -i PATH=/usr/bin:/bin LC_ALL=C TESTVAR=flash-isa \
        timeout "$timeout_s" "$@" </dev/null >"$work/$name.out" 2>"$work/$name.err")
    echo $? >"$work/$name.status"
}

# shellcheck disable=SC2086 # the prefixes are meant to be split
run oracle $oracle "$prog" "$@"
# shellcheck disable=SC2086
run sim $sim "$prog" "$@"

# qemu names itself in the one message it adds on a core-dumping signal.
sed -i 's/^qemu: uncaught target signal/flash-run: uncaught target signal/' "$work/oracle.err"

status=0
for part in out err status; do
    if ! cmp -s "$work/oracle.$part" "$work/sim.$part"; then
        echo "MISMATCH in $part of $(basename "$prog"):"
        diff -a "$work/oracle.$part" "$work/sim.$part" | head -40
        status=1
    fi
done
if [ $status = 0 ]; then
    echo "OK $(basename "$prog"): status $(cat "$work/sim.status"), $(wc -c <"$work/sim.out") bytes out"
fi
exit $status
