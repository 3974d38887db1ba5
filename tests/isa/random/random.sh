#!/bin/sh
# random.sh - the random instruction-sequence test: for each seed, generates a
# program with gen (B blocks of N instructions), assembles it with the cross
# compiler and compares its register dumps under QEMU and flash-run
# (compare.sh). On a mismatch, names the first differing block and register.
#
# usage: random.sh GEN FLASH_RUN MODEL ENDIAN [SEEDS] [BLOCKS] [INSNS] [FIRST_SEED]
#   MODEL mips64r2 (oracle MIPS64R2-generic) or mips4 (oracle 5Kf, r10000 model, be only)
# ISA_RANDOM_BISECT=0 skips narrowing a mismatch down to one instruction.
# Millions of instructions: e.g. random.sh ... mips64r2 be 500 100 1000 1000
# runs 500 programs x 100 blocks x 1000 instructions = 50 M random instructions.
set -u
gen=$1 flash_run=$2 model=$3 endian=$4
seeds=${5:-4} blocks=${6:-50} insns=${7:-200} first=${8:-1}
here=$(cd "$(dirname "$0")" && pwd)

if [ "$endian" = le ]; then cc=mips64el-linux-gnuabi64-gcc qemu=qemu-mips64el; else
    cc=mips64-linux-gnuabi64-gcc qemu=qemu-mips64; fi
if [ "$model" = mips4 ]; then qcpu=5Kf march=mips4 sim="--cpu r10000"; else
    qcpu=MIPS64R2-generic march=mips64r2 sim="--cpu mips64r2"; fi
command -v "$cc" >/dev/null && command -v "$qemu" >/dev/null || { echo "SKIP: no $cc/$qemu"; exit 77; }

# same_prefix KEEP BLOCK: do both emulators agree up to the end of BLOCK when
# each block keeps only its first KEEP instructions?
same_prefix() {
    "$gen" -m "$model" -b $(($2 + 1)) -n "$insns" -s "$seed" -k "$1" >"$work/k.S" &&
        "$cc" -march=$march -mabi=64 -static -nostdlib -fno-pic -mno-abicalls \
            -o "$work/k" "$work/k.S" || return 2
    bytes=$((($2 + 1) * 792))
    "$qemu" -cpu $qcpu "$work/k" 2>/dev/null | head -c $bytes >"$work/kq.bin"
    # shellcheck disable=SC2086
    "$flash_run" $sim "$work/k" 2>/dev/null | head -c $bytes >"$work/kf.bin"
    cmp -s "$work/kq.bin" "$work/kf.bin"
}

# bisect BLOCK: the first instruction of BLOCK after which the state differs.
bisect() {
    lo=0 hi=$insns
    while [ $((hi - lo)) -gt 1 ]; do
        mid=$(((lo + hi) / 2))
        if same_prefix $mid "$1"; then lo=$mid; else hi=$mid; fi
    done
    "$gen" -m "$model" -b $(($1 + 1)) -n "$insns" -s "$seed" -k $((hi - 1)) >"$work/a.S"
    "$gen" -m "$model" -b $(($1 + 1)) -n "$insns" -s "$seed" -k $hi >"$work/b.S"
    echo "  culprit: instruction $((hi - 1)) of block $1 (with the sll fix-ups before it):"
    diff "$work/a.S" "$work/b.S" | sed -n 's/^> //p' | tail -4
}

work=$(mktemp -d "${TMPDIR:-/tmp}/isa-random.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0
seed=$first
while [ "$seed" -lt $((first + seeds)) ]; do
    "$gen" -m "$model" -b "$blocks" -n "$insns" -s "$seed" >"$work/r.S" || exit 1
    "$cc" -march=$march -mabi=64 -static -nostdlib -fno-pic -mno-abicalls \
        -o "$work/r" "$work/r.S" || { echo "FAIL: seed $seed does not assemble"; exit 1; }
    "$qemu" -cpu $qcpu "$work/r" >"$work/q.bin" 2>"$work/q.err"
    qs=$?
    # shellcheck disable=SC2086
    "$flash_run" $sim "$work/r" >"$work/f.bin" 2>"$work/f.err"
    fs=$?
    if [ $qs != $fs ] || ! cmp -s "$work/q.bin" "$work/f.bin"; then
        failed=$((failed + 1))
        off=$(cmp "$work/q.bin" "$work/f.bin" 2>/dev/null | sed -n 's/.*byte \([0-9]*\).*/\1/p')
        echo "MISMATCH seed $seed (status qemu $qs flash-run $fs)"
        if [ -n "$off" ]; then
            off=$((off - 1))
            block=$((off / 792)) in_block=$((off % 792))
            if [ $in_block -lt 256 ]; then what="GPR \$$((in_block / 8))"
            elif [ $in_block -lt 272 ]; then what="HI/LO"
            elif [ $in_block -lt 528 ]; then what="FPR \$f$(((in_block - 272) / 8))"
            elif [ $in_block -lt 536 ]; then what="FCSR"
            else what="scratch byte $((in_block - 536))"; fi
            echo "  first difference: block $block, $what"
            echo "  reproduce: $gen -m $model -b $blocks -n $insns -s $seed > r.S"
            [ "${ISA_RANDOM_BISECT:-1}" = 1 ] && bisect $block
        fi
        head -3 "$work/f.err"
    fi
    seed=$((seed + 1))
done
total=$((seeds * blocks * insns))
echo "random $model/$endian: $seeds programs, $((seeds * blocks)) blocks, $total instructions, $failed failing programs"
[ $failed = 0 ]
