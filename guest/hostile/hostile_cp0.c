/*
 * hostile_cp0.c - a guest that programs every privileged register with
 * garbage (MTC0 and DMTC0 of 0, all ones and mixed patterns to registers
 * 0-31, selects 0-7, cp0_table.S) and runs the TLB instructions on garbage
 * inputs, counting the exceptions it gets, then prints and exits. It may get
 * lost on the way; the point is that the simulator (or the monitor) stays up.
 */
#include "hostile.h"

void hostile_cp0_write_all(uint64_t pattern, uint64_t safe_status);
void hostile_tlb_garbage(uint64_t pattern);

static const uint64_t patterns[] = {
    0xffffffffffffffffull, 0xdeadbeefdeadbeefull, 0, 0x5555555555555555ull,
    0x12345678abcdef01ull, 0xa5a5a5a5a5a5a5b0ull, /* as Status: user mode, BEV, CU0 clear: the
                                                     repair itself traps */
};

void hostile_main(void)
{
    tk_puts("hostile_cp0: writing garbage to CP0 registers 0-31, selects 0-7\n");
    for (unsigned i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
        hostile_cp0_write_all(patterns[i], 0);
        hostile_tlb_garbage(patterns[i]);
    }
    hostile_print_counts("hostile_cp0:");
    tk_puts("hostile_cp0: done\n");
}

void hostile_trap(struct tk_frame *f)
{
    f->status = HOSTILE_SAFE_STATUS & ~(uint64_t)ST_KX;
    hostile_skip(f);
}
