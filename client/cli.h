/*
 * cli.h - what discoctl's verbs share: the global options and their
 * sources (flags, environment, configuration file, the local embedded
 * default), opening a client, turning errors into exit statuses, output
 * helpers (--json, progress bars on a terminal) and VM spec options.
 */
#ifndef DISCO_CLIENT_CLI_H
#define DISCO_CLIENT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "discoclient.h"

struct cli_global {
    const char *url, *cert, *key, *ca, *config;
    int timeout_ms;
    bool json;
    bool progress; /* stderr is a terminal and --no-progress not given */
};
extern struct cli_global cli;

/* Removes the global options from argv (anywhere); returns -1 on a bad one. */
int cli_take_globals(int *argc, char **argv);
/* Opens a client from the configuration; prints why not and returns NULL. */
struct disco_client *cli_connect(void);
/* Prints err and returns the exit status for rv. */
int cli_fail(const char *what, int rv, const struct disco_error *err);
/* Calls and reports; returns 0 or the exit status. */
int cli_call(struct disco_client *c, const char *service, const char *method,
             const ProtobufCMessage *request, const ProtobufCMessageDescriptor *desc,
             ProtobufCMessage **response);
/* True if argv holds --help or -h (then the verb's usage is printed). */
bool cli_wants_help(int argc, char **argv, const char *verb);

/* Parses a decimal number into *out within [min, max]; prints and returns -1 if not. */
int cli_number(const char *text, const char *what, uint64_t min, uint64_t max, uint64_t *out);

/* Progress bar on stderr (only when cli.progress). */
void cli_progress(void *label, uint64_t done, uint64_t total);
void cli_progress_done(void);

const char *cli_enum(const ProtobufCEnumDescriptor *d, int value, const char *strip);
void cli_time(int64_t unix_seconds, char *buf, size_t len);
void cli_bytes(uint64_t n, char *buf, size_t len);

/* VM options shared by `vm submit` and `job submit`. */
struct cli_vm_options {
    Disco__Api__VmSpec spec;
    uint32_t placement[64];
    char *disks[8];
    Disco__Api__ImageKind kind; /* when IMAGE is a file to push */
    bool kind_given;            /* --kind; else guessed from the file (cli_guess_kind) */
};
void cli_vm_options_init(struct cli_vm_options *o);
/* Handles one getopt result of the VM options; returns 1 if it was one, -1 if bad, 0 if not. */
int cli_vm_option(struct cli_vm_options *o, int opt, const char *arg);
/* Resolves IMAGE (a SHA-256 or a file to push) into o->spec.kernel (static buffer). */
int cli_resolve_image(struct disco_client *c, const char *image, struct cli_vm_options *o);

/* getopt_long option values of the VM options (long names in CLI_VM_LONGOPTS). */
enum {
    CLI_OPT_ARGS = 1000,
    CLI_OPT_MEMORY,
    CLI_OPT_VCPUS,
    CLI_OPT_NODE,
    CLI_OPT_DISK,
    CLI_OPT_NAME,
    CLI_OPT_MAXINSNS,
    CLI_OPT_KIND,
    CLI_OPT_MAXCYCLES,
    CLI_OPT_INITRD, /* issue 7: a Linux kernel's initramfs image */
    CLI_OPT_APPEND, /* the kernel command line (the same field as --args) */
};
#define CLI_VM_LONGOPTS                                                                            \
    {"args", 1, 0, CLI_OPT_ARGS}, {"memory", 1, 0, CLI_OPT_MEMORY},                                \
        {"vcpus", 1, 0, CLI_OPT_VCPUS}, {"node", 1, 0, CLI_OPT_NODE},                              \
        {"disk", 1, 0, CLI_OPT_DISK}, {"name", 1, 0, CLI_OPT_NAME},                                \
        {"max-insns", 1, 0, CLI_OPT_MAXINSNS}, {"max-cycles", 1, 0, CLI_OPT_MAXCYCLES},            \
        {"initrd", 1, 0, CLI_OPT_INITRD}, {"append", 1, 0, CLI_OPT_APPEND},                        \
    {                                                                                              \
        "kind", 1, 0, CLI_OPT_KIND                                                                 \
    }

/* Actions of a verb with sub-verbs (vm, job, image): a table, dispatched by name. */
struct cli_action {
    const char *name;
    int (*run)(struct disco_client *c, int argc, char **argv); /* argv[0] is the action */
};
/* Runs `discoctl VERB ACTION ...` through table (with a client), or usage/help. */
int cli_dispatch(const char *verb, const struct cli_action *table, unsigned count, int argc,
                 char **argv);

/* The kind of an image file when --kind is not given: an ELF whose entry
 * point is in a kernel segment (KSEG0/KSEG1, sign-extended) is a kernel,
 * another ELF a program, anything else a disk. */
Disco__Api__ImageKind cli_guess_kind(const char *path);

/* Parses program|kernel|disk. */
int cli_parse_kind(const char *text, Disco__Api__ImageKind *kind);

#endif
