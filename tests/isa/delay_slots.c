/*
 * delay_slots.c - branch delay slots and branch-likely nullification in
 * assembly (.set noreorder): taken and untaken BEQ/BNE/BLEZ/BGTZ/BLTZ/BGEZ,
 * their -likely forms, BLTZAL/BGEZAL links, JAL/JALR and JR in the slot chain.
 */
#include "isa_util.h"

/* Each test returns a value that encodes which instructions ran. */
#define BR_TEST(name, branch)                                                                      \
    static uint64_t name(int64_t a, int64_t b)                                                     \
    {                                                                                              \
        uint64_t r = 0;                                                                            \
        __asm__ volatile(".set push\n\t.set noreorder\n\t"                                         \
                         "li %0, 1\n\t" branch ", 1f\n\t"                                          \
                         "ori %0, %0, 2\n\t" /* delay slot */                                      \
                         "ori %0, %0, 4\n\t" /* fall-through */                                    \
                         "1: ori %0, %0, 8\n\t"                                                    \
                         ".set pop"                                                                \
                         : "=&r"(r)                                                                \
                         : "r"(a), "r"(b));                                                        \
        return r;                                                                                  \
    }

BR_TEST(t_beq, "beq %1, %2")
BR_TEST(t_bne, "bne %1, %2")
BR_TEST(t_blez, "blez %1")
BR_TEST(t_bgtz, "bgtz %1")
BR_TEST(t_bltz, "bltz %1")
BR_TEST(t_bgez, "bgez %1")
BR_TEST(t_beql, "beql %1, %2")
BR_TEST(t_bnel, "bnel %1, %2")
BR_TEST(t_blezl, "blezl %1")
BR_TEST(t_bgtzl, "bgtzl %1")
BR_TEST(t_bltzl, "bltzl %1")
BR_TEST(t_bgezl, "bgezl %1")

/* BGEZAL/BLTZAL write $31 whether or not they branch. */
static uint64_t t_link(int64_t a, int likely)
{
    uint64_t r = 0, ra = 0, base = 0;
    if (likely)
        __asm__ volatile(".set push\n\t.set noreorder\n\tmove $8, $31\n\tli %0, 1\n\t"
                         "bal 2f\n\tnop\n\t2: move %2, $31\n\t"
                         "bgezall %3, 1f\n\tori %0, %0, 2\n\tori %0, %0, 4\n\t"
                         "1: move %1, $31\n\tmove $31, $8\n\t.set pop"
                         : "=&r"(r), "=&r"(ra), "=&r"(base)
                         : "r"(a)
                         : "$8", "$31");
    else
        __asm__ volatile(".set push\n\t.set noreorder\n\tmove $8, $31\n\tli %0, 1\n\t"
                         "bal 2f\n\tnop\n\t2: move %2, $31\n\t"
                         "bltzal %3, 1f\n\tori %0, %0, 2\n\tori %0, %0, 4\n\t"
                         "1: move %1, $31\n\tmove $31, $8\n\t.set pop"
                         : "=&r"(r), "=&r"(ra), "=&r"(base)
                         : "r"(a)
                         : "$8", "$31");
    return r | ((ra - base) << 8);
}

/* A jump whose delay slot modifies the register the target reads. */
static uint64_t t_jalr(void)
{
    uint64_t r;
    __asm__ volatile(".set push\n\t.set noreorder\n\tmove $9, $31\n\t"
                     "bal 1f\n\tli %0, 5\n\t"
                     "b 2f\n\tdaddiu %0, %0, 100\n\t"
                     "1: jr $31\n\tdaddiu %0, %0, 10\n\t"
                     "2: move $31, $9\n\t.set pop"
                     : "=&r"(r)
                     :
                     : "$9", "$31");
    return r;
}

int main(void)
{
    static const int64_t vals[] = {-5, -1, 0, 1, 7, INT64_MIN, INT64_MAX, 0x100000000ll};
    uint64_t (*tests[])(int64_t, int64_t) = {t_beq,  t_bne,  t_blez,  t_bgtz,  t_bltz,  t_bgez,
                                             t_beql, t_bnel, t_blezl, t_bgtzl, t_bltzl, t_bgezl};
    const char *names[] = {"beq",  "bne",  "blez",  "bgtz",  "bltz",  "bgez",
                           "beql", "bnel", "blezl", "bgtzl", "bltzl", "bgezl"};
    for (unsigned t = 0; t < 12; t++) {
        printf("%-6s", names[t]);
        for (unsigned i = 0; i < 8; i++)
            printf(" %llx",
                   (unsigned long long)tests[t](vals[i], vals[(i + 3) % 8] & 1 ? vals[i] : 0));
        printf("\n");
    }
    for (unsigned i = 0; i < 8; i++)
        printf("link %lld: %llx %llx\n", (long long)vals[i], (unsigned long long)t_link(vals[i], 0),
               (unsigned long long)t_link(vals[i], 1));
    printf("jalr chain %llu\n", (unsigned long long)t_jalr());
    return 0;
}
