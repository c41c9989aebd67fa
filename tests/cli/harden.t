#!/usr/bin/env bash
# fetch-pages under attack (issue 12): the token never leaves the base URL's
# origin whatever a bookmark or a page says, a loop of any length ends, an
# item that cannot be read is never counted as seen.
. "$(dirname "$0")/../lib.sh"
plan 30

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
ok 'grep -q "2 items could not be read" "$err"' "and said so"
