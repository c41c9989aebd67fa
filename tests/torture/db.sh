# tests/torture/db.sh: what the reliability drivers check in a database
# (sourced; needs sqlite3).

# db_dump DB: every table's rows, sorted, but the bookkeeping that differs
# between two correct syncs of the same library: the tables sync_runs and
# checkpoints, and the columns that hold a time, a sync's id or an input line
# number. removed_at is kept as "removed or not".
db_dump() {
	sqlite3 "$1" "
	  SELECT 'SELECT ''' || m.name || ''', ' || group_concat(
	      CASE p.name WHEN 'removed_at' THEN 'removed_at IS NULL'
	      ELSE '\"' || p.name || '\"' END, ', ') || ' FROM \"' || m.name || '\";'
	  FROM sqlite_master m, pragma_table_info(m.name) p
	  WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%'
	    AND m.name NOT IN ('sync_runs', 'checkpoints')
	    AND p.name NOT IN ('first_seen', 'last_seen', 'sync_id', 'updated_at',
	                       'time', 'line', 'started', 'finished')
	  GROUP BY m.name" | sqlite3 "$1" | LC_ALL=C sort
}

# db_ahead DB CLEAN_DB: the checkpoints that claim more than the rows behind
# them (none is right). A stream's bookmark counts `fetched` items, of which
# `rejected` and `skipped` were not stored; the rest must be rows of its sync
# (library rows carrying its sync_id, or pending: rows store kept at the end
# of an input that stopped after them, before any STATE). A playlist's bookmark is checked by
# position against a clean sync of the same library: every entry the clean
# sync has before position `fetched` must be there. (validate counts
# `rejected` per run, so after a resume the bookmark's count is short; see
# RELIABILITY.md.)
db_ahead() {
	sqlite3 "$1" "
	  ATTACH '$2' AS clean;
	  SELECT c.stream || ': fetched ' || json_extract(c.state, '$.fetched') || ', rows ' || n
	  FROM (SELECT c.*, (SELECT count(*) FROM library l WHERE l.provider = c.provider
	            AND l.stream = c.stream AND (l.sync_id IS NULL
	            OR l.sync_id = json_extract(c.state, '$.sync_id')))
	        AS n FROM main.checkpoints c WHERE c.stream NOT LIKE 'playlist_items:%') c
	  WHERE n + coalesce(json_extract(c.state, '$.rejected'), 0)
	      + coalesce(json_extract(c.state, '$.skipped'), 0)
	    < coalesce(json_extract(c.state, '$.fetched'), 0);
	  SELECT c.stream || ': fetched ' || f || ', entries ' || n || ' of ' || want
	  FROM (SELECT c.stream, json_extract(c.state, '$.fetched') AS f,
	          (SELECT count(*) FROM main.playlist_items p WHERE p.provider = c.provider
	            AND p.playlist_id = substr(c.stream, 16)
	            AND p.position < json_extract(c.state, '$.fetched')) AS n,
	          (SELECT count(*) FROM clean.playlist_items p WHERE p.provider = c.provider
	            AND p.playlist_id = substr(c.stream, 16)
	            AND p.position < json_extract(c.state, '$.fetched')) AS want
	        FROM main.checkpoints c WHERE c.stream LIKE 'playlist_items:%') c
	  WHERE n < want"
}

# db_lost CLEAN_DUMP DUMP, db_extra CLEAN_DUMP DUMP: rows of the clean sync
# missing (or different) in the other, and rows the other has that the clean
# one has not.
db_lost() { LC_ALL=C comm -23 "$1" "$2" | wc -l; }
db_extra() { LC_ALL=C comm -13 "$1" "$2" | wc -l; }
