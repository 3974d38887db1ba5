/*
 * mips4_int.c - pure MIPS IV integer code on the r10000 model (freestanding,
 * big-endian): 32/64-bit arithmetic, MOVN/MOVZ, DMULT/DDIV through HI/LO,
 * branch-likely, LL/SC and unaligned LDL/LDR, printed with the guest/rt printf.
 */
#include "rt.h"

static uint64_t state = 88172645463325252ull;

static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static uint64_t sum;

static void mix(uint64_t v)
{
    sum = (sum ^ v) * 0x100000001b3ull + (sum >> 31);
}

static int64_t likely_select(int64_t a, int64_t b)
{
    int64_t r;
    __asm__ volatile(".set push\n\t.set noreorder\n\tmove %0, %2\n\t"
                     "beql %1, %2, 1f\n\tdaddiu %0, %0, 100\n\tdaddiu %0, %0, 1\n"
                     "1:\n\t.set pop"
                     : "=&r"(r)
                     : "r"(a), "r"(b));
    return r;
}

int main(int argc, char **argv)
{
    for (int i = 0; i < 3000; i++) {
        uint64_t a = next(), b = next() >> (i & 63);
        int32_t a32 = (int32_t)a, b32 = (int32_t)b;
        mix(a + b), mix(a - b), mix(a * b), mix(a ^ (b << 3)), mix((uint64_t)((int64_t)a >> 9));
        mix((uint64_t)(int64_t)(a32 * b32)), mix((uint32_t)a32 >> (b & 31));
        if (b)
            mix(a / b), mix(a % b), mix((uint64_t)((int64_t)a / (int64_t)b));
        if (b32 && !(a32 == INT32_MIN && b32 == -1))
            mix((uint64_t)(int64_t)(a32 / b32));
        mix(a < b ? a : b);
        uint64_t m;
        __asm__ volatile("movn %0, %1, %2" : "=r"(m) : "r"(a), "r"(b & 1), "0"(b));
        mix(m);
        __asm__ volatile("movz %0, %1, %2" : "=r"(m) : "r"(a), "r"(b & 1), "0"(b));
        mix(m);
        mix((uint64_t)likely_select((int64_t)(a & 3), (int64_t)(b & 3)));
    }
    printf("integer sum %016llx\n", (unsigned long long)sum);
    static volatile int word = 5;
    int old, tmp;
    __asm__ volatile("1: ll %0, %2\n\taddiu %1, %0, 10\n\tsc %1, %2\n\tbeqz %1, 1b\n\tnop"
                     : "=&r"(old), "=&r"(tmp), "+m"(word)
                     :
                     : "memory");
    printf("ll/sc old %d new %d\n", old, word);
    static unsigned char bytes[24] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    for (int off = 0; off < 8; off++) {
        uint64_t v;
        __asm__ volatile("ldl %0, 0(%1)\n\tldr %0, 7(%1)" : "=&r"(v) : "r"(bytes + off));
        printf("ldl/ldr %d: %016llx\n", off, (unsigned long long)v);
    }
    printf("argc %d argv[1] %s\n", argc, argc > 1 ? argv[1] : "-");
    return 7;
}
