#!/usr/bin/env bash
# fetch-pages under attack (issue 12): the token never leaves the base URL's
# origin whatever a bookmark or a page says, a loop of any length ends, an
# item that cannot be read is never counted as seen.
. "$(dirname "$0")/../lib.sh"
plan 49

export CRATE_TOKEN=test-token
last_state() { grep '"type":"STATE"' "$1" | tail -1 | jq -c ".value.bookmarks[\"$2\"]"; }

serve() {	# serve NAME: a static server on DIR $tmp/NAME; sets its URL in $served
	mkdir -p "$tmp/$1"
	perl "$top/tests/static-server.pl" "$tmp/$1" "$tmp/$1.port" "$tmp/$1.log" &
	eval "${1}_pid=\$!"
	while [ ! -s "$tmp/$1.port" ]; do sleep 0.05; done
	touch "$tmp/$1.log"
	served="http://127.0.0.1:$(cat "$tmp/$1.port")"
}
serve trap
TRAP=$served
serve www
WWW=$served
trap 'kill $trap_pid $www_pid 2>/dev/null; cleanup' EXIT

sim_start --dialect spotify --tracks 30 --log "$tmp/sim.log"

# -- a bookmark's next link: the attack the audit found, and its cousins
for next in "http://uuuu@zhttp://127.0.0.1:${TRAP##*:}/x" \
	"//127.0.0.1:${TRAP##*:}/v1/me/tracks" \
	"http://127.0.0.1:${SIM_URL##*:}//127.0.0.1:${TRAP##*:}/v1/me/tracks"; do
	state="{\"sync_id\":\"s1\",\"stream\":\"tracks\",\"next\":\"$next\",\"offset\":10,\"fetched\":10,\"pages\":1}"
	run 65 "a bookmark's next $next is refused" -- fetch-pages --base-url "$SIM_URL/v1" --state "$state" tracks
	ok 'grep -q "cannot be followed" "$err"' "and said why"
done
is "$(wc -l <"$tmp/trap.log" | tr -d ' ')" 0 "the other listener heard nothing"
port0=$(printf '0%.0s' $(seq 500))
state="{\"sync_id\":\"s1\",\"stream\":\"tracks\",\"next\":\"http://127.0.0.1:$port0${TRAP##*:}/v1/me/tracks?offset=10&limit=10\",\"offset\":10,\"fetched\":10,\"pages\":1}"
run 0 "a port with 500 leading zeros: moved onto the base, or refused, never followed" -- \
	sh -c "fetch-pages --base-url '$SIM_URL/v1' --state '$state' tracks || [ \$? -eq 65 ]"
is "$(wc -l <"$tmp/trap.log" | tr -d ' ')" 0 "the other listener heard nothing"

# the same bookmark through the database: checkpoint set, then get
state="{\"sync_id\":\"s1\",\"stream\":\"tracks\",\"next\":\"http://uuuu@zhttp://127.0.0.1:${TRAP##*:}/x\",\"offset\":10,\"fetched\":10,\"pages\":1}"
run 0 "a hostile checkpoint is set" -- checkpoint set --provider spotify "$tmp/lib.db" tracks "$state"
run 65 "resumed from the database, it is refused" -- \
	sh -c "fetch-pages --base-url '$SIM_URL/v1' --state \"\$(checkpoint get '$tmp/lib.db' tracks)\" tracks"
is "$(wc -l <"$tmp/trap.log" | tr -d ' ')" 0 "the other listener heard nothing"

# a bookmark made against another address of the same API goes to the base
state="{\"sync_id\":\"s1\",\"stream\":\"tracks\",\"next\":\"http://127.0.0.1:${TRAP##*:}/v1/me/tracks?offset=10&limit=10\",\"offset\":10,\"fetched\":10,\"pages\":1,\"total\":30,\"pass\":1}"
run 0 "a bookmark from another port resumes on the base" -- fetch-pages --base-url "$SIM_URL/v1" --state "$state" tracks
is "$(last_state "$out" tracks | jq -r .complete)" true "and completes"
is "$(wc -l <"$tmp/trap.log" | tr -d ' ')" 0 "the other port heard nothing"

# -- base URLs
run 65 "a host name that only begins with 127. is not loopback: no token over http" -- \
	fetch-pages --base-url "http://127.0.0.1.evil.example/v1" tracks
ok 'grep -q "over plain http" "$err"' "said so"
run 64 "a base URL that is not http(s) is a usage error" -- fetch-pages --base-url "ftp://127.0.0.1/v1" tracks
run 64 "nor is junk" -- fetch-pages --base-url "not a url" tracks

# -- a cycle of 70 next links (longer than any ring of recent links)
for i in $(seq 0 69); do
	n=$(((i + 1) % 70))
	echo "{\"artists\":{\"items\":[{\"id\":\"a$i\",\"name\":\"A\"}],\"next\":\"$WWW/cyc?after=c$n\",\"total\":1000,\"cursors\":{\"after\":\"c$n\"}}}" \
		>"$tmp/www/cyc.q-after=c$i.json"
done
cp "$tmp/www/cyc.q-after=c0.json" "$tmp/www/cyc.json"
run 65 "a cursor cycle of 70 pages is a loop, not a spin" -- fetch-pages -q --base-url "$WWW" --profile <(
	echo '{"provider":"spotify","base_url":"x","streams":{"artists":{"path":"/cyc","paging":"cursor","items":"artists.items"}}}') artists
ok 'grep -q "a loop" "$err"' "said: a loop"
ok '[ "$(grep -c "GET /cyc" "$tmp/www.log")" -le 72 ]' "after one turn of the cycle ($(grep -c "GET /cyc" "$tmp/www.log") requests)"

# -- items that cannot be read are counted apart, never as seen
big=$(head -c 20000 /dev/zero | tr '\0' x)
echo "{\"items\":[{\"id\":\"a\"},7,{\"id\":\"b\",\"big\":\"$big\"},{\"id\":\"c\"}],\"next\":null,\"total\":4}" >"$tmp/www/bad.json"
run 1 "a walk that skipped items completes, exit 1" -- fetch-pages -m 10k --url "$WWW/bad" --items items tracks
is "$(last_state "$out" tracks | jq -c '[.complete, .skipped, .fetched]')" "[true,2,4]" "its bookmark says skipped: 2"
ok 'grep -q "items that could not be read: 2" "$err"' "and said so"

# -- Retry-After: capped (a day by default), never 1970, never for good
echo 429 >"$tmp/www/ra1.status"
echo 'Retry-After: Fri, 31 Dec 9999 23:59:59 GMT' >"$tmp/www/ra1.headers"
run 75 "a Retry-After in the year 9999 stops the stream, resumable" -- fetch-pages -q --url "$WWW/ra1" --items items tracks
until=$(last_state "$out" tracks | jq -r .throttled_until)
ok 'u=$(date -d "$until" +%s) && [ "$u" -gt "$(date +%s)" ] && [ "$u" -le $(($(date +%s) + 86400 + 60)) ]' \
	"throttled_until is capped at a day ($until)"
echo 429 >"$tmp/www/ra2.status"
echo 'Retry-After: 250000000000' >"$tmp/www/ra2.headers"
run 75 "a Retry-After of 2.5e11 seconds" -- fetch-pages -q --max-retry-after 1h --url "$WWW/ra2" --items items tracks
until=$(last_state "$out" tracks | jq -r .throttled_until)
ok 'u=$(date -d "$until" +%s) && [ "$u" -gt "$(date +%s)" ] && [ "$u" -le $(($(date +%s) + 3600 + 60)) ]' \
	"is --max-retry-after, not 1970 ($until)"
state='{"sync_id":"s2","stream":"tracks","throttled_until":"9999-12-31T23:59:59Z","offset":0,"fetched":0,"pages":0}'
run 0 "a throttle from an earlier run past the cap is checked with one request" -- \
	fetch-pages --base-url "$SIM_URL/v1" --state "$state" tracks
ok 'grep -q "asking again" "$err"' "and said so"

# -- tokens go into a header line: no CR, LF or other control character
run 64 "a token with CR LF is refused (CRATE_TOKEN)" -- \
	env CRATE_TOKEN="$(printf 'abc\r\nX-Evil: 1')" fetch-pages --base-url "$SIM_URL/v1" tracks
printf 'abc\rX-Evil: 1\n' >"$tmp/token"
run 64 "and from --token-file" -- fetch-pages --token-file "$tmp/token" --base-url "$SIM_URL/v1" tracks
ok '! grep -q "X-Evil" "$err"' "the token is not printed"

# -- what a provider writes reaches the terminal without its control characters
echo 400 >"$tmp/www/esc.status"
printf '{"error":{"status":400,"message":"\\u001b[2K\\rfetch-pages: tracks: 30 items in 1 pages, complete\\nX"}}' >"$tmp/www/esc.body"
run 65 "a provider's error message with escapes" -- fetch-pages --url "$WWW/esc" --items items tracks
ok '! grep -q "$(printf "\033")" "$err" && ! grep -q "^fetch-pages: tracks: 30 items" "$err"' \
	"reaches stderr with no escape and no forged line"

# -- a server that stalls fails the request even with --timeout 0
sim_stop
sim_start --dialect spotify --tracks 5 --fault-hang @1 --hang-ms 20000
run 0 "a stalled request is retried (--timeout 0, --stall-timeout 1s)" -- \
	fetch-pages --timeout 0 --stall-timeout 1s --backoff 10ms --base-url "$SIM_URL/v1" tracks
ok 'grep -q "Timeout was reached; retrying" "$err"' "the stall was cut short, with no limit on the whole transfer"

# -- huge counts from a bookmark or a page are not counts (UBSan: no overflow)
sim_stop
sim_start --dialect spotify --tracks 5
big=9223372036854775807
state="{\"sync_id\":\"s3\",\"stream\":\"tracks\",\"next\":null,\"offset\":$big,\"fetched\":$big,\"total\":$big,\"pages\":$big,\"pass\":$big}"
run 0 "a bookmark of huge counts starts the list again" -- fetch-pages --base-url "$SIM_URL/v1" --state "$state" tracks
is "$(last_state "$out" tracks | jq -c '[.complete, .fetched]')" "[true,5]" "and reads it whole"
echo "{\"items\":[{\"id\":\"a\"}],\"next\":null,\"total\":$big}" >"$tmp/www/hugetotal.json"
run 0 "a page whose total is huge" -- fetch-pages --url "$WWW/hugetotal" --items items tracks
is "$(last_state "$out" tracks | jq -c '[.complete, .fetched, .total]')" "[true,1,null]" "has no total"

# -- the rate learned from 429s (AIMD): few 429s, and a resume starts from it
sim_stop
rm -f "$tmp/sim.log"
sim_start --dialect spotify --tracks 4000 --rate 50/1 --log "$tmp/sim.log"
run 0 "under a 50/s quota" -- fetch-pages -q --limit 20 --base-url "$SIM_URL/v1" tracks
n429=$(grep -c '"status":429' "$tmp/sim.log")
nreq=$(wc -l <"$tmp/sim.log")
ok '[ $((n429 * 50)) -le "$nreq" ]' "at most 2% of the requests are answered 429 ($n429 of $nreq)"
rate=$(last_state "$out" tracks | jq -r .rate)
ok 'awk "BEGIN { exit !($rate > 25 && $rate <= 60) }"' "the bookmark keeps the rate learned ($rate)"
: >"$tmp/sim.log"
state='{"sync_id":"s4","stream":"tracks","next":null,"offset":0,"fetched":0,"pages":0,"rate":30}'
run 0 "a resume starts at the learned rate" -- fetch-pages -q --limit 50 --base-url "$SIM_URL/v1" --state "$state" tracks
is "$(grep -c '"status":429' "$tmp/sim.log")" 0 "and is never answered 429"
run 0 "--rate stays a ceiling" -- fetch-pages -q --rate 40 --limit 100 --base-url "$SIM_URL/v1" tracks
is "$(last_state "$out" tracks | jq -r '.rate // "none"')" none "(no 429: nothing learned)"
