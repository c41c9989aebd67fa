#!/usr/bin/env bash
# sync-library's one status, its messages and its exits, on and off a terminal.
. "$(dirname "$0")/../lib.sh"
plan 60

export CRATE_TOKEN=test-token
fast=(--backoff 10ms,20ms)

# What a terminal shows at the end of a transcript: a small emulator of the
# few controls a status uses (CR, LF, cursor up, erase line, erase below).
cat >"$tmp/screen.py" <<'PY'
import re, sys
data = open(sys.argv[1], encoding="utf-8", errors="replace", newline="").read()
lines, row, col = [""], 0, 0
for tok in re.findall(r"\x1b\[[0-9;]*[A-Za-z]|\r|\n|[^\x1b\r\n]+|\x1b", data):
    if tok == "\r":
        col = 0
    elif tok == "\n":
        row += 1
        if row == len(lines):
            lines.append("")
    elif tok.startswith("\x1b["):
        n = int(tok[2:-1] or 1) if tok[2:-1].isdigit() else 1
        if tok[-1] == "A":
            row = max(0, row - n)
        elif tok[-1] == "K":
            lines[row] = lines[row][:col]
        elif tok[-1] == "J":
            lines[row] = lines[row][:col]
            del lines[row + 1:]
    elif tok != "\x1b":
        l = lines[row].ljust(col)
        lines[row] = l[:col] + tok + l[col + len(tok):]
        col += len(tok)
print("\n".join(l.rstrip() for l in lines).rstrip("\n"))
PY
screen() { python3 "$tmp/screen.py" "$1"; }

# -- it runs from the checkout, with nothing of crate on PATH
sim_start --dialect spotify --tracks 120 --artists 30 --albums 20 --playlists 6
run 0 "scripts/sync-library finds its siblings without PATH" -- \
	env PATH=/usr/bin:/bin "$top/scripts/sync-library" -q --base-url "$SIM_URL/v1" "$tmp/co.db" tracks
ok '! grep -q "command not found" "$err"' "no sibling is missing"
run 0 "bin/sync-library runs its own build's stages" -- \
	env PATH=/usr/bin:/bin "$build/bin/sync-library" -q --base-url "$SIM_URL/v1" "$tmp/co.db" artists

# -- off a terminal: a line per stream at its end, the table, the result
run 0 "a whole sync off a terminal" -- sync-library "${fast[@]}" --base-url "$SIM_URL/v1" "$tmp/off.db"
for s in tracks artists albums playlists playlist_items; do
	is "$(grep -c "^sync-library: $s: " "$err")" 1 "$s: one line when it ends"
done
ok '! grep -q "^fetch-pages:\|^validate:\|^store:" "$err"' "no stage's routine chatter"
run 0 "-q says nothing when all is well" -- sync-library -q "${fast[@]}" --base-url "$SIM_URL/v1" "$tmp/off.db"
is "$(cat "$err")" "" "-q: not a line"

# -- --report keeps every stream's report, --incremental applies to tracks
run 0 "--report over two streams" -- sync-library -q --report "$tmp/report.json" --base-url "$SIM_URL/v1" \
	"$tmp/rep.db" tracks artists
is "$(jq -c '[.[].stream]' "$tmp/report.json")" '["tracks","artists"]' "--report: a JSON array of every stream's report"
# 120 tracks are 3 pages; all are older than the last complete sync: 1 page then
# (the simulator's log is whole once it stops)
sim_stop
sim_start --dialect spotify --tracks 120 --log "$tmp/full.log"
sync-library -q -W 1 --full --base-url "$SIM_URL/v1" "$tmp/rep.db" tracks 2>/dev/null
sim_stop
sim_start --dialect spotify --tracks 120 --log "$tmp/inc.log"
run 0 "--incremental" -- sync-library -q -W 1 --incremental --base-url "$SIM_URL/v1" "$tmp/rep.db" tracks
sim_stop
full=$(grep -c '"/v1/me/tracks"' "$tmp/full.log")
inc=$(grep -c '"/v1/me/tracks"' "$tmp/inc.log")
# (the sync's own check, then one page; a full walk also reads its first page again at the end)
ok '[ "$inc" -eq 2 ] && [ "$full" -ge 4 ]' "--incremental walks tracks only down to the last complete sync ($inc requests, $full in full)"
sim_start --dialect spotify --tracks 120 --artists 30 --albums 20 --playlists 6

# -- --allow-delete reaches store: a library that shrank by far more than the guard allows
sim_stop
sim_start --dialect spotify --tracks 200
sync-library -q --base-url "$SIM_URL/v1" "$tmp/del.db" tracks 2>/dev/null
sim_stop
sim_start --dialect spotify --tracks 20 --dump "$tmp/del.dump"
if store --help 2>&1 | grep -q -e --allow-delete; then
	run 1 "a sync that would remove 180 of 200 tracks is held" -- sync-library -q --base-url "$SIM_URL/v1" \
		"$tmp/del.db" tracks
	run 0 "--allow-delete" -- sync-library -q --allow-delete --base-url "$SIM_URL/v1" "$tmp/del.db" tracks
	is "$(sqlite3 "$tmp/del.db" "select count(*) from library where stream = 'tracks' and removed_at is null")" \
		"$(jq -r 'select(.stream == "tracks") | .id' "$tmp/del.dump" | wc -l)" "--allow-delete: the removals are made"
else
	for _ in 1 2 3; do echo "ok $((t_n += 1)) # skip store has no --allow-delete yet"; done
fi
sim_stop
sim_start --dialect spotify --tracks 120 --artists 30 --albums 20 --playlists 6

# -- the provider's name never reaches SQL as code
run 64 "a provider name that is not a name" -- sync-library --provider "x'||writefile('$tmp/pwned','x')||'" \
	--base-url "$SIM_URL/v1" "$tmp/off.db" playlist_items
ok '[ ! -e "$tmp/pwned" ]' "nothing was written by SQL from the command line"

# -- honest exits: one message, the stage that failed, resume advice only when it helps
run 77 "a wrong token stops before any stream" -- env CRATE_TOKEN=wrong sync-library "${fast[@]}" \
	--base-url "$SIM_URL/v1" "$tmp/auth.db"
is "$(wc -l <"$err")" 1 "one message for a wrong token"
ok 'grep -q "authentication\|401" "$err" && ! grep -q resume "$err"' "it says authentication, not resume"
ok '[ ! -e "$tmp/auth.db" ]' "no database is made for nothing"
run 64 "an unknown provider: one message" -- sync-library --provider nosuch --base-url "$SIM_URL/v1" "$tmp/x.db"
is "$(wc -l <"$err")" 1 "one line"
run 75 "an unreachable host" -- sync-library "${fast[@]}" --base-url "http://127.0.0.1:1/v1" "$tmp/x.db"
ok 'grep -q "127.0.0.1:1" "$err"' "the host is named"
is "$(wc -l <"$err")" 2 "one message and the advice"
mkdir "$tmp/ro"
run 74 "a database that cannot be opened" -- sync-library "${fast[@]}" --base-url "$SIM_URL/v1" \
	"$tmp/ro/missing/lib.db" tracks
ok 'grep -q "tracks: .*failed in store" "$err"' "store is named as the stage that failed"
ok '! grep -q "fetch-pages failed\|failed in fetch-pages\|resume" "$err"' "not fetch-pages, and no resume advice"
run 0 "entries alone, no playlists synced yet" -- sync-library "${fast[@]}" --base-url "$SIM_URL/v1" \
	"$tmp/pi.db" playlist_items
ok 'grep -q "sync playlists first" "$err"' "it says: sync playlists first"
sim_stop

# the first request (the check) passes, then every playlists page fails
sim_start --dialect spotify --playlists 3 --fault-5xx @2,3,4,5,6,7,8,9,10
run 75 "the playlists stream fails" -- sync-library "${fast[@]}" --base-url "$SIM_URL/v1" "$tmp/pf.db" \
	playlists playlist_items
ok '! grep -q "sync playlists first" "$err"' "no false advice to sync playlists first"
ok 'grep -q "playlist_items: .*playlists stream did not complete" "$err"' "the entries wait for the playlists"
sim_stop

# a token that expires during the sync (after the check and 3 pages): the other streams are not started
sim_start --dialect spotify --tracks 400 --artists 30 --playlists 3 --token-ttl 5
run 77 "a token refused in the middle of a sync" -- sync-library -P 1 -W 1 "${fast[@]}" \
	--base-url "$SIM_URL/v1" "$tmp/ttl.db"
is "$(grep -c 'authentication' "$err")" 4 "said by the stage, on the stream's line, in the status table's note and in the result"
ok 'grep -q "^sync-library: artists: .*not started" "$err" && ! grep -q resume "$err"' \
	"the other streams are not started; no resume advice"
sim_stop

# -- -v: a line per refused playlist; without it, one count
sim_start --dialect spotify --tracks 10 --playlists 20
run 0 "forbidden playlists, counted" -- sync-library "${fast[@]}" --base-url "$SIM_URL/v1" "$tmp/v.db"
ok 'grep -q "^sync-library: playlist_items: .*forbidden" "$err"' "one count of the refused playlists"
ok '! grep -q "refuses this playlist" "$err"' "no line per refused playlist"
run 0 "-v" -- sync-library -v "${fast[@]}" --base-url "$SIM_URL/v1" --full "$tmp/v.db"
ok '[ "$(grep -c "playlist_items:[A-Za-z0-9]*: " "$err")" -gt 1 ]' "-v: a line per playlist"
sim_stop

# -- --incremental where the provider does not list newest first: a whole walk, not a usage error
sim_start --tracks 30 --artists 5 --albums 5 --playlists 2
run 0 "deezer --incremental" -- sync-library -q -p deezer --incremental --base-url "$SIM_URL" "$tmp/dz.db"
sim_stop

# -- on a terminal: one status, and every stage's message stays on the screen
# (every albums request fails: a fault counted over all requests lands on
# whichever streams the timing gives it, and their retries may all succeed)
sim_start --dialect spotify --tracks 400 --artists 40 --albums 30 --playlists 6 --latency 5 \
	--fault-path /v1/me/albums --fault-5xx @1 --burst 1000
script -qfec "sync-library --backoff 10ms,20ms -P 2 --base-url $SIM_URL/v1 $tmp/tty.db" /dev/null \
	>"$tmp/tty.out" 2>&1
screen "$tmp/tty.out" >"$tmp/screen"
for s in tracks artists albums playlists playlist_items; do
	is "$(grep -c "^sync-library: $s: " "$tmp/screen")" 1 "terminal: $s has one line on the screen"
done
ok 'grep -q "giving up after" "$tmp/screen"' "terminal: the stage's error is still on the screen"
ok 'grep -q "sync-library: partial: run the same command to resume" "$tmp/screen"' "terminal: the result"
ok '! grep -q "^store:" "$tmp/screen"' "terminal: store drew nothing of its own"

# -- the status channel itself: store writes its lines there, not on stderr
printf '%s\n' '{"type":"SCHEMA","stream":"artists","schema":{},"key_properties":["provider","id"]}' \
	'{"type":"RECORD","stream":"artists","record":{"provider":"spotify","id":"a1","name":"A"}}' \
	'{"type":"STATE","value":{"bookmarks":{"artists":{"sync_id":"s1","mode":"full","fetched":9223372036854775807,"total":9223372036854775807,"complete":false}}}}' \
	>"$tmp/big.ndjson"
run 75 "store on the status channel" -- env CRATE_STATUS_FD=3 sh -c 'store --progress-interval 0 "$1" <"$2" 3>"$3"' \
	sh "$tmp/chan.db" "$tmp/big.ndjson" "$tmp/chan"
ok 'grep -q "^store	artists	end	partial: 9,223,372,036,854,775,807 of ~9,223,372,036,854,775,807 stored" "$tmp/chan"' \
	"its end line on the channel, huge counts and all"
ok '! grep -q "artists:" "$err"' "and not on stderr"

# huge counts from bookmarks: added up and shown without overflow (UBSan aborts on one)
big=9223372036854775807
for p in p1 p2; do
	printf '{"type":"RECORD","stream":"playlist_items","record":{"provider":"spotify","id":"%s:0","playlist_id":"%s","position":0,"track":null}}\n' $p $p
	printf '{"type":"STATE","value":{"bookmarks":{"playlist_items:%s":{"sync_id":"s1","mode":"full","fetched":%s,"total":%s,"rejected":%s,"complete":false}}}}\n' $p $big $big $big
done >"$tmp/bigpl.ndjson"
run 75 "playlists with huge counts" -- store --progress-interval 0 "$tmp/bigpl.db" <"$tmp/bigpl.ndjson"
ok 'grep -q "9,223,372,036,854,775,807" "$err"' "the sums stop at the largest count"
