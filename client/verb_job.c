/*
 * verb_job.c - `discoctl job submit|list|show|cancel|results`: batch jobs.
 * `job submit --wait` waits for the verdict and returns it as the exit
 * status (0 pass, 1 fail, 3 timeout, 4 canceled or error), printing the
 * console; --junit FILE writes the result as JUnit XML for CI systems.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "disco_err.h"
#include "verbs.h"

static const char *verdict_name(int v)
{
    return cli_enum(&disco__api__verdict__descriptor, v, "VERDICT_");
}

static const char *state_name(int s)
{
    return cli_enum(&disco__api__job_state__descriptor, s, "JOB_");
}

static int verdict_exit(int verdict)
{
    switch (verdict) {
    case DISCO__API__VERDICT__VERDICT_PASS: return EXIT_OK;
    case DISCO__API__VERDICT__VERDICT_FAIL: return EXIT_FAILED;
    case DISCO__API__VERDICT__VERDICT_TIMEOUT: return EXIT_TIMEOUT;
    default: return EXIT_CANCELED;
    }
}

static void print_job(const Disco__Api__Job *j)
{
    char t1[32], t2[32], t3[32];
    cli_time(j->created_unix, t1, sizeof t1);
    cli_time(j->has_started_unix ? j->started_unix : 0, t2, sizeof t2);
    cli_time(j->has_ended_unix ? j->ended_unix : 0, t3, sizeof t3);
    printf("job       %llu%s%s\n", (unsigned long long)j->id, j->spec->name ? "  " : "",
           j->spec->name ? j->spec->name : "");
    printf("owner     %s\n", j->owner);
    printf("state     %s, verdict %s%s%s\n", state_name(j->state), verdict_name(j->verdict),
           j->reason ? ": " : "", j->reason ? j->reason : "");
    printf("image     %s\n", j->spec->vm->kernel);
    printf("args      %s\n", j->spec->vm->cmdline ? j->spec->vm->cmdline : "");
    printf("limit     %u s, on restart: %s\n", j->spec->time_limit_s,
           cli_enum(&disco__api__restart_policy__descriptor, j->spec->on_restart, "RESTART_"));
    printf("attempts  %u (vm %llu)\n", j->attempts, (unsigned long long)j->vm_id);
    printf("times     created %s, started %s, ended %s\n", t1, t2, t3);
    if (j->has_exit_status)
        printf("exit      status %d\n", j->exit_status);
    if (j->has_exit_signal)
        printf("exit      signal %d\n", j->exit_signal);
}

/* ------------------------------------------------------------ JUnit */

/* Writes text as XML character data: no ]]> inside CDATA, no control characters. */
static void xml_cdata(FILE *f, const uint8_t *data, size_t len)
{
    fputs("<![CDATA[", f);
    for (size_t i = 0; i < len; i++) {
        uint8_t ch = data[i];
        if (ch == ']' && i + 2 < len && data[i + 1] == ']' && data[i + 2] == '>') {
            fputs("]]]]><![CDATA[>", f);
            i += 2;
        } else if (ch >= 0x20 || ch == '\n' || ch == '\t' || ch == '\r') {
            fputc(ch, f);
        } else {
            fputc('?', f);
        }
    }
    fputs("]]>", f);
}

static void xml_attr(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc((unsigned char)*s >= 0x20 ? *s : ' ', f);
        }
    }
}

static int write_junit(const char *path, const Disco__Api__JobResults *r)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    const Disco__Api__Job *j = r->job;
    bool pass = j->verdict == DISCO__API__VERDICT__VERDICT_PASS;
    bool fail = j->verdict == DISCO__API__VERDICT__VERDICT_FAIL;
    char name[160];
    snprintf(name, sizeof name, "%s", j->spec->name ? j->spec->name : "");
    if (name[0] == '\0')
        snprintf(name, sizeof name, "job-%llu", (unsigned long long)j->id);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    fprintf(
        f, "  <testsuite name=\"disco\" tests=\"1\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n",
        fail, !pass && !fail, r->wall_seconds);
    fprintf(f, "    <testcase classname=\"disco.job\" name=\"");
    xml_attr(f, name);
    fprintf(f, "\" time=\"%.3f\">\n", r->wall_seconds);
    if (!pass) {
        fprintf(f, "      <%s type=\"%s\" message=\"", fail ? "failure" : "error",
                verdict_name(j->verdict));
        xml_attr(f, j->reason ? j->reason : verdict_name(j->verdict));
        fprintf(f, "\"/>\n");
    }
    fprintf(f, "      <system-out>");
    xml_cdata(f, r->console.data, r->console.len);
    fprintf(f, "</system-out>\n");
    fprintf(f, "      <properties>\n");
    for (size_t i = 0; i < r->n_stats; i++) {
        fprintf(f, "        <property name=\"");
        xml_attr(f, r->stats[i]->name);
        fprintf(f, "\" value=\"%.15g\"/>\n", r->stats[i]->value);
    }
    fprintf(f, "      </properties>\n    </testcase>\n  </testsuite>\n</testsuites>\n");
    return fclose(f) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------ actions */

static int fetch_results(struct disco_client *c, uint64_t id, Disco__Api__JobResults **out)
{
    Disco__Api__JobRef q = DISCO__API__JOB_REF__INIT;
    q.id = id;
    return cli_call(c, "Jobs", "GetResults", &q.base, &disco__api__job_results__descriptor,
                    (ProtobufCMessage **)out);
}

static void print_results(const Disco__Api__JobResults *r, bool console_only)
{
    fwrite(r->console.data, 1, r->console.len, stdout);
    fflush(stdout);
    if (console_only)
        return;
    const Disco__Api__Job *j = r->job;
    fprintf(stderr, "job %llu: %s", (unsigned long long)j->id, verdict_name(j->verdict));
    if (j->reason)
        fprintf(stderr, " (%s)", j->reason);
    fprintf(stderr, ", %.0f s", r->wall_seconds);
    for (size_t i = 0; i < r->n_stats; i++)
        if (strcmp(r->stats[i]->name, "instructions") == 0 ||
            strcmp(r->stats[i]->name, "mips") == 0)
            fprintf(stderr, ", %s %.15g", r->stats[i]->name, r->stats[i]->value);
    fprintf(stderr, "%s\n", r->console_truncated ? " [console truncated]" : "");
}

/* Waits for the job, prints its results and returns the verdict's exit status. */
static int wait_for(struct disco_client *c, uint64_t id, uint64_t wait_timeout_s, const char *junit,
                    bool quiet)
{
    Disco__Api__Job *job;
    struct disco_error err;
    int rv = disco_job_wait(c, id, (int64_t)wait_timeout_s * 1000, cli_progress, (void *)"running",
                            &job, &err);
    cli_progress_done();
    if (job)
        protobuf_c_message_free_unpacked(&job->base, NULL);
    if (rv != 0)
        return cli_fail("waiting for the job", rv, &err);
    Disco__Api__JobResults *r;
    if ((rv = fetch_results(c, id, &r)) != 0)
        return rv;
    if (cli.json)
        disco_json_write(stdout, &r->base, 2);
    else if (!quiet)
        print_results(r, false);
    int status = verdict_exit(r->job->verdict);
    if (junit && write_junit(junit, r) != 0)
        status = EXIT_FAILED;
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return status;
}

static int job_submit(struct disco_client *c, int argc, char **argv)
{
    enum { O_LIMIT = 1, O_RESTART, O_WAIT, O_WAIT_TIMEOUT, O_JUNIT, O_QUIET };
    static const struct option longopts[] = {CLI_VM_LONGOPTS,
                                             {"time-limit", 1, 0, O_LIMIT},
                                             {"on-restart", 1, 0, O_RESTART},
                                             {"wait", 0, 0, O_WAIT},
                                             {"wait-timeout", 1, 0, O_WAIT_TIMEOUT},
                                             {"junit", 1, 0, O_JUNIT},
                                             {"quiet", 0, 0, O_QUIET},
                                             {0, 0, 0, 0}};
    struct cli_vm_options o;
    Disco__Api__JobSpec spec = DISCO__API__JOB_SPEC__INIT;
    bool wait = false, quiet = false;
    uint64_t v, wait_timeout = 0;
    const char *junit = NULL;
    int opt, rv;
    cli_vm_options_init(&o);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int handled = cli_vm_option(&o, opt, optarg);
        if (handled == 1)
            continue;
        if (handled < 0)
            return EXIT_USAGE;
        switch (opt) {
        case O_LIMIT:
            if (cli_number(optarg, "--time-limit", 1, 86400, &v) != 0)
                return EXIT_USAGE;
            spec.has_time_limit_s = true;
            spec.time_limit_s = (uint32_t)v;
            break;
        case O_RESTART:
            if (strcmp(optarg, "rerun") != 0 && strcmp(optarg, "fail") != 0) {
                fprintf(stderr, "discoctl: --on-restart is rerun or fail\n");
                return EXIT_USAGE;
            }
            spec.has_on_restart = true;
            spec.on_restart = strcmp(optarg, "fail") == 0
                                  ? DISCO__API__RESTART_POLICY__RESTART_FAIL
                                  : DISCO__API__RESTART_POLICY__RESTART_RERUN;
            break;
        case O_WAIT: wait = true; break;
        case O_WAIT_TIMEOUT:
            if (cli_number(optarg, "--wait-timeout", 1, 86400 * 7, &wait_timeout) != 0)
                return EXIT_USAGE;
            break;
        case O_JUNIT: junit = optarg; break;
        case O_QUIET: quiet = true; break;
        default: return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "discoctl job submit: give one IMAGE (SHA-256 or file)\n");
        return EXIT_USAGE;
    }
    if (junit && !wait) {
        fprintf(stderr, "discoctl job submit: --junit needs --wait\n");
        return EXIT_USAGE;
    }
    if ((rv = cli_resolve_image(c, argv[optind], &o)) != 0)
        return rv;
    spec.vm = &o.spec;
    spec.name = o.spec.name;
    Disco__Api__SubmitJobRequest q = DISCO__API__SUBMIT_JOB_REQUEST__INIT;
    q.spec = &spec;
    ProtobufCMessage *m;
    if ((rv = cli_call(c, "Jobs", "SubmitJob", &q.base, &disco__api__job__descriptor, &m)) != 0)
        return rv;
    uint64_t id = ((Disco__Api__Job *)m)->id;
    if (!wait) {
        if (cli.json)
            disco_json_write(stdout, m, 2);
        else
            printf("%llu\n", (unsigned long long)id);
    } else if (!cli.json && !quiet) {
        fprintf(stderr, "job %llu submitted\n", (unsigned long long)id);
    }
    protobuf_c_message_free_unpacked(m, NULL);
    return wait ? wait_for(c, id, wait_timeout, junit, quiet) : EXIT_OK;
}

static int job_list(struct disco_client *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"all", 0, 0, 'a'}, {"limit", 1, 0, 'l'}, {0, 0, 0, 0}};
    Disco__Api__ListJobsRequest q = DISCO__API__LIST_JOBS_REQUEST__INIT;
    uint64_t v;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (opt == 'a') {
            q.has_all_users = q.all_users = true;
        } else if (opt == 'l' && cli_number(optarg, "--limit", 1, 1000, &v) == 0) {
            q.has_limit = true;
            q.limit = (uint32_t)v;
        } else {
            return EXIT_USAGE;
        }
    }
    ProtobufCMessage *m;
    int rv =
        cli_call(c, "Jobs", "ListJobs", &q.base, &disco__api__list_jobs_response__descriptor, &m);
    if (rv != 0)
        return rv;
    const Disco__Api__ListJobsResponse *r = (const Disco__Api__ListJobsResponse *)m;
    if (cli.json) {
        disco_json_write(stdout, m, 2);
    } else {
        printf("%-6s %-10s %-8s %-12s %-14s %-4s %s\n", "ID", "STATE", "VERDICT", "OWNER",
               "CREATED", "TRY", "NAME");
        for (size_t i = 0; i < r->n_jobs; i++) {
            const Disco__Api__Job *j = r->jobs[i];
            char when[32];
            cli_time(j->created_unix, when, sizeof when);
            printf("%-6llu %-10s %-8s %-12s %-14s %-4u %s\n", (unsigned long long)j->id,
                   state_name(j->state), verdict_name(j->verdict), j->owner, when, j->attempts,
                   j->spec->name ? j->spec->name : "");
        }
    }
    protobuf_c_message_free_unpacked(m, NULL);
    return EXIT_OK;
}

static int one_id(int argc, char **argv, uint64_t *id)
{
    if (argc < 2 || cli_number(argv[1], "the job id", 1, UINT64_MAX, id) != 0) {
        fprintf(stderr, "discoctl job %s: give one job id\n", argv[0]);
        return -1;
    }
    return 0;
}

static int job_show_or_cancel(struct disco_client *c, int argc, char **argv, const char *method)
{
    uint64_t id;
    if (argc != 2 || one_id(argc, argv, &id) != 0)
        return EXIT_USAGE;
    Disco__Api__JobRef q = DISCO__API__JOB_REF__INIT;
    q.id = id;
    ProtobufCMessage *m;
    int rv = cli_call(c, "Jobs", method, &q.base, &disco__api__job__descriptor, &m);
    if (rv != 0)
        return rv;
    if (cli.json)
        disco_json_write(stdout, m, 2);
    else if (strcmp(method, "GetJob") == 0)
        print_job((const Disco__Api__Job *)m);
    protobuf_c_message_free_unpacked(m, NULL);
    return EXIT_OK;
}

static int job_show(struct disco_client *c, int argc, char **argv)
{
    return job_show_or_cancel(c, argc, argv, "GetJob");
}

static int job_cancel(struct disco_client *c, int argc, char **argv)
{
    return job_show_or_cancel(c, argc, argv, "CancelJob");
}

static int job_results(struct disco_client *c, int argc, char **argv)
{
    uint64_t id;
    bool console_only = argc == 3 && strcmp(argv[2], "--console") == 0;
    if ((argc != 2 && !console_only) || one_id(argc, argv, &id) != 0)
        return EXIT_USAGE;
    Disco__Api__JobResults *r;
    int rv = fetch_results(c, id, &r);
    if (rv != 0)
        return rv;
    if (cli.json)
        disco_json_write(stdout, &r->base, 2);
    else
        print_results(r, console_only);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return EXIT_OK;
}

static const struct cli_action actions[] = {{"submit", job_submit},
                                            {"list", job_list},
                                            {"show", job_show},
                                            {"cancel", job_cancel},
                                            {"results", job_results}};

int verb_job(int argc, char **argv)
{
    return cli_dispatch("job", actions, sizeof actions / sizeof actions[0], argc, argv);
}
