#!/usr/bin/env bash
# fetch-pages against provider-sim over real HTTP: every dialect equals the
# simulator's dump; faults are survived or reported as fetch-pages(1) says.
. "$(dirname "$0")/../lib.sh"
plan 133

export CRATE_TOKEN=test-token
fast="--backoff 10ms,20ms,40ms,80ms"

ids() { jq -r 'select(.type=="RECORD").record.id' "$1" | sort -u; }
dump_ids() { jq -r "select(.provider==\"$1\" and .stream==\"$2\").id" "$tmp/dump" | sort; }
last_state() { grep '"type":"STATE"' "$1" | tail -1 | jq -c ".value.bookmarks[\"$2\"]"; }
log_count() { jq -r "select(.status==$1) | .path" "$tmp/sim.log" | wc -l | tr -d ' '; }
# the pages served, but the last request: the head check of a newest-first list, its first page again
served() { jq -r 'select(.status==200) | .query' "$tmp/sim.log" | sed '$d'; }

restart_sim() {
	sim_stop
	rm -f "$tmp/sim.log"
	sim_start --dump "$tmp/dump" --log "$tmp/sim.log" "$@"
}

# -- every dialect, paged to the end, equals the dump
restart_sim --tracks 260 --artists 130 --albums 120 --playlists 12 --seed 7
for s in tracks artists albums playlists; do
	run 0 "spotify $s" -- fetch-pages -q --base-url "$SIM_URL/v1" "$s"
	is "$(ids "$out")" "$(dump_ids spotify "$s")" "spotify $s: the ids equal the dump"
	is "$(last_state "$out" "$s" | jq -r '.complete')" true "spotify $s: complete"
done
cp "$out" "$tmp/playlists.out"
for p in apple-music deezer; do
	for s in tracks artists albums playlists; do
		run 0 "$p $s" -- fetch-pages -q -p "$p" --base-url "$SIM_URL" "$s"
		is "$(ids "$out")" "$(dump_ids "$p" "$s")" "$p $s: the ids equal the dump"
	done
done
run 0 "deezer echoes the token into its next links" -- fetch-pages -q -p deezer --limit 40 --base-url "$SIM_URL" tracks
ok '[ "$(grep -c "\"next\":\"http" "$out")" -ge 2 ] && ! grep -q -e test-token -e access_token "$out"' \
	"no credential reaches a STATE"
is "$(jq -r 'select(.path=="/v1/me/library/songs") | .query' "$tmp/sim.log" | grep -v -c 'limit=100.*include=albums,artists\|include=albums,artists.*limit=100')" 0 \
	"Apple: limit and include are put back on every next link"
run 0 "generic, Link header paging" -- fetch-pages -q --url "$SIM_URL/generic/tracks?per_page=25" tracks
is "$(ids "$out")" "$(dump_ids generic tracks)" "generic: the ids equal the dump"

# playlist entries: -P 4 workers, forbidden playlists skipped, lines whole
jq -r 'select(.type=="RECORD").record | "\(.id) \(.snapshot_id)"' "$tmp/playlists.out" >"$tmp/pl"
run 0 "spotify playlist_items with 4 workers" -- sh -c "fetch-pages -P 4 --base-url '$SIM_URL/v1' playlist_items <'$tmp/pl'"
ok 'jq -c . "$out" >/dev/null' "every line is whole JSON"
got=$(jq -r 'select(.type=="RECORD").record | "\(.playlist_id) \(.position) \(.track.id // "-")"' "$out" | sort)
forbidden=$(jq -r 'select(.type=="STATE") | .value.bookmarks[] | select(.forbidden) | .playlist_id' "$out" | sort -u)
want=$(jq -r 'select(.provider=="spotify" and .stream=="playlist_items") | "\(.playlist_id) \(.position) \(.track_id // "-")"' "$tmp/dump" |
	grep -v -F -f <(echo "${forbidden:-none}") | sort)
is "$(echo "$got" | sed 's/ spotify:local:.*/ -/')" "$want" "entries equal the dump, but for the forbidden playlists"
ok '[ -n "$forbidden" ]' "the simulator forbids some playlists (owned by others) and they are marked"
ok 'grep -q "refuses this playlist" "$err"' "a forbidden playlist is a warning"
complete=$(jq -r 'select(.type=="STATE") | .value.bookmarks[] | select(.complete) | .playlist_id' "$out" | sort -u | wc -l)
is "$complete" "$(($(wc -l <"$tmp/pl") - $(echo "$forbidden" | wc -l)))" "every other playlist completes, one bookmark each"
allstate=$(jq -c -s '{bookmarks: (map(select(.type=="STATE").value.bookmarks) | add)}' "$out")
echo "${forbidden:-none}" >"$tmp/forbidden"
grep -v -F -f "$tmp/forbidden" "$tmp/pl" >"$tmp/pl-ok"
run 0 "playlists unchanged since their complete bookmarks are not fetched" -- sh -c \
	"fetch-pages --base-url '$SIM_URL/v1' --state '$allstate' playlist_items <'$tmp/pl-ok'"
is "$(wc -c <"$out" | tr -d ' ')" 0 "nothing is written, not even a SCHEMA"
ok 'grep -q "unchanged (snapshot" "$err"' "each is said to be unchanged"

# -- 429: Retry-After in seconds, as an HTTP-date, and past --max-wait
restart_sim --dialect spotify --tracks 200 --fault-429 @2 --retry-after 1
run 0 "429 with Retry-After: 1" -- fetch-pages $fast --base-url "$SIM_URL/v1" tracks
ok 'grep -q "rate limited: waiting 1 s" "$err"' "the wait is said on stderr"
is "$(ids "$out")" "$(dump_ids spotify tracks)" "nothing lost"
restart_sim --dialect spotify --tracks 200 --fault-429 @2 --retry-after-date
run 0 "429 with an HTTP-date" -- fetch-pages $fast --base-url "$SIM_URL/v1" tracks
is "$(ids "$out")" "$(dump_ids spotify tracks)" "nothing lost"
restart_sim --dialect spotify --tracks 200 --fault-429 @3 --retry-after 3600
run 75 "429 longer than --max-wait: exit 75" -- fetch-pages $fast --max-wait 5s --base-url "$SIM_URL/v1" tracks
cp "$out" "$tmp/first"
state=$(last_state "$out" tracks)
ok '[ "$(echo "$state" | jq -r .throttled_until)" \> "$(date -u +%Y-%m-%dT%H:%M:%SZ)" ]' \
	"the last STATE says until when ($(echo "$state" | jq -r .throttled_until))"
is "$(echo "$state" | jq -r .complete)" false "and is not complete"
run 75 "resuming while still throttled stops at once" -- fetch-pages --max-wait 5s --base-url "$SIM_URL/v1" --state "$state" tracks
is "$(log_count 200)$(log_count 429)" "21" "without asking the provider again"
resumable=$(echo "$state" | jq -c 'del(.throttled_until)')
run 0 "the resumed walk completes" -- fetch-pages $fast --base-url "$SIM_URL/v1" --state "$resumable" tracks
is "$(cat "$tmp/first" "$out" | ids /dev/stdin)" "$(dump_ids spotify tracks)" "the two runs together hold every item"
is "$(served | sort | uniq -d)" "" "no page was fetched twice"
is "$(last_state "$out" tracks | jq -r .sync_id)" "$(echo "$state" | jq -r .sync_id)" "the same sync_id"

# -- transient failures: a burst of 5xx, truncated bodies, malformed pages, resets, a hang
restart_sim --dialect spotify --tracks 300 --fault-5xx @2 --burst 3 --fault-truncate @6 \
	--fault-malformed @8 --fault-reset @10 --fault-hang @12 --hang-ms 3000
run 0 "5xx burst, truncation, malformed JSON, reset, hang" -- fetch-pages $fast --timeout 500ms --base-url "$SIM_URL/v1" tracks
is "$(ids "$out")" "$(dump_ids spotify tracks)" "nothing lost"
is "$(last_state "$out" tracks | jq -r .complete)" true "complete"
ok '[ "$(grep -c retrying "$err")" -ge 6 ]' "each retry is said ($(grep -c retrying "$err"))"
restart_sim --dialect spotify --tracks 300 --fault-5xx 1
run 75 "retries exhausted: exit 75" -- fetch-pages $fast --base-url "$SIM_URL/v1" tracks
is "$(($(log_count 502) + $(log_count 503)))" 5 "one try and four retries, then stop"
ok 'grep -q "giving up after 4 retries" "$err"' "and says so"

# -- authentication: refresh with --token-cmd, 77 without; the token never shows
restart_sim --dialect spotify --tracks 200 --token-ttl 2 --refresh-token R1
run 0 "an expired token is refreshed with --token-cmd" -- env -u CRATE_TOKEN fetch-pages $fast --base-url "$SIM_URL/v1" \
	--token-cmd "echo test-token" --token-cmd "curl -sf -d grant_type=refresh_token -d refresh_token=R1 $SIM_URL/api/token | jq -r .access_token" tracks
is "$(ids "$out")" "$(dump_ids spotify tracks)" "nothing lost"
run 77 "a second 401 is exit 77" -- fetch-pages $fast --base-url "$SIM_URL/v1" tracks
ok '! grep -q test-token "$err" "$out"' "the token appears neither on stderr nor in the output"
run 64 "no token at all is a usage error" -- env -u CRATE_TOKEN fetch-pages --base-url "$SIM_URL/v1" tracks
run 65 "no token over plain http to another host" -- fetch-pages --connect-timeout 1s --base-url "http://192.0.2.1/v1" tracks
ok 'grep -q "refusing to send credentials over plain http" "$err"' "and says why"

# -- drift: the list changes under the walk
restart_sim --dialect spotify --tracks 300 --drift @3 --drift-add 2 --drift-remove 1
run 0 "items added and removed mid-walk: walked again" -- fetch-pages $fast --base-url "$SIM_URL/v1" tracks
ok 'grep -q "walking it again" "$err"' "the re-walk is said"
curl -sf "$SIM_URL/sim/dump" >"$tmp/dump"
is "$(ids "$out" | grep -c -F -x -f <(dump_ids spotify tracks))" "$(dump_ids spotify tracks | wc -l | tr -d ' ')" \
	"every item present at the end was emitted"
is "$(last_state "$out" tracks | jq -r .complete)" true "complete after a clean pass"
restart_sim --dialect spotify --tracks 300 --drift 1
run 75 "a list that changes on every request is never complete" -- fetch-pages $fast --base-url "$SIM_URL/v1" tracks
is "$(last_state "$out" tracks | jq -r .complete)" false "complete:false"

# -- -P: pages N at a time, written in order
restart_sim --dialect spotify --tracks 700 --latency 20
run 0 "-P 1" -- fetch-pages -q --base-url "$SIM_URL/v1" tracks
cp "$out" "$tmp/p1"
restart_sim --dialect spotify --tracks 700 --latency 20
run 0 "-P 6" -- fetch-pages -q -P 6 --base-url "$SIM_URL/v1" tracks
is "$(jq -r 'select(.type=="RECORD").record.id' "$out")" "$(jq -r 'select(.type=="RECORD").record.id' "$tmp/p1")" \
	"the same records in the same order"
is "$(jq -r 'select(.type=="STATE").value.bookmarks.tracks.offset' "$out" | sort -n -c 2>&1 && echo sorted)" sorted \
	"STATEs in page order"
is "$(last_state "$out" tracks | jq -r .complete)" true "complete"
is "$(served | sort | uniq -d)" "" "no page fetched twice"
restart_sim --dialect spotify --tracks 700 --drift @5 --drift-add 1 --drift-remove 1 --fault-5xx @8 --burst 2
run 0 "-P 4 with drift and a burst of 5xx" -- fetch-pages $fast -P 4 --base-url "$SIM_URL/v1" tracks
curl -sf "$SIM_URL/sim/dump" >"$tmp/dump"
is "$(ids "$out" | grep -c -F -x -f <(dump_ids spotify tracks))" "$(dump_ids spotify tracks | wc -l | tr -d ' ')" \
	"every item present at the end was emitted"
is "$(last_state "$out" tracks | jq -r '"\(.complete) \(.pass)"')" "true 2" "complete on the second pass"

restart_sim --dialect spotify --tracks 300
run 0 "-P 4 with --limit over the provider's maximum" -- fetch-pages -q -P 4 --limit 100 --base-url "$SIM_URL/v1" tracks
is "$(last_state "$out" tracks | jq -c '[.complete, .fetched, .pass]')" "[true,300,1]" "complete in one pass"
restart_sim --dialect apple-music --tracks 230 --drift @2 --fault-404 @3
run 0 "Apple: a 404 on the first page of a second pass is retried, not an empty library" -- \
	fetch-pages $fast -p apple-music --base-url "$SIM_URL" tracks
is "$(jq -r 'select(.status==404) | .query' "$tmp/sim.log" | grep -c offset)" 0 "(the 404 was the first page of pass 2)"
curl -sf "$SIM_URL/sim/dump" >"$tmp/dump"
is "$(ids "$out" | grep -c -F -x -f <(dump_ids apple-music tracks))" "$(dump_ids apple-music tracks | wc -l | tr -d ' ')" \
	"every item present at the end was emitted"

# -- SIGTERM, then the same command resumes: nothing lost, no page twice
restart_sim --dialect spotify --tracks 400 --latency 100
fetch-pages -q --base-url "$SIM_URL/v1" tracks >"$tmp/part" 2>"$err" &
pid=$!
# the signal once the first page's STATE is out (not after a fixed time: a
# loaded machine may not have served a page yet)
for _ in $(seq 400); do
	grep '"type":"STATE"' "$tmp/part" 2>/dev/null | grep -q '"fetched":[1-9]' && break
	sleep 0.05
done
kill -TERM $pid
wait $pid
is "$?" 75 "SIGTERM: exit 75"
state=$(last_state "$tmp/part" tracks)
ok '[ "$(echo "$state" | jq -r .fetched)" -gt 0 ] && [ "$(echo "$state" | jq -r .complete)" = false ]' \
	"a partial STATE was written ($(echo "$state" | jq -c '{fetched, next}'))"
run 0 "resume from it" -- fetch-pages -q --base-url "$SIM_URL/v1" --state "$state" tracks
is "$(cat "$tmp/part" "$out" | ids /dev/stdin)" "$(dump_ids spotify tracks)" "nothing lost across the kill"
# the page in flight when the signal came may have been served: it is the only one asked again
inflight=$(served | tail -n +$(($(served | wc -l) - $(last_state "$out" tracks | jq -r .pages) + $(echo "$state" | jq -r .pages) + 1)) | head -1)
dups=$(served | sort | uniq -d)
ok '[ -z "$dups" ] || [ "$dups" = "$inflight" ]' "no page fetched twice but the one in flight (${dups:-none})"

# -- a bare bookmark is taken only by its own stream and playlist
run 0 "artists" -- fetch-pages -q --base-url "$SIM_URL/v1" artists
bare=$(grep '"type":"STATE"' "$out" | head -1 | jq -c '.value.bookmarks.artists')
run 0 "a bare bookmark of artists given to tracks" -- fetch-pages -q --base-url "$SIM_URL/v1" --state "$bare" tracks
is "$(ids "$out")" "$(dump_ids spotify tracks)" "is not taken: tracks start from the beginning"
pl=$(jq -r 'select(.provider=="spotify" and .stream=="playlists" and (.items_forbidden | not) and .total > 60) | .id' "$tmp/dump" | head -2)
p1=$(echo "$pl" | head -1)
run 0 "one playlist's first page" -- sh -c "echo $p1 | fetch-pages -q --limit 50 --base-url '$SIM_URL/v1' playlist_items"
bare=$(grep '"type":"STATE"' "$out" | head -1 | jq -c '.value.bookmarks[]')
run 0 "its bare bookmark, given to a run over two playlists" -- sh -c "echo '$pl' | fetch-pages -q --base-url '$SIM_URL/v1' --state '$bare' playlist_items"
p2=$(echo "$pl" | tail -1)
is "$(jq -r "select(.type==\"RECORD\" and .record.playlist_id==\"$p2\") | .record.position" "$out" | head -1)" 0 \
	"the other playlist starts at its own beginning"
is "$(jq -r "select(.type==\"RECORD\" and .record.playlist_id==\"$p1\") | .record.position" "$out" | head -1)" 50 \
	"its own playlist resumes after its first page"

# -- incremental: newest first, stop at the first older item
restart_sim --dialect spotify --tracks 300
since=$(curl -sf -H "Authorization: Bearer test-token" "$SIM_URL/v1/me/tracks?offset=120&limit=1" | jq -r '.items[0].added_at')
run 0 "--since stops at the first older item" -- fetch-pages --base-url "$SIM_URL/v1" --since "$since" tracks
n=$(ids "$out" | wc -l | tr -d ' ')
ok '[ "$n" -ge 120 ] && [ "$n" -lt 300 ]' "it fetched the newer part only ($n items)"
is "$(last_state "$out" tracks | jq -r '.mode + " " + (.complete|tostring)')" "incremental true" "mode incremental"
run 64 "--since on a stream that is not newest first" -- fetch-pages --base-url "$SIM_URL/v1" --since "$since" artists

# -- raw items, mapped later by parse, equal the canonical ones
run 0 "--raw" -- fetch-pages -q --raw --base-url "$SIM_URL/v1" tracks
cp "$out" "$tmp/raw"
run 0 "parse maps raw items later" -- parse -p spotify -s tracks "$tmp/raw"
is "$(ids "$out")" "$(dump_ids spotify tracks)" "the same ids"

# -- what the simulator cannot do: a small static server
mkdir "$tmp/www"
perl "$top/tests/static-server.pl" "$tmp/www" "$tmp/www.port" "$tmp/www.log" &
www_pid=$!
while [ ! -s "$tmp/www.port" ]; do sleep 0.05; done
WWW="http://127.0.0.1:$(cat "$tmp/www.port")"
restart_sim --dialect spotify --tracks 10
echo "$SIM_URL/v1/me/tracks?limit=50" >"$tmp/www/v1_me_tracks.location"
run 77 "a redirect to another port is followed, without the token: the provider says 401" -- \
	fetch-pages -q --base-url "$WWW" --profile <(
	echo '{"provider":"spotify","base_url":"x","streams":{"tracks":{"path":"/v1_me_tracks"}}}') tracks
is "$(jq -r 'select(.path=="/v1/me/tracks") | .auth' "$tmp/sim.log" | sort -u | tr '\n' ' ')" "false " \
	"no Authorization reached the other port"
ok 'grep -q "auth=yes" "$tmp/www.log"' "(the first host did get it)"
echo '{"items":[{"id":"a"},{"id":"b"}],"next":"http://198.51.100.7/page2","total":4}' >"$tmp/www/foreign.json"
run 65 "a next link to another origin is refused" -- fetch-pages --url "$WWW/foreign" --items items
ok 'grep -q "refusing a next link to another origin" "$err"' "and said"
echo "{\"artists\":{\"items\":[{\"id\":\"a1\"}],\"next\":\"$WWW/loop?after=X\",\"total\":9,\"cursors\":{\"after\":\"X\"}}}" >"$tmp/www/loop.json"
run 65 "a cursor that repeats is a loop, not a spin" -- fetch-pages -q --base-url "$WWW" --profile <(
	echo '{"provider":"spotify","base_url":"x","streams":{"artists":{"path":"/loop","paging":"cursor","items":"artists.items"}}}') artists
ok 'grep -q "a loop" "$err"' "said: a loop"
big=$(head -c 20000 /dev/zero | tr '\0' x)
echo "{\"items\":[{\"id\":\"a\"},{\"id\":\"b\",\"big\":\"$big\"},{\"id\":\"c\"}],\"next\":null}" >"$tmp/www/big.json"
run 1 "a record over the cap is skipped and the run goes on, exit 1" -- fetch-pages -m 10k --url "$WWW/big" --items items
is "$(ids "$out" | tr '\n' ' ')" "a c " "the others are records"
ok 'grep -q "item skipped: item longer than the record cap" "$err"' "with an error"
echo '{"href":"x/v1/playlists/PL1/tracks?offset=0&limit=50","items":[{"added_at":"2020-01-01T00:00:00Z","track":{"id":"t1","name":"T"}}],"next":null,"total":1,"offset":0,"limit":50}' \
	>"$tmp/www/v1_playlists_PL1_tracks.json"
run 0 "an API without /items: the entries come from /tracks" -- sh -c "echo PL1 | fetch-pages --base-url '$WWW/v1' playlist_items"
is "$(jq -r 'select(.type=="RECORD").record | "\(.id) \(.track.id)"' "$out")" "PL1:0 t1" "the entry is there"
ok 'grep -q "GET /v1/playlists/PL1/items" "$tmp/www.log" && grep -q "GET /v1/playlists/PL1/tracks" "$tmp/www.log"' \
	"/items first, then /tracks"
# a second server: a redirect there carries no credentials of any kind
mkdir "$tmp/www2"
perl "$top/tests/static-server.pl" "$tmp/www2" "$tmp/www2.port" "$tmp/www2.log" &
www2_pid=$!
while [ ! -s "$tmp/www2.port" ]; do sleep 0.05; done
WWW2="http://127.0.0.1:$(cat "$tmp/www2.port")"
echo "$WWW2/v1/me/library/songs" >"$tmp/www/v1_me_library_songs.location"
echo '{"data":[{"id":"i.1","type":"library-songs","attributes":{"name":"S"}}],"meta":{"total":1}}' \
	>"$tmp/www2/v1_me_library_songs.json"
echo user-secret >"$tmp/ut"
run 0 "Apple, redirected to another origin" -- fetch-pages -q -p apple-music --user-token-file "$tmp/ut" \
	--base-url "$WWW" tracks
ok 'grep -q "mut=yes" "$tmp/www.log" && grep "songs" "$tmp/www2.log" | grep -q "auth=no mut=no"' \
	"neither the token nor the Music-User-Token follows the redirect"
kill $www2_pid

# a credential in a profile's own query parameter is never printed
echo 503 >"$tmp/www/q_items.status"
echo '{"provider":"generic","base_url":"x","auth":"query","auth_param":"apikey","streams":{"tracks":{"path":"/q_items","paging":"offset","items":"items"}}}' >"$tmp/prof"
run 75 "a server that answers 503" -- env CRATE_TOKEN=sekrit-123 fetch-pages $fast --base-url "$WWW" --profile "$tmp/prof" tracks
ok 'grep -q apikey "$tmp/www.log" && ! grep -q sekrit-123 "$err" "$out"' "the profile's apikey is not on stderr nor in a STATE"

# an item over the cap at a page boundary: the overlap still holds, the walk completes
big=$(head -c 3000 /dev/zero | tr '\0' x)
echo "{\"items\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\",\"big\":\"$big\"}],\"next\":\"$WWW/list?offset=3&limit=3\",\"total\":5}" \
	>"$tmp/www/list.q-limit=3.json"
echo "{\"items\":[{\"id\":\"c\",\"big\":\"$big\"},{\"id\":\"d\"},{\"id\":\"e\"}],\"next\":null,\"total\":5}" \
	>"$tmp/www/list.q-offset=2_limit=3.json"
echo '{"provider":"generic","base_url":"x","auth":"none","streams":{"tracks":{"path":"/list","paging":"offset","items":"items","max_limit":3}}}' >"$tmp/prof"
run 1 "an item over the cap at a page boundary" -- fetch-pages -m 2k --base-url "$WWW" --profile "$tmp/prof" tracks
is "$(ids "$out" | tr '\n' ' ')" "a b d e " "the others are records"
is "$(last_state "$out" tracks | jq -c '[.complete, .fetched, .pass]')" "[true,5,1]" "complete in one pass"
kill $www_pid

run 64 "--limit 1 cannot page by offset with an overlap" -- fetch-pages --limit 1 --base-url "$SIM_URL/v1" tracks

# -- usage
run 0 "--help" -- fetch-pages --help
run 64 "an unknown stream" -- fetch-pages --base-url "$SIM_URL/v1" podcasts
run 64 "a bad number" -- fetch-pages -P many tracks
