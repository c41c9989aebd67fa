/*
 * bench-store-bare: the floor for store's benchmark. N saved tracks shaped
 * like provider-sim's Spotify library (N/5 albums, N/20 artists, ids of 22
 * random-looking letters, a data column of the same length), written in
 * pages of 50 with the statements store runs, values made in C instead of
 * parsed from JSON:
 *
 *   per track   the track row (insert, or nothing when it is there), its
 *               album stub the same way and, when the album is new, its
 *               album_artists row; its artist stub; its track_artists row;
 *               its library row
 *   per page    the library rows' sync_id, the checkpoint, the run
 *
 * committed every 10,000 tracks, on a connection opened and tuned as store
 * opens its own (db_open, the same page cache). A plain loop: every
 * reference is written, nothing is remembered between tracks. Built and run
 * by scripts/bench-store:
 *
 *   bench-store-bare DB N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "util.h"

static void
step(sqlite3 *db, sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die(EXIT_SOFTWARE, "%s", sqlite3_errmsg(db));
	sqlite3_reset(s);
}

/* A Spotify-like id: 22 letters and digits from a hash of (kind, n). */
static void
make_id(char out[23], unsigned kind, long long n)
{
	static const char a[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	unsigned long long h = (unsigned long long)n * 0x9E3779B97F4A7C15ULL + kind;
	int i;

	for (i = 0; i < 22; i++) {
		h ^= h >> 29;
		h *= 0xBF58476D1CE4E5B9ULL;
		h ^= h >> 32;
		out[i] = a[h % 62];
	}
	out[22] = '\0';
}

static void
text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

int
main(int argc, char *argv[])
{
	sqlite3 *db;
	sqlite3_stmt *track, *album, *album_artist, *artist, *track_artist, *member;
	sqlite3_stmt *adopt, *cp, *run;
	char tid[23], alid[23], arid[23], title[64], uri[64], isrc[32];
	char artist_data[128], album_data[512], data[1024], bm[256];
	long long n, i, al, ar;
	int len, alen, arlen;

	util_init(argv[0]);
	if (argc != 3)
		die(EXIT_USAGE, "usage: bench-store-bare DB N");
	n = opt_ll("N", argv[2], 1, 1LL << 40);
	db = db_open(argv[1], 0, DB_BUSY_DEFAULT_MS);
	/* as store_open tunes its connection */
	db_exec(db, "PRAGMA cache_size = -12288");
	db_exec(db, "PRAGMA wal_autocheckpoint = 2560");	/* 40 MiB of 16 KiB pages */
	track = db_prepare(db, "INSERT INTO tracks (provider, id, title, duration_ms, album_id,"
	    " track_number, disc_number, isrc, explicit, is_local, uri, stub, data)"
	    " VALUES ('spotify', ?1, ?2, ?3, ?4, 1, 1, ?5, 0, 0, ?6, 0, ?7)"
	    " ON CONFLICT DO NOTHING");
	album = db_prepare(db, "INSERT INTO albums (provider, id, title, release_date,"
	    " release_date_precision, album_type, image_url, stub, data)"
	    " VALUES ('spotify', ?1, ?2, '2002-07-18', 'day', 'album', ?3, 1, ?4)"
	    " ON CONFLICT DO NOTHING");
	album_artist = db_prepare(db, "INSERT OR REPLACE INTO album_artists (provider, album_id,"
	    " position, artist_id) VALUES ('spotify', ?1, 0, ?2)");
	artist = db_prepare(db, "INSERT INTO artists (provider, id, name, stub, data)"
	    " VALUES ('spotify', ?1, ?2, 1, ?3) ON CONFLICT DO NOTHING");
	track_artist = db_prepare(db, "INSERT OR REPLACE INTO track_artists (provider, track_id,"
	    " position, artist_id) VALUES ('spotify', ?1, 0, ?2)");
	member = db_prepare(db, "INSERT INTO library (provider, stream, id, added_at,"
	    " first_seen, last_seen) VALUES ('spotify', 'tracks', ?1, ?2, ?3, ?3)"
	    " ON CONFLICT (provider, stream, id) DO UPDATE SET added_at = excluded.added_at,"
	    " last_seen = excluded.last_seen, sync_id = NULL, removed_at = NULL");
	adopt = db_prepare(db, "UPDATE library INDEXED BY library_pending SET sync_id = ?1, pass = 1"
	    " WHERE provider = 'spotify' AND stream = 'tracks' AND sync_id IS NULL");
	cp = db_prepare(db, "INSERT INTO checkpoints (provider, stream, state, updated_at)"
	    " VALUES ('spotify', 'tracks', ?1, ?2) ON CONFLICT (provider, stream)"
	    " DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at");
	run = db_prepare(db, "INSERT OR REPLACE INTO sync_runs (run_id, stream, provider,"
	    " started, status, fetched) VALUES (1, 'tracks', 'spotify', ?1, 'running', ?2)");
	db_exec(db, "BEGIN IMMEDIATE");
	for (i = 1; i <= n; i++) {
		al = (i * 7919) % (n / 5 + 1);
		ar = al % (n / 20 + 1);
		make_id(tid, 1, i);
		make_id(alid, 2, al);
		make_id(arid, 3, ar);
		snprintf(title, sizeof title, "Track %lld", i);
		snprintf(uri, sizeof uri, "spotify:track:%s", tid);
		snprintf(isrc, sizeof isrc, "QZ%010lld", i);
		arlen = snprintf(artist_data, sizeof artist_data,
		    "{\"id\":\"%s\",\"name\":\"Artist %lld\"}", arid, ar);
		alen = snprintf(album_data, sizeof album_data, "{\"id\":\"%s\",\"title\":\"Album %lld\","
		    "\"image_url\":\"https://i.scdn.co/image/ab67616d0000b2733eeec2d1b04cf176\","
		    "\"release_date\":\"2002-07-18\",\"release_date_precision\":\"day\","
		    "\"album_type\":\"album\",\"artists\":[%s]}", alid, al, artist_data);
		len = snprintf(data, sizeof data, "{\"provider\":\"spotify\",\"id\":\"%s\","
		    "\"title\":\"%s\",\"duration_ms\":%lld,\"album\":%s,\"artists\":[%s],"
		    "\"track_number\":1,\"disc_number\":1,\"isrc\":\"%s\",\"explicit\":false,"
		    "\"is_local\":false,\"uri\":\"%s\",\"popularity\":%lld,"
		    "\"added_at\":\"2026-10-31T23:45:21Z\"}", tid, title, 120000 + i % 240000,
		    album_data, artist_data, isrc, uri, i % 100);

		text(track, 1, tid);
		text(track, 2, title);
		sqlite3_bind_int64(track, 3, 120000 + i % 240000);
		text(track, 4, alid);
		text(track, 5, isrc);
		text(track, 6, uri);
		sqlite3_bind_text(track, 7, data, len, SQLITE_STATIC);
		step(db, track);
		text(album, 1, alid);
		text(album, 2, title);
		text(album, 3, "https://i.scdn.co/image/ab67616d0000b2733eeec2d1b04cf176");
		sqlite3_bind_text(album, 4, album_data, alen, SQLITE_STATIC);
		step(db, album);
		if (sqlite3_changes(db) > 0) {
			text(album_artist, 1, alid);
			text(album_artist, 2, arid);
			step(db, album_artist);
		}
		text(artist, 1, arid);
		text(artist, 2, "Artist");
		sqlite3_bind_text(artist, 3, artist_data, arlen, SQLITE_STATIC);
		step(db, artist);
		text(track_artist, 1, tid);
		text(track_artist, 2, arid);
		step(db, track_artist);
		text(member, 1, tid);
		text(member, 2, "2026-10-31T23:45:21Z");
		text(member, 3, "2026-11-22T00:00:00Z");
		step(db, member);
		if (i % 50 == 0 || i == n) {
			text(adopt, 1, "b1");
			step(db, adopt);
			len = snprintf(bm, sizeof bm, "{\"sync_id\":\"b1\",\"mode\":\"full\","
			    "\"fetched\":%lld,\"total\":%lld,\"pages\":%lld}", i, n, i / 50);
			sqlite3_bind_text(cp, 1, bm, len, SQLITE_STATIC);
			text(cp, 2, "2026-11-22T00:00:00Z");
			step(db, cp);
			text(run, 1, "2026-11-22T00:00:00Z");
			sqlite3_bind_int64(run, 2, i);
			step(db, run);
			if (i % 10000 == 0 || i == n) {
				db_exec(db, "COMMIT");
				if (i < n)
					db_exec(db, "BEGIN IMMEDIATE");
			}
		}
	}
	sqlite3_finalize(track);
	sqlite3_finalize(album);
	sqlite3_finalize(album_artist);
	sqlite3_finalize(artist);
	sqlite3_finalize(track_artist);
	sqlite3_finalize(member);
	sqlite3_finalize(adopt);
	sqlite3_finalize(cp);
	sqlite3_finalize(run);
	db_close(db);
	return 0;
}
