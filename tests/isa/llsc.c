/* llsc.c - LL/SC and LLD/SCD loops, and the __atomic builtins gcc builds from them. */
#include "isa_util.h"

static int32_t counter32;
static int64_t counter64;

static int32_t ll_sc_add(int32_t *p, int32_t v)
{
    int32_t old, tmp;
    __asm__ volatile("1: ll %0, %2\n\taddu %1, %0, %3\n\tsc %1, %2\n\tbeqz %1, 1b\n\tnop"
                     : "=&r"(old), "=&r"(tmp), "+m"(*p)
                     : "r"(v)
                     : "memory");
    return old;
}

static int64_t lld_scd_add(int64_t *p, int64_t v)
{
    int64_t old, tmp;
    __asm__ volatile("1: lld %0, %2\n\tdaddu %1, %0, %3\n\tscd %1, %2\n\tbeqz %1, 1b\n\tnop"
                     : "=&r"(old), "=&r"(tmp), "+m"(*p)
                     : "r"(v)
                     : "memory");
    return old;
}

/* SC's success flag: 1 after an undisturbed LL. */
static int64_t sc_result(int32_t *p)
{
    int64_t flag;
    __asm__ volatile("ll %0, %1\n\tli %0, 77\n\tsc %0, %1" : "=&r"(flag), "+m"(*p) : : "memory");
    return flag;
}

int main(void)
{
    for (int i = 0; i < 1000; i++) {
        ll_sc_add(&counter32, i);
        lld_scd_add(&counter64, (int64_t)i << 33);
    }
    printf("ll/sc: %d lld/scd: %lld\n", counter32, (long long)counter64);
    printf("sc flag %lld value %d\n", (long long)sc_result(&counter32), counter32);
    int64_t x = 5;
    int64_t expected = 5;
    int ok = __atomic_compare_exchange_n(&x, &expected, 9, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("cas %d x=%lld\n", ok, (long long)x);
    ok = __atomic_compare_exchange_n(&x, &expected, 11, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("cas %d x=%lld expected=%lld\n", ok, (long long)x, (long long)expected);
    printf("fetch_add %lld then %lld\n", (long long)__atomic_fetch_add(&x, 3, __ATOMIC_SEQ_CST),
           (long long)x);
    printf("xchg %d then %d\n", __atomic_exchange_n(&counter32, -1, __ATOMIC_SEQ_CST), counter32);
    uint8_t small = 250;
    printf("byte fetch_add %u then %u\n", __atomic_fetch_add(&small, 10, __ATOMIC_SEQ_CST), small);
    __sync_synchronize();
    return 0;
}
