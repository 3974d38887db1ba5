/*
 * hostile_random.c - a guest that executes RANDOM_WORDS pseudo-random 32-bit
 * words in kernel mode, one at a time with random register contents
 * (random_run.S). Its handler skips a faulting word, or abandons it when the
 * word took the CPU elsewhere (a jump, a fault in a delay slot, the rescue
 * timer), then it counts the exceptions by cause, prints them and exits 0.
 * A word may still lose it for good (e.g. EBase moved into nowhere): then the
 * host stops it by its limit.
 */
#include "hostile.h"

#define RANDOM_WORDS 2000

extern uint32_t random_pad[], random_slot[], random_pad_end[];
extern const char random_return[];
void random_run(const uint64_t *gprs);

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static unsigned rescued_by_timer, abandoned;

/* xorshift64* (Vigna): good enough, and the same sequence on every run. */
static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* "j target" from inside the 256 MB region of KSEG0. */
static uint32_t jump_to(const void *target)
{
    return 0x08000000u | (uint32_t)(((uintptr_t)target >> 2) & 0x03ffffffu);
}

static void fill_pad(uint32_t *start, uint32_t *end)
{
    uint32_t j = jump_to(random_return);
    for (uint32_t *p = start; p < end; p += 2) {
        p[0] = j;
        p[1] = 0;
    }
}

void hostile_main(void)
{
    uint64_t gprs[32];
    fill_pad(random_pad, random_pad_end);
    tk_puts("hostile_random: executing ");
    tk_putdec(RANDOM_WORDS);
    tk_puts(" random words in kernel mode\n");
    for (unsigned i = 0; i < RANDOM_WORDS; i++) {
        random_slot[0] = (uint32_t)rng_next();
        random_slot[1] = 0;
        random_slot[2] = jump_to(random_return);
        random_slot[3] = 0;
        for (unsigned r = 0; r < 32; r++)
            gprs[r] = rng_next();
        random_run(gprs);
    }
    unsigned total = 0;
    for (unsigned code = 0; code < EXC_CODES; code++)
        total += hostile_exceptions[code];
    tk_puts("hostile_random: ");
    tk_putdec(RANDOM_WORDS);
    tk_puts(" words, ");
    tk_putdec(total);
    tk_puts(" exceptions, ");
    tk_putdec(abandoned);
    tk_puts(" abandoned, ");
    tk_putdec(rescued_by_timer);
    tk_puts(" fetched back by the timer\n");
    hostile_print_counts("hostile_random:");
    tk_puts("hostile_random: done\n");
}

void hostile_trap(struct tk_frame *f)
{
    f->status = HOSTILE_SAFE_STATUS & ~(uint64_t)ST_KX;
    if (hostile_exc_code(f) == EXC_INT) {
        rescued_by_timer++;
        f->epc = (uint64_t)(uintptr_t)random_return;
        return;
    }
    if (f->epc == (uint64_t)(uintptr_t)random_slot && !(f->cause & CAUSE_BD)) {
        f->epc += 4; /* skip the word: the nop, then back */
        return;
    }
    abandoned++;
    f->epc = (uint64_t)(uintptr_t)random_return;
}
