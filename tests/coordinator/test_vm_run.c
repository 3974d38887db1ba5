/*
 * test_vm_run.c - the coordinator's VM table without servers: placement on
 * the least-loaded node with spill to the server's next nodes, commands per
 * server in the releases (create, stop), console lines, ends and refusals
 * from arrivals, VMs that start after another ended, the batch rule, the
 * exit status and JSON, the kernels' model check, and service mode (the
 * API's VM host): console input commands, events instead of printing, ended
 * VMs forgotten.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "disco_err.h"
#include "vm_run.h"

static const uint8_t fake_elf[64] = {0x7f, 'E', 'L', 'F', 2, 2};

struct fixture {
    struct vm_run *run;
    char *console;
    size_t console_len;
    FILE *con;
};

/* 2 servers x 2 nodes x 2 CPUs, 64 MiB per node. */
static struct fixture *setup(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->con = open_memstream(&f->console, &f->console_len);
    struct vm_run_options o = {.total_nodes = 4,
                               .cpus_per_node = 2,
                               .memory_per_node_bytes = 64u << 20,
                               .quantum_cycles = 10000,
                               .batch = true,
                               .console = f->con};
    f->run = vm_run_create(&o);
    uint32_t first[2] = {0, 2}, count[2] = {2, 2};
    vm_run_set_layout(f->run, 2, first, count);
    return f;
}

static void teardown(struct fixture *f)
{
    vm_run_destroy(f->run);
    fclose(f->con);
    free(f->console);
    free(f);
}

static uint32_t submit(struct fixture *f, uint32_t vcpus, int32_t node, uint32_t after)
{
    struct vm_run_spec s = {.elf = fake_elf,
                            .elf_len = sizeof fake_elf,
                            .memory_bytes = 32u << 20,
                            .vcpus = vcpus,
                            .first_node = node,
                            .after = after};
    uint32_t id = 0;
    char err[200];
    assert_int_equal(vm_run_submit(f->run, &s, &id, err, sizeof err), 0);
    return id;
}

/* The commands of server's next release. */
static Disco__Control__BarrierRelease release_for(struct fixture *f, unsigned server)
{
    Disco__Control__BarrierRelease rel = DISCO__CONTROL__BARRIER_RELEASE__INIT;
    vm_run_fill_release(f->run, server, &rel);
    return rel;
}

static void arrive(struct fixture *f, unsigned server, Disco__Control__VmReport *rep)
{
    Disco__Control__BarrierArrive a = DISCO__CONTROL__BARRIER_ARRIVE__INIT;
    Disco__Control__VmReport *ptr[1] = {rep};
    a.server_index = server;
    a.n_vms = 1;
    a.vms = ptr;
    vm_run_arrive(f->run, &a);
}

static void report_end(struct fixture *f, unsigned server, uint32_t id, int status,
                       const char *reason)
{
    Disco__Control__VmReport r = DISCO__CONTROL__VM_REPORT__INIT;
    r.vm_id = id;
    r.has_ended = r.has_exited = r.has_exit_status = true;
    r.ended = true;
    r.exited = status >= 0;
    r.exit_status = status;
    r.reason = (char *)reason;
    arrive(f, server, &r);
}

static void test_placement_and_commands(void **state)
{
    (void)state;
    struct fixture *f = setup();
    uint32_t a = submit(f, 1, -1, 0); /* node 0 */
    uint32_t b = submit(f, 1, -1, 0); /* node 1: least loaded */
    uint32_t c = submit(f, 3, -1, 0); /* node 2's CPUs, spilling to node 3 */
    uint32_t d = submit(f, 2, 1, 0);  /* pinned to node 1: its idle CPU first */
    char err[200];
    uint32_t id;
    struct vm_run_spec big = {
        .elf = fake_elf, .elf_len = 64, .memory_bytes = 4096, .vcpus = 5, .first_node = -1};
    assert_int_equal(vm_run_submit(f->run, &big, &id, err, sizeof err), DISCO_EINVAL);
    assert_non_null(strstr(err, "1 to 4 CPUs"));
    big.vcpus = 1;
    big.memory_bytes = 256u << 20;
    assert_int_equal(vm_run_submit(f->run, &big, &id, err, sizeof err), DISCO_EINVAL);

    Disco__Control__BarrierRelease r0 = release_for(f, 0);
    assert_int_equal(r0.n_commands, 3);
    const Disco__Control__VmSpec *s = r0.commands[0]->create;
    assert_int_equal(s->vm_id, a);
    assert_int_equal(s->n_vcpu_cpu, 1);
    assert_int_equal(s->vcpu_cpu[0], 0);
    assert_int_equal(s->elf.len, sizeof fake_elf);
    assert_string_equal(s->name, "vm1");
    s = r0.commands[1]->create;
    assert_int_equal(s->vm_id, b);
    assert_int_equal(s->vcpu_cpu[0], 2);
    s = r0.commands[2]->create;
    assert_int_equal(s->vm_id, d);
    assert_int_equal(s->n_vcpu_cpu, 2);
    assert_int_equal(s->vcpu_cpu[0], 3);
    assert_int_equal(s->vcpu_cpu[1], 2);
    Disco__Control__BarrierRelease r1 = release_for(f, 1);
    assert_int_equal(r1.n_commands, 1);
    s = r1.commands[0]->create;
    assert_int_equal(s->vm_id, c);
    assert_int_equal(s->n_vcpu_cpu, 3);
    assert_int_equal(s->vcpu_cpu[0], 4);
    assert_int_equal(s->vcpu_cpu[1], 5);
    assert_int_equal(s->vcpu_cpu[2], 6);
    /* Sent once. */
    assert_int_equal(release_for(f, 0).n_commands, 0);

    /* A stop goes to the owner only. */
    assert_int_equal(vm_run_stop(f->run, b), 0);
    assert_int_equal(release_for(f, 1).n_commands, 0);
    r0 = release_for(f, 0);
    assert_int_equal(r0.n_commands, 1);
    assert_int_equal(r0.commands[0]->body_case, DISCO__CONTROL__VM_COMMAND__BODY_STOP);
    assert_int_equal(r0.commands[0]->stop, b);
    assert_int_equal(vm_run_stop(f->run, 99), DISCO_ENOENT);

    /* A statistics request goes to every server's release of the next quantum only. */
    vm_run_request_stats(f->run);
    assert_false(vm_run_release(f->run, 0));
    assert_true(release_for(f, 0).want_vm_stats);
    assert_true(release_for(f, 1).want_vm_stats);
    assert_false(vm_run_release(f->run, 1));
    assert_false(release_for(f, 0).want_vm_stats);
    teardown(f);
}

static void test_reports_and_batch_end(void **state)
{
    (void)state;
    struct fixture *f = setup();
    uint32_t a = submit(f, 1, 0, 0);
    uint32_t b = submit(f, 1, 2, 0);
    uint32_t later = submit(f, 1, -1, a); /* waits for a */
    release_for(f, 0);
    release_for(f, 1);
    assert_false(vm_run_release(f->run, 0));

    Disco__Control__VmReport r = DISCO__CONTROL__VM_REPORT__INIT;
    r.vm_id = a;
    r.has_console = true;
    r.console.data = (uint8_t *)"hel";
    r.console.len = 3;
    arrive(f, 0, &r);
    r.console.data = (uint8_t *)"lo\nwor";
    r.console.len = 6;
    arrive(f, 0, &r);
    arrive(f, 1, &r); /* a report for a VM of another server is ignored */
    fflush(f->con);
    assert_string_equal(f->console, "vm1: hello\n");

    report_end(f, 0, a, 0, "exit 0");
    fflush(f->con);
    assert_string_equal(f->console, "vm1: hello\nvm1: wor\n");
    /* a ended: the waiting VM is placed on the least-loaded node and created. */
    Disco__Control__BarrierRelease r0 = release_for(f, 0);
    assert_int_equal(r0.n_commands, 1);
    assert_int_equal(r0.commands[0]->create->vm_id, later);
    assert_int_equal(r0.commands[0]->create->vcpu_cpu[0], 0);

    Disco__Control__VmReport refused = DISCO__CONTROL__VM_REPORT__INIT;
    refused.vm_id = b;
    refused.error = "bad kernel";
    arrive(f, 1, &refused);
    assert_false(vm_run_release(f->run, 1));
    report_end(f, 0, later, 3, "exit 3");
    assert_true(vm_run_release(f->run, 2));

    char path[] = "/tmp/test-vm-run-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *out = tmpfile();
    assert_int_equal(vm_run_finish(f->run, out, path), 1);
    FILE *jf = fdopen(fd, "r");
    char json[8192] = "";
    size_t n = fread(json, 1, sizeof json - 1, jf);
    json[n] = '\0';
    fclose(jf);
    unlink(path);
    assert_non_null(strstr(json, "\"reason\": \"refused: bad kernel\""));
    assert_non_null(strstr(json, "\"exit_status\": 3"));
    assert_non_null(strstr(json, "\"monitor_cycles_by_group\""));
    fclose(out);
    teardown(f);
}

static void test_all_exit_zero_is_success(void **state)
{
    (void)state;
    struct fixture *f = setup();
    uint32_t a = submit(f, 2, -1, 0);
    release_for(f, 0);
    Disco__Control__VmReport r = DISCO__CONTROL__VM_REPORT__INIT;
    Disco__Control__VmStats st = DISCO__CONTROL__VM_STATS__INIT;
    Disco__Control__VmCauseStat tlb = DISCO__CONTROL__VM_CAUSE_STAT__INIT;
    Disco__Control__VmCauseStat *causes[1] = {&tlb};
    tlb.action = "tlb_miss_emulate";
    tlb.count = 10;
    tlb.cycles = 500;
    st.instructions = 1234;
    st.n_causes = 1;
    st.causes = causes;
    r.vm_id = a;
    r.stats = &st;
    r.has_ended = r.has_exited = r.has_exit_status = true;
    r.ended = r.exited = true;
    r.reason = "exit 0";
    arrive(f, 0, &r);
    assert_true(vm_run_release(f->run, 5));
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(vm_run_finish(f->run, out, NULL), 0);
    fclose(out);
    assert_non_null(strstr(text, "exit 0"));
    assert_non_null(strstr(text, "1234"));
    assert_non_null(strstr(text, "tlb_miss 500"));
    free(text);
    teardown(f);
}

static void put32(uint8_t *p, uint32_t v, bool be)
{
    for (unsigned i = 0; i < 4; i++)
        p[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

/* What the service-mode events reported. */
struct seen {
    char console[256];
    size_t console_len;
    unsigned stats, ended;
    uint32_t ended_id;
    struct vm_run_end end;
    uint64_t instructions;
};

static void ev_console(void *arg, uint32_t id, const uint8_t *data, size_t len)
{
    struct seen *s = arg;
    (void)id;
    memcpy(s->console + s->console_len, data, len);
    s->console_len += len;
}

static void ev_stats(void *arg, uint32_t id, const struct vm_run_stats *stats)
{
    struct seen *s = arg;
    (void)id;
    s->stats++;
    s->instructions = stats->instructions;
}

static void ev_ended(void *arg, uint32_t id, const struct vm_run_end *end)
{
    struct seen *s = arg;
    s->ended++;
    s->ended_id = id;
    s->end = *end;
    s->end.stats = NULL;
}

static void test_service_mode(void **state)
{
    (void)state;
    struct seen seen = {0};
    struct vm_run_options o = {
        .total_nodes = 2,
        .cpus_per_node = 1,
        .memory_per_node_bytes = 64u << 20,
        .quantum_cycles = 10000,
        .batch = false,
        .events = {.console = ev_console, .stats = ev_stats, .ended = ev_ended, .arg = &seen}};
    struct vm_run *run = vm_run_create(&o);
    uint32_t first[2] = {0, 1}, count[2] = {1, 1};
    vm_run_set_layout(run, 2, first, count);
    assert_false(vm_run_busy(run));
    struct vm_run_spec spec = {.elf = fake_elf,
                               .elf_len = sizeof fake_elf,
                               .memory_bytes = 16u << 20,
                               .vcpus = 1,
                               .first_node = 1};
    uint32_t id;
    char err[200];
    assert_int_equal(vm_run_submit(run, &spec, &id, err, sizeof err), 0);
    assert_true(vm_run_busy(run));
    /* Input typed before the create went out follows it in the same release. */
    assert_int_equal(vm_run_input(run, id, (const uint8_t *)"hi\n", 3), 0);
    assert_false(vm_run_release(run, 0)); /* a service never ends its run */
    Disco__Control__BarrierRelease rel = DISCO__CONTROL__BARRIER_RELEASE__INIT;
    vm_run_fill_release(run, 0, &rel);
    assert_int_equal(rel.n_commands, 0); /* node 1 is server 1's */
    vm_run_fill_release(run, 1, &rel);
    assert_int_equal(rel.n_commands, 2);
    assert_int_equal(rel.commands[0]->body_case, DISCO__CONTROL__VM_COMMAND__BODY_CREATE);
    assert_int_equal(rel.commands[1]->body_case, DISCO__CONTROL__VM_COMMAND__BODY_INPUT);
    assert_int_equal(rel.commands[1]->input->vm_id, id);
    assert_memory_equal(rel.commands[1]->input->data.data, "hi\n", 3);
    /* Too much input waiting is refused, not queued without bound. */
    static uint8_t big[70000];
    assert_int_equal(vm_run_input(run, id, big, sizeof big), DISCO_EBUSY);
    assert_int_equal(vm_run_input(run, id, (const uint8_t *)"x", 1), 0);
    vm_run_request_stats(run);
    assert_false(vm_run_release(run, 1));
    rel = (Disco__Control__BarrierRelease)DISCO__CONTROL__BARRIER_RELEASE__INIT;
    vm_run_fill_release(run, 1, &rel);
    assert_int_equal(rel.n_commands, 1);
    assert_int_equal(rel.commands[0]->body_case, DISCO__CONTROL__VM_COMMAND__BODY_INPUT);
    assert_true(rel.has_want_vm_stats && rel.want_vm_stats);
    /* Console bytes and statistics go to the events, not to a FILE. */
    Disco__Control__VmStats st = DISCO__CONTROL__VM_STATS__INIT;
    st.instructions = 1234;
    Disco__Control__VmReport rep = DISCO__CONTROL__VM_REPORT__INIT;
    rep.vm_id = id;
    rep.has_console = true;
    rep.console.data = (uint8_t *)"echo: hi\n";
    rep.console.len = 9;
    rep.stats = &st;
    Disco__Control__VmReport *reps[1] = {&rep};
    Disco__Control__BarrierArrive a = DISCO__CONTROL__BARRIER_ARRIVE__INIT;
    a.server_index = 1;
    a.n_vms = 1;
    a.vms = reps;
    vm_run_arrive(run, &a);
    assert_int_equal(seen.console_len, 9);
    assert_memory_equal(seen.console, "echo: hi\n", 9);
    assert_int_equal(seen.stats, 1);
    assert_int_equal(seen.instructions, 1234);
    /* Its end: one event with status and the last statistics, then it is forgotten. */
    Disco__Control__VmReport end = DISCO__CONTROL__VM_REPORT__INIT;
    end.vm_id = id;
    end.has_ended = end.ended = true;
    end.has_exited = end.exited = true;
    end.has_exit_status = true;
    end.exit_status = 7;
    reps[0] = &end;
    vm_run_arrive(run, &a);
    assert_int_equal(seen.ended, 1);
    assert_int_equal(seen.ended_id, id);
    assert_true(seen.end.exited);
    assert_int_equal(seen.end.exit_status, 7);
    assert_false(vm_run_busy(run));
    assert_false(vm_run_release(run, 2));
    assert_int_equal(vm_run_input(run, id, (const uint8_t *)"x", 1), DISCO_ENOENT);
    assert_int_equal(vm_run_stop(run, id), DISCO_ENOENT);
    vm_run_arrive(run, &a); /* a late report of a forgotten VM is ignored */
    assert_int_equal(seen.ended, 1);
    /* Ids are not reused. */
    uint32_t id2;
    assert_int_equal(vm_run_submit(run, &spec, &id2, err, sizeof err), 0);
    assert_int_not_equal(id2, id);
    vm_run_destroy(run);
}

static void test_kernel_model(void **state)
{
    (void)state;
    uint8_t elf[64] = {0x7f, 'E', 'L', 'F', 2, 2};
    const char *model;
    bool be;
    char err[100];
    elf[18] = 0, elf[19] = 8; /* EM_MIPS, big-endian */
    put32(elf + 48, 0x30000000u, true);
    assert_int_equal(vm_run_kernel_model(elf, sizeof elf, &model, &be, err, sizeof err), 0);
    assert_string_equal(model, "r10000");
    assert_true(be);
    elf[5] = 1; /* little-endian MIPS64 R2 */
    elf[18] = 8, elf[19] = 0;
    put32(elf + 48, 0x80000000u, false);
    assert_int_equal(vm_run_kernel_model(elf, sizeof elf, &model, &be, err, sizeof err), 0);
    assert_string_equal(model, "mips64r2");
    assert_false(be);
    elf[18] = 62; /* x86-64 */
    assert_int_equal(vm_run_kernel_model(elf, sizeof elf, &model, &be, err, sizeof err),
                     DISCO_EFORMAT);
    elf[0] = 0;
    assert_int_equal(vm_run_kernel_model(elf, sizeof elf, &model, &be, err, sizeof err),
                     DISCO_EFORMAT);
    assert_int_equal(vm_run_kernel_model(elf, 10, &model, &be, err, sizeof err), DISCO_EFORMAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_placement_and_commands),
        cmocka_unit_test(test_reports_and_batch_end),
        cmocka_unit_test(test_all_exit_zero_is_success),
        cmocka_unit_test(test_kernel_model),
        cmocka_unit_test(test_service_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
