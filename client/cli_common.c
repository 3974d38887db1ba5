/*
 * cli_common.c - discoctl's shared machinery (see cli.h). Configuration is
 * taken, first found wins, from flags, the environment (DISCO_URL,
 * DISCO_CERT, DISCO_KEY, DISCO_CA, DISCO_TIMEOUT_MS), the configuration
 * file, and finally the local embedded coordinator's admin identity in
 * ~/.disco/state/tls with its port from ~/.disco/state/api-port.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "disco_err.h"
#include "verbs.h"

#define CONFIG_LINE_MAX 1024

struct cli_global cli = {.timeout_ms = 30000};

static char *dup_or_exit(const char *s)
{
    char *d = strdup(s);
    if (d == NULL) {
        fprintf(stderr, "discoctl: out of memory\n");
        exit(EXIT_FAILED);
    }
    return d;
}

int cli_take_globals(int *argc, char **argv)
{
    static const struct {
        const char *name;
        const char **dst;
    } valued[] = {{"--url", &cli.url},
                  {"--cert", &cli.cert},
                  {"--key", &cli.key},
                  {"--ca", &cli.ca},
                  {"--config", &cli.config}};
    int out = 1;
    bool no_progress = false;
    const char *timeout = NULL;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        bool taken = false;
        for (unsigned k = 0; k < sizeof valued / sizeof valued[0]; k++) {
            size_t n = strlen(valued[k].name);
            if (strncmp(a, valued[k].name, n) == 0 && (a[n] == '\0' || a[n] == '=')) {
                if (a[n] == '=') {
                    *valued[k].dst = a + n + 1;
                } else if (i + 1 < *argc) {
                    *valued[k].dst = argv[++i];
                } else {
                    fprintf(stderr, "discoctl: %s needs a value\n", valued[k].name);
                    return -1;
                }
                taken = true;
            }
        }
        if (strcmp(a, "--timeout") == 0 && i + 1 < *argc) {
            timeout = argv[++i];
            taken = true;
        } else if (strcmp(a, "--json") == 0) {
            cli.json = taken = true;
        } else if (strcmp(a, "--no-progress") == 0) {
            no_progress = taken = true;
        }
        if (!taken)
            argv[out++] = argv[i];
    }
    argv[out] = NULL;
    *argc = out;
    if (timeout == NULL)
        timeout = getenv("DISCO_TIMEOUT_MS");
    uint64_t ms;
    if (timeout && cli_number(timeout, "--timeout", 1, 86400000, &ms) != 0)
        return -1;
    if (timeout)
        cli.timeout_ms = (int)ms;
    cli.progress = !no_progress && !cli.json && isatty(2);
    return 0;
}

/* Reads 'key = value' lines of the configuration file into unset settings. */
static int read_config(const char *path, bool must_exist)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        if (!must_exist)
            return 0;
        fprintf(stderr, "discoctl: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[CONFIG_LINE_MAX];
    unsigned lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || *p == '\0')
            continue;
        char key[32], value[CONFIG_LINE_MAX];
        if (sscanf(p, "%31[a-z_] = %1023[^\n]", key, value) != 2) {
            fprintf(stderr, "discoctl: %s:%u: expected 'key = value'\n", path, lineno);
            fclose(f);
            return -1;
        }
        const char **dst = strcmp(key, "url") == 0    ? &cli.url
                           : strcmp(key, "cert") == 0 ? &cli.cert
                           : strcmp(key, "key") == 0  ? &cli.key
                           : strcmp(key, "ca") == 0   ? &cli.ca
                                                      : NULL;
        if (dst == NULL && strcmp(key, "timeout_ms") != 0) {
            fprintf(stderr, "discoctl: %s:%u: unknown key '%s'\n", path, lineno, key);
            fclose(f);
            return -1;
        }
        if (dst && *dst == NULL)
            *dst = dup_or_exit(value);
        else if (dst == NULL)
            cli.timeout_ms = atoi(value) > 0 ? atoi(value) : cli.timeout_ms;
    }
    fclose(f);
    return 0;
}

/* The local embedded coordinator, when nothing else is configured. */
static void embedded_default(void)
{
    const char *home = getenv("HOME");
    char path[1024], port[16] = "7443";
    if (home == NULL)
        return;
    snprintf(path, sizeof path, "%s/.disco/state/api-port", home);
    FILE *f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%15s", port) != 1)
            snprintf(port, sizeof port, "7443");
        fclose(f);
    }
    if (cli.url == NULL) {
        snprintf(path, sizeof path, "https://127.0.0.1:%s", port);
        cli.url = dup_or_exit(path);
    }
    static const char *const files[] = {"admin.crt", "admin.key", "ca.crt"};
    const char **dst[] = {&cli.cert, &cli.key, &cli.ca};
    for (unsigned i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/.disco/state/tls/%s", home, files[i]);
        if (*dst[i] == NULL && access(path, R_OK) == 0)
            *dst[i] = dup_or_exit(path);
    }
}

static int configure(void)
{
    if (cli.url == NULL)
        cli.url = getenv("DISCO_URL");
    if (cli.cert == NULL)
        cli.cert = getenv("DISCO_CERT");
    if (cli.key == NULL)
        cli.key = getenv("DISCO_KEY");
    if (cli.ca == NULL)
        cli.ca = getenv("DISCO_CA");
    if (cli.config == NULL)
        cli.config = getenv("DISCO_CONFIG");
    if (cli.config)
        return read_config(cli.config, true);
    const char *home = getenv("HOME");
    if (home) {
        char path[1024];
        snprintf(path, sizeof path, "%s/.config/disco/discoctl.conf", home);
        if (read_config(path, false) != 0)
            return -1;
    }
    if (cli.url == NULL || cli.cert == NULL || cli.key == NULL || cli.ca == NULL)
        embedded_default();
    return 0;
}

struct disco_client *cli_connect(void)
{
    struct disco_client *c;
    struct disco_error err;
    if (configure() != 0)
        exit(EXIT_USAGE);
    struct disco_client_config cfg = {.url = cli.url,
                                      .ca_file = cli.ca,
                                      .cert_file = cli.cert,
                                      .key_file = cli.key,
                                      .timeout_ms = cli.timeout_ms};
    int rv = disco_client_open(&cfg, &c, &err);
    if (rv != 0) {
        fprintf(stderr, "discoctl: %s\n", err.msg);
        exit(rv == DISCO_EINVAL ? EXIT_USAGE : EXIT_UNAVAILABLE);
    }
    return c;
}

int cli_fail(const char *what, int rv, const struct disco_error *err)
{
    cli_progress_done();
    if (err->http_status)
        fprintf(stderr, "discoctl: %s: %s (%s, HTTP %d)\n", what, err->msg, err->code,
                err->http_status);
    else
        fprintf(stderr, "discoctl: %s: %s\n", what, err->msg);
    switch (rv) {
    case DISCO_ENET:
    case DISCO_ETLS:
    case DISCO_ECLOSED:
    case DISCO_EPROTO: return EXIT_UNAVAILABLE;
    case DISCO_EAUTH: return EXIT_DENIED;
    case DISCO_ENOENT: return EXIT_NOT_FOUND;
    case DISCO_ETIMEDOUT: return EXIT_TIMEOUT;
    case DISCO_EINVAL: return err->http_status ? EXIT_FAILED : EXIT_USAGE;
    default: return EXIT_FAILED;
    }
}

int cli_call(struct disco_client *c, const char *service, const char *method,
             const ProtobufCMessage *request, const ProtobufCMessageDescriptor *desc,
             ProtobufCMessage **response)
{
    struct disco_error err;
    int rv = disco_call(c, service, method, request, desc, response, &err);
    if (rv == 0)
        return 0;
    char what[96];
    snprintf(what, sizeof what, "%s/%s", service, method);
    return cli_fail(what, rv, &err);
}

bool cli_wants_help(int argc, char **argv, const char *verb)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            discoctl_verb_usage(verb, stdout);
            return true;
        }
    }
    return false;
}

int cli_number(const char *text, const char *what, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*text == '\0' || *text == '-' || *end != '\0' || errno || v < min || v > max) {
        fprintf(stderr, "discoctl: %s must be a number from %llu to %llu, not '%s'\n", what,
                (unsigned long long)min, (unsigned long long)max, text);
        return -1;
    }
    *out = v;
    return 0;
}

/* ------------------------------------------------------------ output */

static bool progress_shown;

void cli_progress(void *label, uint64_t done, uint64_t total)
{
    if (!cli.progress)
        return;
    const int width = 30;
    int fill = total ? (int)((double)done / (double)total * width) : 0;
    if (fill > width)
        fill = width;
    char bar[64];
    memset(bar, '#', (size_t)fill);
    memset(bar + fill, '.', (size_t)(width - fill));
    bar[width] = '\0';
    fprintf(stderr, "\r%-10s [%s] %3d%%", (const char *)label, bar,
            total ? (int)(100.0 * (double)done / (double)total) : 0);
    fflush(stderr);
    progress_shown = true;
}

void cli_progress_done(void)
{
    if (progress_shown)
        fputc('\n', stderr);
    progress_shown = false;
}

const char *cli_enum(const ProtobufCEnumDescriptor *d, int value, const char *strip)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(d, value);
    if (v == NULL)
        return "?";
    size_t n = strlen(strip);
    return strncmp(v->name, strip, n) == 0 ? v->name + n : v->name;
}

void cli_time(int64_t t, char *buf, size_t len)
{
    if (t == 0) {
        snprintf(buf, len, "-");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, len, "%m-%d %H:%M:%S", &tm);
}

void cli_bytes(uint64_t n, char *buf, size_t len)
{
    if (n >= (1u << 20))
        snprintf(buf, len, "%.1fM", (double)n / 1048576.0);
    else if (n >= 1024)
        snprintf(buf, len, "%.1fK", (double)n / 1024.0);
    else
        snprintf(buf, len, "%llu", (unsigned long long)n);
}

/* ------------------------------------------------------------ VM options */

void cli_vm_options_init(struct cli_vm_options *o)
{
    memset(o, 0, sizeof *o);
    o->spec = (Disco__Api__VmSpec)DISCO__API__VM_SPEC__INIT;
    o->spec.placement = o->placement;
    o->spec.disks = o->disks;
    o->kind = DISCO__API__IMAGE_KIND__KIND_PROGRAM;
}

int cli_parse_kind(const char *text, Disco__Api__ImageKind *kind)
{
    if (strcmp(text, "program") == 0)
        *kind = DISCO__API__IMAGE_KIND__KIND_PROGRAM;
    else if (strcmp(text, "kernel") == 0)
        *kind = DISCO__API__IMAGE_KIND__KIND_KERNEL;
    else if (strcmp(text, "disk") == 0)
        *kind = DISCO__API__IMAGE_KIND__KIND_DISK;
    else {
        fprintf(stderr, "discoctl: --kind is program, kernel or disk, not '%s'\n", text);
        return -1;
    }
    return 0;
}

Disco__Api__ImageKind cli_guess_kind(const char *path)
{
    uint8_t h[64];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(h, 1, sizeof h, f) : 0;
    if (f)
        fclose(f);
    if (n < 52 || memcmp(h, "\177ELF", 4) != 0)
        return DISCO__API__IMAGE_KIND__KIND_DISK;
    bool is64 = h[4] == 2, be = h[5] == 2;
    unsigned size = is64 ? 8 : 4;
    uint64_t entry = 0;
    for (unsigned i = 0; i < size; i++)
        entry |= (uint64_t)h[24 + (be ? size - 1 - i : i)] << (8 * i);
    if (!is64 && (entry & 0x80000000u))
        entry |= 0xffffffff00000000ull; /* 32-bit addresses are sign-extended */
    return entry >= 0xffffffff80000000ull ? DISCO__API__IMAGE_KIND__KIND_KERNEL
                                          : DISCO__API__IMAGE_KIND__KIND_PROGRAM;
}

int cli_vm_option(struct cli_vm_options *o, int opt, const char *arg)
{
    uint64_t v;
    Disco__Api__VmSpec *s = &o->spec;
    switch (opt) {
    case CLI_OPT_ARGS:
    case CLI_OPT_APPEND: s->cmdline = (char *)arg; return 1;
    case CLI_OPT_INITRD: s->initrd = (char *)arg; return 1;
    case CLI_OPT_NAME: s->name = (char *)arg; return 1;
    case CLI_OPT_MEMORY:
        if (cli_number(arg, "--memory", 1, 1u << 20, &v) != 0)
            return -1;
        s->has_memory_mib = true;
        s->memory_mib = (uint32_t)v;
        return 1;
    case CLI_OPT_VCPUS:
        if (cli_number(arg, "--vcpus", 1, 4096, &v) != 0)
            return -1;
        s->has_vcpus = true;
        s->vcpus = (uint32_t)v;
        return 1;
    case CLI_OPT_NODE:
        if (s->n_placement == sizeof o->placement / sizeof o->placement[0] ||
            cli_number(arg, "--node", 0, 65535, &v) != 0)
            return -1;
        o->placement[s->n_placement++] = (uint32_t)v;
        return 1;
    case CLI_OPT_DISK:
        if (s->n_disks == sizeof o->disks / sizeof o->disks[0])
            return -1;
        o->disks[s->n_disks++] = (char *)arg;
        return 1;
    case CLI_OPT_MAXINSNS:
        if (cli_number(arg, "--max-insns", 0, UINT64_MAX, &v) != 0)
            return -1;
        s->has_max_instructions = true;
        s->max_instructions = v;
        return 1;
    case CLI_OPT_MAXCYCLES:
        if (cli_number(arg, "--max-cycles", 0, UINT64_MAX, &v) != 0)
            return -1;
        s->has_max_cycles = true;
        s->max_cycles = v;
        return 1;
    case CLI_OPT_KIND: o->kind_given = true; return cli_parse_kind(arg, &o->kind) == 0 ? 1 : -1;
    default: return 0;
    }
}

static bool is_sha(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

int cli_resolve_image(struct disco_client *c, const char *image, struct cli_vm_options *o)
{
    static char sha[65];
    if (is_sha(image) && access(image, F_OK) != 0) {
        o->spec.kernel = (char *)image;
        return 0;
    }
    struct disco_error err;
    const char *base = strrchr(image, '/');
    if (!o->kind_given)
        o->kind = cli_guess_kind(image);
    int rv = disco_image_push(c, image, o->kind, base ? base + 1 : image, cli_progress,
                              (void *)"upload", sha, &err);
    cli_progress_done();
    if (rv != 0)
        return cli_fail("image push", rv, &err);
    o->spec.kernel = sha;
    return 0;
}

int cli_dispatch(const char *verb, const struct cli_action *table, unsigned count, int argc,
                 char **argv)
{
    if (argc < 2) {
        discoctl_verb_usage(verb, stderr);
        return EXIT_USAGE;
    }
    if (cli_wants_help(argc, argv, verb))
        return EXIT_OK;
    for (unsigned i = 0; i < count; i++) {
        if (strcmp(argv[1], table[i].name) == 0) {
            struct disco_client *c = cli_connect();
            int rv = table[i].run(c, argc - 1, argv + 1);
            disco_client_close(c);
            return rv;
        }
    }
    fprintf(stderr, "discoctl %s: unknown action '%s' (see discoctl %s --help)\n", verb, argv[1],
            verb);
    return EXIT_USAGE;
}
