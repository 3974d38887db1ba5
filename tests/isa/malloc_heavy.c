/*
 * malloc_heavy.c - many small and large allocations (brk and mmap paths),
 * realloc growth and shrink, calloc zeroing, with contents checked.
 */
#include <stdlib.h>
#include <string.h>

#include "isa_util.h"

int main(void)
{
    enum { SLOTS = 2000 };
    static unsigned char *slot[SLOTS];
    static size_t size[SLOTS];
    unsigned long long bad = 0, allocs = 0;
    for (int round = 0; round < 40000; round++) {
        int i = (int)(isa_rand() % SLOTS);
        if (slot[i]) {
            for (size_t k = 0; k < size[i]; k += 61)
                bad += slot[i][k] != (unsigned char)(i + k);
            if (isa_rand() & 1) {
                free(slot[i]);
                slot[i] = NULL;
                continue;
            }
            size_t n = (size_t)(isa_rand() % 3000) + 1;
            slot[i] = realloc(slot[i], n);
            for (size_t k = 0; k < n; k++)
                slot[i][k] = (unsigned char)(i + k);
            size[i] = n;
            continue;
        }
        size_t n = (isa_rand() % 64 == 0) ? (size_t)(isa_rand() % (1 << 20)) + 200000
                                          : (size_t)(isa_rand() % 512) + 1;
        slot[i] = (isa_rand() & 3) ? malloc(n) : calloc(1, n);
        allocs++;
        for (size_t k = 0; k < n; k++)
            slot[i][k] = (unsigned char)(i + k);
        size[i] = n;
    }
    for (int i = 0; i < SLOTS; i++)
        free(slot[i]);
    unsigned char *z = calloc(3 << 20, 1);
    for (size_t k = 0; k < (3u << 20); k += 4096)
        bad += z[k];
    free(z);
    printf("allocations %llu, corrupted bytes %llu\n", allocs, bad);
    return bad != 0;
}
