/*
 * spin.c - a guest kernel for the API's restart tests (built by
 * tests/api/CMakeLists.txt on the kernel-test runtime, guest/boot): runs a
 * fixed amount of work long enough to be caught running (a few seconds of
 * host time), prints "spun N million" with a checksum and exits with 0.
 */
#include "kt.h"

#define MILLIONS 24u

void kt_main(void)
{
    uint64_t x = 1;
    kt_puts("spin started\n");
    for (unsigned m = 0; m < MILLIONS; m++)
        for (unsigned i = 0; i < 1000000u / 4; i++)
            x = x * 6364136223846793005ull + 1442695040888963407ull;
    kt_puts("spun ");
    kt_putc((char)('0' + MILLIONS / 10));
    kt_putc((char)('0' + MILLIONS % 10));
    kt_puts(" million, checksum ");
    kt_puthex(x);
    kt_puts("\n");
    kt_check(x != 0, "the generator ran");
}
