/*
 * int_bench.c - integer CPU benchmark guest: CRC-32 over a buffer, a prime
 * sieve and an insertion/shell sort, repeated; prints a checksum so every
 * run can be checked against qemu-user.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t crc32_bytes(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

static unsigned sieve(uint8_t *flags, unsigned n)
{
    unsigned count = 0;
    for (unsigned i = 0; i < n; i++)
        flags[i] = 1;
    for (unsigned i = 2; i < n; i++) {
        if (!flags[i])
            continue;
        count++;
        for (unsigned j = i + i; j < n; j += i)
            flags[j] = 0;
    }
    return count;
}

static void shell_sort(int64_t *a, size_t n)
{
    for (size_t gap = n / 2; gap > 0; gap /= 2)
        for (size_t i = gap; i < n; i++) {
            int64_t v = a[i];
            size_t j = i;
            for (; j >= gap && a[j - gap] > v; j -= gap)
                a[j] = a[j - gap];
            a[j] = v;
        }
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 20;
    enum { BUF = 64 * 1024, SIEVE = 1 << 20, SORT = 50000 };
    uint8_t *buf = malloc(BUF), *flags = malloc(SIEVE);
    int64_t *a = malloc(SORT * sizeof(int64_t));
    uint64_t sum = 0, x = 88172645463325252ull;
    for (int i = 0; i < BUF; i++)
        buf[i] = (uint8_t)(i * 131 + 7);
    for (int r = 0; r < rounds; r++) {
        sum += crc32_bytes(buf, BUF);
        sum += sieve(flags, SIEVE);
        for (int i = 0; i < SORT; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            a[i] = (int64_t)(x % 1000003);
        }
        shell_sort(a, SORT);
        sum += (uint64_t)a[SORT / 2] + (uint64_t)a[SORT - 1];
    }
    printf("int checksum %llu\n", (unsigned long long)sum);
    return 0;
}
