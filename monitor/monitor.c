/*
 * monitor.c - the Disco monitor of one node server (monitor.h): VMs and
 * their lifecycle, the machine pages of the local banks (first-touch
 * allocation, demand loading of the kernel image, quarantine until the host
 * has purged the caches), the virtualization assist's translation of guest
 * physical addresses, the per-CPU device window (console and vCPU register
 * page), and the time-sharing of vCPUs on physical CPUs. The trap paths are
 * in mtrap.c, monitor calls in mcall.c (docs/monitor.md).
 */
#include "monitor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus.h"
#include "disco_err.h"
#include "elf_load.h"
#include "guest_exc.h"
#include "log.h"
#include "monitor_internal.h"
#include "sysrun.h"
#include "vm_boot.h"
#include "xalloc.h"

#define CONSOLE_MAX_PENDING (1u << 20)  /* console bytes kept for the host before dropping */
#define CONSOLE_INPUT_MAX   (64u << 10) /* console input queued for the guest */

int64_t monitor_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

uint8_t *monitor_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    uint8_t *buf = xmalloc(cap);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    fclose(f);
    *len = n;
    return buf;
}

/* ---- the monitor and its machine pages ---- */

struct monitor *monitor_create(const struct monitor_host *host)
{
    struct monitor *m = xcalloc(1, sizeof *m);
    m->host = *host;
    unsigned n = host->node_count;
    m->bump = xcalloc(n, sizeof *m->bump);
    m->free_pages = xcalloc(n, sizeof *m->free_pages);
    m->free_count = xcalloc(n, sizeof *m->free_count);
    m->free_cap = xcalloc(n, sizeof *m->free_cap);
    return m;
}

void monitor_destroy(struct monitor *m)
{
    if (m == NULL)
        return;
    while (m->vms) {
        struct vm *vm = m->vms;
        if (vm->status.state == VM_RUNNING)
            monitor_vm_stop(vm, "monitor shut down");
        monitor_vm_destroy(vm);
    }
    while (m->pcpus) {
        struct monitor_pcpu *p = m->pcpus;
        m->pcpus = p->next;
        p->cpu->virt_phys = NULL;
        free(p->run);
        free(p);
    }
    for (unsigned i = 0; i < m->host.node_count; i++)
        free(m->free_pages[i]);
    free(m->free_pages);
    free(m->free_count);
    free(m->free_cap);
    free(m->bump);
    free(m->quarantine);
    free(m);
}

static bool machine_in_io_hole(uint64_t machine)
{
    return machine >= VM_IO_HOLE_BASE && machine < VM_IO_HOLE_LIMIT;
}

/* A page of local node index i: a freed one first, else the next never-used one. */
static bool take_page(struct monitor *m, unsigned i, uint64_t *machine)
{
    if (m->free_count[i] > 0) {
        *machine = m->free_pages[i][--m->free_count[i]];
        return true;
    }
    uint64_t base = (uint64_t)(m->host.first_node + i) * m->host.bank_bytes;
    while (m->bump[i] + PMAP_PAGE_SIZE <= m->host.bank_bytes) {
        uint64_t a = base + m->bump[i];
        m->bump[i] += PMAP_PAGE_SIZE;
        if (!machine_in_io_hole(a)) { /* the bank's share of the I/O hole holds no memory */
            *machine = a;
            return true;
        }
    }
    return false;
}

/* pmap_alloc_fn: on the touching vCPU's node, else on any other local node. */
static int alloc_page(void *opaque, unsigned preferred_node, uint64_t *machine)
{
    struct vm *vm = opaque;
    struct monitor *m = vm->m;
    unsigned n = m->host.node_count;
    unsigned first = preferred_node - m->host.first_node;
    for (unsigned k = 0; k < n; k++)
        if (take_page(m, (first + k) % n, machine))
            return DISCO_OK;
    return DISCO_ENOMEM;
}

uint64_t monitor_free_pages(const struct monitor *m, uint32_t node)
{
    if (node < m->host.first_node || node >= m->host.first_node + m->host.node_count)
        return 0;
    unsigned i = node - m->host.first_node;
    return m->free_count[i] + (m->host.bank_bytes - m->bump[i]) / PMAP_PAGE_SIZE;
}

size_t monitor_reclaim(struct monitor *m, void (*purge)(void *opaque, uint64_t machine),
                       void *opaque)
{
    size_t n = m->quarantine_count;
    for (size_t k = 0; k < n; k++) {
        uint64_t machine = m->quarantine[k];
        if (purge)
            purge(opaque, machine);
        unsigned i = (unsigned)(machine / m->host.bank_bytes) - m->host.first_node;
        if (m->free_count[i] == m->free_cap[i]) {
            m->free_cap[i] = m->free_cap[i] ? m->free_cap[i] * 2 : 256;
            m->free_pages[i] = xrealloc(m->free_pages[i], m->free_cap[i] * sizeof(uint64_t));
        }
        m->free_pages[i][m->free_count[i]++] = machine;
    }
    m->quarantine_count = 0;
    return n;
}

static void quarantine(struct monitor *m, uint64_t machine)
{
    if (m->quarantine_count == m->quarantine_cap) {
        m->quarantine_cap = m->quarantine_cap ? m->quarantine_cap * 2 : 256;
        m->quarantine = xrealloc(m->quarantine, m->quarantine_cap * sizeof(uint64_t));
    }
    m->quarantine[m->quarantine_count++] = machine;
}

/* ---- guest physical memory ---- */

bool monitor_ram_offset(const struct vm *vm, uint64_t gpaddr, uint64_t *offset)
{
    uint64_t off;
    if (gpaddr >= VM_BOOT_ROM_BASE && gpaddr < VM_BOOT_ROM_BASE + VM_BOOT_ROM_SIZE) {
        /* The boot-ROM window (BEV vectors) is RAM after the VM's memory in its pmap. */
        *offset = vm->memory_bytes + (gpaddr - VM_BOOT_ROM_BASE);
        return true;
    }
    if (gpaddr < VM_IO_HOLE_BASE)
        off = gpaddr;
    else if (gpaddr >= VM_IO_HOLE_LIMIT)
        off = gpaddr - (VM_IO_HOLE_LIMIT - VM_IO_HOLE_BASE);
    else
        return false;
    if (off >= vm->memory_bytes)
        return false;
    *offset = off;
    return true;
}

void monitor_charge(struct vm *vm, struct cpu *cpu, enum monitor_action action, uint64_t cycles)
{
    cpu->cycles += cycles;
    vm->stats.monitor_cycles += cycles;
    vm->stats.action_cycles[action] += cycles;
    vm->stats.action_count[action]++;
}

/* A fresh machine page for guest page gpage: zeros, then the kernel image's bytes in it. */
static void fill_page(struct monitor_pcpu *p, struct vm *vm, uint64_t gpage, uint64_t machine)
{
    struct monitor *m = vm->m;
    uint8_t *host = m->host.machine_page(m->host.opaque, machine);
    if (host == NULL)
        return;
    memset(host, 0, PMAP_PAGE_SIZE);
    for (unsigned s = 0; s < vm->nseg; s++) {
        const struct vm_segment *seg = &vm->seg[s];
        uint64_t lo = seg->paddr > gpage ? seg->paddr : gpage;
        uint64_t end = seg->paddr + seg->filesz;
        uint64_t hi = end < gpage + PMAP_PAGE_SIZE ? end : gpage + PMAP_PAGE_SIZE;
        if (lo < hi)
            memcpy(host + (lo - gpage), seg->data + (lo - seg->paddr), hi - lo);
    }
    /* Decoded instructions of the page's previous life must go (bus mode). */
    for (struct monitor_pcpu *q = m->pcpus; q; q = q->next)
        cpu_code_invalidate(q->cpu, host, PMAP_PAGE_SIZE);
    vm->stats.pages++;
    monitor_charge(vm, p->cpu, COST_PAGE_ZERO_PER_KB, costs_page_zero_cycles(PMAP_PAGE_SIZE));
}

int monitor_guest_phys(struct monitor_pcpu *p, struct mvcpu *vc, uint64_t gpaddr, bool *writable,
                       bool *device, uint64_t *machine)
{
    struct vm *vm = vc->vm;
    uint64_t page = gpaddr & ~(PMAP_PAGE_SIZE - 1);
    *device = false;
    *writable = true;
    if (page == VM_CONSOLE_PAGE || page == VM_REGS_PAGE) {
        *device = true;
        *machine = page == VM_CONSOLE_PAGE ? MONITOR_IO_BASE : MONITOR_IO_REGS;
        return DISCO_OK;
    }
    uint64_t off;
    if (!monitor_ram_offset(vm, gpaddr, &off)) {
        for (unsigned k = 0; k < vm->ndevpages; k++)
            if (vm->devpage[k].gpa == page) {
                *device = true;
                *machine = MONITOR_IO_DEVICES + (uint64_t)k * PMAP_PAGE_SIZE;
                return DISCO_OK;
            }
        return DISCO_EINVAL;
    }
    struct pmap_entry e;
    int rv = pmap_lookup(vm->pmap, off, &e);
    if (rv == DISCO_ENOENT) {
        rv = pmap_map(vm->pmap, off, p->node, &e);
        if (rv == DISCO_OK)
            fill_page(p, vm, page, e.machine);
        else if (rv == DISCO_ENOMEM)
            monitor_vm_end(vm, false, 0, "out of machine memory on this server");
    }
    if (rv != DISCO_OK)
        return rv;
    *writable = (e.flags & PMAP_WRITABLE) != 0;
    *machine = e.machine;
    return DISCO_OK;
}

/* The virtualization assist's hook (cpu_internal.h): kseg0/kseg1/xkphys of the guest kernel. */
static int virt_phys(void *opaque, uint64_t gpaddr, bool cached, enum mem_access access,
                     struct translation *out)
{
    struct monitor_pcpu *p = opaque;
    if (p->cur == NULL)
        return 1;
    bool writable, device;
    uint64_t machine;
    if (monitor_guest_phys(p, p->cur, gpaddr, &writable, &device, &machine) != DISCO_OK)
        return 1;
    (void)access;
    out->paddr = machine | (gpaddr & (PMAP_PAGE_SIZE - 1));
    out->page_size = PMAP_PAGE_SIZE;
    out->cached = cached && !device;
    out->writable = writable;
    return 0;
}

/* ---- the device window: console page and vCPU register page ---- */

void monitor_console_put(struct vm *vm, uint8_t byte)
{
    if (vm->con_len >= CONSOLE_MAX_PENDING)
        return; /* the host is not taking output: drop rather than grow without bound */
    if (vm->con_len == vm->con_cap) {
        vm->con_cap = vm->con_cap ? vm->con_cap * 2 : 256;
        vm->con = xrealloc(vm->con, vm->con_cap);
    }
    vm->con[vm->con_len++] = byte;
}

/* The writable words of the register page (EPC, ErrorEPC, scratch), or NULL. */
static uint64_t *regs_page_word(struct mvcpu *vc, uint64_t offset)
{
    struct cp0 *c = &vc->v.state->cp0;
    if (offset >= 0x80 && offset < 0x80 + 8 * VCPU_SCRATCH_WORDS)
        return &vc->scratch[(offset - 0x80) / 8];
    switch (offset) {
    case 0x10: return &c->epc;
    case 0x38: return &c->errorepc;
    default: return NULL;
    }
}

/* The RX register: 0x100 | the next input byte, or 0 when there is none. */
static uint64_t console_getc(struct vm *vm)
{
    if (vm->in_len == 0)
        return 0;
    uint8_t b = vm->in[vm->in_head];
    vm->in_head = (vm->in_head + 1) % CONSOLE_INPUT_MAX;
    vm->in_len--;
    return 0x100u | b;
}

static uint64_t regs_page_read(struct monitor_pcpu *p, struct mvcpu *vc, uint64_t offset)
{
    static const unsigned reg_at[] = {CP0_STATUS,  CP0_CAUSE,   CP0_EPC,      CP0_BADVADDR,
                                      CP0_ENTRYHI, CP0_CONTEXT, CP0_XCONTEXT, CP0_ERROREPC,
                                      CP0_COUNT,   CP0_COMPARE};
    uint64_t *w = regs_page_word(vc, offset);
    if (w && offset >= 0x80)
        return *w;
    if (offset / 8 < sizeof reg_at / sizeof reg_at[0]) {
        vcpu_set_cycles(&vc->v, p->cpu->cycles);
        return vcpu_cp0_read(&vc->v, reg_at[offset / 8], 0);
    }
    return 0;
}

/* The device page at window offset `offset` of the running VM, or NULL. */
static const struct vm_devpage *device_page(const struct vm *vm, uint64_t offset)
{
    uint64_t k = (offset - (MONITOR_IO_DEVICES - MONITOR_IO_BASE)) / PMAP_PAGE_SIZE;
    return k < vm->ndevpages ? &vm->devpage[k] : NULL;
}

static int io_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
    struct monitor_pcpu *p = opaque;
    struct mvcpu *vc = p->cur;
    (void)size;
    *value = 0;
    if (vc == NULL)
        return 0;
    uint64_t reg = offset & 0xff8;
    if (offset >= MONITOR_IO_DEVICES - MONITOR_IO_BASE) {
        const struct vm_devpage *d = device_page(vc->vm, offset);
        *value = d ? d->ops->read(d->opaque, d->offset + (offset & 0xfff), size) : 0;
    } else if (offset >= 0x1000)
        *value = regs_page_read(p, vc, reg);
    else if (reg == 0x10)
        *value = vc->irq_lines;
    else if (reg == 0x30)
        *value = console_getc(vc->vm);
    else if (reg == 0x18)
        *value = p->cpu->cycles;
    else if (reg == 0x20)
        *value = vc->v.id;
    else if (reg == 0x28)
        *value = vc->vm->nvcpu;
    return 0;
}

static int io_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct monitor_pcpu *p = opaque;
    struct mvcpu *vc = p->cur;
    (void)size;
    if (vc == NULL)
        return 0;
    uint64_t reg = offset & 0xff8;
    if (offset >= MONITOR_IO_DEVICES - MONITOR_IO_BASE) {
        const struct vm_devpage *d = device_page(vc->vm, offset);
        if (d)
            d->ops->write(d->opaque, d->offset + (offset & 0xfff), size, value);
        /* A device may have raised an interrupt: let the monitor look before the next
         * instruction. */
        cpu_request_halt(p->cpu);
        return 0;
    }
    if (offset >= 0x1000) {
        uint64_t *w = regs_page_word(vc, reg);
        if (w)
            *w = value;
        return 0;
    }
    switch (reg) {
    case 0x00: monitor_console_put(vc->vm, (uint8_t)value); break;
    case 0x08: {
        char why[32];
        snprintf(why, sizeof why, "exit %u", (unsigned)(value & 0xff));
        monitor_vm_end(vc->vm, true, (int)(value & 0xff), why);
        break;
    }
    case 0x10:
        vc->irq_lines = (uint8_t)(value & 0x3f);
        for (unsigned line = 0; line < 6; line++)
            vcpu_set_irq(&vc->v, line, (value >> line) & 1);
        /* The interrupt is taken between instructions: stop so the monitor looks. */
        cpu_request_halt(p->cpu);
        break;
    default: break;
    }
    return 0;
}

int monitor_vm_add_device(struct vm *vm, uint64_t gpa, uint64_t size,
                          const struct vm_device_ops *ops, void *opaque)
{
    uint64_t pages = (size + PMAP_PAGE_SIZE - 1) / PMAP_PAGE_SIZE, off;
    if ((gpa & (PMAP_PAGE_SIZE - 1)) || size == 0 || gpa + size < gpa || !ops || !ops->read ||
        !ops->write)
        return DISCO_EINVAL;
    if (vm->ndevpages + pages > VM_DEVICE_PAGES_MAX)
        return DISCO_ENOMEM;
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t page = gpa + i * PMAP_PAGE_SIZE;
        if (page == VM_CONSOLE_PAGE || page == VM_REGS_PAGE || monitor_ram_offset(vm, page, &off))
            return DISCO_EINVAL;
        for (unsigned k = 0; k < vm->ndevpages; k++)
            if (vm->devpage[k].gpa == page)
                return DISCO_EINVAL;
    }
    for (uint64_t i = 0; i < pages; i++)
        vm->devpage[vm->ndevpages++] = (struct vm_devpage){.gpa = gpa + i * PMAP_PAGE_SIZE,
                                                           .offset = i * PMAP_PAGE_SIZE,
                                                           .ops = ops,
                                                           .opaque = opaque};
    return DISCO_OK;
}

void monitor_vm_set_irq(struct vm *vm, unsigned vcpu, unsigned line, bool level)
{
    if (vcpu >= vm->nvcpu || line > 5)
        return;
    struct mvcpu *vc = &vm->vcpu[vcpu];
    vcpu_set_irq(&vc->v, line, level);
    vc->irq_lines = (uint8_t)((vc->irq_lines & ~(1u << line)) | (unsigned)level << line);
}

/* Copies len bytes between buf and guest physical gpa, page by page through the pmap. */
static int copy_phys(struct vm *vm, uint64_t gpa, uint8_t *buf, size_t len, bool to_guest)
{
    struct monitor_pcpu *p = vm->vcpu[0].pcpu;
    while (len > 0) {
        uint64_t off;
        if (!monitor_ram_offset(vm, gpa, &off))
            return DISCO_EINVAL;
        bool writable, device;
        uint64_t machine;
        int rv = monitor_guest_phys(p, &vm->vcpu[0], gpa, &writable, &device, &machine);
        if (rv != DISCO_OK || device)
            return DISCO_EINVAL;
        uint8_t *host = vm->m->host.machine_page(vm->m->host.opaque, machine);
        if (!host)
            return DISCO_EINVAL;
        if (vm->m->host.dma_page) /* issue 7: coherent with the host's caches */
            vm->m->host.dma_page(vm->m->host.opaque, machine & ~(uint64_t)(PMAP_PAGE_SIZE - 1));
        size_t in_page = PMAP_PAGE_SIZE - (gpa & (PMAP_PAGE_SIZE - 1));
        size_t n = len < in_page ? len : in_page;
        if (to_guest) {
            memcpy(host + (gpa & (PMAP_PAGE_SIZE - 1)), buf, n);
            for (struct monitor_pcpu *q = vm->m->pcpus; q; q = q->next)
                cpu_code_invalidate(q->cpu, host + (gpa & (PMAP_PAGE_SIZE - 1)), n);
        } else {
            memcpy(buf, host + (gpa & (PMAP_PAGE_SIZE - 1)), n);
        }
        gpa += n;
        buf += n;
        len -= n;
    }
    return DISCO_OK;
}

int monitor_vm_read_phys(struct vm *vm, uint64_t gpa, void *buf, size_t len)
{
    return copy_phys(vm, gpa, buf, len, false);
}

int monitor_vm_write_phys(struct vm *vm, uint64_t gpa, const void *buf, size_t len)
{
    return copy_phys(vm, gpa, (uint8_t *)(uintptr_t)buf, len, true);
}

size_t monitor_vm_console_input(struct vm *vm, const uint8_t *buf, size_t len)
{
    if (vm->in == NULL)
        vm->in = xmalloc(CONSOLE_INPUT_MAX);
    size_t n = 0;
    for (; n < len && vm->in_len < CONSOLE_INPUT_MAX; n++, vm->in_len++)
        vm->in[(vm->in_head + vm->in_len) % CONSOLE_INPUT_MAX] = buf[n];
    if (n > 0)
        vm_boot_console_input(vm); /* issue 7: a Linux VM's UART may interrupt */
    return n;
}

/* issue 7: the console input queue as a VM's own UART reads it. */
int monitor_vm_console_getc(struct vm *vm)
{
    uint64_t v = console_getc(vm);
    return v ? (int)(v & 0xff) : -1;
}

size_t monitor_vm_console_pending(const struct vm *vm)
{
    return vm->in_len;
}

static const struct bus_device_ops io_ops = {.read = io_read, .write = io_write};

struct monitor_pcpu *monitor_add_pcpu(struct monitor *m, struct cpu *cpu, struct bus *bus,
                                      uint32_t node)
{
    if (node < m->host.first_node || node >= m->host.first_node + m->host.node_count)
        return NULL;
    struct monitor_pcpu *p = xcalloc(1, sizeof *p);
    if (bus_add_device(bus, MONITOR_IO_BASE, MONITOR_IO_SIZE, &io_ops, p) != 0) {
        free(p);
        return NULL;
    }
    p->m = m;
    p->cpu = cpu;
    p->bus = bus;
    p->node = node;
    cpu->exceptions_to_host = true;
    cpu->virt_phys = virt_phys;
    cpu->virt_opaque = p;
    p->next = m->pcpus;
    m->pcpus = p;
    return p;
}

/* ---- VMs ---- */

struct load_ctx {
    struct vm *vm;
    char *err;
    size_t errlen;
};

static int note_segment(void *opaque, uint64_t vaddr, uint64_t paddr, const uint8_t *data,
                        uint64_t filesz, uint64_t memsz, unsigned prot)
{
    struct load_ctx *lc = opaque;
    struct vm *vm = lc->vm;
    (void)prot;
    uint64_t gp = sysrun_load_address(vaddr, paddr);
    uint64_t first, last;
    if (memsz == 0)
        return 0;
    if (!monitor_ram_offset(vm, gp, &first) || !monitor_ram_offset(vm, gp + memsz - 1, &last) ||
        last - first != memsz - 1) {
        snprintf(lc->err, lc->errlen,
                 "kernel segment at 0x%llx (%llu bytes) does not fit in the VM's %llu bytes",
                 (unsigned long long)gp, (unsigned long long)memsz,
                 (unsigned long long)vm->memory_bytes);
        return DISCO_EINVAL;
    }
    vm->seg = xrealloc(vm->seg, (vm->nseg + 1) * sizeof *vm->seg);
    vm->seg[vm->nseg++] =
        (struct vm_segment){.paddr = gp, .filesz = filesz, .memsz = memsz, .data = data};
    return 0;
}

static void pcpu_assign(struct monitor_pcpu *p, struct mvcpu *vc)
{
    if (p->nrun == p->caprun) {
        p->caprun = p->caprun ? p->caprun * 2 : 4;
        p->run = xrealloc(p->run, p->caprun * sizeof *p->run);
    }
    p->run[p->nrun++] = vc;
}

static void pcpu_unassign(struct monitor_pcpu *p, struct mvcpu *vc)
{
    for (size_t i = 0; i < p->nrun; i++)
        if (p->run[i] == vc) {
            memmove(&p->run[i], &p->run[i + 1], (p->nrun - i - 1) * sizeof *p->run);
            p->nrun--;
            break;
        }
    if (p->rr >= p->nrun)
        p->rr = 0;
    if (p->cur == vc)
        p->cur = NULL;
}

static bool pcpu_is_ours(const struct monitor *m, const struct monitor_pcpu *p)
{
    for (const struct monitor_pcpu *q = m->pcpus; q; q = q->next)
        if (q == p)
            return true;
    return false;
}

int monitor_vm_create(struct monitor *m, const struct vm_spec *spec, struct vm **out, char *err,
                      size_t errlen)
{
    *out = NULL;
    if (spec->vcpus == 0 || spec->pcpu == NULL) {
        snprintf(err, errlen, "a VM needs at least one vCPU");
        return DISCO_EINVAL;
    }
    if (spec->vcpus > 256) {
        snprintf(err, errlen, "%u vCPUs: at most 256 per VM", spec->vcpus);
        return DISCO_EINVAL;
    }
    if (spec->memory_bytes < PMAP_PAGE_SIZE || spec->memory_bytes % PMAP_PAGE_SIZE != 0 ||
        spec->memory_bytes > PMAP_MAX_MEMORY_BYTES) {
        snprintf(err, errlen, "VM memory must be a multiple of 4 KB from 4 KB to 64 GB, not %llu",
                 (unsigned long long)spec->memory_bytes);
        return DISCO_EINVAL;
    }
    for (uint32_t i = 0; i < spec->vcpus; i++)
        if (spec->pcpu[i] == NULL || !pcpu_is_ours(m, spec->pcpu[i])) {
            snprintf(err, errlen, "vCPU %u is placed on a CPU this server does not host", i);
            return DISCO_EINVAL;
        }
    for (struct vm *o = m->vms; o; o = o->next)
        if (o->id == spec->id) {
            snprintf(err, errlen, "VM %u exists already", spec->id);
            return DISCO_EEXIST;
        }
    struct vm *vm = xcalloc(1, sizeof *vm);
    vm->m = m;
    vm->id = spec->id;
    snprintf(vm->name, sizeof vm->name, "%s", spec->name ? spec->name : "");
    vm->memory_bytes = spec->memory_bytes;
    vm->max_cycles = spec->max_cycles;
    vm->no_l2tlb = spec->no_l2tlb;
    vm->net = spec->net;
    vm->elf = xmalloc(spec->elf_len ? spec->elf_len : 1);
    memcpy(vm->elf, spec->elf, spec->elf_len);
    vm->elf_len = spec->elf_len;
    struct elf_info info;
    char eerr[160], serr[160] = "";
    struct load_ctx lc = {.vm = vm, .err = serr, .errlen = sizeof serr};
    eerr[0] = 0;
    int rv = elf_load_mem(vm->elf, vm->elf_len, note_segment, &lc, &info, eerr, sizeof eerr);
    if (rv != 0 && serr[0]) /* our own reason is clearer than the loader's */
        snprintf(eerr, sizeof eerr, "%s", serr);
    if (rv == 0) {
        enum cpu_model model =
            elf_arch_is_mips4_or_older(&info) ? CPU_MODEL_R10000 : CPU_MODEL_MIPS64R2;
        if (model != m->host.model || info.big_endian != m->host.big_endian) {
            snprintf(
                eerr, sizeof eerr,
                "the kernel is a %s %s-endian program but this machine's CPUs are %s %s-endian",
                model == CPU_MODEL_R10000 ? "MIPS IV" : "MIPS64r2",
                info.big_endian ? "big" : "little",
                m->host.model == CPU_MODEL_R10000 ? "R10000" : "MIPS64r2",
                m->host.big_endian ? "big" : "little");
            rv = DISCO_EINVAL;
        }
    }
    if (rv == 0 &&
        (vm->pmap = pmap_create(vm->memory_bytes + VM_BOOT_ROM_SIZE, alloc_page, vm)) == NULL) {
        snprintf(eerr, sizeof eerr, "cannot map %llu bytes", (unsigned long long)vm->memory_bytes);
        rv = DISCO_EINVAL;
    }
    if (rv != 0) {
        snprintf(err, errlen, "VM %u: %s", spec->id, eerr[0] ? eerr : disco_strerror(rv));
        pmap_destroy(vm->pmap);
        free(vm->seg);
        free(vm->elf);
        free(vm);
        return rv == DISCO_EINVAL ? rv : DISCO_EFORMAT;
    }
    vm->entry = info.entry;
    vm->nvcpu = spec->vcpus;
    vm->vcpu = xcalloc(spec->vcpus, sizeof *vm->vcpu);
    uint64_t now = spec->pcpu[0]->cpu->cycles;
    vm->start_cycle = now;
    for (uint32_t i = 0; i < spec->vcpus; i++) {
        struct mvcpu *vc = &vm->vcpu[i];
        vc->vm = vm;
        vc->pcpu = spec->pcpu[i];
        if (vcpu_init(&vc->v, m->host.model, m->host.big_endian, i) != 0) {
            snprintf(err, errlen, "VM %u: cannot create vCPU %u", spec->id, i);
            return DISCO_EINVAL; /* unreachable: the model was checked above */
        }
        if (!vm->no_l2tlb) {
            vc->l2 = xmalloc(sizeof *vc->l2);
            l2tlb_init(vc->l2);
        }
        /* Count starts at 0 at the VM's creation, whatever the machine's time. */
        vcpu_set_cycles(&vc->v, vc->pcpu->cpu->cycles);
        vcpu_cp0_write(&vc->v, CP0_COUNT, 0, 0);
        vcpu_set_pc(&vc->v, info.entry);
        vcpu_set_gpr(&vc->v, 4, i);
        vcpu_set_gpr(&vc->v, 5, spec->vcpus);
        pcpu_assign(vc->pcpu, vc);
    }
    vm->status.state = VM_RUNNING;
    if (spec->linux_boot) { /* issue 7: devices, device tree, initramfs, UHI registers */
        char lerr[160];
        if (vm_boot_linux(vm, spec, lerr, sizeof lerr) != 0) {
            snprintf(err, errlen, "VM %u: %s", spec->id, lerr);
            vm->next = m->vms; /* destroy unlinks it */
            m->vms = vm;
            monitor_vm_destroy(vm);
            return DISCO_EINVAL;
        }
    }
    vm->next = m->vms;
    m->vms = vm;
    log_info("monitor: VM %u%s%s: %u vCPU(s), %llu MB, entry 0x%llx", vm->id,
             vm->name[0] ? " " : "", vm->name, vm->nvcpu,
             (unsigned long long)(vm->memory_bytes >> 20), (unsigned long long)vm->entry);
    *out = vm;
    return DISCO_OK;
}

void monitor_vm_end(struct vm *vm, bool exited, int status, const char *reason)
{
    if (vm->status.state == VM_ENDED)
        return;
    uint64_t end = 0;
    for (uint32_t i = 0; i < vm->nvcpu; i++) {
        struct monitor_pcpu *p = vm->vcpu[i].pcpu;
        if (p->cpu->cycles > end)
            end = p->cpu->cycles;
        if (p->cur == &vm->vcpu[i])
            cpu_request_halt(p->cpu); /* leave the guest now */
    }
    vm->status.state = VM_ENDED;
    vm->status.exited = exited;
    vm->status.exit_status = status;
    vm->status.end_cycle = end;
    snprintf(vm->status.reason, sizeof vm->status.reason, "%s", reason);
    log_info("monitor: VM %u ended: %s", vm->id, reason);
}

void monitor_vm_stop(struct vm *vm, const char *reason)
{
    monitor_vm_end(vm, false, 0, reason ? reason : "stopped");
}

void monitor_vm_destroy(struct vm *vm)
{
    if (vm == NULL)
        return;
    struct monitor *m = vm->m;
    if (vm->status.state == VM_RUNNING)
        monitor_vm_end(vm, false, 0, "destroyed");
    for (struct vm **pp = &m->vms; *pp; pp = &(*pp)->next)
        if (*pp == vm) {
            *pp = vm->next;
            break;
        }
    for (uint32_t i = 0; i < vm->nvcpu; i++) {
        struct mvcpu *vc = &vm->vcpu[i];
        struct monitor_pcpu *p = vc->pcpu;
        if (p->cur == vc) /* its translations must not outlive it */
            mtrap_flush_hw_tlb(p);
        pcpu_unassign(p, vc);
        vcpu_fini(&vc->v);
        free(vc->l2);
    }
    for (uint64_t off = 0; off < vm->memory_bytes + VM_BOOT_ROM_SIZE; off += PMAP_PAGE_SIZE) {
        struct pmap_entry e;
        if (pmap_lookup(vm->pmap, off, &e) == DISCO_OK)
            quarantine(m, e.machine);
    }
    pmap_destroy(vm->pmap);
    free(vm->vcpu);
    free(vm->seg);
    free(vm->elf);
    free(vm->con);
    free(vm->in);
    vm_boot_free(vm); /* issue 7 */
    free(vm);
}

void monitor_vm_status(const struct vm *vm, struct vm_status *out)
{
    *out = vm->status;
}

const struct vm_stats *monitor_vm_stats(const struct vm *vm)
{
    return &vm->stats;
}

uint32_t monitor_vm_id(const struct vm *vm)
{
    return vm->id;
}

size_t monitor_vm_console_take(struct vm *vm, uint8_t *buf, size_t cap)
{
    size_t n = vm->con_len < cap ? vm->con_len : cap;
    if (n == 0)
        return 0;
    memcpy(buf, vm->con, n);
    memmove(vm->con, vm->con + n, vm->con_len - n);
    vm->con_len -= n;
    return n;
}

/* ---- time-sharing vCPUs on a physical CPU ---- */

/* Copies a vCPU's registers onto the CPU and makes its address space current. */
static void load_vcpu(struct monitor_pcpu *p, struct mvcpu *vc)
{
    struct cpu *cpu = p->cpu;
    struct cpu *s = vc->v.state;
    memcpy(cpu->gpr, s->gpr, 32 * sizeof cpu->gpr[0]);
    cpu->gpr[0] = 0;
    cpu->hi = s->hi;
    cpu->lo = s->lo;
    cpu->pc = s->pc;
    cpu->delay_slot = s->delay_slot;
    cpu->branch_target = s->branch_target;
    cpu->skip_slot = false;
    memcpy(cpu->fpr, s->fpr, sizeof cpu->fpr);
    cpu->fcsr = s->fcsr;
    cpu->cp0.llbit = false; /* an SC after a switch must fail */
    cpu->ll_line = UINT64_MAX;
    p->cur = vc;
    mtrap_flush_hw_tlb(p);
    mtrap_apply_mode(p, vc);
    p->slice_end = cpu->cycles + MONITOR_SLICE;
}

static void save_vcpu(struct monitor_pcpu *p, struct mvcpu *vc)
{
    struct cpu *cpu = p->cpu;
    struct cpu *s = vc->v.state;
    memcpy(s->gpr, cpu->gpr, 32 * sizeof s->gpr[0]);
    s->hi = cpu->hi;
    s->lo = cpu->lo;
    s->pc = cpu->pc;
    s->delay_slot = cpu->delay_slot;
    s->branch_target = cpu->branch_target;
    memcpy(s->fpr, cpu->fpr, sizeof s->fpr);
    s->fcsr = cpu->fcsr;
}

/* A sleeping vCPU wakes when an interrupt it has unmasked is pending. */
static bool runnable(struct monitor_pcpu *p, struct mvcpu *vc)
{
    if (vc->vm->status.state != VM_RUNNING)
        return false;
    if (!vc->idle)
        return true;
    vcpu_set_cycles(&vc->v, p->cpu->cycles);
    unsigned im = (unsigned)(vc->v.state->cp0.status >> ST_IM_SHIFT) & 0xff;
    if (guest_exc_pending_ip(&vc->v) & im)
        vc->idle = false;
    return !vc->idle;
}

/*
 * Every vCPU of the VM sleeps with all interrupt masks (Status.IM) clear:
 * nothing can ever wake it. That is how a guest powers off without a
 * power-off device; Linux's machine_power_off() and machine_halt() end in
 * machine_hang(), which clears IM and loops on WAIT.
 */
static bool vm_halted(const struct vm *vm)
{
    for (uint32_t i = 0; i < vm->nvcpu; i++) {
        const struct mvcpu *vc = &vm->vcpu[i];
        if (!vc->idle || ((vc->v.state->cp0.status >> ST_IM_SHIFT) & 0xff) != 0)
            return false;
    }
    return true;
}

/* The earliest cycle a sleeping vCPU of this CPU can wake (its timer), or UINT64_MAX. */
static uint64_t next_wake(const struct monitor_pcpu *p)
{
    uint64_t wake = UINT64_MAX;
    for (size_t i = 0; i < p->nrun; i++) {
        struct mvcpu *vc = p->run[i];
        if (vc->vm->status.state != VM_RUNNING)
            continue;
        /* Only a timer the guest listens to (IM7) can wake it. */
        bool listens = (vc->v.state->cp0.status >> (ST_IM_SHIFT + 7)) & 1;
        uint64_t t = listens || !vc->idle ? vcpu_timer_cycle(&vc->v) : UINT64_MAX;
        /* issue 7: a Compare already passed (an idle tickless Linux) matches again only
         * when the 32-bit Count wraps, every 2^32 ticks of 2 cycles; a past cycle here
         * kept the host stepping one quantum at a time through the whole idle period. */
        if (vc->idle && t != UINT64_MAX && t <= p->cpu->cycles)
            t += ((p->cpu->cycles - t) / (1ull << 33) + 1) * (1ull << 33);
        if (t < wake)
            wake = t;
        if (vc->vm->max_cycles && vc->vm->start_cycle + vc->vm->max_cycles < wake)
            wake = vc->vm->start_cycle + vc->vm->max_cycles;
    }
    return wake;
}

uint64_t monitor_next_wake(const struct monitor *m)
{
    uint64_t wake = UINT64_MAX;
    for (struct monitor_pcpu *p = m->pcpus; p; p = p->next)
        wake = next_wake(p) < wake ? next_wake(p) : wake;
    return wake;
}

/*
 * Chooses the vCPU to run: the current one until its slice ends or it
 * sleeps, then the next runnable one after it in round-robin order (the
 * current one last).
 */
static struct mvcpu *pick(struct monitor_pcpu *p)
{
    struct mvcpu *cur = p->cur;
    if (cur && cur->vm->status.state != VM_RUNNING)
        p->cur = cur = NULL; /* ended: nothing to save */
    if (cur && !cur->idle && p->cpu->cycles < p->slice_end)
        return cur;
    size_t n = p->nrun;
    for (size_t k = 1; k <= n; k++) {
        size_t idx = (p->rr + k) % n;
        struct mvcpu *vc = p->run[idx];
        if (!runnable(p, vc))
            continue;
        p->rr = idx;
        if (vc != cur) {
            if (cur)
                save_vcpu(p, cur);
            load_vcpu(p, vc);
            if (cur)
                monitor_charge(vc->vm, p->cpu, COST_VCPU_SWITCH, costs_cycles(COST_VCPU_SWITCH));
        } else {
            p->slice_end = p->cpu->cycles + MONITOR_SLICE;
        }
        return vc;
    }
    return NULL;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

enum monitor_run monitor_pcpu_run(struct monitor_pcpu *p, uint64_t until, uint64_t max_instructions)
{
    struct cpu *cpu = p->cpu;
    if (cpu->cycles >= until)
        return MONITOR_RAN;
    struct mvcpu *vc = pick(p);
    if (vc == NULL) {
        /* issue 7: a VM whose vCPUs all sleep past its time limit (a guest hung in an
         * idle loop) ends now, not at its next timer (up to a Count wrap later). */
        for (size_t i = 0; i < p->nrun; i++) {
            struct vm *svm = p->run[i]->vm;
            if (svm->status.state == VM_RUNNING && svm->max_cycles &&
                cpu->cycles >= svm->start_cycle + svm->max_cycles)
                monitor_vm_end(svm, false, 0, "time limit");
            else if (svm->status.state == VM_RUNNING && vm_halted(svm))
                monitor_vm_end(svm, true, 0,
                               "exit 0 (guest powered off: every vCPU waits with all "
                               "interrupts masked)");
        }
        /* Idle to the first timer of a sleeping vCPU, or the caller's horizon. */
        uint64_t wake = min_u64(next_wake(p), until);
        if (wake <= cpu->cycles)
            wake = cpu->cycles + 1;
        uint64_t idle = wake - cpu->cycles;
        for (size_t i = 0; i < p->nrun; i++)
            if (p->run[i]->vm->status.state == VM_RUNNING)
                p->run[i]->vm->stats.idle_cycles += idle;
        cpu->cycles = wake;
        /* An idle timer or limit may now be due: look again at the next call. */
        return MONITOR_IDLE;
    }
    struct vm *vm = vc->vm;
    if (vm->max_cycles && cpu->cycles >= vm->start_cycle + vm->max_cycles) {
        monitor_vm_end(vm, false, 0, "time limit");
        return MONITOR_RAN;
    }
    vcpu_set_cycles(&vc->v, cpu->cycles);
    if (mtrap_take_interrupt(p, vc))
        vm->stats.interrupts++;

    uint64_t horizon = min_u64(until, p->slice_end);
    uint64_t timer = vcpu_timer_cycle(&vc->v);
    if (timer > cpu->cycles)
        horizon = min_u64(horizon, timer);
    if (vm->max_cycles)
        horizon = min_u64(horizon, vm->start_cycle + vm->max_cycles);
    uint64_t budget = horizon > cpu->cycles ? horizon - cpu->cycles : 1;
    if (budget > max_instructions)
        budget = max_instructions;
    if (budget == 0)
        budget = 1;

    /* Without the cache model (one process, plain bus) nothing tells this CPU that another
     * one wrote its LL line. CPUs take turns, so an SC whose LL ran before another CPU ran
     * this VM fails, which keeps LL/SC atomic (an SC may always fail spuriously on MIPS).
     * Only another CPU running the same VM counts (no other VM reaches its memory), and
     * not a trap: Linux's TLB handlers run LLD; TLBP; SCD, and failing that SC after every
     * trap, or after every turn of another VM's CPU, livelocks the guest. A vCPU switch on
     * this CPU clears the bit in load_vcpu(). */
    if (!cpu->coherent && vm->turns != p->turn_seen)
        cpu->cp0.llbit = false;
    bool kernel = cp0_mode(cpu) != MODE_USER;
    uint64_t c0 = cpu->cycles, i0 = cpu->instructions, m0 = vm->stats.monitor_cycles;
    enum cpu_stop stop = cpu_run(cpu, budget);
    p->turn_seen = ++vm->turns;
    /* Monitor work done inside the run (first-touch page fills) is not guest time. */
    uint64_t dc = cpu->cycles - c0 - (vm->stats.monitor_cycles - m0);
    uint64_t di = cpu->instructions - i0;
    vm->stats.instructions += di;
    vc->instructions += di;
    if (kernel)
        vm->stats.kernel_cycles += dc;
    else
        vm->stats.user_cycles += dc;

    switch (stop) {
    case CPU_STOP_EXCEPTION: {
        int64_t t0 = monitor_now_ns();
        mtrap_handle(p, vc, cpu_last_exception(cpu));
        vm->stats.host_monitor_ns += (uint64_t)(monitor_now_ns() - t0);
        return MONITOR_RAN;
    }
    case CPU_STOP_MEMORY: return MONITOR_MEMORY;
    case CPU_STOP_WAIT: /* not reachable: WAIT traps in supervisor mode; treat as idle */
        vc->idle = true;
        return MONITOR_RAN;
    case CPU_STOP_HALT: /* the VM ended or a device line changed: the next call looks */
    case CPU_STOP_BUDGET: break;
    }
    return MONITOR_RAN;
}
