/*
 * flash_run_main.c - flash-run: runs one static MIPS64 Linux (n64) program on
 * one simulated CPU with Linux system-call emulation, like qemu-user, or with
 * --system a bare-metal program through sysrun. Standard streams and the exit
 * status pass through; a program killed by a signal kills flash-run with the
 * same signal, so a shell sees the same status as under qemu-user.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "disco_err.h"
#include "linux_user.h"
#include "sysrun.h"
#include "vm_boot.h"
#include "vmrun.h"

extern char **environ;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: flash-run [options] PROGRAM [ARGS...]\n"
            "  --cpu r10000|mips64r2  CPU model (default: from the ELF header: MIPS IV and\n"
            "                         older code runs on r10000, anything newer on mips64r2)\n"
            "  --stats                print instruction/cycle counts and speed on stderr\n"
            "  --max-insns N          stop after N instructions (exit status 124)\n"
            "  --system               run a bare-metal program in kernel mode (sysrun)\n"
            "  --trace-syscalls       log every system call on stderr\n"
            "  --vm                   run each KERNEL... as a Disco VM on one simulated node\n"
            "                         (docs/monitor.md); with --stats, per-VM statistics\n"
            "    --vcpus N            vCPUs per VM (default 1)\n"
            "    --pcpus N            physical CPUs (default: one per vCPU, at most 16)\n"
            "    --vm-mem MB          memory per VM in MiB (default 32)\n"
            "    --max-cycles N       end a VM after N simulated cycles (\"time limit\")\n"
            "    --no-l2tlb           run without the second-level software TLB\n"
            "    --initrd FILE        boot KERNEL as Linux (docs/linux.md) with this initramfs\n"
            "    --append \"CMDLINE\"   boot KERNEL as Linux with this kernel command line;\n"
            "                         repeated: the i-th applies to the i-th KERNEL, the last\n"
            "                         one to the KERNELs after it\n"
            "    --disk FILE          Linux: a virtio-mmio disk (guest writes stay in memory)\n"
            "    --net                Linux: every VM gets a virtio NIC on one virtual subnet\n"
            "                         (VM ids 1, 2, ...: MAC 02:44:00:00:00:ID, IP 10.0.0.ID)\n"
            "  --help\n");
}

#define MAX_APPENDS 64

struct run_args {
    struct linux_user_options options;
    bool stats, system, vm;
    struct vmrun_options vmo;
    const char *appends[MAX_APPENDS]; /* --append, in order */
};

/* A number in [min, max] for option name, or false after saying why not. */
static bool parse_number(const char *name, const char *text, uint64_t min, uint64_t max,
                         uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(text, &end, 0);
    if (*text == 0 || *text == '-' || *end != 0 || v < min || v > max) {
        fprintf(stderr, "flash-run: %s must be a number from %llu to %llu, not '%s'\n", name,
                (unsigned long long)min, (unsigned long long)max, text);
        return false;
    }
    *out = v;
    return true;
}

static int parse_model(const char *name, enum cpu_model *model)
{
    if (strcmp(name, "r10000") == 0)
        *model = CPU_MODEL_R10000;
    else if (strcmp(name, "mips64r2") == 0)
        *model = CPU_MODEL_MIPS64R2;
    else
        return -1;
    return 0;
}

/* Returns the index of PROGRAM in argv, or -1 after printing why not. */
static int parse_args(int argc, char **argv, struct run_args *args)
{
    enum {
        OPT_CPU = 1,
        OPT_STATS,
        OPT_MAX,
        OPT_SYSTEM,
        OPT_TRACE,
        OPT_HELP,
        OPT_VM,
        OPT_VCPUS,
        OPT_PCPUS,
        OPT_VM_MEM,
        OPT_MAX_CYCLES,
        OPT_NO_L2TLB,
        OPT_INITRD,
        OPT_APPEND,
        OPT_DISK,
        OPT_NET,
    };
    static const struct option longopts[] = {
        {"cpu", required_argument, NULL, OPT_CPU},
        {"stats", no_argument, NULL, OPT_STATS},
        {"max-insns", required_argument, NULL, OPT_MAX},
        {"system", no_argument, NULL, OPT_SYSTEM},
        {"trace-syscalls", no_argument, NULL, OPT_TRACE},
        {"help", no_argument, NULL, OPT_HELP},
        {"vm", no_argument, NULL, OPT_VM},
        {"vcpus", required_argument, NULL, OPT_VCPUS},
        {"pcpus", required_argument, NULL, OPT_PCPUS},
        {"vm-mem", required_argument, NULL, OPT_VM_MEM},
        {"max-cycles", required_argument, NULL, OPT_MAX_CYCLES},
        {"no-l2tlb", no_argument, NULL, OPT_NO_L2TLB},
        {"initrd", required_argument, NULL, OPT_INITRD},
        {"append", required_argument, NULL, OPT_APPEND},
        {"disk", required_argument, NULL, OPT_DISK},
        {"net", no_argument, NULL, OPT_NET},
        {NULL, 0, NULL, 0},
    };
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_CPU:
            if (parse_model(optarg, &args->options.model) != 0) {
                fprintf(stderr, "flash-run: unknown CPU model '%s' (r10000, mips64r2)\n", optarg);
                return -1;
            }
            args->options.model_given = true;
            break;
        case OPT_STATS: args->stats = true; break;
        case OPT_MAX:
            args->options.max_instructions = strtoull(optarg, &end, 0);
            if (*optarg == 0 || *end != 0) {
                fprintf(stderr, "flash-run: bad --max-insns '%s'\n", optarg);
                return -1;
            }
            break;
        case OPT_SYSTEM: args->system = true; break;
        case OPT_TRACE: args->options.trace_syscalls = true; break;
        case OPT_HELP: usage(stdout); exit(0);
        case OPT_VM: args->vm = true; break;
        case OPT_NO_L2TLB: args->vmo.no_l2tlb = true; break;
        case OPT_INITRD: /* issue 7: a Linux VM */
            args->vmo.initrd = optarg;
            args->vmo.linux_boot = true;
            break;
        case OPT_APPEND:
            if (args->vmo.nappend == MAX_APPENDS) {
                fprintf(stderr, "flash-run: at most %d --append options\n", MAX_APPENDS);
                return -1;
            }
            if (args->vmo.nappend == 0)
                args->vmo.append = optarg; /* the bare run and a single VM use the first */
            args->appends[args->vmo.nappend++] = optarg;
            args->vmo.appends = args->appends;
            args->vmo.linux_boot = true;
            break;
        case OPT_NET: args->vmo.net = 1; break;
        case OPT_DISK:
            args->vmo.disk = optarg;
            args->vmo.linux_boot = true;
            break;
        case OPT_VCPUS:
        case OPT_PCPUS:
        case OPT_VM_MEM:
        case OPT_MAX_CYCLES: {
            uint64_t v;
            const char *name = c == OPT_VCPUS    ? "--vcpus"
                               : c == OPT_PCPUS  ? "--pcpus"
                               : c == OPT_VM_MEM ? "--vm-mem"
                                                 : "--max-cycles";
            uint64_t max = c == OPT_VCPUS    ? 256
                           : c == OPT_PCPUS  ? 64
                           : c == OPT_VM_MEM ? 65536
                                             : UINT64_MAX;
            if (!parse_number(name, optarg, 1, max, &v))
                return -1;
            if (c == OPT_VCPUS)
                args->vmo.vcpus = (uint32_t)v;
            else if (c == OPT_PCPUS)
                args->vmo.pcpus = (uint32_t)v;
            else if (c == OPT_VM_MEM)
                args->vmo.memory_bytes = v << 20;
            else
                args->vmo.max_cycles = v;
            break;
        }
        default: usage(stderr); return -1;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return -1;
    }
    return optind;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) * 1e-9;
}

static void print_stats(uint64_t instructions, uint64_t cycles, double seconds)
{
    fprintf(stderr, "flash-run: instructions=%llu cycles=%llu host_seconds=%.3f mips=%.1f\n",
            (unsigned long long)instructions, (unsigned long long)cycles, seconds,
            seconds > 0 ? (double)instructions / seconds / 1e6 : 0.0);
}

/* Dies of host signal sig the way qemu-user does: no core file, default action. */
static void die_by_signal(int sig)
{
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    fflush(NULL);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    exit(128 + sig); /* a signal whose default is to continue */
}

static int run_linux(const struct run_args *args, int argc, char **argv)
{
    struct linux_user_result result;
    char err[512];
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int rv =
        linux_user_run(argv[0], argc, argv, environ, &args->options, &result, err, sizeof(err));
    if (rv != 0) {
        fprintf(stderr, "flash-run: %s: %s\n", argv[0], err[0] ? err : disco_strerror(rv));
        return rv == DISCO_ENOENT || rv == DISCO_EIO ? 127 : 126;
    }
    if (args->stats)
        print_stats(result.instructions, result.cycles, seconds_since(&start));
    if (result.limit_hit) {
        fprintf(stderr, "flash-run: instruction limit reached\n");
        return 124;
    }
    if (result.term_signal) {
        int host = linux_host_signal(result.term_signal);
        /* qemu-user's one line for a signal whose default action dumps core. */
        if (result.core_dumped)
            fprintf(stderr, "flash-run: uncaught target signal %d (%s) - core dumped\n",
                    result.term_signal, strsignal(host));
        die_by_signal(host ? host : SIGKILL);
    }
    return result.exit_status;
}

int main(int argc, char **argv)
{
    struct run_args args = {0};
    int first = parse_args(argc, argv, &args);
    if (first < 0)
        return 2;
    if (args.vm) {
        args.vmo.stats = args.stats;
        args.vmo.out = stdout;
        args.vmo.stats_out = stderr;
        return vmrun_kernels((const char *const *)argv + first, (size_t)(argc - first), &args.vmo);
    }
    if (args.system && args.vmo.linux_boot) { /* issue 7: Linux bare (docs/linux.md) */
        struct vm_boot_bare_options bo = {.memory_bytes = args.vmo.memory_bytes,
                                          .initrd = args.vmo.initrd,
                                          .cmdline = args.vmo.append,
                                          .disk = args.vmo.disk,
                                          .max_cycles = args.vmo.max_cycles,
                                          .stats = args.stats};
        return vm_boot_bare_run(argv[first], &bo);
    }
    if (args.system) {
        struct sysrun_options so = {
            .model = args.options.model_given ? args.options.model : CPU_MODEL_R10000,
            .ram_bytes = 64ull << 20,
            .max_instructions = args.options.max_instructions,
        };
        struct sysrun_result result = {0};
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        int status = sysrun_program(argv[first], &so, &result);
        if (args.stats)
            print_stats(result.instructions, result.cycles, seconds_since(&start));
        return status < 0 ? 1 : status;
    }
    fflush(stdout);
    return run_linux(&args, argc - first, argv + first);
}
