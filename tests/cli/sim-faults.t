#!/usr/bin/env bash
# provider-sim: every fault knob does what it says, and the log records it.
. "$(dirname "$0")/../lib.sh"

plan 74

AUTH="Authorization: Bearer test-token"
U="/v1/me/tracks?limit=5"

# req PATH [CURL ARGS...]: prints the HTTP code; headers in $tmp/h, body in $tmp/b.
req() {
	local path=$1
	shift
	curl -sS -m 5 -H "$AUTH" -D "$tmp/h" -o "$tmp/b" -w '%{http_code}' "$@" "$SIM_URL$path" 2>/dev/null
}
header() { tr -d '\r' <"$tmp/h" | sed -n "s/^$1: //Ip"; }
logn() { jq -c --argjson n "$1" "select(.n == \$n) | $2" "$tmp/log"; }
sim_stop() {
	local rc
	kill "$SIM_PID"
	wait "$SIM_PID"
	rc=$?
	SIM_PID=
	rm -f "$tmp/log"
	return $rc
}

# --- 429 with Retry-After in seconds ---------------------------------------------------
sim_start --fault-429 @2 --retry-after 3 --log "$tmp/log"
c1=$(req "$U")
c2=$(req "$U")
ra=$(header Retry-After)
body=$(cat "$tmp/b")
c3=$(req "$U")
is "$c1 $c2 $c3" "200 429 200" "--fault-429 @2: the second request only is a 429"
is "$ra $body" '3 {"error":{"status":429,"message":"API rate limit exceeded"}}' "429: Retry-After in seconds, Spotify's body"
is "$(logn 2 '[.status, .fault, .retry_after]')" '[429,"429",3]' "the log records the 429 and its wait"
sim_stop
is "$?" 0 "stops with status 0"

sim_start --fault-429 @1 --retry-after none --dump - --tracks 10 --dialect spotify
is "$(req "$U")/$(header Retry-After)/" "429//" "--retry-after none: a 429 without Retry-After"
is "$(jq -r 'select(.stream == "tracks") | .provider' "$tmp/sim.out" | uniq -c | tr -s ' ')" " 10 spotify" "--dump -: the ground truth on standard output"
sim_stop

# --- 429 with an HTTP-date, and each dialect's shape ----------------------------------------------
sim_start --fault-429 @1,2,3 --retry-after 30 --retry-after-date --log "$tmp/log"
code=$(req "$U")
ra=$(header Retry-After)
ok '[ $code = 429 ] && echo "$ra" | grep -Eq "^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$"' "--retry-after-date: Retry-After is an HTTP-date ($ra)"
delta=$(( $(date -d "$ra" +%s) - $(date +%s) ))
ok '[ $delta -ge 25 ] && [ $delta -le 31 ]' "the date is the wait from now ($delta s)"
code=$(req "/v1/me/library/songs")
ok '[ $code = 429 ] && jq -e ".errors[0].status == \"429\"" "$tmp/b" >/dev/null' "apple's 429 has its errors shape"
code=$(req "/user/me/tracks")
is "$code $(cat "$tmp/b")" '200 {"error":{"type":"Exception","message":"Quota limit exceeded","code":4}}' "deezer's 429 is its quota error with HTTP 200"
is "$(header Retry-After)" "" "deezer sends no Retry-After"
sim_stop

# --- the rolling-window rate limit ---------------------------------------------------------------
sim_start --rate 3/60s --log "$tmp/log"
is "$(req "$U") $(req "$U") $(req "$U") $(req "$U")" "200 200 200 429" "--rate 3/60s: the fourth request in the window is a 429"
ra=$(header Retry-After)
ok '[ "$ra" -ge 1 ] && [ "$ra" -le 60 ]' "Retry-After is the time until the window frees ($ra s)"
is "$(logn 4 '[.status, .fault]')" '[429,"rate"]' "the log says rate"
sim_stop

# --- 5xx bursts ----------------------------------------------------------------------------------
sim_start --fault-5xx @2 --burst 3 --log "$tmp/log"
is "$(req "$U") $(req "$U") $(req "$U") $(req "$U") $(req "$U")" "200 502 503 502 200" "--fault-5xx @2 --burst 3: three errors in a row, 502 and 503"
is "$(jq -c 'select(.fault == "5xx") | .n' "$tmp/log" | tr '\n' ' ')" "2 3 4 " "the log marks the burst"
sim_stop
sim_start --fault-5xx @1 --log "$tmp/log"
is "$(req "$U") $(cat "$tmp/b")" '502 {"error":{"status":502,"message":"Bad gateway."}}' "a 502 has Spotify's body"
sim_stop

# --- hangs ---------------------------------------------------------------------------------------
sim_start --fault-hang @1,3 --log "$tmp/log"
curl -sS -m 3 -H "$AUTH" -o /dev/null "$SIM_URL$U" 2>/dev/null &
bg=$!
i=0
while ! grep -q '"fault":"hang"' "$tmp/log" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
is "$(req "$U")" 200 "another connection is answered while one hangs"
wait $bg
is "$?" 28 "the hung request is never answered (curl times out)"
is "$(logn 1 '[.status, .fault]')" '[0,"hang"]' "the log records the hang with status 0"
curl -sS -m 20 -H "$AUTH" -o /dev/null "$SIM_URL$U" 2>/dev/null &
bg=$!
i=0
while ! grep -q '"n":3,' "$tmp/log" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sim_stop
is "$?" 0 "SIGTERM stops the server cleanly while a request hangs"
wait $bg
rc=$?
ok '[ $rc -ne 0 ]' "and the hung client gets an error, not a page (curl $rc)"
sim_start --fault-hang @1 --hang-ms 400 --log "$tmp/log"
t=$(curl -sS -m 5 -H "$AUTH" -o "$tmp/b" -w '%{http_code} %{time_total}' "$SIM_URL$U")
ok '[ "${t% *}" = 200 ] && awk -v t="${t#* }" "BEGIN { exit !(t >= 0.4) }"' "--hang-ms 400: answered, after at least 400 ms ($t)"
sim_stop

# --- resets, truncation, malformed pages -------------------------------------------------------------
sim_start --fault-reset @1 --fault-truncate @2 --fault-malformed @3 --log "$tmp/log"
run 56 "--fault-reset: the connection is reset (curl: recv failure)" -- curl -sS -H "$AUTH" -o /dev/null "$SIM_URL$U"
run 18 "--fault-truncate: the body ends early (curl: partial file)" -- curl -sS -H "$AUTH" -D "$tmp/h" -o "$tmp/b" "$SIM_URL$U"
ok '[ "$(header Content-Length)" -gt "$(wc -c <"$tmp/b")" ] && [ -s "$tmp/b" ]' "Content-Length is larger than what was sent"
run 0 "--fault-malformed: a 200 page" -- curl -sS -f -H "$AUTH" -o "$tmp/b" "$SIM_URL$U"
ok '! jq . "$tmp/b" >/dev/null 2>&1' "that is not JSON"
run 0 "the next page is valid JSON again" -- sh -c "curl -sS -f -H '$AUTH' '$SIM_URL$U' | jq -e .items"
is "$(jq -c '[.n, .status, .fault]' "$tmp/log" | tr '\n' ' ')" '[1,0,"reset"] [2,200,"truncate"] [3,200,"malformed"] [4,200,null] ' "the log records each fault"
sim_stop

# --- latency -----------------------------------------------------------------------------------
sim_start --latency 300
t=$(curl -sS -m 5 -H "$AUTH" -o /dev/null -w '%{time_total}' "$SIM_URL$U")
ok 'awk -v t="$t" "BEGIN { exit !(t >= 0.3) }"' "--latency 300: answers take at least 300 ms ($t s)"
sim_stop

# --- probabilities are per request and seeded ----------------------------------------------------------
sim_start --fault-5xx 0.5 --seed 3 --log "$tmp/log"
for i in $(seq 40); do req "$U" >/dev/null; done
n5xx=$(jq -s 'map(select(.fault == "5xx")) | length' "$tmp/log")
ok '[ $n5xx -ge 8 ] && [ $n5xx -le 32 ]' "--fault-5xx 0.5: about half of 40 requests fail ($n5xx)"
first=$(jq -r .status "$tmp/log" | tr '\n' ' ')
sim_stop
sim_start --fault-5xx 0.5 --seed 3 --log "$tmp/log"
for i in $(seq 40); do req "$U" >/dev/null; done
is "$(jq -r .status "$tmp/log" | tr '\n' ' ')" "$first" "the same seed gives the same faults"
sim_stop

# --- bad items ---------------------------------------------------------------------------------
sim_start --bad-items 0.2 --tracks 120 --albums 30 --dialect spotify --dump "$tmp/dump"
: >"$tmp/got"
for o in 0 50 100; do
	req "/v1/me/tracks?limit=50&offset=$o" >/dev/null
	jq -r '.items[].track | "\(.id) \(if (has("name") | not) then "no-name" elif (has("duration_ms") | not) then "no-duration" elif .duration_ms < 0 then "negative-duration" else "ok" end)"' "$tmp/b" >>"$tmp/got"
done
is "$(cat "$tmp/got")" "$(jq -r 'select(.stream == "tracks") | "\(.id) \(.bad // "ok")"' "$tmp/dump")" "--bad-items: the tracks the dump calls bad are served bad, the others whole"
ok '[ "$(grep -vc " ok$" "$tmp/got")" -ge 10 ]' "some 20% of the tracks are bad"
: >"$tmp/got"
req "/v1/me/albums?limit=50" >/dev/null
jq -r '.items[].album | "\(.id) \(if (has("name") | not) then "no-name" elif .release_date == "2019-13-45" then "bad-date" else "ok" end)"' "$tmp/b" >"$tmp/got"
is "$(cat "$tmp/got")" "$(jq -r 'select(.stream == "albums") | "\(.id) \(.bad // "ok")"' "$tmp/dump")" "bad albums: no name, or the date 2019-13-45"
ok 'grep -q bad-date "$tmp/got"' "a bad date is among them"
is "$(req /v1/me/library/songs) $(req /user/me/tracks) $(req "$U")" "404 404 200" "--dialect spotify: the other dialects are not served"
is "$(jq -r .provider "$tmp/dump" | sort -u)" spotify "and the dump holds Spotify's ids only"
sim_stop

# --- tokens: expiry and refresh --------------------------------------------------------------------
sim_start --token-ttl 2 --log "$tmp/log"
is "$(req "$U") $(req "$U") $(req "$U")" "200 200 401" "--token-ttl 2: the third request is a 401"
is "$(cat "$tmp/b")" '{"error":{"status":401,"message":"The access token expired"}}' "with Spotify's expired-token body"
code=$(curl -sS -o "$tmp/b" -w '%{http_code}' -d grant_type=refresh_token -d refresh_token=test-refresh-token "$SIM_URL/api/token")
ok '[ $code = 200 ] && jq -e "(.access_token | length > 0) and .token_type == \"Bearer\" and .expires_in == 3600" "$tmp/b" >/dev/null' "POST /api/token with a refresh grant issues a token"
new=$(jq -r .access_token "$tmp/b")
is "$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $new" "$SIM_URL$U")" 200 "the new token works"
is "$(req "$U")" 401 "the old one stays expired"
code=$(curl -sS -o "$tmp/b" -w '%{http_code}' -d grant_type=refresh_token -d refresh_token=wrong "$SIM_URL/api/token")
is "$code $(jq -r .error "$tmp/b")" "400 invalid_grant" "a wrong refresh token is a 400 invalid_grant"
code=$(curl -sS -o "$tmp/b" -w '%{http_code}' -d grant_type=password "$SIM_URL/api/token")
is "$code $(jq -r .error "$tmp/b")" "400 unsupported_grant_type" "another grant is a 400"
is "$(curl -sS -o "$tmp/b" -w '%{http_code}' "$SIM_URL$U") $(cat "$tmp/b")" '401 {"error":{"status":401,"message":"No token provided"}}' "no token: 401"
is "$(curl -sS -o "$tmp/b" -w '%{http_code}' -H 'Authorization: Bearer nope' "$SIM_URL/v1/me/library/songs")" 401 "a wrong token: 401 (apple)"
ok 'jq -e ".errors[0].status == \"401\"" "$tmp/b" >/dev/null' "with Apple's error shape"
is "$(curl -sS -o "$tmp/b" -w '%{http_code}' -H "Authorization: Bearer $new" "$SIM_URL$U") $(curl -sS -o "$tmp/b" -w '%{http_code}' -H "Authorization: Bearer $new" "$SIM_URL$U")" "200 401" \
	"a token has its own count of requests"
req "/user/me/tracks" >/dev/null
is "$(jq -c .error.code "$tmp/b")" 300 "deezer: an expired token is code 300"
is "$(jq -s 'map(select(.path == "/api/token")) | map(.auth) | unique | tostring' -r "$tmp/log")" '[false]' "the log says whether an Authorization header came"
ok '! grep -q -e test-token -e "$new" "$tmp/log"' "and never holds a token"
sim_stop

# --- drift ---------------------------------------------------------------------------------------
sim_start --drift @2,4 --tracks 30 --playlists 3 --playlist-max 40 --dialect spotify \
	--dump "$tmp/before" --log "$tmp/log"
req "/v1/me/tracks?offset=0&limit=10" >/dev/null
is "$(jq .total "$tmp/b")" 30 "before drift: 30 tracks"
req "/v1/me/tracks?offset=10&limit=10" >/dev/null
is "$(jq .total "$tmp/b")" 31 "--drift @2: the second page sees two added, one removed"
page2=$(jq -r '.items[].track.id' "$tmp/b")
curl -sS -o "$tmp/after" "$SIM_URL/sim/dump"
is "$(jq -r 'select(.stream == "tracks") | .id' "$tmp/after" | sed -n '11,20p')" "$page2" "the page is the new list's positions 10-19"
added=$(jq -r 'select(.stream == "tracks") | .id' "$tmp/after" | head -2)
ok '! grep -qF "$added" "$tmp/before"' "the new items are at the top"
is "$(comm -23 <(jq -r 'select(.stream == "tracks") | .id' "$tmp/before" | sort) <(jq -r 'select(.stream == "tracks") | .id' "$tmp/after" | sort) | wc -l)" 1 "one item was removed"
removed=$(comm -23 <(jq -r 'select(.stream == "tracks") | .id' "$tmp/before" | sort) <(jq -r 'select(.stream == "tracks") | .id' "$tmp/after" | sort))
pos=$(jq -r 'select(.stream == "tracks") | .id' "$tmp/before" | grep -n "^$removed$" | cut -d: -f1)
ok '[ $pos -gt 5 ] && [ $pos -lt 25 ]' "from the middle (position $pos of 30)"
ok 'jq -r "select(.stream == \"tracks\") | .added_at" "$tmp/after" | sort -rc' "newest first still holds"
is "$(logn 2 .drift)" true "the log marks the request that drifted"
p=$(jq -r 'select(.stream == "playlists" and .total > 0) | .id' "$tmp/before" | head -1)
req "/v1/playlists/$p/tracks" >/dev/null
curl -sS -o "$tmp/after" "$SIM_URL/sim/dump"
is "$(jq -r --arg p "$p" 'select(.stream == "playlists" and .id == $p) | .total' "$tmp/after")" \
	"$(( $(jq -r --arg p "$p" 'select(.stream == "playlists" and .id == $p) | .total' "$tmp/before") + 1 ))" "a drifted playlist grows by one"
ok '[ "$(jq -r --arg p "$p" "select(.stream == \"playlists\" and .id == \$p) | .snapshot_id" "$tmp/after")" != "$(jq -r --arg p "$p" "select(.stream == \"playlists\" and .id == \$p) | .snapshot_id" "$tmp/before")" ]' "and gets a new snapshot_id"
sim_stop

# --- sporadic 404s, and Apple's user token ---------------------------------------------------------
sim_start --fault-404 @2,4 --music-user-token mut-1 --log "$tmp/log"
MUT="Music-User-Token: mut-1"
c1=$(req "/v1/me/library/songs?offset=25" -H "$MUT")
c2=$(req "/v1/me/library/songs?offset=25" -H "$MUT")
ok '[ $c2 = 404 ] && jq -e ".errors[0].status == \"404\"" "$tmp/b" >/dev/null' "--fault-404: a 404 in the middle of an Apple list"
c3=$(req "/v1/me/library/songs?offset=25" -H "$MUT")
is "$c1 $c3" "200 200" "the same page before and after is served"
is "$(req "/user/me/tracks?index=25") $(cat "$tmp/b")" '200 {"error":{"type":"DataException","message":"no data","code":800}}' "deezer's not-found is a DataException with HTTP 200"
is "$(req "/v1/me/library/songs") $(jq -r '.errors[0].status' "$tmp/b")" "403 403" "--music-user-token: Apple paths without it are 403"
is "$(req "/v1/me/library/songs" -H "Music-User-Token: other")" 403 "and with another one"
is "$(req "$U")" 200 "other dialects do not need it"
is "$(jq -c 'select(.fault == "404") | .n' "$tmp/log" | tr '\n' ' ')" "2 4 " "the log records the 404s"
sim_stop

# --- many clients at once --------------------------------------------------------------------------
sim_start --tracks 500 --log "$tmp/log"
pids=
for i in $(seq 0 19); do
	curl -sS -f -H "$AUTH" -o "$tmp/par.$i" "$SIM_URL/v1/me/tracks?limit=25&offset=$((i * 25))" &
	pids="$pids $!"
done
fails=0
for j in $pids; do wait "$j" || fails=$((fails + 1)); done
is "$fails" 0 "20 parallel clients are all answered"
is "$(cat "$tmp"/par.* | jq -r '.items[].track.id' | sort -u | wc -l)" 500 "with 500 distinct tracks between them"
is "$(jq -s 'map(.n) | sort | . == [range(1; 21)]' "$tmp/log")" true "the log numbers them 1 to 20"
sim_stop
is "$?" 0 "and it stops with status 0"
