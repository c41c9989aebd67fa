/*
 * bench-store-floor: how fast SQLite alone can take the keys store must write
 * for a new saved track, nothing else. The tables store(1) must keep are
 * keyed by the provider's ids (tracks, albums and artists by (provider, id);
 * track_artists and album_artists by (provider, owner id, position); library
 * by (provider, stream, id)), and a provider's ids are random strings, so
 * every new track is a random insert into at least three B-trees: its track,
 * its track_artists row, its library row; and, one track in five (a library
 * of N tracks has N/5 albums), its album and its album_artists row.
 *
 * This writes exactly those rows, WITHOUT ROWID, with nothing but their
 * keys (and a relation's artist id): no data column, no JSON, no lookups, no
 * secondary index; ids of 22
 * random letters and digits, committed every 10,000 tracks, on a connection
 * opened and tuned as store opens its own (db_open: WAL, 16 KiB pages;
 * store's 12 MiB page cache and a checkpoint every 40 MiB of WAL). store
 * also parses each record, writes its data, keeps two reverse indexes
 * (tracks by album, tracks by artist) and compares what is there: it cannot
 * be faster than this. Built and run by scripts/bench-store:
 *
 *   bench-store-floor DB N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "util.h"

static unsigned long long seed = 88172645463325252ULL;

/* A Spotify-like id: 22 letters and digits, random (xorshift64). */
static void
random_id(char out[23])
{
	static const char a[] =
	    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	int i;

	for (i = 0; i < 22; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		out[i] = a[seed % 62];
	}
	out[22] = '\0';
}

/* One row: its id (and a second one, when given). */
static void
put(sqlite3 *db, sqlite3_stmt *s, const char *id, const char *id2)
{
	sqlite3_bind_text(s, 1, id, 22, SQLITE_STATIC);
	if (id2)
		sqlite3_bind_text(s, 2, id2, 22, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		die(EXIT_SOFTWARE, "%s", sqlite3_errmsg(db));
	sqlite3_reset(s);
}

int
main(int argc, char **argv)
{
	sqlite3 *db;
	sqlite3_stmt *track, *track_artist, *member, *album, *album_artist;
	char id[23], album_id[23], artist_id[23];
	long long i, n;

	if (argc != 3 || (n = atoll(argv[2])) <= 0) {
		fprintf(stderr, "usage: bench-store-floor DB N\n");
		return 64;
	}
	db = db_open(argv[1], 0, 5000);
	db_exec(db, "PRAGMA cache_size = -12288");
	db_exec(db, "PRAGMA wal_autocheckpoint = 2560");
	db_exec(db,
	    "CREATE TABLE t (provider TEXT, id TEXT, PRIMARY KEY (provider, id)) WITHOUT ROWID;"
	    "CREATE TABLE ta (provider TEXT, track_id TEXT, position INTEGER, artist_id TEXT,"
	    " PRIMARY KEY (provider, track_id, position)) WITHOUT ROWID;"
	    "CREATE TABLE l (provider TEXT, stream TEXT, id TEXT,"
	    " PRIMARY KEY (stream, provider, id)) WITHOUT ROWID;"
	    "CREATE TABLE al (provider TEXT, id TEXT, PRIMARY KEY (provider, id)) WITHOUT ROWID;"
	    "CREATE TABLE aa (provider TEXT, album_id TEXT, position INTEGER, artist_id TEXT,"
	    " PRIMARY KEY (provider, album_id, position)) WITHOUT ROWID;");
	track = db_prepare(db, "INSERT INTO t VALUES ('spotify', ?1)");
	track_artist = db_prepare(db, "INSERT INTO ta VALUES ('spotify', ?1, 0, ?2)");
	member = db_prepare(db, "INSERT INTO l VALUES ('spotify', 'tracks', ?1)");
	album = db_prepare(db, "INSERT INTO al VALUES ('spotify', ?1)");
	album_artist = db_prepare(db, "INSERT INTO aa VALUES ('spotify', ?1, 0, ?2)");
	db_exec(db, "BEGIN");
	for (i = 0; i < n; i++) {
		random_id(id);
		random_id(artist_id);
		put(db, track, id, NULL);
		put(db, track_artist, id, artist_id);
		put(db, member, id, NULL);
		if (i % 5 == 0) {
			random_id(album_id);
			put(db, album, album_id, NULL);
			put(db, album_artist, album_id, artist_id);
		}
		if (i % 10000 == 9999)
			db_exec(db, "COMMIT; BEGIN");
	}
	db_exec(db, "COMMIT");
	sqlite3_finalize(track);
	sqlite3_finalize(track_artist);
	sqlite3_finalize(member);
	sqlite3_finalize(album);
	sqlite3_finalize(album_artist);
	db_close(db);
	return 0;
}
