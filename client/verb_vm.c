/*
 * verb_vm.c - `discoctl vm submit|list|show|stop|destroy|console`: VMs
 * (Disco VMs on the node servers, see docs/api.md) and their consoles:
 * `vm console` is interactive on a terminal (stdin to the VM, output to
 * stdout) and takes input from a pipe with --input.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "disco_err.h"
#include "verbs.h"

static void print_vm_row(const Disco__Api__Vm *v)
{
    char when[32], console[16];
    cli_time(v->created_unix, when, sizeof when);
    cli_bytes(v->console_bytes, console, sizeof console);
    printf("%-6llu %-10s %-12s %-14s %-8s %-6s %s\n", (unsigned long long)v->id,
           cli_enum(&disco__api__vm_state__descriptor, v->state, "VM_"), v->owner, when, console,
           v->has_job_id ? "job" : "-", v->spec->name ? v->spec->name : "");
}

static void print_vm(const Disco__Api__Vm *v)
{
    char t1[32], t2[32], t3[32];
    cli_time(v->created_unix, t1, sizeof t1);
    cli_time(v->has_started_unix ? v->started_unix : 0, t2, sizeof t2);
    cli_time(v->has_ended_unix ? v->ended_unix : 0, t3, sizeof t3);
    printf("vm        %llu%s%s\n", (unsigned long long)v->id, v->spec->name ? "  " : "",
           v->spec->name ? v->spec->name : "");
    printf("owner     %s\n", v->owner);
    printf("state     %s%s%s\n", cli_enum(&disco__api__vm_state__descriptor, v->state, "VM_"),
           v->reason ? ": " : "", v->reason ? v->reason : "");
    printf("image     %s\n", v->spec->kernel);
    printf("args      %s\n", v->spec->cmdline ? v->spec->cmdline : "");
    printf("resources %u MiB, %u vCPU(s)", v->spec->memory_mib, v->spec->vcpus);
    for (size_t i = 0; i < v->spec->n_placement; i++)
        printf("%s%u", i ? "," : ", nodes ", v->spec->placement[i]);
    printf("\ntimes     created %s, started %s, ended %s\n", t1, t2, t3);
    if (v->has_exit_status)
        printf("exit      status %d\n", v->exit_status);
    if (v->has_exit_signal)
        printf("exit      signal %d\n", v->exit_signal);
    if (v->has_job_id)
        printf("job       %llu\n", (unsigned long long)v->job_id);
    printf("console   %llu bytes\n", (unsigned long long)v->console_bytes);
}

static int show_vm_message(ProtobufCMessage *m)
{
    if (cli.json)
        disco_json_write(stdout, m, 2);
    else
        print_vm((const Disco__Api__Vm *)m);
    protobuf_c_message_free_unpacked(m, NULL);
    return EXIT_OK;
}

static int vm_submit(struct disco_client *c, int argc, char **argv)
{
    static const struct option longopts[] = {CLI_VM_LONGOPTS, {0, 0, 0, 0}};
    struct cli_vm_options o;
    int opt, rv;
    cli_vm_options_init(&o);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1)
        if (cli_vm_option(&o, opt, optarg) != 1)
            return EXIT_USAGE;
    if (optind + 1 != argc) {
        fprintf(stderr, "discoctl vm submit: give one IMAGE (SHA-256 or file)\n");
        return EXIT_USAGE;
    }
    if ((rv = cli_resolve_image(c, argv[optind], &o)) != 0)
        return rv;
    Disco__Api__SubmitVmRequest q = DISCO__API__SUBMIT_VM_REQUEST__INIT;
    q.spec = &o.spec;
    ProtobufCMessage *m;
    if ((rv = cli_call(c, "Vms", "SubmitVm", &q.base, &disco__api__vm__descriptor, &m)) != 0)
        return rv;
    if (!cli.json) {
        printf("%llu\n", (unsigned long long)((Disco__Api__Vm *)m)->id);
        protobuf_c_message_free_unpacked(m, NULL);
        return EXIT_OK;
    }
    return show_vm_message(m);
}

static int vm_list(struct disco_client *c, int argc, char **argv)
{
    Disco__Api__ListVmsRequest q = DISCO__API__LIST_VMS_REQUEST__INIT;
    if (argc == 2 && strcmp(argv[1], "--all") == 0) {
        q.has_all_users = q.all_users = true;
    } else if (argc > 1) {
        fprintf(stderr, "discoctl vm list: only --all\n");
        return EXIT_USAGE;
    }
    ProtobufCMessage *m;
    int rv = cli_call(c, "Vms", "ListVms", &q.base, &disco__api__list_vms_response__descriptor, &m);
    if (rv != 0)
        return rv;
    const Disco__Api__ListVmsResponse *r = (const Disco__Api__ListVmsResponse *)m;
    if (cli.json) {
        disco_json_write(stdout, m, 2);
    } else {
        printf("%-6s %-10s %-12s %-14s %-8s %-6s %s\n", "ID", "STATE", "OWNER", "CREATED",
               "CONSOLE", "JOB", "NAME");
        for (size_t i = 0; i < r->n_vms; i++)
            print_vm_row(r->vms[i]);
    }
    protobuf_c_message_free_unpacked(m, NULL);
    return EXIT_OK;
}

/* show, stop and destroy: one VM id. */
static int vm_by_id(struct disco_client *c, int argc, char **argv, const char *method)
{
    uint64_t id;
    if (argc != 2 || cli_number(argv[1], "the VM id", 1, UINT64_MAX, &id) != 0) {
        fprintf(stderr, "discoctl vm %s: give one VM id\n", argv[0]);
        return EXIT_USAGE;
    }
    Disco__Api__VmRef q = DISCO__API__VM_REF__INIT;
    q.id = id;
    ProtobufCMessage *m;
    bool destroy = strcmp(method, "DestroyVm") == 0;
    int rv = cli_call(
        c, "Vms", method, &q.base,
        destroy ? &disco__api__destroy_vm_response__descriptor : &disco__api__vm__descriptor, &m);
    if (rv != 0)
        return rv;
    if (destroy || strcmp(method, "StopVm") == 0) {
        protobuf_c_message_free_unpacked(m, NULL);
        return EXIT_OK;
    }
    return show_vm_message(m);
}

static int vm_show(struct disco_client *c, int argc, char **argv)
{
    return vm_by_id(c, argc, argv, "GetVm");
}

static int vm_stop(struct disco_client *c, int argc, char **argv)
{
    return vm_by_id(c, argc, argv, "StopVm");
}

static int vm_destroy(struct disco_client *c, int argc, char **argv)
{
    return vm_by_id(c, argc, argv, "DestroyVm");
}

static int print_chunk(void *arg, const ProtobufCMessage *m)
{
    const Disco__Api__ConsoleChunk *chunk = (const Disco__Api__ConsoleChunk *)m;
    if (chunk->data.len) /* an empty chunk is the server saying it is still there */
        fwrite(chunk->data.data, 1, chunk->data.len, stdout);
    fflush(stdout);
    return 0;
}

/* Sends len bytes of console input, retrying while the VM's input is full. */
static int send_input(struct disco_client *c, uint64_t id, const uint8_t *data, size_t len)
{
    Disco__Api__WriteConsoleRequest w = DISCO__API__WRITE_CONSOLE_REQUEST__INIT;
    w.id = id;
    w.data.data = (uint8_t *)data;
    w.data.len = len;
    for (int attempt = 0;; attempt++) {
        ProtobufCMessage *m;
        struct disco_error err;
        int rv = disco_call(c, "Vms", "WriteConsole", &w.base,
                            &disco__api__write_console_response__descriptor, &m, &err);
        if (rv == 0) {
            protobuf_c_message_free_unpacked(m, NULL);
            return EXIT_OK;
        }
        if (strcmp(err.code, "resource_exhausted") != 0 || attempt == 100)
            return cli_fail("console input", rv, &err);
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    }
}

/*
 * The input side of an interactive console, in a child process with its
 * own connection: stdin (a line at a time on a terminal) to the VM until
 * end of input. The parent streams the output meanwhile.
 */
static pid_t start_input(uint64_t id)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    struct disco_client *c = cli_connect();
    if (c == NULL)
        _exit(EXIT_UNAVAILABLE);
    uint8_t buf[4096];
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (send_input(c, id, buf, (size_t)n) != EXIT_OK)
            _exit(EXIT_FAILED);
    }
    disco_client_close(c);
    _exit(EXIT_OK);
}

static int vm_console(struct disco_client *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"follow", 0, 0, 'f'}, {"send", 1, 0, 's'}, {"input", 0, 0, 'i'}, {0, 0, 0, 0}};
    const char *send = NULL;
    bool follow = false, input = false;
    uint64_t id;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "fi", longopts, NULL)) != -1) {
        if (opt == 'f')
            follow = true;
        else if (opt == 's')
            send = optarg;
        else if (opt == 'i')
            input = true;
        else
            return EXIT_USAGE;
    }
    if (optind + 1 != argc || cli_number(argv[optind], "the VM id", 1, UINT64_MAX, &id) != 0)
        return EXIT_USAGE;
    if (send) {
        Disco__Api__WriteConsoleRequest w = DISCO__API__WRITE_CONSOLE_REQUEST__INIT;
        w.id = id;
        w.data.data = (uint8_t *)send;
        w.data.len = strlen(send);
        ProtobufCMessage *m;
        int rv = cli_call(c, "Vms", "WriteConsole", &w.base,
                          &disco__api__write_console_response__descriptor, &m);
        if (rv != 0)
            return rv;
        protobuf_c_message_free_unpacked(m, NULL);
        if (!follow)
            return EXIT_OK;
    }
    /* On a terminal without --send, or with --input: stdin goes to the VM. */
    if (!send && !input && isatty(STDIN_FILENO) && !cli.json)
        input = true;
    pid_t child = -1;
    if (input) {
        follow = true;
        if (isatty(STDIN_FILENO))
            fprintf(stderr,
                    "(console of VM %llu: typed lines go to the VM; Ctrl-D ends input, "
                    "Ctrl-C leaves)\n",
                    (unsigned long long)id);
        if ((child = start_input(id)) < 0) {
            perror("discoctl: fork");
            return EXIT_FAILED;
        }
    }
    Disco__Api__StreamConsoleRequest q = DISCO__API__STREAM_CONSOLE_REQUEST__INIT;
    q.id = id;
    q.has_follow = true;
    q.follow = follow;
    struct disco_error err;
    int rv = disco_stream(c, "Vms", "StreamConsole", &q.base,
                          &disco__api__console_chunk__descriptor, print_chunk, NULL, &err);
    if (child > 0) {
        /* The VM ended (or the stream failed): no more input for it. */
        int st = 0;
        if (waitpid(child, &st, WNOHANG) == 0) {
            kill(child, SIGTERM);
            waitpid(child, &st, 0);
        } else if (rv == 0 && WIFEXITED(st) && WEXITSTATUS(st) != EXIT_OK) {
            return WEXITSTATUS(st);
        }
    }
    return rv == 0 ? EXIT_OK : cli_fail("console", rv, &err);
}

static const struct cli_action actions[] = {{"submit", vm_submit},   {"list", vm_list},
                                            {"show", vm_show},       {"stop", vm_stop},
                                            {"destroy", vm_destroy}, {"console", vm_console}};

int verb_vm(int argc, char **argv)
{
    return cli_dispatch("vm", actions, sizeof actions / sizeof actions[0], argc, argv);
}
