/*
 * linux_user_internal.h - the emulated process shared by flash-run's Linux
 * emulation files: linux_user.c (loading, the initial stack, the run loop),
 * linux_syscall.c (the n64 system call table), linux_signal.c (signals and
 * their default actions) and linux_syscall_names.c. Private to node/.
 */
#ifndef DISCO_NODE_LINUX_USER_INTERNAL_H
#define DISCO_NODE_LINUX_USER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "elf_load.h"
#include "linux_user.h"
#include "uspace.h"

/* MIPS n64 system call numbers minus LINUX_SYSCALL_BASE (asm/unistd_n64.h). */
enum linux_nr {
    NR_read = 0,
    NR_write = 1,
    NR_open = 2,
    NR_close = 3,
    NR_stat = 4,
    NR_fstat = 5,
    NR_lstat = 6,
    NR_poll = 7,
    NR_lseek = 8,
    NR_mmap = 9,
    NR_mprotect = 10,
    NR_munmap = 11,
    NR_brk = 12,
    NR_rt_sigaction = 13,
    NR_rt_sigprocmask = 14,
    NR_ioctl = 15,
    NR_pread64 = 16,
    NR_pwrite64 = 17,
    NR_readv = 18,
    NR_writev = 19,
    NR_access = 20,
    NR_pipe = 21,
    NR_sched_yield = 23,
    NR_mremap = 24,
    NR_madvise = 27,
    NR_dup = 31,
    NR_dup2 = 32,
    NR_nanosleep = 34,
    NR_getitimer = 35,
    NR_setitimer = 36,
    NR_alarm = 37,
    NR_getpid = 38,
    NR_exit = 58,
    NR_uname = 61,
    NR_fcntl = 70,
    NR_fsync = 72,
    NR_fdatasync = 73,
    NR_truncate = 74,
    NR_ftruncate = 75,
    NR_getdents = 76,
    NR_getcwd = 77,
    NR_chdir = 78,
    NR_fchdir = 79,
    NR_rename = 80,
    NR_mkdir = 81,
    NR_rmdir = 82,
    NR_creat = 83,
    NR_link = 84,
    NR_unlink = 85,
    NR_symlink = 86,
    NR_readlink = 87,
    NR_chmod = 88,
    NR_fchmod = 89,
    NR_chown = 90,
    NR_umask = 93,
    NR_gettimeofday = 94,
    NR_getrlimit = 95,
    NR_getrusage = 96,
    NR_sysinfo = 97,
    NR_times = 98,
    NR_getuid = 100,
    NR_getgid = 102,
    NR_setuid = 103,
    NR_setgid = 104,
    NR_geteuid = 105,
    NR_getegid = 106,
    NR_setpgid = 107,
    NR_getppid = 108,
    NR_getpgrp = 109,
    NR_setsid = 110,
    NR_getgroups = 113,
    NR_sigaltstack = 129,
    NR_rt_sigreturn = 211,
    NR_rt_sigpending = 125,
    NR_rt_sigsuspend = 128,
    NR_sched_getaffinity = 196,
    NR_sched_setaffinity = 195,
    NR_setrlimit = 155,
    NR_gettid = 178,
    NR_tkill = 192,
    NR_futex = 194,
    NR_set_tid_address = 212,
    NR_getdents64 = 308,
    NR_clock_gettime = 222,
    NR_clock_getres = 223,
    NR_clock_nanosleep = 224,
    NR_exit_group = 205,
    NR_tgkill = 225,
    NR_set_thread_area = 242,
    NR_openat = 247,
    NR_mkdirat = 248,
    NR_unlinkat = 253,
    NR_renameat = 254,
    NR_readlinkat = 257,
    NR_fchmodat = 258,
    NR_faccessat = 259,
    NR_newfstatat = 252,
    NR_pselect6 = 260,
    NR_ppoll = 261,
    NR_set_robust_list = 268,
    NR_get_robust_list = 269,
    NR_utimensat = 275,
    NR_pipe2 = 287,
    NR_dup3 = 286,
    NR_prlimit64 = 297,
    NR_getrandom = 313,
    NR_statx = 326,
    NR_rseq = 327,
    NR_faccessat2 = 439,
    NR_getpgid = 119,
    NR_kill = 60,
    NR_sched_getparam = 140,
    NR_sched_getscheduler = 142,
    NR_fstatfs = 135,
    NR_statfs = 134,
    NR_prctl = 153,
    NR_getcpu = 271,
    NR_rt_sigtimedwait = 126,
    NR_mlock = 146,
    NR_munlock = 147,
    NR_msync = 25,
    NR_mincore = 26,
    NR_sysmips = 199,
    NR_cacheflush = 197,
    NR_close_range = 436,
    LINUX_NR_COUNT = 460,
};

#define LINUX_NSIG 128 /* MIPS has 128 signals; sigset_t is two 64-bit words */

/* Signal numbers of Linux/MIPS (they differ from the host's). */
enum {
    MIPS_SIGHUP = 1,
    MIPS_SIGINT = 2,
    MIPS_SIGQUIT = 3,
    MIPS_SIGILL = 4,
    MIPS_SIGTRAP = 5,
    MIPS_SIGABRT = 6,
    MIPS_SIGEMT = 7,
    MIPS_SIGFPE = 8,
    MIPS_SIGKILL = 9,
    MIPS_SIGBUS = 10,
    MIPS_SIGSEGV = 11,
    MIPS_SIGSYS = 12,
    MIPS_SIGPIPE = 13,
    MIPS_SIGALRM = 14,
    MIPS_SIGTERM = 15,
    MIPS_SIGUSR1 = 16,
    MIPS_SIGUSR2 = 17,
    MIPS_SIGCHLD = 18,
    MIPS_SIGPWR = 19,
    MIPS_SIGWINCH = 20,
    MIPS_SIGURG = 21,
    MIPS_SIGIO = 22,
    MIPS_SIGSTOP = 23,
    MIPS_SIGTSTP = 24,
    MIPS_SIGCONT = 25,
    MIPS_SIGTTIN = 26,
    MIPS_SIGTTOU = 27,
    MIPS_SIGVTALRM = 28,
    MIPS_SIGPROF = 29,
    MIPS_SIGXCPU = 30,
    MIPS_SIGXFSZ = 31,
};

/* Special handler values of struct sigaction. */
#define GUEST_SIG_DFL 0
#define GUEST_SIG_IGN 1

struct guest_sigaction {
    uint64_t handler;
    uint32_t flags;
    uint64_t mask[2];
};

struct linux_process {
    struct cpu *cpu;
    struct uspace *space;
    bool big_endian;
    const struct linux_user_options *options;
    struct elf_info elf;
    char exe_path[4096]; /* absolute host path, for /proc/self/exe */

    uint64_t clear_child_tid;
    uint64_t sigmask[2];
    uint64_t pending[2]; /* signals sent to itself while blocked */
    struct guest_sigaction sigaction[LINUX_NSIG + 1];
    uint64_t sigaltstack_sp, sigaltstack_size;
    uint32_t sigaltstack_flags;

    bool exited;
    struct linux_user_result *result;
    uint8_t warned[LINUX_NR_COUNT]; /* unsupported-syscall warning already given */
};

/* Guest-order integer access on a host buffer holding guest bytes. */
uint64_t guest_get(const struct linux_process *p, const uint8_t *buf, unsigned size);
void guest_put(const struct linux_process *p, uint8_t *buf, unsigned size, uint64_t value);
/* Reads/writes one guest integer in guest memory; 0 or -EFAULT (MIPS errno). */
int64_t guest_load(struct linux_process *p, uint64_t vaddr, unsigned size, uint64_t *value);
int64_t guest_store(struct linux_process *p, uint64_t vaddr, unsigned size, uint64_t value);

/* Host errno -> MIPS Linux errno (the numbers above 34 differ). */
int linux_errno(int host_errno);
#define MIPS_EFAULT       14
#define MIPS_EINVAL       22
#define MIPS_ENOMEM       12
#define MIPS_EBADF        9
#define MIPS_ENOTTY       25
#define MIPS_ENOENT       2
#define MIPS_EPERM        1
#define MIPS_ESRCH        3
#define MIPS_EAGAIN       11
#define MIPS_ERANGE       34
#define MIPS_EACCES       13
#define MIPS_ENOSYS       89
#define MIPS_ENAMETOOLONG 78

/* A handler's result meaning "registers already set, write no result" (rt_sigreturn). */
#define LINUX_SYSCALL_NORETURN INT64_MIN

/*
 * Executes the system call in v0 with arguments a0-a5 and writes the result
 * (v0, a3 error flag) back. The caller advances the PC first.
 */
void linux_syscall(struct linux_process *p);

/* Signals (linux_signal.c). */
int64_t linux_sys_rt_sigaction(struct linux_process *p, const uint64_t *a);
int64_t linux_sys_rt_sigprocmask(struct linux_process *p, const uint64_t *a);
int64_t linux_sys_sigaltstack(struct linux_process *p, const uint64_t *a);
int64_t linux_sys_rt_sigreturn(struct linux_process *p, const uint64_t *a);
int64_t linux_sys_rt_sigpending(struct linux_process *p, const uint64_t *a);
/* kill/tgkill/tkill aimed at the process itself: queues sig (0 just probes). */
int64_t linux_sys_kill_self(struct linux_process *p, int sig);
/* Delivers signals queued during a syscall, once its result is in place. */
void linux_signal_after_syscall(struct linux_process *p);
/*
 * Delivers signal sig (a MIPS number) raised by an exception at the
 * current pc or by kill/tgkill: runs the guest handler if one is installed,
 * otherwise applies the default action (which may end the process).
 */
void linux_signal_deliver(struct linux_process *p, int sig, int code, uint64_t addr);

#endif
