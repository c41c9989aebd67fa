#include "db.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "util.h"

/*
 * Migrations: migration[i] takes the schema from version i to i + 1. Add a
 * new one at the end; never edit one that has shipped.
 *
 * Entity tables keep the canonical record whole in `data` (so nothing is
 * lost) next to the columns users query. `stub` is 1 for a row that only an
 * embedded reference wrote (the album inside a track, the track inside a
 * playlist item): a full record replaces a stub, a stub never replaces a
 * full row.
 */
/* The artists of a track or an album as text ("A, B"), in their order. */
#define ARTIST_NAMES(REL, OWNER, P, ID) "(SELECT group_concat(name, ', ') FROM" \
	" (SELECT coalesce(a.name, x.artist_id) AS name FROM " REL " x" \
	" LEFT JOIN artists a ON a.provider = x.provider AND a.id = x.artist_id" \
	" WHERE x.provider = " P " AND x." OWNER " = " ID " ORDER BY x.position))"
#define TRACK_ARTISTS(P, ID) ARTIST_NAMES("track_artists", "track_id", P, ID)
#define ALBUM_ARTISTS(P, ID) ARTIST_NAMES("album_artists", "album_id", P, ID)

static const char *migration[] = {
	/* 0 -> 1 */
	"CREATE TABLE artists ("
	"\n  provider TEXT NOT NULL, id TEXT NOT NULL,"
	"\n  name TEXT, genres TEXT, image_url TEXT, popularity INTEGER,"
	"\n  followers INTEGER, uri TEXT,"
	"\n  stub INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL,"
	"\n  PRIMARY KEY (provider, id));"
	"CREATE TABLE albums ("
	"\n  provider TEXT NOT NULL, id TEXT NOT NULL,"
	"\n  title TEXT, release_date TEXT, release_date_precision TEXT,"
	"\n  album_type TEXT, total_tracks INTEGER, label TEXT, upc TEXT,"
	"\n  image_url TEXT,"
	"\n  stub INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL,"
	"\n  PRIMARY KEY (provider, id));"
	"CREATE TABLE tracks ("
	"\n  provider TEXT NOT NULL, id TEXT NOT NULL,"
	"\n  title TEXT, duration_ms INTEGER, album_id TEXT,"
	"\n  track_number INTEGER, disc_number INTEGER, isrc TEXT,"
	"\n  explicit INTEGER, is_local INTEGER, uri TEXT,"
	"\n  stub INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL,"
	"\n  PRIMARY KEY (provider, id));"
	"CREATE TABLE playlists ("
	"\n  provider TEXT NOT NULL, id TEXT NOT NULL,"
	"\n  name TEXT, description TEXT, owner_id TEXT, owner_name TEXT,"
	"\n  image_url TEXT, snapshot_id TEXT, track_count INTEGER,"
	"\n  public INTEGER, collaborative INTEGER,"
	"\n  stub INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL,"
	"\n  PRIMARY KEY (provider, id));"
	"CREATE TABLE playlist_items ("
	"\n  provider TEXT NOT NULL, id TEXT NOT NULL,"
	"\n  playlist_id TEXT NOT NULL, position INTEGER NOT NULL,"
	"\n  track_id TEXT, added_at TEXT, added_by TEXT,"
	"\n  data TEXT NOT NULL,"
	"\n  PRIMARY KEY (provider, id));"
	"CREATE INDEX playlist_items_position"
	"\n  ON playlist_items (provider, playlist_id, position);"
	"CREATE TABLE album_artists ("
	"\n  provider TEXT NOT NULL, album_id TEXT NOT NULL,"
	"\n  position INTEGER NOT NULL, artist_id TEXT NOT NULL,"
	"\n  PRIMARY KEY (provider, album_id, position));"
	"CREATE INDEX album_artists_artist ON album_artists (provider, artist_id);"
	"CREATE TABLE track_artists ("
	"\n  provider TEXT NOT NULL, track_id TEXT NOT NULL,"
	"\n  position INTEGER NOT NULL, artist_id TEXT NOT NULL,"
	"\n  PRIMARY KEY (provider, track_id, position));"
	"CREATE INDEX track_artists_artist ON track_artists (provider, artist_id);"
	/* Records of streams crate does not know (fetch-pages --url). */
	"CREATE TABLE records ("
	"\n  provider TEXT NOT NULL, stream TEXT NOT NULL, id TEXT NOT NULL,"
	"\n  data TEXT NOT NULL,"
	"\n  PRIMARY KEY (provider, stream, id));"
	/*
	 * Library membership. sync_id is NULL while the row waits for the
	 * first STATE after it (that STATE names the sync that saw it).
	 */
	"CREATE TABLE library ("
	"\n  provider TEXT NOT NULL, stream TEXT NOT NULL, id TEXT NOT NULL,"
	"\n  added_at TEXT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
	"\n  sync_id TEXT, removed_at TEXT,"
	"\n  PRIMARY KEY (provider, stream, id));"
	"CREATE INDEX library_pending ON library (provider, stream)"
	"\n  WHERE sync_id IS NULL;"
	"CREATE TABLE sync_runs ("
	"\n  run_id INTEGER PRIMARY KEY,"
	"\n  stream TEXT NOT NULL, provider TEXT NOT NULL,"
	"\n  sync_id TEXT, mode TEXT,"
	"\n  started TEXT NOT NULL, finished TEXT,"
	"\n  status TEXT NOT NULL CHECK (status IN"
	"\n    ('running', 'complete', 'partial', 'failed')),"
	"\n  fetched INTEGER, stored INTEGER, rejected INTEGER, total INTEGER,"
	"\n  new INTEGER, updated INTEGER, unchanged INTEGER, removed INTEGER,"
	"\n  error TEXT, pid INTEGER);"
	"CREATE INDEX sync_runs_stream ON sync_runs (provider, stream, run_id);"
	"CREATE TABLE checkpoints ("
	"\n  provider TEXT NOT NULL, stream TEXT NOT NULL,"
	"\n  state TEXT NOT NULL, updated_at TEXT NOT NULL,"
	"\n  PRIMARY KEY (provider, stream));",

	/*
	 * ---- 1 -> 2: the store helper's block (issues 11, 12, 14) ----
	 * library.pass: the walk's pass that last saw the member (only the
	 * final pass counts as seen). sync_runs.held: soft deletes the guard
	 * held back; unserved: items the provider counts but never serves.
	 * Playlist entries may be episodes or unavailable (a reason, no
	 * track); rejects keeps what validate set aside; entry history keeps
	 * entries taken out of a playlist; views answer people's questions.
	 * Described column by column in crate-db(5).
	 */
	"ALTER TABLE library ADD COLUMN pass INTEGER;"
	"ALTER TABLE sync_runs ADD COLUMN held INTEGER;"
	"ALTER TABLE sync_runs ADD COLUMN unserved INTEGER;"
	"ALTER TABLE playlist_items ADD COLUMN episode_id TEXT;"
	"ALTER TABLE playlist_items ADD COLUMN reason TEXT;"
	"CREATE TABLE episodes ("
	"\n  provider TEXT NOT NULL, id TEXT NOT NULL,"
	"\n  title TEXT, show_id TEXT, show_name TEXT, duration_ms INTEGER,"
	"\n  release_date TEXT, release_date_precision TEXT, uri TEXT,"
	"\n  data TEXT NOT NULL,"
	"\n  PRIMARY KEY (provider, id));"
	"CREATE TABLE rejects ("
	"\n  reject_id INTEGER PRIMARY KEY,"
	"\n  provider TEXT, stream TEXT, id TEXT, reason TEXT NOT NULL,"
	"\n  line INTEGER, input TEXT, sync_id TEXT, time TEXT NOT NULL);"
	"CREATE INDEX rejects_stream ON rejects (stream, sync_id);"
	"CREATE TABLE playlist_entry_history ("
	"\n  provider TEXT NOT NULL, playlist_id TEXT NOT NULL,"
	"\n  kind TEXT NOT NULL, item_id TEXT NOT NULL,"
	"\n  added_at TEXT NOT NULL DEFAULT '',"
	"\n  first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
	"\n  sync_id TEXT, pass INTEGER, removed_at TEXT,"
	"\n  PRIMARY KEY (provider, playlist_id, kind, item_id, added_at));"
	"CREATE INDEX playlist_entry_history_pending"
	"\n  ON playlist_entry_history (provider, playlist_id) WHERE sync_id IS NULL;"
	"CREATE INDEX playlist_items_track ON playlist_items (provider, track_id);"
	"CREATE INDEX playlist_items_episode ON playlist_items (provider, episode_id);"
	"CREATE INDEX tracks_album ON tracks (provider, album_id);"
	"CREATE INDEX library_stream ON library (stream, removed_at);"
	"CREATE VIEW saved_tracks AS"
	"\n  SELECT l.provider, t.id, t.title, " TRACK_ARTISTS("t.provider", "t.id") " AS artists,"
	"\n    al.title AS album,"
	"\n    t.duration_ms, t.isrc, l.added_at, l.first_seen"
	"\n  FROM library l JOIN tracks t ON t.provider = l.provider AND t.id = l.id"
	"\n  LEFT JOIN albums al ON al.provider = t.provider AND al.id = t.album_id"
	"\n  WHERE l.stream = 'tracks' AND l.removed_at IS NULL;"
	"CREATE VIEW saved_albums AS"
	"\n  SELECT l.provider, al.id, al.title, " ALBUM_ARTISTS("al.provider", "al.id") " AS artists,"
	"\n    al.release_date,"
	"\n    al.album_type, al.total_tracks, al.label, al.upc, l.added_at, l.first_seen"
	"\n  FROM library l JOIN albums al ON al.provider = l.provider AND al.id = l.id"
	"\n  WHERE l.stream = 'albums' AND l.removed_at IS NULL;"
	"CREATE VIEW followed_artists AS"
	"\n  SELECT l.provider, a.id, a.name, a.genres, a.popularity, a.followers,"
	"\n    l.added_at, l.first_seen"
	"\n  FROM library l JOIN artists a ON a.provider = l.provider AND a.id = l.id"
	"\n  WHERE l.stream = 'artists' AND l.removed_at IS NULL;"
	"CREATE VIEW my_playlists AS"
	"\n  SELECT l.provider, p.id, p.name, p.owner_name, p.track_count, p.public,"
	"\n    p.collaborative, p.description, l.added_at, l.first_seen"
	"\n  FROM library l JOIN playlists p ON p.provider = l.provider AND p.id = l.id"
	"\n  WHERE l.stream = 'playlists' AND l.removed_at IS NULL;"
	"CREATE VIEW playlist_entries AS"
	"\n  SELECT i.provider, i.playlist_id, p.name AS playlist, i.position,"
	"\n    CASE WHEN i.track_id IS NOT NULL THEN 'track'"
	"\n      WHEN i.episode_id IS NOT NULL THEN 'episode' ELSE 'unavailable' END AS kind,"
	"\n    coalesce(t.title, e.title) AS title,"
	"\n    coalesce(" TRACK_ARTISTS("i.provider", "i.track_id") ", e.show_name) AS artists,"
	"\n    al.title AS album, i.added_at, i.added_by, i.track_id, i.episode_id, i.reason"
	"\n  FROM playlist_items i"
	"\n  LEFT JOIN playlists p ON p.provider = i.provider AND p.id = i.playlist_id"
	"\n  LEFT JOIN tracks t ON t.provider = i.provider AND t.id = i.track_id"
	"\n  LEFT JOIN albums al ON al.provider = t.provider AND al.id = t.album_id"
	"\n  LEFT JOIN episodes e ON e.provider = i.provider AND e.id = i.episode_id;"
	"CREATE VIEW removed_items AS"
	"\n  SELECT l.provider, l.stream AS kind, l.id, NULL AS playlist,"
	"\n    coalesce(t.title, al.title, a.name, p.name) AS name,"
	"\n    CASE l.stream WHEN 'tracks' THEN " TRACK_ARTISTS("l.provider", "l.id")
	"\n      WHEN 'albums' THEN " ALBUM_ARTISTS("l.provider", "l.id") " END AS artists,"
	"\n    l.removed_at"
	"\n  FROM library l"
	"\n  LEFT JOIN tracks t ON l.stream = 'tracks' AND t.provider = l.provider AND t.id = l.id"
	"\n  LEFT JOIN albums al ON l.stream = 'albums' AND al.provider = l.provider AND al.id = l.id"
	"\n  LEFT JOIN artists a ON l.stream = 'artists' AND a.provider = l.provider AND a.id = l.id"
	"\n  LEFT JOIN playlists p ON l.stream = 'playlists' AND p.provider = l.provider AND p.id = l.id"
	"\n  WHERE l.removed_at IS NOT NULL"
	"\n  UNION ALL"
	"\n  SELECT h.provider, 'playlist entry', h.item_id, p.name,"
	"\n    coalesce(t.title, e.title),"
	"\n    CASE h.kind WHEN 'track' THEN " TRACK_ARTISTS("h.provider", "h.item_id")
	"\n      ELSE e.show_name END, h.removed_at"
	"\n  FROM playlist_entry_history h"
	"\n  LEFT JOIN playlists p ON p.provider = h.provider AND p.id = h.playlist_id"
	"\n  LEFT JOIN tracks t ON h.kind = 'track' AND t.provider = h.provider AND t.id = h.item_id"
	"\n  LEFT JOIN episodes e ON h.kind = 'episode' AND e.provider = h.provider"
	"\n    AND e.id = h.item_id"
	"\n  WHERE h.removed_at IS NOT NULL;",
	/* ---- end of the store helper's block ---- */
};

#define NMIGRATIONS ((int)(sizeof migration / sizeof migration[0]))

/* db_checkpoint_put's statement, prepared once per connection (store writes one per STATE). */
static sqlite3 *put_db;
static sqlite3_stmt *put_stmt;


const char *
db_errmsg(sqlite3 *db)
{
	static char msg[512];
	int e = sqlite3_system_errno(db);

	int code = sqlite3_errcode(db) & 0xff;
	struct rlimit fsize;

	/*
	 * "disk I/O error" says little: the system's reason says what to fix.
	 * A write cut short by a file size limit (ulimit -f: store ignores
	 * SIGXFSZ) often leaves no errno: the limit is named instead.
	 */
	if ((code == SQLITE_IOERR || code == SQLITE_FULL) && (e == EFBIG || (e == 0 &&
	    getrlimit(RLIMIT_FSIZE, &fsize) == 0 && fsize.rlim_cur != RLIM_INFINITY))) {
		snprintf(msg, sizeof msg, "%s (%s: the file size limit, ulimit -f)",
		    sqlite3_errmsg(db), strerror(EFBIG));
		return msg;
	}
	if (e != 0 && code == SQLITE_IOERR) {
		snprintf(msg, sizeof msg, "%s (%s)", sqlite3_errmsg(db), strerror(e));
		return msg;
	}
	return sqlite3_errmsg(db);
}

int
db_status(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_PERM:
	case SQLITE_NOLFS:
		return EXIT_IOERR;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return EXIT_TEMPFAIL;
	default:
		return EXIT_SOFTWARE;
	}
}

int
db_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

sqlite3_stmt *
db_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
	if (rc != SQLITE_OK)
		die(db_status(rc), "%s: %s", sqlite3_db_filename(db, "main"),
		    sqlite3_errmsg(db));
	return s;
}

static void
sleep_ms(long long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static volatile sig_atomic_t *stop_flag;
static long long busy_limit_ms;

void
db_interrupt_on(volatile sig_atomic_t *flag)
{
	stop_flag = flag;
}

/*
 * SQLite's busy handler: wait in steps of 10 ms until the deadline of the
 * wait in progress (exec_waiting's, else the busy timeout from the first
 * call), but give up at once when a signal asked the tool to stop. Time is
 * measured, not counted in steps, so a wait never outlasts its timeout.
 */
static long long busy_deadline, busy_first;

static int
busy_handler(void *arg, int count)
{
	long long now = mono_ms(), limit;

	(void)arg;
	if (count == 0)
		busy_first = now;
	limit = busy_deadline ? busy_deadline : busy_first + busy_limit_ms;
	if ((stop_flag && *stop_flag) || now >= limit)
		return 0;
	sleep_ms(limit - now < 10 ? limit - now : 10);
	return 1;
}

/* Runs sql again while the database is busy, for up to busy_ms or a signal. */
static int
exec_waiting(sqlite3 *db, const char *sql, long long busy_ms)
{
	long long start = mono_ms();
	int rc;

	busy_deadline = start + busy_ms;
	for (;;) {
		rc = db_exec(db, sql);
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			break;
		if (mono_ms() - start >= busy_ms || (stop_flag && *stop_flag))
			break;
		sleep_ms(10 + (rand() ^ getpid()) % 40);
	}
	busy_deadline = 0;
	return rc;
}

int
db_begin(sqlite3 *db, long long busy_ms)
{
	return exec_waiting(db, "BEGIN IMMEDIATE", busy_ms);
}

int
db_commit(sqlite3 *db, long long busy_ms)
{
	return exec_waiting(db, "COMMIT", busy_ms);
}

void
db_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		db_exec(db, "ROLLBACK");
}

static int
user_version(sqlite3 *db)
{
	sqlite3_stmt *s = db_prepare(db, "PRAGMA user_version");
	int v = 0;

	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

int
db_has_schema(sqlite3 *db)
{
	return user_version(db) >= 1;
}

static void
migrate(sqlite3 *db, const char *path, long long busy_ms)
{
	char sql[64];
	int rc, v;

	if (user_version(db) == NMIGRATIONS)
		return;
	rc = db_begin(db, busy_ms);
	if (rc != SQLITE_OK)
		die(db_status(rc), "%s: %s", path, db_errmsg(db));
	/* Read again under the write lock: another process may have migrated. */
	v = user_version(db);
	if (v > NMIGRATIONS)
		die(EXIT_DATAERR, "%s: schema version %d is newer than this crate's (%d): use the crate that wrote it",
		    path, v, NMIGRATIONS);
	for (; v < NMIGRATIONS; v++) {
		rc = db_exec(db, migration[v]);
		if (rc != SQLITE_OK)
			break;
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		rc = db_exec(db, sql);
		if (rc != SQLITE_OK)
			break;
	}
	if (rc == SQLITE_OK)
		rc = db_commit(db, busy_ms);
	if (rc != SQLITE_OK) {
		int status = db_status(rc);
		char msg[256];

		snprintf(msg, sizeof msg, "%s", db_errmsg(db));
		db_rollback(db);
		die(status, "%s: cannot create the schema: %s", path, msg);
	}
}

sqlite3 *
db_open(const char *path, int readonly, long long busy_ms)
{
	sqlite3 *db = NULL;
	struct stat st;
	int rc, flags;

	/*
	 * Each tool uses one connection from one thread: no mutexes, and no
	 * memory statistics (which take a mutex on every allocation).
	 */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (readonly) {
		if (stat(path, &st) != 0)
			return NULL;
		flags = SQLITE_OPEN_READONLY;
	} else {
		flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	}
	/*
	 * A FIFO or a device is no database: SQLite's first read of a FIFO
	 * blocks for ever (and a signal only restarts it).
	 */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		die(EXIT_IOERR, "%s: %s, not a crate database", path,
		    S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
	flags |= SQLITE_OPEN_NOMUTEX;
	rc = sqlite3_open_v2(path, &db, flags, NULL);
	if (rc != SQLITE_OK)
		die(db_status(rc), "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
	busy_limit_ms = busy_ms;
	sqlite3_busy_handler(db, busy_handler, NULL);
	sqlite3_extended_result_codes(db, 1);
	if (readonly)
		return db;
	/*
	 * A new database gets pages of 16 KiB (a library's rows are long: a
	 * track's data is some 650 bytes): measured with scripts/bench-store,
	 * a quarter less CPU time than SQLite's default 4 KiB. An existing
	 * database keeps its page size (the pragma does nothing to it).
	 */
	db_exec(db, "PRAGMA page_size = 16384");
	/* Changing the journal mode needs the database to itself for a moment. */
	rc = exec_waiting(db, "PRAGMA journal_mode = WAL", busy_ms);
	if (rc == SQLITE_OK)
		rc = db_exec(db, "PRAGMA synchronous = NORMAL");
	if (rc != SQLITE_OK)
		die(db_status(rc), "%s: %s", path, db_errmsg(db));
	migrate(db, path, busy_ms);
	return db;
}

void
db_close(sqlite3 *db)
{
	if (db == NULL)
		return;
	if (put_db == db) {
		sqlite3_finalize(put_stmt);
		put_stmt = NULL;
		put_db = NULL;
	}
	sqlite3_close_v2(db);
}

char *
db_checkpoint_provider(sqlite3 *db, const char *stream, int *ambiguous)
{
	sqlite3_stmt *s;
	char *provider = NULL;

	if (ambiguous)
		*ambiguous = 0;
	if (!db_has_schema(db))
		return NULL;
	s = db_prepare(db, "SELECT DISTINCT provider FROM checkpoints WHERE stream = ?1 LIMIT 2");
	sqlite3_bind_text(s, 1, stream, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		provider = xstrdup((const char *)sqlite3_column_text(s, 0));
		if (sqlite3_step(s) == SQLITE_ROW) {
			free(provider);
			provider = NULL;
			if (ambiguous)
				*ambiguous = 1;
		}
	}
	sqlite3_finalize(s);
	return provider;
}

char *
db_checkpoint_get(sqlite3 *db, const char *provider, const char *stream, int *ambiguous)
{
	sqlite3_stmt *s;
	char *state = NULL, *found = NULL;

	if (ambiguous)
		*ambiguous = 0;
	if (!db_has_schema(db))
		return NULL;
	if (provider == NULL) {
		found = db_checkpoint_provider(db, stream, ambiguous);
		if (found == NULL)
			return NULL;
		provider = found;
	}
	s = db_prepare(db, "SELECT state FROM checkpoints WHERE provider = ?1 AND stream = ?2");
	sqlite3_bind_text(s, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, stream, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		state = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	free(found);
	return state;
}

int
db_checkpoint_put(sqlite3 *db, const char *provider, const char *stream,
    const char *state, const char *updated_at)
{
	sqlite3_stmt *s;
	int rc;

	if (put_db != db) {
		sqlite3_finalize(put_stmt);
		put_stmt = db_prepare(db, "INSERT INTO checkpoints (provider, stream, state, updated_at)"
		    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (provider, stream)"
		    " DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at");
		put_db = db;
	}
	s = put_stmt;
	sqlite3_bind_text(s, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, stream, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, updated_at, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}
