#!/bin/sh
# flash_run_cli.sh - flash-run's command line and process behaviour that the
# QEMU comparison cannot check: exit statuses for missing and non-MIPS files,
# the once-per-number unsupported-syscall warning with ENOSYS, stdin and exit
# status pass-through, --max-insns, --stats and death by signal.
# usage: flash_run_cli.sh FLASH_RUN UNSUPPORTED_PROG SEGV_PROG RDHWR_PROG DIVZERO_PROG
#                         DELAY_SLOT_SYSCALL_PROG
set -u
fr=$1 prog=$2 segv=$3 rdhwr=$4 divzero=$5 slot=$6
fail=0
check() { # check DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected [$2] got [$3]"; fail=1; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$fr" /nonexistent/program 2>"$tmp/err"
check "missing file exits 127" 127 $?
check "missing file message" 1 "$(grep -c 'flash-run: /nonexistent/program' "$tmp/err")"
"$fr" /bin/sh -c true 2>"$tmp/err"
check "host binary exits 126" 126 $?
check "host binary message" 1 "$(grep -c 'not a MIPS executable' "$tmp/err")"
printf 'not an elf' >"$tmp/text"
"$fr" "$tmp/text" 2>/dev/null
check "text file exits 126" 126 $?
"$fr" --cpu z80 "$prog" 2>/dev/null
check "bad --cpu exits 2" 2 $?

printf '0123456789' | "$fr" "$prog" 42 >"$tmp/out" 2>"$tmp/err"
check "exit status passes through" 42 $?
check "ENOSYS returned" "rv -1 -1 enosys 1" "$(head -1 "$tmp/out")"
check "stdin passes through" "stdin bytes 10" "$(sed -n 2p "$tmp/out")"
check "one warning per syscall" "flash-run: unsupported syscall 5440 (process_madvise)" \
    "$(cat "$tmp/err")"

"$fr" --max-insns 1000 "$prog" >/dev/null 2>"$tmp/err"
check "--max-insns exits 124" 124 $?
"$fr" --stats "$prog" </dev/null >/dev/null 2>"$tmp/err"
check "--stats line" 1 \
    "$(grep -cE '^flash-run: instructions=[0-9]+ cycles=[0-9]+ host_seconds=[0-9.]+ mips=[0-9.]+$' "$tmp/err")"

"$fr" "$segv" >"$tmp/out" 2>"$tmp/err"
check "SIGSEGV death status" 139 $?
# (dash adds its own "Segmentation fault" line after ours)
check "SIGSEGV message" "flash-run: uncaught target signal 11 (Segmentation fault) - core dumped" \
    "$(head -1 "$tmp/err")"
check "RDHWR \$29 emulated on r10000" "tp 12345678" "$("$fr" --cpu r10000 "$rdhwr" 2>&1)"
check "RDHWR is native on mips64r2" "tp 12345678" "$("$fr" --cpu mips64r2 "$rdhwr" 2>&1)"
"$fr" "$divzero" >"$tmp/out" 2>"$tmp/err"
check "TEQ code 7 is SIGFPE as on Linux" 136 $?
check "TEQ code 7 message" "flash-run: uncaught target signal 8 (Floating point exception) - core dumped" \
    "$(head -1 "$tmp/err")"
"$fr" "$slot" >"$tmp/out" 2>&1
check "syscall in a delay slot resumes at the branch target" 24 $?
check "syscall in a delay slot runs once" "syscall in a delay slot" "$(cat "$tmp/out")"
exit $fail
