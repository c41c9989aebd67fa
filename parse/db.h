/*
 * db.h: the crate database, shared by store and checkpoint (store(1) DATABASE,
 * doc/database.md): opening, the schema and its migrations, transactions
 * that wait out other writers, and the checkpoints table.
 *
 * Errors: functions returning int return an SQLite result code (SQLITE_OK,
 * SQLITE_DONE, ...); db_errmsg says why. db_status maps a result code to the
 * exit status a tool should use: EXIT_IOERR for a full disk, I/O errors, a
 * read-only or unopenable file, corruption; EXIT_TEMPFAIL for a lock that
 * outlasted the wait; EXIT_SOFTWARE for anything else.
 */
#ifndef CRATE_DB_H
#define CRATE_DB_H

#include <stddef.h>
#include <signal.h>
#include <sqlite3.h>
#include <yajl/yajl_tree.h>

/* The schema version this build writes (PRAGMA user_version). */
#define DB_SCHEMA_VERSION 3

/* How long a writer waits for another by default, in milliseconds. */
#define DB_BUSY_DEFAULT_MS 60000

/*
 * db_open: opens path. With readonly, a missing file is not created and
 * NULL is returned (no message); otherwise the file is created, switched to
 * WAL with synchronous=NORMAL, and its schema created or migrated. Dies with
 * db_status's exit status on any failure. busy_ms is the busy timeout.
 */
sqlite3 *db_open(const char *path, int readonly, long long busy_ms);
/*
 * A flag that a signal handler sets: waits for a busy database (SQLite's busy
 * handler, db_begin, db_commit) give up as soon as it is set.
 */
void db_interrupt_on(volatile sig_atomic_t *flag);
void db_close(sqlite3 *db);

/* 1 when the schema exists (a read-only database may predate it). */
int db_has_schema(sqlite3 *db);

const char *db_errmsg(sqlite3 *db);
int db_status(int rc);

/* Runs SQL without results. */
int db_exec(sqlite3 *db, const char *sql);

/*
 * BEGIN IMMEDIATE, retried while another writer holds the database, up to
 * busy_ms in all (on top of SQLite's own busy handler). COMMIT likewise.
 */
int db_begin(sqlite3 *db, long long busy_ms);
int db_commit(sqlite3 *db, long long busy_ms);
/* ROLLBACK, ignoring "no transaction is active". */
void db_rollback(sqlite3 *db);

/* Prepares or dies (a failure here is a bug or a foreign schema). */
sqlite3_stmt *db_prepare(sqlite3 *db, const char *sql);

/*
 * Checkpoints. db_checkpoint_get returns the bookmark text of provider and
 * stream (malloc'd, the caller frees), or NULL when there is none; with a
 * NULL provider it takes the only provider that has the stream, and sets
 * *ambiguous (when not NULL) when several have it. db_checkpoint_put writes
 * one inside the caller's transaction.
 */
char *db_checkpoint_get(sqlite3 *db, const char *provider, const char *stream,
    int *ambiguous);
int db_checkpoint_put(sqlite3 *db, const char *provider, const char *stream,
    const char *state, const char *updated_at);

/* The provider for a stream when one is not given: the only one with a checkpoint. */
char *db_checkpoint_provider(sqlite3 *db, const char *stream, int *ambiguous);

#endif
