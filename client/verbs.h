/*
 * verbs.h - the discoctl command table: one entry per verb, each verb in a
 * file of its own (verb_<name>.c), dispatched by discoctl_main.c. Verbs
 * with sub-verbs (vm, job, image) dispatch through a table of their own.
 */
#ifndef DISCO_CLIENT_VERBS_H
#define DISCO_CLIENT_VERBS_H

#include <stdio.h>

struct verb {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the verb; returns the exit status */
    const char *usage;                 /* printed by --help and `discoctl help VERB` */
};

extern const struct verb discoctl_verbs[];
extern const unsigned discoctl_verb_count;

/* Exit statuses scripts and CI can rely on (docs/user-guide.md). */
enum {
    EXIT_OK = 0,          /* done; for a waited job: the guest passed (exit status 0) */
    EXIT_FAILED = 1,      /* the operation failed, or the job's guest failed */
    EXIT_USAGE = 2,       /* bad command line or configuration */
    EXIT_TIMEOUT = 3,     /* the job hit its time limit, or --wait-timeout passed */
    EXIT_CANCELED = 4,    /* the job was canceled or could not run (verdict ERROR) */
    EXIT_UNAVAILABLE = 5, /* cannot reach the coordinator (network, TLS) */
    EXIT_DENIED = 6,      /* not authenticated or not permitted */
    EXIT_NOT_FOUND = 7,   /* no such VM, job or image (of yours) */
};

int verb_version(int argc, char **argv);
int verb_help(int argc, char **argv);
int verb_status(int argc, char **argv);
int verb_nodes(int argc, char **argv);
int verb_stats(int argc, char **argv);
int verb_image(int argc, char **argv);
int verb_vm(int argc, char **argv);
int verb_job(int argc, char **argv);
void discoctl_usage(FILE *out);
/* Prints the usage of a verb found by name; returns 0, or -1 if none. */
int discoctl_verb_usage(const char *name, FILE *out);

#endif
