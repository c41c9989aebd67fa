#!/usr/bin/env bash
# checkpoint: get, set, reset, status, skip.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/store-gen.sh"

plan 58

db="$tmp/lib.db"

# ---- get ----
run 0 "get on a missing database" -- checkpoint get "$tmp/none.db" artists
is "$(cat "$out")" "" "... prints nothing"
ok "[ ! -e '$tmp/none.db' ]" "... and creates nothing"
gen artists 100 10 s1 full 1 >"$tmp/full"
head -n 34 "$tmp/full" >"$tmp/part"	# SCHEMA, 3 pages, 1 record
run 75 "a partial store" -- store "$db" <"$tmp/part"
run 0 "get" -- checkpoint get "$db" artists
is "$(cat "$out")" '{"sync_id":"s1","mode":"full","next":"cursor-30","offset":30,"fetched":30,"total":100,"pages":3,"complete":false}' "get prints the committed bookmark"
run 0 "get of a fresh stream" -- checkpoint get "$db" tracks
is "$(cat "$out")" "" "... prints nothing"
run 0 "get for another provider" -- checkpoint get --provider deezer "$db" artists
is "$(cat "$out")" "" "... prints nothing"

# ---- set and reset ----
run 0 "set" -- checkpoint set --provider deezer "$db" artists '{"sync_id": "d1", "fetched": 5}'
run 64 "get with two providers needs --provider" -- checkpoint get "$db" artists
ok "grep -q 'give --provider' '$err'" "... and says so"
run 0 "get --provider" -- checkpoint get --provider deezer "$db" artists
is "$(cat "$out")" '{"sync_id":"d1","fetched":5}' "set writes the bookmark"
CRATE_PROVIDER=deezer run 0 "CRATE_PROVIDER chooses the provider" -- checkpoint get "$db" artists
is "$(jq -r .sync_id "$out")" d1 "... deezer's"
run 64 "set refuses what is not an object" -- checkpoint set --provider deezer "$db" artists '[1'
run 64 "set without a provider on a new stream" -- checkpoint set "$db" albums '{}'
run 0 "reset one provider's stream" -- checkpoint reset --provider deezer "$db" artists
run 0 "get after reset" -- checkpoint get "$db" artists
is "$(jq -r .sync_id "$out")" s1 "the other provider's checkpoint stays"
checkpoint set --provider spotify "$db" playlist_items:p1 '{"sync_id":"x"}'
checkpoint set --provider spotify "$db" playlist_items:p2 '{"sync_id":"x"}'
run 0 "reset playlist_items" -- checkpoint reset "$db" playlist_items
is "$(q "$db" "SELECT count(*) FROM checkpoints WHERE stream LIKE 'playlist_items:%'")" 0 "a stream resets its per-playlist bookmarks"
run 0 "reset on a missing database" -- checkpoint reset "$tmp/none.db"
run 64 "an unknown command" -- checkpoint frob "$db"

# ---- skip ----
run 0 "skip" -- checkpoint skip "$db" <"$tmp/full"
is "$(cat "$out")" "$(tail -n +35 "$tmp/full" | sed '1i{"type":"SCHEMA","stream":"artists","schema":{},"key_properties":["provider","id"]}')" \
	"skip passes SCHEMA and everything after the committed STATE"
# Stages after fetch-pages add keys to bookmarks (validate's "rejected"):
# they are not part of a STATE's identity.
jq -c 'if .type == "STATE" then .value.bookmarks.artists.rejected = 0 else . end' "$tmp/part" >"$tmp/part-v"
db2="$tmp/v.db"
run 75 "a store from a validated stream" -- store "$db2" <"$tmp/part-v"
run 0 "skip on the raw spool" -- checkpoint skip "$db2" <"$tmp/full"
is "$(grep -c RECORD "$out")" 70 "matches the committed STATE without the added keys"
run 0 "skip with no checkpoints passes everything" -- checkpoint skip "$tmp/fresh.db" <"$tmp/full"
ok "cmp -s '$out' '$tmp/full'" "... unchanged"
gen artists 100 10 s9 full 1 >"$tmp/other"
run 65 "a spool of another sync" -- checkpoint skip "$db2" <"$tmp/other"
ok "grep -q 'artists: the committed STATE is not in the input' '$err'" "... says the committed STATE is missing"
is "$(grep -c RECORD "$out")" 0 "... and passes none of its records"
# Through the whole pipeline: the resumed store completes the sync.
checkpoint -q skip "$db2" <"$tmp/full" | store "$db2" 2>"$tmp/e"
is "$?" 0 "skip | store completes"
is "$(q "$db2" "SELECT count(*) FROM artists")" 100 "all 100 stored"

# Two providers' checkpoints of one stream: records say which one a spool is.
db3="$tmp/two.db"
head -n 34 "$tmp/full" | store -q "$db3" 2>/dev/null
PROVIDER=deezer gen artists 100 10 d1 full 1 >"$tmp/deezer"
head -n 56 "$tmp/deezer" | store -q "$db3" 2>/dev/null	# 5 pages and a record
run 0 "skip a deezer spool" -- checkpoint skip "$db3" <"$tmp/deezer"
is "$(jq -r 'select(.type == "RECORD") | .record.id' "$out" | head -n 1)" a51 "it resumes after deezer's committed STATE"

# ---- status ----
run 0 "status" -- checkpoint status "$db"
ok "grep -Eq '^artists +spotify +partial +30/100 +30%' '$out'" "status: a table line per stream"
run 0 "status --json" -- checkpoint status --json "$db2"
is "$(jq -c '.[0] | [.stream, .provider, .state, .done, .total, .percent, .sync_id]' "$out")" \
	'["artists","spotify","complete",100,100,100,"s1"]' "status --json"
q "$db" "INSERT INTO sync_runs (stream, provider, started, status, pid) VALUES ('artists', 'spotify', '2026-11-22T00:00:00Z', 'running', 2147483600)"
run 0 "status of a run whose store died" -- checkpoint status --json "$db"
is "$(jq -r '.[0] | .state + " " + .error' "$out")" "partial interrupted" "a dead run is shown partial, interrupted"
run 0 "status --watch returns when nothing runs" -- timeout 10 checkpoint status --watch "$db"
run 66 "status of a missing database is an error" -- checkpoint status --json "$tmp/none.db"
ok "grep -q 'none.db: No such file' '$err'" "... that names the path"
is "$(cat "$out")" "" "... and prints nothing"
ok "[ ! -e '$tmp/none.db' ]" "... nor creates it"
printf 'not a database at all, just some text that is long enough to look like a header\n' >"$tmp/text.db"
run 65 "status of a file that is not a database" -- checkpoint status "$tmp/text.db"
ok "grep -q 'text.db: not a crate database' '$err'" "... says so"
run 65 "get on a file that is not a database" -- checkpoint get "$tmp/text.db" artists
sqlite3 "$tmp/other.db" 'CREATE TABLE x (a)'
run 65 "status of an SQLite database that is not crate's" -- checkpoint status "$tmp/other.db"
cp "$db" "$tmp/unreadable.db"
chmod 000 "$tmp/unreadable.db"
if [ "$(id -u)" -ne 0 ]; then
	run 74 "get on an unreadable database" -- checkpoint get "$tmp/unreadable.db" artists
else
	ok true "# skip root reads anything"
fi
# Counts anyone can write into a bookmark never overflow (UBSan would abort).
q "$db" "UPDATE checkpoints SET state = json_set(state, '\$.fetched', 9223372036854775807, '\$.total', 9223372036854775807, '\$.rejected', -9223372036854775807)"
checkpoint set --provider spotify "$db" playlist_items:p1 '{"fetched":9223372036854775807,"total":9223372036854775807}'
checkpoint set --provider spotify "$db" playlist_items:p2 '{"fetched":9223372036854775807,"total":9223372036854775807}'
run 0 "status with huge counts" -- checkpoint status "$db"
ok "grep -q '^playlist_items' '$out'" "... adds playlists up without overflow"
