/*
 * What a walk saw, and what a complete one may take for gone: every
 * deletion store makes is here. Members and playlist entries written since
 * a STATE belong to that STATE's sync and pass; a complete full walk marks
 * removed the members its final pass did not see, and a complete playlist
 * ends at its total; the deletion guard decides how much is too much.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "json.h"
#include "util.h"

#include "store.h"

static sqlite3 *db;
static int allow_delete;
static sqlite3_stmt *adopt_pending, *soft_delete, *guard_count, *entries_adopt, *entries_remove;
static sqlite3_stmt *items_truncate, *item_delete, *items_count, *cut_begin, *cut_undo, *cut_end;

/*
 * Positions at or past the playlist's total (or SEEN_FIRST before a bookmark
 * gave one), or past SEEN_MAX, are not tracked: a bogus position must not cost
 * memory. Then no position counts as unseen (nothing is deleted for it).
 */
#define SEEN_MAX ((size_t)1 << 24)
#define SEEN_FIRST ((size_t)1 << 14)

void
gone_prepare(sqlite3 *handle, int allow)
{
	db = handle;
	allow_delete = allow;
	/*
	 * Members seen since the last STATE: seen by its sync, in this pass.
	 * Through the partial index of pending rows: the planner would take
	 * the primary key (stream, provider, id) and read the whole stream.
	 */
	adopt_pending = db_prepare(db,
	    "UPDATE library INDEXED BY library_pending SET sync_id = ?3, pass = ?4"
	    " WHERE provider = ?1 AND stream = ?2 AND sync_id IS NULL");
	/* Only the final pass of the sync counts as seen (a migrated row's pass is 1). */
	soft_delete = db_prepare(db,
	    "UPDATE library SET removed_at = ?4 WHERE provider = ?1 AND stream = ?2"
	    " AND removed_at IS NULL AND NOT (sync_id IS ?3 AND coalesce(pass, 1) = ?5)");
	guard_count = db_prepare(db,
	    "SELECT count(*), coalesce(sum(NOT (sync_id IS ?3 AND coalesce(pass, 1) = ?4)), 0)"
	    " FROM library WHERE provider = ?1 AND stream = ?2 AND removed_at IS NULL");
	entries_adopt = db_prepare(db,
	    "UPDATE playlist_entry_history INDEXED BY playlist_entry_history_pending"
	    " SET sync_id = ?3, pass = ?4"
	    " WHERE provider = ?1 AND playlist_id = ?2 AND sync_id IS NULL");
	entries_remove = db_prepare(db,
	    "UPDATE playlist_entry_history SET removed_at = ?5"
	    " WHERE provider = ?1 AND playlist_id = ?2 AND removed_at IS NULL"
	    " AND NOT (sync_id IS ?3 AND coalesce(pass, 1) = ?4)");
	items_truncate = db_prepare(db,
	    "DELETE FROM playlist_items"
	    " WHERE provider = ?1 AND playlist_id = ?2 AND position >= ?3");
	item_delete = db_prepare(db, "DELETE FROM playlist_items"
	    " WHERE provider = ?1 AND playlist_id = ?2 AND position = ?3");
	items_count = db_prepare(db, "SELECT count(*) FROM playlist_items"
	    " WHERE provider = ?1 AND playlist_id = ?2");
	cut_begin = db_prepare(db, "SAVEPOINT entries_cut");
	cut_undo = db_prepare(db, "ROLLBACK TO entries_cut");
	cut_end = db_prepare(db, "RELEASE entries_cut");
}

void
gone_finalize(void)
{
	sqlite3_finalize(adopt_pending);
	sqlite3_finalize(soft_delete);
	sqlite3_finalize(guard_count);
	sqlite3_finalize(entries_adopt);
	sqlite3_finalize(entries_remove);
	sqlite3_finalize(items_truncate);
	sqlite3_finalize(item_delete);
	sqlite3_finalize(items_count);
	sqlite3_finalize(cut_begin);
	sqlite3_finalize(cut_undo);
	sqlite3_finalize(cut_end);
}

void
bind_key(sqlite3_stmt *st, const char *provider, const char *key)
{
	sqlite3_bind_text(st, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
}

void
seen_mark(struct stream *s, yajl_val position)
{
	long long pos;
	size_t byte, n;

	size_t bound = s->cur.total >= 0 ? (size_t)s->cur.total : SEEN_FIRST;

	if (bound > SEEN_MAX)
		bound = SEEN_MAX;
	if (json_int(position, &pos) != 0 || pos < 0)
		return;
	if (pos >= s->pos_end)
		s->pos_end = pos < LLONG_MAX ? pos + 1 : pos;
	if ((unsigned long long)pos >= bound) {
		s->seen_lost = 1;
		return;
	}
	byte = (size_t)pos / 8;
	if (byte >= s->seen_len) {
		n = s->seen_len ? s->seen_len : 64;
		while (n <= byte)
			n *= 2;
		s->seen = xrealloc(s->seen, n);
		memset(s->seen + s->seen_len, 0, n - s->seen_len);
		s->seen_len = n;
	}
	s->seen[byte] |= (unsigned char)(1u << (pos % 8));
}

static int
seen_has(const struct stream *s, long long pos)
{
	size_t byte = (size_t)pos / 8;

	return byte < s->seen_len && (s->seen[byte] & (1u << (pos % 8)));
}

/*
 * A playlist walk completed in full by this run: its positions below total
 * that no record filled (validate rejected the item: the track is gone) hold
 * stale rows. Returns how many were deleted.
 */
static long long
items_unseen_delete(struct stream *s, const char *provider, const char *playlist_id)
{
	long long pos, removed = 0;

	if (s->seen_lost || (unsigned long long)s->cur.total > SEEN_MAX)
		return 0;
	for (pos = 0; pos < s->cur.total && (size_t)pos < SEEN_MAX; pos++) {
		if (seen_has(s, pos))
			continue;
		sqlite3_bind_text(item_delete, 1, provider, -1, SQLITE_STATIC);
		sqlite3_bind_text(item_delete, 2, playlist_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(item_delete, 3, pos);
		store_step(item_delete, "cannot update playlist items");
		removed += sqlite3_changes(db);
	}
	return removed;
}

/*
 * The deletion guard (store(1) --allow-delete): a complete sync that would
 * mark all of a non-empty stream removed, or more than both 50 members and
 * 10% of its active ones, marks nothing and holds them. A wrong base URL or
 * a stray empty answer must never empty a library (rsync's --max-delete).
 * The same rule holds for a playlist's entries.
 */
static int
held(struct stream *s, long long gone, long long active)
{
	if (allow_delete || gone <= 0)
		return 0;
	if (gone < active && (gone <= 50 || gone <= active / 10))
		return 0;
	s->cur.held = gone;
	s->cur.active = active;
	return 1;
}

static int
guard_holds(struct stream *s, const char *provider, const char *sync_id, long long pass)
{
	long long active = 0, gone = 0;
	int rc;

	bind_key(guard_count, provider, s->key);
	sqlite3_bind_text(guard_count, 3, sync_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(guard_count, 4, pass);
	rc = sqlite3_step(guard_count);
	if (rc == SQLITE_ROW) {
		active = sqlite3_column_int64(guard_count, 0);
		gone = sqlite3_column_int64(guard_count, 1);
	}
	sqlite3_reset(guard_count);
	sqlite3_clear_bindings(guard_count);
	if (rc != SQLITE_ROW)
		store_fail(rc, "cannot read the library");
	s->cur.held = 0;
	return held(s, gone, active);
}

/*
 * A complete playlist ends at its total (never below what this walk stored:
 * a total that lags its items), and the positions a whole walk did not see
 * are gone. The rows go under the deletion guard: a playlist answered empty
 * or cut by more than the guard allows keeps them (a savepoint undoes the
 * cut). Returns how many rows went.
 */
static long long
entries_cut(struct stream *s, const char *provider, const char *playlist_id)
{
	long long active = 0, gone;
	int rc;

	s->cur.held = 0;
	sqlite3_bind_text(items_count, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(items_count, 2, playlist_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(items_count);
	if (rc == SQLITE_ROW)
		active = sqlite3_column_int64(items_count, 0);
	sqlite3_reset(items_count);
	sqlite3_clear_bindings(items_count);
	if (rc != SQLITE_ROW)
		store_fail(rc, "cannot read playlist items");
	store_step(cut_begin, "cannot update playlist items");
	sqlite3_bind_text(items_truncate, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(items_truncate, 2, playlist_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(items_truncate, 3,
	    s->cur.total > s->pos_end ? s->cur.total : s->pos_end);
	store_step(items_truncate, "cannot update playlist items");
	gone = sqlite3_changes(db);
	/* positions of items skipped upstream were not seen, yet are there */
	if (s->walk_whole && s->cur.skipped <= 0)
		gone += items_unseen_delete(s, provider, playlist_id);
	if (held(s, gone, active)) {
		store_step(cut_undo, "cannot update playlist items");
		gone = 0;
	}
	store_step(cut_end, "cannot update playlist items");
	return gone;
}

void
gone_adopt(struct stream *s, const char *provider, const char *sync_id, long long pass)
{
	const char *playlist = strchr(s->key, ':');

	if (playlist == NULL && rows_is_membership(s->base)) {
		/* Members seen since the last STATE belong to this sync. */
		bind_key(adopt_pending, provider, s->key);
		sqlite3_bind_text(adopt_pending, 3, sync_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(adopt_pending, 4, pass);
		store_step(adopt_pending, "cannot update the library");
	} else if (playlist && strcmp(s->base, "playlist_items") == 0) {
		/* The playlist's entries seen since the last STATE. */
		bind_key(entries_adopt, provider, playlist + 1);
		sqlite3_bind_text(entries_adopt, 3, sync_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(entries_adopt, 4, pass);
		store_step(entries_adopt, "cannot update the playlist's history");
	}
}

long long
gone_remove(struct stream *s, const char *provider, const char *sync_id, long long pass,
    int may_delete, const char *now)
{
	const char *playlist = strchr(s->key, ':');
	long long removed = 0;

	if (playlist == NULL) {
		if (!rows_is_membership(s->base) || !may_delete ||
		    guard_holds(s, provider, sync_id, pass))
			return 0;
		bind_key(soft_delete, provider, s->key);
		sqlite3_bind_text(soft_delete, 3, sync_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(soft_delete, 4, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(soft_delete, 5, pass);
		store_step(soft_delete, "cannot update the library");
		return sqlite3_changes(db);
	}
	/* A playlist whose items are complete ends at total: drop rows past it. */
	if (strcmp(s->base, "playlist_items") != 0 || !s->cur.complete || s->cur.forbidden ||
	    s->cur.unavailable || s->cur.total < 0)
		return 0;
	removed = entries_cut(s, provider, playlist + 1);
	if (may_delete && s->cur.held <= 0) {
		/* and the entries gone from it */
		bind_key(entries_remove, provider, playlist + 1);
		sqlite3_bind_text(entries_remove, 3, sync_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(entries_remove, 4, pass);
		sqlite3_bind_text(entries_remove, 5, now, -1, SQLITE_STATIC);
		store_step(entries_remove, "cannot update the playlist's history");
	}
	/* the playlist is done: its positions are not needed any more */
	free(s->seen);
	s->seen = NULL;
	s->seen_len = 0;
	s->seen_lost = 0;
	s->pos_end = 0;
	return removed;
}
