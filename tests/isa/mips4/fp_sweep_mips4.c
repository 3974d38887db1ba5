/*
 * fp_sweep_mips4.c - the FPU sweep of tests/isa/fp/fp_sweep.c as a
 * freestanding MIPS IV program (guest/rt runtime), so the r10000 model's FPU
 * is compared with qemu-mips64 -cpu 5Kf as well. Every swept instruction is
 * MIPS IV.
 */
#include "rt.h"

#define FP_SWEEP_FREESTANDING
#include "../fp/fp_sweep.c"
