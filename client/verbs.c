/* verbs.c - the discoctl verb table. */
#include "verbs.h"

const struct verb discoctl_verbs[] = {
    {"help", "list the verbs, or describe one", verb_help},
    {"version", "print the client's version and protocol versions", verb_version},
};
const unsigned discoctl_verb_count = sizeof discoctl_verbs / sizeof discoctl_verbs[0];
