# tests/linux/guest.sh - sourced by the shell tests that boot the Linux guest
# (tests/cluster/vm_linux.sh, vm_net.sh, tests/api/api_linux.sh): builds it,
# cached, into $DISCO_BUILD/guest/linux with guest/linux/build.sh and sets G
# (that directory), K (vmlinux.elf), I (initramfs.cpio.gz) and D (disk.img).
# Exits 77, which ctest counts as skipped, when the guest cannot be built
# (no cached packages and Debian unreachable); fails on any other error.
G=${DISCO_BUILD:?DISCO_BUILD not set}/guest/linux
_src=${DISCO_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
_st=0
_log=$("$_src/guest/linux/build.sh" "$G" 2>&1) || _st=$?
if [ $_st = 2 ] || [ ! -f "$G/vmlinux.elf" ]; then
  echo "SKIP: the Linux guest cannot be built (no cached packages, Debian unreachable):"
  echo "$_log"
  exit 77
fi
[ $_st = 0 ] || { echo "$_log"; echo "FAIL: guest/linux/build.sh failed" >&2; exit 1; }
K=$G/vmlinux.elf
I=$G/initramfs.cpio.gz
D=$G/disk.img
