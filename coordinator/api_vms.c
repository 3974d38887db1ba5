/*
 * api_vms.c - the Vms service: submit, list, get, stop and destroy VMs,
 * write to a VM's console, and stream its console (a server stream that
 * follows the console file while the VM runs). A user reaches only their
 * own VMs; an admin reaches all. Another user's VM answers not_found, so
 * ids do not reveal what others run.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_internal.h"
#include "control_server.h"
#include "disco_err.h"
#include "log.h"
#include "pbcodec.h"
#include "xalloc.h"

#define CONSOLE_CHUNK     (32u << 10)
#define CONSOLE_INPUT_MAX (64u << 10)

/* Loads a VM the caller may reach; answers not_found otherwise. */
static int load_vm(struct api_call *call, uint64_t id, struct vm_row *vm)
{
    if (store_vm_get(call->ctx->store, id, vm) == 0) {
        if (api_may_access(call, vm->owner))
            return 0;
        vm_row_fini(vm);
    }
    api_fail(call, API_NOT_FOUND, "no VM %llu of yours", (unsigned long long)id);
    return -1;
}

static void reply_vm(struct api_call *call, uint64_t id)
{
    struct vm_row vm;
    if (load_vm(call, id, &vm) != 0)
        return;
    Disco__Api__Vm m;
    api_vm_from_row(&vm, api_console_bytes(call->ctx, id), &m);
    api_reply(call, &m.base);
    vm_row_fini(&vm);
}

static void submit_vm(struct api_call *call, const ProtobufCMessage *request)
{
    const Disco__Api__SubmitVmRequest *r = (const Disco__Api__SubmitVmRequest *)request;
    char why[256];
    uint64_t id;
    int rv;
    if ((rv = api_check_vm_spec(call, r->spec, why, sizeof why)) != 0) {
        api_fail(call, rv == DISCO_ENOENT ? API_NOT_FOUND : API_INVALID_ARGUMENT, "%s", why);
        return;
    }
    if ((rv = jobs_submit_vm(call->ctx->jobs, call->user, r->spec, &id)) != 0) {
        api_fail_err(call, rv, "cannot queue the VM");
        return;
    }
    log_info("api: %s submitted vm %llu", call->user, (unsigned long long)id);
    reply_vm(call, id);
}

struct vm_list {
    Disco__Api__Vm *vm;
    Disco__Api__VmSpec **specs; /* copies, the rows are gone after the callback */
    Disco__Api__Vm **ptrs;
    char (*owners)[STORE_NAME_MAX];
    char (*reasons)[STORE_REASON_MAX];
    struct api_context *ctx;
    size_t n, cap;
};

static Disco__Api__VmSpec *copy_spec(const Disco__Api__VmSpec *spec)
{
    uint8_t *buf;
    size_t len;
    ProtobufCMessage *copy = NULL;
    pbcodec_pack(&spec->base, &buf, &len);
    if (pbcodec_unpack(&disco__api__vm_spec__descriptor, buf, len, len + 1, &copy) != 0)
        copy = NULL;
    free(buf);
    return (Disco__Api__VmSpec *)copy;
}

static int collect_vm(void *arg, const struct vm_row *row)
{
    struct vm_list *l = arg;
    if (l->n == l->cap)
        return 1;
    size_t i = l->n;
    api_vm_from_row(row, api_console_bytes(l->ctx, row->id), &l->vm[i]);
    l->specs[i] = copy_spec(row->spec);
    snprintf(l->owners[i], STORE_NAME_MAX, "%s", row->owner);
    snprintf(l->reasons[i], STORE_REASON_MAX, "%s", row->reason);
    l->vm[i].spec = l->specs[i];
    l->vm[i].owner = l->owners[i];
    l->vm[i].reason = row->reason[0] ? l->reasons[i] : NULL;
    if (l->specs[i] == NULL)
        return 0;
    l->ptrs[i] = &l->vm[i];
    l->n++;
    return 0;
}

static void list_vms(struct api_call *call, const ProtobufCMessage *request)
{
    const Disco__Api__ListVmsRequest *r = (const Disco__Api__ListVmsRequest *)request;
    if (r->all_users && !call->admin) {
        api_fail(call, API_PERMISSION_DENIED, "only admins list every user's VMs");
        return;
    }
    struct vm_list l = {.cap = API_MAX_LIST, .ctx = call->ctx};
    l.vm = xcalloc(l.cap, sizeof *l.vm);
    l.specs = xcalloc(l.cap, sizeof *l.specs);
    l.ptrs = xcalloc(l.cap, sizeof *l.ptrs);
    l.owners = xcalloc(l.cap, sizeof *l.owners);
    l.reasons = xcalloc(l.cap, sizeof *l.reasons);
    if (store_vm_list(call->ctx->store, r->all_users ? NULL : call->user, collect_vm, &l) != 0) {
        api_fail(call, API_INTERNAL, "cannot list VMs");
    } else {
        Disco__Api__ListVmsResponse resp = DISCO__API__LIST_VMS_RESPONSE__INIT;
        resp.n_vms = l.n;
        resp.vms = l.ptrs;
        api_reply(call, &resp.base);
    }
    for (size_t i = 0; i < l.n; i++)
        protobuf_c_message_free_unpacked(&l.specs[i]->base, NULL);
    free(l.vm), free(l.specs), free(l.ptrs), free(l.owners), free(l.reasons);
}

static void get_vm(struct api_call *call, const ProtobufCMessage *request)
{
    reply_vm(call, ((const Disco__Api__VmRef *)request)->id);
}

static void stop_vm(struct api_call *call, const ProtobufCMessage *request)
{
    uint64_t id = ((const Disco__Api__VmRef *)request)->id;
    struct vm_row vm;
    if (load_vm(call, id, &vm) != 0)
        return;
    vm_row_fini(&vm);
    int rv = jobs_stop_vm(call->ctx->jobs, id);
    if (rv != 0)
        api_fail_err(call, rv, "cannot stop the VM");
    else
        reply_vm(call, id);
}

static void destroy_vm(struct api_call *call, const ProtobufCMessage *request)
{
    uint64_t id = ((const Disco__Api__VmRef *)request)->id;
    struct vm_row vm;
    if (load_vm(call, id, &vm) != 0)
        return;
    vm_row_fini(&vm);
    int rv = jobs_destroy_vm(call->ctx->jobs, id);
    if (rv == DISCO_EBUSY) {
        api_fail(call, API_FAILED_PRECONDITION, "VM %llu runs a job: cancel the job instead",
                 (unsigned long long)id);
        return;
    }
    if (rv != 0) {
        api_fail_err(call, rv, "cannot destroy the VM");
        return;
    }
    Disco__Api__DestroyVmResponse r = DISCO__API__DESTROY_VM_RESPONSE__INIT;
    api_reply(call, &r.base);
}

static void write_console(struct api_call *call, const ProtobufCMessage *request)
{
    const Disco__Api__WriteConsoleRequest *r = (const Disco__Api__WriteConsoleRequest *)request;
    struct vm_row vm;
    if (load_vm(call, r->id, &vm) != 0)
        return;
    vm_row_fini(&vm);
    if (r->data.len > CONSOLE_INPUT_MAX) {
        api_fail(call, API_OUT_OF_RANGE, "at most %u bytes of console input at once",
                 CONSOLE_INPUT_MAX);
        return;
    }
    int rv = jobs_write_console(call->ctx->jobs, r->id, r->data.data, r->data.len);
    if (rv == DISCO_EBUSY) {
        api_fail(call, API_RESOURCE_EXHAUSTED,
                 "the guest is not reading its console (or its VM waits with 64 KiB); retry");
        return;
    }
    if (rv != 0) {
        api_fail(call, API_FAILED_PRECONDITION, "VM %llu has ended", (unsigned long long)r->id);
        return;
    }
    Disco__Api__WriteConsoleResponse resp = DISCO__API__WRITE_CONSOLE_RESPONSE__INIT;
    resp.written = r->data.len;
    api_reply(call, &resp.base);
}

/* ------------------------------------------------------------ console stream */

/* A silent console still gets a frame this often while the VM runs, so the
 * client's read timeout (discoctl --timeout, 30 s by default) measures a dead
 * coordinator, not a quiet guest. */
#define CONSOLE_KEEPALIVE_MS 10000

struct console_follow {
    uint64_t vm_id, offset;
    bool follow;
    int64_t last_sent_ms;
};

/* Sends up to one chunk of what the console file holds past offset; returns its size. */
static size_t send_console(struct api_stream *s, struct console_follow *f)
{
    char path[600];
    static uint8_t buf[CONSOLE_CHUNK];
    jobs_console_path(api_stream_context(s)->jobs, f->vm_id, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = pread(fd, buf, sizeof buf, (off_t)f->offset);
    close(fd);
    if (n <= 0)
        return 0;
    Disco__Api__ConsoleChunk c = DISCO__API__CONSOLE_CHUNK__INIT;
    c.offset = f->offset;
    c.data.data = buf;
    c.data.len = (size_t)n;
    api_stream_send(s, &c.base);
    f->offset += (uint64_t)n;
    return (size_t)n;
}

static void poll_console(struct api_stream *s, void *arg)
{
    struct console_follow *f = arg;
    struct api_context *ctx = api_stream_context(s);
    /* Whether the VM can still write is read before the file, so no tail is missed. */
    bool live = jobs_vm_active(ctx->jobs, f->vm_id);
    struct vm_row vm;
    int state = -1;
    if (!live && store_vm_get(ctx->store, f->vm_id, &vm) == 0) {
        state = vm.state;
        live = vm.state == DISCO__API__VM_STATE__VM_PENDING;
        vm_row_fini(&vm);
    }
    /* After data, the end frame waits for a later poll: more may be there
     * already, and a chunk, the end frame and the end of the chunked reply
     * written in one go could stay unsent on a busy server (seen with
     * libevent 2.1's TLS bufferevents when a VM's last output and its end
     * arrive together). */
    int64_t now = control_now_ms();
    if (send_console(s, f) > 0) {
        f->last_sent_ms = now;
        return;
    }
    if (!f->follow || !live) {
        api_stream_finish(s, "ok", NULL, state);
    } else if (now - f->last_sent_ms >= CONSOLE_KEEPALIVE_MS) {
        Disco__Api__ConsoleChunk c = DISCO__API__CONSOLE_CHUNK__INIT; /* no bytes */
        c.offset = f->offset;
        api_stream_send(s, &c.base);
        f->last_sent_ms = now;
    }
}

static void stream_console(struct api_call *call, const ProtobufCMessage *request)
{
    const Disco__Api__StreamConsoleRequest *r = (const Disco__Api__StreamConsoleRequest *)request;
    struct vm_row vm;
    if (load_vm(call, r->id, &vm) != 0)
        return;
    vm_row_fini(&vm);
    struct console_follow *f = xcalloc(1, sizeof *f);
    *f = (struct console_follow){
        .vm_id = r->id, .offset = r->offset, .follow = r->follow, .last_sent_ms = control_now_ms()};
    api_stream_start(call, poll_console, free, f);
}

enum { VMS_SUBMIT, VMS_LIST, VMS_GET, VMS_STOP, VMS_DESTROY, VMS_STREAM, VMS_WRITE, VMS_METHODS };
static const struct api_method methods[VMS_METHODS] = {
    [VMS_SUBMIT] = {"SubmitVm", &disco__api__submit_vm_request__descriptor, submit_vm},
    [VMS_LIST] = {"ListVms", &disco__api__list_vms_request__descriptor, list_vms},
    [VMS_GET] = {"GetVm", &disco__api__vm_ref__descriptor, get_vm},
    [VMS_STOP] = {"StopVm", &disco__api__vm_ref__descriptor, stop_vm},
    [VMS_DESTROY] = {"DestroyVm", &disco__api__vm_ref__descriptor, destroy_vm},
    [VMS_STREAM] = {"StreamConsole", &disco__api__stream_console_request__descriptor,
                    stream_console},
    [VMS_WRITE] = {"WriteConsole", &disco__api__write_console_request__descriptor, write_console},
};
const struct api_service api_vms_service = {"Vms", methods, VMS_METHODS};
