#!/usr/bin/env bash
# Manual cross-check of the kernel tests under qemu-system-mips64[el] -M malta
# (not part of ctest: QEMU's CPUs differ from ours in TLB size, SEGBITS/PABITS,
# PRId and Config, and its Count runs on host time). Builds each test with
# -DKT_QEMU_MALTA (console on the Malta COM1, exit by SOFTRES) and prints
# every FAIL line QEMU's run reports; docs/bare-metal.md lists the expected ones.
# Usage: tests/kernel/qemu_crosscheck.sh [OUTDIR]
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$(mktemp -d)}
mkdir -p "$out"
flags=(-O2 -mabi=64 -static -nostdlib -ffreestanding -fno-pic -mno-abicalls -fno-builtin -msym32
       -msoft-float -G0 -fno-stack-protector -fno-asynchronous-unwind-tables -DKT_QEMU_MALTA
       -I"$src/guest/boot" -T "$src/guest/boot/boot.ld" -Wl,--build-id=none)
rt=("$src/guest/boot/start.S" "$src/guest/boot/kt.c")
qemu_flags=(-M malta -m 64 -vga none -display none -nic none -no-reboot -serial stdio -monitor none)
for t in k_tlb_ops k_tlb_refill k_tlb_fault k_addr_err k_timer k_modes k_random_wired k_ebase; do
  for variant in be le; do
    if [ $variant = be ]; then
      [ $t = k_ebase ] && continue
      cc=mips64-linux-gnuabi64-gcc; arch=(-march=mips4); qemu=(qemu-system-mips64 -cpu 5Kf)
    else
      cc=mips64el-linux-gnuabi64-gcc; arch=(-march=mips64r2 -DKT_R2=1)
      qemu=(qemu-system-mips64el -cpu MIPS64R2-generic)
    fi
    bin="$out/${t}_$variant"
    "$cc" "${flags[@]}" "${arch[@]}" -o "$bin" "$src/tests/kernel/$t.c" "${rt[@]}" 2>/dev/null || {
      echo "== $t $variant: build failed"; continue; }
    result=$(timeout 30 "${qemu[@]}" "${qemu_flags[@]}" -kernel "$bin" 2>&1)
    echo "== $t $variant: $(echo "$result" | grep -c '^PASS') pass, $(echo "$result" | grep -c '^FAIL') fail"
    echo "$result" | grep '^FAIL'
  done
done
