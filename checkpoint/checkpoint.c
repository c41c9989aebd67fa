/*
 * checkpoint: shows, reads, sets and resets the checkpoints store commits,
 * and skips a spool to the committed point (checkpoint(1)).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "db.h"
#include "json.h"
#include "prov.h"
#include "msg.h"
#include "util.h"

static const char *opt_provider;
static int opt_json, opt_watch;

static const char usage[] =
    "usage: checkpoint [-q] status DB [--json] [--watch]\n"
    "       checkpoint [-q] get [--provider NAME] DB STREAM\n"
    "       checkpoint [-q] set [--provider NAME] DB STREAM JSON\n"
    "       checkpoint [-q] reset [--provider NAME] DB [STREAM ...]\n"
    "       checkpoint [-q] skip [--provider NAME] DB < spool\n";

static void
out(const char *s)
{
	fputs(s, stdout);
}

/*
 * Opens the crate database at path for reading. A missing file is NULL with
 * missing_ok (nothing synced yet), else an error (66); a database with no
 * table at all (a store stopped before its schema, the file empty) is NULL; a file
 * that is not a crate database is an error (65), one that cannot be read
 * another (74). *version gets its schema version.
 */
/*
 * A writer killed in a transaction before the database was in WAL mode (a
 * store's first moments on a new file) leaves a hot rollback journal, which a
 * read-only connection cannot roll back ("attempt to write a readonly
 * database"): a read-write connection that creates nothing rolls it back.
 */
static int
roll_back(const char *path)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, DB_BUSY_DEFAULT_MS);
		rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
	}
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static sqlite3 *
open_crate(const char *path, int missing_ok, int *version)
{
	sqlite3_stmt *s = NULL;
	struct stat st;
	sqlite3 *db;
	int rc, tables = 0, any = 0;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT && missing_ok)
			return NULL;
		die(errno == ENOENT ? EXIT_NOINPUT : EXIT_IOERR, "%s: %s%s", path, strerror(errno),
		    errno == ENOENT ? " (no sync has written it yet?)" : "");
	}
	if (S_ISDIR(st.st_mode))
		die(EXIT_IOERR, "%s: is a directory, not a crate database", path);
	if (access(path, R_OK) != 0)
		die(EXIT_IOERR, "%s: %s", path, strerror(errno));
	for (int tries = 0;; tries++) {
		db = db_open(path, 1, DB_BUSY_DEFAULT_MS);
		rc = sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM sqlite_master WHERE"
		    " type = 'table' AND name IN ('checkpoints', 'sync_runs')), user_version,"
		    " (SELECT count(*) FROM sqlite_master) FROM pragma_user_version", -1, &s, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
			tables = sqlite3_column_int(s, 0);
			*version = sqlite3_column_int(s, 1);
			any = sqlite3_column_int(s, 2);
			rc = SQLITE_OK;
		}
		sqlite3_finalize(s);
		if ((rc & 0xff) != SQLITE_READONLY || tries > 0 || roll_back(path) != 0)
			break;
		db_close(db);
	}
	if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT)
		die(EXIT_DATAERR, "%s: not a crate database (%s)", path, db_errmsg(db));
	if (rc != SQLITE_OK)
		die(db_status(rc), "%s: %s", path, db_errmsg(db));
	if (any == 0) {
		db_close(db);
		return NULL;
	}
	if (tables < 2)
		die(EXIT_DATAERR, "%s: not a crate database (no checkpoints or sync_runs table)",
		    path);
	return db;
}

/* ---- get, set, reset ---- */

static int
cmd_get(const char *path, const char *stream)
{
	int version;
	sqlite3 *db = open_crate(path, 1, &version);
	char *state;
	int ambiguous;

	if (db == NULL)
		return 0;
	state = db_checkpoint_get(db, opt_provider, stream, &ambiguous);
	if (ambiguous)
		die(EXIT_USAGE, "%s: several providers have a checkpoint for %s; give --provider",
		    path, stream);
	if (state) {
		out(state);
		out("\n");
	}
	free(state);
	db_close(db);
	stdout_close_or_die();
	return 0;
}

static int
cmd_set(const char *path, const char *stream, const char *json)
{
	char err[200], when[ISO8601_LEN];
	char *provider;
	sqlite3 *db;
	yajl_val v;
	struct buf text;
	struct jw w;
	int rc, ambiguous;

	v = json_parse(json, strlen(json), err, sizeof err);
	if (v == NULL || v->type != yajl_t_object)
		die(EXIT_USAGE, "set: the bookmark must be a JSON object%s%s",
		    v ? "" : ": ", v ? "" : err);
	buf_init(&text);
	jw_init(&w, &text);
	jw_value(&w, v);
	yajl_tree_free(v);
	db = db_open(path, 0, DB_BUSY_DEFAULT_MS);
	if (opt_provider)
		provider = xstrdup(opt_provider);
	else if ((provider = db_checkpoint_provider(db, stream, &ambiguous)) == NULL)
		die(EXIT_USAGE, "set: %s: %s; give --provider", stream, ambiguous ?
		    "several providers have this stream" : "no checkpoint names its provider");
	iso8601_now(when);
	rc = db_begin(db, DB_BUSY_DEFAULT_MS);
	if (rc == SQLITE_OK)
		rc = db_checkpoint_put(db, provider, stream, text.data, when);
	if (rc == SQLITE_OK)
		rc = db_commit(db, DB_BUSY_DEFAULT_MS);
	if (rc != SQLITE_OK)
		die(db_status(rc), "%s: %s", path, db_errmsg(db));
	free(provider);
	buf_free(&text);
	db_close(db);
	return 0;
}

static int
cmd_reset(const char *path, char **streams, int n)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long removed = 0;
	int i, rc, version;

	db = open_crate(path, 1, &version);
	if (db == NULL)
		return 0;
	db_close(db);
	db = db_open(path, 0, DB_BUSY_DEFAULT_MS);
	rc = db_begin(db, DB_BUSY_DEFAULT_MS);
	if (rc != SQLITE_OK)
		die(db_status(rc), "%s: %s", path, db_errmsg(db));
	/* A stream also names its per-playlist bookmarks (playlist_items:ID). */
	s = db_prepare(db, "DELETE FROM checkpoints WHERE (?1 IS NULL OR provider = ?1)"
	    " AND (?2 IS NULL OR stream = ?2 OR substr(stream, 1, length(?2) + 1) = ?2 || ':')");
	for (i = 0; i < (n ? n : 1); i++) {
		sqlite3_bind_text(s, 1, opt_provider, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, n ? streams[i] : NULL, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			die(db_status(rc), "%s: %s", path, db_errmsg(db));
		removed += sqlite3_changes(db);
	}
	sqlite3_finalize(s);
	rc = db_commit(db, DB_BUSY_DEFAULT_MS);
	if (rc != SQLITE_OK)
		die(db_status(rc), "%s: %s", path, db_errmsg(db));
	note("%lld checkpoint%s reset", removed, removed == 1 ? "" : "s");
	db_close(db);
	return 0;
}

/* ---- skip ---- */

/*
 * The bookmark keys that identify one STATE of a sync. Stages downstream of
 * fetch-pages add keys (validate's "rejected"), so the whole bookmark is not
 * compared, only these.
 */
static const char *identity_keys[] = {
	"sync_id", "mode", "pages", "offset", "fetched", "next", "complete"
};

struct mark {
	char *provider, *key;
	yajl_val committed;
	int passing;	/* the committed STATE has gone by */
	int seen;	/* the input has messages of this stream */
};

static struct mark *marks;
static size_t nmarks;

static void
value_text(struct buf *b, yajl_val v)
{
	struct jw w;

	buf_reset(b);
	jw_init(&w, b);
	if (v)
		jw_value(&w, v);
}

static int
same_state(yajl_val a, yajl_val b)
{
	struct buf ta, tb;
	size_t i;
	int same = 1;

	buf_init(&ta);
	buf_init(&tb);
	for (i = 0; same && i < sizeof identity_keys / sizeof identity_keys[0]; i++) {
		value_text(&ta, json_member(a, identity_keys[i]));
		value_text(&tb, json_member(b, identity_keys[i]));
		same = strcmp(ta.data, tb.data) == 0;
	}
	buf_free(&ta);
	buf_free(&tb);
	return same;
}

static void
marks_load(const char *path)
{
	int version;
	sqlite3 *db = open_crate(path, 1, &version);
	sqlite3_stmt *s;
	char err[200];
	size_t cap = 0;

	if (db == NULL)
		return;
	s = db_prepare(db, "SELECT provider, stream, state FROM checkpoints"
	    " WHERE ?1 IS NULL OR provider = ?1");
	sqlite3_bind_text(s, 1, opt_provider, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(s, 2);
		yajl_val v = json_parse(state, strlen(state), err, sizeof err);

		if (v == NULL) {
			warn("%s: the checkpoint of %s is not JSON: %s", path,
			    (const char *)sqlite3_column_text(s, 1), err);
			continue;
		}
		if (nmarks == cap) {
			cap = cap ? cap * 2 : 16;
			marks = xrealloc(marks, cap * sizeof *marks);
		}
		marks[nmarks].provider = xstrdup((const char *)sqlite3_column_text(s, 0));
		marks[nmarks].key = xstrdup((const char *)sqlite3_column_text(s, 1));
		marks[nmarks].committed = v;
		marks[nmarks].passing = marks[nmarks].seen = 0;
		nmarks++;
	}
	sqlite3_finalize(s);
	db_close(db);
}

/*
 * The checkpoint of key. A NULL provider (a STATE, which names none) prefers
 * the provider whose records of key the input has shown, then any.
 */
static struct mark *
mark_find(const char *provider, const char *key)
{
	size_t i;
	struct mark *any = NULL;

	for (i = 0; i < nmarks; i++) {
		if (strcmp(marks[i].key, key) != 0)
			continue;
		if (provider ? strcmp(marks[i].provider, provider) == 0 : marks[i].seen)
			return &marks[i];
		if (any == NULL)
			any = &marks[i];
	}
	return provider ? NULL : any;
}

static int
cmd_skip(const char *path)
{
	struct msg_reader *r = msg_reader_new(STDIN_FILENO, "-", RECORD_CAP_DEFAULT);
	struct msg_writer *w = msg_writer_new(STDOUT_FILENO);
	char key[512];
	struct mark *mk;
	struct msg m;
	yajl_val bms;
	size_t i, skipped = 0;
	int got, pass, status = 0;

	marks_load(path);
	while ((got = msg_read(r, &m)) != MSG_EOF) {
		if (got == MSG_IOERR)
			die(EXIT_IOERR, "%s: %s", msg_reader_name(r), msg_reader_error(r));
		pass = 1;
		if (got == MSG_BAD && m.truncated) {
			warn("line %zu: %s; dropped", m.lineno, msg_reader_error(r));
			continue;
		}
		if (got == MSG_OK && m.type == MSG_RECORD) {
			prov_record_key(key, sizeof key, m.stream, m.record);
			mk = mark_find(json_str(json_member(m.record, "provider")), key);
			if (mk) {
				mk->seen = 1;
				pass = mk->passing;
			}
		} else if (got == MSG_OK && m.type == MSG_STATE) {
			/*
			 * A STATE passes when any stream it names is past its
			 * committed STATE, or has none; the committed one itself
			 * does not pass.
			 */
			bms = json_member(m.value, "bookmarks");
			pass = bms == NULL || bms->type != yajl_t_object ||
			    bms->u.object.len == 0;
			for (i = 0; bms && bms->type == yajl_t_object && i < bms->u.object.len; i++) {
				mk = mark_find(opt_provider, bms->u.object.keys[i]);
				if (mk == NULL || mk->passing) {
					pass = 1;
					continue;
				}
				mk->seen = 1;
				if (same_state(bms->u.object.values[i], mk->committed))
					mk->passing = 1;
			}
		}
		if (!pass) {
			skipped++;
			continue;
		}
		msg_write_stdout(w, m.line, m.len);
	}
	msg_writer_free_stdout(w);
	for (i = 0; i < nmarks; i++) {
		if (marks[i].seen && !marks[i].passing) {
			say("%s: the committed STATE is not in the input (another sync?); "
			    "nothing of this stream was passed; `checkpoint reset` starts it over",
			    marks[i].key);
			status = EXIT_DATAERR;
		}
		free(marks[i].provider);
		free(marks[i].key);
		yajl_tree_free(marks[i].committed);
	}
	free(marks);
	msg_reader_free(r);
	note("%zu message%s before the committed STATEs skipped", skipped,
	    skipped == 1 ? "" : "s");
	stdout_close_or_die();
	return status;
}

/* ---- status ---- */

/*
 * One checkpoint key. state is what a person asks: running, complete,
 * partial, held (the deletion guard held removals back) or failed; reason
 * says why when it is not plainly complete.
 */
struct row {
	char *provider, *stream, *state;
	long long done, fetched, total, rejected, held, unserved;	/* -1: unknown */
	char last[ISO8601_LEN], throttled[ISO8601_LEN];
	char *error, *bookmark, *sync_id, *mode;
	int running, forbidden, unavailable;
};

/* a + b without overflow (counts come from bookmarks anyone can write) */
static long long
add_sat(long long a, long long b)
{
	if (b <= 0)
		return a;
	if (a > LLONG_MAX - b)
		return LLONG_MAX;
	return a + b;
}

/* done * 100 / total, within 0..100 for a done at most total, never overflowing */
static long long
percent(long long done, long long total)
{
	if (done < 0 || total <= 0)
		return -1;
	return (long long)((double)done * 100.0 / (double)total);
}

static int
pid_alive(long long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? xstrdup((const char *)t) : NULL;
}

static size_t
status_rows(sqlite3 *db, int version, struct row **rowsp)
{
	sqlite3_stmt *s;
	struct row *rows = NULL, *r;
	size_t n = 0, cap = 0;
	char err[200], sql[1200];
	time_t now = time(NULL), t;

	/* A database of schema 1 (not yet opened by this store) has no held, unserved, rejects. */
	snprintf(sql, sizeof sql,
	    "WITH k AS (SELECT provider, stream FROM checkpoints"
	    "  UNION SELECT provider, stream FROM sync_runs)"
	    " SELECT k.provider, k.stream, c.state, c.updated_at, r.status,"
	    "  coalesce(r.finished, r.started), r.error, r.pid, %s, %s"
	    " FROM k LEFT JOIN checkpoints c USING (provider, stream)"
	    " LEFT JOIN sync_runs r ON r.run_id = (SELECT max(run_id) FROM sync_runs x"
	    "  WHERE x.provider = k.provider AND x.stream = k.stream)"
	    " ORDER BY k.stream, k.provider",
	    version >= 2 ? "r.held" : "NULL",
	    version >= 2 ? "(SELECT count(*) FROM rejects j WHERE j.sync_id = r.sync_id"
	    " AND j.stream = k.stream AND (j.provider IS NULL OR j.provider = k.provider))" : "NULL");
	s = db_prepare(db, sql);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *bm = (const char *)sqlite3_column_text(s, 2);
		const char *run = (const char *)sqlite3_column_text(s, 4);
		const char *last = (const char *)sqlite3_column_text(s, 5);
		yajl_val v = bm ? json_parse(bm, strlen(bm), err, sizeof err) : NULL;
		long long kept = sqlite3_column_int64(s, 9);

		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			rows = xrealloc(rows, cap * sizeof *rows);
		}
		r = &rows[n++];
		memset(r, 0, sizeof *r);
		r->provider = col_dup(s, 0);
		r->stream = col_dup(s, 1);
		r->bookmark = bm ? xstrdup(bm) : NULL;
		r->error = col_dup(s, 6);
		r->held = sqlite3_column_type(s, 8) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 8);
		r->fetched = json_int_or(json_member(v, "fetched"), -1);
		r->total = json_int_or(json_member(v, "total"), -1);
		r->rejected = json_int_or(json_member(v, "rejected"), -1);
		if (kept > r->rejected)
			r->rejected = kept;
		r->unserved = json_int_or(json_member(v, "unserved"), -1);
		r->done = r->fetched < 0 ? -1 : r->rejected <= 0 ? r->fetched :
		    r->rejected >= r->fetched ? 0 : r->fetched - r->rejected;
		r->forbidden = json_bool(json_member(v, "forbidden"), 0);
		r->unavailable = json_bool(json_member(v, "unavailable"), 0);
		if (r->error == NULL && json_str(json_member(v, "error")))
			r->error = xstrdup(json_str(json_member(v, "error")));
		if (json_str(json_member(v, "sync_id")))
			r->sync_id = xstrdup(json_str(json_member(v, "sync_id")));
		if (json_str(json_member(v, "mode")))
			r->mode = xstrdup(json_str(json_member(v, "mode")));
		if (json_str(json_member(v, "throttled_until")) &&
		    iso8601_parse(json_str(json_member(v, "throttled_until")), &t) == 0 && t > now)
			iso8601_format(t, r->throttled);
		snprintf(r->last, sizeof r->last, "%s",
		    last ? last : (const char *)sqlite3_column_text(s, 3) ?
		    (const char *)sqlite3_column_text(s, 3) : "");
		if (run && strcmp(run, "running") == 0 && pid_alive(sqlite3_column_int64(s, 7))) {
			r->state = "running";
			r->running = 1;
		} else if (run && strcmp(run, "failed") == 0) {
			r->state = "failed";
		} else if (json_bool(json_member(v, "complete"), 0) || r->forbidden ||
		    r->unavailable) {
			r->state = r->held > 0 ? "held" : "complete";
		} else {
			r->state = "partial";
			/* a run that never closed: its store died */
			if (run && strcmp(run, "running") == 0 && r->error == NULL)
				r->error = xstrdup("interrupted");
		}
		if (r->forbidden && r->error == NULL)
			r->error = xstrdup("forbidden");
		if (r->unavailable && r->error == NULL)
			r->error = xstrdup("unavailable");
		r->state = xstrdup(r->state);
		if (v)
			yajl_tree_free(v);
	}
	sqlite3_finalize(s);
	*rowsp = rows;
	return n;
}

static void
rows_free(struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].provider);
		free(rows[i].stream);
		free(rows[i].state);
		free(rows[i].error);
		free(rows[i].bookmark);
		free(rows[i].sync_id);
		free(rows[i].mode);
	}
	free(rows);
}

static void
kint_or_null(struct jw *w, const char *key, long long v)
{
	jw_key(w, key);
	if (v >= 0)
		jw_int(w, v);
	else
		jw_null(w);
}

static void
status_json(struct row *rows, size_t n, struct buf *b)
{
	struct jw w;
	char err[200];
	size_t i;

	jw_init(&w, b);
	jw_arr(&w);
	for (i = 0; i < n; i++) {
		struct row *r = &rows[i];
		yajl_val bm = r->bookmark ?
		    json_parse(r->bookmark, strlen(r->bookmark), err, sizeof err) : NULL;

		jw_obj(&w);
		jw_kstr(&w, "stream", r->stream);
		jw_kstr(&w, "provider", r->provider);
		jw_kstr(&w, "state", r->state);
		kint_or_null(&w, "done", r->done);
		kint_or_null(&w, "total", r->total);
		kint_or_null(&w, "percent", percent(r->done, r->total));
		jw_kstr(&w, "last_sync", r->last[0] ? r->last : NULL);
		kint_or_null(&w, "rejected", r->rejected);
		jw_kint(&w, "held", r->held);
		kint_or_null(&w, "unserved", r->unserved);
		jw_kstr(&w, "throttled_until", r->throttled[0] ? r->throttled : NULL);
		jw_kstr(&w, "error", r->error);
		jw_kstr(&w, "sync_id", r->sync_id);
		jw_kstr(&w, "mode", r->mode);
		jw_kvalue(&w, "bookmark", bm);
		jw_obj_end(&w);
		if (bm)
			yajl_tree_free(bm);
	}
	jw_arr_end(&w);
	buf_addc(b, '\n');
}

/* The status table is at most this wide; a longer note goes on a line of its own. */
#define STATUS_WIDTH 100
#define STATUS_FMT "%-14.14s %-8.8s %-8.8s %15s %4s %-16.16s "

/* "2026-12-01 21:59" of "2026-12-01T21:59:30Z" */
static const char *
short_time(const char *iso, char out[20])
{
	snprintf(out, 20, "%.10s %.5s", iso, iso[0] ? iso + 11 : "");
	return iso[0] && strlen(iso) >= 16 ? out : "-";
}

static void
note_add(struct buf *note, const char *fmt, long long v, const char *text)
{
	char num[32];

	if (note->len)
		buf_adds(note, "; ");
	if (fmt == NULL) {
		buf_adds(note, text);
		return;
	}
	snprintf(num, sizeof num, "%lld", v);
	buf_printf(note, fmt, num);
}

static void
status_line(struct buf *b, const char *stream, const struct row *r, const char *state,
    long long done, long long total, const char *last, struct buf *note)
{
	char d[48] = "-", pct[24] = "-", when[20];
	long long p = percent(done, total);
	size_t start = b->len, room;

	if (done >= 0 && total >= 0)
		snprintf(d, sizeof d, "%lld/%lld", done, total);
	else if (done >= 0)
		snprintf(d, sizeof d, "%lld", done);
	/* a complete list is whole, even when rejects or unserved items keep done below total */
	if (strcmp(state, "complete") == 0 || strcmp(state, "held") == 0)
		snprintf(pct, sizeof pct, "100%%");
	else if (p >= 0)
		snprintf(pct, sizeof pct, "%lld%%", p > 99 ? 99 : p);
	buf_printf(b, STATUS_FMT, stream, r->provider, state, d, pct, short_time(last, when));
	room = STATUS_WIDTH - (b->len - start);
	if (note->len == 0) {
		while (b->len > start && b->data[b->len - 1] == ' ')
			b->data[--b->len] = '\0';
		buf_addc(b, '\n');
	} else if (note->len <= room)
		buf_printf(b, "%s\n", note->data);
	else
		buf_printf(b, "\n    %.*s%s\n", STATUS_WIDTH - 7, note->data,
		    note->len > STATUS_WIDTH - 4 ? "..." : "");
}

/* The note of one key: why it is not plainly complete, and what it set aside. */
static void
row_note(const struct row *r, struct buf *note)
{
	if (r->held > 0)
		note_add(note, "%s removals held: confirm with --allow-delete", r->held, NULL);
	if (r->error && strcmp(r->state, "running") != 0)
		note_add(note, NULL, 0, r->error);
	if (r->unserved > 0)
		note_add(note, "%s unserved", r->unserved, NULL);
	if (r->rejected > 0)
		note_add(note, "%s rejected", r->rejected, NULL);
	if (r->throttled[0])
		note_add(note, NULL, 0, "throttled until ");
	if (r->throttled[0])
		buf_printf(note, "%.8s", r->throttled + 11);
}

/* Worse states win when playlists are added up. */
static int
state_rank(const char *state)
{
	static const char *order[] = { "complete", "held", "partial", "failed", "running" };
	int i;

	for (i = 0; i < 5; i++)
		if (strcmp(order[i], state) == 0)
			return i;
	return 0;
}

/* A table; per-playlist bookmarks are added up into one line per provider. */
static void
status_table(struct row *rows, size_t n, struct buf *b)
{
	struct buf note;
	size_t i, j;

	for (i = 0; i < n; i++) {
		text_printable(rows[i].stream, '?');
		text_printable(rows[i].provider, '?');
		text_printable(rows[i].error, '?');
	}
	buf_init(&note);
	buf_printf(b, STATUS_FMT "%s\n", "STREAM", "PROVIDER", "STATE", "DONE/TOTAL", "%",
	    "LAST SYNC", "NOTE");
	for (i = 0; i < n; i = j) {
		const char *colon = strchr(rows[i].stream, ':');
		size_t baselen = colon ? (size_t)(colon - rows[i].stream) : 0;
		long long done = 0, total = 0, rejected = 0, unserved = 0;
		long long lists = 0, complete = 0, forbidden = 0, unavailable = 0, partial = 0;
		const char *state = "complete", *error = NULL, *last = "";
		struct row sum;
		char name[64];

		buf_reset(&note);
		if (colon == NULL) {
			row_note(&rows[i], &note);
			status_line(b, rows[i].stream, &rows[i], rows[i].state, rows[i].done,
			    rows[i].total, rows[i].last, &note);
			j = i + 1;
			continue;
		}
		for (j = i; j < n && strncmp(rows[j].stream, rows[i].stream, baselen + 1) == 0 &&
		    strcmp(rows[j].provider, rows[i].provider) == 0; j++) {
			struct row *r = &rows[j];

			lists++;
			done = add_sat(done, r->done);
			total = add_sat(total, r->total);
			rejected = add_sat(rejected, r->rejected);
			unserved = add_sat(unserved, r->unserved);
			if (r->forbidden)
				forbidden++;
			else if (r->unavailable)
				unavailable++;
			else if (strcmp(r->state, "complete") == 0)
				complete++;
			else
				partial++;
			if (state_rank(r->state) > state_rank(state))
				state = r->state;
			if (r->error && !r->forbidden && !r->unavailable)
				error = r->error;
			if (strcmp(r->last, last) > 0)
				last = r->last;
		}
		snprintf(name, sizeof name, "%.*s", (int)baselen, rows[i].stream);
		memset(&sum, 0, sizeof sum);
		sum.provider = rows[i].provider;
		buf_printf(&note, "%lld playlists: %lld complete", lists, complete);
		if (forbidden)
			buf_printf(&note, ", %lld forbidden", forbidden);
		if (unavailable)
			buf_printf(&note, ", %lld unavailable", unavailable);
		if (partial)
			buf_printf(&note, ", %lld not", partial);
		if (unserved > 0)
			note_add(&note, "%s unserved", unserved, NULL);
		if (rejected > 0)
			note_add(&note, "%s rejected", rejected, NULL);
		if (error)
			note_add(&note, NULL, 0, error);
		status_line(b, name, &sum, state, done, total, last, &note);
	}
	buf_free(&note);
}

static volatile sig_atomic_t stop_watch;

static void
on_signal(int sig)
{
	stop_watch = sig;
}

/* --watch: once a sync has been seen running, wait this long for its next stage. */
#define WATCH_GRACE_S 10

static int
cmd_status(const char *path)
{
	sqlite3 *db;
	struct row *rows;
	struct buf b;
	size_t n, i;
	int running, followed = 0, idle = 0, version;
	int tty = isatty(STDOUT_FILENO);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	buf_init(&b);
	for (;;) {
		buf_reset(&b);
		db = open_crate(path, 0, &version);
		rows = NULL;
		n = db ? status_rows(db, version, &rows) : 0;
		db_close(db);
		running = 0;
		for (i = 0; i < n; i++)
			running |= rows[i].running;
		if (opt_watch && tty)
			buf_adds(&b, "\033[H\033[J");
		if (opt_json)
			status_json(rows, n, &b);
		else if (n == 0)
			note("%s: no syncs yet", path);
		else
			status_table(rows, n, &b);
		out(b.data);
		fflush(stdout);
		rows_free(rows, n);
		/*
		 * A sync is several stores one after another (sync-library runs a
		 * pipeline per stream): --watch follows it until no store has run
		 * for WATCH_GRACE_S seconds.
		 */
		if (running) {
			followed = 1;
			idle = 0;
		} else {
			idle++;
		}
		if (!opt_watch || stop_watch || (!running && (!followed || idle > WATCH_GRACE_S)))
			break;
		sleep(1);
		if (stop_watch)
			break;
	}
	buf_free(&b);
	stdout_close_or_die();
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "provider", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "watch", no_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *cmd;
	int c;

	cli_init(argv, usage);
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			opt_provider = optarg;
			break;
		case 'j':
			opt_json = 1;
			break;
		case 'w':
			opt_watch = 1;
			break;
		case 'q':
			util_quiet = 1;
			break;
		case 'h':
			cli_help();
		default:
			cli_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (opt_provider == NULL && getenv("CRATE_PROVIDER") && *getenv("CRATE_PROVIDER"))
		opt_provider = getenv("CRATE_PROVIDER");
	if (argc < 2)
		cli_usage();
	cmd = argv[0];
	if ((opt_json || opt_watch) && strcmp(cmd, "status") != 0)
		cli_usage();
	if (strcmp(cmd, "status") == 0 && argc == 2)
		return cmd_status(argv[1]);
	if (strcmp(cmd, "get") == 0 && argc == 3)
		return cmd_get(argv[1], argv[2]);
	if (strcmp(cmd, "set") == 0 && argc == 4)
		return cmd_set(argv[1], argv[2], argv[3]);
	if (strcmp(cmd, "reset") == 0)
		return cmd_reset(argv[1], argv + 2, argc - 2);
	if (strcmp(cmd, "skip") == 0 && argc == 2)
		return cmd_skip(argv[1]);
	cli_usage();
}
