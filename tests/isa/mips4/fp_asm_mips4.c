/*
 * fp_asm_mips4.c - the MIPS IV part of tests/isa/fp/fp_asm.c (MADD family,
 * RECIP/RSQRT, C.cond on cc 0-7, BC1T/BC1F/BC1TL/BC1FL, MOVF/MOVT/MOVN/MOVZ.fmt,
 * LDXC1/LWXC1/SDXC1/SWXC1, PREFX) as a freestanding program for the r10000
 * model, compared with qemu-mips64 -cpu 5Kf.
 */
#include "rt.h"

#define FP_ASM_MIPS4
#include "../fp/fp_asm.c"
