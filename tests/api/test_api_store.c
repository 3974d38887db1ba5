/*
 * test_api_store.c - the coordinator's SQLite store: rows round-trip,
 * ownership filters, the restart policy (running jobs re-queued or failed,
 * running VMs failed, attempt limits), uploads completing atomically, and a
 * database of another schema version refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "disco_err.h"
#include "store.h"

static char dir[] = "/tmp/test_api_store-XXXXXX";
static char path[128];

static int setup(void **state)
{
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, sizeof path, "%s/disco.db", dir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct store *fresh(void)
{
    char err[256];
    struct store *st;
    unlink(path);
    char wal[160];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    return st;
}

static Disco__Api__VmSpec vm_spec = DISCO__API__VM_SPEC__INIT;

static uint64_t add_job(struct store *st, const char *owner, Disco__Api__RestartPolicy policy)
{
    Disco__Api__JobSpec spec = DISCO__API__JOB_SPEC__INIT;
    vm_spec.kernel = "00";
    vm_spec.cmdline = "a b";
    spec.vm = &vm_spec;
    spec.has_on_restart = true;
    spec.on_restart = policy;
    uint64_t job, vm;
    assert_int_equal(store_job_insert(st, owner, &spec, 100, &job, &vm), 0);
    return job;
}

/* Marks a job and its VM running, as jobs.c does at start. */
static void start_job(struct store *st, uint64_t id)
{
    struct job_row j;
    struct vm_row v;
    assert_int_equal(store_job_get(st, id, &j), 0);
    assert_int_equal(store_vm_get(st, j.vm_id, &v), 0);
    v.state = DISCO__API__VM_STATE__VM_RUNNING;
    j.state = DISCO__API__JOB_STATE__JOB_RUNNING;
    j.attempts++;
    assert_int_equal(store_vm_update(st, &v), 0);
    assert_int_equal(store_job_update(st, &j), 0);
    vm_row_fini(&v);
    job_row_fini(&j);
}

static void test_round_trip(void **state)
{
    struct store *st = fresh();
    uint64_t id = add_job(st, "alice", DISCO__API__RESTART_POLICY__RESTART_RERUN);
    struct job_row j;
    assert_int_equal(store_job_get(st, id, &j), 0);
    assert_string_equal(j.owner, "alice");
    assert_string_equal(j.spec->vm->cmdline, "a b");
    assert_int_equal(j.state, DISCO__API__JOB_STATE__JOB_QUEUED);
    uint64_t pending;
    assert_int_equal(store_vm_next_pending(st, &pending), 0);
    assert_int_equal(pending, j.vm_id);
    job_row_fini(&j);
    assert_int_equal(store_job_get(st, 999, &j), DISCO_ENOENT);
    store_close(st);
}

static int count_job(void *arg, const struct job_row *row)
{
    (*(unsigned *)arg)++;
    return 0;
}

static void test_owner_filter(void **state)
{
    struct store *st = fresh();
    add_job(st, "alice", 0);
    add_job(st, "bob", 0);
    add_job(st, "alice", 0);
    unsigned n = 0;
    assert_int_equal(store_job_list(st, "alice", 100, count_job, &n), 0);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(store_job_list(st, NULL, 100, count_job, &n), 0);
    assert_int_equal(n, 3);
    store_close(st);
}

static void test_restart_policy(void **state)
{
    struct store *st = fresh();
    uint64_t rerun = add_job(st, "a", DISCO__API__RESTART_POLICY__RESTART_RERUN);
    uint64_t fail = add_job(st, "a", DISCO__API__RESTART_POLICY__RESTART_FAIL);
    uint64_t queued = add_job(st, "a", DISCO__API__RESTART_POLICY__RESTART_RERUN);
    uint64_t vm;
    assert_int_equal(store_vm_insert(st, "a", &vm_spec, 0, 100, &vm), 0);
    struct vm_row v;
    assert_int_equal(store_vm_get(st, vm, &v), 0);
    v.state = DISCO__API__VM_STATE__VM_RUNNING;
    assert_int_equal(store_vm_update(st, &v), 0);
    vm_row_fini(&v);
    start_job(st, rerun);
    start_job(st, fail);
    struct recover_report rep;
    assert_int_equal(store_recover(st, 2, 200, &rep), 0);
    assert_int_equal(rep.requeued_jobs, 1);
    assert_int_equal(rep.failed_jobs, 1);
    assert_int_equal(rep.failed_vms, 3); /* the plain VM and both jobs' VMs */
    assert_int_equal(rep.pending, 2);    /* the re-queued job's new VM and the queued job's */
    struct job_row j;
    assert_int_equal(store_job_get(st, rerun, &j), 0);
    assert_int_equal(j.state, DISCO__API__JOB_STATE__JOB_QUEUED);
    assert_non_null(strstr(j.reason, "queued again"));
    uint64_t first_vm = j.vm_id;
    job_row_fini(&j);
    assert_int_equal(store_job_get(st, fail, &j), 0);
    assert_int_equal(j.state, DISCO__API__JOB_STATE__JOB_FAILED);
    assert_int_equal(j.verdict, DISCO__API__VERDICT__VERDICT_ERROR);
    assert_non_null(strstr(j.reason, "restart policy: fail"));
    job_row_fini(&j);
    assert_int_equal(store_job_get(st, queued, &j), 0);
    assert_int_equal(j.state, DISCO__API__JOB_STATE__JOB_QUEUED);
    job_row_fini(&j);
    /* A second crash during the second attempt reaches the attempt limit. */
    start_job(st, rerun);
    assert_int_equal(store_recover(st, 2, 300, &rep), 0);
    assert_int_equal(store_job_get(st, rerun, &j), 0);
    assert_int_equal(j.state, DISCO__API__JOB_STATE__JOB_FAILED);
    assert_non_null(strstr(j.reason, "attempt limit"));
    assert_true(j.vm_id != first_vm || j.attempts == 2);
    job_row_fini(&j);
    store_close(st);
}

static void test_upload_finish(void **state)
{
    struct store *st = fresh();
    struct upload_row up = {
        .sha256 = "ab", .owner = "alice", .name = "k", .size = 10, .received = 4};
    assert_int_equal(store_upload_put(st, &up), 0);
    struct upload_row got;
    assert_int_equal(store_upload_get(st, "ab", "alice", &got), 0);
    assert_int_equal(got.received, 4);
    assert_int_equal(store_upload_get(st, "ab", "bob", &got), DISCO_ENOENT);
    struct image_row img = {.sha256 = "ab", .owner = "alice", .name = "k", .size = 10};
    assert_int_equal(store_upload_finish(st, &img), 0);
    assert_int_equal(store_upload_get(st, "ab", "alice", &got), DISCO_ENOENT);
    struct image_row have;
    assert_int_equal(store_image_get(st, "ab", "alice", &have), 0);
    assert_int_equal(store_image_get(st, "ab", "bob", &have), DISCO_ENOENT);
    unsigned owners;
    assert_int_equal(store_image_owners(st, "ab", &owners), 0);
    assert_int_equal(owners, 1);
    store_close(st);
}

static void test_schema_version(void **state)
{
    struct store *st = fresh();
    store_close(st);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "UPDATE meta SET value='99' WHERE key='schema_version'", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    char err[256];
    assert_int_equal(store_open(path, &st, err, sizeof err), DISCO_EFORMAT);
    assert_non_null(strstr(err, "99"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_owner_filter),
        cmocka_unit_test(test_restart_policy), cmocka_unit_test(test_upload_finish),
        cmocka_unit_test(test_schema_version),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
