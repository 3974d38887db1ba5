#!/usr/bin/env bash
# flash-run --vm refuses bad kernels and options with a clear message and a
# distinct status, and a guest that wrecks its own exception vectors is
# ended with the reason instead of spinning.
set -u
build=${DISCO_BUILD:-build}
fr=$build/bin/flash-run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "vm_bad_input: $*" >&2; exit 1; }
expect() { # expect STATUS PATTERN -- command...
  local want=$1 pattern=$2
  shift 3
  local out status
  out=$("$@" 2>&1)
  status=$?
  [ "$status" -eq "$want" ] || fail "'$*' exited $status, want $want: $out"
  echo "$out" | grep -q -- "$pattern" || fail "'$*' did not say '$pattern': $out"
  echo "ok: $* -> $status: $(echo "$out" | head -1)"
}
good=$build/guest/k_timer_r10000
expect 127 "cannot read the kernel" -- "$fr" --vm "$tmp/none"
head -c 100 "$good" >"$tmp/truncated"
expect 126 "" -- "$fr" --vm "$tmp/truncated"
printf 'not an elf at all' >"$tmp/text"
expect 126 "ELF" -- "$fr" --vm "$tmp/text"
expect 126 "little-endian" -- "$fr" --vm "$good" "$build/guest/k_timer_r2"
# The same image placed 64 MiB higher (objcopy moves load addresses, not code) does not fit.
mips64-linux-gnuabi64-objcopy --change-addresses 0x4000000 "$good" "$tmp/high"
expect 126 "does not fit" -- "$fr" --vm --vm-mem 32 "$tmp/high"
expect 2 "--vcpus must be a number" -- "$fr" --vm --vcpus 0 "$good"
expect 2 "--vm-mem must be a number" -- "$fr" --vm --vm-mem lots "$good"
# A kernel that spins forever is ended by its cycle limit; its neighbour still passes.
expect 1 "time limit" -- "$fr" --vm --max-cycles 3000000 "$build/guest/bare_smoke_forever_be" "$build/guest/boot_hello"
out=$("$fr" --vm --max-cycles 3000000 "$build/guest/bare_smoke_forever_be" "$build/guest/boot_hello" 2>&1)
echo "$out" | grep -q "vm1: KT RESULT: PASS" || fail "the good VM beside a spinning one did not pass: $out"
echo "vm_bad_input: ok"
