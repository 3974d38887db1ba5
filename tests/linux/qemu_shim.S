/*
 * qemu_shim.S - enters the Linux kernel under qemu-system-mips64el (malta) with
 * the UHI convention the generic kernel needs: a0 = -2, a1 = the device tree
 * (loaded at physical 0x7f00000 by the test), then jumps to the raw image at
 * 0x100000. QEMU's malta boot code would pass argc/argv instead.
 */
        .set noreorder
        .globl __start
__start:
        li      $4, -2
        dli     $5, 0xffffffff87f00000
        dli     $25, 0xffffffff80100000
        jr      $25
        nop
