/*
 * test_fuzz_smoke.c - a bounded, seeded run of the CPU fuzz harness for
 * ctest (no clang needed): random instruction words in every configuration
 * the harness knows (both models and byte orders, kernel/supervisor/user,
 * 32/64-bit segments, EXL/ERL, FPU on/off, guest or host exceptions), plus
 * words biased towards the COP0/COP1/special opcodes. Passes if nothing
 * crashes or hangs and every run executes instructions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "fuzz_harness.h"

#define RUNS_PER_CONFIG 4

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

/* Half the words get a major opcode from the privileged/FP/special groups. */
static uint32_t random_word(void)
{
    static const uint32_t majors[] = {0x00, 0x01, 0x10, 0x11, 0x13, 0x1c, 0x1f, 0x2f, 0x23, 0x2b};
    uint32_t w = next_random();
    if (w & 1)
        w = (w & 0x03ffffffu) | majors[(w >> 1) % (sizeof(majors) / sizeof(majors[0]))] << 26;
    return w;
}

static void test_every_configuration(void **state)
{
    uint8_t input[1 + 4 * FUZZ_MAX_WORDS];
    uint64_t total = 0;
    for (unsigned cfg = 0; cfg < 256; cfg++) {
        for (unsigned run = 0; run < RUNS_PER_CONFIG; run++) {
            input[0] = (uint8_t)cfg;
            for (unsigned i = 0; i < FUZZ_MAX_WORDS; i++) {
                uint32_t w = random_word();
                input[1 + 4 * i] = (uint8_t)(w >> 24);
                input[2 + 4 * i] = (uint8_t)(w >> 16);
                input[3 + 4 * i] = (uint8_t)(w >> 8);
                input[4 + 4 * i] = (uint8_t)w;
            }
            uint64_t n = fuzz_run_one(input, sizeof(input));
            assert_true(n > 0 || (cfg & 0x20)); /* host mode may stop on the first word */
            total += n;
        }
    }
    print_message("fuzz smoke: %llu instructions over %u runs\n", (unsigned long long)total,
                  256u * RUNS_PER_CONFIG);
    assert_true(total > 256u * RUNS_PER_CONFIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_configuration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
