/*
 * kt.h - the tiny runtime of the bare-metal kernel tests (guest/boot): console
 * output through the simulator's console device (docs/bare-metal.md), PASS/FAIL
 * checks, exit, CP0 access, the exception dispatcher, TLB helpers and the
 * switch into user/supervisor mode. A test defines kt_main(); kt_boot()
 * installs the vectors, clears BEV/ERL, runs it and reports the verdict.
 */
#ifndef KT_H
#define KT_H

#include <stdbool.h>
#include <stdint.h>

#include "kt_asm.h"

#define KT_KSEG0        0xffffffff80000000ull
#define KT_KSEG1        0xffffffffa0000000ull
#define KT_CONSOLE      0xffffffffbfe00000ull /* physical 0x1fe00000 */
#define KT_CONSOLE_TX   0x00
#define KT_CONSOLE_EXIT 0x08
#define KT_CONSOLE_IRQ  0x10
#define KT_USER_VA      0x00400000ull /* where the .user_text page is mapped (TLB entry 0) */
#define KT_BEV_BASE     0xffffffffbfc00200ull

/* Vector ids reported in kt_frame.vector: the offset of the vector from its base. */
enum {
    KT_VEC_REFILL = 0x000,
    KT_VEC_XREFILL = 0x080,
    KT_VEC_CACHE_ERROR = 0x100,
    KT_VEC_GENERAL = 0x180,
    KT_VEC_INTERRUPT = 0x200
};

/* Status / Cause bits. */
#define KT_ST_IE        0x1u
#define KT_ST_EXL       0x2u
#define KT_ST_ERL       0x4u
#define KT_ST_KSU_SUPER 0x8u
#define KT_ST_KSU_USER  0x10u
#define KT_ST_UX        0x20u
#define KT_ST_SX        0x40u
#define KT_ST_KX        0x80u
#define KT_ST_IM(n)     (1u << (8 + (n)))
#define KT_ST_BEV       (1u << 22)
#define KT_ST_CU0       (1u << 28)
#define KT_CAUSE_BD     (1u << 31)
#define KT_CAUSE_TI     (1u << 30)
#define KT_CAUSE_IV     (1u << 23)
#define KT_EXC(cause)   (((cause) >> 2) & 0x1f)
enum {
    EXC_INT = 0,
    EXC_MOD = 1,
    EXC_TLBL = 2,
    EXC_TLBS = 3,
    EXC_ADEL = 4,
    EXC_ADES = 5,
    EXC_SYS = 8,
    EXC_BP = 9,
    EXC_RI = 10,
    EXC_CPU = 11
};

/* The registers saved at exception entry; handlers may change them (epc, status, gpr). */
struct kt_frame {
    uint64_t gpr[32];
    uint64_t hi, lo, epc, status, cause, badvaddr, vector, errorepc;
};
_Static_assert(sizeof(struct kt_frame) == FRAME_BYTES, "kt_frame layout");

/* What the last exception reported, plus a running count. */
struct kt_record {
    uint64_t count, vector, cause, epc, badvaddr, status, context, xcontext, entryhi;
};
extern volatile struct kt_record kt_last;

/*
 * The handler runs with EXL set on the exception stack. Without one, any
 * exception is a FAIL and the program exits. A handler returns by ERET to
 * frame->epc with frame->status.
 */
typedef void (*kt_handler)(struct kt_frame *frame);
void kt_set_handler(kt_handler handler);
/* A ready-made handler: record the exception and skip the faulting instruction. */
void kt_skip_handler(struct kt_frame *frame);

/* Console and verdicts. */
void kt_putc(char c);
void kt_puts(const char *s);
void kt_puthex(uint64_t v);
void kt_check(bool ok, const char *what);
void kt_check_eq(uint64_t got, uint64_t want, const char *what);
void kt_exit(int status) __attribute__((noreturn));
void kt_set_irq_lines(unsigned lines);

/* Installs the five vector stubs (refill, XTLB refill, cache error, general, interrupt) at base. */
void kt_install_vectors(uint64_t base, unsigned tag); /* vector id = offset | tag */

/* TLB helpers. */
void kt_tlb_write(unsigned index, uint64_t entryhi, uint64_t lo0, uint64_t lo1, uint64_t mask);
uint64_t kt_entrylo(uint64_t paddr, bool dirty, bool valid, bool global);
/* Physical address of a kseg0 pointer. */
uint64_t kt_paddr(const void *p);

/* Runs a routine of start.S at its user mapping in the mode given by status (KSU etc). */
uint64_t kt_run_mapped(void (*routine)(void), uint64_t status, uint64_t arg);
void kt_user_syscall(void);
void kt_user_load(void);
void kt_user_store(void);
void kt_user_mfc0(void);
void kt_user_loop(void);

/* CP0 access (sel 0 only: the R10000 assembler has no select field). */
#define KT_MFC0(reg)                                                                               \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("mfc0 %0, $" #reg : "=r"(v_));                                            \
        v_;                                                                                        \
    })
#define KT_DMFC0(reg)                                                                              \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("dmfc0 %0, $" #reg : "=r"(v_));                                           \
        v_;                                                                                        \
    })
#define KT_MTC0(reg, value)  __asm__ volatile("mtc0 %0, $" #reg "\n\tnop" ::"r"((uint64_t)(value)))
#define KT_DMTC0(reg, value) __asm__ volatile("dmtc0 %0, $" #reg "\n\tnop" ::"r"((uint64_t)(value)))
/* Release 2 registers with a select field (mips64r2 tests only). */
#define KT_MFC0_SEL(reg, sel)                                                                      \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("mfc0 %0, $" #reg ", " #sel : "=r"(v_));                                  \
        v_;                                                                                        \
    })
#define KT_MTC0_SEL(reg, sel, value)                                                               \
    __asm__ volatile("mtc0 %0, $" #reg ", " #sel "\n\tehb" ::"r"((uint64_t)(value)))

#define KT_TLBWI()   __asm__ volatile("tlbwi")
#define KT_TLBWR()   __asm__ volatile("tlbwr")
#define KT_TLBP()    __asm__ volatile("tlbp")
#define KT_TLBR()    __asm__ volatile("tlbr")
#define KT_SYSCALL() __asm__ volatile("syscall")
#define KT_WAIT()    __asm__ volatile(".word 0x42000020")

/* The test program. Return value is ignored; the verdict comes from the checks. */
void kt_main(void);

#endif
