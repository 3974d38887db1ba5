#!/bin/sh
# /init of the Linux guest's initramfs: mounts the pseudo file systems, runs
# the workload named by "workload=" on the kernel command line (default:
# the scripted one), then reboots (which ends the VM). "workload=shell" gives an interactive
# shell on the console instead.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
wl=script
drain=0
for a in $(cat /proc/cmdline); do
  case "$a" in
    workload=*) wl="${a#workload=}" ;;
    drain=*) drain="${a#drain=}" ;; # seconds to let a polled console empty its buffer
  esac
done
echo "DISCO-LINUX: init reached"
# A virtio-mmio disk, if the machine has one (the Disco VM with --disk).
if grep -q virtio /proc/device-tree/*/compatible 2>/dev/null; then
  for m in virtio virtio_ring virtio_mmio virtio_blk; do insmod /lib/modules/$m.ko; done
  if [ -b /dev/vda ]; then
    echo "DISCO-DISK: $(head -c 13 /dev/vda) $(blockdev --getsize64 /dev/vda) bytes md5 $(md5sum < /dev/vda | cut -d' ' -f1)"
    echo "disco-write-test" | dd of=/dev/vda bs=512 seek=100 conv=sync 2>/dev/null
    sync; echo 3 > /proc/sys/vm/drop_caches
    echo "DISCO-DISK: readback $(dd if=/dev/vda bs=512 skip=100 count=1 2>/dev/null | head -c 16)"
  fi
fi
case "$wl" in
  shell)
    echo "DISCO-LINUX: shell"
    setsid cttyhack sh
    ;;
  *)
    sh /workload.sh
    ;;
esac
# Debian's generic kernel has syscon-reboot but no power-off driver: the
# VM's reboot register ends the VM (QEMU runs with -no-reboot).
echo "DISCO-LINUX: reboot"
[ "$drain" = 0 ] || sleep "$drain"
reboot -f
