/*
 * sort.c - user program: radix-sorts SORT_COUNT values in two heap arrays
 * obtained by sbrk() (demand-zero pages, more of them than the TLB maps at
 * once), checks the order, then reads both arrays page-stride-major, which
 * cycles through more page pairs than the TLB holds: a TLB refill on most
 * loads. It reports order-independent facts about the values that the
 * kernel can compute on its own.
 */
#include "../results.h"
#include "ulib.h"

/* One LSD pass on the byte at shift: from src into dst, stable. */
static void radix_pass(const uint32_t *src, uint32_t *dst, unsigned shift)
{
    uint32_t start[256];
    memset(start, 0, sizeof(start));
    for (uint32_t i = 0; i < SORT_COUNT; i++)
        start[(src[i] >> shift) & 255]++;
    uint32_t position = 0;
    for (unsigned b = 0; b < 256; b++) {
        uint32_t n = start[b];
        start[b] = position;
        position += n;
    }
    for (uint32_t i = 0; i < SORT_COUNT; i++)
        dst[start[(src[i] >> shift) & 255]++] = src[i];
}

/* Sum of both arrays (contiguous: sbrk hands out adjacent memory), one word per page in turn. */
static uint32_t strided_sum(const uint32_t *base)
{
    const uint32_t words_per_page = 4096 / sizeof(uint32_t);
    const uint32_t pages = 2 * SORT_COUNT / words_per_page;
    uint32_t sum = 0;
    for (uint32_t word = 0; word < words_per_page; word++)
        for (uint32_t page = 0; page < pages; page++)
            sum += base[page * words_per_page + word];
    return sum;
}

int main(void)
{
    uint32_t *values = u_sbrk(SORT_COUNT * sizeof(uint32_t));
    uint32_t *scratch = u_sbrk(SORT_COUNT * sizeof(uint32_t));
    if (values == (void *)-1 || scratch != values + SORT_COUNT)
        return 1;
    uint32_t state = SORT_SEED;
    for (uint32_t i = 0; i < SORT_COUNT; i++)
        values[i] = sort_next_value(&state);
    for (unsigned shift = 0; shift < 32; shift += 16) {
        radix_pass(values, scratch, shift);
        radix_pass(scratch, values, shift + 8);
    }
    uint32_t sum = 0, xor_all = 0, out_of_order = 0;
    for (uint32_t i = 0; i < SORT_COUNT; i++) {
        sum += values[i];
        xor_all ^= values[i];
        if (i > 0 && values[i - 1] > values[i])
            out_of_order++;
    }
    struct line l;
    line_init(&l);
    result_sort(&l, values[0], values[SORT_COUNT - 1], sum, xor_all, strided_sum(values),
                out_of_order);
    u_write_line(&l);
    return 0;
}
