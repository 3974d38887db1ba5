/*
 * hostile_spin.c - a guest that turns interrupts off and spins forever. It
 * never exits: the host has to stop it by an instruction or time limit (on
 * bare hardware flash-run --max-insns; in a VM the monitor, which must keep
 * every other VM and the node running meanwhile).
 */
#include "hostile.h"

void hostile_main(void)
{
    tk_puts("hostile_spin: interrupts off, spinning forever\n");
    __asm__ volatile("mtc0 $0, $12\n\tsll $0, $0, 3" ::: "memory");
    for (;;)
        __asm__ volatile("" ::: "memory");
}

/* Nothing should trap; if something does, keep spinning with interrupts off. */
void hostile_trap(struct tk_frame *f)
{
    f->status = HOSTILE_SAFE_STATUS & ~(uint64_t)ST_KX;
    hostile_skip(f);
}
