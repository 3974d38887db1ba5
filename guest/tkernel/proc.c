/*
 * proc.c - processes of the test kernel: creation from the embedded images
 * (text read-only, data/bss/heap/stack demand-zero), one ASID each so a
 * switch needs no TLB flush, the preemptive round-robin scheduler, the
 * system calls, user page faults, and the report of every process once all
 * have exited (in pid order, so the output never depends on timing).
 */
#include "tk.h"

#include "results.h"

enum proc_state { PROC_READY = 1, PROC_DONE };

struct program {
    const char *name;
    const char *image, *image_end;
};

/* FPU registers with FR=0 (o32): 16 even/odd pairs, then FCSR. Layout shared with start.S. */
struct fpu_state {
    uint64_t pairs[16];
    uint64_t fcsr;
};

struct proc {
    struct tk_frame frame; /* saved registers while not running */
    struct fpu_state fpu;  /* saved FPU registers while another process owns the FPU */
    const struct program *program;
    enum proc_state state;
    unsigned pid, asid;
    uint32_t *dir;       /* page directory (vm.c) */
    uint32_t image_end;  /* end of the mapped image, page-rounded */
    uint32_t data_start; /* first writable page of the image */
    uint32_t brk;        /* the break: .bss and heap are [image_end, brk) */
    unsigned long syscalls[SYS_COUNT];
    unsigned pages; /* frames mapped into its address space */
    int exit_code;
    const char *killed; /* why the kernel ended it, or NULL */
    unsigned out_len;
    char out[TK_OUT_MAX]; /* what it wrote, printed after all have exited */
};

extern const char tk_image_primes[], tk_image_primes_end[], tk_image_sort[], tk_image_sort_end[],
    tk_image_sys[], tk_image_sys_end[], tk_image_matrix[], tk_image_matrix_end[], tk_image_fpu[],
    tk_image_fpu_end[];

static const struct program programs[] = {
    {"primes", tk_image_primes, tk_image_primes_end},
    {"sort", tk_image_sort, tk_image_sort_end},
    {"sys", tk_image_sys, tk_image_sys_end},
    {"matrix", tk_image_matrix, tk_image_matrix_end},
    {"fpu", tk_image_fpu, tk_image_fpu_end},
    {"fpu", tk_image_fpu, tk_image_fpu_end}, /* two FPU users: the lazy switch must save state */
};
_Static_assert(sizeof(programs) / sizeof(programs[0]) <= TK_PROCS_MAX, "one process per program");

struct tk_frame *tk_cur_frame;
unsigned tk_preemptions;
unsigned tk_fpu_switches;
static struct proc *fpu_owner; /* whose registers the FPU holds; only it runs with CU1 */
void tk_fpu_save(struct fpu_state *s);
void tk_fpu_restore(const struct fpu_state *s);
static struct proc procs[TK_PROCS_MAX];
static unsigned nprocs;
static struct proc *current;

static uint32_t page_round_up(uint32_t va)
{
    return (va + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static uint32_t image_word(const struct program *prog, unsigned offset)
{
    return *(const uint32_t *)(const void *)(prog->image + offset);
}

/* Copies the image into fresh frames at TK_USER_BASE; text pages are read-only. */
static int map_image(struct proc *p)
{
    uint32_t size = (uint32_t)(p->program->image_end - p->program->image);
    for (uint32_t off = 0; off < size; off += PAGE_SIZE) {
        uint32_t va = TK_USER_BASE + off;
        bool fresh;
        char *frame = vm_map_zero(p->dir, va, va >= p->data_start, &fresh);
        if (!frame)
            return -1;
        p->pages++;
        memcpy(frame, p->program->image + off, size - off < PAGE_SIZE ? size - off : PAGE_SIZE);
    }
    p->image_end = TK_USER_BASE + page_round_up(size);
    return 0;
}

static void proc_create(const struct program *prog)
{
    struct proc *p = &procs[nprocs++];
    p->program = prog;
    p->pid = nprocs;
    p->asid = nprocs; /* ASID 0 stays unused: distinct from every process */
    p->data_start = image_word(prog, 8);
    p->brk = image_word(prog, 12);
    p->dir = vm_new_directory();
    if (!p->dir || map_image(p) != 0)
        tk_panic("out of memory creating a process", NULL);
    p->frame.epc = TK_USER_BASE;
    p->frame.gpr[29] = TK_USER_STACK_TOP - 32;
    /*
     * User mode, timer interrupt enabled; EXL keeps us in kernel mode until the ERET.
     * On MIPS IV, user code may use COP1X (gcc emits MADD.D) only with XX;
     * MIPS64 has no such bit (bit 31 is CU3 there).
     */
    p->frame.status = ST_EXL | ST_KSU_USER | ST_IM7 | ST_IE | (vm_cpu_is_mips64() ? 0 : ST_XX);
    p->state = PROC_READY;
}

void proc_create_all(void)
{
    for (unsigned i = 0; i < sizeof(programs) / sizeof(programs[0]); i++)
        proc_create(&programs[i]);
}

static void switch_to(struct proc *p)
{
    current = p;
    tk_cur_frame = &p->frame;
    tk_cur_pgdir = (uint64_t)(uintptr_t)p->dir;
    vm_set_asid(p->asid);
}

/* Round robin: the next ready process after the current one (itself last). */
static void schedule(void)
{
    unsigned self = (unsigned)(current - procs);
    for (unsigned i = 1; i <= nprocs; i++) {
        struct proc *p = &procs[(self + i) % nprocs];
        if (p->state == PROC_READY) {
            if (p != current)
                tk_preemptions++;
            switch_to(p);
            return;
        }
    }
    tk_finish();
}

void tk_trap_return(void) __attribute__((noreturn));

void proc_start(void)
{
    switch_to(&procs[0]);
    tk_timer_arm();
    tk_trap_return();
}

void proc_timer_tick(void)
{
    schedule();
}

bool proc_in_user_mode(const struct tk_frame *f)
{
    return (f->status & ST_KSU_MASK) == ST_KSU_USER;
}

static void finish_current(int exit_code, const char *killed)
{
    if (fpu_owner == current)
        fpu_owner = NULL;
    current->exit_code = exit_code;
    current->killed = killed;
    current->state = PROC_DONE;
    schedule();
}

void proc_kill(const char *reason, struct tk_frame *f)
{
    finish_current(128 + (int)((f->cause >> 2) & 0x1f), reason);
}

/*
 * Lazy FPU switch: processes run without CU1 until they use the FPU; the
 * Coprocessor Unusable exception then moves the FPU to them, saving the
 * previous owner's registers (which loses CU1) and loading theirs.
 */
void proc_fpu_claim(struct tk_frame *f)
{
    if (fpu_owner != current) {
        TK_MTC0(CP0_STATUS,
                TK_MFC0(CP0_STATUS, 0) | ST_CU1); /* the kernel itself may use CP1 now */
        if (fpu_owner) {
            tk_fpu_save(&fpu_owner->fpu);
            fpu_owner->frame.status &= ~(uint64_t)ST_CU1;
        }
        tk_fpu_restore(&current->fpu);
        fpu_owner = current;
        tk_fpu_switches++;
    }
    f->status |= ST_CU1;
}

/* Which user pages exist: the image, .bss and heap up to the break, the stack. */
static bool user_page_allowed(const struct proc *p, uint64_t va, bool *writable)
{
    *writable = true;
    if (va >= TK_USER_BASE && va < p->image_end) {
        *writable = va >= p->data_start;
        return true;
    }
    if (va >= p->image_end && va < page_round_up(p->brk))
        return true;
    return va >= TK_USER_STACK_TOP - TK_USER_STACK_MAX && va < TK_USER_STACK_TOP;
}

/* The KSEG0 address of user byte va, making its page present (demand zero); NULL if none. */
static char *user_byte(struct proc *p, uint64_t va, bool write)
{
    bool writable, fresh;
    if (!user_page_allowed(p, va, &writable) || (write && !writable))
        return NULL;
    char *frame = vm_map_zero(p->dir, (uint32_t)va, writable, &fresh);
    if (!frame)
        return NULL;
    if (fresh) {
        p->pages++;
        vm_tlb_refresh(p->dir, p->asid, (uint32_t)va);
    }
    return frame + (va & (PAGE_SIZE - 1));
}

/* TLBL/TLBS on an invalid entry: the refill found the page absent. */
void proc_page_fault(struct tk_frame *f, bool write)
{
    bool writable, fresh;
    uint64_t va = f->badvaddr;
    if (!user_page_allowed(current, va, &writable) || (write && !writable)) {
        proc_kill("segmentation fault", f);
        return;
    }
    if (!vm_map_zero(current->dir, (uint32_t)va, writable, &fresh)) {
        proc_kill("out of memory", f);
        return;
    }
    if (fresh) {
        current->pages++;
        tk_page_faults++;
    }
    vm_tlb_refresh(current->dir, current->asid, (uint32_t)va);
}

static void sys_exit(struct tk_frame *f)
{
    finish_current((int)(f->gpr[4] & 0xff), NULL);
}

/* The kernel never dereferences a user address: each byte goes through the page table. */
static void sys_write(struct tk_frame *f)
{
    uint64_t buf = f->gpr[4], len = f->gpr[5];
    for (uint64_t i = 0; i < len; i++) {
        const char *c = user_byte(current, buf + i, false);
        if (!c) {
            f->gpr[2] = (uint64_t)-1;
            return;
        }
        if (current->out_len < TK_OUT_MAX)
            current->out[current->out_len++] = *c;
    }
    f->gpr[2] = len;
}

static void sys_getpid(struct tk_frame *f)
{
    f->gpr[2] = current->pid;
}

static void sys_yield(struct tk_frame *f)
{
    f->gpr[2] = 0;
    schedule();
}

static void sys_sbrk(struct tk_frame *f)
{
    int64_t increment = (int32_t)f->gpr[4];
    int64_t wanted = (int64_t)current->brk + increment;
    if (wanted < (int64_t)current->image_end || wanted > (int64_t)TK_USER_HEAP_MAX) {
        f->gpr[2] = (uint64_t)-1;
        return;
    }
    f->gpr[2] = current->brk;
    current->brk = (uint32_t)wanted;
}

static void (*const syscalls[SYS_COUNT])(struct tk_frame *) = {
    [SYS_EXIT] = sys_exit,   [SYS_WRITE] = sys_write, [SYS_GETPID] = sys_getpid,
    [SYS_YIELD] = sys_yield, [SYS_SBRK] = sys_sbrk,
};

void proc_syscall(struct tk_frame *f)
{
    uint64_t number = f->gpr[2];
    f->epc += 4; /* our user code never puts SYSCALL in a delay slot */
    if (number >= SYS_COUNT || !syscalls[number]) {
        f->gpr[2] = (uint64_t)-1;
        return;
    }
    current->syscalls[number]++;
    syscalls[number](f);
}

static const char *const syscall_names[SYS_COUNT] = {
    [SYS_EXIT] = "exit",   [SYS_WRITE] = "write", [SYS_GETPID] = "getpid",
    [SYS_YIELD] = "yield", [SYS_SBRK] = "sbrk",
};

static void report_one(const struct proc *p)
{
    tk_puts("pid ");
    tk_putdec(p->pid);
    tk_puts(" ");
    tk_puts(p->program->name);
    tk_puts(": asid ");
    tk_putdec(p->asid);
    tk_puts(", exit ");
    tk_putdec((uint64_t)p->exit_code);
    tk_puts(", ");
    tk_putdec(p->pages);
    tk_puts(" pages, syscalls");
    for (unsigned n = 1; n < SYS_COUNT; n++) {
        tk_puts(" ");
        tk_puts(syscall_names[n]);
        tk_puts(" ");
        tk_putdec(p->syscalls[n]);
    }
    tk_puts("\n");
    if (p->killed) {
        tk_puts("pid ");
        tk_putdec(p->pid);
        tk_puts(" killed: ");
        tk_puts(p->killed);
        tk_puts("\n");
    }
    for (unsigned i = 0; i < p->out_len; i++)
        tk_putc(p->out[i]);
    if (p->out_len && p->out[p->out_len - 1] != '\n')
        tk_putc('\n');
}

static unsigned check(bool ok, const struct proc *p, const char *what)
{
    if (ok)
        return 0;
    tk_puts("tkernel: check failed: pid ");
    tk_putdec(p->pid);
    tk_puts(" ");
    tk_puts(what);
    tk_puts("\n");
    return 1;
}

/* The output must be exactly the line the kernel computed (verify.c). */
static unsigned verify_one(const struct proc *p)
{
    struct line want;
    line_init(&want);
    verify_expected_line(p->program->name, p->pid, &want);
    line_char(&want, '\n');
    bool same = want.len == p->out_len;
    for (unsigned i = 0; same && i < want.len; i++)
        same = want.text[i] == p->out[i];
    unsigned failures = check(same, p, "output differs from the kernel's own result");
    failures += check(p->exit_code == 0 && !p->killed, p, "did not exit with status 0");
    if (p->program->image == tk_image_sys) {
        failures += check(p->syscalls[SYS_GETPID] == SYS_ROUNDS + 1, p, "getpid count");
        failures += check(p->syscalls[SYS_YIELD] == SYS_ROUNDS / SYS_YIELD_EVERY, p, "yield count");
    }
    return failures;
}

/* Prints every process in pid order; returns the number of failed checks. */
unsigned proc_report(void)
{
    unsigned failures = 0;
    tk_puts("tkernel: ");
    tk_putdec(nprocs);
    tk_puts(" processes exited\n");
    for (unsigned i = 0; i < nprocs; i++) {
        report_one(&procs[i]);
        failures += verify_one(&procs[i]);
    }
    return failures;
}
