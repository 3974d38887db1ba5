/*
 * linux_user.h - Linux user-mode emulation for flash-run, in the style of
 * qemu-user: loads a static MIPS n64 executable into a fresh user address
 * space, builds the initial stack as the kernel does, runs it on one
 * simulated CPU and emulates the system calls and signals it makes.
 * Called by flash-run's main(); the CPU and uspace are owned by the run.
 */
#ifndef DISCO_NODE_LINUX_USER_H
#define DISCO_NODE_LINUX_USER_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu.h"

#define LINUX_SYSCALL_BASE 5000 /* n64 syscall numbers start here */

struct linux_user_options {
    bool model_given;          /* else chosen from the ELF header's EF_MIPS_ARCH */
    enum cpu_model model;      /* when model_given */
    uint64_t max_instructions; /* 0: no limit */
    bool trace_syscalls;       /* one line per syscall on stderr */
};

/* How the emulated process ended. */
struct linux_user_result {
    int exit_status;  /* exit()/exit_group() status, 0-255 */
    int term_signal;  /* nonzero: killed by this Linux signal number */
    bool core_dumped; /* the signal's default action dumps core */
    bool limit_hit;   /* stopped by max_instructions */
    uint64_t instructions, cycles;
};

/*
 * Runs path with argv[0..argc-1] (argv[0] is what the program sees as its
 * name) and envp (NULL-terminated). Returns 0 with *result filled once the
 * program ran, or a DISCO_E* code with a message in errbuf when it could not
 * start (missing file, not a MIPS n64 executable...).
 */
int linux_user_run(const char *path, int argc, char **argv, char **envp,
                   const struct linux_user_options *options, struct linux_user_result *result,
                   char *errbuf, unsigned errlen) __attribute__((warn_unused_result));

/* The host signal with the same meaning as Linux/MIPS signal sig (0 if none). */
int linux_host_signal(int sig);

/* The n64 name of a syscall number ("?" if unknown). */
const char *linux_syscall_name(uint64_t number);

#endif
