/*
 * fp_bits.h - raw bit patterns of floats and doubles for the FP corpus
 * programs, which print every result as hex so that a difference in the last
 * bit, the sign of a zero or a NaN's encoding shows.
 */
#ifndef FP_BITS_H
#define FP_BITS_H

#include <stdint.h>
#include <string.h>

static inline uint64_t d_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static inline double d_of(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static inline uint32_t f_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float f_of(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

#endif
