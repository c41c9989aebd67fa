#!/usr/bin/env bash
# store and checkpoint attacked with hostile input (issues 11 and 12): a
# bookmark that names no provider, a count that is not a count, a database
# path that is no file; each must end in an error or in keeping rows, never
# in a hang or a deletion.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/store-gen.sh"
plan 28

# -- two providers in one pipe, then a STATE whose bookmark names no provider
db="$tmp/two.db"
PROVIDER=spotify gen artists 3 10 s1 full 1 | store -q "$db" 2>/dev/null
PROVIDER=deezer gen artists 3 10 d1 full 1 | store -q "$db" 2>/dev/null
{
	PROVIDER=spotify gen artists 1 10 s2 full 1 | grep -v STATE
	PROVIDER=deezer gen artists 1 10 d2 full 1 | grep RECORD
	PROVIDER=spotify gen artists 1 10 s2 full 1 | grep STATE
} >"$tmp/two"
run 75 "a complete STATE naming no provider after two providers' records" -- store "$db" <"$tmp/two"
is "$(q "$db" "SELECT count(*) FROM library WHERE removed_at IS NOT NULL")" 0 \
	"it is not taken for the last record's provider: nothing removed"

# -- a skipped count that is not a number is a doubt, not a zero
db="$tmp/skip.db"
gen artists 3 10 s1 full 1 | store -q "$db" 2>/dev/null
gen artists 3 10 s2 full 1 3 | sed 's/"complete":true/"complete":true,"skipped":"1"/' >"$tmp/sk"
run 0 "a complete walk whose skipped is the string \"1\"" -- store "$db" <"$tmp/sk"
is "$(q "$db" "SELECT count(*) FROM library WHERE removed_at IS NOT NULL")" 0 "nothing removed"
gen artists 3 10 s3 full 1 3 | sed 's/"complete":true/"complete":true,"skipped":-2/' >"$tmp/sk2"
run 0 "a complete walk whose skipped is negative" -- store "$db" <"$tmp/sk2"
is "$(q "$db" "SELECT count(*) FROM library WHERE removed_at IS NOT NULL")" 0 "nothing removed"

# -- the guard at its edges: 1 to 0 holds; exactly 10% of 510 (51) is not more than 10%
db="$tmp/one.db"
gen artists 1 10 s1 full 1 | store -q "$db" 2>/dev/null
printf '%s\n' '{"type":"STATE","value":{"bookmarks":{"artists":{"sync_id":"s2","mode":"full","offset":0,"fetched":0,"total":0,"pages":1,"complete":true}}}}' >"$tmp/zero"
run 1 "a stream of one that comes back empty: held" -- store "$db" <"$tmp/zero"
is "$(q "$db" "SELECT count(*) FROM library WHERE removed_at IS NULL")" 1 "the one stays"
db="$tmp/edge.db"
gen artists 510 100 s1 full 1 | store -q "$db" 2>/dev/null
gen artists 459 100 s2 full 1 >"$tmp/e459"
run 0 "51 of 510 gone (10%, not more): removed" -- store "$db" <"$tmp/e459"
is "$(q "$db" "SELECT count(*) FROM library WHERE removed_at IS NOT NULL")" 51 "51 marked removed"

# -- a database path that is not a regular file: an error at once, never a hang
mkfifo "$tmp/fifo"
mkdir "$tmp/dir"
run 74 "checkpoint status on a FIFO" -- timeout -s KILL 60 checkpoint status "$tmp/fifo"
ok "grep -q 'not a regular file' '$err'" "and says so"
run 74 "checkpoint get on a FIFO" -- timeout -s KILL 60 checkpoint get "$tmp/fifo" tracks
run 74 "store on a FIFO" -- timeout -s KILL 60 sh -c "store '$tmp/fifo' </dev/null"
run 74 "store on a directory" -- store "$tmp/dir" </dev/null
run 74 "checkpoint status on a directory" -- checkpoint status "$tmp/dir"

# -- text a provider or a STATE wrote reaches a terminal without its control characters
db="$tmp/esc.db"
printf '%s\n' '{"type":"STATE","value":{"bookmarks":{"artists":{"provider":"spotify","sync_id":"s1","mode":"full","offset":0,"fetched":0,"pages":1,"error":"\u009b2Jboom\u001b[31m\nstore: artists: complete"}}}}' >"$tmp/esc"
run 75 "a STATE whose error carries C0 and C1 controls" -- store "$db" <"$tmp/esc"
is "$(q "$db" "SELECT count(*) FROM sync_runs WHERE error GLOB '*[$(printf '\302\233\033\n')]*'")" 0 \
	"store records the error without them"
checkpoint set --provider spotify "$db" albums '{"sync_id":"s1","error":"\u001b[2Jforged\nalbums   spotify  complete"}'
run 0 "checkpoint status of a bookmark whose error has controls (no run recorded)" -- checkpoint status "$db"
ok "grep -q forged '$out' && ! grep -q \"\$(printf '\\033')\" '$out' && ! grep -q '^albums   spotify  complete' '$out'" \
	"no escape and no forged line reach the terminal"

# -- a SCHEMA with nothing after it: another provider's complete stream does not make it done
db="$tmp/sch.db"
gen artists 3 10 s1 full 1 | store -q "$db" 2>/dev/null
gen artists 3 10 s1 full 1 | head -1 >"$tmp/schema"
run 75 "deezer's artists announced, nothing after; only spotify's were complete" -- store --provider deezer "$db" <"$tmp/schema"
sed 's/"artists"/"a%"/' "$tmp/schema" >"$tmp/pct"
run 75 "a stream named a% is no pattern that matches artists" -- store "$db" <"$tmp/pct"
run 0 "spotify's own artists: done (a spool skipped past it)" -- store --provider spotify "$db" <"$tmp/schema"

# -- a playlist's total that lags the entries the walk just delivered
db="$tmp/pl.db"
gen playlist_items 5 10 s1 full 1 | sed 's/"total":5/"total":0/' >"$tmp/pl0"
run 0 "a complete playlist walk of 5 entries whose total says 0" -- store "$db" <"$tmp/pl0"
is "$(q "$db" "SELECT count(*) FROM playlist_items")" 5 "the 5 entries it just stored stay"

# -- a writer killed mid-transaction before WAL mode leaves a hot journal: still readable
db="$tmp/hot.db"
gen artists 3 10 s1 full 1 | store -q "$db" 2>/dev/null
sqlite3 "$db" "PRAGMA journal_mode = DELETE" >/dev/null
mkfifo "$tmp/sqlin"
sqlite3 "$db" <"$tmp/sqlin" >"$tmp/sqlout" 2>&1 &
spid=$!
exec 4>"$tmp/sqlin"
echo "PRAGMA cache_size = 10; BEGIN; CREATE TABLE junk (b); INSERT INTO junk WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 2000) SELECT randomblob(4000) FROM r; SELECT 'ready';" >&4
while ! grep -q ready "$tmp/sqlout" 2>/dev/null && kill -0 $spid 2>/dev/null; do sleep 0.05; done
kill -9 $spid
{ wait $spid; } 2>/dev/null
exec 4>&-
ok "[ -s '$db-journal' ]" "the killed writer left its journal"
run 0 "checkpoint status on it" -- checkpoint status "$db"
ok "grep -q '^artists' '$out'" "it reads the last committed state"
