/*
 * linux_user.c - starts and runs one emulated Linux process for flash-run:
 * loads the static n64 executable into a fresh uspace, lays out the initial
 * stack (strings, AT_RANDOM, auxv, envp, argv, argc) the way the kernel's
 * binfmt_elf does, puts the CPU in user mode and loops on cpu_run(), turning
 * each exception it stops with into a syscall, an emulated RDHWR or a signal.
 */
#include "linux_user.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu_internal.h"
#include "disco_err.h"
#include "linux_user_internal.h"
#include "xalloc.h"

/* Layout of the address space, as on a 40-bit MIPS64 Linux. */
#define STACK_TOP      0xfffff00000ull /* just below the 1 TB user limit, as Linux */
#define STACK_BYTES    (8ull << 20)    /* RLIMIT_STACK default; pages appear on touch */
#define MMAP_GAP_BYTES (128ull << 20)  /* Linux keeps at least this below the stack */
#define RUN_CHUNK      (1ull << 26)    /* instructions per cpu_run() call */

/* Auxiliary vector keys (elf.h) that static glibc reads. */
enum {
    AT_NULL = 0,
    AT_PHDR = 3,
    AT_PHENT = 4,
    AT_PHNUM = 5,
    AT_PAGESZ = 6,
    AT_BASE = 7,
    AT_FLAGS = 8,
    AT_ENTRY = 9,
    AT_UID = 11,
    AT_EUID = 12,
    AT_GID = 13,
    AT_EGID = 14,
    AT_HWCAP = 16,
    AT_CLKTCK = 17,
    AT_SECURE = 23,
    AT_RANDOM = 25,
    AT_EXECFN = 31,
};

uint64_t guest_get(const struct linux_process *p, const uint8_t *buf, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned byte = p->big_endian ? i : size - 1 - i;
        v = (v << 8) | buf[byte];
    }
    return v;
}

void guest_put(const struct linux_process *p, uint8_t *buf, unsigned size, uint64_t value)
{
    for (unsigned i = 0; i < size; i++) {
        unsigned byte = p->big_endian ? size - 1 - i : i;
        buf[byte] = (uint8_t)(value >> (8 * i));
    }
}

int64_t guest_load(struct linux_process *p, uint64_t vaddr, unsigned size, uint64_t *value)
{
    uint8_t buf[8];
    if (uspace_copy_in(p->space, buf, vaddr, size) != 0)
        return -MIPS_EFAULT;
    *value = guest_get(p, buf, size);
    return 0;
}

int64_t guest_store(struct linux_process *p, uint64_t vaddr, unsigned size, uint64_t value)
{
    uint8_t buf[8];
    guest_put(p, buf, size, value);
    return uspace_copy_out(p->space, vaddr, buf, size) != 0 ? -MIPS_EFAULT : 0;
}

/* elf_load() callback: maps a PT_LOAD segment and copies its file bytes. */
static int load_segment(void *opaque, uint64_t vaddr, uint64_t paddr, const uint8_t *data,
                        uint64_t filesz, uint64_t memsz, unsigned prot)
{
    struct linux_process *p = opaque;
    uint64_t first = vaddr & ~USPACE_PAGE_MASK;
    if (vaddr >= USPACE_LIMIT || memsz > USPACE_LIMIT - vaddr)
        return DISCO_EINVAL;
    /* Two segments may share a boundary page: keep its data, merge permissions. */
    for (uint64_t va = first; va < vaddr + memsz; va += USPACE_PAGE_SIZE) {
        int old = uspace_page_prot(p->space, va);
        int rv = old < 0 ? uspace_map(p->space, va, USPACE_PAGE_SIZE, prot)
                         : uspace_protect(p->space, va, USPACE_PAGE_SIZE, (unsigned)old | prot);
        if (rv != 0)
            return rv;
    }
    return uspace_write_force(p->space, vaddr, data, filesz);
}

/* Pushes bytes onto the growing-down initial stack. */
static int push_bytes(struct linux_process *p, uint64_t *sp, const void *data, size_t len)
{
    *sp -= len;
    return uspace_copy_out(p->space, *sp, data, len);
}

struct stack_vectors {
    uint64_t *argv, *envp; /* guest addresses of the strings */
    int argc, envc;
    uint64_t execfn, random;
};

/* Copies the strings to the top of the stack: argv, then envp, then the file name above. */
static int push_strings(struct linux_process *p, uint64_t *sp, int argc, char **argv, char **envp,
                        const char *execfn, struct stack_vectors *v)
{
    static const uint8_t random_bytes[16] = {0x5d, 0x1c, 0x0f, 0xa7, 0x3b, 0x92, 0x44, 0xe1,
                                             0x08, 0x6d, 0xc3, 0x71, 0x2a, 0xf5, 0x9e, 0x30};
    int rv = 0;
    *sp -= 8; /* the kernel leaves one word of zeros at the very top */
    rv |= push_bytes(p, sp, execfn, strlen(execfn) + 1);
    v->execfn = *sp;
    for (int i = v->envc - 1; i >= 0; i--) {
        rv |= push_bytes(p, sp, envp[i], strlen(envp[i]) + 1);
        v->envp[i] = *sp;
    }
    for (int i = argc - 1; i >= 0; i--) {
        rv |= push_bytes(p, sp, argv[i], strlen(argv[i]) + 1);
        v->argv[i] = *sp;
    }
    *sp &= ~15ull;
    rv |= push_bytes(p, sp, random_bytes, sizeof(random_bytes));
    v->random = *sp;
    return rv ? DISCO_ETOOBIG : 0;
}

/* Writes argc, argv[], envp[] and the auxiliary vector; returns the initial sp. */
static int push_tables(struct linux_process *p, uint64_t *sp, const struct stack_vectors *v)
{
    const uint64_t auxv[][2] = {
        {AT_HWCAP, 0},
        {AT_PAGESZ, USPACE_PAGE_SIZE},
        {AT_CLKTCK, 100},
        {AT_PHDR, p->elf.phdr_vaddr},
        {AT_PHENT, p->elf.phentsize},
        {AT_PHNUM, p->elf.phnum},
        {AT_BASE, 0},
        {AT_FLAGS, 0},
        {AT_ENTRY, p->elf.entry},
        {AT_UID, getuid()},
        {AT_EUID, geteuid()},
        {AT_GID, getgid()},
        {AT_EGID, getegid()},
        {AT_SECURE, 0},
        {AT_RANDOM, v->random},
        {AT_EXECFN, v->execfn},
        {AT_NULL, 0},
    };
    size_t naux = sizeof(auxv) / sizeof(auxv[0]);
    size_t words = 1 + (size_t)v->argc + 1 + (size_t)v->envc + 1 + 2 * naux;
    *sp = (*sp - words * 8) & ~15ull;
    uint8_t *table = xcalloc(words, 8);
    size_t w = 0;
    guest_put(p, table + 8 * w++, 8, (uint64_t)v->argc);
    for (int i = 0; i < v->argc; i++)
        guest_put(p, table + 8 * w++, 8, v->argv[i]);
    w++; /* argv NULL */
    for (int i = 0; i < v->envc; i++)
        guest_put(p, table + 8 * w++, 8, v->envp[i]);
    w++; /* envp NULL */
    for (size_t i = 0; i < naux; i++) {
        guest_put(p, table + 8 * w++, 8, auxv[i][0]);
        guest_put(p, table + 8 * w++, 8, auxv[i][1]);
    }
    int rv = uspace_copy_out(p->space, *sp, table, words * 8);
    free(table);
    return rv;
}

static int setup_stack(struct linux_process *p, int argc, char **argv, char **envp,
                       const char *execfn, uint64_t *sp_out)
{
    if (uspace_map(p->space, STACK_TOP - STACK_BYTES, STACK_BYTES, USPACE_READ | USPACE_WRITE))
        return DISCO_ENOMEM;
    uspace_set_mmap_base(p->space, STACK_TOP - STACK_BYTES - MMAP_GAP_BYTES);
    struct stack_vectors v = {.argc = argc};
    while (envp && envp[v.envc])
        v.envc++;
    v.argv = xcalloc((size_t)argc + 1, sizeof(uint64_t));
    v.envp = xcalloc((size_t)v.envc + 1, sizeof(uint64_t));
    uint64_t sp = STACK_TOP;
    int rv = push_strings(p, &sp, argc, argv, envp, execfn, &v);
    if (rv == 0)
        rv = push_tables(p, &sp, &v);
    free(v.argv);
    free(v.envp);
    *sp_out = sp;
    return rv;
}

/* The model a program gets without --cpu: MIPS IV and older code runs on the R10000. */
static enum cpu_model default_model(const struct elf_info *elf)
{
    return elf_arch_is_mips4_or_older(elf) ? CPU_MODEL_R10000 : CPU_MODEL_MIPS64R2;
}

/*
 * User mode as the kernel leaves a new n64 process: 64-bit user segment,
 * FPU usable with 32 64-bit registers (FR=1), MIPS IV COP1X enabled, and
 * RDHWR of CPUNum/SYNCI_Step/CC/CCRes/ULR allowed (Linux's HWREna).
 */
static void enter_user_mode(struct linux_process *p, uint64_t sp)
{
    struct cpu *cpu = p->cpu;
    cpu->cp0.status = (2u << ST_KSU_SHIFT) | ST_UX | ST_CU1 | ST_FR | ST_XX;
    cpu->cp0.hwrena = 0x2000000fu;
    cpu->cp0.userlocal = 0;
    cpu_ftlb_flush(cpu);
    for (unsigned r = 1; r < 32; r++)
        cpu_set_gpr(cpu, r, 0);
    cpu_set_gpr(cpu, 29, sp);
    cpu_set_pc(cpu, p->elf.entry);
}

static int load_program(struct linux_process *p, const char *path, int argc, char **argv,
                        char **envp, char *errbuf, unsigned errlen)
{
    int rv = elf_load(path, load_segment, p, &p->elf, errbuf, errlen);
    if (rv != 0)
        return rv;
    if (!p->elf.is64) {
        snprintf(errbuf, errlen, "32-bit ELF: flash-run runs n64 programs only");
        return DISCO_EFORMAT;
    }
    if (!realpath(path, p->exe_path))
        snprintf(p->exe_path, sizeof(p->exe_path), "%s", path);
    p->big_endian = p->elf.big_endian;
    uspace_set_brk_base(p->space, (p->elf.highest_vaddr + USPACE_PAGE_MASK) & ~USPACE_PAGE_MASK);
    uint64_t sp;
    rv = setup_stack(p, argc, argv, envp, path, &sp);
    if (rv != 0) {
        snprintf(errbuf, errlen, "arguments and environment do not fit on the stack");
        return rv;
    }
    struct cpu_config config = {
        .model = p->options->model_given ? p->options->model : default_model(&p->elf),
        .big_endian = p->big_endian,
        .exceptions_to_host = true,
    };
    p->cpu = cpu_create(&config);
    cpu_attach_uspace(p->cpu, p->space);
    enter_user_mode(p, sp);
    return 0;
}

/*
 * Where execution resumes after the instruction that stopped the CPU. A
 * syscall in a delay slot (legal, if never emitted by compilers) continues at
 * the branch's target, which the interpreter keeps in branch_target.
 */
static uint64_t resume_pc(const struct linux_process *p, const struct cpu_exception *ex)
{
    return ex->delay_slot ? p->cpu->branch_target : ex->pc + 4;
}

/* Linux emulates RDHWR $29 (the TLS pointer) for CPUs without it (traps.c). */
static bool emulate_rdhwr(struct linux_process *p, const struct cpu_exception *ex)
{
    uint32_t insn = ex->insn;
    if ((insn & 0xffe007ffu) != 0x7c00003bu || ((insn >> 11) & 31) != 29)
        return false;
    uint64_t next = resume_pc(p, ex);
    cpu_set_gpr(p->cpu, (insn >> 16) & 31, p->cpu->cp0.userlocal);
    cpu_set_pc(p->cpu, next);
    return true;
}

/* The break/trap code Linux reads from the instruction (traps.c do_bp/do_tr). */
static unsigned trap_code(const struct cpu_exception *ex)
{
    uint32_t insn = ex->insn;
    if (ex->code == EXC_BP) {
        unsigned code = (insn >> 6) & 0xfffff;
        /* Old assemblers put the code at bit 16; Linux accepts both. */
        return code >= 1024 ? ((code & 1023) << 10) | (code >> 10) : code;
    }
    return (insn >> 26) == 0 ? (insn >> 6) & 0x3ff : 0; /* TEQ & co; TEQI has none */
}

/* si_code values of Linux/MIPS siginfo for the synchronous signals. */
enum {
    ILL_ILLOPC = 1,
    ILL_COPROC = 7,
    FPE_INTDIV = 1,
    FPE_INTOVF = 2,
    FPE_FLTDIV = 3,
    FPE_FLTOVF = 4,
    FPE_FLTUND = 5,
    FPE_FLTRES = 6,
    FPE_FLTINV = 7,
    SEGV_MAPERR = 1,
    SEGV_ACCERR = 2,
    BUS_ADRALN = 1,
    TRAP_BRKPT = 1,
};

/*
 * si_code of an FP exception from the enabled FCSR cause bits, tested in the
 * kernel's order (traps.c do_fpe): invalid, divide, overflow, underflow,
 * inexact. FCSR: cause bits 12-16 (I U O Z V), enables 7-11, unimplemented 17.
 */
static int fpe_code(uint32_t fcsr)
{
    uint32_t cause = (fcsr >> 12) & (((fcsr >> 7) & 0x1f) | 0x20);
    if (cause & 0x30) /* invalid operation, or unimplemented operation */
        return FPE_FLTINV;
    if (cause & 0x08)
        return FPE_FLTDIV;
    if (cause & 0x04)
        return FPE_FLTOVF;
    if (cause & 0x02)
        return FPE_FLTUND;
    if (cause & 0x01)
        return FPE_FLTRES;
    return FPE_FLTINV;
}

static void handle_exception(struct linux_process *p)
{
    const struct cpu_exception ex = *cpu_last_exception(p->cpu);
    switch (ex.code) {
    case EXC_SYS:
        cpu_set_pc(p->cpu, resume_pc(p, &ex));
        linux_syscall(p);
        return;
    case EXC_RI:
        if (!emulate_rdhwr(p, &ex))
            linux_signal_deliver(p, MIPS_SIGILL, ILL_ILLOPC, ex.pc);
        return;
    case EXC_CPU: linux_signal_deliver(p, MIPS_SIGILL, ILL_COPROC, ex.pc); return;
    case EXC_BP:
    case EXC_TR: {
        unsigned code = trap_code(&ex);
        if (code == 7) /* BRK_DIVZERO */
            linux_signal_deliver(p, MIPS_SIGFPE, FPE_INTDIV, ex.pc);
        else if (code == 6) /* BRK_OVERFLOW */
            linux_signal_deliver(p, MIPS_SIGFPE, FPE_INTOVF, ex.pc);
        else
            linux_signal_deliver(p, MIPS_SIGTRAP, TRAP_BRKPT, ex.pc);
        return;
    }
    case EXC_OV: linux_signal_deliver(p, MIPS_SIGFPE, FPE_INTOVF, ex.pc); return;
    case EXC_FPE: linux_signal_deliver(p, MIPS_SIGFPE, fpe_code(p->cpu->fcsr), ex.pc); return;
    case EXC_TLBL:
    case EXC_TLBS:
    case EXC_MOD: {
        int mapped = uspace_page_prot(p->space, ex.badvaddr) >= 0;
        linux_signal_deliver(p, MIPS_SIGSEGV, mapped ? SEGV_ACCERR : SEGV_MAPERR, ex.badvaddr);
        return;
    }
    case EXC_ADEL:
    case EXC_ADES:
        /* qemu-user and Linux for a non-user address: SIGSEGV; misaligned: SIGBUS. */
        if (ex.badvaddr >= USPACE_LIMIT)
            linux_signal_deliver(p, MIPS_SIGSEGV, SEGV_MAPERR, ex.badvaddr);
        else
            linux_signal_deliver(p, MIPS_SIGBUS, BUS_ADRALN, ex.badvaddr);
        return;
    default: linux_signal_deliver(p, MIPS_SIGSEGV, SEGV_MAPERR, ex.pc); return;
    }
}

static void run_loop(struct linux_process *p)
{
    uint64_t limit = p->options->max_instructions;
    while (!p->exited) {
        uint64_t budget = RUN_CHUNK;
        if (limit) {
            uint64_t done = cpu_instructions(p->cpu);
            if (done >= limit) {
                p->result->limit_hit = true;
                return;
            }
            if (limit - done < budget)
                budget = limit - done;
        }
        enum cpu_stop stop = cpu_run(p->cpu, budget);
        if (stop == CPU_STOP_EXCEPTION)
            handle_exception(p);
        else if (stop == CPU_STOP_HALT || stop == CPU_STOP_WAIT)
            linux_signal_deliver(p, MIPS_SIGILL, 1, cpu_get_pc(p->cpu));
    }
}

int linux_user_run(const char *path, int argc, char **argv, char **envp,
                   const struct linux_user_options *options, struct linux_user_result *result,
                   char *errbuf, unsigned errlen)
{
    memset(result, 0, sizeof(*result));
    if (argc < 1 || !argv) {
        snprintf(errbuf, errlen, "no program arguments");
        return DISCO_EINVAL;
    }
    struct linux_process *p = xcalloc(1, sizeof(*p));
    p->options = options;
    p->result = result;
    p->space = uspace_create();
    int rv = load_program(p, path, argc, argv, envp, errbuf, errlen);
    if (rv == 0) {
        run_loop(p);
        result->instructions = cpu_instructions(p->cpu);
        result->cycles = cpu_cycles(p->cpu);
    }
    if (p->cpu)
        cpu_destroy(p->cpu);
    uspace_destroy(p->space);
    free(p);
    return rv;
}
