#!/usr/bin/env bash
# build.sh OUTDIR - the Linux guest of issue 7, cached in OUTDIR (under the
# build tree): Debian 12's generic MIPS64r2 little-endian kernel, unpacked on
# the host into OUTDIR/vmlinux.elf, and OUTDIR/initramfs.cpio.gz (busybox,
# /init, the workload script and its C program, the network workloads, the
# virtio modules) and
# OUTDIR/disk.img (a test disk for the virtio block device). Nothing fetched is
# committed. Run on demand (the linux tests, `make linux-guest`), never at
# configure time. Exit 2 with a clear message when the packages can be
# neither found in the cache nor downloaded.
set -euo pipefail

out=${1:?usage: build.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/debs"
out=$(cd "$out" && pwd)
# Tests run in parallel and share the cache: one build at a time.
exec 9>"$out/.build.lock"
flock 9

fail() { echo "guest/linux/build.sh: $*" >&2; exit 2; }

# Fetch the two packages once; later runs use the cached .debs.
kdeb=$(ls "$out"/debs/linux-image-*-mips64r2el_*.deb 2>/dev/null | head -n1 || true)
bdeb=$(ls "$out"/debs/busybox-static_*.deb 2>/dev/null | head -n1 || true)
if [ -z "$kdeb" ] || [ -z "$bdeb" ]; then
  command -v apt-get >/dev/null || fail "apt-get not found: cannot fetch the Debian packages"
  if ! dpkg --print-foreign-architectures | grep -qx mips64el; then
    [ "$(id -u)" -eq 0 ] || fail "run once as root (dpkg --add-architecture mips64el; apt-get update)"
    dpkg --add-architecture mips64el
  fi
  if ! apt-cache show linux-image-mips64r2el:mips64el >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || fail "the mips64el package index is missing: run apt-get update as root"
    apt-get update -q >/dev/null 2>&1 || fail "apt-get update failed: Debian's archive unreachable?"
  fi
  # The meta-package names the current kernel ABI (linux-image-6.1.0-NN-mips64r2el).
  kpkg=$(apt-cache depends linux-image-mips64r2el:mips64el 2>/dev/null |
         sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*-mips64r2el\).*/\1/p' | head -n1)
  [ -n "$kpkg" ] || fail "no linux-image-*-mips64r2el package in the index"
  (cd "$out/debs" && apt-get download -q "$kpkg:mips64el" busybox-static:mips64el >/dev/null) ||
    fail "apt-get download $kpkg busybox-static failed: Debian's archive unreachable?"
  kdeb=$(ls "$out"/debs/linux-image-*-mips64r2el_*.deb | head -n1)
  bdeb=$(ls "$out"/debs/busybox-static_*.deb | head -n1)
fi

# The kernel: Debian ships /boot/vmlinuz-*, a self-decompressing ELF whose
# XZ payload is the raw image; unpacking it here saves the guest 0.6 G
# instructions of decompression.
if [ ! -s "$out/vmlinux.elf" ] || [ "$kdeb" -nt "$out/vmlinux.elf" ]; then
  rm -rf "$out/kroot" && mkdir -p "$out/kroot"
  dpkg-deb -x "$kdeb" "$out/kroot"
  vmlinuz=$(ls "$out"/kroot/boot/vmlinuz-* | head -n1)
  python3 "$here/mkimage.py" kernel "$vmlinuz" "$out/vmlinux.elf.tmp"
  mv "$out/vmlinux.elf.tmp" "$out/vmlinux.elf"
  basename "$kdeb" > "$out/kernel-package.txt"
fi

# The initramfs: rebuilt when any of its sources changed.
inputs=("$kdeb" "$bdeb" "$here/init.sh" "$here/workload.sh" "$here/net.sh" "$here/wprog.c"
        "$here/mkimage.py" "$here/build.sh")
stale=0
[ -s "$out/initramfs.cpio.gz" ] || stale=1
for f in "${inputs[@]}"; do [ "$f" -nt "$out/initramfs.cpio.gz" ] && stale=1; done
if [ "$stale" = 1 ]; then
  rm -rf "$out/bbroot" "$out/root" && mkdir -p "$out/bbroot" "$out/root"
  dpkg-deb -x "$bdeb" "$out/bbroot"
  r="$out/root"
  mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/etc"
  cp "$out/bbroot/bin/busybox" "$r/bin/busybox"
  ln -s busybox "$r/bin/sh"
  # The virtio modules (Debian builds virtio-mmio, virtio-blk and virtio-net
  # as modules), loaded by /init in dependency order when the machine has
  # virtio devices. virtio_net depends on net_failover, which needs failover
  # (the .ko files' "depends=" modinfo field).
  mkdir -p "$r/lib/modules"
  for m in drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko \
           drivers/virtio/virtio_mmio.ko drivers/block/virtio_blk.ko \
           net/core/failover.ko drivers/net/net_failover.ko drivers/net/virtio_net.ko; do
    cp "$(ls -d "$out"/kroot/lib/modules/*/kernel | head -n1)/$m" "$r/lib/modules/"
  done
  install -m 755 "$here/init.sh" "$r/init"
  install -m 644 "$here/workload.sh" "$r/workload.sh"
  install -m 644 "$here/net.sh" "$r/net.sh"
  mips64el-linux-gnuabi64-gcc -O2 -static -o "$r/bin/wprog" "$here/wprog.c" ||
    fail "cross-compiling wprog.c failed (gcc-mips64el-linux-gnuabi64 installed?)"
  python3 "$here/mkimage.py" cpio "$r" "$out/initramfs.cpio.gz.tmp"
  mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
fi
# A 4 MiB test disk for the virtio block device: a header sector the workload
# checks, then a deterministic pattern.
if [ ! -s "$out/disk.img" ] || [ "$here/build.sh" -nt "$out/disk.img" ]; then
  python3 - "$out/disk.img.tmp" <<'PY'
import sys
hdr = b"DISCO-DISK-OK sector0\n".ljust(512, b"\0")
body = bytes((i * 7 + (i >> 9)) & 0xff for i in range(4 * 1024 * 1024 - 512))
open(sys.argv[1], "wb").write(hdr + body)
PY
  mv "$out/disk.img.tmp" "$out/disk.img"
fi
echo "guest/linux: $out/vmlinux.elf $out/initramfs.cpio.gz $out/disk.img"
