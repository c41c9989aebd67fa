/*
 * bench-store-bare: the floor for store's benchmark. The same prepared
 * statements store runs for N artist records in pages of 50 (the upsert of
 * the row, the library row; per page: the library's sync_id, the checkpoint,
 * the run), with values made in C instead of parsed from JSON, committed
 * every 10,000 records like store's default batch. Built and run by
 * scripts/bench-store:
 *
 *   bench-store-bare DB N
 */
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "util.h"

static void
step(sqlite3 *db, sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die(EXIT_SOFTWARE, "%s", sqlite3_errmsg(db));
	sqlite3_reset(s);
}

int
main(int argc, char *argv[])
{
	sqlite3 *db;
	sqlite3_stmt *ins, *member, *adopt, *cp, *run;
	char data[512], name[64], uri[64], id[32], genres[32], bm[256];
	long long n, i;
	int len;

	util_init(argv[0]);
	if (argc != 3)
		die(EXIT_USAGE, "usage: bench-store-bare DB N");
	n = opt_ll("N", argv[2], 1, 1LL << 40);
	db = db_open(argv[1], 0, DB_BUSY_DEFAULT_MS);
	ins = db_prepare(db, "INSERT INTO artists (provider, id, name, genres, image_url,"
	    " popularity, followers, uri, stub, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	    " ?9, ?10) ON CONFLICT DO NOTHING");
	member = db_prepare(db, "INSERT INTO library (provider, stream, id, added_at,"
	    " first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?5)"
	    " ON CONFLICT (provider, stream, id) DO UPDATE SET added_at = excluded.added_at,"
	    " last_seen = excluded.last_seen, sync_id = NULL, removed_at = NULL");
	adopt = db_prepare(db, "UPDATE library SET sync_id = ?3"
	    " WHERE provider = ?1 AND stream = ?2 AND sync_id IS NULL");
	cp = db_prepare(db, "INSERT INTO checkpoints (provider, stream, state, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (provider, stream)"
	    " DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at");
	run = db_prepare(db, "INSERT OR REPLACE INTO sync_runs (run_id, stream, provider,"
	    " started, status, fetched) VALUES (1, 'artists', 'spotify', ?1, 'running', ?2)");
	db_exec(db, "BEGIN IMMEDIATE");
	for (i = 1; i <= n; i++) {
		snprintf(id, sizeof id, "a%lld", i);
		snprintf(name, sizeof name, "Artist %lld", i);
		snprintf(uri, sizeof uri, "x:artist:a%lld", i);
		snprintf(genres, sizeof genres, "[\"g%lld\"]", i % 7);
		len = snprintf(data, sizeof data, "{\"provider\":\"spotify\",\"id\":\"%s\","
		    "\"name\":\"%s\",\"genres\":%s,\"image_url\":null,\"popularity\":%lld,"
		    "\"followers\":%lld,\"uri\":\"%s\",\"added_at\":\"2026-01-01T00:00:00Z\"}",
		    id, name, genres, i % 100, i * 3, uri);
		sqlite3_bind_text(ins, 1, "spotify", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, genres, -1, SQLITE_STATIC);
		sqlite3_bind_null(ins, 5);
		sqlite3_bind_int64(ins, 6, i % 100);
		sqlite3_bind_int64(ins, 7, i * 3);
		sqlite3_bind_text(ins, 8, uri, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 9, 0);
		sqlite3_bind_text(ins, 10, data, len, SQLITE_STATIC);
		step(db, ins);
		sqlite3_bind_text(member, 1, "spotify", -1, SQLITE_STATIC);
		sqlite3_bind_text(member, 2, "artists", -1, SQLITE_STATIC);
		sqlite3_bind_text(member, 3, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(member, 4, "2026-01-01T00:00:00Z", -1, SQLITE_STATIC);
		sqlite3_bind_text(member, 5, "2026-11-22T00:00:00Z", -1, SQLITE_STATIC);
		step(db, member);
		if (i % 50 == 0 || i == n) {
			sqlite3_bind_text(adopt, 1, "spotify", -1, SQLITE_STATIC);
			sqlite3_bind_text(adopt, 2, "artists", -1, SQLITE_STATIC);
			sqlite3_bind_text(adopt, 3, "b1", -1, SQLITE_STATIC);
			step(db, adopt);
			len = snprintf(bm, sizeof bm, "{\"sync_id\":\"b1\",\"mode\":\"full\","
			    "\"fetched\":%lld,\"total\":%lld,\"pages\":%lld}", i, n, i / 50);
			sqlite3_bind_text(cp, 1, "spotify", -1, SQLITE_STATIC);
			sqlite3_bind_text(cp, 2, "artists", -1, SQLITE_STATIC);
			sqlite3_bind_text(cp, 3, bm, len, SQLITE_STATIC);
			sqlite3_bind_text(cp, 4, "2026-11-22T00:00:00Z", -1, SQLITE_STATIC);
			step(db, cp);
			sqlite3_bind_text(run, 1, "2026-11-22T00:00:00Z", -1, SQLITE_STATIC);
			sqlite3_bind_int64(run, 2, i);
			step(db, run);
			if (i % 10000 == 0 || i == n) {
				db_exec(db, "COMMIT");
				if (i < n)
					db_exec(db, "BEGIN IMMEDIATE");
			}
		}
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(member);
	sqlite3_finalize(adopt);
	sqlite3_finalize(cp);
	sqlite3_finalize(run);
	db_close(db);
	return 0;
}
