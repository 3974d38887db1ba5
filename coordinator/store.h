/*
 * store.h - the coordinator's persistent state in one SQLite database
 * (STATE_DIR/disco.db, WAL journal): users, images and their owners,
 * partial uploads, VMs and jobs with their state and results. Every change
 * is one transaction, so a coordinator killed at any moment restarts from a
 * consistent state (store_recover() applies the restart policy). Used only
 * from the API thread (jobs.c and the api_*.c handlers).
 */
#ifndef DISCO_COORD_STORE_H
#define DISCO_COORD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.pb-c.h"

#define STORE_SCHEMA_VERSION 1
#define STORE_NAME_MAX       128 /* user names (certificate CNs) and labels */
#define STORE_REASON_MAX     256 /* human-readable reasons */
#define STORE_SHA_HEX        64

struct store;

/* An image one user owns (the content is shared by SHA-256). */
struct image_row {
    char sha256[STORE_SHA_HEX + 1];
    char owner[STORE_NAME_MAX];
    char name[STORE_NAME_MAX];
    int kind; /* Disco__Api__ImageKind */
    uint64_t size;
    int64_t created;
};

/* A partial upload of one user. */
struct upload_row {
    char sha256[STORE_SHA_HEX + 1];
    char owner[STORE_NAME_MAX];
    char name[STORE_NAME_MAX];
    int kind;
    uint64_t size, received;
    int64_t updated;
};

/* Results of a finished run (VM or job attempt). */
struct run_result {
    bool has_exit;
    int32_t exit_status, exit_signal;
    bool has_stats;
    uint64_t instructions, cycles;
    double host_seconds;
};

struct vm_row {
    uint64_t id;
    char owner[STORE_NAME_MAX];
    Disco__Api__VmSpec *spec; /* owned (protobuf_c_message_free_unpacked) */
    int state;                /* Disco__Api__VmState */
    char reason[STORE_REASON_MAX];
    uint64_t job_id; /* 0: not a job's VM */
    int64_t created, started, ended;
    struct run_result result;
};

struct job_row {
    uint64_t id;
    char owner[STORE_NAME_MAX];
    Disco__Api__JobSpec *spec; /* owned */
    int state;                 /* Disco__Api__JobState */
    int verdict;               /* Disco__Api__Verdict */
    char reason[STORE_REASON_MAX];
    uint64_t vm_id;
    uint32_t attempts;
    int64_t created, started, ended;
    struct run_result result;
};

/* What store_recover() did. */
struct recover_report {
    unsigned requeued_jobs, failed_jobs, failed_vms, pending;
};

/*
 * Opens (creating if needed) STATE_DIR/disco.db and checks its schema
 * version. Returns 0 or DISCO_EIO/DISCO_EFORMAT with a message.
 */
int store_open(const char *path, struct store **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void store_close(struct store *st);

/*
 * The restart policy, applied once at start-up: VMs that were running are
 * marked failed; jobs that were running are re-queued with a fresh VM while
 * their attempts stay under max_attempts and their policy is RERUN, else
 * failed with the reason. Pending VMs and queued jobs stay queued.
 */
int store_recover(struct store *st, unsigned max_attempts, int64_t now,
                  struct recover_report *report) __attribute__((warn_unused_result));

int store_user_seen(struct store *st, const char *cn, bool admin, int64_t now)
    __attribute__((warn_unused_result));

/* Images. Getters return DISCO_ENOENT when absent. */
int store_image_get(struct store *st, const char *sha256, const char *owner, struct image_row *out)
    __attribute__((warn_unused_result));
int store_image_put(struct store *st, const struct image_row *row)
    __attribute__((warn_unused_result));
int store_image_delete(struct store *st, const char *sha256, const char *owner)
    __attribute__((warn_unused_result));
/* Owners still holding sha256 (the blob is removed at 0). */
int store_image_owners(struct store *st, const char *sha256, unsigned *count)
    __attribute__((warn_unused_result));
/* Calls fn for each image of owner (all owners if NULL); fn returning non-zero stops. */
int store_image_list(struct store *st, const char *owner,
                     int (*fn)(void *arg, const struct image_row *row), void *arg)
    __attribute__((warn_unused_result));

int store_upload_get(struct store *st, const char *sha256, const char *owner,
                     struct upload_row *out) __attribute__((warn_unused_result));
int store_upload_put(struct store *st, const struct upload_row *row)
    __attribute__((warn_unused_result));
int store_upload_delete(struct store *st, const char *sha256, const char *owner)
    __attribute__((warn_unused_result));
/* Completes an upload: removes the partial row and adds the image, atomically. */
int store_upload_finish(struct store *st, const struct image_row *image)
    __attribute__((warn_unused_result));

/* VMs. Rows handed to callbacks are only valid during the call. */
int store_vm_insert(struct store *st, const char *owner, const Disco__Api__VmSpec *spec,
                    uint64_t job_id, int64_t now, uint64_t *id) __attribute__((warn_unused_result));
int store_vm_get(struct store *st, uint64_t id, struct vm_row *out)
    __attribute__((warn_unused_result));
/* Writes state, reason, times and result of row->id. */
int store_vm_update(struct store *st, const struct vm_row *row) __attribute__((warn_unused_result));
int store_vm_delete(struct store *st, uint64_t id) __attribute__((warn_unused_result));
int store_vm_list(struct store *st, const char *owner,
                  int (*fn)(void *arg, const struct vm_row *row), void *arg)
    __attribute__((warn_unused_result));
/* The oldest pending VM, or DISCO_ENOENT. */
int store_vm_next_pending(struct store *st, uint64_t *id) __attribute__((warn_unused_result));
void vm_row_fini(struct vm_row *row);

/* Jobs. store_job_insert also creates the job's first (pending) VM. */
int store_job_insert(struct store *st, const char *owner, const Disco__Api__JobSpec *spec,
                     int64_t now, uint64_t *job_id, uint64_t *vm_id)
    __attribute__((warn_unused_result));
int store_job_get(struct store *st, uint64_t id, struct job_row *out)
    __attribute__((warn_unused_result));
int store_job_update(struct store *st, const struct job_row *row)
    __attribute__((warn_unused_result));
/* Newest first, at most limit rows. */
int store_job_list(struct store *st, const char *owner, unsigned limit,
                   int (*fn)(void *arg, const struct job_row *row), void *arg)
    __attribute__((warn_unused_result));
void job_row_fini(struct job_row *row);

/* Counts of VMs and jobs by state, for status and statistics. */
struct store_counts {
    unsigned vms[6];  /* by Disco__Api__VmState */
    unsigned jobs[6]; /* by Disco__Api__JobState */
    unsigned images, users;
};
int store_counts(struct store *st, struct store_counts *out) __attribute__((warn_unused_result));

#endif
