/*
 * test_monitor.c - unit tests of monitor/monitor.c's host-facing API on a
 * real CPU and bus: VM specs that must be refused (no vCPU, bad memory
 * sizes, a CPU of another monitor, a duplicate id, a kernel of the wrong
 * model or byte order, a kernel that does not fit), device pages (alignment,
 * overlap with RAM and the fixed pages, the per-VM limit), DMA bounds, the
 * console input queue, and a tiny kernel that runs to its exit with the
 * pages it touched quarantined and then reclaimed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bus.h"
#include "cpu.h"
#include "disco_err.h"
#include "monitor.h"

#define BANK_BYTES (8ull << 20)
#define VM_MEM     (1ull << 20)

struct host {
    uint8_t *bank;
    struct bus *bus;
    struct cpu *cpu;
    struct monitor *m;
    struct monitor_pcpu *p;
};

static uint8_t *machine_page(void *opaque, uint64_t machine)
{
    struct host *h = opaque;
    return machine + 4096 <= BANK_BYTES ? h->bank + machine : NULL;
}

static void host_init(struct host *h, enum cpu_model model, bool big_endian)
{
    h->bank = calloc(1, BANK_BYTES);
    h->bus = bus_create();
    assert_int_equal(bus_add_ram(h->bus, 0, BANK_BYTES, h->bank), 0);
    struct cpu_config cc = {.model = model, .big_endian = big_endian};
    h->cpu = cpu_create(&cc);
    cpu_attach_bus(h->cpu, h->bus);
    struct monitor_host mh = {.model = model,
                              .big_endian = big_endian,
                              .first_node = 0,
                              .node_count = 1,
                              .bank_bytes = BANK_BYTES,
                              .machine_page = machine_page,
                              .opaque = h};
    h->m = monitor_create(&mh);
    h->p = monitor_add_pcpu(h->m, h->cpu, h->bus, 0);
    assert_non_null(h->p);
}

static void host_fini(struct host *h)
{
    monitor_destroy(h->m);
    cpu_destroy(h->cpu);
    bus_destroy(h->bus);
    free(h->bank);
}

static void put16(uint8_t *p, uint16_t v, bool be)
{
    p[be ? 0 : 1] = (uint8_t)(v >> 8);
    p[be ? 1 : 0] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v, bool be)
{
    for (int i = 0; i < 4; i++)
        p[be ? i : 3 - i] = (uint8_t)(v >> (24 - 8 * i));
}

static void put64(uint8_t *p, uint64_t v, bool be)
{
    for (int i = 0; i < 8; i++)
        p[be ? i : 7 - i] = (uint8_t)(v >> (56 - 8 * i));
}

/*
 * An ELF64 MIPS executable with one PT_LOAD at kseg0 vaddr holding code:
 * the words given. e_flags select MIPS IV (r10000) or MIPS64r2.
 */
static size_t make_elf(uint8_t *out, bool be, bool r2, uint64_t vaddr, const uint32_t *code,
                       unsigned ncode)
{
    memset(out, 0, 4096);
    memcpy(out, "\177ELF", 4);
    out[4] = 2; /* ELFCLASS64 */
    out[5] = be ? 2 : 1;
    out[6] = 1;
    put16(out + 16, 2, be); /* ET_EXEC */
    put16(out + 18, 8, be); /* EM_MIPS */
    put32(out + 20, 1, be); /* EV_CURRENT */
    put64(out + 24, vaddr, be);
    put64(out + 32, 64, be); /* phoff */
    put32(out + 48, r2 ? 0x80000000u : 0x30000000u, be);
    put16(out + 52, 64, be); /* ehsize */
    put16(out + 54, 56, be); /* phentsize */
    put16(out + 56, 1, be);
    put16(out + 58, 64, be); /* shentsize */
    uint8_t *ph = out + 64;
    put32(ph, 1, be);         /* PT_LOAD */
    put32(ph + 4, 7, be);     /* RWX */
    put64(ph + 8, 0x200, be); /* offset */
    put64(ph + 16, vaddr, be);
    put64(ph + 24, vaddr, be);
    put64(ph + 32, 4ull * ncode, be);
    put64(ph + 40, 4ull * ncode, be);
    put64(ph + 48, 0x1000, be);
    for (unsigned i = 0; i < ncode; i++)
        put32(out + 0x200 + 4 * i, code[i], be);
    return 0x200 + 4 * ncode;
}

/* lui t0, 0xbfe0; li t1, 7; sd t1, 8(t0) (EXIT 7); then spin. */
static const uint32_t exit7[] = {0x3c08bfe0, 0x24090007, 0xfd090008, 0x1000ffff, 0x00000000};

static int create(struct host *h, const uint8_t *elf, size_t len, uint32_t id, uint64_t mem,
                  uint32_t vcpus, struct vm **vm, char *err)
{
    struct monitor_pcpu *place[2] = {h->p, h->p};
    struct vm_spec spec = {
        .id = id, .elf = elf, .elf_len = len, .memory_bytes = mem, .vcpus = vcpus, .pcpu = place};
    return monitor_vm_create(h->m, &spec, vm, err, 200);
}

static void test_bad_specs(void **state)
{
    (void)state;
    struct host h, other;
    host_init(&h, CPU_MODEL_R10000, true);
    host_init(&other, CPU_MODEL_R10000, true);
    uint8_t elf[4096], elf_r2[4096];
    char err[200];
    struct vm *vm;
    size_t len = make_elf(elf, true, false, 0xffffffff80010000ull, exit7, 5);
    size_t len_r2 = make_elf(elf_r2, false, true, 0xffffffff80010000ull, exit7, 5);
    assert_int_equal(create(&h, elf, len, 1, VM_MEM, 0, &vm, err), DISCO_EINVAL);
    assert_int_equal(create(&h, elf, len, 1, 0, 1, &vm, err), DISCO_EINVAL);
    assert_int_equal(create(&h, elf, len, 1, VM_MEM + 100, 1, &vm, err), DISCO_EINVAL);
    assert_int_equal(create(&h, elf, len, 1, 1ull << 40, 1, &vm, err), DISCO_EINVAL);
    assert_int_equal(create(&h, elf, 30, 1, VM_MEM, 1, &vm, err), DISCO_EFORMAT);
    assert_int_equal(create(&h, elf_r2, len_r2, 1, VM_MEM, 1, &vm, err), DISCO_EINVAL);
    assert_non_null(strstr(err, "little-endian"));
    /* A kernel whose segment lies beyond the VM's memory. */
    size_t len_high = make_elf(elf, true, false, 0xffffffff84010000ull, exit7, 5);
    assert_int_equal(create(&h, elf, len_high, 1, VM_MEM, 1, &vm, err), DISCO_EINVAL);
    assert_non_null(strstr(err, "does not fit"));
    /* A CPU that belongs to another monitor. */
    len = make_elf(elf, true, false, 0xffffffff80010000ull, exit7, 5);
    struct monitor_pcpu *foreign[1] = {other.p};
    struct vm_spec spec = {
        .id = 2, .elf = elf, .elf_len = len, .memory_bytes = VM_MEM, .vcpus = 1, .pcpu = foreign};
    assert_int_equal(monitor_vm_create(h.m, &spec, &vm, err, sizeof err), DISCO_EINVAL);
    /* The same id twice. */
    assert_int_equal(create(&h, elf, len, 3, VM_MEM, 1, &vm, err), 0);
    struct vm *dup;
    assert_int_equal(create(&h, elf, len, 3, VM_MEM, 1, &dup, err), DISCO_EEXIST);
    monitor_vm_destroy(vm);
    host_fini(&other);
    host_fini(&h);
}

static uint64_t dev_value;
static uint64_t dev_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)opaque, (void)size;
    return offset;
}
static void dev_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    (void)opaque, (void)offset, (void)size;
    dev_value = value;
}
static const struct vm_device_ops dev_ops = {.read = dev_read, .write = dev_write};

static void test_devices_dma_input(void **state)
{
    (void)state;
    struct host h;
    host_init(&h, CPU_MODEL_R10000, true);
    uint8_t elf[4096];
    char err[200];
    struct vm *vm;
    size_t len = make_elf(elf, true, false, 0xffffffff80010000ull, exit7, 5);
    assert_int_equal(create(&h, elf, len, 1, VM_MEM, 1, &vm, err), 0);
    /* Devices: aligned, outside RAM and the fixed pages, no overlap, bounded count. */
    assert_int_equal(monitor_vm_add_device(vm, 0x1f000100, 0x100, &dev_ops, NULL), DISCO_EINVAL);
    assert_int_equal(monitor_vm_add_device(vm, 0x10000, 0x1000, &dev_ops, NULL), DISCO_EINVAL);
    assert_int_equal(monitor_vm_add_device(vm, 0x1fe00000, 0x1000, &dev_ops, NULL), DISCO_EINVAL);
    assert_int_equal(monitor_vm_add_device(vm, 0x1fc00000, 0x1000, &dev_ops, NULL), DISCO_EINVAL);
    assert_int_equal(monitor_vm_add_device(vm, 0x1f000000, 0x2000, &dev_ops, NULL), 0);
    assert_int_equal(monitor_vm_add_device(vm, 0x1f001000, 0x1000, &dev_ops, NULL), DISCO_EINVAL);
    assert_int_equal(monitor_vm_add_device(vm, 0x30000000, 0x1000000, &dev_ops, NULL),
                     DISCO_ENOMEM);
    /* DMA: inside RAM works both ways, anything outside is refused. */
    uint8_t buf[64], back[64];
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 7);
    assert_int_equal(monitor_vm_write_phys(vm, VM_MEM - 32, buf, 32), 0);
    assert_int_equal(monitor_vm_read_phys(vm, VM_MEM - 32, back, 32), 0);
    assert_memory_equal(buf, back, 32);
    assert_int_equal(monitor_vm_write_phys(vm, VM_MEM - 32, buf, 64), DISCO_EINVAL);
    assert_int_equal(monitor_vm_read_phys(vm, 0x1f000000, back, 8), DISCO_EINVAL);
    assert_int_equal(monitor_vm_read_phys(vm, UINT64_MAX - 4, back, 8), DISCO_EINVAL);
    /* Console input is bounded at 64 KB. */
    static uint8_t big[70000];
    assert_int_equal(monitor_vm_console_input(vm, big, sizeof big), 65536);
    assert_int_equal(monitor_vm_console_input(vm, big, 1), 0);
    monitor_vm_destroy(vm);
    host_fini(&h);
}

static void test_runs_to_exit_and_reclaims(void **state)
{
    (void)state;
    struct host h;
    host_init(&h, CPU_MODEL_R10000, true);
    uint8_t elf[4096];
    char err[200];
    struct vm *vm;
    size_t len = make_elf(elf, true, false, 0xffffffff80010000ull, exit7, 5);
    uint64_t free_before = monitor_free_pages(h.m, 0);
    assert_int_equal(create(&h, elf, len, 9, VM_MEM, 1, &vm, err), 0);
    struct vm_status st;
    for (int i = 0; i < 100; i++) {
        monitor_pcpu_run(h.p, UINT64_MAX, 1000);
        monitor_vm_status(vm, &st);
        if (st.state == VM_ENDED)
            break;
    }
    assert_int_equal(st.state, VM_ENDED);
    assert_true(st.exited);
    assert_int_equal(st.exit_status, 7);
    const struct vm_stats *s = monitor_vm_stats(vm);
    assert_int_equal(s->pages, 1);
    assert_true(s->instructions >= 3);
    assert_int_equal(monitor_free_pages(h.m, 0), free_before - 1);
    monitor_vm_destroy(vm);
    /* Quarantined until reclaimed. */
    assert_int_equal(monitor_free_pages(h.m, 0), free_before - 1);
    assert_int_equal(monitor_reclaim(h.m, NULL, NULL), 1);
    assert_int_equal(monitor_free_pages(h.m, 0), free_before);
    host_fini(&h);
}

/* mfc0 t0, Status; t0 &= ~IM (or, in the second run, IM7 kept: ori t0, 0x8000); mtc0 t0,
 * Status; wait; b . */
static const uint32_t halt_code[] = {0x40086000, 0x3c09ffff, 0x352900ff, 0x01094024, 0x00000000,
                                     0x40886000, 0x42000020, 0x1000ffff, 0x00000000};

/* A VM whose every vCPU waits with all interrupt masks clear can never wake: it has powered off
 * (Linux's machine_hang()) and ends with exit status 0. With the timer unmasked it only sleeps. */
static void test_halt_is_power_off(void **state)
{
    (void)state;
    for (int timer = 0; timer < 2; timer++) {
        struct host h;
        host_init(&h, CPU_MODEL_R10000, true);
        uint32_t code[9];
        memcpy(code, halt_code, sizeof code);
        if (timer)
            code[4] = 0x35088000; /* ori t0, t0, 0x8000: IM7 stays set */
        uint8_t elf[4096];
        char err[200];
        struct vm *vm;
        size_t len = make_elf(elf, true, false, 0xffffffff80010000ull, code, 9);
        assert_int_equal(create(&h, elf, len, 3, VM_MEM, 2, &vm, err), 0);
        struct vm_status st;
        for (int i = 0; i < 200; i++) {
            monitor_pcpu_run(h.p, UINT64_MAX, 1000);
            monitor_vm_status(vm, &st);
            if (st.state == VM_ENDED)
                break;
        }
        if (timer) {
            assert_int_equal(st.state, VM_RUNNING);
        } else {
            assert_int_equal(st.state, VM_ENDED);
            assert_true(st.exited);
            assert_int_equal(st.exit_status, 0);
            assert_non_null(strstr(st.reason, "powered off"));
        }
        monitor_vm_destroy(vm);
        host_fini(&h);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_devices_dma_input),
        cmocka_unit_test(test_runs_to_exit_and_reclaims),
        cmocka_unit_test(test_halt_is_power_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
