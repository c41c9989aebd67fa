#!/usr/bin/env bash
# store: upserts, idempotence, stubs, membership, partial runs, soft delete,
# playlist truncation, malformed lines, report.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/store-gen.sh"

plan 93

db="$tmp/lib.db"

# ---- a first sync ----
gen artists 100 20 s1 full 1 >"$tmp/artists"
run 0 "a complete sync" -- store --report "$tmp/r1.json" "$db" <"$tmp/artists"
is "$(q "$db" 'SELECT count(*) FROM artists WHERE stub = 0')" 100 "100 artists"
is "$(q "$db" "SELECT count(*) FROM library WHERE stream = 'artists' AND sync_id = 's1' AND removed_at IS NULL")" 100 "100 library members of sync s1"
is "$(q "$db" "SELECT genres FROM artists WHERE id = 'a3'")" '["g3"]' "arrays are stored as JSON"
is "$(q "$db" "SELECT json_extract(data, '\$.uri') FROM artists WHERE id = 'a3'")" "x:artist:a3" "the canonical record is kept whole in data"
is "$(jq -c '.[0] | [.stream, .provider, .status, .fetched, .stored, .new, .updated, .unchanged, .removed, .total]' "$tmp/r1.json")" \
	'["artists","spotify","complete",100,100,100,0,0,0,100]' "--report: counts"
ok "grep -q 'artists: 100 of 100 stored, 100 new, 0 removed; complete in' '$err'" "final report line"
is "$(q "$db" "SELECT status, fetched, stored, total, sync_id, mode FROM sync_runs")" "complete|100|100|100|s1|full" "sync_runs row"
is "$(checkpoint get "$db" artists | jq -c '[.sync_id, .fetched, .complete]')" '["s1",100,true]' "checkpoint committed with the rows"
is "$(q "$db" 'PRAGMA journal_mode')" wal "WAL mode"
is "$(q "$db" 'PRAGMA user_version')" 3 "schema version 3"

# ---- idempotence over several streams in one pipe ----
{
	gen artists 300 50 s1 full 1
	gen tracks 400 50 s1 full 1
	PLAYLIST=p1 gen playlist_items 30 10 s1 full 1
	PLAYLIST=p2 gen playlist_items 12 10 s1 full 1
} >"$tmp/mixed"
db2="$tmp/idem.db"
run 0 "mixed input, first run" -- store --report "$tmp/m1.json" "$db2" <"$tmp/mixed"
dump "$db2" >"$tmp/dump1"
run 0 "mixed input, second run" -- store --report "$tmp/m2.json" "$db2" <"$tmp/mixed"
dump "$db2" >"$tmp/dump2"
ok "cmp -s '$tmp/dump1' '$tmp/dump2'" "the same input twice gives the same database"
is "$(jq -c '[.[] | .new + .updated] | add' "$tmp/m2.json")" 0 "second run: 0 new, 0 updated"
is "$(jq -c '[.[] | .unchanged] | add' "$tmp/m2.json")" 742 "second run: all unchanged"
is "$(jq -c 'map(.stream)' "$tmp/m2.json")" '["artists","tracks","playlist_items"]' "one report entry per stream (playlists added up)"
is "$(q "$db2" 'SELECT count(*) FROM sync_runs')" 8 "a sync_runs row per stream and run"

# ---- stubs ----
is "$(q "$db2" "SELECT stub, name FROM artists WHERE id = 'a1'")" "0|Artist 1" "a full artist is not overwritten by the stub in a track"
is "$(q "$db2" "SELECT stub, title FROM albums WHERE id = 'al3'")" "1|Album 3" "albums embedded in tracks are stubs"
is "$(q "$db2" "SELECT count(*) FROM track_artists WHERE provider = 'spotify' AND track_id = 't12'")" 2 "track_artists rows"
is "$(q "$db2" "SELECT stub FROM tracks WHERE id = 't1002'")" 1 "a track only in a playlist is a stub row"
is "$(q "$db2" "SELECT count(*) FROM library WHERE id = 't1002'")" 0 "... and not in the library"
is "$(q "$db2" "SELECT stub FROM tracks WHERE id = 't3'")" 0 "a full track stays full when a playlist embeds it"
# A full album replaces its stub; a later stub does not overwrite it.
printf '%s\n' '{"type":"RECORD","stream":"albums","record":{"provider":"spotify","id":"al3","title":"Album Three","artists":[{"id":"a1","name":"Artist 1"}],"release_date":"2020","added_at":"2026-03-01T00:00:00Z"}}' \
	'{"type":"STATE","value":{"bookmarks":{"albums":{"sync_id":"x","mode":"incremental","complete":true}}}}' >"$tmp/album"
run 0 "a full album" -- store --report "$tmp/al.json" "$db2" <"$tmp/album"
is "$(jq -c '.[0] | [.new, .updated]' "$tmp/al.json")" '[1,0]' "a stub replaced by its full record counts as new"
VERSION=v2 gen tracks 400 50 s2 full 1 >"$tmp/tracks2"
run 0 "tracks again, changed" -- store --report "$tmp/t2.json" "$db2" <"$tmp/tracks2"
is "$(q "$db2" "SELECT stub, title FROM albums WHERE id = 'al3'")" "0|Album Three" "a stub never overwrites a full album"
is "$(jq -c '.[0] | [.new, .updated, .unchanged]' "$tmp/t2.json")" '[0,400,0]' "changed records count as updated"

# ---- partial runs and soft delete ----
db3="$tmp/del.db"
gen artists 10 5 s1 full 1 >"$tmp/full1"
run 0 "sync s1 complete" -- store "$db3" <"$tmp/full1"
gen artists 10 5 s2 full 0 "3" >"$tmp/partial2"
run 75 "input without complete:true: exit 75" -- store --report "$tmp/p.json" "$db3" <"$tmp/partial2"
ok "grep -q 'artists: partial: 9 of ~9 stored; run the same command to resume' '$err'" "says partial"
is "$(jq -r '.[0].status' "$tmp/p.json")" partial "report: partial"
is "$(q "$db3" "SELECT status FROM sync_runs ORDER BY run_id DESC LIMIT 1")" partial "sync_runs: partial"
is "$(q "$db3" "SELECT count(*) FROM library WHERE removed_at IS NOT NULL")" 0 "no soft delete after a partial run"
gen artists 10 5 s3 incremental 1 "3" >"$tmp/incr3"
run 0 "incremental sync complete" -- store "$db3" <"$tmp/incr3"
is "$(q "$db3" "SELECT count(*) FROM library WHERE removed_at IS NOT NULL")" 0 "no soft delete after an incremental run"
gen artists 10 5 s4 full 1 "3 7" >"$tmp/full4"
run 0 "full sync complete without a3 and a7" -- store --report "$tmp/d.json" "$db3" <"$tmp/full4"
is "$(q "$db3" "SELECT group_concat(id) FROM (SELECT id FROM library WHERE removed_at IS NOT NULL ORDER BY id)")" "a3,a7" "vanished members are marked removed"
is "$(jq -r '.[0].removed' "$tmp/d.json")" 2 "report: 2 removed"
is "$(q "$db3" "SELECT count(*) FROM artists")" 10 "the entity rows stay"
gen artists 10 5 s5 full 1 "7" >"$tmp/full5"
run 0 "full sync with a3 back" -- store "$db3" <"$tmp/full5"
is "$(q "$db3" "SELECT group_concat(id) FROM library WHERE removed_at IS NOT NULL")" "a7" "a member seen again is reinstated"

# ---- playlists shrink ----
db4="$tmp/pl.db"
PLAYLIST=p9 gen playlist_items 10 4 s1 full 1 >"$tmp/pl10"
run 0 "playlist of 10" -- store "$db4" <"$tmp/pl10"
PLAYLIST=p9 gen playlist_items 6 4 s2 full 1 >"$tmp/pl6"
run 0 "the playlist shrank to 6" -- store --report "$tmp/pl.json" "$db4" <"$tmp/pl6"
is "$(q "$db4" "SELECT count(*), max(position) FROM playlist_items WHERE playlist_id = 'p9'")" "6|5" "items past the new end are deleted"
PLAYLIST=p9 gen playlist_items 10 4 s3 full 0 >"$tmp/pl10p"
head -n 3 "$tmp/pl6" >"$tmp/pl-partial"
run 75 "a partial playlist" -- store "$db4" <"$tmp/pl-partial"
is "$(q "$db4" "SELECT count(*) FROM playlist_items")" 6 "nothing deleted on a partial playlist"

# An item that validate rejects (its track is gone) leaves no stale row behind,
# when this run walked the whole playlist; a resumed walk cannot tell.
PLAYLIST=p8 gen playlist_items 10 4 s1 full 1 >"$tmp/p8"
run 0 "playlist p8 of 10" -- store "$db4" <"$tmp/p8"
PLAYLIST=p8 gen playlist_items 10 4 s2 full 1 | grep -v '"p8:3"' >"$tmp/p8-gap"
run 0 "p8 again, position 3 rejected upstream" -- store --report "$tmp/gap.json" "$db4" <"$tmp/p8-gap"
is "$(q "$db4" "SELECT group_concat(position) FROM (SELECT position FROM playlist_items WHERE playlist_id = 'p8' ORDER BY position)")" \
	"0,1,2,4,5,6,7,8,9" "the stale row at position 3 is deleted"
is "$(jq '.[0].removed' "$tmp/gap.json")" 1 "... and counted as removed"
store -q "$db4" <"$tmp/p8" 2>/dev/null
PLAYLIST=p8 gen playlist_items 10 4 s3 full 1 | grep -v '"p8:7"' >"$tmp/p8-gap2"
head -n 6 "$tmp/p8-gap2" | store -q "$db4" 2>/dev/null	# the first page, then a stop
tail -n +7 "$tmp/p8-gap2" >"$tmp/p8-rest"
run 0 "p8 resumed, position 7 rejected" -- store "$db4" <"$tmp/p8-rest"
is "$(q "$db4" "SELECT count(*) FROM playlist_items WHERE playlist_id = 'p8'")" 10 "a resumed walk deletes only past the end"

# A playlist the provider refuses is skipped, not partial, and keeps its rows.
echo '{"type":"STATE","value":{"bookmarks":{"playlist_items:p9":{"provider":"spotify","sync_id":"s4","mode":"full","fetched":0,"total":null,"forbidden":true,"complete":false}}}}' >"$tmp/forbidden"
run 0 "a forbidden playlist: exit 0" -- store --report "$tmp/f.json" "$db4" <"$tmp/forbidden"
ok "grep -q 'playlist_items: 0 stored, 0 new, 0 removed; complete in .*; 1 forbidden by the provider' '$err'" "says forbidden"
is "$(q "$db4" "SELECT count(*) FROM playlist_items WHERE playlist_id = 'p9'")" 6 "its rows stay"
is "$(q "$db4" "SELECT status, error FROM sync_runs ORDER BY run_id DESC LIMIT 1")" "complete|forbidden" "sync_runs: complete, forbidden"

# ---- malformed lines and bad records ----
db5="$tmp/bad.db"
{
	head -n 3 "$tmp/artists"
	echo '{"type":"RECORD","stream":"artists","rec'
	echo '{"type":"RECORD","stream":"artists","record":{"provider":"spotify","name":"no id"}}'
	echo '[1,2]'
	tail -n +4 "$tmp/artists"
} >"$tmp/bad"
run 0 "malformed lines are not fatal" -- store "$db5" <"$tmp/bad"
ok "grep -q 'store: line 4: not JSON' '$err'" "a malformed line is reported with its line number"
ok "grep -q 'store: line 5: artists (no id): a record needs a provider and an id' '$err'" "a record without id is reported"
ok "grep -q '2 malformed input lines skipped' '$err'" "malformed lines are counted"
is "$(q "$db5" 'SELECT count(*) FROM artists')" 100 "the rest is stored"

# ---- numeric ids, relations, streams crate does not know ----
db6="$tmp/misc.db"
printf '%s\n' '{"type":"RECORD","stream":"issues","record":{"provider":"generic","id":42,"title":"x","added_at":null}}' \
	'{"type":"RECORD","stream":"albums","record":{"provider":"deezer","id":7,"title":"Al","artists":[{"id":1,"name":"A"},{"id":"2","name":"B"}],"added_at":"2026-01-01T00:00:00Z"}}' \
	'{"type":"STATE","value":{"bookmarks":{"issues":{"sync_id":"g1","mode":"full","complete":true},"albums":{"sync_id":"g1","mode":"full","complete":true}}}}' >"$tmp/misc"
run 0 "two streams in one STATE" -- store "$db6" <"$tmp/misc"
is "$(q "$db6" "SELECT stream, id, data FROM records")" 'issues|42|{"provider":"generic","id":42,"title":"x","added_at":null}' "other streams go to records"
is "$(q "$db6" "SELECT group_concat(artist_id) FROM (SELECT artist_id FROM album_artists WHERE album_id = '7' ORDER BY position)")" "1,2" "album_artists in order, numeric ids as text"
is "$(q "$db6" "SELECT count(*) FROM library WHERE sync_id = 'g1'")" 2 "added_at null is still membership"
is "$(q "$db6" "SELECT group_concat(provider || '/' || stream) FROM (SELECT * FROM checkpoints ORDER BY 1)")" "deezer/albums,generic/issues" "checkpoints per provider and stream"

# ---- parse's records of a real Spotify page ----
db7="$tmp/real.db"
parse --provider spotify --stream tracks "$shared_fixtures/spotify-me-tracks.json" >"$tmp/real"
run 75 "parse output (no STATE: partial)" -- store "$db7" <"$tmp/real"
n=$(grep -c '"RECORD"' "$tmp/real")
is "$(q "$db7" "SELECT count(*) FROM tracks WHERE stub = 0")" "$n" "every track stored"
is "$(q "$db7" "SELECT count(*) FROM library WHERE stream = 'tracks'")" "$n" "saved tracks are library members"
aa=$(q "$db7" "SELECT count(*) FROM album_artists")
ok "[ $aa -gt 0 ]" "a stub album keeps the artists its track names ($aa)"
is "$(q "$db7" "SELECT count(*) FROM tracks t LEFT JOIN albums a ON a.provider = t.provider AND a.id = t.album_id WHERE a.id IS NULL")" 0 "every track's album has a row"

# ---- usage ----
run 64 "no database: usage" -- store
ok "grep -q '^usage: store' '$err'" "usage on stderr"
run 64 "a bad number" -- store --batch x "$db"
run 74 "an unwritable database" -- store /nonexistent/dir/x.db </dev/null

# ---- two providers in one pipe: each its own run, checkpoint and soft delete ----
two="$tmp/two.db"
{
	for a in a1 a2; do
		echo "{\"type\":\"RECORD\",\"stream\":\"artists\",\"record\":{\"provider\":\"spotify\",\"id\":\"$a\",\"name\":\"n\",\"added_at\":\"2026-01-01T00:00:00Z\"}}"
	done
	echo '{"type":"STATE","value":{"bookmarks":{"artists":{"provider":"spotify","sync_id":"s1","mode":"full","pages":1,"fetched":2,"total":2,"complete":true}}}}'
	echo '{"type":"RECORD","stream":"artists","record":{"provider":"deezer","id":"d1","name":"n","added_at":"2026-01-01T00:00:00Z"}}'
	echo '{"type":"STATE","value":{"bookmarks":{"artists":{"provider":"deezer","sync_id":"d1","mode":"full","pages":1,"fetched":1,"total":1,"complete":true}}}}'
} >"$tmp/two.ndjson"
run 0 "two providers in one pipe" -- store -q "$two" <"$tmp/two.ndjson"
is "$(sqlite3 "$two" "select provider || ':' || id || ':' || coalesce(removed_at, '-') from library order by 1" | tr '\n' ' ')" \
	"deezer:d1:- spotify:a1:- spotify:a2:- " "neither provider's sync removes the other's items"
is "$(sqlite3 "$two" "select provider || ':' || json_extract(state, '$.sync_id') from checkpoints order by 1" | tr '\n' ' ')" \
	"deezer:d1 spotify:s1 " "each provider has its own checkpoint"

# ---- a playlist walked again (drift): positions seen in the first pass do not count ----
pw="$tmp/pass.db"
item() { echo "{\"type\":\"RECORD\",\"stream\":\"playlist_items\",\"record\":{\"provider\":\"spotify\",\"id\":\"PL:$1\",\"playlist_id\":\"PL\",\"position\":$1,\"track\":{\"provider\":\"spotify\",\"id\":\"$2\",\"title\":\"t\"}}}"; }
st() { echo "{\"type\":\"STATE\",\"value\":{\"bookmarks\":{\"playlist_items:PL\":{\"provider\":\"spotify\",\"sync_id\":\"s\",\"mode\":\"full\",\"playlist_id\":\"PL\",\"pages\":$1,\"pass\":$2,\"offset\":$3,\"fetched\":$3,\"total\":3,\"complete\":$4}}}}"; }
{
	item 0 t0; item 1 t1; st 1 1 2 false
	st 1 2 0 false
	item 0 t0; item 2 t2; st 2 2 3 true
} >"$tmp/pass.ndjson"
run 0 "a playlist walked twice in one run" -- store -q "$pw" <"$tmp/pass.ndjson"
is "$(sqlite3 "$pw" "select position || ':' || track_id from playlist_items order by position" | tr '\n' ' ')" "0:t0 2:t2 " \
	"the first pass's row at a position the second did not fill is gone"

# ---- a SCHEMA and nothing after it (fetch-pages died before its first page) ----
echo '{"type":"SCHEMA","stream":"tracks","schema":{},"key_properties":["provider","id"]}' >"$tmp/schema-only"
run 75 "a stream announced and never fed is partial, not done" -- store "$tmp/schema.db" <"$tmp/schema-only"
ok "grep -q 'tracks: partial: nothing arrived after its SCHEMA' '$err'" "and says so"
gen tracks 20 10 sc full 1 >"$tmp/sc"
store -q "$tmp/schema2.db" <"$tmp/sc" 2>/dev/null
run 0 "but after a complete sync of it, a SCHEMA alone is nothing to do" -- store "$tmp/schema2.db" <"$tmp/schema-only"

# ---- fast paths: the record's text as it arrived; stubs written once ----
fp="$tmp/fast.db"
tr() {	# tr ID ALBUM_TITLE: a track whose album stub is al9
	echo "{\"type\":\"RECORD\",\"stream\":\"tracks\",\"record\":{\"provider\":\"spotify\",\"id\":\"$1\",\"title\":\"t\",\"album\":{\"id\":\"al9\",\"title\":\"$2\"},\"artists\":[{\"id\":\"a9\",\"name\":\"A\"}],\"added_at\":\"2026-01-01T00:00:00Z\"}}"
}
{
	tr f1 One; tr f2 Two; tr f3 One
	# not as the writer writes it: spaces, \/ and \u00e9 escapes, a \u001f
	echo '{"type":"RECORD","stream":"tracks","record":{ "provider": "spotify", "id": "f4", "title": "a\/b caf\u00e9 \u001f", "album": {"id": "al8", "title": "x"}, "added_at": null}}'
	echo '{"type":"STATE","value":{"bookmarks":{"tracks":{"sync_id":"f","mode":"incremental","complete":true}}}}'
} >"$tmp/fast.ndjson"
run 0 "tracks whose album stub changes and changes back" -- store -q "$fp" <"$tmp/fast.ndjson"
is "$(q "$fp" "SELECT title FROM albums WHERE id = 'al9'")" One "the last stub of a run stands, even one written before"
is "$(q "$fp" "SELECT data FROM tracks WHERE id = 'f1'")" \
	'{"provider":"spotify","id":"f1","title":"t","album":{"id":"al9","title":"One"},"artists":[{"id":"a9","name":"A"}],"added_at":"2026-01-01T00:00:00Z"}' \
	"compact text is kept as it arrived"
is "$(q "$fp" "SELECT data FROM tracks WHERE id = 'f4'")" \
	"$(printf '{"provider":"spotify","id":"f4","title":"a/b caf\303\251 \\u001f","album":{"id":"al8","title":"x"},"added_at":null}')" \
	"other text is written out compact, as the writer writes it"
is "$(q "$fp" "SELECT data FROM albums WHERE id = 'al8'")" '{"id":"al8","title":"x"}' "... its stubs too"
is "$(q "$fp" "SELECT count(*) FROM track_artists WHERE artist_id = 'a9'")" 3 "relation rows of new tracks"
is "$(q "$fp" 'PRAGMA page_size')" 16384 "a new database has pages of 16 KiB"
sqlite3 "$tmp/small-pages.db" 'PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE mine (a)' >/dev/null
store -q "$tmp/small-pages.db" <"$tmp/fast.ndjson" 2>/dev/null
is "$(q "$tmp/small-pages.db" 'PRAGMA page_size')" 4096 "an existing one keeps its own"
