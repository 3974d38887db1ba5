/*
 * fuzz_harness.h - runs arbitrary instruction words on a fresh CPU in a mode
 * chosen by the input (model, byte order, kernel/supervisor/user, 32- or
 * 64-bit segments, ERL/EXL, FPU enabled, exceptions to the guest or to the
 * host). Shared by the libFuzzer target and the bounded ctest run. The only
 * allowed outcomes are guest exceptions and normal stops: a host crash,
 * sanitizer report or hang is a bug.
 */
#ifndef DISCO_TESTS_FUZZ_HARNESS_H
#define DISCO_TESTS_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/* Bytes consumed per input: one configuration byte, then 4-byte instruction words. */
#define FUZZ_MAX_WORDS           64
#define FUZZ_BUDGET_INSTRUCTIONS 512

/* Runs one input; returns the number of instructions executed. */
uint64_t fuzz_run_one(const uint8_t *data, size_t size);

#endif
