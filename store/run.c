/*
 * The message loop. One transaction is open at a time; it begins at the
 * first write and ends only right after a STATE (when the batch is big or
 * old enough, or the input is quiet) or at the end of input. After each
 * STATE that does not commit, a savepoint marks it, so that a signal can
 * keep everything up to the last STATE and drop the records after it.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "db.h"
#include "json.h"
#include "prov.h"
#include "tree.h"
#include "util.h"

#include "store.h"

static const struct store_opts *opts;
static sqlite3 *db;
static char now[ISO8601_LEN];

static struct stream **streams;
static size_t nstreams, streams_cap;
static struct stream *last_stream;

static int in_txn, have_savepoint;
static long long txn_started_ms, txn_records;

static size_t bad_lines;
static int read_failed;

static sqlite3_stmt *run_insert, *run_update, *savepoint, *release, *rejects_adopt;
static long long messages;	/* messages read (store says so when none came) */

/*
 * Records wait in memory for the STATE after them and are written with it,
 * so what follows the last STATE is simply not written yet: no savepoint
 * per STATE. (A savepoint copies each page first written after it into its
 * journal: with 16 KiB pages that was 100 KiB copied per track.) At most
 * DEFER_MAX records or DEFER_BYTES of their lines wait; past that they are
 * written behind a savepoint (after_state), which an interruption rolls
 * back to, as before.
 */
#define DEFER_MAX 128
#define DEFER_BYTES ((size_t)4 << 20)
static struct deferred {
	struct msg m;
	struct tree *t;
} deferred[DEFER_MAX + 1];
static size_t ndeferred, deferred_bytes;

static int
page_size(sqlite3 *handle)
{
	sqlite3_stmt *s = db_prepare(handle, "PRAGMA page_size");
	int size = 4096;

	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) > 0)
		size = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return size;
}

void
store_open(const struct store_opts *o)
{
	char sql[64];

	opts = o;
	db = db_open(o->path, 0, o->busy_ms);
	if (o->max_pages > 0) {
		snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", o->max_pages);
		db_exec(db, sql);
	}
	/*
	 * Sized by measuring 100,000 tracks (scripts/bench-store): a page
	 * cache of 12 MiB (the default 2 MiB sent most page reads to the
	 * kernel) and a checkpoint every 40 MiB instead of every 4 took a
	 * third off the CPU time; a larger cache or mmap gained nothing and
	 * mmap's pages count as memory in use. 12 MiB, not 16: the same time
	 * within the noise, and a 10,000-track library fills it too, so peak
	 * memory is the same at any size. The checkpoint comes every 40 MiB of
	 * WAL, whatever the page size.
	 */
	db_exec(db, "PRAGMA cache_size = -12288");
	snprintf(sql, sizeof sql, "PRAGMA wal_autocheckpoint = %d", (40 << 20) / page_size(db));
	db_exec(db, sql);
	rows_prepare(db);
	gone_prepare(db, o->allow_delete);
	run_insert = db_prepare(db,
	    "INSERT INTO sync_runs (stream, provider, sync_id, mode, started, status, pid)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6)");
	run_update = db_prepare(db,
	    "UPDATE sync_runs SET sync_id = ?2, mode = ?3, status = ?4, finished = ?5,"
	    " fetched = ?6, stored = ?7, rejected = ?8, total = ?9, new = ?10,"
	    " updated = ?11, unchanged = ?12, removed = ?13, error = ?14, held = ?15,"
	    " unserved = ?16 WHERE run_id = ?1");
	rejects_adopt = db_prepare(db,
	    "UPDATE rejects SET sync_id = ?3 WHERE (stream IS ?2 OR stream IS NULL)"
	    " AND (provider IS ?1 OR provider IS NULL) AND sync_id IS NULL");
	savepoint = db_prepare(db, "SAVEPOINT after_state");
	release = db_prepare(db, "RELEASE after_state");
	progress_init(o->progress_ms);
}

static void
counts_reset(struct counts *c)
{
	memset(c, 0, sizeof *c);
	c->fetched = c->total = c->rejected = c->skipped = c->unserved = -1;
}

/*
 * The stream of a key and a provider: streams are per provider and key, as
 * checkpoints are, so that two providers in one pipe never share a run, a
 * checkpoint or a soft delete. A provider not known yet (a STATE from a tap
 * that does not name it) takes the key's only stream, or starts one that the
 * first provider named adopts.
 */
static struct stream *
stream_get(const char *key, const char *provider)
{
	struct stream *s, *open = NULL, *any = NULL;
	const char *colon;
	size_t i, nany = 0;

	if (opts->provider)
		provider = opts->provider;
	/*
	 * Only a named provider takes the last stream at once: a bookmark that
	 * names none must not fall to whichever provider sent the last record
	 * (two providers in one pipe), or its sync would delete the other's rows.
	 */
	if (last_stream && provider && strcmp(last_stream->key, key) == 0 &&
	    last_stream->provider && strcmp(last_stream->provider, provider) == 0)
		return last_stream;
	for (i = 0; i < nstreams; i++) {
		s = streams[i];
		if (strcmp(s->key, key) != 0)
			continue;
		if (provider && s->provider && strcmp(s->provider, provider) == 0)
			return last_stream = s;
		if (s->provider == NULL && open == NULL)
			open = s;
		any = s;
		nany++;
	}
	if (provider == NULL && nany == 1)
		return last_stream = any;
	if (provider == NULL && open)
		return last_stream = open;
	if (provider && open) {
		open->provider = xstrdup(provider);
		return last_stream = open;
	}
	if (nstreams == streams_cap) {
		streams_cap = streams_cap ? streams_cap * 2 : 8;
		streams = xrealloc(streams, streams_cap * sizeof *streams);
	}
	s = xcalloc(1, sizeof *s);
	s->key = xstrdup(key);
	colon = strchr(key, ':');
	s->base = colon ? xstrndup(key, (size_t)(colon - key)) : xstrdup(key);
	counts_reset(&s->cur);
	s->at_state = s->committed = s->cur;
	s->started_ms = mono_ms();
	if (provider)
		s->provider = xstrdup(provider);
	streams[nstreams++] = s;
	return last_stream = s;
}

/*
 * The provider a checkpoint is filed under: --provider (or CRATE_PROVIDER),
 * else the provider of the stream's records, else the provider of its only
 * existing checkpoint.
 */
static const char *
stream_provider(struct stream *s)
{
	int ambiguous;

	if (s->provider)
		return s->provider;
	if (opts->provider)
		return s->provider = xstrdup(opts->provider);
	s->provider = db_checkpoint_provider(db, s->key, &ambiguous);
	if (s->provider == NULL) {
		if (ambiguous)
			warn("%s: several providers have checkpoints for this stream; "
			    "filing under \"unknown\" (give --provider)", s->key);
		s->provider = xstrdup("unknown");
	}
	return s->provider;
}

static void run_bind_counts(const struct counts *c);

/* Ends the process after a database error: nothing after the last commit stays. */
void
store_fail(int rc, const char *what)
{
	char msg[512];
	size_t i;

	snprintf(msg, sizeof msg, "%s", db_errmsg(db));
	if ((rc & 0xff) == SQLITE_FULL && strstr(msg, "ulimit") == NULL)
		snprintf(msg, sizeof msg, "database or disk is full");
	db_rollback(db);
	rows_forget();
	in_txn = have_savepoint = 0;
	progress_clear();
	for (i = 0; i < nstreams; i++)
		streams[i]->cur = streams[i]->committed;
	/* Best effort: on a full disk even this may not fit. */
	/* Best effort, and no second wait for a lock that outlasted the first (--busy-timeout). */
	if (db_begin(db, (rc & 0xff) == SQLITE_BUSY ? 0 : 1000) == SQLITE_OK) {
		for (i = 0; i < nstreams; i++) {
			struct stream *s = streams[i];

			if (!s->run_committed)
				continue;
			sqlite3_bind_int64(run_update, 1, s->run_id);
			sqlite3_bind_text(run_update, 2, s->sync_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(run_update, 3, s->mode, -1, SQLITE_STATIC);
			sqlite3_bind_text(run_update, 4, "failed", -1, SQLITE_STATIC);
			iso8601_now(now);
			sqlite3_bind_text(run_update, 5, now, -1, SQLITE_STATIC);
			/* what was committed stands: the run says how much */
			run_bind_counts(&s->cur);
			sqlite3_bind_text(run_update, 14, msg, -1, SQLITE_STATIC);
			sqlite3_step(run_update);
			sqlite3_reset(run_update);
		}
		if (db_commit(db, 1000) != SQLITE_OK)
			db_rollback(db);
	}
	progress_final(streams, nstreams, "failed");
	if (opts->report)
		progress_report_file(opts->report, streams, nstreams);
	die(db_status(rc), "%s: %s: %s; rolled back to the last committed STATE",
	    opts->path, what, msg);
}

/* The counts of a run into run_update (?6 to ?13); unknown ones stay NULL. */
static void
run_bind_counts(const struct counts *c)
{
	if (c->fetched >= 0)
		sqlite3_bind_int64(run_update, 6, c->fetched);
	sqlite3_bind_int64(run_update, 7, c->stored);
	if (c->rejected >= 0)
		sqlite3_bind_int64(run_update, 8, c->rejected);
	if (c->total >= 0)
		sqlite3_bind_int64(run_update, 9, c->total);
	sqlite3_bind_int64(run_update, 10, c->new);
	sqlite3_bind_int64(run_update, 11, c->updated);
	sqlite3_bind_int64(run_update, 12, c->unchanged);
	sqlite3_bind_int64(run_update, 13, c->removed);
	if (c->held > 0)
		sqlite3_bind_int64(run_update, 15, c->held);
	if (c->unserved >= 0)
		sqlite3_bind_int64(run_update, 16, c->unserved);
}

static void
txn_begin(void)
{
	int rc;

	if (in_txn)
		return;
	rc = db_begin(db, opts->busy_ms);
	if (rc != SQLITE_OK)
		store_fail(rc, "cannot begin a transaction");
	in_txn = 1;
	have_savepoint = 0;
	txn_started_ms = mono_ms();
	txn_records = 0;
}

static void
txn_commit(void)
{
	int rc;
	size_t i;

	if (!in_txn)
		return;
	rc = db_commit(db, opts->busy_ms);
	if (rc != SQLITE_OK)
		store_fail(rc, "cannot commit");
	in_txn = have_savepoint = 0;
	for (i = 0; i < nstreams; i++) {
		streams[i]->committed = streams[i]->cur;
		if (streams[i]->run_id)
			streams[i]->run_committed = 1;
	}
}

static void
exec_or_fail(const char *sql)
{
	int rc = db_exec(db, sql);

	if (rc != SQLITE_OK)
		store_fail(rc, sql);
}

void
store_step(sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		store_fail(rc, what);
}

/* The pass a bookmark says its walk is in (none: 1). */
static long long
bookmark_pass(yajl_val bm)
{
	long long pass = json_int_or(json_member(bm, "pass"), 1);

	return pass < 1 ? 1 : pass;
}

/*
 * The pass of s's records since its last STATE, bm the one that names them:
 * the last STATE's (a new pass is announced before its first record), or
 * bm's when this process saw no STATE of s before (a resumed walk).
 */
static long long
pending_pass(const struct stream *s, yajl_val bm)
{
	return s->states > 0 && s->pass > 0 ? s->pass : bookmark_pass(bm);
}

/* The bookmarks of the STATE whose records are being written (replay), else NULL. */
static yajl_val state_bookmarks;

/*
 * A library row of s written while store holds its STATE is written seen by
 * the sync and pass that STATE's bookmark would adopt it with (gone_adopt),
 * where that bookmark is s's own beyond doubt; else pending, as before.
 */
static void
seen_by(const struct stream *s, const char *stream, const char *provider)
{
	yajl_val bm = json_member(state_bookmarks, stream);
	const char *sync_id = json_str(json_member(bm, "sync_id"));
	const char *named = opts->provider ? opts->provider : json_str(json_member(bm, "provider"));
	size_t i, same = 0;

	/* gone_adopt's streams: membership, no ':' (a playlist's entries) */
	if (bm == NULL || bm->type != yajl_t_object || sync_id == NULL || named == NULL ||
	    s->provider == NULL || strcmp(s->provider, named) != 0 ||
	    strcmp(s->provider, provider) != 0 || strcmp(s->key, stream) != 0 ||
	    strchr(s->key, ':') != NULL || !rows_is_membership(s->base)) {
		rows_seen_by(NULL, 0);
		return;
	}
	/* bookmark()'s stream_get finds s only if no other stream has its key and provider */
	for (i = 0; i < nstreams; i++)
		same += streams[i]->provider && strcmp(streams[i]->key, stream) == 0 &&
		    strcmp(streams[i]->provider, named) == 0;
	rows_seen_by(same == 1 ? sync_id : NULL, pending_pass(s, bm));
}

static void
record(const struct msg *m)
{
	char tmp[64], key[512];
	const char *provider, *id, *why;
	struct stream *s;
	int got, rc = SQLITE_OK;

	if (strcmp(m->stream, "rejects") == 0) {
		/* What validate set aside: kept, never a record of its stream. */
		txn_begin();
		if (rows_reject(m->record, now, &rc) != 0)
			store_fail(rc, "cannot store a reject");
		return;
	}
	provider = json_str(json_member(m->record, "provider"));
	if (provider == NULL)
		provider = opts->provider;
	id = json_id(json_member(m->record, "id"), tmp);
	s = stream_get(prov_record_key(key, sizeof key, m->stream, m->record), provider);
	if (provider == NULL || id == NULL) {
		s->cur.invalid++;
		progress_clear();
		warn("line %zu: %s %s: a record needs a provider and an id; not stored",
		    m->lineno, m->stream, id ? id : "(no id)");
		return;
	}
	txn_begin();
	seen_by(s, m->stream, provider);
	got = rows_record(m->stream, provider, id, m->record, now, &rc, &why);
	if (got == UP_FAILED) {
		int primary = rc & 0xff;

		/* A record the schema refuses is that record's error; the rest is not. */
		if (why == NULL && primary != SQLITE_CONSTRAINT && primary != SQLITE_MISMATCH &&
		    primary != SQLITE_TOOBIG && primary != SQLITE_RANGE)
			store_fail(rc, "cannot store a record");
		s->cur.invalid++;
		progress_clear();
		warn("line %zu: %s %s: %s; not stored", m->lineno, m->stream, id,
		    why ? why : sqlite3_errmsg(db));
		return;
	}
	if (strcmp(m->stream, "playlist_items") == 0)
		seen_mark(s, json_member(m->record, "position"));
	s->cur.stored++;
	if (got == UP_NEW)
		s->cur.new++;
	else if (got == UP_UPDATED)
		s->cur.updated++;
	else
		s->cur.unchanged++;
	txn_records++;
}

/* A key the bookmark has that is not a count: a doubt, never a zero. */
static int
unreadable(yajl_val bm, const char *key)
{
	yajl_val v = json_member(bm, key);
	long long n;

	return v != NULL && !YAJL_IS_NULL(v) && (json_int(v, &n) != 0 || n < 0);
}

static void
set_str(char **dst, const char *src)
{
	if (src == NULL || (*dst && strcmp(*dst, src) == 0))
		return;
	free(*dst);
	*dst = xstrdup(src);
}

static void
run_write(struct stream *s, const char *status, const char *error)
{
	int finished = strcmp(status, "running") != 0;

	if (s->run_id == 0) {
		sqlite3_bind_text(run_insert, 1, s->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(run_insert, 2, stream_provider(s), -1, SQLITE_STATIC);
		sqlite3_bind_text(run_insert, 3, s->sync_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(run_insert, 4, s->mode, -1, SQLITE_STATIC);
		sqlite3_bind_text(run_insert, 5, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(run_insert, 6, (long long)getpid());
		store_step(run_insert, "cannot record the run");
		s->run_id = sqlite3_last_insert_rowid(db);
		s->run_committed = 0;
	}
	sqlite3_bind_int64(run_update, 1, s->run_id);
	sqlite3_bind_text(run_update, 2, s->sync_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(run_update, 3, s->mode, -1, SQLITE_STATIC);
	sqlite3_bind_text(run_update, 4, status, -1, SQLITE_STATIC);
	if (finished)
		sqlite3_bind_text(run_update, 5, now, -1, SQLITE_STATIC);
	run_bind_counts(&s->cur);
	if (error)
		sqlite3_bind_text(run_update, 14, error, -1, SQLITE_STATIC);
	store_step(run_update, "cannot record the run");
}

/* The text of a bookmark's "error", control characters (C0, DEL, C1) blanked: one line for people. */
static void
set_error(struct stream *s, const char *e)
{
	if (e == NULL)
		return;
	set_str(&s->error, e);
	text_printable(s->error, ' ');
}

/* The error a run is recorded with: why the list was not walked, or why it stopped. */
static const char *
run_error(const struct stream *s, int interrupted)
{
	if (s->cur.forbidden)
		return "forbidden";
	if (s->cur.unavailable)
		return "unavailable";
	if (s->error)
		return s->error;
	return interrupted && !s->cur.complete ? "interrupted" : NULL;
}

/* One bookmark of a STATE: the checkpoint, the run, and what completion allows. */
static void
bookmark(const char *key, yajl_val bm)
{
	/* fetch-pages names the provider in its bookmarks too. */
	struct stream *s = stream_get(key, json_str(json_member(bm, "provider")));
	const char *sync_id = json_str(json_member(bm, "sync_id"));
	const char *throttled = json_str(json_member(bm, "throttled_until"));
	const char *provider;
	struct buf text;
	struct jw w;
	long long pass, pending;
	int rc, may_delete;

	provider = stream_provider(s);
	/* A new sync_id starts a new run of the stream. */
	if (s->run_id && s->sync_id && sync_id && strcmp(s->sync_id, sync_id) != 0) {
		run_write(s, s->cur.complete ? "complete" : "partial", NULL);
		s->run_id = 0;
		free(s->error);
		s->error = NULL;
		s->cur.held = 0;
	}
	set_str(&s->sync_id, sync_id);
	set_str(&s->mode, json_str(json_member(bm, "mode")));
	set_error(s, json_str(json_member(bm, "error")));
	s->cur.fetched = json_int_or(json_member(bm, "fetched"), -1);
	s->cur.total = json_int_or(json_member(bm, "total"), -1);
	s->cur.rejected = json_int_or(json_member(bm, "rejected"), -1);
	s->cur.skipped = json_int_or(json_member(bm, "skipped"), -1);
	s->cur.unserved = json_int_or(json_member(bm, "unserved"), -1);
	/*
	 * A playlist the provider refuses (forbidden) or does not serve
	 * (unavailable: a 404 on its entries) is skipped, not partial: there is
	 * nothing more to fetch, and nothing to delete either.
	 */
	s->cur.forbidden = json_bool(json_member(bm, "forbidden"), 0);
	s->cur.unavailable = json_bool(json_member(bm, "unavailable"), 0);
	pass = bookmark_pass(bm);
	pending = pending_pass(s, bm);
	/* fetch-pages counts pages from 1 in a fresh walk, on from the bookmark when resuming. */
	if (s->states++ == 0)
		s->walk_whole = json_int_or(json_member(bm, "pages"), -1) == 1;
	/*
	 * A new pass (the list moved under the walk) starts again from nothing:
	 * positions seen in the pass before say nothing of this one, and this
	 * process sees the new pass whole.
	 */
	if (pass > s->pass && json_int_or(json_member(bm, "fetched"), -1) == 0 && s->states > 1) {
		if (s->seen)
			memset(s->seen, 0, s->seen_len);
		s->seen_lost = 0;
		s->pos_end = 0;
		s->walk_whole = 1;
	}
	s->pass = pass;
	s->cur.complete = json_bool(json_member(bm, "complete"), 0) || s->cur.forbidden ||
	    s->cur.unavailable;
	s->throttled_until = 0;
	if (throttled)
		iso8601_parse(throttled, &s->throttled_until);

	buf_init(&text);
	jw_init(&w, &text);
	jw_value(&w, bm);
	if (s->bookmark == NULL || strcmp(s->bookmark, text.data) != 0) {
		rc = db_checkpoint_put(db, provider, key, text.data, now);
		if (rc != SQLITE_OK)
			store_fail(rc, "cannot write the checkpoint");
		free(s->bookmark);
		s->bookmark = text.data;
	} else {
		buf_free(&text);
	}

	if (sync_id) {
		/* What validate set aside since the last STATE belongs to this sync. */
		bind_key(rejects_adopt, provider, s->base);
		sqlite3_bind_text(rejects_adopt, 3, sync_id, -1, SQLITE_STATIC);
		store_step(rejects_adopt, "cannot update the rejects");
		gone_adopt(s, provider, sync_id, pending);
	}
	/*
	 * Only a complete full sync that read every item (nothing skipped
	 * upstream) may take what it did not see for gone.
	 */
	may_delete = s->cur.complete && !s->cur.forbidden && !s->cur.unavailable &&
	    s->cur.skipped <= 0 && !unreadable(bm, "skipped") && s->mode &&
	    strcmp(s->mode, "full") == 0 && sync_id;
	s->cur.removed += gone_remove(s, provider, sync_id, pass, may_delete, now);
	run_write(s, s->cur.complete ? "complete" : "running", run_error(s, 0));
	s->at_state = s->cur;
}

/* Is more input waiting? A quiet input is a good moment to commit. */
static int
input_waiting(void)
{
	struct pollfd p = { STDIN_FILENO, POLLIN, 0 };

	return poll(&p, 1, 0) > 0;
}

/*
 * While a stream waits out a rate limit upstream and the input is quiet, the
 * live line counts the wait down. (Only then: lines the reader has buffered
 * would otherwise wait for the quiet input too.)
 */
static void
wait_throttled(volatile sig_atomic_t *stop)
{
	struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
	time_t wall = time(NULL);
	size_t i;

	for (i = 0; i < nstreams; i++)
		if (streams[i]->throttled_until > wall)
			break;
	if (i == nstreams || !progress_live())
		return;
	while (!*stop && poll(&p, 1, 1000) == 0)
		progress_tick(streams, nstreams, 1);
}

static void record(const struct msg *m);

/* Writes the records waiting; their trees are reset (memory back to a chunk each). */
static void
replay(void)
{
	size_t i;

	for (i = 0; i < ndeferred; i++) {
		record(&deferred[i].m);
		tree_reset(deferred[i].t);
	}
	ndeferred = deferred_bytes = 0;
}

/* Too many records wait for their STATE: written now, behind a savepoint. */
static void
overflow(void)
{
	txn_begin();
	if (!have_savepoint) {
		store_step(savepoint, "cannot mark the STATE");
		have_savepoint = 1;
	}
	replay();
}

static void
state(const struct msg *m)
{
	yajl_val bms = json_member(m->value, "bookmarks");
	size_t i;

	txn_begin();
	state_bookmarks = bms && bms->type == yajl_t_object ? bms : NULL;
	replay();
	state_bookmarks = NULL;
	if (bms && bms->type == yajl_t_object)
		for (i = 0; i < bms->u.object.len; i++)
			if (bms->u.object.values[i]->type == yajl_t_object)
				bookmark(bms->u.object.keys[i], bms->u.object.values[i]);
	if (txn_records >= opts->batch ||
	    mono_ms() - txn_started_ms >= opts->commit_interval_ms || !input_waiting()) {
		txn_commit();
		return;
	}
	if (have_savepoint)
		store_step(release, "cannot mark the STATE");
	have_savepoint = 0;
}

/*
 * Streams announced by a SCHEMA. One that got neither a record nor a STATE
 * (fetch-pages died before its first page) is partial, not done: the end of
 * input says nothing about it.
 */
#define MAX_SCHEMAS 64
static char *schemas[MAX_SCHEMAS];
static size_t nschemas;

static void
schema_seen(const char *stream)
{
	for (size_t i = 0; i < nschemas; i++)
		if (strcmp(schemas[i], stream) == 0)
			return;
	if (nschemas < MAX_SCHEMAS)
		schemas[nschemas++] = xstrdup(stream);
}

/*
 * A complete checkpoint of the stream (of --provider's, when given) is
 * committed: a spool skipped past it is done. Another provider's complete
 * stream says nothing of this one; the name is compared, not a LIKE pattern.
 */
static int
committed_complete(const char *stream)
{
	sqlite3_stmt *q = db_prepare(db, "SELECT 1 FROM checkpoints WHERE"
	    " (?2 IS NULL OR provider = ?2) AND (stream = ?1 OR"
	    " substr(stream, 1, length(?1) + 1) = ?1 || ':')"
	    " AND json_extract(state, '$.complete') = 1 LIMIT 1");
	int done;

	sqlite3_bind_text(q, 1, stream, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, opts->provider, -1, SQLITE_STATIC);
	done = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return done;
}

/*
 * Says so of every announced stream that nothing arrived for (and whose last
 * committed sync was not complete either); returns how many.
 */
static int
schemas_unmet(void)
{
	size_t i, j;
	int unmet = 0;

	for (i = 0; i < nschemas; i++) {
		for (j = 0; j < nstreams; j++)
			if (strcmp(streams[j]->base, schemas[i]) == 0)
				break;
		if (j == nstreams && !committed_complete(schemas[i])) {
			say("%s: partial: nothing arrived after its SCHEMA; run the same command to "
			    "resume", schemas[i]);
			unmet++;
		}
		free(schemas[i]);
	}
	nschemas = 0;
	return unmet;
}

/* The end: every stream's run is closed as complete or partial. */
static int
finish(int interrupted)
{
	int status = 0;
	size_t i;

	if (interrupted) {
		/*
		 * Keep everything up to the last STATE, nothing after it: the
		 * records waiting are dropped, those written past the last STATE
		 * rolled back.
		 */
		ndeferred = deferred_bytes = 0;
		if (have_savepoint) {
			rows_forget();
			exec_or_fail("ROLLBACK TO after_state");
			have_savepoint = 0;
		}
		for (i = 0; i < nstreams; i++)
			streams[i]->cur = streams[i]->at_state;
	} else {
		/* The end of input: what came after the last STATE is kept. */
		replay();
	}
	iso8601_now(now);
	txn_begin();
	/*
	 * Records after a stream's last STATE (its walk cut off mid-page) were
	 * seen by that STATE's sync, in its pass: adopted now, so that a later
	 * sync never counts them as seen by itself (which would keep what it
	 * never saw from being marked removed).
	 */
	for (i = 0; i < nstreams && !interrupted; i++)
		if (streams[i]->sync_id && streams[i]->pass >= 1)
			gone_adopt(streams[i], stream_provider(streams[i]), streams[i]->sync_id,
			    streams[i]->pass);
	for (i = 0; i < nstreams; i++) {
		struct stream *s = streams[i];

		if (!s->cur.complete)
			status = EXIT_TEMPFAIL;
		run_write(s, s->cur.complete ? "complete" : "partial", run_error(s, interrupted));
	}
	txn_commit();
	progress_clear();
	progress_final(streams, nstreams, "partial");
	if (bad_lines)
		say("%zu malformed input line%s skipped", bad_lines, bad_lines == 1 ? "" : "s");
	for (i = 0; i < nstreams; i++) {
		struct stream *s = streams[i];
		char n1[32], n2[32];

		if (s->cur.held <= 0)
			continue;
		say("%s: %s removal%s held (%s of %s active%s); nothing marked removed; to confirm "
		    "them, run the sync again with --allow-delete", s->key,
		    fmt_count(s->cur.held, n1), s->cur.held == 1 ? "" : "s",
		    s->cur.held == s->cur.active ? "all" : fmt_count(s->cur.held, n1),
		    fmt_count(s->cur.active, n2),
		    s->cur.held == s->cur.active ? "" : ", more than 50 and 10%");
		if (status == 0)
			status = EXIT_REJECTS;
	}
	if (opts->report && progress_report_file(opts->report, streams, nstreams) != 0)
		status = EXIT_IOERR;
	if (schemas_unmet() > 0 && status == 0)
		status = EXIT_TEMPFAIL;
	if (interrupted)
		status = EXIT_TEMPFAIL;
	if (read_failed)
		status = EXIT_IOERR;
	if (messages == 0 && !interrupted && !read_failed) {
		/* Nothing to store is not success: the stage before store failed. */
		say("no input: %s; did the stage before store fail?", bad_lines ?
		    "not one line was a Singer message" : "not one message arrived");
		status = bad_lines ? EXIT_DATAERR : EXIT_NOINPUT;
	}
	return status;
}

int
store_run(struct msg_reader *r, volatile sig_atomic_t *stop)
{
	struct msg *mp;
	long long ticks = 0;
	int got, status;
	size_t i;

	iso8601_now(now);
	for (;;) {
		/* Each message in the next free slot: a record may wait there. */
		if (deferred[ndeferred].t == NULL)
			deferred[ndeferred].t = tree_new();
		mp = &deferred[ndeferred].m;
		got = msg_read_into(r, mp, deferred[ndeferred].t);
		if (*stop)
			break;
		if (got == MSG_EOF)
			break;
		if (got == MSG_IOERR) {
			progress_clear();
			say("%s: %s", msg_reader_name(r), msg_reader_error(r));
			read_failed = 1;
			break;
		}
		if (got == MSG_BAD) {
			bad_lines++;
			progress_clear();
			warn("line %zu: %s", mp->lineno, msg_reader_error(r));
			continue;
		}
		messages++;
		if (mp->type == MSG_RECORD) {
			deferred_bytes += mp->len;
			if (++ndeferred == DEFER_MAX || deferred_bytes >= DEFER_BYTES)
				overflow();
		} else if (mp->type == MSG_STATE) {
			state(mp);
		} else if (mp->type == MSG_SCHEMA && strcmp(mp->stream, "rejects") != 0) {
			schema_seen(mp->stream);
		}
		if ((++ticks & 255) == 0 || mp->type == MSG_STATE) {
			iso8601_now(now);
			progress_tick(streams, nstreams, 0);
		}
		if (mp->type == MSG_STATE && !in_txn)
			wait_throttled(stop);
	}
	status = finish(*stop != 0);
	rows_finalize();
	gone_finalize();
	sqlite3_finalize(run_insert);
	sqlite3_finalize(run_update);
	sqlite3_finalize(rejects_adopt);
	sqlite3_finalize(savepoint);
	sqlite3_finalize(release);
	db_close(db);
	for (i = 0; i <= DEFER_MAX; i++)
		tree_free(deferred[i].t);
	for (i = 0; i < nstreams; i++) {
		free(streams[i]->key);
		free(streams[i]->base);
		free(streams[i]->provider);
		free(streams[i]->sync_id);
		free(streams[i]->mode);
		free(streams[i]->bookmark);
		free(streams[i]->error);
		free(streams[i]->seen);
		free(streams[i]);
	}
	free(streams);
	return status;
}
