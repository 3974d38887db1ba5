/*
 * store.c - the coordinator's SQLite store (see store.h). WAL journal with
 * synchronous=NORMAL: a committed transaction survives the death of the
 * process at any moment (kill -9); only a host crash may lose the last
 * commits. Specs are stored as packed protobuf blobs, so the schema does
 * not change when a spec gains a field.
 */
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco_err.h"
#include "log.h"
#include "pbcodec.h"
#include "xalloc.h"

#define SPEC_MAX_BYTES (64u << 10)

struct store {
    sqlite3 *db;
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS users(cn TEXT PRIMARY KEY, admin INTEGER NOT NULL,"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS images(sha256 TEXT NOT NULL, owner TEXT NOT NULL,"
    " name TEXT NOT NULL, kind INTEGER NOT NULL, size INTEGER NOT NULL,"
    " created INTEGER NOT NULL, PRIMARY KEY(sha256, owner));"
    "CREATE TABLE IF NOT EXISTS uploads(sha256 TEXT NOT NULL, owner TEXT NOT NULL,"
    " name TEXT NOT NULL, kind INTEGER NOT NULL, size INTEGER NOT NULL,"
    " received INTEGER NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY(sha256, owner));"
    "CREATE TABLE IF NOT EXISTS vms(id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL,"
    " spec BLOB NOT NULL, state INTEGER NOT NULL, reason TEXT NOT NULL DEFAULT '',"
    " job_id INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL, started INTEGER NOT NULL"
    " DEFAULT 0, ended INTEGER NOT NULL DEFAULT 0, has_exit INTEGER NOT NULL DEFAULT 0,"
    " exit_status INTEGER NOT NULL DEFAULT 0, exit_signal INTEGER NOT NULL DEFAULT 0,"
    " has_stats INTEGER NOT NULL DEFAULT 0, instructions INTEGER NOT NULL DEFAULT 0,"
    " cycles INTEGER NOT NULL DEFAULT 0, host_seconds REAL NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS vms_state ON vms(state, id);"
    "CREATE TABLE IF NOT EXISTS jobs(id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL,"
    " spec BLOB NOT NULL, state INTEGER NOT NULL, verdict INTEGER NOT NULL DEFAULT 0,"
    " reason TEXT NOT NULL DEFAULT '', vm_id INTEGER NOT NULL DEFAULT 0,"
    " attempts INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL,"
    " started INTEGER NOT NULL DEFAULT 0, ended INTEGER NOT NULL DEFAULT 0,"
    " has_exit INTEGER NOT NULL DEFAULT 0, exit_status INTEGER NOT NULL DEFAULT 0,"
    " exit_signal INTEGER NOT NULL DEFAULT 0, has_stats INTEGER NOT NULL DEFAULT 0,"
    " instructions INTEGER NOT NULL DEFAULT 0, cycles INTEGER NOT NULL DEFAULT 0,"
    " host_seconds REAL NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS jobs_owner ON jobs(owner, id);";

static int fail_db(struct store *st, const char *what)
{
    log_error("store: %s: %s", what, sqlite3_errmsg(st->db));
    return DISCO_EIO;
}

static int exec_sql(struct store *st, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("store: %s", msg ? msg : "exec failed");
        sqlite3_free(msg);
        return DISCO_EIO;
    }
    return DISCO_OK;
}

static int prepare(struct store *st, const char *sql, sqlite3_stmt **out)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK)
        return fail_db(st, sql);
    return DISCO_OK;
}

/* Steps a statement that returns no row, then finalizes it. */
static int step_done(struct store *st, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return fail_db(st, "step");
    return DISCO_OK;
}

static void copy_text(char *dst, size_t len, sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(dst, len, "%s", t ? (const char *)t : "");
}

static int check_version(struct store *st, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rv = prepare(st, "SELECT value FROM meta WHERE key='schema_version'", &s);
    if (rv != 0)
        return rv;
    int version = -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        version = atoi((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    if (version < 0) {
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT INTO meta VALUES('schema_version','%d')",
                 STORE_SCHEMA_VERSION);
        return exec_sql(st, sql);
    }
    if (version != STORE_SCHEMA_VERSION) {
        snprintf(err, errlen, "database schema version %d, this coordinator reads %d", version,
                 STORE_SCHEMA_VERSION);
        return DISCO_EFORMAT;
    }
    return DISCO_OK;
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
    struct store *st = xcalloc(1, sizeof *st);
    int rv = DISCO_EIO;
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path, sqlite3_errmsg(st->db));
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 2000);
    if (exec_sql(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "PRAGMA foreign_keys=ON;") != 0 ||
        exec_sql(st, "BEGIN IMMEDIATE") != 0) {
        snprintf(err, errlen, "cannot set up %s: %s", path, sqlite3_errmsg(st->db));
        goto fail;
    }
    if (exec_sql(st, schema_sql) != 0) {
        snprintf(err, errlen, "cannot create the schema in %s", path);
        exec_sql(st, "ROLLBACK");
        goto fail;
    }
    if ((rv = check_version(st, err, errlen)) != 0) {
        exec_sql(st, "ROLLBACK");
        goto fail;
    }
    if ((rv = exec_sql(st, "COMMIT")) != 0) {
        snprintf(err, errlen, "cannot commit the schema in %s", path);
        goto fail;
    }
    *out = st;
    return DISCO_OK;
fail:
    sqlite3_close(st->db);
    free(st);
    return rv;
}

void store_close(struct store *st)
{
    if (st == NULL)
        return;
    sqlite3_close(st->db);
    free(st);
}

int store_user_seen(struct store *st, const char *cn, bool admin, int64_t now)
{
    sqlite3_stmt *s;
    int rv = prepare(st,
                     "INSERT INTO users VALUES(?1,?2,?3,?3) ON CONFLICT(cn) DO UPDATE SET "
                     "admin=?2, last_seen=?3",
                     &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_text(s, 1, cn, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, admin);
    sqlite3_bind_int64(s, 3, now);
    return step_done(st, s);
}

/* ------------------------------------------------------------ images */

static void read_image(sqlite3_stmt *s, struct image_row *r)
{
    copy_text(r->sha256, sizeof r->sha256, s, 0);
    copy_text(r->owner, sizeof r->owner, s, 1);
    copy_text(r->name, sizeof r->name, s, 2);
    r->kind = sqlite3_column_int(s, 3);
    r->size = (uint64_t)sqlite3_column_int64(s, 4);
    r->created = sqlite3_column_int64(s, 5);
}

int store_image_get(struct store *st, const char *sha256, const char *owner, struct image_row *out)
{
    sqlite3_stmt *s;
    int rv = prepare(st,
                     "SELECT sha256,owner,name,kind,size,created FROM images WHERE sha256=?1 "
                     "AND owner=?2",
                     &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_text(s, 1, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        read_image(s, out);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? DISCO_OK : rc == SQLITE_DONE ? DISCO_ENOENT : fail_db(st, "image");
}

static int insert_image(struct store *st, const struct image_row *r)
{
    sqlite3_stmt *s;
    int rv = prepare(st, "INSERT OR REPLACE INTO images VALUES(?1,?2,?3,?4,?5,?6)", &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_text(s, 1, r->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, r->owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, r->kind);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)r->size);
    sqlite3_bind_int64(s, 6, r->created);
    return step_done(st, s);
}

int store_image_put(struct store *st, const struct image_row *row)
{
    return insert_image(st, row);
}

static int delete_pair(struct store *st, const char *sql, const char *sha256, const char *owner)
{
    sqlite3_stmt *s;
    int rv = prepare(st, sql, &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_text(s, 1, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
    return step_done(st, s);
}

int store_image_delete(struct store *st, const char *sha256, const char *owner)
{
    return delete_pair(st, "DELETE FROM images WHERE sha256=?1 AND owner=?2", sha256, owner);
}

int store_image_owners(struct store *st, const char *sha256, unsigned *count)
{
    sqlite3_stmt *s;
    int rv = prepare(st, "SELECT COUNT(*) FROM images WHERE sha256=?1", &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_text(s, 1, sha256, -1, SQLITE_STATIC);
    *count = sqlite3_step(s) == SQLITE_ROW ? (unsigned)sqlite3_column_int(s, 0) : 0;
    sqlite3_finalize(s);
    return DISCO_OK;
}

int store_image_list(struct store *st, const char *owner,
                     int (*fn)(void *arg, const struct image_row *row), void *arg)
{
    sqlite3_stmt *s;
    int rv = prepare(st,
                     "SELECT sha256,owner,name,kind,size,created FROM images WHERE ?1 IS NULL "
                     "OR owner=?1 ORDER BY created, sha256",
                     &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
    struct image_row r;
    while (sqlite3_step(s) == SQLITE_ROW) {
        read_image(s, &r);
        if (fn(arg, &r) != 0)
            break;
    }
    sqlite3_finalize(s);
    return DISCO_OK;
}

int store_upload_get(struct store *st, const char *sha256, const char *owner,
                     struct upload_row *out)
{
    sqlite3_stmt *s;
    int rv = prepare(st,
                     "SELECT sha256,owner,name,kind,size,received,updated FROM uploads WHERE "
                     "sha256=?1 AND owner=?2",
                     &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_text(s, 1, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        copy_text(out->sha256, sizeof out->sha256, s, 0);
        copy_text(out->owner, sizeof out->owner, s, 1);
        copy_text(out->name, sizeof out->name, s, 2);
        out->kind = sqlite3_column_int(s, 3);
        out->size = (uint64_t)sqlite3_column_int64(s, 4);
        out->received = (uint64_t)sqlite3_column_int64(s, 5);
        out->updated = sqlite3_column_int64(s, 6);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? DISCO_OK : rc == SQLITE_DONE ? DISCO_ENOENT : fail_db(st, "upload");
}

int store_upload_put(struct store *st, const struct upload_row *r)
{
    sqlite3_stmt *s;
    int rv = prepare(st, "INSERT OR REPLACE INTO uploads VALUES(?1,?2,?3,?4,?5,?6,?7)", &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_text(s, 1, r->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, r->owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, r->kind);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)r->size);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)r->received);
    sqlite3_bind_int64(s, 7, r->updated);
    return step_done(st, s);
}

int store_upload_delete(struct store *st, const char *sha256, const char *owner)
{
    return delete_pair(st, "DELETE FROM uploads WHERE sha256=?1 AND owner=?2", sha256, owner);
}

int store_upload_finish(struct store *st, const struct image_row *image)
{
    int rv;
    if ((rv = exec_sql(st, "BEGIN IMMEDIATE")) != 0)
        return rv;
    if ((rv = store_upload_delete(st, image->sha256, image->owner)) != 0 ||
        (rv = insert_image(st, image)) != 0) {
        exec_sql(st, "ROLLBACK");
        return rv;
    }
    return exec_sql(st, "COMMIT");
}

/* ------------------------------------------------------------ VMs and jobs */

static void bind_spec(sqlite3_stmt *s, int col, const ProtobufCMessage *spec)
{
    uint8_t *buf;
    size_t len;
    pbcodec_pack(spec, &buf, &len);
    sqlite3_bind_blob(s, col, buf, (int)len, free);
}

static int read_spec(sqlite3_stmt *s, int col, const ProtobufCMessageDescriptor *desc,
                     ProtobufCMessage **out)
{
    const void *blob = sqlite3_column_blob(s, col);
    int len = sqlite3_column_bytes(s, col);
    return pbcodec_unpack(desc, blob ? blob : "", (size_t)len, SPEC_MAX_BYTES, out);
}

/* Columns has_exit..host_seconds starting at col. */
static void read_result(sqlite3_stmt *s, int col, struct run_result *r)
{
    r->has_exit = sqlite3_column_int(s, col);
    r->exit_status = sqlite3_column_int(s, col + 1);
    r->exit_signal = sqlite3_column_int(s, col + 2);
    r->has_stats = sqlite3_column_int(s, col + 3);
    r->instructions = (uint64_t)sqlite3_column_int64(s, col + 4);
    r->cycles = (uint64_t)sqlite3_column_int64(s, col + 5);
    r->host_seconds = sqlite3_column_double(s, col + 6);
}

static void bind_result(sqlite3_stmt *s, int col, const struct run_result *r)
{
    sqlite3_bind_int(s, col, r->has_exit);
    sqlite3_bind_int(s, col + 1, r->exit_status);
    sqlite3_bind_int(s, col + 2, r->exit_signal);
    sqlite3_bind_int(s, col + 3, r->has_stats);
    sqlite3_bind_int64(s, col + 4, (sqlite3_int64)r->instructions);
    sqlite3_bind_int64(s, col + 5, (sqlite3_int64)r->cycles);
    sqlite3_bind_double(s, col + 6, r->host_seconds);
}

#define VM_COLUMNS                                                                                 \
    "id,owner,spec,state,reason,job_id,created,started,ended,has_exit,exit_status,exit_signal,"    \
    "has_stats,instructions,cycles,host_seconds"

static int read_vm(sqlite3_stmt *s, struct vm_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = (uint64_t)sqlite3_column_int64(s, 0);
    copy_text(r->owner, sizeof r->owner, s, 1);
    int rv = read_spec(s, 2, &disco__api__vm_spec__descriptor, (ProtobufCMessage **)&r->spec);
    if (rv != 0)
        return rv;
    r->state = sqlite3_column_int(s, 3);
    copy_text(r->reason, sizeof r->reason, s, 4);
    r->job_id = (uint64_t)sqlite3_column_int64(s, 5);
    r->created = sqlite3_column_int64(s, 6);
    r->started = sqlite3_column_int64(s, 7);
    r->ended = sqlite3_column_int64(s, 8);
    read_result(s, 9, &r->result);
    return DISCO_OK;
}

void vm_row_fini(struct vm_row *row)
{
    if (row->spec)
        protobuf_c_message_free_unpacked(&row->spec->base, NULL);
    row->spec = NULL;
}

static int insert_vm(struct store *st, const char *owner, const Disco__Api__VmSpec *spec,
                     uint64_t job_id, int64_t now, uint64_t *id)
{
    sqlite3_stmt *s;
    int rv =
        prepare(st, "INSERT INTO vms(owner,spec,state,job_id,created) VALUES(?1,?2,?3,?4,?5)", &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
    bind_spec(s, 2, &spec->base);
    sqlite3_bind_int(s, 3, DISCO__API__VM_STATE__VM_PENDING);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)job_id);
    sqlite3_bind_int64(s, 5, now);
    if ((rv = step_done(st, s)) != 0)
        return rv;
    *id = (uint64_t)sqlite3_last_insert_rowid(st->db);
    return DISCO_OK;
}

int store_vm_insert(struct store *st, const char *owner, const Disco__Api__VmSpec *spec,
                    uint64_t job_id, int64_t now, uint64_t *id)
{
    return insert_vm(st, owner, spec, job_id, now, id);
}

int store_vm_get(struct store *st, uint64_t id, struct vm_row *out)
{
    sqlite3_stmt *s;
    int rv = prepare(st, "SELECT " VM_COLUMNS " FROM vms WHERE id=?1", &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)id);
    int rc = sqlite3_step(s);
    rv = rc == SQLITE_ROW ? read_vm(s, out) : rc == SQLITE_DONE ? DISCO_ENOENT : fail_db(st, "vm");
    sqlite3_finalize(s);
    return rv;
}

int store_vm_update(struct store *st, const struct vm_row *r)
{
    sqlite3_stmt *s;
    int rv = prepare(st,
                     "UPDATE vms SET state=?2,reason=?3,started=?4,ended=?5,has_exit=?6,"
                     "exit_status=?7,exit_signal=?8,has_stats=?9,instructions=?10,cycles=?11,"
                     "host_seconds=?12 WHERE id=?1",
                     &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)r->id);
    sqlite3_bind_int(s, 2, r->state);
    sqlite3_bind_text(s, 3, r->reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, r->started);
    sqlite3_bind_int64(s, 5, r->ended);
    bind_result(s, 6, &r->result);
    return step_done(st, s);
}

int store_vm_delete(struct store *st, uint64_t id)
{
    sqlite3_stmt *s;
    int rv = prepare(st, "DELETE FROM vms WHERE id=?1", &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)id);
    return step_done(st, s);
}

int store_vm_list(struct store *st, const char *owner,
                  int (*fn)(void *arg, const struct vm_row *row), void *arg)
{
    sqlite3_stmt *s;
    int rv =
        prepare(st, "SELECT " VM_COLUMNS " FROM vms WHERE ?1 IS NULL OR owner=?1 ORDER BY id", &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
    struct vm_row r;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (read_vm(s, &r) != 0)
            continue; /* a row we cannot decode is skipped, not fatal */
        int stop = fn(arg, &r);
        vm_row_fini(&r);
        if (stop)
            break;
    }
    sqlite3_finalize(s);
    return DISCO_OK;
}

int store_vm_next_pending(struct store *st, uint64_t *id)
{
    sqlite3_stmt *s;
    int rv = prepare(st, "SELECT id FROM vms WHERE state=?1 ORDER BY id LIMIT 1", &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_int(s, 1, DISCO__API__VM_STATE__VM_PENDING);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *id = (uint64_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? DISCO_OK : DISCO_ENOENT;
}

#define JOB_COLUMNS                                                                                \
    "id,owner,spec,state,verdict,reason,vm_id,attempts,created,started,ended,has_exit,"            \
    "exit_status,exit_signal,has_stats,instructions,cycles,host_seconds"

static int read_job(sqlite3_stmt *s, struct job_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = (uint64_t)sqlite3_column_int64(s, 0);
    copy_text(r->owner, sizeof r->owner, s, 1);
    int rv = read_spec(s, 2, &disco__api__job_spec__descriptor, (ProtobufCMessage **)&r->spec);
    if (rv != 0)
        return rv;
    r->state = sqlite3_column_int(s, 3);
    r->verdict = sqlite3_column_int(s, 4);
    copy_text(r->reason, sizeof r->reason, s, 5);
    r->vm_id = (uint64_t)sqlite3_column_int64(s, 6);
    r->attempts = (uint32_t)sqlite3_column_int(s, 7);
    r->created = sqlite3_column_int64(s, 8);
    r->started = sqlite3_column_int64(s, 9);
    r->ended = sqlite3_column_int64(s, 10);
    read_result(s, 11, &r->result);
    return DISCO_OK;
}

void job_row_fini(struct job_row *row)
{
    if (row->spec)
        protobuf_c_message_free_unpacked(&row->spec->base, NULL);
    row->spec = NULL;
}

static int set_job_vm(struct store *st, uint64_t job_id, uint64_t vm_id)
{
    sqlite3_stmt *s;
    int rv = prepare(st, "UPDATE jobs SET vm_id=?2 WHERE id=?1", &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)job_id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)vm_id);
    return step_done(st, s);
}

static int insert_job(struct store *st, const char *owner, const Disco__Api__JobSpec *spec,
                      int64_t now, uint64_t *job_id, uint64_t *vm_id)
{
    sqlite3_stmt *s;
    int rv = prepare(st, "INSERT INTO jobs(owner,spec,state,created) VALUES(?1,?2,?3,?4)", &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
    bind_spec(s, 2, &spec->base);
    sqlite3_bind_int(s, 3, DISCO__API__JOB_STATE__JOB_QUEUED);
    sqlite3_bind_int64(s, 4, now);
    if ((rv = step_done(st, s)) != 0)
        return rv;
    *job_id = (uint64_t)sqlite3_last_insert_rowid(st->db);
    if ((rv = insert_vm(st, owner, spec->vm, *job_id, now, vm_id)) != 0)
        return rv;
    return set_job_vm(st, *job_id, *vm_id);
}

int store_job_insert(struct store *st, const char *owner, const Disco__Api__JobSpec *spec,
                     int64_t now, uint64_t *job_id, uint64_t *vm_id)
{
    int rv;
    if ((rv = exec_sql(st, "BEGIN IMMEDIATE")) != 0)
        return rv;
    if ((rv = insert_job(st, owner, spec, now, job_id, vm_id)) != 0) {
        exec_sql(st, "ROLLBACK");
        return rv;
    }
    return exec_sql(st, "COMMIT");
}

int store_job_get(struct store *st, uint64_t id, struct job_row *out)
{
    sqlite3_stmt *s;
    int rv = prepare(st, "SELECT " JOB_COLUMNS " FROM jobs WHERE id=?1", &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)id);
    int rc = sqlite3_step(s);
    rv = rc == SQLITE_ROW    ? read_job(s, out)
         : rc == SQLITE_DONE ? DISCO_ENOENT
                             : fail_db(st, "job");
    sqlite3_finalize(s);
    return rv;
}

int store_job_update(struct store *st, const struct job_row *r)
{
    sqlite3_stmt *s;
    int rv = prepare(st,
                     "UPDATE jobs SET state=?2,verdict=?3,reason=?4,vm_id=?5,attempts=?6,"
                     "started=?7,ended=?8,has_exit=?9,exit_status=?10,exit_signal=?11,"
                     "has_stats=?12,instructions=?13,cycles=?14,host_seconds=?15 WHERE id=?1",
                     &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)r->id);
    sqlite3_bind_int(s, 2, r->state);
    sqlite3_bind_int(s, 3, r->verdict);
    sqlite3_bind_text(s, 4, r->reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)r->vm_id);
    sqlite3_bind_int(s, 6, (int)r->attempts);
    sqlite3_bind_int64(s, 7, r->started);
    sqlite3_bind_int64(s, 8, r->ended);
    bind_result(s, 9, &r->result);
    return step_done(st, s);
}

int store_job_list(struct store *st, const char *owner, unsigned limit,
                   int (*fn)(void *arg, const struct job_row *row), void *arg)
{
    sqlite3_stmt *s;
    int rv = prepare(st,
                     "SELECT " JOB_COLUMNS " FROM jobs WHERE ?1 IS NULL OR owner=?1 "
                     "ORDER BY id DESC LIMIT ?2",
                     &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, limit);
    struct job_row r;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (read_job(s, &r) != 0)
            continue;
        int stop = fn(arg, &r);
        job_row_fini(&r);
        if (stop)
            break;
    }
    sqlite3_finalize(s);
    return DISCO_OK;
}

/* ------------------------------------------------------------ recovery */

/* Re-queues or fails one job found running at start-up. */
static int recover_job(struct store *st, struct job_row *job, unsigned max_attempts, int64_t now,
                       struct recover_report *report)
{
    bool rerun = job->spec->on_restart == DISCO__API__RESTART_POLICY__RESTART_RERUN &&
                 job->attempts < max_attempts;
    int rv;
    if (rerun) {
        uint64_t vm_id;
        if ((rv = insert_vm(st, job->owner, job->spec->vm, job->id, now, &vm_id)) != 0)
            return rv;
        job->vm_id = vm_id;
        job->state = DISCO__API__JOB_STATE__JOB_QUEUED;
        snprintf(job->reason, sizeof job->reason,
                 "the coordinator restarted during attempt %u; queued again", job->attempts);
        report->requeued_jobs++;
    } else {
        job->state = DISCO__API__JOB_STATE__JOB_FAILED;
        job->verdict = DISCO__API__VERDICT__VERDICT_ERROR;
        job->ended = now;
        snprintf(job->reason, sizeof job->reason,
                 "the coordinator restarted during attempt %u (%s)", job->attempts,
                 job->attempts >= max_attempts ? "attempt limit reached" : "restart policy: fail");
        report->failed_jobs++;
    }
    return store_job_update(st, job);
}

static int collect_ids(struct store *st, const char *sql, int state, uint64_t **ids, unsigned *n)
{
    sqlite3_stmt *s;
    int rv = prepare(st, sql, &s);
    if (rv != 0)
        return rv;
    sqlite3_bind_int(s, 1, state);
    unsigned cap = 16;
    *ids = xmalloc(cap * sizeof **ids);
    *n = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (*n == cap)
            *ids = xrealloc(*ids, (cap *= 2) * sizeof **ids);
        (*ids)[(*n)++] = (uint64_t)sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    return DISCO_OK;
}

static int recover_all(struct store *st, unsigned max_attempts, int64_t now,
                       struct recover_report *report)
{
    uint64_t *ids;
    unsigned n;
    int rv = collect_ids(st, "SELECT id FROM vms WHERE state=?1", DISCO__API__VM_STATE__VM_RUNNING,
                         &ids, &n);
    for (unsigned i = 0; rv == 0 && i < n; i++) {
        struct vm_row vm;
        if ((rv = store_vm_get(st, ids[i], &vm)) != 0)
            break;
        vm.state = DISCO__API__VM_STATE__VM_FAILED;
        vm.ended = now;
        snprintf(vm.reason, sizeof vm.reason, "lost: the coordinator restarted while it ran");
        rv = store_vm_update(st, &vm);
        vm_row_fini(&vm);
        report->failed_vms++;
    }
    free(ids);
    if (rv != 0)
        return rv;
    rv = collect_ids(st, "SELECT id FROM jobs WHERE state=?1", DISCO__API__JOB_STATE__JOB_RUNNING,
                     &ids, &n);
    for (unsigned i = 0; rv == 0 && i < n; i++) {
        struct job_row job;
        if ((rv = store_job_get(st, ids[i], &job)) != 0)
            break;
        rv = recover_job(st, &job, max_attempts, now, report);
        job_row_fini(&job);
    }
    free(ids);
    return rv;
}

int store_recover(struct store *st, unsigned max_attempts, int64_t now,
                  struct recover_report *report)
{
    int rv;
    *report = (struct recover_report){0};
    if ((rv = exec_sql(st, "BEGIN IMMEDIATE")) != 0)
        return rv;
    if ((rv = recover_all(st, max_attempts, now, report)) != 0) {
        exec_sql(st, "ROLLBACK");
        return rv;
    }
    if ((rv = exec_sql(st, "COMMIT")) != 0)
        return rv;
    struct store_counts c;
    if ((rv = store_counts(st, &c)) != 0)
        return rv;
    report->pending = c.vms[DISCO__API__VM_STATE__VM_PENDING];
    return DISCO_OK;
}

static int count_by_state(struct store *st, const char *sql, unsigned *counts, unsigned n)
{
    sqlite3_stmt *s;
    int rv = prepare(st, sql, &s);
    if (rv != 0)
        return rv;
    while (sqlite3_step(s) == SQLITE_ROW) {
        int state = sqlite3_column_int(s, 0);
        if (state >= 0 && (unsigned)state < n)
            counts[state] = (unsigned)sqlite3_column_int(s, 1);
    }
    sqlite3_finalize(s);
    return DISCO_OK;
}

static unsigned count_rows(struct store *st, const char *sql)
{
    sqlite3_stmt *s;
    if (prepare(st, sql, &s) != 0)
        return 0;
    unsigned n = sqlite3_step(s) == SQLITE_ROW ? (unsigned)sqlite3_column_int(s, 0) : 0;
    sqlite3_finalize(s);
    return n;
}

int store_counts(struct store *st, struct store_counts *out)
{
    int rv;
    *out = (struct store_counts){0};
    if ((rv = count_by_state(st, "SELECT state, COUNT(*) FROM vms GROUP BY state", out->vms, 6)) !=
            0 ||
        (rv = count_by_state(st, "SELECT state, COUNT(*) FROM jobs GROUP BY state", out->jobs,
                             6)) != 0)
        return rv;
    out->images = count_rows(st, "SELECT COUNT(*) FROM images");
    out->users = count_rows(st, "SELECT COUNT(*) FROM users");
    return DISCO_OK;
}
