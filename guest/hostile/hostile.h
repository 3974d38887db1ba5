/*
 * hostile.h - the small runtime of the hostile guests (hrt.c): it reuses the
 * test kernel's entry, trap frame and trap path (guest/tkernel/start.S,
 * console.c) and points every exception vector, including the BEV ones, at
 * the guest's own handler, so a guest that scrambles Status still lands in
 * it. Each guest defines hostile_main() and hostile_trap().
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include <stdbool.h>
#include <stdint.h>

#include "console.h"
#include "tk_asm.h"

#define KSEG0_BASE 0xffffffff80000000ull
#define KSEG1_BASE 0xffffffffa0000000ull
#define ST_KX      0x80u
#define EXC_WATCH  23
#define EXC_CODES  32

/* The registers saved at a trap (the test kernel's struct tk_frame). */
struct tk_frame {
    uint64_t gpr[32];
    uint64_t hi, lo, epc, status, cause, badvaddr;
};

/* A sane Status to return with: kernel mode, EXL until the ERET, 64-bit kernel addressing. */
#define HOSTILE_SAFE_STATUS (ST_EXL | ST_KX)

void hostile_main(void);
/* Called for every exception with the saved frame; returns by ERET with what it leaves there. */
void hostile_trap(struct tk_frame *f);

/* Exceptions seen so far, by Cause.ExcCode. */
extern unsigned hostile_exceptions[EXC_CODES];

static inline unsigned hostile_exc_code(const struct tk_frame *f)
{
    return (unsigned)(f->cause >> 2) & 0x1f;
}

/* Resume after the faulting instruction; one in a delay slot resumes after the slot. */
void hostile_skip(struct tk_frame *f);
void hostile_print_counts(const char *prefix);
__attribute__((noreturn)) void hostile_finish(unsigned status);

#endif
