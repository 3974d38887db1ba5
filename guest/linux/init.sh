#!/bin/sh
# /init of the Linux guest's initramfs: mounts the pseudo file systems, loads
# the virtio drivers the machine needs (disk, network), runs the workload
# named by "workload=" on the kernel command line (default: the scripted one;
# "shell": an interactive shell; "netserver"/"netclient peer=IP": the virtual
# subnet's transfer, net.sh), then powers off, which ends the VM ("end=reboot"
# on the command line reboots instead: QEMU, run with -no-reboot, would hang
# on a power-off).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
wl=script
drain=0
end=poweroff
peer=
for a in $(cat /proc/cmdline); do
  case "$a" in
    workload=*) wl="${a#workload=}" ;;
    drain=*) drain="${a#drain=}" ;; # seconds to let a polled console empty its buffer
    end=*) end="${a#end=}" ;;
    peer=*) peer="${a#peer=}" ;;
  esac
done
echo "DISCO-LINUX: init reached"
# virtio-mmio devices, if the machine has any (the Disco VM with --disk or --net).
if grep -q virtio /proc/device-tree/*/compatible 2>/dev/null; then
  for m in virtio virtio_ring virtio_mmio virtio_blk; do insmod /lib/modules/$m.ko; done
  if [ -b /dev/vda ]; then
    echo "DISCO-DISK: $(head -c 13 /dev/vda) $(blockdev --getsize64 /dev/vda) bytes md5 $(md5sum < /dev/vda | cut -d' ' -f1)"
    echo "disco-write-test" | dd of=/dev/vda bs=512 seek=100 conv=sync 2>/dev/null
    sync; echo 3 > /proc/sys/vm/drop_caches
    echo "DISCO-DISK: readback $(dd if=/dev/vda bs=512 skip=100 count=1 2>/dev/null | head -c 16)"
  fi
  # A virtio NIC (device id 1, virtio 1.1 section 5.1): the VM is on a subnet.
  if grep -qx 0x0001 /sys/bus/virtio/devices/*/device 2>/dev/null; then
    for m in failover net_failover virtio_net; do insmod /lib/modules/$m.ko; done
    . /net.sh
    net_up
  fi
fi
case "$wl" in
  shell)
    echo "DISCO-LINUX: shell"
    setsid cttyhack sh
    ;;
  netserver | netclient)
    . /net.sh
    "$wl" "$peer"
    ;;
  *)
    sh /workload.sh
    ;;
esac
# Debian's generic kernel has no power-off driver: machine_power_off() masks
# every interrupt and waits, which the monitor takes as the VM's exit.
[ "$end" = reboot ] || end=poweroff
echo "DISCO-LINUX: $end"
[ "$drain" = 0 ] || sleep "$drain"
$end -f
