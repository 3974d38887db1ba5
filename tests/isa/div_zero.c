/*
 * div_zero.c - DIV/DIVU/DDIV/DDIVU by zero in assembly (no trap instruction
 * follows). The architecture leaves HI/LO UNPREDICTABLE here; QEMU's values
 * are the reference the simulator is asked to match.
 */
#include <stdint.h>
#include <stdio.h>

#define DIV0(insn, a)                                                                              \
    do {                                                                                           \
        uint64_t h, l;                                                                             \
        __asm__ volatile("mthi $0\n\tmtlo $0\n\t" insn " $0, %2, $0\n\tmfhi %0\n\tmflo %1"         \
                         : "=r"(h), "=r"(l)                                                        \
                         : "r"((uint64_t)(a)));                                                    \
        printf("%-6s %016llx: hi=%016llx lo=%016llx\n", insn, (unsigned long long)(a),             \
               (unsigned long long)h, (unsigned long long)l);                                      \
    } while (0)

int main(void)
{
    const uint64_t v[] = {
        0, 1, 5, 0xffffffffffffffffull, 0x7fffffff, 0xffffffff80000000ull, 0x123456789abcdefull};
    for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint64_t a32 = (uint64_t)(int64_t)(int32_t)v[i];
        DIV0("div", a32);
        DIV0("divu", a32);
        DIV0("ddiv", v[i]);
        DIV0("ddivu", v[i]);
    }
    return 0;
}
