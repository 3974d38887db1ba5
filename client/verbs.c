/* verbs.c - the discoctl verb table. */
#include "verbs.h"

const struct verb discoctl_verbs[] = {
    {"help", "list the verbs, or describe one", verb_help, "discoctl help [VERB]\n"},
    {"version", "print the client's version and protocol versions", verb_version,
     "discoctl version\n"},
    {"status", "the cluster's state and who you are", verb_status, "discoctl status [--json]\n"},
    {"nodes", "the FLASH nodes of the machine and their servers", verb_nodes,
     "discoctl nodes [--json]\n"},
    {"stats", "statistics of the cluster, a node or a VM", verb_stats,
     "discoctl stats [--node N | --vm ID] [--json]\n"},
    {"image", "push, list and remove images (kernels, programs, disks)", verb_image,
     "discoctl image push FILE [--kind program|kernel|disk] [--name NAME]\n"
     "discoctl image list [--json]\n"
     "discoctl image rm SHA256\n"},
    {"vm", "submit, list, show, stop, destroy VMs and use their console", verb_vm,
     "discoctl vm submit IMAGE [VM OPTIONS]        IMAGE: a SHA-256 or a file to push\n"
     "discoctl vm list [--all] [--json]\n"
     "discoctl vm show ID [--json]\n"
     "discoctl vm stop ID\n"
     "discoctl vm destroy ID\n"
     "discoctl vm console ID [--follow] [--send TEXT] [--input]\n"
     "  (on a terminal, or with --input from a pipe: stdin goes to the VM, output\n"
     "   follows until the VM ends)\n"
     "VM OPTIONS: --args 'ARGS' --memory MIB --vcpus N --node N (repeatable)\n"
     "            --disk SHA256 (repeatable) --name NAME --max-insns N --max-cycles N --kind "
     "KIND\n"
     "            Linux: --initrd SHA256 (an initramfs image) --append 'KERNEL COMMAND LINE'\n"
     "            (--disk: the first is the VM's virtio disk; docs/linux.md)\n"},
    {"job", "submit batch jobs, wait for them, get their results", verb_job,
     "discoctl job submit IMAGE [VM OPTIONS] [--time-limit S] [--on-restart rerun|fail]\n"
     "                    [--wait [--wait-timeout S] [--junit FILE] [--quiet]]\n"
     "discoctl job list [--all] [--limit N] [--json]\n"
     "discoctl job show ID [--json]\n"
     "discoctl job cancel ID\n"
     "discoctl job results ID [--json] [--console]\n"
     "With --wait the exit status is the verdict: 0 pass, 1 fail, 3 timeout, 4 canceled/error.\n"},
};
const unsigned discoctl_verb_count = sizeof discoctl_verbs / sizeof discoctl_verbs[0];
