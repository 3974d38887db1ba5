/*
 * fpu_ieee.h - IEEE 754 arithmetic on raw MIPS bit patterns, with the MIPS
 * "legacy NaN" rules QEMU implements (quiet bit clear = quiet NaN, every NaN
 * result is the default NaN) and the FCSR cause bits each operation raises.
 * Used only by fpu.c; the arithmetic itself runs on the host FPU under the
 * guest's rounding mode (see fpu_ieee.c for why that is bit-exact).
 */
#ifndef DISCO_NODE_FPU_IEEE_H
#define DISCO_NODE_FPU_IEEE_H

#include <stdbool.h>
#include <stdint.h>

/* FCSR cause/flag/enable bits in field order (cause = bits 12..17). */
enum {
    FPX_INEXACT = 1u << 0,
    FPX_UNDERFLOW = 1u << 1,
    FPX_OVERFLOW = 1u << 2,
    FPX_DIV0 = 1u << 3,
    FPX_INVALID = 1u << 4,
    FPX_UNIMPLEMENTED = 1u << 5,
};

/* MIPS legacy-NaN default results (MIPS64 Vol. I, "Default NaN"). */
#define FPU_DEFAULT_NAN_S 0x7fbfffffu
#define FPU_DEFAULT_NAN_D 0x7ff7ffffffffffffull
/* What an invalid or out-of-range float-to-integer conversion returns. */
#define FPU_INT32_INVALID 0x7fffffffu
#define FPU_INT64_INVALID 0x7fffffffffffffffull

/* FCSR.RM values. */
enum fpu_rounding { FPU_RN = 0, FPU_RZ = 1, FPU_RP = 2, FPU_RM = 3 };

/*
 * The per-instruction environment: rounding mode and FCSR.FS in, the cause
 * bits raised so far out (accumulated across the steps of MADD, RSQRT...).
 */
struct fpu_env {
    enum fpu_rounding rm;
    bool flush; /* FCSR.FS: denormal results become zero (as QEMU: no flags) */
    unsigned cause;
};

enum fpu_binop { FPU_ADD, FPU_SUB, FPU_MUL, FPU_DIV };

uint32_t fpu_s_binop(struct fpu_env *env, enum fpu_binop op, uint32_t a, uint32_t b);
uint64_t fpu_d_binop(struct fpu_env *env, enum fpu_binop op, uint64_t a, uint64_t b);
uint32_t fpu_s_sqrt(struct fpu_env *env, uint32_t a);
uint64_t fpu_d_sqrt(struct fpu_env *env, uint64_t a);

/* Format conversions between S and D. */
uint64_t fpu_s_to_d(struct fpu_env *env, uint32_t a);
uint32_t fpu_d_to_s(struct fpu_env *env, uint64_t a);

/* Integer (W = int32, L = int64) to floating point, rounding per env->rm. */
uint32_t fpu_int_to_s(struct fpu_env *env, int64_t value);
uint64_t fpu_int_to_d(struct fpu_env *env, int64_t value);

/*
 * Floating point to a 32- or 64-bit integer under rounding mode rm. NaN,
 * infinity and out-of-range values give FPU_INT32/64_INVALID and only the
 * invalid cause, as QEMU does for pre-2008 MIPS.
 */
uint64_t fpu_s_to_int(struct fpu_env *env, uint32_t a, enum fpu_rounding rm, unsigned bits);
uint64_t fpu_d_to_int(struct fpu_env *env, uint64_t a, enum fpu_rounding rm, unsigned bits);

/*
 * C.cond.fmt: cond is the 4-bit field of the instruction (bit 0 unordered,
 * bit 1 equal, bit 2 less than, bit 3 signal invalid on quiet NaNs too).
 */
bool fpu_s_compare(struct fpu_env *env, unsigned cond, uint32_t a, uint32_t b);
bool fpu_d_compare(struct fpu_env *env, unsigned cond, uint64_t a, uint64_t b);

/*
 * Tests only: turns the MXCSR-free fast path off (on by default) so the
 * two ways of computing can be compared.
 */
void fpu_ieee_set_fast_path(bool enabled);

#endif
