/*
 * hello.c - smallest bare-metal program on the kernel-test runtime: prints
 * a line, checks that it runs in kernel mode with BEV/ERL cleared by the
 * boot stub and that the CPU is an R10000, then reports its verdict.
 */
#include "kt.h"

void kt_main(void)
{
    kt_puts("hello from bare metal\n");
    kt_check_eq(KT_MFC0(12) & (KT_ST_BEV | KT_ST_ERL | KT_ST_EXL | 0x18), 0,
                "boot stub left kernel mode with BEV/ERL/EXL clear");
    kt_check_eq(KT_MFC0(15) & 0xff00, 0x0900, "PRId implementation is R10000");
}
