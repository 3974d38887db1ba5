/*
 * fpu_ieee.c - the IEEE 754 operations behind the MIPS FPU, on raw bit
 * patterns, matching QEMU's softfloat configuration for pre-2008 MIPS bit for
 * bit: legacy NaN encoding, default-NaN mode, tininess after rounding,
 * FCSR.FS flushing denormal results to zero without raising flags.
 *
 * Why the host FPU is exact here: add/sub/mul/div/sqrt and the conversions
 * are correctly rounded IEEE operations on x86-64 (SSE) in all four rounding
 * modes, and SSE detects tininess after rounding as softfloat does for MIPS
 * (AArch64 detects it before rounding: not checked there). Everything the
 * host would do differently is handled in software before or after it: NaN
 * operands (the host's quiet bit is the other way round), NaN results (the
 * host's default NaN differs), the flush-to-zero rule and float-to-integer
 * conversion (host out-of-range results differ, so rounding to integer is
 * done in integer arithmetic).
 */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "fpu_ieee.h"

/* FPU_IEEE_USE_FENV forces the portable <fenv.h> bracket (for testing it on x86). */
#if (defined(__x86_64__) || (defined(__i386__) && defined(__SSE2__))) && !defined(FPU_IEEE_USE_FENV)
#include <xmmintrin.h>
#define HOST_HAS_MXCSR 1
#endif

/*
 * Host floating-point environment around one operation. The operands are
 * read from volatile variables after host_begin() and the result stored to
 * one before host_end(), so the compiler cannot move the arithmetic out of
 * the bracket (GCC has no FENV_ACCESS).
 */
#ifdef HOST_HAS_MXCSR
/* MXCSR.RC for MIPS RN, RZ, RP, RM; exception flags are bits 0..5. */
static const unsigned mxcsr_rounding[4] = {0x0000, 0x6000, 0x4000, 0x2000};
#define MXCSR_FLAGS   0x3fu
#define MXCSR_RC      0x6000u
#define MXCSR_FTZ_DAZ 0x8040u

static inline unsigned host_begin(enum fpu_rounding rm)
{
    unsigned saved = _mm_getcsr();
    _mm_setcsr((saved & ~(MXCSR_FLAGS | MXCSR_RC | MXCSR_FTZ_DAZ)) | mxcsr_rounding[rm]);
    return saved;
}

static inline unsigned host_end(unsigned saved)
{
    unsigned csr = _mm_getcsr();
    unsigned cause = 0;
    _mm_setcsr(saved);
    if (csr & 0x01)
        cause |= FPX_INVALID;
    if (csr & 0x04)
        cause |= FPX_DIV0;
    if (csr & 0x08)
        cause |= FPX_OVERFLOW;
    if (csr & 0x10)
        cause |= FPX_UNDERFLOW;
    if (csr & 0x20)
        cause |= FPX_INEXACT;
    return cause;
}
#else
static const int fenv_rounding[4] = {FE_TONEAREST, FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD};

static inline unsigned host_begin(enum fpu_rounding rm)
{
    unsigned saved = (unsigned)fegetround();
    feclearexcept(FE_ALL_EXCEPT);
    fesetround(fenv_rounding[rm]);
    return saved;
}

static inline unsigned host_end(unsigned saved)
{
    int raised = fetestexcept(FE_ALL_EXCEPT);
    unsigned cause = 0;
    fesetround((int)saved);
    if (raised & FE_INVALID)
        cause |= FPX_INVALID;
    if (raised & FE_DIVBYZERO)
        cause |= FPX_DIV0;
    if (raised & FE_OVERFLOW)
        cause |= FPX_OVERFLOW;
    if (raised & FE_UNDERFLOW)
        cause |= FPX_UNDERFLOW;
    if (raised & FE_INEXACT)
        cause |= FPX_INEXACT;
    return cause;
}
#endif

/*
 * Rounds the finite double `bits` to an integer of `nbits` bits (32 or 64)
 * under rm, in integer arithmetic. Returns false when out of range.
 */
static bool double_to_int(uint64_t bits, enum fpu_rounding rm, unsigned nbits, uint64_t *out,
                          bool *inexact)
{
    bool negative = bits >> 63;
    int exponent = (int)((bits >> 52) & 0x7ff);
    uint64_t mantissa = bits & ((1ull << 52) - 1);
    uint64_t magnitude, remainder = 0, half = 0;
    int shift;

    if (exponent == 0) {
        shift = -1074; /* denormal: value = mantissa * 2^-1074 */
    } else {
        mantissa |= 1ull << 52;
        shift = exponent - 1075;
    }
    if (shift >= 0) {
        if (shift > 11) /* >= 2^64: out of any range */
            return false;
        magnitude = mantissa << shift;
    } else if (shift <= -64) {
        magnitude = 0;
        remainder = mantissa; /* nonzero unless the value is zero */
        half = 0;             /* below one half: never rounds to nearest up */
        if (remainder != 0) {
            *inexact = true;
            if ((rm == FPU_RP && !negative) || (rm == FPU_RM && negative))
                magnitude = 1;
        }
        goto range;
    } else {
        unsigned s = (unsigned)-shift;
        magnitude = mantissa >> s;
        remainder = mantissa & ((1ull << s) - 1);
        half = 1ull << (s - 1);
    }
    if (remainder != 0) {
        *inexact = true;
        switch (rm) {
        case FPU_RN:
            if (remainder > half || (remainder == half && (magnitude & 1)))
                magnitude++;
            break;
        case FPU_RZ: break;
        case FPU_RP: magnitude += !negative; break;
        case FPU_RM: magnitude += negative; break;
        }
    }
range:;
    uint64_t limit = 1ull << (nbits - 1); /* |min|; max is limit - 1 */
    if (magnitude > limit || (magnitude == limit && !negative))
        return false;
    *out = negative ? (uint64_t)0 - magnitude : magnitude;
    if (nbits == 32)
        *out &= 0xffffffffu;
    return true;
}

/*
 * The fast path. Reading and writing MXCSR around every operation costs
 * about 40 ns (a write followed by a read serialises), so the common case is
 * done without it: round-to-nearest (the host's own mode), finite operands
 * and a normal, finite result far enough from both ends of the range. There
 * only the inexact flag can arise, and it is decided exactly in software:
 * the error of a sum by TwoSum, of a product by Dekker's TwoProduct (no FMA
 * needed), of a quotient or square root by multiplying back. Anything else
 * takes the bracketed path. test_fpu.c checks both paths agree on random
 * operands; the sweep checks the bracketed path against QEMU.
 */
static bool fast_path_enabled = true;

/* TwoProduct and TwoSum need every operation rounded on its own: no FMA contraction. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

void fpu_ieee_set_fast_path(bool enabled)
{
    fast_path_enabled = enabled;
}

/* Magnitudes inside which TwoProduct neither overflows nor loses bits to underflow. */
#define SPLIT_LIMIT  0x1p995
#define PRODUCT_LOW  0x1p-968
#define PRODUCT_HIGH 0x1p1020

/* Dekker: p + e == a * b exactly, with p = RN(a * b). */
static inline void two_product(double a, double b, double *p, double *e)
{
    const double split = 134217729.0; /* 2^27 + 1 (Veltkamp) */
    double t = split * a, ah = t - (t - a), al = a - ah;
    t = split * b;
    double bh = t - (t - b), bl = b - bh;
    *p = a * b;
    *e = ((ah * bh - *p) + ah * bl + al * bh) + al * bl;
}

static inline bool product_safe(double a, double b, double p)
{
    return fabs(a) < SPLIT_LIMIT && fabs(b) < SPLIT_LIMIT && fabs(p) > PRODUCT_LOW &&
           fabs(p) < PRODUCT_HIGH;
}

/* Knuth's TwoSum in the format's own arithmetic: the rounding error of x + y. */
#define TWO_SUM_ERROR(T, x, y, r)                                                                  \
    ({                                                                                             \
        T bv_ = (r) - (x), av_ = (r)-bv_;                                                          \
        ((x)-av_) + ((y)-bv_);                                                                     \
    })

static bool d_fast_binop(enum fpu_binop op, double x, double y, double *z, unsigned *cause)
{
    double r, p, e;
    bool exact;

    switch (op) {
    case FPU_ADD:
    case FPU_SUB:
        if (op == FPU_SUB)
            y = -y;
        r = x + y;
        if (!(fabs(r) > DBL_MIN && fabs(r) <= DBL_MAX))
            return false;
        exact = TWO_SUM_ERROR(double, x, y, r) == 0;
        break;
    case FPU_MUL:
        r = x * y;
        if (!product_safe(x, y, r))
            return false;
        two_product(x, y, &p, &e);
        exact = e == 0;
        break;
    default:
        r = x / y;
        if (!product_safe(r, y, x) || !(fabs(r) > DBL_MIN && fabs(r) <= DBL_MAX))
            return false;
        two_product(r, y, &p, &e);
        exact = p == x && e == 0;
        break;
    }
    *z = r;
    *cause = exact ? 0 : FPX_INEXACT;
    return true;
}

/* Single precision: products and quotients of floats are exact in double. */
static bool s_fast_binop(enum fpu_binop op, float x, float y, float *z, unsigned *cause)
{
    float r;
    bool exact;

    switch (op) {
    case FPU_ADD:
    case FPU_SUB:
        if (op == FPU_SUB)
            y = -y;
        r = x + y;
        exact = TWO_SUM_ERROR(float, x, y, r) == 0;
        break;
    case FPU_MUL:
        r = x * y;
        exact = (double)x * (double)y == (double)r;
        break;
    default:
        r = x / y;
        exact = (double)r * (double)y == (double)x;
        break;
    }
    if (!(fabsf(r) > FLT_MIN && fabsf(r) <= FLT_MAX))
        return false;
    *z = r;
    *cause = exact ? 0 : FPX_INEXACT;
    return true;
}

static bool d_fast_sqrt(double x, double *z, unsigned *cause)
{
    double r, p, e;
    if (!(x > PRODUCT_LOW && x < PRODUCT_HIGH))
        return false;
    r = __builtin_sqrt(x);
    two_product(r, r, &p, &e);
    *z = r;
    *cause = p == x && e == 0 ? 0 : FPX_INEXACT;
    return true;
}

static bool s_fast_sqrt(float x, float *z, unsigned *cause)
{
    if (!(x > FLT_MIN && x <= FLT_MAX))
        return false;
    float r = __builtin_sqrtf(x);
    *z = r;
    *cause = (double)r * (double)r == (double)x ? 0 : FPX_INEXACT;
    return true;
}

/* Integer to floating point in round-to-nearest: only inexact can arise. */
static bool d_fast_from_int(int64_t value, double *z, unsigned *cause)
{
    double r = (double)value;
    *z = r;
    *cause = r < 0x1p63 && (int64_t)r == value ? 0 : FPX_INEXACT;
    return true;
}

static bool s_fast_from_int(int64_t value, float *z, unsigned *cause)
{
    float r = (float)value;
    *z = r;
    *cause = r < 0x1p63f && (int64_t)r == value ? 0 : FPX_INEXACT;
    return true;
}

/*
 * One instance per format: S (binary32 on host float) and D (binary64 on host
 * double). Kept as a template so the two formats cannot drift apart.
 */
#define FPU_FORMAT(P, FT, UT, SIGN, INF, QUIET, DEFAULT_NAN)                                       \
    static inline bool P##_is_nan(UT x)                                                            \
    {                                                                                              \
        return (x & ~(UT)SIGN) > (UT)INF;                                                          \
    }                                                                                              \
    /* Legacy MIPS: the fraction's top bit SET marks a signalling NaN. */                          \
    static inline bool P##_is_snan(UT x)                                                           \
    {                                                                                              \
        return P##_is_nan(x) && (x & (UT)QUIET);                                                   \
    }                                                                                              \
    static inline bool P##_is_denormal(UT x)                                                       \
    {                                                                                              \
        return (x & (UT)INF) == 0 && (x & ~(UT)SIGN) != 0;                                         \
    }                                                                                              \
    static inline FT P##_value(UT x)                                                               \
    {                                                                                              \
        FT f;                                                                                      \
        memcpy(&f, &x, sizeof f);                                                                  \
        return f;                                                                                  \
    }                                                                                              \
    static inline UT P##_bits(FT f)                                                                \
    {                                                                                              \
        UT x;                                                                                      \
        memcpy(&x, &f, sizeof x);                                                                  \
        return x;                                                                                  \
    }                                                                                              \
    /* Default-NaN mode: any NaN operand gives the default NaN; sNaN is invalid. */                \
    static inline bool P##_nan_operands(struct fpu_env *env, UT a, UT b, bool two, UT *result)     \
    {                                                                                              \
        if (!P##_is_nan(a) && !(two && P##_is_nan(b)))                                             \
            return false;                                                                          \
        if (P##_is_snan(a) || (two && P##_is_snan(b)))                                             \
            env->cause |= FPX_INVALID;                                                             \
        *result = (UT)DEFAULT_NAN;                                                                 \
        return true;                                                                               \
    }                                                                                              \
    /*                                                                                             \
     * Post-processes a host result: MIPS default NaN, FCSR.FS flushing. QEMU flushes              \
     * every result whose exact value lies below the smallest normal, without flags;               \
     * `below_min` says so for a result that rounded up to exactly the smallest normal.            \
     */                                                                                            \
    static inline UT P##_finish(struct fpu_env *env, FT value, unsigned cause, bool below_min)     \
    {                                                                                              \
        UT r = P##_bits(value);                                                                    \
        if (P##_is_nan(r)) {                                                                       \
            r = (UT)DEFAULT_NAN;                                                                   \
        } else if (env->flush && (P##_is_denormal(r) || below_min ||                               \
                                  ((cause & FPX_UNDERFLOW) && (r & ~(UT)SIGN) == 0))) {            \
            r &= (UT)SIGN;                                                                         \
            cause &= ~(unsigned)(FPX_UNDERFLOW | FPX_INEXACT);                                     \
        }                                                                                          \
        env->cause |= cause;                                                                       \
        return r;                                                                                  \
    }                                                                                              \
    static inline bool P##_is_min_normal(FT value)                                                 \
    {                                                                                              \
        return (P##_bits(value) & ~(UT)SIGN) == ((UT)INF & -(UT)INF);                              \
    }                                                                                              \
    static FT P##_host_binop(enum fpu_binop op, FT a, FT b, enum fpu_rounding rm, unsigned *cause) \
    {                                                                                              \
        unsigned saved = host_begin(rm);                                                           \
        volatile FT x = a, y = b;                                                                  \
        volatile FT z;                                                                             \
        switch (op) {                                                                              \
        case FPU_ADD: z = x + y; break;                                                            \
        case FPU_SUB: z = x - y; break;                                                            \
        case FPU_MUL: z = x * y; break;                                                            \
        default: z = x / y; break;                                                                 \
        }                                                                                          \
        *cause = host_end(saved);                                                                  \
        return z;                                                                                  \
    }                                                                                              \
    UT fpu_##P##_binop(struct fpu_env *env, enum fpu_binop op, UT a, UT b)                         \
    {                                                                                              \
        UT r;                                                                                      \
        unsigned cause, ignored;                                                                   \
        bool below_min = false;                                                                    \
        if (P##_nan_operands(env, a, b, true, &r))                                                 \
            return r;                                                                              \
        FT z;                                                                                      \
        if (env->rm == FPU_RN && fast_path_enabled &&                                              \
            P##_fast_binop(op, P##_value(a), P##_value(b), &z, &cause))                            \
            return P##_finish(env, z, cause, false);                                               \
        z = P##_host_binop(op, P##_value(a), P##_value(b), env->rm, &cause);                       \
        if (env->flush && (cause & FPX_INEXACT) && P##_is_min_normal(z))                           \
            below_min = !P##_is_min_normal(                                                        \
                P##_host_binop(op, P##_value(a), P##_value(b), FPU_RZ, &ignored));                 \
        return P##_finish(env, z, cause, below_min);                                               \
    }                                                                                              \
    UT fpu_##P##_sqrt(struct fpu_env *env, UT a)                                                   \
    {                                                                                              \
        UT r;                                                                                      \
        FT fast;                                                                                   \
        unsigned cause;                                                                            \
        if (P##_nan_operands(env, a, a, false, &r))                                                \
            return r;                                                                              \
        if (env->rm == FPU_RN && fast_path_enabled && P##_fast_sqrt(P##_value(a), &fast, &cause))  \
            return P##_finish(env, fast, cause, false);                                            \
        unsigned saved = host_begin(env->rm);                                                      \
        volatile FT x = P##_value(a);                                                              \
        volatile FT z = P##_sqrt_host(x);                                                          \
        cause = host_end(saved);                                                                   \
        return P##_finish(env, z, cause, false);                                                   \
    }                                                                                              \
    UT fpu_int_to_##P(struct fpu_env *env, int64_t value)                                          \
    {                                                                                              \
        FT fast;                                                                                   \
        unsigned cause;                                                                            \
        if (env->rm == FPU_RN && fast_path_enabled && P##_fast_from_int(value, &fast, &cause))     \
            return P##_finish(env, fast, cause, false);                                            \
        unsigned saved = host_begin(env->rm);                                                      \
        volatile int64_t in = value;                                                               \
        volatile FT z = (FT)in;                                                                    \
        cause = host_end(saved);                                                                   \
        return P##_finish(env, z, cause, false);                                                   \
    }                                                                                              \
    bool fpu_##P##_compare(struct fpu_env *env, unsigned cond, UT a, UT b)                         \
    {                                                                                              \
        if (P##_is_nan(a) || P##_is_nan(b)) {                                                      \
            /* Quiet predicates signal only on sNaN, the others on any NaN. */                     \
            if ((cond & 8) || P##_is_snan(a) || P##_is_snan(b))                                    \
                env->cause |= FPX_INVALID;                                                         \
            return cond & 1;                                                                       \
        }                                                                                          \
        FT x = P##_value(a), y = P##_value(b);                                                     \
        return ((cond & 2) && x == y) || ((cond & 4) && x < y);                                    \
    }

/* sqrt on the host without errno or libm wrappers: the builtins map to sqrtss/sqrtsd. */
static inline float s_sqrt_host(float x)
{
    return __builtin_sqrtf(x);
}

static inline double d_sqrt_host(double x)
{
    return __builtin_sqrt(x);
}

FPU_FORMAT(s, float, uint32_t, 0x80000000u, 0x7f800000u, 0x00400000u, FPU_DEFAULT_NAN_S)
FPU_FORMAT(d, double, uint64_t, 0x8000000000000000ull, 0x7ff0000000000000ull, 0x0008000000000000ull,
           FPU_DEFAULT_NAN_D)

uint64_t fpu_s_to_d(struct fpu_env *env, uint32_t a)
{
    if (s_is_nan(a)) {
        if (s_is_snan(a))
            env->cause |= FPX_INVALID;
        return FPU_DEFAULT_NAN_D;
    }
    /* Widening is exact; no flags (denormal singles are normal doubles). */
    return d_bits((double)s_value(a));
}

static float host_narrow(double value, enum fpu_rounding rm, unsigned *cause)
{
    unsigned saved = host_begin(rm);
    volatile double x = value;
    volatile float z = (float)x;
    *cause = host_end(saved);
    return z;
}

uint32_t fpu_d_to_s(struct fpu_env *env, uint64_t a)
{
    unsigned cause, ignored;
    bool below_min = false;

    if (d_is_nan(a)) {
        if (d_is_snan(a))
            env->cause |= FPX_INVALID;
        return FPU_DEFAULT_NAN_S;
    }
    float z = (float)d_value(a);
    if (env->rm == FPU_RN && fast_path_enabled && fabsf(z) > FLT_MIN && fabsf(z) <= FLT_MAX)
        return s_finish(env, z, (double)z == d_value(a) ? 0 : FPX_INEXACT, false);
    z = host_narrow(d_value(a), env->rm, &cause);
    if (env->flush && (cause & FPX_INEXACT) && s_is_min_normal(z))
        below_min = !s_is_min_normal(host_narrow(d_value(a), FPU_RZ, &ignored));
    return s_finish(env, z, cause, below_min);
}

uint64_t fpu_d_to_int(struct fpu_env *env, uint64_t a, enum fpu_rounding rm, unsigned bits)
{
    uint64_t value = 0;
    bool inexact = false;

    if (d_is_nan(a) || (a & ~(1ull << 63)) == 0x7ff0000000000000ull ||
        !double_to_int(a, rm, bits, &value, &inexact)) {
        env->cause |= FPX_INVALID;
        return bits == 32 ? FPU_INT32_INVALID : FPU_INT64_INVALID;
    }
    if (inexact)
        env->cause |= FPX_INEXACT;
    return value;
}

uint64_t fpu_s_to_int(struct fpu_env *env, uint32_t a, enum fpu_rounding rm, unsigned bits)
{
    if (s_is_nan(a)) {
        env->cause |= FPX_INVALID;
        return bits == 32 ? FPU_INT32_INVALID : FPU_INT64_INVALID;
    }
    return fpu_d_to_int(env, d_bits((double)s_value(a)), rm, bits);
}
