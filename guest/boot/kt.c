/*
 * kt.c - the kernel-test runtime: boot sequence (vectors, Status), console
 * output, PASS/FAIL accounting and the final verdict, the C side of exception
 * handling (kt_exception, called by start.S with the saved frame), TLB
 * helpers and the return path from user/supervisor routines.
 */
#include "kt.h"

#include <stddef.h>

struct kt_frame kt_frame;
uint64_t kt_kernel_context[12]; /* s0-s8, sp, ra, gp of kt_enter_mode's caller */
volatile struct kt_record kt_last;
extern char kt_user_text_start[];
void kt_exception_common(void);
void kt_enter_mode_return(void);
uint64_t kt_enter_mode(uint64_t entry, uint64_t status, uint64_t arg);
void kt_exception(struct kt_frame *f);
void kt_boot(void);

static kt_handler handler;
static unsigned checks, failures;
static bool in_mapped_routine;

/* gcc may emit calls to these even in freestanding code. */
void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

#ifdef KT_QEMU_MALTA
/*
 * Cross-checking under qemu-system-mips64 -M malta: the console is the
 * Super I/O COM1 (ISA port 0x3f8 at physical 0x18000000 + port), exit prints
 * the status and resets the board through SOFTRES (run QEMU with -no-reboot);
 * there is no interrupt-line register.
 */
#define MALTA_COM1    0xffffffffb80003f8ull
#define MALTA_SOFTRES 0xffffffffbf000500ull

static void console_write(unsigned reg, uint64_t value)
{
    volatile uint8_t *uart = (volatile uint8_t *)(uintptr_t)MALTA_COM1;
    if (reg == KT_CONSOLE_TX) {
        while (!(uart[5] & 0x20))
            ;
        uart[0] = (uint8_t)value;
    } else if (reg == KT_CONSOLE_EXIT) {
        const char *msg = "KT EXIT ";
        while (*msg)
            console_write(KT_CONSOLE_TX, (unsigned char)*msg++);
        console_write(KT_CONSOLE_TX, '0' + (value & 0xff) % 10);
        console_write(KT_CONSOLE_TX, '\n');
        *(volatile uint32_t *)(uintptr_t)MALTA_SOFTRES = 0x42;
    }
}
#else
static void console_write(unsigned reg, uint64_t value)
{
    *(volatile uint32_t *)(KT_CONSOLE + reg) = (uint32_t)value;
}
#endif

void kt_putc(char c)
{
    console_write(KT_CONSOLE_TX, (unsigned char)c);
}

void kt_puts(const char *s)
{
    while (*s)
        kt_putc(*s++);
}

void kt_puthex(uint64_t v)
{
    kt_puts("0x");
    for (int shift = 60; shift >= 0; shift -= 4)
        kt_putc("0123456789abcdef"[(v >> shift) & 15]);
}

void kt_exit(int status)
{
    console_write(KT_CONSOLE_EXIT, (unsigned)status);
    for (;;)
        ;
}

void kt_set_irq_lines(unsigned lines)
{
    console_write(KT_CONSOLE_IRQ, lines);
}

void kt_check(bool ok, const char *what)
{
    checks++;
    if (!ok)
        failures++;
    kt_puts(ok ? "PASS: " : "FAIL: ");
    kt_puts(what);
    kt_putc('\n');
}

void kt_check_eq(uint64_t got, uint64_t want, const char *what)
{
    checks++;
    if (got == want) {
        kt_puts("PASS: ");
        kt_puts(what);
        kt_putc('\n');
        return;
    }
    failures++;
    kt_puts("FAIL: ");
    kt_puts(what);
    kt_puts(": got ");
    kt_puthex(got);
    kt_puts(" want ");
    kt_puthex(want);
    kt_putc('\n');
}

void kt_set_handler(kt_handler h)
{
    handler = h;
}

void kt_skip_handler(struct kt_frame *frame)
{
    frame->epc += 4;
}

/* A stub per vector: lui/addiu k0 = kt_exception_common; jr k0; ori k1, $0, id. */
void kt_install_vectors(uint64_t base, unsigned tag)
{
    static const unsigned offsets[] = {KT_VEC_REFILL, KT_VEC_XREFILL, KT_VEC_CACHE_ERROR,
                                       KT_VEC_GENERAL, KT_VEC_INTERRUPT};
    uint64_t target = (uint64_t)(uintptr_t)kt_exception_common;
    for (unsigned i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)(base + offsets[i]);
        p[0] = 0x3c1a0000u | (uint32_t)(((target + 0x8000) >> 16) & 0xffff);
        p[1] = 0x275a0000u | (uint32_t)(target & 0xffff);
        p[2] = 0x03400008u;
        p[3] = 0x341b0000u | offsets[i] | tag;
    }
}

uint64_t kt_paddr(const void *p)
{
    return (uint64_t)(uintptr_t)p & 0x1fffffffu;
}

uint64_t kt_entrylo(uint64_t paddr, bool dirty, bool valid, bool global)
{
    return (paddr >> 12) << 6 | 3u << 3 | (dirty ? 4u : 0) | (valid ? 2u : 0) | (global ? 1u : 0);
}

void kt_tlb_write(unsigned index, uint64_t entryhi, uint64_t lo0, uint64_t lo1, uint64_t mask)
{
    uint64_t saved = KT_DMFC0(10);
    KT_MTC0(0, index);
    KT_DMTC0(10, entryhi);
    KT_DMTC0(2, lo0);
    KT_DMTC0(3, lo1);
    KT_MTC0(5, mask);
    KT_TLBWI();
    KT_DMTC0(10, saved);
}

uint64_t kt_run_mapped(void (*routine)(void), uint64_t status, uint64_t arg)
{
    uint64_t start = (uint64_t)(uintptr_t)kt_user_text_start;
    uint64_t pa = kt_paddr(kt_user_text_start);
    kt_tlb_write(0, KT_USER_VA, kt_entrylo(pa, true, true, true),
                 kt_entrylo(pa + 4096, true, true, true), 0);
    in_mapped_routine = true;
    return kt_enter_mode(KT_USER_VA + ((uint64_t)(uintptr_t)routine - start), status, arg);
}

/* SYSCALL from a mapped routine: resume kt_enter_mode's caller in kernel mode. */
static void return_from_mapped(struct kt_frame *f)
{
    static const unsigned regs[] = {16, 17, 18, 19, 20, 21, 22, 23, 30, 29, 31, 28};
    for (unsigned i = 0; i < 12; i++)
        f->gpr[regs[i]] = kt_kernel_context[i];
    f->epc = (uint64_t)(uintptr_t)kt_enter_mode_return;
    f->status &= ~(uint64_t)(KT_ST_KSU_USER | KT_ST_KSU_SUPER);
    in_mapped_routine = false;
}

void kt_exception(struct kt_frame *f)
{
    kt_last.count++;
    kt_last.vector = f->vector;
    kt_last.cause = f->cause;
    kt_last.epc = f->epc;
    kt_last.badvaddr = f->badvaddr;
    kt_last.status = f->status;
    kt_last.context = KT_DMFC0(4);
    kt_last.xcontext = KT_DMFC0(20);
    kt_last.entryhi = KT_DMFC0(10);
    if (in_mapped_routine && KT_EXC(f->cause) == EXC_SYS) {
        return_from_mapped(f);
        return;
    }
    if (handler) {
        handler(f);
        return;
    }
    kt_puts("FAIL: unexpected exception: cause ");
    kt_puthex(f->cause);
    kt_puts(" epc ");
    kt_puthex(f->epc);
    kt_puts(" badvaddr ");
    kt_puthex(f->badvaddr);
    kt_puts(" vector ");
    kt_puthex(f->vector);
    kt_putc('\n');
    kt_exit(1);
}

void kt_boot(void)
{
    kt_install_vectors(KT_KSEG0, 0);
    KT_MTC0(12, 0); /* leave the reset state: BEV and ERL off, kernel mode, interrupts off */
    kt_main();
    kt_set_handler(NULL);
    if (failures == 0 && checks > 0) {
        kt_puts("KT RESULT: PASS\n");
        kt_exit(0);
    }
    kt_puts("KT RESULT: FAIL\n");
    kt_exit(1);
}
