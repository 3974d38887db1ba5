/*
 * vmrun.c - Disco VMs on one simulated node in one process (vmrun.h): builds
 * the physical CPUs and one memory bank on a plain bus, hands the CPUs to the
 * monitor, creates one VM per kernel, runs the CPUs in lock-step quanta of
 * simulated time until every VM has ended, and prints consoles and
 * statistics. Driven by `flash-run --vm`.
 */
#include "vmrun.h"

#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>
#include <time.h>

#include "bus.h"
#include "cpu.h"
#include "disco_err.h"
#include "elf_load.h"
#include "monitor.h"
#include "monitor_internal.h"
#include "xalloc.h"

#define VMRUN_QUANTUM       10000u /* cycles the CPUs may drift apart */
#define VMRUN_SLICE         4000u  /* instructions per monitor_pcpu_run call */
#define VMRUN_MAX_PCPUS     16u
#define VMRUN_DEFAULT_MEM   (32ull << 20)
#define VMRUN_LINUX_MEM     (128ull << 20) /* issue 7: a Linux VM's default */
#define VMRUN_IDLE_INPUT_MS 20 /* host ms idle VMs wait for console input before skipping ahead */
#define IO_HOLE_BASE        0x1fc00000ull
#define IO_HOLE_LIMIT       0x20000000ull

struct vmrun {
    const struct vmrun_options *o;
    uint8_t *bank;
    uint64_t bank_bytes;
    struct monitor *mon;
    uint32_t npcpu;
    struct cpu **cpu;
    struct bus **bus;
    struct monitor_pcpu **pcpu;
    size_t nvm;
    struct vm **vm;
    struct line {
        uint8_t *buf;
        size_t len, cap;
    } * line; /* per VM: the console line being assembled */
    bool *done;
    uint8_t *initrd; /* issue 7: the Linux VMs' initramfs */
    size_t initrd_len;
    bool stdin_open; /* console input from stdin (Linux VMs) */
};

static uint8_t *machine_page(void *opaque, uint64_t machine)
{
    struct vmrun *r = opaque;
    return machine + 4096 <= r->bank_bytes ? r->bank + machine : NULL;
}

static int no_segment(void *opaque, uint64_t vaddr, uint64_t paddr, const uint8_t *data,
                      uint64_t filesz, uint64_t memsz, unsigned prot)
{
    (void)opaque, (void)vaddr, (void)paddr, (void)data, (void)filesz, (void)memsz, (void)prot;
    return 0;
}

/*
 * Console bytes of VM i. With several VMs each complete line goes out with a
 * "vmI: " prefix (partial lines wait, so VMs never interleave within a line);
 * at the end (final) a partial line is flushed too.
 */
static void drain_console(struct vmrun *r, size_t i, bool final)
{
    uint8_t buf[4096];
    size_t n;
    struct line *l = &r->line[i];
    while ((n = monitor_vm_console_take(r->vm[i], buf, sizeof buf)) > 0) {
        if (r->nvm == 1) {
            fwrite(buf, 1, n, r->o->out);
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            if (l->len == l->cap) {
                l->cap = l->cap ? l->cap * 2 : 256;
                l->buf = xrealloc(l->buf, l->cap);
            }
            l->buf[l->len++] = buf[k];
            if (buf[k] == '\n') {
                fprintf(r->o->out, "vm%zu: %.*s", i, (int)l->len, (const char *)l->buf);
                l->len = 0;
            }
        }
    }
    if (final && l->len > 0) {
        fprintf(r->o->out, "vm%zu: %.*s\n", i, (int)l->len, (const char *)l->buf);
        l->len = 0;
    }
}

/* Every VM's console so far, out now: a pipe's reader watches the consoles live. */
static void drain_consoles(struct vmrun *r)
{
    for (size_t i = 0; i < r->nvm; i++)
        drain_console(r, i, false);
    fflush(r->o->out);
}

static void print_stats(struct vmrun *r, size_t i, double host_seconds)
{
    FILE *f = r->o->stats_out;
    const struct vm_stats *s = monitor_vm_stats(r->vm[i]);
    struct vm_status st;
    monitor_vm_status(r->vm[i], &st);
    uint64_t total = s->kernel_cycles + s->user_cycles + s->monitor_cycles;
    uint64_t lookups = s->l2tlb_hits + s->l2tlb_misses;
    fprintf(f,
            "vm%zu: instructions=%llu cycles=%llu end_cycle=%llu kernel_cycles=%llu "
            "user_cycles=%llu monitor_cycles=%llu idle_cycles=%llu\n",
            i, (unsigned long long)s->instructions, (unsigned long long)total,
            (unsigned long long)st.end_cycle, (unsigned long long)s->kernel_cycles,
            (unsigned long long)s->user_cycles, (unsigned long long)s->monitor_cycles,
            (unsigned long long)s->idle_cycles);
    fprintf(f,
            "vm%zu: traps=%llu privops=%llu tlb_misses=%llu l2tlb_hits=%llu l2tlb_hit_ratio=%.3f "
            "reflected=%llu interrupts=%llu monitor_calls=%llu pages=%llu host_monitor_ms=%.1f "
            "host_seconds=%.3f\n",
            i, (unsigned long long)s->traps, (unsigned long long)s->privops,
            (unsigned long long)s->tlb_misses, (unsigned long long)s->l2tlb_hits,
            lookups ? (double)s->l2tlb_hits / (double)lookups : 0.0,
            (unsigned long long)s->reflected, (unsigned long long)s->interrupts,
            (unsigned long long)s->monitor_calls, (unsigned long long)s->pages,
            (double)s->host_monitor_ns / 1e6, host_seconds);
    if (r->o->net)
        fprintf(f,
                "vm%zu: net_tx_frames=%llu net_tx_bytes=%llu net_rx_frames=%llu "
                "net_rx_bytes=%llu net_dropped=%llu\n",
                i, (unsigned long long)s->net_tx_frames, (unsigned long long)s->net_tx_bytes,
                (unsigned long long)s->net_rx_frames, (unsigned long long)s->net_rx_bytes,
                (unsigned long long)s->net_dropped);
    fprintf(f, "vm%zu: monitor_cycles_by_action", i);
    for (unsigned a = 0; a < COST_ACTION_COUNT; a++)
        if (s->action_count[a])
            fprintf(f, " %s=%llu/%llu", costs_name((enum monitor_action)a),
                    (unsigned long long)s->action_cycles[a],
                    (unsigned long long)s->action_count[a]);
    fputc('\n', f);
}

static int setup(struct vmrun *r, const char *const *kernels, size_t n, uint8_t **images,
                 size_t *lens)
{
    const struct vmrun_options *o = r->o;
    struct elf_info info;
    char err[256];
    for (size_t i = 0; i < n; i++) {
        images[i] = monitor_read_file(kernels[i], &lens[i]);
        if (!images[i]) {
            fprintf(stderr, "flash-run: %s: cannot read the kernel\n", kernels[i]);
            return 127;
        }
    }
    if (elf_load_mem(images[0], lens[0], no_segment, NULL, &info, err, sizeof err) != 0) {
        fprintf(stderr, "flash-run: %s: %s\n", kernels[0], err);
        return 126;
    }
    enum cpu_model model =
        elf_arch_is_mips4_or_older(&info) ? CPU_MODEL_R10000 : CPU_MODEL_MIPS64R2;
    uint64_t mem = o->memory_bytes ? o->memory_bytes
                   : o->linux_boot ? VMRUN_LINUX_MEM
                                   : VMRUN_DEFAULT_MEM;
    if (o->initrd && !(r->initrd = monitor_read_file(o->initrd, &r->initrd_len))) {
        fprintf(stderr, "flash-run: %s: cannot read the initramfs\n", o->initrd);
        return 127;
    }
    r->stdin_open = o->linux_boot;
    uint32_t vcpus = o->vcpus ? o->vcpus : 1;
    /* One bank holds every VM's memory, plus the I/O hole it must skip. */
    r->bank_bytes = (uint64_t)n * mem + (16ull << 20);
    if (r->bank_bytes > IO_HOLE_BASE)
        r->bank_bytes += IO_HOLE_LIMIT - IO_HOLE_BASE;
    r->bank_bytes = (r->bank_bytes + 0xfffff) & ~0xfffffull;
    r->bank = mmap(NULL, r->bank_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r->bank == MAP_FAILED) {
        r->bank = NULL;
        fprintf(stderr, "flash-run: cannot reserve %llu MB of machine memory\n",
                (unsigned long long)(r->bank_bytes >> 20));
        return 1;
    }
    struct monitor_host host = {.model = model,
                                .big_endian = info.big_endian,
                                .first_node = 0,
                                .node_count = 1,
                                .bank_bytes = r->bank_bytes,
                                .machine_page = machine_page,
                                .opaque = r};
    r->mon = monitor_create(&host);
    uint64_t want = (uint64_t)n * vcpus;
    r->npcpu = o->pcpus ? o->pcpus : (uint32_t)(want < VMRUN_MAX_PCPUS ? want : VMRUN_MAX_PCPUS);
    r->cpu = xcalloc(r->npcpu, sizeof *r->cpu);
    r->bus = xcalloc(r->npcpu, sizeof *r->bus);
    r->pcpu = xcalloc(r->npcpu, sizeof *r->pcpu);
    for (uint32_t i = 0; i < r->npcpu; i++) {
        struct cpu_config cc = {.model = model, .big_endian = info.big_endian, .cpu_number = i};
        r->cpu[i] = cpu_create(&cc);
        r->bus[i] = bus_create();
        uint64_t low = r->bank_bytes < IO_HOLE_BASE ? r->bank_bytes : IO_HOLE_BASE;
        bus_add_ram(r->bus[i], 0, low, r->bank);
        if (r->bank_bytes > IO_HOLE_LIMIT)
            bus_add_ram(r->bus[i], IO_HOLE_LIMIT, r->bank_bytes - IO_HOLE_LIMIT,
                        r->bank + IO_HOLE_LIMIT);
        cpu_attach_bus(r->cpu[i], r->bus[i]);
        r->pcpu[i] = monitor_add_pcpu(r->mon, r->cpu[i], r->bus[i], 0);
        if (!r->pcpu[i]) {
            fprintf(stderr, "flash-run: cannot map the monitor's devices\n");
            return 1;
        }
    }
    r->nvm = n;
    r->vm = xcalloc(n, sizeof *r->vm);
    r->line = xcalloc(n, sizeof *r->line);
    r->done = xcalloc(n, sizeof *r->done);
    struct monitor_pcpu **place = xcalloc(vcpus, sizeof *place);
    for (size_t i = 0; i < n; i++) {
        for (uint32_t j = 0; j < vcpus; j++)
            place[j] = r->pcpu[(i * vcpus + j) % r->npcpu];
        char name[32];
        snprintf(name, sizeof name, "vm%zu", i);
        /* Ids from 1: the VM's MAC and IP address derive from it (vnet.h, docs/linux.md). */
        const char *cmdline = o->append;
        if (o->nappend > 0)
            cmdline = o->appends[i < o->nappend ? i : o->nappend - 1];
        struct vm_spec spec = {.id = (uint32_t)i + 1,
                               .name = name,
                               .elf = images[i],
                               .elf_len = lens[i],
                               .memory_bytes = mem,
                               .vcpus = vcpus,
                               .pcpu = place,
                               .max_cycles = o->max_cycles,
                               .no_l2tlb = o->no_l2tlb,
                               .linux_boot = o->linux_boot,
                               .initrd = r->initrd,
                               .initrd_len = r->initrd_len,
                               .cmdline = cmdline,
                               .disk_image = o->disk,
                               .net = o->linux_boot ? o->net : 0};
        int rv = monitor_vm_create(r->mon, &spec, &r->vm[i], err, sizeof err);
        if (rv != 0) {
            fprintf(stderr, "flash-run: %s: %s\n", kernels[i], err);
            free(place);
            return 126;
        }
    }
    free(place);
    return 0;
}

/*
 * Console input of Linux VMs (issue 7): whatever stdin has ready, waiting
 * up to wait_ms for it, goes to every VM's console queue. Returns true if
 * bytes arrived.
 */
static bool read_stdin(struct vmrun *r, int wait_ms)
{
    struct pollfd pfd = {.fd = 0, .events = POLLIN};
    if (poll(&pfd, 1, wait_ms) <= 0 || !(pfd.revents & (POLLIN | POLLHUP)))
        return false;
    uint8_t buf[512];
    ssize_t n = read(0, buf, sizeof buf);
    if (n <= 0) {
        r->stdin_open = false; /* end of input: the guest sees no more */
        return false;
    }
    for (size_t i = 0; i < r->nvm; i++)
        monitor_vm_console_input(r->vm[i], buf, (size_t)n);
    return true;
}

/* Looks at stdin every few milliseconds of host time only: poll() costs as much as
 * thousands of guest instructions. Called once per quantum (the clock is cheap). */
static void feed_stdin(struct vmrun *r, int64_t *next_ns)
{
    if (!r->stdin_open)
        return;
    int64_t now = monitor_now_ns();
    if (now < *next_ns)
        return;
    *next_ns = now + 5000000;
    (void)read_stdin(r, 0);
}

static int run(struct vmrun *r)
{
    int64_t next_input_ns = 0;
    int64_t t0 = monitor_now_ns();
    uint64_t horizon = VMRUN_QUANTUM;
    size_t ended = 0;
    while (ended < r->nvm) {
        bool behind = false, all_idle = true;
        for (uint32_t i = 0; i < r->npcpu; i++)
            if (cpu_cycles(r->cpu[i]) < horizon) {
                /* Linux VMs (one vCPU each, so no memory shared between CPUs): each CPU
                 * runs through the whole quantum before the next one starts, and never
                 * more than one quantum per turn, even after an idle jump, so the VMs'
                 * clocks stay a quantum apart: frames on the subnet and the consoles
                 * interleave as they would on one machine (with a whole idle period in
                 * one turn, linux_vm_net's transfer stalled), and the host switches
                 * CPUs once per quantum rather than every few thousand instructions.
                 * (That switching also failed every SC after another VM's turn, which
                 * livelocked Linux's LLD; TLBP; SCD, until the LL rule in
                 * monitor_pcpu_run() became per VM.) */
                uint64_t until = horizon;
                if (r->o->linux_boot && until - cpu_cycles(r->cpu[i]) > VMRUN_QUANTUM)
                    until = cpu_cycles(r->cpu[i]) + VMRUN_QUANTUM; /* after an idle jump */
                enum monitor_run rv;
                do {
                    rv = monitor_pcpu_run(r->pcpu[i], until, VMRUN_SLICE);
                    all_idle &= rv == MONITOR_IDLE;
                } while (r->o->linux_boot && rv != MONITOR_IDLE && cpu_cycles(r->cpu[i]) < until);
                behind |= cpu_cycles(r->cpu[i]) < horizon;
            }
        /* Every vCPU sleeps. With stdin open (an interactive console), input the
         * user is about to type must not find the VMs fast-forwarded to their time
         * limit: show what they printed (a prompt), wait a little host time for
         * input; if it comes, go on normally. */
        bool input = false;
        if (all_idle && !behind && r->stdin_open) {
            drain_consoles(r);
            input = read_stdin(r, VMRUN_IDLE_INPUT_MS);
        }
        if (all_idle && !behind && !input) {
            /* Every vCPU sleeps: jump to the first timer, or give up if none is armed. */
            uint64_t wake = monitor_next_wake(r->mon);
            if (wake == UINT64_MAX) {
                for (size_t i = 0; i < r->nvm; i++)
                    monitor_vm_stop(r->vm[i], "every vCPU waits for an interrupt that cannot come");
            } else if (wake > horizon) {
                horizon = wake;
                continue;
            }
        }
        feed_stdin(r, &next_input_ns);
        drain_consoles(r);
        for (size_t i = 0; i < r->nvm; i++) {
            struct vm_status st;
            monitor_vm_status(r->vm[i], &st);
            if (st.state == VM_ENDED && !r->done[i]) {
                r->done[i] = true;
                ended++;
            }
        }
        if (!behind)
            horizon += VMRUN_QUANTUM;
    }
    for (size_t i = 0; i < r->nvm; i++)
        drain_console(r, i, true);
    fflush(r->o->out);
    double secs = (double)(monitor_now_ns() - t0) / 1e9;
    int status = 0;
    for (size_t i = 0; i < r->nvm; i++) {
        struct vm_status st;
        monitor_vm_status(r->vm[i], &st);
        if (r->o->stats)
            print_stats(r, i, secs);
        if (!st.exited)
            fprintf(stderr, "flash-run: vm%zu did not exit: %s\n", i, st.reason);
        if (r->nvm == 1)
            status = st.exited ? st.exit_status : 1;
        else if (!st.exited || st.exit_status != 0)
            status = 1;
    }
    return status;
}

int vmrun_kernels(const char *const *kernels, size_t n, const struct vmrun_options *options)
{
    struct vmrun r = {.o = options};
    uint8_t **images = xcalloc(n, sizeof *images);
    size_t *lens = xcalloc(n, sizeof *lens);
    int status = setup(&r, kernels, n, images, lens);
    if (status == 0)
        status = run(&r);
    for (size_t i = 0; i < r.nvm; i++)
        if (r.vm[i])
            monitor_vm_destroy(r.vm[i]);
    monitor_destroy(r.mon);
    for (uint32_t i = 0; i < r.npcpu; i++) {
        if (r.cpu[i])
            cpu_destroy(r.cpu[i]);
        if (r.bus[i])
            bus_destroy(r.bus[i]);
    }
    if (r.bank)
        munmap(r.bank, r.bank_bytes);
    for (size_t i = 0; i < n; i++)
        free(images[i]);
    free(images);
    free(lens);
    free(r.initrd);
    free(r.cpu);
    free(r.bus);
    free(r.pcpu);
    free(r.vm);
    for (size_t i = 0; r.line && i < r.nvm; i++)
        free(r.line[i].buf);
    free(r.line);
    free(r.done);
    return status;
}
