/*
 * store.h: the parts of store (one program, several files).
 *
 *   store.c     main: options, signals
 *   run.c       the message loop: streams, transactions, STATEs, the end
 *   rows.c      records into rows: upserts, stubs, relations, membership
 *   gone.c      what a walk saw, what a complete one may take for gone, the guard
 *   progress.c  the live line or log lines, the final report
 */
#ifndef STORE_H
#define STORE_H

#include <signal.h>
#include <sqlite3.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "msg.h"

struct store_opts {
	const char *path;		/* the database */
	const char *provider;		/* --provider or CRATE_PROVIDER, or NULL */
	const char *report;		/* --report FILE, or NULL */
	long long batch;		/* commit after this many records ... */
	long long commit_interval_ms;	/* ... or this long, at a STATE */
	long long busy_ms;
	long long progress_ms;		/* a log line this often when not on a terminal */
	long long max_pages;		/* PRAGMA max_page_count (tests), 0: none */
	size_t cap;
	int allow_delete;		/* --allow-delete: no deletion guard */
};

/* What one run did to one stream; copied at each STATE and each commit. */
struct counts {
	long long stored, new, updated, unchanged, removed, invalid;
	/* From the last bookmark (-1: not given). */
	long long fetched, total, rejected;
	long long skipped;	/* items upstream could not read (-1: none said) */
	long long unserved;	/* items the provider counts and never serves */
	long long held;		/* soft deletes the deletion guard held back */
	long long active;	/* the stream's active members when they were held */
	int complete;	/* complete:true, or forbidden or unavailable (nothing more to get) */
	int forbidden;	/* the provider refused the list (a playlist's items) */
	int unavailable;	/* the provider does not serve the list (404) */
};

/*
 * One stream as checkpoints see it: a bookmark key. For playlist_items there
 * is one per playlist ("playlist_items:PLAYLIST_ID"); reports and progress
 * add them up under their base stream.
 */
struct stream {
	char *key;
	char *base;		/* the record stream: key up to ':' */
	char *provider;		/* NULL until a record or STATE tells */
	long long run_id;	/* its sync_runs row, 0 before the first STATE */
	int run_committed;	/* that row is in the database */
	char *sync_id, *mode;
	char *error;		/* the bookmark's "error", control characters stripped */
	char *bookmark;		/* the last bookmark written, as text */
	time_t throttled_until;
	long long started_ms;	/* mono_ms of its first message */
	struct counts cur, at_state, committed;
	/*
	 * A playlist's items: the positions this run stored (a bitmap, bounded
	 * by the playlist's length), and whether this run saw its walk from the
	 * first page (then, at completion, positions it did not see are gone).
	 */
	unsigned char *seen;
	size_t seen_len;
	int seen_lost;		/* a position could not be tracked: delete none unseen */
	long long pos_end;	/* 1 + the highest position stored in this walk */
	int states, walk_whole;
	long long pass;		/* the walk's pass (fetch-pages walks a list again on drift) */
};

/* run.c */
void store_open(const struct store_opts *o);
int store_run(struct msg_reader *r, volatile sig_atomic_t *stop);
/* Ends the process after a database error: nothing after the last commit stays. */
void store_fail(int rc, const char *what) __attribute__((noreturn));
/* Steps and resets st; store_fail(what) on an error. */
void store_step(sqlite3_stmt *st, const char *what);

/* gone.c */
void gone_prepare(sqlite3 *db, int allow_delete);
void gone_finalize(void);
/* Binds a statement's ?1 (provider) and ?2 (stream key). */
void bind_key(sqlite3_stmt *st, const char *provider, const char *key);
/* A playlist entry's position, stored by this run. */
void seen_mark(struct stream *s, yajl_val position);
/* Members (or a playlist's entries) written since the last STATE are seen by sync_id in pass. */
void gone_adopt(struct stream *s, const char *provider, const char *sync_id, long long pass);
/*
 * After a STATE: what a complete full walk (may_delete) did not see is
 * marked removed, a complete playlist is cut to its total, both under the
 * deletion guard (s->cur.held says what it held). Returns the rows removed.
 */
long long gone_remove(struct stream *s, const char *provider, const char *sync_id,
    long long pass, int may_delete, const char *now);

/* rows.c */
enum { UP_NEW, UP_UPDATED, UP_UNCHANGED, UP_FAILED };
void rows_prepare(sqlite3 *db);
void rows_finalize(void);
/*
 * Writes one record of stream (its provider already checked). Returns UP_*;
 * on UP_FAILED, *rc is the SQLite error and *why a reason (static storage).
 */
int rows_record(const char *stream, const char *provider, const char *id,
    yajl_val rec, const char *now, int *rc, const char **why);
/*
 * The sync and pass a library row written next is seen by, when the STATE it
 * waited for is known (NULL: pending, adopted at that STATE by gone_adopt).
 */
void rows_seen_by(const char *sync_id, long long pass);
/* After a rollback: the stubs written since may not be there any more. */
void rows_forget(void);
/* One record of stream "rejects" into the rejects table (its sync named at the next STATE). */
int rows_reject(yajl_val rec, const char *now, int *rc);
/* 1 for streams whose records may be library members. */
int rows_is_membership(const char *stream);

/* progress.c */
void progress_init(long long log_interval_ms);
void progress_tick(struct stream **streams, size_t n, int force);
void progress_clear(void);
/* 1 when live lines are drawn (stderr is a terminal, no -q). */
int progress_live(void);
void progress_final(struct stream **streams, size_t n, const char *status_if_partial);
int progress_report_file(const char *path, struct stream **streams, size_t n);
/* "1,234,567" */
char *fmt_count(long long v, char out[32]);

#endif
