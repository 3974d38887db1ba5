/*
 * mem_bench.c - memory-bound CPU benchmark guest: pointer chasing through a
 * random cyclic permutation of 16 MB (every load depends on the previous
 * one and misses any small cache) and memcpy of 8 MB blocks; prints a
 * checksum so every run can be checked against qemu-user.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 10;
    enum { NODES = 2 << 20, COPY = 8 << 20 };
    uint64_t *next = malloc(NODES * sizeof(uint64_t));
    uint8_t *src = malloc(COPY), *dst = malloc(COPY);
    uint64_t x = 2463534242ull, sum = 0;
    /* Sattolo's algorithm: one cycle through all nodes. */
    for (uint64_t i = 0; i < NODES; i++)
        next[i] = i;
    for (uint64_t i = NODES - 1; i > 0; i--) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t j = x % i, t = next[i];
        next[i] = next[j];
        next[j] = t;
    }
    for (int i = 0; i < COPY; i++)
        src[i] = (uint8_t)(i ^ (i >> 9));
    for (int r = 0; r < rounds; r++) {
        uint64_t p = (uint64_t)r;
        for (int k = 0; k < NODES / 4; k++)
            p = next[p];
        sum += p;
        memcpy(dst + (r & 7), src, COPY - 8);
        sum += dst[(r * 7919) % COPY];
    }
    printf("mem checksum %llu\n", (unsigned long long)sum);
    return 0;
}
