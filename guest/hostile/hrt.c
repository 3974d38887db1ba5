/*
 * hrt.c - runtime of the hostile guests: the symbols the test kernel's
 * start.S expects (tk_main, tk_trap, the current frame), vectors at the
 * RAM base (0x80000000: R10000 and the reset EBase) and in the BEV window,
 * exception counting and the skip of a faulting instruction.
 */
#include "hostile.h"

#define BEV_BASE 0xffffffffbfc00000ull

void tk_main(void);
void tk_trap(struct tk_frame *f);
void tk_nested_trap(uint64_t cause, uint64_t epc, uint64_t badvaddr);
extern const char tk_general_stub[], tk_general_stub_end[];

/* Referenced by start.S (the trap path and the unused refill handler copy). */
struct tk_frame *tk_cur_frame;
uint32_t tk_in_trap;
uint64_t tk_refill_count;
uint64_t tk_cur_pgdir;

unsigned hostile_exceptions[EXC_CODES];
static struct tk_frame frame;

static void install_stub(uint64_t address)
{
    memcpy((void *)(uintptr_t)address, tk_general_stub,
           (size_t)(tk_general_stub_end - tk_general_stub));
}

/* Every vector of both bases goes to the one trap path (MIPS64 PRA, exception vector locations). */
static void install_vectors(void)
{
    static const unsigned ram_offsets[] = {0x000, 0x080, 0x100, 0x180, 0x200};
    static const unsigned bev_offsets[] = {0x200, 0x280, 0x300, 0x380, 0x400};
    for (unsigned i = 0; i < sizeof(ram_offsets) / sizeof(ram_offsets[0]); i++) {
        install_stub(KSEG0_BASE + ram_offsets[i]);
        install_stub(BEV_BASE + bev_offsets[i]);
    }
}

void tk_main(void)
{
    tk_cur_frame = &frame;
    install_vectors();
    hostile_main();
    hostile_finish(0);
}

void tk_trap(struct tk_frame *f)
{
    hostile_exceptions[hostile_exc_code(f)]++;
    hostile_trap(f);
}

void tk_nested_trap(uint64_t cause, uint64_t epc, uint64_t badvaddr)
{
    tk_puts("hostile: trap inside the trap handler,");
    tk_put_trap_registers(cause, epc, badvaddr);
    tk_exit(2);
}

void hostile_skip(struct tk_frame *f)
{
    f->epc += (f->cause & CAUSE_BD) ? 8 : 4;
}

void hostile_print_counts(const char *prefix)
{
    for (unsigned code = 0; code < EXC_CODES; code++) {
        if (!hostile_exceptions[code])
            continue;
        tk_puts(prefix);
        tk_puts(" exception code ");
        tk_putdec(code);
        tk_puts(": ");
        tk_putdec(hostile_exceptions[code]);
        tk_puts("\n");
    }
}

void hostile_finish(unsigned status)
{
    tk_exit(status);
}
