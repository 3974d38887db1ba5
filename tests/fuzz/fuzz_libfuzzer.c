/*
 * fuzz_libfuzzer.c - libFuzzer entry point of the CPU fuzz target
 * (-DDISCO_FUZZ=ON with clang). Run: build/bin/fuzz_cpu -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_run_one(data, size);
    return 0;
}
