/*
 * linux_signal.c - Linux/MIPS signals for flash-run: the dispositions set by
 * rt_sigaction, the blocked mask, signals a process sends itself (raise,
 * abort), the default actions, and delivery to guest handlers through an n64
 * rt_sigframe (siginfo + ucontext on the user stack) with a sigreturn
 * trampoline in a small executable page, as the kernel's vDSO provides.
 */
#include <signal.h>
#include <string.h>

#include "cpu_internal.h"
#include "linux_user_internal.h"

/* Guest flags of struct sigaction (asm/signal.h, MIPS values). */
#define SA_SIGINFO_MIPS   0x00000008u
#define SA_ONSTACK_MIPS   0x08000000u
#define SA_NODEFER_MIPS   0x40000000u
#define SA_RESETHAND_MIPS 0x80000000u
#define SS_ONSTACK_MIPS   1
#define SS_DISABLE_MIPS   2

/* Layout of the n64 rt_sigframe (arch/mips/kernel/signal.c). */
#define FRAME_INFO      24  /* after rs_ass[4] and rs_pad[2] */
#define FRAME_UC        152 /* siginfo is 128 bytes */
#define UC_STACK        16
#define UC_MCONTEXT     40
#define SC_FPREGS       256
#define SC_MDHI         512
#define SC_MDLO         544
#define SC_PC           576
#define SC_FPC_CSR      584
#define SC_USED_MATH    588
#define UC_SIGMASK      (UC_MCONTEXT + 600)
#define FRAME_BYTES     (FRAME_UC + UC_SIGMASK + 16)
#define TRAMPOLINE_ADDR 0xfffff80000ull /* our stand-in for the vDSO's sigreturn code */

static bool sig_in(const uint64_t set[2], int sig)
{
    return (set[(sig - 1) / 64] >> ((sig - 1) % 64)) & 1;
}

static void sig_add(uint64_t set[2], int sig)
{
    set[(sig - 1) / 64] |= 1ull << ((sig - 1) % 64);
}

static void sig_del(uint64_t set[2], int sig)
{
    set[(sig - 1) / 64] &= ~(1ull << ((sig - 1) % 64));
}

int linux_host_signal(int sig)
{
    static const int host[] = {
        [MIPS_SIGHUP] = SIGHUP,       [MIPS_SIGINT] = SIGINT,     [MIPS_SIGQUIT] = SIGQUIT,
        [MIPS_SIGILL] = SIGILL,       [MIPS_SIGTRAP] = SIGTRAP,   [MIPS_SIGABRT] = SIGABRT,
        [MIPS_SIGEMT] = SIGSYS,       [MIPS_SIGFPE] = SIGFPE,     [MIPS_SIGKILL] = SIGKILL,
        [MIPS_SIGBUS] = SIGBUS,       [MIPS_SIGSEGV] = SIGSEGV,   [MIPS_SIGSYS] = SIGSYS,
        [MIPS_SIGPIPE] = SIGPIPE,     [MIPS_SIGALRM] = SIGALRM,   [MIPS_SIGTERM] = SIGTERM,
        [MIPS_SIGUSR1] = SIGUSR1,     [MIPS_SIGUSR2] = SIGUSR2,   [MIPS_SIGCHLD] = SIGCHLD,
        [MIPS_SIGPWR] = SIGPWR,       [MIPS_SIGWINCH] = SIGWINCH, [MIPS_SIGURG] = SIGURG,
        [MIPS_SIGIO] = SIGIO,         [MIPS_SIGSTOP] = SIGSTOP,   [MIPS_SIGTSTP] = SIGTSTP,
        [MIPS_SIGCONT] = SIGCONT,     [MIPS_SIGTTIN] = SIGTTIN,   [MIPS_SIGTTOU] = SIGTTOU,
        [MIPS_SIGVTALRM] = SIGVTALRM, [MIPS_SIGPROF] = SIGPROF,   [MIPS_SIGXCPU] = SIGXCPU,
        [MIPS_SIGXFSZ] = SIGXFSZ,
    };
    if (sig > 0 && sig < (int)(sizeof(host) / sizeof(host[0])))
        return host[sig];
    return 0;
}

enum default_action { ACT_TERM, ACT_CORE, ACT_IGNORE };

static enum default_action default_action(int sig)
{
    switch (sig) {
    case MIPS_SIGQUIT:
    case MIPS_SIGILL:
    case MIPS_SIGTRAP:
    case MIPS_SIGABRT:
    case MIPS_SIGEMT:
    case MIPS_SIGFPE:
    case MIPS_SIGBUS:
    case MIPS_SIGSEGV:
    case MIPS_SIGSYS:
    case MIPS_SIGXCPU:
    case MIPS_SIGXFSZ: return ACT_CORE;
    case MIPS_SIGCHLD:
    case MIPS_SIGURG:
    case MIPS_SIGWINCH:
    case MIPS_SIGCONT:
    case MIPS_SIGSTOP:
    case MIPS_SIGTSTP:
    case MIPS_SIGTTIN:
    case MIPS_SIGTTOU: return ACT_IGNORE; /* stopping is not emulated: a lone process would hang */
    default: return ACT_TERM;
    }
}

static void terminate(struct linux_process *p, int sig)
{
    p->exited = true;
    p->result->term_signal = sig;
    p->result->core_dumped = default_action(sig) == ACT_CORE;
}

int64_t linux_sys_rt_sigaction(struct linux_process *p, const uint64_t *a)
{
    int sig = (int)a[0];
    if (sig < 1 || sig > LINUX_NSIG || a[3] != 16)
        return -MIPS_EINVAL;
    uint8_t buf[32];
    if (a[2]) {
        struct guest_sigaction *old = &p->sigaction[sig];
        memset(buf, 0, sizeof(buf));
        guest_put(p, buf + 0, 4, old->flags);
        guest_put(p, buf + 8, 8, old->handler);
        guest_put(p, buf + 16, 8, old->mask[0]);
        guest_put(p, buf + 24, 8, old->mask[1]);
        if (uspace_copy_out(p->space, a[2], buf, sizeof(buf)) != 0)
            return -MIPS_EFAULT;
    }
    if (a[1]) {
        if (sig == MIPS_SIGKILL || sig == MIPS_SIGSTOP)
            return -MIPS_EINVAL;
        if (uspace_copy_in(p->space, buf, a[1], sizeof(buf)) != 0)
            return -MIPS_EFAULT;
        struct guest_sigaction *act = &p->sigaction[sig];
        act->flags = (uint32_t)guest_get(p, buf + 0, 4);
        act->handler = guest_get(p, buf + 8, 8);
        act->mask[0] = guest_get(p, buf + 16, 8);
        act->mask[1] = guest_get(p, buf + 24, 8);
    }
    return 0;
}

/* Delivers the lowest pending unblocked signal, as the kernel does on return to user. */
static void deliver_pending(struct linux_process *p)
{
    for (int sig = 1; sig <= LINUX_NSIG && !p->exited; sig++) {
        if (sig_in(p->pending, sig) && !sig_in(p->sigmask, sig)) {
            sig_del(p->pending, sig);
            linux_signal_deliver(p, sig, 0, 0);
        }
    }
}

static void set_mask(struct linux_process *p, const uint64_t mask[2])
{
    p->sigmask[0] = mask[0];
    p->sigmask[1] = mask[1];
    sig_del(p->sigmask, MIPS_SIGKILL); /* never blockable */
    sig_del(p->sigmask, MIPS_SIGSTOP);
}

int64_t linux_sys_rt_sigprocmask(struct linux_process *p, const uint64_t *a)
{
    if (a[3] != 16)
        return -MIPS_EINVAL;
    uint64_t old[2] = {p->sigmask[0], p->sigmask[1]};
    if (a[1]) {
        uint64_t set[2];
        if (guest_load(p, a[1], 8, &set[0]) || guest_load(p, a[1] + 8, 8, &set[1]))
            return -MIPS_EFAULT;
        uint64_t mask[2];
        for (int i = 0; i < 2; i++) {
            switch (a[0]) {
            case 1: mask[i] = old[i] | set[i]; break;  /* SIG_BLOCK */
            case 2: mask[i] = old[i] & ~set[i]; break; /* SIG_UNBLOCK */
            case 3: mask[i] = set[i]; break;           /* SIG_SETMASK */
            default: return -MIPS_EINVAL;
            }
        }
        set_mask(p, mask);
    }
    if (a[2] && (guest_store(p, a[2], 8, old[0]) || guest_store(p, a[2] + 8, 8, old[1])))
        return -MIPS_EFAULT;
    return 0;
}

int64_t linux_sys_sigaltstack(struct linux_process *p, const uint64_t *a)
{
    uint8_t buf[24];
    if (a[1]) {
        memset(buf, 0, sizeof(buf));
        guest_put(p, buf + 0, 8, p->sigaltstack_sp);
        guest_put(p, buf + 8, 8, p->sigaltstack_size);
        guest_put(p, buf + 16, 4, p->sigaltstack_size ? 0 : SS_DISABLE_MIPS);
        if (uspace_copy_out(p->space, a[1], buf, sizeof(buf)) != 0)
            return -MIPS_EFAULT;
    }
    if (a[0]) {
        if (uspace_copy_in(p->space, buf, a[0], sizeof(buf)) != 0)
            return -MIPS_EFAULT;
        uint32_t flags = (uint32_t)guest_get(p, buf + 16, 4);
        if (flags & SS_DISABLE_MIPS) {
            p->sigaltstack_sp = p->sigaltstack_size = 0;
        } else {
            uint64_t size = guest_get(p, buf + 8, 8);
            if (size < 2048) /* MINSIGSTKSZ */
                return -12;  /* ENOMEM, as the kernel answers */
            p->sigaltstack_sp = guest_get(p, buf + 0, 8);
            p->sigaltstack_size = size;
        }
    }
    return 0;
}

int64_t linux_sys_rt_sigpending(struct linux_process *p, const uint64_t *a)
{
    if (a[1] != 16)
        return -MIPS_EINVAL;
    uint64_t blocked[2] = {p->pending[0] & p->sigmask[0], p->pending[1] & p->sigmask[1]};
    if (guest_store(p, a[0], 8, blocked[0]) || guest_store(p, a[0] + 8, 8, blocked[1]))
        return -MIPS_EFAULT;
    return 0;
}

int64_t linux_sys_kill_self(struct linux_process *p, int sig)
{
    if (sig == 0)
        return 0;
    if (sig < 0 || sig > LINUX_NSIG)
        return -MIPS_EINVAL;
    sig_add(p->pending, sig);
    return 0;
}

void linux_signal_after_syscall(struct linux_process *p)
{
    if (p->pending[0] || p->pending[1])
        deliver_pending(p);
}

/* The sigreturn code: li v0, 5211 (rt_sigreturn); syscall. */
static int map_trampoline(struct linux_process *p)
{
    if (uspace_page_prot(p->space, TRAMPOLINE_ADDR) >= 0)
        return 0;
    uint8_t code[8];
    guest_put(p, code, 4, 0x24020000u | (LINUX_SYSCALL_BASE + NR_rt_sigreturn));
    guest_put(p, code + 4, 4, 0x0000000cu);
    if (uspace_map(p->space, TRAMPOLINE_ADDR, USPACE_PAGE_SIZE, USPACE_READ | USPACE_EXEC) ||
        uspace_write_force(p->space, TRAMPOLINE_ADDR, code, sizeof(code)))
        return -1;
    return 0;
}

static void fill_frame(struct linux_process *p, uint8_t *f, int sig, int code, uint64_t addr,
                       uint64_t pc)
{
    struct cpu *cpu = p->cpu;
    guest_put(p, f + FRAME_INFO + 0, 4, (uint32_t)sig);
    guest_put(p, f + FRAME_INFO + 4, 4, (uint32_t)code);
    guest_put(p, f + FRAME_INFO + 16, 8, addr);
    uint8_t *uc = f + FRAME_UC;
    guest_put(p, uc + UC_STACK + 0, 8, p->sigaltstack_sp);
    guest_put(p, uc + UC_STACK + 8, 8, p->sigaltstack_size);
    guest_put(p, uc + UC_STACK + 16, 4, p->sigaltstack_size ? 0 : SS_DISABLE_MIPS);
    uint8_t *sc = uc + UC_MCONTEXT;
    for (unsigned r = 0; r < 32; r++) {
        guest_put(p, sc + 8 * r, 8, cpu->gpr[r]);
        guest_put(p, sc + SC_FPREGS + 8 * r, 8, cpu->fpr[r]);
    }
    guest_put(p, sc + SC_MDHI, 8, cpu->hi);
    guest_put(p, sc + SC_MDLO, 8, cpu->lo);
    guest_put(p, sc + SC_PC, 8, pc);
    guest_put(p, sc + SC_FPC_CSR, 4, cpu->fcsr);
    guest_put(p, sc + SC_USED_MATH, 4, 1);
    guest_put(p, uc + UC_SIGMASK, 8, p->sigmask[0]);
    guest_put(p, uc + UC_SIGMASK + 8, 8, p->sigmask[1]);
}

/* Builds the frame and enters the handler; false if the stack is unusable. */
static bool enter_handler(struct linux_process *p, int sig, int code, uint64_t addr)
{
    struct guest_sigaction *act = &p->sigaction[sig];
    struct cpu *cpu = p->cpu;
    uint64_t sp = cpu->gpr[29];
    bool on_alt = sp - p->sigaltstack_sp < p->sigaltstack_size;
    if ((act->flags & SA_ONSTACK_MIPS) && p->sigaltstack_size && !on_alt)
        sp = p->sigaltstack_sp + p->sigaltstack_size;
    uint64_t frame = ((sp - 32) - FRAME_BYTES) & ~15ull; /* 32: the n64 red zone */
    uint8_t f[FRAME_BYTES];
    memset(f, 0, sizeof(f));
    fill_frame(p, f, sig, code, addr, cpu->pc);
    if (map_trampoline(p) != 0 || uspace_copy_out(p->space, frame, f, sizeof(f)) != 0)
        return false;
    uint64_t mask[2] = {p->sigmask[0] | act->mask[0], p->sigmask[1] | act->mask[1]};
    if (!(act->flags & SA_NODEFER_MIPS))
        sig_add(mask, sig);
    set_mask(p, mask);
    uint64_t handler = act->handler;
    if (act->flags & SA_RESETHAND_MIPS)
        act->handler = GUEST_SIG_DFL;
    cpu->gpr[4] = (uint64_t)sig;
    cpu->gpr[5] = frame + FRAME_INFO;
    cpu->gpr[6] = frame + FRAME_UC;
    cpu->gpr[29] = frame;
    cpu->gpr[31] = TRAMPOLINE_ADDR;
    cpu->gpr[25] = handler; /* PIC handlers compute $gp from t9 */
    cpu_set_pc(cpu, handler);
    return true;
}

int64_t linux_sys_rt_sigreturn(struct linux_process *p, const uint64_t *a)
{
    struct cpu *cpu = p->cpu;
    uint64_t frame = cpu->gpr[29];
    uint8_t f[FRAME_BYTES];
    if (uspace_copy_in(p->space, f, frame, sizeof(f)) != 0) {
        linux_signal_deliver(p, MIPS_SIGSEGV, 0, frame);
        return LINUX_SYSCALL_NORETURN;
    }
    const uint8_t *sc = f + FRAME_UC + UC_MCONTEXT;
    for (unsigned r = 1; r < 32; r++)
        cpu->gpr[r] = guest_get(p, sc + 8 * r, 8);
    for (unsigned r = 0; r < 32; r++)
        cpu->fpr[r] = guest_get(p, sc + SC_FPREGS + 8 * r, 8);
    cpu->hi = guest_get(p, sc + SC_MDHI, 8);
    cpu->lo = guest_get(p, sc + SC_MDLO, 8);
    cpu->fcsr = (uint32_t)guest_get(p, sc + SC_FPC_CSR, 4);
    uint64_t mask[2] = {guest_get(p, f + FRAME_UC + UC_SIGMASK, 8),
                        guest_get(p, f + FRAME_UC + UC_SIGMASK + 8, 8)};
    set_mask(p, mask);
    cpu_set_pc(cpu, guest_get(p, sc + SC_PC, 8));
    return LINUX_SYSCALL_NORETURN;
}

void linux_signal_deliver(struct linux_process *p, int sig, int code, uint64_t addr)
{
    struct guest_sigaction *act = &p->sigaction[sig];
    bool synchronous = code > 0; /* raised by the faulting instruction itself */
    if (synchronous && (sig_in(p->sigmask, sig) || act->handler == GUEST_SIG_IGN)) {
        /* force_sig_fault(): a blocked or ignored fault kills the process. */
        act->handler = GUEST_SIG_DFL;
    }
    if (!synchronous && sig_in(p->sigmask, sig)) {
        sig_add(p->pending, sig);
        return;
    }
    if (sig == MIPS_SIGKILL || act->handler == GUEST_SIG_DFL) {
        if (sig == MIPS_SIGKILL || default_action(sig) != ACT_IGNORE)
            terminate(p, sig);
        return;
    }
    if (act->handler == GUEST_SIG_IGN)
        return;
    if (!enter_handler(p, sig, code, addr))
        terminate(p, MIPS_SIGSEGV); /* the kernel's answer to an unusable signal stack */
}
