/*
 * verbs.h - the discoctl command table: one entry per verb, each verb in a
 * file of its own (verb_<name>.c), dispatched by discoctl_main.c.
 */
#ifndef DISCO_CLIENT_VERBS_H
#define DISCO_CLIENT_VERBS_H

#include <stdio.h>

struct verb {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the verb; returns the exit status */
};

extern const struct verb discoctl_verbs[];
extern const unsigned discoctl_verb_count;

/* Exit statuses scripts can rely on. */
enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1, /* the operation ran and failed (or a job's guest failed) */
    EXIT_USAGE = 2,  /* bad command line */
};

int verb_version(int argc, char **argv);
int verb_help(int argc, char **argv);
void discoctl_usage(FILE *out);

#endif
