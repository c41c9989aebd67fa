#!/usr/bin/env bash
# Providers at their edges, through the whole pipeline (fetch-pages | validate | store)
# against provider-sim: never delete a library on an error, never call a failure
# success, always finish (fetch-pages(1), ANSWERS).
. "$(dirname "$0")/../lib.sh"

plan 67

export CRATE_TOKEN=test-token
fast=(--backoff 10ms,20ms)
small=(--tracks 120 --artists 10 --albums 10 --playlists 6 --playlist-max 60)

active() { sqlite3 "$1" "select count(*) from library where provider='$2' and stream='$3' and removed_at is null"; }
removed() { sqlite3 "$1" "select count(*) from library where removed_at is not null"; }
last_state() { grep '"type":"STATE"' "$tmp/fetch.out" | tail -1 | jq -c ".value.bookmarks[\"$1\"]"; }
records() { jq -r "select(.type==\"RECORD\" and .stream==\"$1\").record.id" "$tmp/fetch.out"; }
truth() { jq -r "select(.provider==\"$1\" and .stream==\"$2\" and (.null | not)).id" "$tmp/dump" | sort; }

# pipe DB STREAM FETCH-ARGS...: one stream from its checkpoint, fetch-pages | validate | store;
# st is "FETCH-STATUS STORE-STATUS"; fetch-pages' output is kept in $tmp/fetch.out.
pipe() {
	local db=$1 s=$2 p=spotify a
	shift 2
	for a in "$@"; do case $a in apple-music|deezer) p=$a ;; esac; done
	fetch-pages "${fast[@]}" "$@" --state "$(checkpoint get --provider "$p" "$db" "$s" 2>/dev/null)" "$s" \
		<"${stdin:-/dev/null}" 2>"$tmp/fetch.err" | tee "$tmp/fetch.out" | validate -q 2>/dev/null |
		store -q ${store_opts:-} "$db" 2>"$tmp/store.err"
	st="${PIPESTATUS[0]} ${PIPESTATUS[3]}"
}

# --- a wrong --base-url after a good sync removes nothing and exits 65 with a hint ----------------
sim_start --dialect spotify "${small[@]}" --dump "$tmp/dump"
run 0 "a good sync" -- sync-library -q "${fast[@]}" --base-url "$SIM_URL/v1" "$tmp/lib.db"
before=$(sqlite3 "$tmp/lib.db" "select count(*) from library where removed_at is null")
run 65 "the same sync without /v1 in --base-url" -- sync-library "${fast[@]}" --base-url "$SIM_URL" "$tmp/lib.db"
ok 'grep -q -- "--base-url" "$err"' "the message suggests checking --base-url"
ok 'grep -q "$SIM_URL/me/tracks" "$err"' "and names the URL"
is "$(removed "$tmp/lib.db")" 0 "nothing is removed"
is "$(sqlite3 "$tmp/lib.db" "select count(*) from library where removed_at is null")" "$before" "everything stays"
run 0 "a trailing slash on --base-url is harmless" -- sync-library -q "${fast[@]}" --base-url "$SIM_URL/v1/" "$tmp/lib.db"
is "$(removed "$tmp/lib.db")" 0 "nothing is removed"

pipe "$tmp/lib.db" tracks --base-url "$SIM_URL/v1/me/following?type=artist&x="
is "$st" "65 75" "a first page that is not a page of the API (a wrong --base-url): 65"
ok 'grep -q "not a page of this API" "$tmp/fetch.err" && grep -q -- "--base-url" "$tmp/fetch.err"' "it says so, with the hint"
is "$(removed "$tmp/lib.db")" 0 "nothing is removed"

# --- a stray 404 on a Spotify first page is an error, never an empty list ------------------------
sim_stop
sim_start --dialect spotify "${small[@]}" --fault-path /v1/me/tracks --fault-404 @1
pipe "$tmp/lib.db" tracks --base-url "$SIM_URL/v1"
is "$st" "65 75" "a 404 on the first page of saved tracks: fetch-pages 65, store partial"
is "$(last_state tracks | jq -c '[.complete, (.error | test("^HTTP 404 on the first page"))]')" "[false,true]" \
	"the last STATE is not complete and says why"
is "$(removed "$tmp/lib.db")" 0 "nothing is removed"
pipe "$tmp/lib.db" tracks --base-url "$SIM_URL/v1"
is "$st" "0 0" "the next run completes"

# --- a null element at a page end keeps its place in the overlap chain ---------------------------
sim_stop
sim_start --dialect spotify "${small[@]}" --null-at 98 --dump "$tmp/dump"
pipe "$tmp/null.db" tracks --base-url "$SIM_URL/v1"
ok '[ "${st% *}" -le 1 ]' "a null at the end of the second page: fetch-pages ends done ($st)"
is "$(last_state tracks | jq -c '[.complete, .pass]')" "[true,1]" "complete in one pass"
is "$(records tracks | sort)" "$(truth spotify tracks)" "every track but the null"
ok '! grep -q "walking it again" "$tmp/fetch.err"' "no pass is spent on it"

# --- drift that cancels out: the head check of a newest-first list -------------------------------
sim_stop
sim_start --dialect spotify "${small[@]}" --fault-path /v1/me/tracks --drift @3 --drift-add 1 --drift-remove 1
pipe "$tmp/drift.db" tracks --base-url "$SIM_URL/v1"
is "$st" "0 0" "an addition at the top and a removal below it during the walk: complete"
curl -s "$SIM_URL/sim/dump" >"$tmp/dump"
is "$(last_state tracks | jq -c '[.complete, .pass]')" "[true,2]" "after a second pass"
is "$(comm -23 <(truth spotify tracks) <(records tracks | sort -u))" "" \
	"every track of the list as it is now is among the records, the added one too"
ok 'grep -q "no longer begins" "$tmp/fetch.err"' "the head check says so"
is "$(jq -c 'select(.type=="STATE" and .value.bookmarks.tracks.pass==2) | .value.bookmarks.tracks | [.offset, .fetched]' \
	"$tmp/fetch.out" | head -1)" "[0,0]" "the new pass is announced by a STATE before its first record"
is "$(comm -23 <(truth spotify tracks) <(sqlite3 "$tmp/drift.db" "select id from library where stream='tracks' and removed_at is null" | sort))" "" \
	"the database holds every track of the list as it is now"
is "$(sqlite3 "$tmp/drift.db" "select count(*) from library where stream='tracks'")" \
	"$(( $(truth spotify tracks | wc -l) + 1 ))" "the removed track is the only one more"
is "$(removed "$tmp/drift.db")" 1 "and, seen only by the abandoned pass, it is marked removed"

# --- Spotify playlists: episodes asked for, editorial playlists unavailable, rows kept --------------
sim_stop
sim_start --dialect spotify "${small[@]}" --log "$tmp/log"
run 0 "a good sync of the playlists" -- sync-library -q "${fast[@]}" --base-url "$SIM_URL/v1" "$tmp/pl.db" playlists playlist_items
ok 'jq -r "select(.path | test(\"/items$\")) | .query" "$tmp/log" | grep -q "additional_types=track%2Cepisode\|additional_types=track,episode"' \
	"playlist entries are asked for with additional_types=track,episode"
entries=$(sqlite3 "$tmp/pl.db" "select count(*) from playlist_items")
sim_stop
sim_start --dialect spotify "${small[@]}" --editorial 0.5 --dump "$tmp/dump"
editorial=$(jq -r 'select(.stream=="playlists" and .items_unavailable) | .id' "$tmp/dump")
ok '[ -n "$editorial" ]' "some playlists are Spotify's own ($(echo $editorial | wc -w))"
stdin="$tmp/ids"
jq -r 'select(.stream=="playlists") | .id' "$tmp/dump" >"$stdin"
pipe "$tmp/pl.db" playlist_items --base-url "$SIM_URL/v1"
stdin=
ok '[ "${st% *}" -eq 0 ]' "their 404 does not fail the run ($st)"
first=$(echo "$editorial" | head -1)
is "$(jq -c "select(.type==\"STATE\") | .value.bookmarks[\"playlist_items:$first\"] | select(.) | [.unavailable, .complete]" \
	"$tmp/fetch.out" | tail -1)" "[true,false]" "an editorial playlist is unavailable, not complete"
ok '! grep -q "%s" "$tmp/fetch.err"' "the messages name the URLs (no literal %s)"
ok 'grep -q "does not serve this playlist" "$tmp/fetch.err"' "a warning says which playlist is skipped"
is "$(sqlite3 "$tmp/pl.db" "select count(*) from playlist_items")" "$entries" "every entry is kept"

# --- Deezer: error objects with and without a code, unserved tracks --------------------------------
sim_stop
sim_start --dialect deezer "${small[@]}" --dump "$tmp/dump"
run 0 "a good Deezer sync" -- sync-library -q -p deezer "${fast[@]}" --base-url "$SIM_URL" "$tmp/dz.db" tracks albums
before=$(active "$tmp/dz.db" deezer tracks)
sim_stop
sim_start --dialect deezer "${small[@]}" --fault-path /user/me/tracks --fault-deezer @1 --dump "$tmp/dump"
pipe "$tmp/dz.db" tracks -p deezer --base-url "$SIM_URL"
is "$st" "0 0" "an error object without a code on the first page is retried, then complete"
is "$(active "$tmp/dz.db" deezer tracks)" "$before" "nothing is removed"
ok 'grep -q "An error has occured" "$tmp/fetch.err"' "the error is said"
sim_stop
sim_start --dialect deezer "${small[@]}" --fault-path /user/me/albums --fault-deezer @1,2,3,4 --deezer-code none
pipe "$tmp/dz.db" albums -p deezer --base-url "$SIM_URL"
is "$st" "75 75" "one that does not go away: partial"
is "$(removed "$tmp/dz.db")" 0 "nothing is removed"
sim_stop
sim_start --dialect deezer "${small[@]}" --fault-path /user/me/albums --fault-deezer @2 --deezer-code 800 --dump "$tmp/dump"
pipe "$tmp/dz.db" albums -p deezer --base-url "$SIM_URL" --limit 4
is "$st" "65 75" "code 800 past the first page is an error"
is "$(removed "$tmp/dz.db")" 0 "nothing is removed"
sim_stop
sim_start --dialect deezer "${small[@]}" --unserved 6 --dump "$tmp/dump"
pipe "$tmp/dz.db" tracks -p deezer --base-url "$SIM_URL"
is "$st" "0 0" "a total that counts 6 tracks never served: complete"
is "$(last_state tracks | jq -c '[.complete, .unserved, .pass]')" "[true,6,2]" \
	"the bookmark says unserved: 6, after two passes saw the same tracks"
is "$(records tracks | sort -u)" "$(truth deezer tracks)" "every served track"
pipe "$tmp/dz.db" tracks -p deezer --base-url "$SIM_URL"
is "$st" "0 0" "and every run after"

# --- Apple Music: 403 is authentication; a list that shrank under a bookmark; catalog ---------------
sim_stop
sim_start --dialect apple-music "${small[@]}" --log "$tmp/log"
run 0 "a good Apple Music sync" -- sync-library -q -p apple-music "${fast[@]}" --base-url "$SIM_URL" "$tmp/am.db" \
	playlists playlist_items tracks
ok 'jq -r "select(.path==\"/v1/me/library/songs\") | .query" "$tmp/log" | grep -q "include=albums%2Cartists%2Ccatalog\|include=albums,artists,catalog"' \
	"songs are asked for with their catalog relationship"
entries=$(sqlite3 "$tmp/am.db" "select count(*) from playlist_items")
sim_stop
sim_start --dialect apple-music "${small[@]}" --mut-expire 1
sqlite3 "$tmp/am.db" "select id from playlists where provider='apple-music'" >"$tmp/ids"
stdin="$tmp/ids"
pipe "$tmp/am.db" playlist_items -p apple-music --base-url "$SIM_URL"
stdin=
is "${st% *}" 77 "an expired Music-User-Token (403 everywhere): exit 77"
is "$(grep -c '"forbidden":true' "$tmp/fetch.out")" 0 "no playlist is called forbidden"
is "$(sqlite3 "$tmp/am.db" "select count(*) from playlist_items")" "$entries" "every entry is kept"
ok 'grep -q "authentication failed" "$tmp/fetch.err"' "it says authentication failed"
pipe "$tmp/am.db" tracks -p apple-music --base-url "$SIM_URL"
is "$st" "77 75" "saved songs too: 77"
is "$(last_state tracks | jq -r '.error | startswith("authentication failed")')" true "the last STATE says why"
is "$(removed "$tmp/am.db")" 0 "nothing is removed"

sim_stop
sim_start --dialect apple-music "${small[@]}" --fault-path /v1/me/library/songs --fault-5xx @3 --burst 3 \
	--drift @6 --drift-add 0 --drift-remove 90 --dump "$tmp/dump"
pipe "$tmp/shrink.db" tracks -p apple-music --base-url "$SIM_URL" --limit 50
is "$st" "75 75" "a walk stopped at its third page (retries exhausted)"
is "$(last_state tracks | jq -c '[.complete, .offset > 90]')" "[false,true]" "its bookmark lies past 90"
store_opts=--allow-delete
pipe "$tmp/shrink.db" tracks -p apple-music --base-url "$SIM_URL" --limit 50
store_opts=
is "$st" "0 0" "the list shrank to 30 meanwhile: the resumed walk starts again from the top and completes"
ok 'grep -q "shrank" "$tmp/fetch.err"' "and says so"
curl -s "$SIM_URL/sim/dump" >"$tmp/dump"
is "$(last_state tracks | jq -c '[.complete, .pass, .fetched]')" "[true,2,30]" "in a new pass, announced to store"
is "$(comm -23 <(truth apple-music tracks) <(sqlite3 "$tmp/shrink.db" "select id from library where stream='tracks' and removed_at is null" | sort))" "" \
	"the database holds every song of the list as it is now"
is "$(sqlite3 "$tmp/shrink.db" "select id from library where stream='tracks' and removed_at is null" | sort)" \
	"$(truth apple-music tracks)" "exactly: the songs seen only by the first run's pass are removed"

# --- an unreachable host: the last STATE names it ---------------------------------------------------
pipe "$tmp/lib.db" artists --base-url "http://127.0.0.1:1/v1" --backoff 0
is "$st" "75 75" "an unreachable host: partial"
is "$(last_state artists | jq -r .error)" "cannot connect to 127.0.0.1:1: Connection refused" \
	"the last STATE names the host"
is "$(sqlite3 "$tmp/lib.db" "select error from sync_runs where stream='artists' order by run_id desc limit 1")" \
	"cannot connect to 127.0.0.1:1: Connection refused" "store records it"
is "$(removed "$tmp/lib.db")" 0 "nothing is removed"
