/*
 * disco-coord - the coordinator: assembles the simulated FLASH machine from
 * node servers, lays out node ids and machine memory, watches liveness and
 * shuts the machine down. With --local it starts the node servers itself
 * (the embedded default). With --bare it runs a bare-metal program on the
 * whole machine: ships the ELF in the layout, holds the servers to a quantum
 * barrier of simulated time, prints the console and the statistics and
 * exits with the program's status. With --vm it hosts Disco VMs on the
 * machine instead (vm_run.h): places them, creates them through the
 * barrier, prints their consoles and per-VM statistics and exits 0 if every
 * VM exited with 0. With --serve it also serves the public API
 * (api_server.h) on its own thread until SIGTERM, and the machine is a
 * long-running VM host: the API's VMs and jobs run on the node servers
 * (job_runner.h, vm_service), driven from this thread's barrier callbacks.
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_server.h"
#include "bare_run.h"
#include "job_runner.h"
#include "control_server.h"
#include "disco_err.h"
#include "local_cluster.h"
#include "log.h"
#include "sd_notify.h"
#include "vm_run.h"
#include "xalloc.h"

#define MAX_VMS         64
#define VM_HOST_QUANTUM 100000u /* default quantum when hosting VMs (--vm, --serve) */

/* One --vm KERNEL[,key=value...]. */
struct vm_option {
    const char *kernel;
    uint64_t memory_bytes;
    uint32_t vcpus;
    int32_t node; /* -1: the least-loaded node */
    uint64_t max_cycles;
    const char *name;
    bool no_l2tlb;
    const char *after; /* the name of an earlier --vm: start once it has ended */
    /* A Linux guest (issue 7, docs/linux.md): linux, initrd=, append=, disk=. */
    bool linux_boot;
    const char *initrd, *append, *disk;
    uint32_t net; /* the virtual subnet of its virtio-net device, 0: none */
};

struct options {
    const char *listen_url;
    unsigned servers;
    unsigned local;
    unsigned nodes_per_server;
    unsigned cpus_per_node;
    unsigned memory_per_node_mib;
    unsigned join_timeout_s;
    unsigned heartbeat_timeout_ms;
    unsigned hold_s;
    struct tls_files tls;
    struct tls_files node_tls;
    /* The public API (--serve). */
    bool serve;
    const char *api_listen;
    const char *state_dir;
    struct tls_files api_tls;
    const char *admins[API_MAX_ADMINS];
    unsigned admin_count;
    unsigned max_running;
    unsigned api_timeout_s;
    unsigned image_max_mib;
    const char *cpu_model; /* the VM host's CPUs (--serve) */
    const char *byte_order;
    /* A bare-metal run (--bare). */
    const char *bare;
    const char *transport; /* ipc, tcp, tls */
    uint64_t quantum_cycles;
    bool quantum_given;
    uint64_t max_cycles;
    unsigned timeout_s;
    bool console_prefix;
    /* Disco VMs (--vm), run in batch: the run ends when every VM has ended. */
    struct vm_option vm[MAX_VMS];
    unsigned vm_count;
    const char *stats_json;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: disco-coord [options]\n"
                 "  --local N              start N local node servers (the embedded default)\n"
                 "  --servers N            expect N node servers to register (without --local)\n"
                 "  --listen URL           control endpoint (default ipc in a private directory\n"
                 "                         with --local, else tcp://127.0.0.1:7800)\n"
                 "  --nodes-per-server K   FLASH nodes per local server (default 1)\n"
                 "  --cpus-per-node C      CPUs per FLASH node (default 1)\n"
                 "  --memory-per-node MIB  machine memory per node (default 64)\n"
                 "  --join-timeout S       wait at most S seconds for servers (default 30)\n"
                 "  --heartbeat-timeout MS declare a silent server lost after MS (default 3000)\n"
                 "  --hold S               keep the assembled machine S seconds (default 0)\n"
                 "  --tls-ca F --tls-cert F --tls-key F          identity for tls+tcp:// URLs\n"
                 "  --node-tls-cert F --node-tls-key F           local servers' identity\n"
                 "  --log-level L          error|warn|info|debug (or DISCO_LOG)\n"
                 "bare-metal SMP run (docs/bare-metal.md):\n"
                 "  --bare PROG.elf        run PROG on every CPU, print console and statistics,\n"
                 "                         exit with its status\n"
                 "  --transport T          interconnect between servers: ipc (default), tcp, tls\n"
                 "  --quantum-cycles Q     servers meet every Q simulated cycles (default 10000;\n"
                 "                         100000 with --vm or --serve)\n"
                 "  --max-cycles N         fail if the program runs past N cycles (default: none)\n"
                 "  --timeout S            fail after S seconds of real time (default 600)\n"
                 "  --console-prefix       prefix console lines with \"cpuN: \"\n"
                 "Disco VMs (docs/architecture.md, \"VMs on the distributed machine\"):\n"
                 "  --vm KERNEL[,mem=SIZE][,vcpus=N][,node=N][,max-cycles=N][,name=S]\n"
                 "       [,after=S][,no-l2tlb][,linux][,initrd=FILE][,disk=FILE][,net=N]\n"
                 "       [,append=TEXT]\n"
                 "                         run KERNEL in a VM (repeatable; mem=32M, vcpus=1 by\n"
                 "                         default; SIZE in bytes or with K/M/G); vCPUs fill the\n"
                 "                         least-loaded node (or node N) and spill to the next\n"
                 "                         nodes of its server; after=S starts it once the VM\n"
                 "                         named S has ended; exit 0 if every VM exits 0\n"
                 "                         Linux (docs/linux.md): initrd= (implies linux) the\n"
                 "                         initramfs, disk= a virtio disk image, append= the\n"
                 "                         kernel command line: the last key, it takes the rest\n"
                 "                         of the argument, commas included; mem=128M default;\n"
                 "                         net=N a virtio-net NIC on virtual subnet N >= 1 (the\n"
                 "                         VMs of one subnet exchange frames across servers;\n"
                 "                         MAC 02:44:<VM id>; docs/architecture.md)\n"
                 "  --stats-json FILE      also write the per-VM statistics as JSON\n"
                 "  (--transport, --quantum-cycles, --max-cycles, --timeout apply as for --bare)\n"
                 "public API (see docs/api.md):\n"
                 "  --serve                serve the API until SIGTERM instead of --hold\n"
                 "  --api-listen ADDR:PORT HTTPS endpoint (default 127.0.0.1:7443; port 0: any)\n"
                 "  --state-dir DIR        store, images, consoles (default ~/.disco/state)\n"
                 "  --api-ca F --api-cert F --api-key F [--api-crl F]\n"
                 "                         users' CA, server identity, revocation list (default:\n"
                 "                         a private CA created in STATE-DIR/tls on first start)\n"
                 "  --admin CN             a user with the admin role (repeatable)\n"
                 "  --max-running N        VMs running at once (default 2)\n"
                 "  --api-timeout S        HTTP read/write timeout (default 30)\n"
                 "  --image-max-mib N      largest image (default 256)\n"
                 "  --cpu-model M          the VM host's CPUs: r10000 (default) or mips64r2;\n"
                 "                         kernels submitted must be built for them\n"
                 "  --byte-order B         big or little (default: big for r10000, little for\n"
                 "                         mips64r2)\n"
                 "  (--transport and --quantum-cycles apply to the VM host too)\n");
}

static unsigned parse_count(const char *text, const char *name, unsigned max)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v > max) {
        fprintf(stderr, "disco-coord: %s must be a number from 0 to %u, not '%s'\n", name, max,
                text);
        exit(2);
    }
    return (unsigned)v;
}

static void vm_syntax(const char *arg, const char *why)
{
    fprintf(stderr,
            "disco-coord: --vm %s: %s\n"
            "  (--vm KERNEL[,mem=SIZE][,vcpus=N][,node=N][,max-cycles=N][,name=S][,after=S]"
            "[,no-l2tlb][,linux][,initrd=FILE][,disk=FILE][,net=N][,append=TEXT])\n",
            arg, why);
    exit(2);
}

/* A size in bytes, or with a K, M or G suffix (powers of 1024). */
static bool parse_size(const char *text, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || *text == '-')
        return false;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10, end++;
    else if (*end == 'M' || *end == 'm')
        shift = 20, end++;
    else if (*end == 'G' || *end == 'g')
        shift = 30, end++;
    if (*end != '\0' || v > (UINT64_MAX >> shift))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

/* --vm KERNEL[,key=value...]: the text stays in argv (pointers into it). */
static void parse_vm(char *arg, struct vm_option *vm)
{
    static char copy[MAX_VMS][1024];
    static unsigned used;
    char *text = copy[used++];
    snprintf(text, sizeof copy[0], "%s", arg);
    *vm = (struct vm_option){.memory_bytes = 32u << 20, .vcpus = 1, .node = -1};
    if (strlen(arg) >= sizeof copy[0])
        vm_syntax(arg, "longer than 1023 characters");
    /* append= is the last key and takes the rest, commas included (a kernel
     * command line may hold them). */
    char *append = strstr(text, ",append=");
    if (append) {
        *append = '\0';
        vm->append = append + strlen(",append=");
        vm->linux_boot = true;
    }
    bool mem_given = false;
    char *save = NULL, *item = strtok_r(text, ",", &save);
    if (item == NULL || *item == '\0')
        vm_syntax(arg, "no kernel");
    vm->kernel = item;
    while ((item = strtok_r(NULL, ",", &save)) != NULL) {
        char *eq = strchr(item, '=');
        char *value = eq ? eq + 1 : NULL;
        if (eq)
            *eq = '\0';
        uint64_t n = 0;
        bool number = value && parse_size(value, &n);
        if (strcmp(item, "mem") == 0) {
            if (!number || n == 0 || n % 4096)
                vm_syntax(arg, "mem= wants a size, a multiple of 4K (e.g. 32M)");
            vm->memory_bytes = n;
            mem_given = true;
        } else if (strcmp(item, "vcpus") == 0) {
            if (!number || n == 0 || n > 1024 || strpbrk(value, "KkMmGg"))
                vm_syntax(arg, "vcpus= wants a number from 1 to 1024");
            vm->vcpus = (uint32_t)n;
        } else if (strcmp(item, "node") == 0) {
            if (!number || n > 65535 || strpbrk(value, "KkMmGg"))
                vm_syntax(arg, "node= wants a node number");
            vm->node = (int32_t)n;
        } else if (strcmp(item, "max-cycles") == 0) {
            if (!number || n == 0)
                vm_syntax(arg, "max-cycles= wants a number of cycles >= 1");
            vm->max_cycles = n;
        } else if (strcmp(item, "name") == 0) {
            if (!value || !*value || strlen(value) > 40)
                vm_syntax(arg, "name= wants 1 to 40 characters");
            vm->name = value;
        } else if (strcmp(item, "after") == 0) {
            if (!value || !*value)
                vm_syntax(arg, "after= wants the name of an earlier --vm");
            vm->after = value;
        } else if (strcmp(item, "no-l2tlb") == 0 && !value) {
            vm->no_l2tlb = true;
        } else if (strcmp(item, "linux") == 0 && !value) {
            vm->linux_boot = true;
        } else if (strcmp(item, "initrd") == 0) {
            if (!value || !*value)
                vm_syntax(arg, "initrd= wants the initramfs file");
            vm->initrd = value;
            vm->linux_boot = true;
        } else if (strcmp(item, "disk") == 0) {
            if (!value || !*value)
                vm_syntax(arg, "disk= wants a disk image file");
            vm->disk = value;
        } else if (strcmp(item, "net") == 0) {
            if (!number || n == 0 || n > UINT32_MAX || strpbrk(value, "KkMmGg"))
                vm_syntax(arg, "net= wants a subnet number from 1 to 4294967295");
            vm->net = (uint32_t)n;
        } else {
            vm_syntax(arg, "unknown option");
        }
    }
    if ((vm->disk || vm->append) && !vm->linux_boot)
        vm_syntax(arg, "disk= and append= are for Linux VMs (add linux or initrd=)");
    if (vm->net && !vm->linux_boot)
        vm_syntax(arg, "net= is for Linux VMs (add linux or initrd=): only they have the NIC");
    /* A Linux VM's default memory, as flash-run --vm (monitor/vmrun.c). */
    if (vm->linux_boot && !mem_given)
        vm->memory_bytes = 128u << 20;
}

static void parse_options(int argc, char **argv, struct options *o)
{
    enum {
        O_LOCAL = 256,
        O_SERVERS,
        O_LISTEN,
        O_NPS,
        O_CPN,
        O_MEM,
        O_JOIN,
        O_HB,
        O_HOLD,
        O_CA,
        O_CERT,
        O_KEY,
        O_NCERT,
        O_NKEY,
        O_LOG,
        O_HELP,
        O_SERVE,
        O_API_LISTEN,
        O_STATE,
        O_API_CA,
        O_API_CERT,
        O_API_KEY,
        O_API_CRL,
        O_ADMIN,
        O_MAXRUN,
        O_API_TIMEOUT,
        O_IMAGE_MAX,
        O_BARE,
        O_TRANSPORT,
        O_QUANTUM,
        O_MAXCYC,
        O_TIMEOUT,
        O_PREFIX,
        O_VM,
        O_STATS_JSON,
        O_CPU_MODEL,
        O_BYTE_ORDER
    };
    static const struct option longopts[] = {{"local", 1, 0, O_LOCAL},
                                             {"servers", 1, 0, O_SERVERS},
                                             {"listen", 1, 0, O_LISTEN},
                                             {"nodes-per-server", 1, 0, O_NPS},
                                             {"cpus-per-node", 1, 0, O_CPN},
                                             {"memory-per-node", 1, 0, O_MEM},
                                             {"join-timeout", 1, 0, O_JOIN},
                                             {"heartbeat-timeout", 1, 0, O_HB},
                                             {"hold", 1, 0, O_HOLD},
                                             {"tls-ca", 1, 0, O_CA},
                                             {"tls-cert", 1, 0, O_CERT},
                                             {"tls-key", 1, 0, O_KEY},
                                             {"node-tls-cert", 1, 0, O_NCERT},
                                             {"node-tls-key", 1, 0, O_NKEY},
                                             {"log-level", 1, 0, O_LOG},
                                             {"help", 0, 0, O_HELP},
                                             {"serve", 0, 0, O_SERVE},
                                             {"api-listen", 1, 0, O_API_LISTEN},
                                             {"state-dir", 1, 0, O_STATE},
                                             {"api-ca", 1, 0, O_API_CA},
                                             {"api-cert", 1, 0, O_API_CERT},
                                             {"api-key", 1, 0, O_API_KEY},
                                             {"api-crl", 1, 0, O_API_CRL},
                                             {"admin", 1, 0, O_ADMIN},
                                             {"max-running", 1, 0, O_MAXRUN},
                                             {"api-timeout", 1, 0, O_API_TIMEOUT},
                                             {"image-max-mib", 1, 0, O_IMAGE_MAX},
                                             {"bare", 1, 0, O_BARE},
                                             {"transport", 1, 0, O_TRANSPORT},
                                             {"quantum-cycles", 1, 0, O_QUANTUM},
                                             {"max-cycles", 1, 0, O_MAXCYC},
                                             {"timeout", 1, 0, O_TIMEOUT},
                                             {"console-prefix", 0, 0, O_PREFIX},
                                             {"vm", 1, 0, O_VM},
                                             {"stats-json", 1, 0, O_STATS_JSON},
                                             {"cpu-model", 1, 0, O_CPU_MODEL},
                                             {"byte-order", 1, 0, O_BYTE_ORDER},
                                             {0, 0, 0, 0}};
    *o = (struct options){.nodes_per_server = 1,
                          .cpus_per_node = 1,
                          .memory_per_node_mib = 64,
                          .join_timeout_s = 30,
                          .heartbeat_timeout_ms = 3000,
                          .api_listen = "127.0.0.1:7443",
                          .max_running = 2,
                          .api_timeout_s = 30,
                          .image_max_mib = 256,
                          .cpu_model = "r10000",
                          .transport = "ipc",
                          .quantum_cycles = 10000,
                          .timeout_s = 600};
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_LOCAL: o->local = parse_count(optarg, "--local", 1024); break;
        case O_SERVERS: o->servers = parse_count(optarg, "--servers", 1024); break;
        case O_LISTEN: o->listen_url = optarg; break;
        case O_NPS: o->nodes_per_server = parse_count(optarg, "--nodes-per-server", 256); break;
        case O_CPN: o->cpus_per_node = parse_count(optarg, "--cpus-per-node", 16); break;
        case O_MEM: o->memory_per_node_mib = parse_count(optarg, "--memory-per-node", 65536); break;
        case O_JOIN: o->join_timeout_s = parse_count(optarg, "--join-timeout", 3600); break;
        case O_HB:
            o->heartbeat_timeout_ms = parse_count(optarg, "--heartbeat-timeout", 600000);
            break;
        case O_HOLD: o->hold_s = parse_count(optarg, "--hold", 86400); break;
        case O_CA: o->tls.ca_file = o->node_tls.ca_file = optarg; break;
        case O_CERT: o->tls.cert_file = optarg; break;
        case O_KEY: o->tls.key_file = optarg; break;
        case O_NCERT: o->node_tls.cert_file = optarg; break;
        case O_NKEY: o->node_tls.key_file = optarg; break;
        case O_LOG: {
            enum log_level l;
            if (log_parse_level(optarg, &l) != 0) {
                fprintf(stderr, "disco-coord: unknown log level '%s'\n", optarg);
                exit(2);
            }
            log_set_level(l);
            break;
        }
        case O_SERVE: o->serve = true; break;
        case O_API_LISTEN: o->api_listen = optarg; break;
        case O_STATE: o->state_dir = optarg; break;
        case O_API_CA: o->api_tls.ca_file = optarg; break;
        case O_API_CERT: o->api_tls.cert_file = optarg; break;
        case O_API_KEY: o->api_tls.key_file = optarg; break;
        case O_API_CRL: o->api_tls.crl_file = optarg; break;
        case O_ADMIN:
            if (o->admin_count == API_MAX_ADMINS) {
                fprintf(stderr, "disco-coord: at most %d --admin\n", API_MAX_ADMINS);
                exit(2);
            }
            o->admins[o->admin_count++] = optarg;
            break;
        case O_MAXRUN: o->max_running = parse_count(optarg, "--max-running", 1024); break;
        case O_API_TIMEOUT: o->api_timeout_s = parse_count(optarg, "--api-timeout", 3600); break;
        case O_IMAGE_MAX: o->image_max_mib = parse_count(optarg, "--image-max-mib", 65536); break;
        case O_BARE: o->bare = optarg; break;
        case O_TRANSPORT: o->transport = optarg; break;
        case O_QUANTUM:
            o->quantum_cycles = parse_count(optarg, "--quantum-cycles", 1000000000);
            o->quantum_given = true;
            break;
        case O_MAXCYC: {
            char *end;
            o->max_cycles = strtoull(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0') {
                fprintf(stderr, "disco-coord: --max-cycles must be a number, not '%s'\n", optarg);
                exit(2);
            }
            break;
        }
        case O_TIMEOUT: o->timeout_s = parse_count(optarg, "--timeout", 86400); break;
        case O_PREFIX: o->console_prefix = true; break;
        case O_VM:
            if (o->vm_count == MAX_VMS) {
                fprintf(stderr, "disco-coord: at most %d --vm\n", MAX_VMS);
                exit(2);
            }
            parse_vm(optarg, &o->vm[o->vm_count++]);
            break;
        case O_STATS_JSON: o->stats_json = optarg; break;
        case O_CPU_MODEL: o->cpu_model = optarg; break;
        case O_BYTE_ORDER: o->byte_order = optarg; break;
        case O_HELP:
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); exit(2);
        }
    }
    if (optind != argc) {
        fprintf(stderr, "disco-coord: unexpected argument '%s'\n", argv[optind]);
        exit(2);
    }
    if (o->local)
        o->servers = o->local;
    if (o->servers == 0) {
        fprintf(stderr, "disco-coord: say how many node servers: --local N or --servers N\n");
        exit(2);
    }
    bool own_tls = o->api_tls.ca_file || o->api_tls.cert_file || o->api_tls.key_file;
    if (own_tls && !(o->api_tls.ca_file && o->api_tls.cert_file && o->api_tls.key_file)) {
        fprintf(stderr, "disco-coord: --api-ca, --api-cert and --api-key go together\n");
        exit(2);
    }
    if (o->serve && (o->max_running == 0 || o->api_timeout_s == 0 || o->image_max_mib == 0)) {
        fprintf(stderr,
                "disco-coord: --max-running, --api-timeout, --image-max-mib must be >= 1\n");
        exit(2);
    }
    if (strcmp(o->transport, "ipc") != 0 && strcmp(o->transport, "tcp") != 0 &&
        strcmp(o->transport, "tls") != 0) {
        fprintf(stderr, "disco-coord: --transport is ipc, tcp or tls, not '%s'\n", o->transport);
        exit(2);
    }
    if (strcmp(o->cpu_model, "r10000") != 0 && strcmp(o->cpu_model, "mips64r2") != 0) {
        fprintf(stderr, "disco-coord: --cpu-model is r10000 or mips64r2, not '%s'\n", o->cpu_model);
        exit(2);
    }
    if (o->byte_order && strcmp(o->byte_order, "big") != 0 &&
        strcmp(o->byte_order, "little") != 0) {
        fprintf(stderr, "disco-coord: --byte-order is big or little, not '%s'\n", o->byte_order);
        exit(2);
    }
    /* A VM's memory never leaves its server (placement keeps its vCPUs on one
     * server's nodes), so VM hosting needs no tight coupling between servers:
     * a longer quantum costs frames between servers latency (one quantum each
     * way) and saves most of the barrier round trips (docs/performance.md). */
    if (!o->quantum_given && (o->vm_count || o->serve))
        o->quantum_cycles = VM_HOST_QUANTUM;
    if (o->serve && o->quantum_cycles == 0) {
        fprintf(stderr, "disco-coord: --serve needs a quantum >= 1\n");
        exit(2);
    }
    if (o->bare && o->vm_count) {
        fprintf(stderr, "disco-coord: --bare and --vm do not go together\n");
        exit(2);
    }
    if (o->vm_count && (o->serve || o->quantum_cycles == 0 || o->timeout_s == 0)) {
        fprintf(stderr, "disco-coord: --vm needs a quantum and a timeout >= 1, and no --serve\n");
        exit(2);
    }
    for (unsigned i = 0; i < o->vm_count; i++) {
        unsigned server_cpus = o->nodes_per_server * o->cpus_per_node;
        if (o->vm[i].vcpus > server_cpus) {
            fprintf(stderr,
                    "disco-coord: --vm %s: %u vCPUs, but a VM runs on the CPUs of one server "
                    "(%u: --nodes-per-server x --cpus-per-node)\n",
                    o->vm[i].kernel, o->vm[i].vcpus, server_cpus);
            exit(2);
        }
        if (o->vm[i].node >= 0 && (unsigned)o->vm[i].node >= o->servers * o->nodes_per_server) {
            fprintf(stderr, "disco-coord: --vm %s: node=%d, but the machine has nodes 0-%u\n",
                    o->vm[i].kernel, o->vm[i].node, o->servers * o->nodes_per_server - 1);
            exit(2);
        }
    }
    if (o->stats_json && !o->vm_count) {
        fprintf(stderr, "disco-coord: --stats-json goes with --vm\n");
        exit(2);
    }
    if (o->bare && (o->serve || o->quantum_cycles == 0 || o->timeout_s == 0)) {
        fprintf(stderr, "disco-coord: --bare needs a quantum and a timeout >= 1, and no --serve\n");
        exit(2);
    }
    if (o->nodes_per_server == 0 || o->cpus_per_node == 0 || o->memory_per_node_mib == 0) {
        fprintf(stderr, "disco-coord: node, CPU and memory counts must be at least 1\n");
        exit(2);
    }
}

/* Starts the local node servers, all dialing our control URL. */
static int start_local(const struct options *o, const char *url, const char *ic_url,
                       struct local_cluster *lc, char *err, size_t errlen)
{
    char binary[4096], nodes[16], cpus[16], mem[16];
    int rv = local_cluster_sibling_binary("flash-node", binary, sizeof binary);
    if (rv != 0) {
        snprintf(err, errlen, "cannot find flash-node beside disco-coord: %s", disco_strerror(rv));
        return rv;
    }
    snprintf(nodes, sizeof nodes, "%u", o->nodes_per_server);
    snprintf(cpus, sizeof cpus, "%u", o->cpus_per_node);
    snprintf(mem, sizeof mem, "%u", o->memory_per_node_mib);
    const char *args[20] = {"--coord",         url,  "--nodes",           nodes,
                            "--cpus-per-node", cpus, "--memory-per-node", mem};
    unsigned n = 8;
    if (o->node_tls.ca_file && o->node_tls.cert_file && o->node_tls.key_file) {
        args[n++] = "--tls-ca";
        args[n++] = o->node_tls.ca_file;
        args[n++] = "--tls-cert";
        args[n++] = o->node_tls.cert_file;
        args[n++] = "--tls-key";
        args[n++] = o->node_tls.key_file;
    }
    if (ic_url) {
        args[n++] = "--interconnect";
        args[n++] = ic_url;
    }
    args[n] = NULL;
    return local_cluster_start(lc, binary, o->local, args, err, errlen);
}

/* Serves until the phase changes, a deadline passes, a server is lost or we are interrupted. */
static int serve_until(struct control_server *cs, struct local_cluster *lc,
                       enum control_phase leave_when, int64_t deadline_ms, char *err, size_t errlen)
{
    while (control_server_phase(cs) < leave_when) {
        if (interrupted) {
            snprintf(err, errlen, "interrupted by signal %d", (int)interrupted);
            return DISCO_ECLOSED;
        }
        if (deadline_ms && control_now_ms() >= deadline_ms) {
            snprintf(err, errlen, "timed out");
            return DISCO_ETIMEDOUT;
        }
        int rv = control_server_poll(cs, 100, err, errlen);
        if (rv != 0)
            return rv;
        if (leave_when == PHASE_STOPPING && control_server_run_complete(cs)) {
            /* The VM host cannot go on: a server reported why (logged). */
            snprintf(err, errlen, "a node server stopped the machine");
            return DISCO_EPEERLOST;
        }
        int rank = lc->pid ? local_cluster_reap(lc) : -1;
        /* (a server that reported its --bare run failed may exit: bare_run says why) */
        if (rank >= 0 && control_server_phase(cs) < PHASE_STOPPING &&
            !control_server_run_complete(cs)) {
            int st = lc->status[rank];
            snprintf(err, errlen, "local node server %d exited (%s %d) before the run ended", rank,
                     WIFSIGNALED(st) ? "signal" : "status",
                     WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
            return DISCO_EPEERLOST;
        }
    }
    return DISCO_OK;
}

/* ---- A bare-metal run (--bare) ------------------------------------------ */

/* Reads the whole program file; it travels in every server's Assignment. */
static int read_program(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return DISCO_ENOENT;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            if (cap >= (32u << 20))
                break;
            cap *= 2;
            uint8_t *nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (buf == NULL || n >= (32u << 20)) {
        free(buf);
        snprintf(err, errlen, "%s: larger than 32 MiB or unreadable", path);
        return DISCO_ETOOBIG;
    }
    if (n < 64 || memcmp(buf,
                         "\x7f"
                         "ELF",
                         4) != 0) {
        /* The servers check it fully; this catches the common mistake early. */
        free(buf);
        snprintf(err, errlen, "%s: not an ELF file", path);
        return DISCO_EFORMAT;
    }
    *data = buf;
    *len = n;
    return DISCO_OK;
}

/* A Linux VM's initramfs or disk image (issue 7): the whole file, at most
 * VM_RUN_MAX_CREATE_BYTES (vm_run_submit checks the VM's total). */
static int read_image(const char *path, const char *what, uint8_t **data, size_t *len, char *err,
                      size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot open the %s %s: %s", what, path, strerror(errno));
        return DISCO_ENOENT;
    }
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size <= 0 || (unsigned long long)size > VM_RUN_MAX_CREATE_BYTES) {
        fclose(f);
        snprintf(err, errlen, "the %s %s: %s", what, path,
                 size <= 0 ? "empty or unreadable"
                           : "too large (a VM's images travel in one "
                             "release, at most 56 MiB in all)");
        return size <= 0 ? DISCO_EINVAL : DISCO_ETOOBIG;
    }
    rewind(f);
    uint8_t *buf = xmalloc((size_t)size);
    size_t got = fread(buf, 1, (size_t)size, f);
    fclose(f);
    if (got != (size_t)size) {
        free(buf);
        snprintf(err, errlen, "the %s %s: short read", what, path);
        return DISCO_EIO;
    }
    *data = buf;
    *len = got;
    return DISCO_OK;
}

/* disco-ca.sh: DISCO_CA_SH, else the source tree's deploy/tls beside the build, else PATH. */
static void find_ca_script(char *out, size_t len)
{
    const char *env = getenv("DISCO_CA_SH");
    if (env && *env) {
        snprintf(out, len, "%s", env);
        return;
    }
    char self[4096];
    if (local_cluster_sibling_binary("disco-coord", self, sizeof self) == 0) {
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            const char *rel[] = {"/../../deploy/tls/disco-ca.sh", "/../deploy/tls/disco-ca.sh",
                                 "/../share/disco/disco-ca.sh"};
            for (unsigned i = 0; i < 3; i++) {
                snprintf(out, len, "%s%s", self, rel[i]);
                if (access(out, R_OK) == 0)
                    return;
            }
        }
    }
    snprintf(out, len, "disco-ca.sh");
}

/*
 * --transport tls: a private CA in the run's directory and one node
 * certificate that every local server presents and requires of its peers
 * (mutual TLS; the nodes' CA is theirs alone, as docs/architecture.md asks).
 */
static int make_node_tls(struct options *o, const char *dir, char *err, size_t errlen)
{
    static char ca[600], cert[600], key[600];
    char script[4200], cmd[9000];
    find_ca_script(script, sizeof script);
    snprintf(cmd, sizeof cmd,
             "bash '%s' init '%s/tls' 'Disco-FLASH run CA' >/dev/null && "
             "bash '%s' issue '%s/tls' node >/dev/null",
             script, dir, script, dir);
    if (system(cmd) != 0) {
        snprintf(err, errlen, "cannot create the nodes' TLS identity with %.300s", script);
        return DISCO_ETLS;
    }
    snprintf(ca, sizeof ca, "%s/tls/ca.crt", dir);
    snprintf(cert, sizeof cert, "%s/tls/node.crt", dir);
    snprintf(key, sizeof key, "%s/tls/node.key", dir);
    o->node_tls.ca_file = ca;
    o->node_tls.cert_file = cert;
    o->node_tls.key_file = key;
    return DISCO_OK;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/*
 * Runs the program to its end: serves the barrier until every server made
 * its final report, a server is lost, or --timeout passes.
 */
static int run_bare(struct control_server *cs, struct local_cluster *lc, const struct options *o,
                    struct vm_run *vms, char *err, size_t errlen)
{
    int64_t deadline = control_now_ms() + (int64_t)o->timeout_s * 1000;
    bool stopping = false;
    while (!control_server_run_complete(cs)) {
        if (interrupted && vms && !stopping) {
            /* A first SIGINT/SIGTERM stops the VMs: their ends and statistics still come. */
            fprintf(stderr, "disco-coord: signal %d: stopping the VMs\n", (int)interrupted);
            vm_run_stop_all(vms);
            stopping = true;
            interrupted = 0;
        }
        if (interrupted) {
            snprintf(err, errlen, "interrupted by signal %d", (int)interrupted);
            return DISCO_ECLOSED;
        }
        if (control_now_ms() >= deadline) {
            snprintf(err, errlen, "the run did not finish within --timeout %u s", o->timeout_s);
            return DISCO_ETIMEDOUT;
        }
        int rv = control_server_poll(cs, 50, err, errlen);
        if (rv != 0)
            return rv;
        int rank = local_cluster_reap(lc);
        if (rank >= 0 && !control_server_run_complete(cs)) {
            int st = lc->status[rank];
            snprintf(err, errlen, "local node server %d exited (%s %d) during the run", rank,
                     WIFSIGNALED(st) ? "signal" : "status",
                     WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
            return DISCO_EPEERLOST;
        }
    }
    return DISCO_OK;
}

/* ---- Disco VMs (--vm) ---------------------------------------------------- */

/* Reads every kernel; they must agree on the CPU model and byte order, which
 * the servers' CPUs get (VmHost). */
static int read_kernels(const struct options *o, uint8_t **kernel, size_t *len,
                        Disco__Control__VmHost *host, char *err, size_t errlen)
{
    const char *model = NULL, *first = NULL;
    bool big_endian = false;
    char why[200];
    for (unsigned i = 0; i < o->vm_count; i++) {
        int rv = read_program(o->vm[i].kernel, &kernel[i], &len[i], err, errlen);
        if (rv != 0)
            return rv;
        const char *m;
        bool be;
        if ((rv = vm_run_kernel_model(kernel[i], len[i], &m, &be, why, sizeof why)) != 0) {
            snprintf(err, errlen, "%s: %s", o->vm[i].kernel, why);
            return rv;
        }
        if (model && (strcmp(m, model) != 0 || be != big_endian)) {
            snprintf(err, errlen,
                     "the kernels need different machines: %s is %s %s-endian, %s is %s %s-endian "
                     "(every --vm kernel must match the CPUs of the machine)",
                     first, model, big_endian ? "big" : "little", o->vm[i].kernel, m,
                     be ? "big" : "little");
            return DISCO_EINVAL;
        }
        model = m;
        big_endian = be;
        first = o->vm[i].kernel;
    }
    host->cpu_model = (char *)model;
    host->has_big_endian = true;
    host->big_endian = big_endian;
    return DISCO_OK;
}

/*
 * Gives vm_run the layout and submits every --vm before the machine runs,
 * so their create commands go out with the first release. The local
 * servers each offer --nodes-per-server nodes and get them in joining
 * order: server i hosts nodes i*K to i*K+K-1 (layout_matches checks).
 */
static int submit_vms(struct vm_run *vms, const struct options *o, uint8_t **kernel,
                      const size_t *len, char *err, size_t errlen)
{
    uint32_t first[o->servers + 1], count[o->servers + 1];
    for (unsigned i = 0; i < o->servers; i++) {
        first[i] = i * o->nodes_per_server;
        count[i] = o->nodes_per_server;
    }
    vm_run_set_layout(vms, o->servers, first, count);
    for (unsigned i = 0; i < o->vm_count; i++) {
        const struct vm_option *v = &o->vm[i];
        struct vm_run_spec spec = {.name = v->name,
                                   .elf = kernel[i],
                                   .elf_len = len[i],
                                   .memory_bytes = v->memory_bytes,
                                   .vcpus = v->vcpus,
                                   .first_node = v->node,
                                   .max_cycles = v->max_cycles,
                                   .no_l2tlb = v->no_l2tlb,
                                   .linux_boot = v->linux_boot,
                                   .cmdline = v->append,
                                   .net = v->net};
        uint8_t *initrd = NULL, *disk = NULL;
        int rv = DISCO_OK;
        if (v->initrd)
            rv = read_image(v->initrd, "initramfs", &initrd, &spec.initrd_len, err, errlen);
        if (rv == 0 && v->disk)
            rv = read_image(v->disk, "disk image", &disk, &spec.disk_len, err, errlen);
        if (rv != 0) {
            free(initrd);
            return rv;
        }
        spec.initrd = initrd;
        spec.disk = disk;
        /* after=NAME: an earlier --vm (VM ids are 1, 2, ... in --vm order). */
        for (unsigned k = 0; v->after && k < i; k++) {
            char dflt[16];
            snprintf(dflt, sizeof dflt, "vm%u", k + 1);
            if (strcmp(v->after, o->vm[k].name ? o->vm[k].name : dflt) == 0)
                spec.after = k + 1;
        }
        if (v->after && spec.after == 0) {
            free(initrd);
            free(disk);
            snprintf(err, errlen, "--vm %s: after=%s names no earlier --vm", v->kernel, v->after);
            return DISCO_EINVAL;
        }
        uint32_t id;
        char why[300];
        rv = vm_run_submit(vms, &spec, &id, why, sizeof why); /* copies the images */
        free(initrd);
        free(disk);
        if (rv != 0) {
            snprintf(err, errlen, "--vm %s: %s", v->kernel, why);
            return rv;
        }
    }
    return DISCO_OK;
}

static bool layout_matches(struct control_server *cs, const struct options *o)
{
    const struct membership *m = control_server_membership(cs);
    for (unsigned i = 0; i < m->joined; i++)
        if (m->server[i].first_node != i * o->nodes_per_server ||
            m->server[i].node_count != o->nodes_per_server)
            return false;
    return m->joined == o->servers;
}

/* ---- The public API (--serve) ------------------------------------------ */

/* The API thread's view of the cluster: a locked copy of the membership. */
static void cluster_snapshot(void *arg, struct api_cluster_view *view)
{
    static const char *const phases[] = {"joining", "running", "stopping", "done"};
    struct control_snapshot s;
    control_server_snapshot(arg, &s);
    snprintf(view->phase, sizeof view->phase, "%s", phases[s.phase]);
    view->servers = s.joined;
    view->servers_expected = s.expected;
    view->nodes = s.total_nodes;
    view->cpus_per_node = s.cpus_per_node;
    view->memory_per_node = s.memory_per_node;
    view->node = calloc(s.total_nodes + 1, sizeof *view->node);
    for (unsigned i = 0; view->node && i < s.joined; i++) {
        const struct server_entry *e = &s.server[i];
        for (uint32_t k = 0; k < e->node_count && e->first_node + k < s.total_nodes; k++) {
            struct api_node_view *n = &view->node[e->first_node + k];
            n->node = e->first_node + k;
            n->server = i;
            n->pid = e->pid;
            n->cpus = s.cpus_per_node;
            snprintf(n->hostname, sizeof n->hostname, "%s", e->hostname);
            n->memory_bytes = s.memory_per_node;
            n->memory_base = (uint64_t)n->node * s.memory_per_node;
            n->alive = !e->lost && !e->left && e->pipe != 0;
            n->heartbeat_age_ms = (uint64_t)(s.now_ms - e->last_seen_ms);
        }
    }
    if (view->node == NULL)
        view->nodes = 0;
    free(s.server);
}

/* ~/.disco/state unless --state-dir says otherwise. */
static const char *default_state_dir(char *buf, size_t len)
{
    const char *home = getenv("HOME");
    snprintf(buf, len, "%s/.disco", home && *home ? home : ".");
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return NULL;
    snprintf(buf, len, "%s/.disco/state", home && *home ? home : ".");
    return buf;
}

/* Tells scripts where the API listens: STATE_DIR/api-port, written atomically. */
static void publish_port(const char *state_dir, unsigned port)
{
    char path[600], tmp[620];
    snprintf(path, sizeof path, "%s/api-port", state_dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return;
    fprintf(f, "%u\n", port);
    if (fclose(f) == 0)
        rename(tmp, path);
}

static int start_api(const struct options *o, struct control_server *cs, struct vm_service *vms,
                     struct api_server **out, char *err, size_t errlen)
{
    static char state_buf[512], tls_paths[2400], flash_run[4096];
    struct api_server_options ao = {.listen = o->api_listen,
                                    .state_dir = o->state_dir,
                                    .tls = o->api_tls,
                                    .admin_count = o->admin_count,
                                    .max_running = o->max_running,
                                    .timeout_s = o->api_timeout_s,
                                    .image_max_bytes = (uint64_t)o->image_max_mib << 20,
                                    .snapshot = cluster_snapshot,
                                    .snapshot_arg = cs};
    memcpy(ao.admins, o->admins, sizeof ao.admins);
    int rv;
    if (ao.state_dir == NULL &&
        (ao.state_dir = default_state_dir(state_buf, sizeof state_buf)) == NULL) {
        snprintf(err, errlen, "cannot create ~/.disco: %s", strerror(errno));
        return DISCO_EIO;
    }
    if (ao.tls.ca_file == NULL && (rv = api_tls_bootstrap(ao.state_dir, &ao.tls, tls_paths,
                                                          sizeof tls_paths, err, errlen)) != 0)
        return rv;
    if ((rv = local_cluster_sibling_binary("flash-run", flash_run, sizeof flash_run)) != 0) {
        snprintf(err, errlen, "cannot find flash-run beside disco-coord: %s", disco_strerror(rv));
        return rv;
    }
    ao.flash_run = flash_run;
    ao.vms = vms;
    if ((rv = api_server_create(&ao, out, err, errlen)) != 0)
        return rv;
    if ((rv = api_server_start(*out, err, errlen)) != 0)
        return rv;
    publish_port(ao.state_dir, api_server_port(*out));
    printf("api: https://%.*s:%u (state in %s)\n",
           (int)(strrchr(o->api_listen, ':') - o->api_listen), o->api_listen, api_server_port(*out),
           ao.state_dir);
    fflush(stdout);
    return DISCO_OK;
}

int main(int argc, char **argv)
{
    struct options o;
    struct local_cluster lc = {0};
    struct control_server *cs = NULL;
    struct api_server *api = NULL;
    char err[512], url[256], dir[] = "/tmp/disco-coord-XXXXXX";
    int rv, status = 1;
    uint8_t *program = NULL;
    size_t program_len = 0;
    struct bare_run *bare = NULL;
    struct vm_run *vms = NULL;
    struct vm_service *host = NULL;
    uint8_t *kernel[MAX_VMS] = {NULL};
    size_t kernel_len[MAX_VMS] = {0};
    Disco__Control__VmHost vm_host = DISCO__CONTROL__VM_HOST__INIT;
    char ic_url[400];
    const char *ic = NULL;

    /* 1. Options and logging. */
    parse_options(argc, argv, &o);
    log_set_component("coord");
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);

    /* 2. The control endpoint: a private ipc socket for a local machine. */
    if (o.listen_url) {
        snprintf(url, sizeof url, "%s", o.listen_url);
    } else if (o.local) {
        if (mkdtemp(dir) == NULL) {
            perror("disco-coord: mkdtemp");
            return 1;
        }
        snprintf(url, sizeof url, "ipc://%s/control", dir);
    } else {
        snprintf(url, sizeof url, "tcp://127.0.0.1:7800");
    }
    struct control_server_options co = {.url = url,
                                        .tls = &o.tls,
                                        .expected_servers = o.servers,
                                        .heartbeat_timeout_ms = o.heartbeat_timeout_ms};
    if (o.bare || o.vm_count || o.serve) {
        /* The interconnect: private ipc sockets, or tcp/tls+tcp on any free port. */
        if (o.listen_url && mkdtemp(dir) == NULL) {
            perror("disco-coord: mkdtemp");
            return 1;
        }
        if (strcmp(o.transport, "ipc") == 0)
            snprintf(ic_url, sizeof ic_url, "ipc://%s/ic", dir);
        else
            snprintf(ic_url, sizeof ic_url, "%s://127.0.0.1:0",
                     strcmp(o.transport, "tls") == 0 ? "tls+tcp" : "tcp");
        ic = ic_url;
        if (strcmp(o.transport, "tls") == 0 && !o.node_tls.cert_file &&
            (rv = make_node_tls(&o, dir, err, sizeof err)) != 0) {
            fprintf(stderr, "disco-coord: %s\n", err);
            goto out;
        }
    }
    if (o.vm_count) {
        /* 2b. VMs: the kernels, the machine's CPU model from them, the run's table. */
        if ((rv = read_kernels(&o, kernel, kernel_len, &vm_host, err, sizeof err)) != 0) {
            fprintf(stderr, "disco-coord: %s\n", err);
            goto out;
        }
        vm_host.quantum_cycles = o.quantum_cycles;
        struct vm_run_options vo = {.total_nodes = o.servers * o.nodes_per_server,
                                    .cpus_per_node = o.cpus_per_node,
                                    .memory_per_node_bytes = (uint64_t)o.memory_per_node_mib << 20,
                                    .quantum_cycles = o.quantum_cycles,
                                    .max_cycles = o.max_cycles,
                                    .batch = true,
                                    .console = stdout};
        vms = vm_run_create(&vo);
        if ((rv = submit_vms(vms, &o, kernel, kernel_len, err, sizeof err)) != 0) {
            fprintf(stderr, "disco-coord: %s\n", err);
            goto out;
        }
        co.vm_host = &vm_host;
        co.quantum_cycles = o.quantum_cycles;
        co.barrier = (struct control_barrier_ops){.arrive = vm_run_arrive,
                                                  .release = vm_run_release,
                                                  .fill_release = vm_run_fill_release,
                                                  .arg = vms};
    }
    if (o.serve) {
        /* 2c. The API's VM host: the servers' CPUs given to the monitor, a run that never ends. */
        bool big =
            o.byte_order ? strcmp(o.byte_order, "big") == 0 : strcmp(o.cpu_model, "r10000") == 0;
        vm_host.cpu_model = (char *)o.cpu_model;
        vm_host.has_big_endian = true;
        vm_host.big_endian = big;
        vm_host.quantum_cycles = o.quantum_cycles;
        struct vm_service_options so = {
            .quantum_cycles = o.quantum_cycles, .cpu_model = o.cpu_model, .big_endian = big};
        host = vm_service_create(&so);
        co.vm_host = &vm_host;
        co.quantum_cycles = o.quantum_cycles;
        co.barrier = vm_service_barrier(host);
    }
    if (o.bare) {
        if ((rv = read_program(o.bare, &program, &program_len, err, sizeof err)) != 0) {
            fprintf(stderr, "disco-coord: %s\n", err);
            goto out;
        }
        struct bare_run_options bo = {.total_nodes = o.servers * o.nodes_per_server,
                                      .cpus_per_node = o.cpus_per_node,
                                      .quantum_cycles = o.quantum_cycles,
                                      .max_cycles = o.max_cycles,
                                      .console_prefix = o.console_prefix,
                                      .console = stdout};
        bare = bare_run_create(&bo);
        co.bare_elf = program;
        co.bare_elf_len = program_len;
        co.quantum_cycles = o.quantum_cycles;
        co.barrier = (struct control_barrier_ops){
            .arrive = bare_run_arrive, .release = bare_run_release, .arg = bare};
    }
    if ((rv = control_server_create(&co, &cs, err, sizeof err)) != 0) {
        fprintf(stderr, "disco-coord: %s\n", err);
        goto out;
    }
    if (host)
        vm_service_attach(host, cs);
    log_info("control endpoint %s, expecting %u server(s)", url, o.servers);
    sd_notify_ready("control endpoint %s, expecting %u server(s)", url, o.servers);

    /* 3. Local node servers, if we run the embedded default. */
    if (o.local && (rv = start_local(&o, url, ic, &lc, err, sizeof err)) != 0) {
        fprintf(stderr, "disco-coord: %s\n", err);
        goto out;
    }

    /* 4. Assemble the machine. */
    rv = serve_until(cs, &lc, PHASE_RUNNING, control_now_ms() + (int64_t)o.join_timeout_s * 1000,
                     err, sizeof err);
    if (rv == DISCO_ETIMEDOUT)
        snprintf(err, sizeof err, "only %u of %u node server(s) registered within %u s",
                 control_server_membership(cs)->joined, o.servers, o.join_timeout_s);
    if (rv != 0) {
        fprintf(stderr, "disco-coord: %s\n", err);
        goto out;
    }
    if ((o.bare || o.vm_count) && !layout_matches(cs, &o)) {
        /* Remote servers bring their own node counts: the run was laid out for ours. */
        fprintf(stderr,
                "disco-coord: the servers that joined do not host %u node(s) each "
                "(--nodes-per-server)\n",
                o.nodes_per_server);
        goto out;
    }
    if (o.bare) {
        /* 4b. The bare-metal run: console as it comes, then the statistics. */
        rv = run_bare(cs, &lc, &o, NULL, err, sizeof err);
        if (rv != 0) {
            fprintf(stderr, "disco-coord: %s\n", err);
            goto out;
        }
        status = bare_run_finish(bare, stdout);
        goto out;
    }
    if (o.vm_count) {
        /* 4c. The VMs, created by the first release, until every one has ended. */
        if ((rv = run_bare(cs, &lc, &o, vms, err, sizeof err)) != 0) {
            fprintf(stderr, "disco-coord: %s\n", err);
            goto out;
        }
        status = vm_run_finish(vms, stdout, o.stats_json);
        goto out;
    }
    control_server_print_layout(cs, stdout);
    fflush(stdout);

    /*
     * 5. The public API (--serve): its own thread with an event loop, the
     * SQLite store and the job scheduler; it reads the cluster through
     * control_server_snapshot(). We serve until SIGTERM/SIGINT, which is a
     * normal end; a lost node server ends the run with an error.
     */
    if (o.serve) {
        if ((rv = start_api(&o, cs, host, &api, err, sizeof err)) != 0) {
            fprintf(stderr, "disco-coord: api: %s\n", err);
            goto out;
        }
        rv = serve_until(cs, &lc, PHASE_STOPPING, 0, err, sizeof err);
        if (rv != 0 && rv != DISCO_ECLOSED) {
            fprintf(stderr, "disco-coord: %s\n", err);
            goto out;
        }
        log_info("%s: stopping the API", err);
        interrupted = 0; /* a signal ends serving; the shutdown handshake still runs */
    }

    /* 6. Run: without the API, the machine is held for --hold seconds. */
    if (!o.serve && o.hold_s) {
        rv = serve_until(cs, &lc, PHASE_STOPPING, control_now_ms() + (int64_t)o.hold_s * 1000, err,
                         sizeof err);
        if (rv != 0 && rv != DISCO_ETIMEDOUT) {
            fprintf(stderr, "disco-coord: %s\n", err);
            goto out;
        }
    }
    status = 0;

out:
    /* 7. Shut the API down (killing running guests), then the machine. */
    api_server_destroy(api);
    if (cs) {
        /* After a first SIGINT/SIGTERM the servers are still told to leave (they
         * ask within a heartbeat); a second signal cuts this handshake short. */
        int sig = (int)interrupted;
        interrupted = 0;
        bool ok = status == 0 || ((bare || vms) && control_server_run_complete(cs));
        char why[64];
        snprintf(why, sizeof why, "%s", ok ? "run complete" : "run failed");
        if (sig && !ok)
            snprintf(why, sizeof why, "interrupted by signal %d", sig);
        control_server_begin_shutdown(cs, why);
        if (serve_until(cs, &lc, PHASE_DONE, control_now_ms() + 3000, err, sizeof err) != 0 &&
            status == 0)
            log_warn("shutdown: %s", err);
        if (status == 0 && !bare && !vms)
            printf("machine shut down cleanly (%llu malformed request(s) rejected)\n",
                   (unsigned long long)control_server_rejected(cs));
    }
    local_cluster_stop(&lc, 2000);
    control_server_destroy(cs);
    if ((o.local && !o.listen_url) || o.bare || o.vm_count || o.serve)
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    vm_service_destroy(host);
    bare_run_destroy(bare);
    vm_run_destroy(vms);
    for (unsigned i = 0; i < o.vm_count; i++)
        free(kernel[i]);
    free(program);
    return status;
}
