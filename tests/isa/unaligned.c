/*
 * unaligned.c - unaligned data through packed structs and memcpy (the
 * compiler emits LWL/LWR, LDL/LDR, SWL/SWR) and the partial-word
 * instructions directly in assembly at every byte offset.
 */
#include <string.h>

#include "isa_util.h"

struct __attribute__((packed)) rec {
    uint8_t tag;
    uint32_t a;
    uint64_t b;
    uint16_t c;
    int32_t d;
};

static uint8_t buf[64] __attribute__((aligned(16)));

int main(void)
{
    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 37 + 11);
    for (unsigned off = 0; off < 16; off++) {
        volatile struct rec *r = (volatile struct rec *)(buf + off);
        printf("off %2u: a=%08x b=%016llx c=%04x d=%d\n", off, r->a, (unsigned long long)r->b, r->c,
               r->d);
        r->a = 0xa1b2c3d4u + off;
        r->b = 0x1122334455667788ull ^ off;
        r->d = -(int)off;
        uint64_t v;
        memcpy(&v, buf + off + 1, sizeof(v));
        isa_mix(v);
    }
    for (unsigned off = 0; off < 8; off++) {
        uint64_t w, d, l;
        const uint8_t *p = buf + 8 + off;
        __asm__ volatile("li %0, -1\n\tlwl %0, 0(%1)\n\tlwr %0, 3(%1)" : "=&r"(w) : "r"(p));
        __asm__ volatile("li %0, -1\n\tldl %0, 0(%1)\n\tldr %0, 7(%1)" : "=&r"(d) : "r"(p));
        __asm__ volatile("li %0, 0x5555\n\tlwr %0, 0(%1)" : "=&r"(l) : "r"(p));
        printf("lwl/lwr %u: %016llx ldl/ldr %016llx lwr-only %016llx\n", off, (unsigned long long)w,
               (unsigned long long)d, (unsigned long long)l);
        uint64_t val = 0x0102030405060708ull;
        uint8_t *q = buf + 32 + off;
        memset(buf + 32, 0xee, 24);
        __asm__ volatile("swl %0, 0(%1)\n\tswr %0, 3(%1)\n\tsdl %0, 8(%1)\n\tsdr %0, 15(%1)"
                         :
                         : "r"(val), "r"(q)
                         : "memory");
        for (unsigned k = 0; k < 24; k++)
            printf("%02x", buf[32 + k]);
        printf("\n");
    }
    printf("sum %016llx\n", (unsigned long long)isa_sum);
    return 0;
}
