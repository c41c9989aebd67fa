#!/usr/bin/env bash
# store and the whole sync: the deletion guard, the bookmark keys pass,
# skipped, unserved, unavailable and error, rejects kept, episodes, playlist
# entry history, the views people query, no input, a migrated database.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/store-gen.sh"

plan 113

# A RECORD of an artist; a STATE of one bookmark (extra members as JSON text).
artist() { echo "{\"type\":\"RECORD\",\"stream\":\"artists\",\"record\":{\"provider\":\"spotify\",\"id\":\"$1\",\"name\":\"Artist $1\",\"added_at\":\"2026-01-01T00:00:00Z\"}}"; }
state() {	# KEY SYNC_ID COMPLETE [EXTRA]
	echo "{\"type\":\"STATE\",\"value\":{\"bookmarks\":{\"$1\":{\"provider\":\"spotify\",\"sync_id\":\"$2\",\"mode\":\"full\",\"complete\":$3${4:+,$4}}}}}"
}
removed() { q "$1" "SELECT count(*) FROM library WHERE removed_at IS NOT NULL"; }

# ---- the deletion guard ----
db="$tmp/guard.db"
gen artists 100 10 s1 full 1 >"$tmp/a100"
store -q "$db" <"$tmp/a100" 2>/dev/null
gen artists 0 10 s2 full 1 >"$tmp/a0"
run 1 "a complete but empty walk after a good sync: the removals are held" -- store "$db" <"$tmp/a0"
ok "grep -q '^store: artists: 100 removals held (all of 100 active); nothing marked removed; to confirm them, run the sync again with --allow-delete$' '$err'" \
	"one line says how many and how to confirm them"
is "$(removed "$db")" 0 "nothing is marked removed"
is "$(q "$db" "SELECT status, held, removed FROM sync_runs ORDER BY run_id DESC LIMIT 1")" "complete|100|0" "sync_runs records the held count"
run 0 "checkpoint status" -- checkpoint status "$db"
ok "grep -Eq '^artists +spotify +held ' '$out' && grep -q '100 removals held: confirm with --allow-delete' '$out'" "checkpoint status shows it held"
gen artists 100 10 s3 full 1 "$(seq -s ' ' 1 60)" >"$tmp/a40"
run 1 "60 of 100 gone: more than 50 and 10%: held" -- store "$db" <"$tmp/a40"
ok "grep -q 'artists: 60 removals held (60 of 100 active, more than 50 and 10%)' '$err'" "... and says so"
is "$(removed "$db")" 0 "... nothing removed"
run 0 "a later complete sync that lists them again" -- store "$db" <"$tmp/a100"
is "$(checkpoint status --json "$db" | jq -c '.[0] | [.state, .held]')" '["complete",0]' "clears the hold"
gen artists 100 10 s5 full 1 "1 2 3 4 5" >"$tmp/a95"
run 0 "5 of 100 gone: removed as before" -- store "$db" <"$tmp/a95"
is "$(removed "$db")" 5 "5 removed"
gen artists 100 10 s6 full 1 "$(seq -s ' ' 1 60)" >"$tmp/a40b"
run 0 "store --allow-delete confirms them" -- store --allow-delete "$db" <"$tmp/a40b"
is "$(removed "$db")" 60 "60 removed"
db2="$tmp/guard2.db"
gen artists 600 100 s1 full 1 >"$tmp/a600"
store -q "$db2" <"$tmp/a600" 2>/dev/null
gen artists 600 100 s2 full 1 "$(seq -s ' ' 1 51)" >"$tmp/a549"
run 0 "51 of 600 gone: more than 50 but under 10%: removed" -- store "$db2" <"$tmp/a549"
is "$(removed "$db2")" 51 "51 removed"

# ---- the guard holds a playlist's entries too (they are deleted, not marked) ----
db="$tmp/plguard.db"
PLAYLIST=g1 gen playlist_items 100 50 s1 full 1 | store -q "$db" 2>/dev/null
entries() { q "$db" "SELECT count(*) FROM playlist_items WHERE playlist_id = 'g1'"; }
PLAYLIST=g1 gen playlist_items 0 50 s2 full 1 >"$tmp/g0"
run 1 "a playlist answered empty after a good sync: its entries are held" -- store "$db" <"$tmp/g0"
ok "grep -q '^store: playlist_items:g1: 100 removals held (all of 100 active); nothing marked removed' '$err'" \
	"one line says how many and how to confirm them"
is "$(entries)" 100 "every entry is kept"
is "$(q "$db" "SELECT count(*) FROM playlist_entry_history WHERE removed_at IS NOT NULL")" 0 "and none is marked removed in the history"
PLAYLIST=g1 gen playlist_items 40 50 s3 full 1 >"$tmp/g40"
run 1 "a playlist cut from 100 entries to 40: held" -- store "$db" <"$tmp/g40"
is "$(entries)" 100 "... the 60 past the end are kept"
PLAYLIST=g1 gen playlist_items 95 50 s4 full 1 >"$tmp/g95"
run 0 "a playlist cut from 100 entries to 95: deleted as before" -- store "$db" <"$tmp/g95"
is "$(entries)" 95 "... 95 left"
run 0 "--allow-delete confirms a cut" -- store --allow-delete "$db" <"$tmp/g0"
is "$(entries)" 0 "... the playlist is empty"

# ---- pass: only the final pass of the sync counts as seen ----
db="$tmp/pass.db"
{ artist a1; artist a2; artist a3; state artists p1 true '"pages":1,"fetched":3,"total":3'; } >"$tmp/p1"
store -q "$db" <"$tmp/p1" 2>/dev/null
{
	artist a1; artist a2; artist a3
	state artists p2 false '"pass":1,"fetched":3,"total":3'
	state artists p2 false '"pass":2,"fetched":0,"total":2'
	artist a1; artist a2
	state artists p2 true '"pass":2,"fetched":2,"total":2'
} >"$tmp/p2"
run 0 "a walk of two passes in one run" -- store "$db" <"$tmp/p2"
is "$(q "$db" "SELECT group_concat(id) FROM library WHERE removed_at IS NOT NULL")" a3 \
	"an item seen only by the abandoned pass is removed"
store -q "$db" <"$tmp/p1" 2>/dev/null
head -n 4 "$tmp/p2" | sed 's/"p2"/"p3"/' >"$tmp/p3a"
tail -n +5 "$tmp/p2" | sed 's/"p2"/"p3"/' >"$tmp/p3b"
run 75 "the first pass, then a stop" -- store "$db" <"$tmp/p3a"
run 0 "resumed in its second pass" -- store "$db" <"$tmp/p3b"
is "$(q "$db" "SELECT group_concat(id) FROM library WHERE removed_at IS NOT NULL")" a3 \
	"across runs too"

# A record written with its STATE is seen by that STATE's sync and pass, as
# adoption would have made it; where the STATE's bookmark may not be its
# stream's, it waits for adoption as before (a review of the change found both)
rec() { echo "{\"type\":\"RECORD\",\"stream\":\"$1\",\"record\":{\"provider\":\"$2\",\"id\":\"$3\",\"added_at\":\"2024-01-01T00:00:00Z\"}}"; }
db="$tmp/seen.db"
{ rec foo:bar spotify a1; echo '{"type":"STATE","value":{"bookmarks":{"foo:bar":{"provider":"spotify","sync_id":"S1","mode":"full","pass":2}}}}'; } >"$tmp/colon"
store -q "$db" <"$tmp/colon" 2>/dev/null
is "$(q "$db" "SELECT sync_id IS NULL, pass IS NULL FROM library WHERE id = 'a1'")" "1|1" \
	"a member of a stream named with a colon is left pending, as adoption leaves it"
db="$tmp/seen2.db"
echo '{"type":"STATE","value":{"bookmarks":{"tracks":{"provider":"spotify","sync_id":"S0","mode":"full"}}}}' |
	store -q "$db" 2>/dev/null
{
	rec tracks spotify t1
	rec tracks apple t2
	echo '{"type":"STATE","value":{"bookmarks":{"tracks":{"sync_id":"S","mode":"full","pass":1}}}}'
	rec tracks spotify t4
	echo '{"type":"STATE","value":{"bookmarks":{"albums":{"provider":"spotify","sync_id":"A"},"tracks":{"provider":"spotify","sync_id":"S","mode":"full","pass":3}}}}'
} >"$tmp/twice"
store -q "$db" <"$tmp/twice" 2>/dev/null
is "$(q "$db" "SELECT sync_id, pass FROM library WHERE id = 't4'")" "S|3" \
	"two streams of one key and provider: the record waits, and its STATE's bookmark adopts it"

# records after a walk's last STATE (cut off mid-page) belong to that walk's
# sync: a later sync that never lists them takes them for gone
db="$tmp/left.db"
store -q "$db" <"$tmp/p1" 2>/dev/null
{ state artists L2 false '"pass":1,"fetched":0,"total":4'; artist a4; } >"$tmp/L2"
run 75 "a walk cut off after one record of its page" -- store "$db" <"$tmp/L2"
{ artist a1; artist a2; artist a3; state artists L3 true '"pages":1,"fetched":3,"total":3'; } >"$tmp/L3"
run 0 "the next sync does not list it" -- store "$db" <"$tmp/L3"
is "$(q "$db" "SELECT group_concat(id) FROM library WHERE removed_at IS NOT NULL")" a4 \
	"it is marked removed, not counted as seen by the later sync"

# ---- skipped: items upstream could not read ----
db="$tmp/skip.db"
store -q "$db" <"$tmp/p1" 2>/dev/null
{ artist a1; state artists k2 true '"fetched":3,"total":3,"skipped":2'; } >"$tmp/k2"
run 0 "a complete walk that skipped 2 unreadable items" -- store --report "$tmp/k.json" "$db" <"$tmp/k2"
is "$(removed "$db")" 0 "removes nothing"
ok "grep -q '2 unreadable upstream, so nothing marked removed' '$err'" "and says why"
is "$(jq '.[0].skipped' "$tmp/k.json")" 2 "--report: skipped"
PLAYLIST=p4 gen playlist_items 6 6 s1 full 1 | store -q "$db" 2>/dev/null
PLAYLIST=p4 gen playlist_items 6 6 s2 full 1 | grep -v '"p4:2"' |
	sed 's/"complete":true/"complete":true,"skipped":1/' >"$tmp/p4"
run 0 "a playlist walk that skipped an item" -- store "$db" <"$tmp/p4"
is "$(q "$db" "SELECT count(*) FROM playlist_items WHERE playlist_id = 'p4'")" 6 "keeps the entry it could not read"

# ---- unserved, unavailable, error ----
db="$tmp/keys.db"
{ artist a1; state artists u1 true '"fetched":1,"total":18,"unserved":17'; } >"$tmp/u1"
run 0 "a complete walk with unserved items" -- store --report "$tmp/u.json" "$db" <"$tmp/u1"
ok "grep -q 'artists: 1 of 18 stored.*17 unserved by the provider' '$err'" "store's report line says so"
is "$(jq '.[0].unserved' "$tmp/u.json")" 17 "--report: unserved"
is "$(q "$db" "SELECT unserved FROM sync_runs")" 17 "sync_runs: unserved"
is "$(checkpoint status --json "$db" | jq -c '.[0] | [.state, .unserved, .percent]')" '["complete",17,5]' "checkpoint status --json"
ok "checkpoint status '$db' | grep -Eq '^artists .* complete +1/18 +100% .* 17 unserved$'" "checkpoint status: complete at 100%, 17 unserved"
PLAYLIST=p9 gen playlist_items 4 4 s1 full 1 | store -q "$db" 2>/dev/null
state playlist_items:p9 u2 false '"fetched":0,"total":null,"unavailable":true' >"$tmp/unav"
run 0 "an unavailable playlist is not partial" -- store "$db" <"$tmp/unav"
is "$(q "$db" "SELECT count(*) FROM playlist_items WHERE playlist_id = 'p9'")" 4 "its entries are kept"
is "$(q "$db" "SELECT status, error FROM sync_runs ORDER BY run_id DESC LIMIT 1")" "complete|unavailable" "sync_runs: complete, unavailable"
ok "grep -q '1 unavailable' '$err'" "store's report says so"
printf '%s\n' "$(artist a2)" "$(state tracks e1 false '"fetched":1,"total":9,"error":"cannot connect to 127.0.0.1:1: Connection\u001b[31m refused"')" >"$tmp/err"
run 75 "a walk that stopped on an error" -- store "$db" <"$tmp/err"
is "$(q "$db" "SELECT status, error FROM sync_runs WHERE stream = 'tracks'")" \
	"partial|cannot connect to 127.0.0.1:1: Connection [31m refused" "sync_runs.error, control characters stripped"
is "$(checkpoint status --json "$db" | jq -r '.[] | select(.stream == "tracks") | .state + ": " + .error')" \
	"partial: cannot connect to 127.0.0.1:1: Connection [31m refused" "checkpoint status shows it"
checkpoint status "$db" >"$tmp/table"
ok "[ \$(awk '{ if (length(\$0) > m) m = length(\$0) } END { print m }' '$tmp/table') -le 100 ]" "the status table fits 100 columns"

# ---- no input ----
run 66 "no message at all: exit 66" -- store "$tmp/none.db" </dev/null
ok "grep -q 'no input: not one message arrived' '$err'" "and says so"
run 65 "nothing but malformed lines: exit 65" -- bash -c "echo garbage | store '$tmp/none.db'"

# ---- rejects kept ----
db="$tmp/rej.db"
{
	artist r1
	echo '{"type":"RECORD","stream":"artists","record":{"provider":"spotify","id":"r2","name":"  "}}'
	echo 'not json'
	artist r3
	state artists j1 true '"fetched":4,"total":4'
} >"$tmp/rin"
run 0 "validate | store" -- bash -c "validate -q --rejects '$tmp/rej.ndjson' <'$tmp/rin' | store --report '$tmp/rej.json' '$db'"
is "$(q "$db" "SELECT stream, id, substr(reason, 1, 8), sync_id FROM rejects ORDER BY reject_id")" \
	"artists|r2|blank na|j1
||not JSON|j1" "every reject is a row with its stream, id, reason and sync"
is "$(q "$db" "SELECT json_extract(input, '\$.record.id') FROM rejects WHERE id = 'r2'")" r2 "with the input"
is "$(jq -c '.[0] | [.stored, .rejected]' "$tmp/rej.json")" "[2,1]" "rejects are not records of their stream"
is "$(wc -l <"$tmp/rej.ndjson" | tr -d ' ')" 2 "--rejects FILE is still written"
is "$(checkpoint status --json "$db" | jq '.[0].rejected')" 1 "checkpoint status counts the stream's"
is "$(q "$db" "SELECT count(*) FROM artists")" 2 "the rest is stored"

# ---- playlist entries: unavailable, episodes, history ----
db="$tmp/pl.db"
entry() {	# POSITION TRACK_ID-or-null [EXTRA]
	local t=null
	[ "$2" != null ] && t="{\"provider\":\"spotify\",\"id\":\"$2\",\"title\":\"Song $2\",\"album\":{\"id\":\"al1\",\"title\":\"Album One\"},\"artists\":[{\"id\":\"ar1\",\"name\":\"Ann\"},{\"id\":\"ar2\",\"name\":\"Bob\"}]}"
	echo "{\"type\":\"RECORD\",\"stream\":\"playlist_items\",\"record\":{\"provider\":\"spotify\",\"id\":\"PL:$1\",\"playlist_id\":\"PL\",\"position\":$1,\"added_at\":\"2026-02-01T00:00:00Z\",\"track\":$t${3:+,$3}}}"
}
episode='"episode":{"provider":"spotify","id":"ep1","title":"Episode One","show":{"id":"sh1","name":"The Show"},"duration_ms":1800000,"release_date":"2026-01-05","release_date_precision":"day","uri":"spotify:episode:ep1"}'
{
	echo '{"type":"RECORD","stream":"playlists","record":{"provider":"spotify","id":"PL","name":"Road trip","owner":{"id":"u1","name":"me"}}}'
	state playlists h1 true '"fetched":1,"total":1'
	entry 0 t1; entry 1 t2; entry 2 null "$episode,\"reason\":null"; entry 3 null '"reason":"track unavailable"'
	entry 4 t3
	state playlist_items:PL h1 true '"pages":1,"fetched":5,"total":5'
} >"$tmp/h1"
run 0 "a playlist with an episode and an unavailable entry" -- store "$db" <"$tmp/h1"
is "$(q "$db" "SELECT position, coalesce(track_id, '-'), coalesce(episode_id, '-'), coalesce(reason, '-') FROM playlist_items ORDER BY position")" \
	"0|t1|-|-
1|t2|-|-
2|-|ep1|-
3|-|-|track unavailable
4|t3|-|-" "no silent gap: the unavailable entry is a row with its reason"
is "$(q "$db" "SELECT title, show_name, duration_ms, release_date FROM episodes")" "Episode One|The Show|1800000|2026-01-05" "the episode is a row of its own"
is "$(q "$db" "SELECT playlist, position, kind, title, artists, coalesce(album, '-') FROM playlist_entries WHERE position IN (0, 2, 3) ORDER BY position")" \
	"Road trip|0|track|Song t1|Ann, Bob|Album One
Road trip|2|episode|Episode One|The Show|-
Road trip|3|unavailable|||-" "playlist_entries: name, position, title, artists as text, album"
{
	echo '{"type":"RECORD","stream":"playlists","record":{"provider":"spotify","id":"PL","name":"Road trip","owner":{"id":"u1","name":"me"}}}'
	state playlists h2 true '"fetched":1,"total":1'
	entry 0 t1; entry 1 null "$episode"; entry 2 null '"reason":"track unavailable"'; entry 3 t3
	state playlist_items:PL h2 true '"pages":1,"fetched":4,"total":4'
} >"$tmp/h2"
run 0 "t2 taken out of the playlist" -- store "$db" <"$tmp/h2"
is "$(q "$db" "SELECT item_id FROM playlist_entry_history WHERE removed_at IS NOT NULL")" t2 "its entry keeps a row with removed_at"
is "$(q "$db" "SELECT count(*) FROM playlist_entry_history WHERE removed_at IS NULL")" 3 "the others stay"
is "$(q "$db" "SELECT kind, playlist, name, artists FROM removed_items")" "playlist entry|Road trip|Song t2|Ann, Bob" "removed_items names it"
state playlist_items:PL h3 false '"fetched":0,"total":null,"forbidden":true' | store -q "$db" 2>/dev/null
is "$(q "$db" "SELECT count(*) FROM playlist_entry_history WHERE removed_at IS NOT NULL")" 1 "a forbidden playlist removes no entry"

# ---- the questions people ask, each one query on a view ----
db="$tmp/views.db"
last_month=$(date -u -d "$(date -u +%Y-%m-15) -1 month" +%Y-%m-10T12:00:00Z)
{
	gen tracks 12 12 v1 full 1 | sed "s/\"added_at\":\"2026-01-01T00:00:00Z\"}/\"added_at\":\"$last_month\"}/; /\"t1[0-2]\"/s/\"added_at\":\"[^\"]*\"}/\"added_at\":\"2020-01-01T00:00:00Z\"}/"
	printf '%s\n' '{"type":"RECORD","stream":"albums","record":{"provider":"spotify","id":"al9","title":"Nine","artists":[{"id":"a1","name":"Artist 1"},{"id":"a2","name":"Artist 2"}],"added_at":"2026-03-01T00:00:00Z"}}' \
		"$(state albums v1 true '"fetched":1,"total":1')"
	gen artists 3 3 v1 full 1
} >"$tmp/v1"
store -q "$db" <"$tmp/v1" 2>/dev/null
is "$(q "$db" "SELECT title, artists, album FROM saved_tracks WHERE id = 't3'")" "Track 3|Artist 3, Artist 10|Album 0" \
	"saved tracks with their artists and album"
is "$(q "$db" "SELECT title, artists FROM saved_albums")" "Nine|Artist 1, Artist 2" "saved albums with their artists"
is "$(q "$db" "SELECT count(*) FROM saved_tracks WHERE added_at >= date('now', 'start of month', '-1 month') AND added_at < date('now', 'start of month')")" 9 \
	"tracks saved last month"
is "$(q "$db" "SELECT group_concat(name) FROM followed_artists")" "Artist 1,Artist 2,Artist 3" "followed artists"
gen tracks 12 12 v2 full 1 "4" >"$tmp/v2"
store -q "$db" <"$tmp/v2" 2>/dev/null
is "$(q "$db" "SELECT kind, name, artists FROM removed_items WHERE removed_at >= (SELECT max(started) FROM sync_runs)")" \
	"tracks|Track 4|Artist 4, Artist 11" "what the last sync removed"
is "$(q "$db" "SELECT count(*) FROM saved_tracks")" 11 "saved_tracks has active rows only"
ok "q '$db' \"EXPLAIN QUERY PLAN SELECT * FROM playlist_items WHERE provider = 'spotify' AND track_id = 't1'\" | grep -q 'INDEX playlist_items_track'" \
	"an index for playlist entries by track"
ok "q '$db' \"EXPLAIN QUERY PLAN SELECT * FROM tracks WHERE provider = 'spotify' AND album_id = 'al1'\" | grep -q 'INDEX tracks_album'" \
	"an index for tracks by album"
is "$(q "$db" "SELECT name FROM my_playlists")" "" "my_playlists (none here)"

# ---- a database made at schema 1 is migrated ----
db="$tmp/v1.db"
sqlite3 "$db" <"$fixtures/db-v1.sql"
is "$(q "$db" 'PRAGMA user_version')" 1 "the fixture is at schema 1"
gen artists 5 5 m2 full 1 >"$tmp/m2"
run 0 "store opens it" -- store "$db" <"$tmp/m2"
is "$(q "$db" 'PRAGMA user_version')" 3 "migrated to the current schema"
is "$(q "$db" "SELECT count(*) FROM saved_tracks")" 20 "its rows are in the views"
is "$(q "$db" "SELECT count(*) FROM library WHERE removed_at IS NOT NULL")" 0 "and nothing is removed by the migration"

# ---- a database made at schema 2 is migrated with its rows (3: WITHOUT ROWID) ----
db="$tmp/v2.db"
sqlite3 "$db" <"$fixtures/db-v2.sql"
is "$(q "$db" 'PRAGMA user_version')" 2 "the fixture is at schema 2"
# every row of the rebuilt tables, and every view, before and after
dump() {
	local t
	for t in library track_artists album_artists playlist_entry_history; do
		q "$1" "SELECT * FROM $t ORDER BY 1, 2, 3, 4"
	done
	for t in saved_tracks saved_albums followed_artists my_playlists playlist_entries removed_items; do
		q "$1" "SELECT * FROM $t ORDER BY 1, 2, 3, 4"
	done
}
dump "$db" >"$tmp/v2.before"
run 66 "store opens a database at schema 2 (and says nothing came)" -- store "$db" </dev/null
is "$(q "$db" 'PRAGMA user_version')" 3 "migrated to schema 3"
dump "$db" >"$tmp/v2.after"
ok "cmp -s '$tmp/v2.before' '$tmp/v2.after' && [ \$(wc -l <'$tmp/v2.after') -gt 100 ]" \
	"every row and every view's answer is kept"
is "$(q "$db" "SELECT group_concat(name) FROM (SELECT name FROM pragma_table_list WHERE wr = 1 ORDER BY name)")" \
	"album_artists,library,playlist_entry_history,track_artists" "the short-row tables are WITHOUT ROWID"
is "$(q "$db" "SELECT count(*) FROM sqlite_schema WHERE name = 'library_stream'")" 0 \
	"library's key (stream, provider, id) serves what library_stream did"
ok "q '$db' \"EXPLAIN QUERY PLAN SELECT * FROM saved_tracks\" | grep -q 'l USING PRIMARY KEY (stream=?)'" \
	"the views find a stream's members by the key"
gen tracks 12 5 tv3 full 1 "5" >"$tmp/v3"
run 0 "a sync into the migrated database" -- store "$db" <"$tmp/v3"
is "$(q "$db" "SELECT count(*) FROM library WHERE stream = 'tracks' AND sync_id = 'tv3' AND removed_at IS NULL")" 11 \
	"... its members are adopted by its STATEs"
sqlite3 "$tmp/v1b.db" <"$fixtures/db-v1.sql"
run 0 "checkpoint status reads a database at schema 1" -- checkpoint status "$tmp/v1b.db"
ok "grep -Eq '^tracks +spotify +complete' '$out'" "... its streams"

# ---- a database from a newer crate is not touched ----
sqlite3 "$tmp/future.db" "CREATE TABLE t (x); PRAGMA user_version = 99"
run 65 "a database at a newer schema: data this crate does not understand" -- store "$tmp/future.db" <"$tmp/m2"
ok "grep -q 'future.db: schema version 99 is newer than this crate' '$err'" "... the message names the file and the version"
is "$(q "$tmp/future.db" 'PRAGMA user_version')" 99 "... and the database is left as it was"

# ---- resources and limits ----
db="$tmp/limits.db"
gen tracks 3000 100 s1 full 1 >"$tmp/big"
run 74 "a file size limit (ulimit -f) is an I/O error, not a silent death" -- bash -c "ulimit -f 300; store '$db' <'$tmp/big'"
ok "grep -q 'File too large' '$err'" "... with the system's reason"
for p in $(seq 1 100); do
	echo "{\"type\":\"RECORD\",\"stream\":\"playlist_items\",\"record\":{\"provider\":\"spotify\",\"id\":\"q$p:x\",\"playlist_id\":\"q$p\",\"position\":16777215,\"track\":null}}"
done >"$tmp/far"
if [ -z "${CRATE_BUILD:-}" ]; then
	run 75 "100 playlists with an entry at position 16777215" -- /usr/bin/time -f 'maxrss %M' store "$tmp/far.db" <"$tmp/far"
	ok "[ \$(sed -n 's/^maxrss //p' '$err') -lt 60000 ]" "cost no memory for positions ($(sed -n 's/^maxrss //p' "$err") KiB)"
else
	ok true "# skip memory is measured on the normal build"
	ok true "# skip"
fi

# ---- every table and view is described in store(1) DATABASE ----
missing=$(q "$tmp/views.db" "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'" |
	while read -r name; do sed -n '/^\.Sh DATABASE/,/^\.Sh EXIT/p' "$top/store/store.1" | grep -q "Sy $name" || echo "$name"; done)
is "$missing" "" "store(1) DATABASE names every table and view"

# ---- checkpoint status --watch follows a whole sync, store after store ----
db="$tmp/watch.db"
mkfifo "$tmp/fa"
store -q "$db" <"$tmp/fa" 2>/dev/null &
spid=$!
exec 7>"$tmp/fa"
gen artists 30 10 w1 full 1 >"$tmp/wa"
head -n 12 "$tmp/wa" >&7	# the SCHEMA and the first page: the run is running
for i in $(seq 1 300); do
	[ "$(q "$db" "SELECT count(*) FROM sync_runs WHERE status = 'running'" 2>/dev/null)" = 1 ] && break
	sleep 0.1
done
checkpoint status --watch "$db" >"$tmp/watch" 2>&1 7>&- &
wpid=$!
sleep 1
tail -n +13 "$tmp/wa" >&7
exec 7>&-
wait "$spid"
sleep 2	# at least one redraw with no store running
alive=no; kill -0 "$wpid" 2>/dev/null && alive=yes
is "$alive" yes "--watch waits for the sync's next store"
gen tracks 20 10 w1 full 1 | store -q "$db" 2>/dev/null
wait "$wpid"
is "$?" 0 "--watch returns once the sync is over"
ok "grep -Eq '^tracks +unknown +complete|^tracks +spotify +complete' '$tmp/watch'" "... having shown the second store's stream"
ok "grep -Eq '^artists +spotify +complete' '$tmp/watch'" "... and the first's"
