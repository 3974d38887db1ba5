#!/usr/bin/env bash
# Linux VMs through the API (issue 7, docs/linux.md): Debian's mips64el
# kernel, its initramfs and the test disk pushed as images, a batch job with
# `--initrd IMG --append "... workload=script" --disk IMG` on the VM host
# (mips64r2, little-endian): `job submit --wait` exits 0 (the guest powers
# off) and prints the workload's output and the disk checks. Skipped (77)
# without the guest (built and cached as in tests/linux).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../linux/guest.sh"
make_pki
start_coord --cpu-model mips64r2 --byte-order little --memory-per-node 256 --heartbeat-timeout 30000
expect 0 as alice image push --kind disk --name initramfs "$G/initramfs.cpio.gz"
expect 0 as alice image push --kind disk --name disk "$G/disk.img"
INITRD=$(sha256sum "$G/initramfs.cpio.gz" | cut -d' ' -f1)
DISK=$(sha256sum "$G/disk.img" | cut -d' ' -f1)
# An unknown initramfs is refused at submission.
expect 7 as alice job submit "$G/vmlinux.elf" --initrd "$(printf '%064d' 0)" --wait --quiet
grep -q "no image" <<<"$OUT" || fail "unknown initramfs: $OUT"
T=$(date +%s)
expect 0 as alice job submit "$G/vmlinux.elf" --name linux --memory 128 --max-cycles 8000000000 \
  --initrd "$INITRD" --disk "$DISK" --append "console=ttyS0 earlycon nokaslr lpj=400000 workload=script" \
  --time-limit 500 --wait
echo "Linux batch job through the API: $(($(date +%s) - T)) s from submit to verdict"
OUTTEXT=$(tr -d '\r' <<<"$OUT")
for want in "DISCO-LINUX: init reached" "DISCO-WORKLOAD-BEGIN" "arith: 9367" \
  "md5: cb3ac8b78f4be6e34b0dc00ed9930e1d" "wprog: primes<=2000 303" "DISCO-WORKLOAD-END" \
  "DISCO-DISK: DISCO-DISK-OK $(stat -c %s "$G/disk.img") bytes md5 $(md5sum <"$G/disk.img" | cut -d' ' -f1)" \
  "DISCO-DISK: readback disco-write-test" "Kernel command line: console=ttyS0 earlycon nokaslr lpj=400000 workload=script"; do
  grep -qF -- "$want" <<<"$OUTTEXT" || fail "the job's output lacks '$want': $(tail -20 <<<"$OUTTEXT")"
done
stop_coord
echo PASS
