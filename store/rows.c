/*
 * Records into rows. Each entity table is described once (its columns and
 * where each comes from in the canonical record); the statements that write
 * it are generated from that description:
 *
 *   INSERT ... ON CONFLICT DO NOTHING     a new row
 *   SELECT stub, data IS ?                else: what is there, and is it the same
 *   UPDATE ... WHERE the row differs      an update (a stub made full is new)
 *
 * so an unchanged row costs two lookups and is never rewritten.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "json.h"
#include "tree.h"
#include "util.h"

#include "store.h"

/* A column: record[key], or record[key][sub]; key NULL: the stream name. */
struct col {
	const char *name, *key, *sub;
};

struct entity {
	const char *table;
	int has_stub;		/* embedded references may write stub rows */
	int keyed_by_stream;	/* records: (provider, stream, id) */
	struct col cols[12];
	int ncols;
	sqlite3_stmt *ins, *sel, *upd;
};

static struct entity artists = { "artists", 1, 0, {
	{ "name", "name", NULL }, { "genres", "genres", NULL },
	{ "image_url", "image_url", NULL }, { "popularity", "popularity", NULL },
	{ "followers", "followers", NULL }, { "uri", "uri", NULL } }, 0, NULL, NULL, NULL };
static struct entity albums = { "albums", 1, 0, {
	{ "title", "title", NULL }, { "release_date", "release_date", NULL },
	{ "release_date_precision", "release_date_precision", NULL },
	{ "album_type", "album_type", NULL }, { "total_tracks", "total_tracks", NULL },
	{ "label", "label", NULL }, { "upc", "upc", NULL },
	{ "image_url", "image_url", NULL } }, 0, NULL, NULL, NULL };
static struct entity tracks = { "tracks", 1, 0, {
	{ "title", "title", NULL }, { "duration_ms", "duration_ms", NULL },
	{ "album_id", "album", "id" }, { "track_number", "track_number", NULL },
	{ "disc_number", "disc_number", NULL }, { "isrc", "isrc", NULL },
	{ "explicit", "explicit", NULL }, { "is_local", "is_local", NULL },
	{ "uri", "uri", NULL } }, 0, NULL, NULL, NULL };
static struct entity playlists = { "playlists", 1, 0, {
	{ "name", "name", NULL }, { "description", "description", NULL },
	{ "owner_id", "owner", "id" }, { "owner_name", "owner", "name" },
	{ "image_url", "image_url", NULL }, { "snapshot_id", "snapshot_id", NULL },
	{ "track_count", "track_count", NULL }, { "public", "public", NULL },
	{ "collaborative", "collaborative", NULL } }, 0, NULL, NULL, NULL };
static struct entity playlist_items = { "playlist_items", 0, 0, {
	{ "playlist_id", "playlist_id", NULL }, { "position", "position", NULL },
	{ "track_id", "track", "id" }, { "added_at", "added_at", NULL },
	{ "added_by", "added_by", NULL }, { "episode_id", "episode", "id" },
	{ "reason", "reason", NULL } }, 0, NULL, NULL, NULL };
/* A podcast episode in a playlist (the entry's "episode", crate-db(5)). */
static struct entity episodes = { "episodes", 0, 0, {
	{ "title", "title", NULL }, { "show_id", "show", "id" },
	{ "show_name", "show", "name" }, { "duration_ms", "duration_ms", NULL },
	{ "release_date", "release_date", NULL },
	{ "release_date_precision", "release_date_precision", NULL },
	{ "uri", "uri", NULL } }, 0, NULL, NULL, NULL };
static struct entity records = { "records", 0, 1, {
	{ "stream", NULL, NULL } }, 0, NULL, NULL, NULL };

static struct entity *entities[] = {
	&artists, &albums, &tracks, &playlists, &playlist_items, &episodes, &records
};
#define NENTITIES (sizeof entities / sizeof entities[0])

static sqlite3 *db;
static sqlite3_stmt *member_stmt;
static sqlite3_stmt *album_artists_del, *album_artists_ins;
static sqlite3_stmt *track_artists_del, *track_artists_ins;
static sqlite3_stmt *entry_seen, *reject_ins;

/* One data buffer per nesting level (record, embedded track, its album). */
#define MAXDEPTH 4
static struct buf data_buf[MAXDEPTH];
static struct buf value_buf;

static void
entity_prepare(struct entity *e)
{
	struct buf sql;
	int n, i, stub, data;

	for (n = 0; n < 12 && e->cols[n].name; n++)
		;
	e->ncols = n;
	stub = n + 3;
	data = n + 4;
	buf_init(&sql);
	buf_printf(&sql, "INSERT INTO %s (provider, id", e->table);
	for (i = 0; i < n; i++)
		buf_printf(&sql, ", %s", e->cols[i].name);
	buf_printf(&sql, "%s, data) VALUES (?1, ?2", e->has_stub ? ", stub" : "");
	for (i = 0; i < n; i++)
		buf_printf(&sql, ", ?%d", i + 3);
	if (e->has_stub)
		buf_printf(&sql, ", ?%d", stub);
	buf_printf(&sql, ", ?%d) ON CONFLICT DO NOTHING", data);
	e->ins = db_prepare(db, sql.data);

	buf_reset(&sql);
	buf_printf(&sql, "UPDATE %s SET ", e->table);
	for (i = 0; i < n; i++)
		if (e->cols[i].key)
			buf_printf(&sql, "%s = ?%d, ", e->cols[i].name, i + 3);
	if (e->has_stub)
		buf_printf(&sql, "stub = ?%d, ", stub);
	buf_printf(&sql, "data = ?%d WHERE provider = ?1 AND id = ?2", data);
	if (e->keyed_by_stream)
		buf_printf(&sql, " AND stream = ?3");
	/*
	 * A full record (stub = 0) replaces a stub or a different row; a stub
	 * replaces only a different stub.
	 */
	if (e->has_stub)
		buf_printf(&sql, " AND ((data IS NOT ?%d AND (stub = 1 OR ?%d = 0))"
		    " OR (stub = 1 AND ?%d = 0))", data, stub, stub);
	else
		buf_printf(&sql, " AND data IS NOT ?%d", data);
	e->upd = db_prepare(db, sql.data);

	buf_reset(&sql);
	buf_printf(&sql, "SELECT %s, data IS ?%d FROM %s WHERE provider = ?1 AND id = ?2%s",
	    e->has_stub ? "stub" : "0", data, e->table,
	    e->keyed_by_stream ? " AND stream = ?3" : "");
	e->sel = db_prepare(db, sql.data);
	buf_free(&sql);
}

void
rows_prepare(sqlite3 *handle)
{
	size_t i;

	db = handle;
	for (i = 0; i < NENTITIES; i++)
		entity_prepare(entities[i]);
	for (i = 0; i < MAXDEPTH; i++)
		buf_init(&data_buf[i]);
	buf_init(&value_buf);
	/*
	 * Seeing a member again reinstates it. Its sync is named by the next
	 * STATE: written with it when store already holds that STATE (a row
	 * written pending goes into the partial index library_pending, then is
	 * updated and taken out of it again by gone_adopt: a tenth of store's
	 * time on the tracks stream), else pending (sync_id NULL).
	 */
	member_stmt = db_prepare(db,
	    "INSERT INTO library (provider, stream, id, added_at, first_seen, last_seen,"
	    " sync_id, pass) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)"
	    " ON CONFLICT (provider, stream, id) DO UPDATE"
	    " SET added_at = excluded.added_at, last_seen = excluded.last_seen,"
	    " sync_id = excluded.sync_id, pass = coalesce(excluded.pass, pass),"
	    " removed_at = NULL");
	album_artists_del = db_prepare(db,
	    "DELETE FROM album_artists WHERE provider = ?1 AND album_id = ?2");
	album_artists_ins = db_prepare(db,
	    "INSERT OR REPLACE INTO album_artists (provider, album_id, position, artist_id)"
	    " VALUES (?1, ?2, ?3, ?4)");
	track_artists_del = db_prepare(db,
	    "DELETE FROM track_artists WHERE provider = ?1 AND track_id = ?2");
	track_artists_ins = db_prepare(db,
	    "INSERT OR REPLACE INTO track_artists (provider, track_id, position, artist_id)"
	    " VALUES (?1, ?2, ?3, ?4)");
	/* Like library membership: the next STATE of the playlist names the sync. */
	entry_seen = db_prepare(db,
	    "INSERT INTO playlist_entry_history (provider, playlist_id, kind, item_id, added_at,"
	    " first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, coalesce(?5, ''), ?6, ?6)"
	    " ON CONFLICT DO UPDATE SET last_seen = excluded.last_seen, sync_id = NULL,"
	    " pass = NULL, removed_at = NULL");
	reject_ins = db_prepare(db,
	    "INSERT INTO rejects (provider, stream, id, reason, line, input, time)"
	    " VALUES (?1, ?2, ?3, coalesce(?4, 'rejected'), ?5, ?6, ?7)");
}

void
rows_finalize(void)
{
	size_t i;

	for (i = 0; i < NENTITIES; i++) {
		sqlite3_finalize(entities[i]->ins);
		sqlite3_finalize(entities[i]->sel);
		sqlite3_finalize(entities[i]->upd);
		entities[i]->ins = entities[i]->sel = entities[i]->upd = NULL;
	}
	sqlite3_finalize(member_stmt);
	sqlite3_finalize(album_artists_del);
	sqlite3_finalize(album_artists_ins);
	sqlite3_finalize(track_artists_del);
	sqlite3_finalize(track_artists_ins);
	sqlite3_finalize(entry_seen);
	sqlite3_finalize(reject_ins);
	for (i = 0; i < MAXDEPTH; i++)
		buf_free(&data_buf[i]);
	buf_free(&value_buf);
}

int
rows_is_membership(const char *stream)
{
	return strcmp(stream, "playlist_items") != 0;
}

/*
 * Binds a JSON value: strings as text, numbers as numbers, booleans as 0 or
 * 1, objects and arrays as their JSON text. The tree outlives the statement's
 * step, so strings are bound without a copy.
 */
static void
bind_value(sqlite3_stmt *s, int i, yajl_val v)
{
	const char *text;
	struct jw w;
	size_t len;

	if (v == NULL) {
		sqlite3_bind_null(s, i);
		return;
	}
	switch (v->type) {
	case yajl_t_string:
		sqlite3_bind_text(s, i, v->u.string, -1, SQLITE_STATIC);
		break;
	case yajl_t_number:
		if (YAJL_IS_INTEGER(v))
			sqlite3_bind_int64(s, i, v->u.number.i);
		else if (YAJL_IS_DOUBLE(v))
			sqlite3_bind_double(s, i, v->u.number.d);
		else
			sqlite3_bind_text(s, i, v->u.number.r, -1, SQLITE_STATIC);
		break;
	case yajl_t_true:
		sqlite3_bind_int(s, i, 1);
		break;
	case yajl_t_false:
		sqlite3_bind_int(s, i, 0);
		break;
	case yajl_t_object:
	case yajl_t_array:
		if ((text = tree_text(v, &len)) != NULL) {
			sqlite3_bind_text(s, i, text, (int)len, SQLITE_STATIC);
			break;
		}
		buf_reset(&value_buf);
		jw_init(&w, &value_buf);
		jw_value(&w, v);
		sqlite3_bind_text(s, i, value_buf.data, (int)value_buf.len, SQLITE_TRANSIENT);
		break;
	default:
		sqlite3_bind_null(s, i);
		break;
	}
}

static int
done(sqlite3_stmt *s, int *rc)
{
	int got = sqlite3_step(s);

	sqlite3_reset(s);
	if (got != SQLITE_DONE) {
		*rc = got;
		return -1;
	}
	return 0;
}

static void
bind_row(struct entity *e, sqlite3_stmt *s, const char *stream, const char *provider,
    const char *id, yajl_val rec, int stub, const struct buf *data)
{
	yajl_val v;
	int i;

	sqlite3_bind_text(s, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	for (i = 0; i < e->ncols; i++) {
		if (e->cols[i].key == NULL) {
			sqlite3_bind_text(s, i + 3, stream, -1, SQLITE_STATIC);
			continue;
		}
		v = json_member(rec, e->cols[i].key);
		if (e->cols[i].sub)
			v = json_member(v, e->cols[i].sub);
		bind_value(s, i + 3, v);
	}
	if (e->has_stub)
		sqlite3_bind_int(s, e->ncols + 3, stub);
	sqlite3_bind_text(s, e->ncols + 4, data->data, (int)data->len, SQLITE_STATIC);
}

/*
 * The last upsert inserted its row (it was not there): then no relation rows
 * of it are there either (they are written after it, in its transaction, and
 * store deletes no entity row), and there are none to delete.
 */
static int inserted;

/* upsert's statements: insert, else compare, else update. */
static int
upsert_row(struct entity *e, const char *stream, const char *provider, const char *id,
    yajl_val rec, int stub, const struct buf *data, int *rc)
{
	int got, was_stub, same;

	bind_row(e, e->ins, stream, provider, id, rec, stub, data);
	if (done(e->ins, rc) != 0)
		return UP_FAILED;
	if (sqlite3_changes(db) > 0) {
		inserted = 1;
		return UP_NEW;
	}

	sqlite3_bind_text(e->sel, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(e->sel, 2, id, -1, SQLITE_STATIC);
	if (e->keyed_by_stream)
		sqlite3_bind_text(e->sel, 3, stream, -1, SQLITE_STATIC);
	sqlite3_bind_text(e->sel, e->ncols + 4, data->data, (int)data->len, SQLITE_STATIC);
	got = sqlite3_step(e->sel);
	was_stub = got == SQLITE_ROW && sqlite3_column_int(e->sel, 0);
	same = got == SQLITE_ROW && sqlite3_column_int(e->sel, 1);
	sqlite3_reset(e->sel);
	if (got != SQLITE_ROW && got != SQLITE_DONE) {
		*rc = got;
		return UP_FAILED;
	}
	/* A stub never replaces a full row; nothing replaces the same row. */
	if ((stub && !was_stub) || (same && was_stub == stub))
		return UP_UNCHANGED;

	bind_row(e, e->upd, stream, provider, id, rec, stub, data);
	if (done(e->upd, rc) != 0)
		return UP_FAILED;
	if (sqlite3_changes(db) == 0)
		return UP_UNCHANGED;
	return was_stub && !stub ? UP_NEW : UP_UPDATED;
}

/*
 * The stubs this process wrote or found: a library of 100,000 tracks names
 * its 20,000 albums and 5,000 artists 100,000 times each, and every time but
 * the first the stub is already there, the same. A slot per hash of (table,
 * provider, id) holds the hash of the stub's data; a stub found there with the
 * same data is UP_UNCHANGED without a statement. A slot is overwritten by the
 * next id that hashes to it, so memory is fixed (STUBS slots) whatever the
 * library's size. A rollback forgets them all (rows_forget). 2^18 slots
 * (4 MiB), not 2^16: with 25,000 albums and artists in 65,536 slots, an
 * album's slot was taken by another before its next track came 40% of the
 * time (53,000 of 100,000 album stubs went to SQLite, not 20,000), which
 * cost a tenth of store's CPU on the 100k-track stream.
 */
#define STUBS (1u << 18)
static struct stub_slot {
	unsigned long long key, data;
} stubs[STUBS];

static unsigned long long
hash(unsigned long long h, const void *p, size_t n)
{
	const unsigned char *s = p;
	unsigned long long w, len = n;

	/*
	 * Eight bytes a step (byte by byte, FNV-1a, was 4% of store's time),
	 * each mixed in with splitmix64's multiply and shift; then the length.
	 */
	for (; n >= 8; n -= 8, s += 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	for (w = 0; n > 0; n--)
		w = w << 8 | s[n - 1];
	h = (h ^ w ^ len << 56) * 0x94d049bb133111ebULL;
	return h ^ h >> 29;
}

void
rows_forget(void)
{
	memset(stubs, 0, sizeof stubs);
}

/*
 * Writes one row of e from rec: UP_NEW (a new row, or a stub replaced by the
 * full record), UP_UPDATED, UP_UNCHANGED, or UP_FAILED.
 */
static int
upsert(struct entity *e, const char *stream, const char *provider, const char *id,
    yajl_val rec, int stub, int depth, int *rc)
{
	struct buf *data = &data_buf[depth];
	struct stub_slot *slot = NULL;
	unsigned long long key = 0, sum = 0;
	const char *text;
	struct jw w;
	size_t len;
	int got;

	inserted = 0;
	/* The record's text as it arrived, else written out again. */
	buf_reset(data);
	if ((text = tree_text(rec, &len)) != NULL) {
		buf_add(data, text, len);
	} else {
		jw_init(&w, data);
		jw_value(&w, rec);
	}
	if (stub) {
		key = hash(0xcbf29ce484222325ULL, e->table, strlen(e->table) + 1);
		key = hash(key, provider, strlen(provider) + 1);
		key = hash(key, id, strlen(id)) | 1;
		sum = hash(0xcbf29ce484222325ULL, data->data, data->len);
		slot = &stubs[key & (STUBS - 1)];
		if (slot->key == key && slot->data == sum)
			return UP_UNCHANGED;
	}
	got = upsert_row(e, stream, provider, id, rec, stub, data, rc);
	if (slot && got != UP_FAILED) {
		slot->key = key;
		slot->data = sum;
	}
	return got;
}

/*
 * artists[{id,name}] of an album or track: stub artists and the relation rows
 * (those of before deleted first, unless the owner row was just inserted).
 */
static int
artist_refs(sqlite3_stmt *del, sqlite3_stmt *ins, const char *provider,
    const char *owner_id, int fresh, yajl_val list, int depth, int *rc)
{
	char tmp[64];
	const char *aid;
	yajl_val a;
	size_t i, n = json_len(list);

	sqlite3_bind_text(del, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(del, 2, owner_id, -1, SQLITE_STATIC);
	if (!fresh && done(del, rc) != 0)
		return -1;
	sqlite3_reset(del);
	for (i = 0; i < n; i++) {
		a = json_at(list, i);
		if ((aid = json_id(json_member(a, "id"), tmp)) == NULL)
			continue;
		if (a->type == yajl_t_object &&
		    upsert(&artists, "artists", provider, aid, a, 1, depth, rc) == UP_FAILED)
			return -1;
		sqlite3_bind_text(ins, 1, provider, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, owner_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 3, (sqlite3_int64)i);
		sqlite3_bind_text(ins, 4, aid, -1, SQLITE_STATIC);
		if (done(ins, rc) != 0)
			return -1;
	}
	return 0;
}

/* A track, full or embedded (stub); its album stub and artists when it changed. */
static int
track(const char *provider, const char *id, yajl_val rec, int stub, int depth, int *rc)
{
	char tmp[64];
	const char *album_id;
	yajl_val album;
	int got, fresh;

	got = upsert(&tracks, "tracks", provider, id, rec, stub, depth, rc);
	if (got != UP_NEW && got != UP_UPDATED)
		return got;
	fresh = inserted;
	album = json_member(rec, "album");
	album_id = json_id(json_member(album, "id"), tmp);
	if (album_id && album->type == yajl_t_object) {
		int a = upsert(&albums, "albums", provider, album_id, album, 1, depth + 1, rc);

		if (a == UP_FAILED)
			return UP_FAILED;
		/* A stub album written here gets its artists too, when it names them. */
		if ((a == UP_NEW || a == UP_UPDATED) && json_len(json_member(album, "artists")) &&
		    artist_refs(album_artists_del, album_artists_ins, provider, album_id,
		    inserted, json_member(album, "artists"), depth + 1, rc) != 0)
			return UP_FAILED;
	}
	if (artist_refs(track_artists_del, track_artists_ins, provider, id, fresh,
	    json_member(rec, "artists"), depth + 1, rc) != 0)
		return UP_FAILED;
	return got;
}

static const char *seen_sync;
static long long seen_pass;

void
rows_seen_by(const char *sync_id, long long pass)
{
	seen_sync = sync_id;
	seen_pass = pass;
}

static int
member(const char *stream, const char *provider, const char *id, yajl_val rec,
    const char *now, int *rc)
{
	sqlite3_bind_text(member_stmt, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(member_stmt, 2, stream, -1, SQLITE_STATIC);
	sqlite3_bind_text(member_stmt, 3, id, -1, SQLITE_STATIC);
	bind_value(member_stmt, 4, json_member(rec, "added_at"));
	sqlite3_bind_text(member_stmt, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(member_stmt, 6, seen_sync, -1, SQLITE_STATIC);
	if (seen_sync)
		sqlite3_bind_int64(member_stmt, 7, seen_pass);
	else
		sqlite3_bind_null(member_stmt, 7);
	return done(member_stmt, rc);
}

/* The entry's track or episode is in the playlist (its history, crate-db(5)). */
static int
entry(const char *provider, yajl_val rec, const char *now, int *rc)
{
	char tmp[64];
	const char *kind = "track", *item;

	item = json_id(json_member(json_member(rec, "track"), "id"), tmp);
	if (item == NULL) {
		kind = "episode";
		item = json_id(json_member(json_member(rec, "episode"), "id"), tmp);
	}
	if (item == NULL)
		return 0;
	sqlite3_bind_text(entry_seen, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(entry_seen, 2, json_str(json_member(rec, "playlist_id")), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(entry_seen, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(entry_seen, 4, item, -1, SQLITE_STATIC);
	bind_value(entry_seen, 5, json_member(rec, "added_at"));
	sqlite3_bind_text(entry_seen, 6, now, -1, SQLITE_STATIC);
	return done(entry_seen, rc);
}

int
rows_reject(yajl_val rec, const char *now, int *rc)
{
	const char *keys[] = { "provider", "stream", "id", "reason", "line", "input" };
	yajl_val v;
	int i;

	for (i = 0; i < 6; i++) {
		v = json_member(rec, keys[i]);
		/* the offending input is kept as text, whatever it was */
		if (i == 5 && v && v->type != yajl_t_string && v->type != yajl_t_null) {
			bind_value(reject_ins, i + 1, v);
			continue;
		}
		if (v && (v->type == yajl_t_object || v->type == yajl_t_array))
			v = NULL;
		bind_value(reject_ins, i + 1, v);
	}
	sqlite3_bind_text(reject_ins, 7, now, -1, SQLITE_STATIC);
	i = done(reject_ins, rc);
	sqlite3_clear_bindings(reject_ins);
	return i;
}

int
rows_record(const char *stream, const char *provider, const char *id,
    yajl_val rec, const char *now, int *rc, const char **why)
{
	char tmp[64];
	const char *tid;
	yajl_val t;
	int got;

	*why = NULL;
	if (strcmp(stream, "artists") == 0) {
		got = upsert(&artists, stream, provider, id, rec, 0, 0, rc);
	} else if (strcmp(stream, "albums") == 0) {
		got = upsert(&albums, stream, provider, id, rec, 0, 0, rc);
		if ((got == UP_NEW || got == UP_UPDATED) &&
		    artist_refs(album_artists_del, album_artists_ins, provider, id, inserted,
		    json_member(rec, "artists"), 1, rc) != 0)
			got = UP_FAILED;
	} else if (strcmp(stream, "tracks") == 0) {
		got = track(provider, id, rec, 0, 0, rc);
	} else if (strcmp(stream, "playlists") == 0) {
		got = upsert(&playlists, stream, provider, id, rec, 0, 0, rc);
	} else if (strcmp(stream, "playlist_items") == 0) {
		if (json_str(json_member(rec, "playlist_id")) == NULL ||
		    json_int(json_member(rec, "position"), &(long long){0}) != 0) {
			*why = "a playlist item needs playlist_id and an integer position";
			return UP_FAILED;
		}
		got = upsert(&playlist_items, stream, provider, id, rec, 0, 0, rc);
		/* The embedded track is a stub: it is not library membership. */
		t = json_member(rec, "track");
		if ((got == UP_NEW || got == UP_UPDATED) && t && t->type == yajl_t_object &&
		    (tid = json_id(json_member(t, "id"), tmp)) != NULL &&
		    track(provider, tid, t, 1, 1, rc) == UP_FAILED)
			got = UP_FAILED;
		/* An episode entry (then track is null): the episode is a row of its own. */
		t = json_member(rec, "episode");
		if ((got == UP_NEW || got == UP_UPDATED) && t && t->type == yajl_t_object &&
		    (tid = json_id(json_member(t, "id"), tmp)) != NULL &&
		    upsert(&episodes, "episodes", provider, tid, t, 0, 1, rc) == UP_FAILED)
			got = UP_FAILED;
		if (got != UP_FAILED && entry(provider, rec, now, rc) != 0)
			got = UP_FAILED;
		return got;
	} else {
		got = upsert(&records, stream, provider, id, rec, 0, 0, rc);
	}
	if (got == UP_FAILED)
		return got;
	/*
	 * added_at present means saved or followed by the user; every record
	 * of the playlists stream is one of the user's playlists.
	 */
	if ((json_member(rec, "added_at") || strcmp(stream, "playlists") == 0) &&
	    member(stream, provider, id, rec, now, rc) != 0)
		return UP_FAILED;
	return got;
}
