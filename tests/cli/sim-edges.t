#!/usr/bin/env bash
# provider-sim: the real providers' edges (issue 11) as knobs, checked over HTTP.
. "$(dirname "$0")/../lib.sh"

plan 73

AUTH="Authorization: Bearer test-token"

# req PATH [CURL ARGS...]: prints the HTTP code; the body is in $tmp/b.
req() {
	local path=$1
	shift
	curl -sS -m 5 -H "$AUTH" -o "$tmp/b" -w '%{http_code}' "$@" "$SIM_URL$path" 2>/dev/null
}
body() { jq -c "$1" "$tmp/b"; }
dump() { curl -sS "$SIM_URL/sim/dump" | jq -c "$1"; }

# --- 404s: a path without /v1, a double slash, a stray 404 on a stream's first page ------------
sim_start --tracks 100 --fault-path /v1/me/tracks --fault-404 @1 --log "$tmp/log"
is "$(req /me/tracks) $(cat "$tmp/b")" '404 {"error":{"status":404,"message":"Service not found"}}' "a path without /v1 is a 404 (Spotify's body)"
is "$(req '/v1//me/following?type=artist') $(body .error.status)" "404 404" "a double slash is a 404"
is "$(req /v1/me) $(req '/v1/me/tracks?limit=50')" "200 404" "--fault-path: @1 is the first request to the stream, not to the server"
is "$(cat "$tmp/b")" '{"error":{"status":404,"message":"Resource not found"}}' "the first page's 404 has Spotify's body"
is "$(req '/v1/me/tracks?limit=50') $(body '.items | length')" "200 50" "a retry gets the page"
is "$(jq -c 'select(.fault != null) | [.n, .path, .fault]' "$tmp/log")" '[4,"/v1/me/tracks","404"]' "the log names the request"
sim_stop

# --- a fault aimed at the first, a middle and the last page -------------------------------------
# pages KIND SPEC [ARGS]: the four pages of 200 saved tracks (limit 50), one code:valid per
# page; a request to another path comes first, to show that @N counts the stream's requests.
pages() {
	local kind=$1 spec=$2 p out=""
	shift 2
	sim_start --tracks 200 --fault-path /v1/me/tracks "--$kind" "$spec" "$@"
	curl -sS -m 1 -H "$AUTH" -o /dev/null "$SIM_URL/v1/me/albums" 2>/dev/null
	for p in 0 50 100 150; do
		rm -f "$tmp/b"
		c=$(curl -sS -m 1 -H "$AUTH" -D "$tmp/h" -o "$tmp/b" -w '%{http_code}' "$SIM_URL/v1/me/tracks?offset=$p&limit=50" 2>/dev/null)
		jq -e '(.items | length) == 50 and .total == 200' "$tmp/b" >/dev/null 2>&1 && v=ok || v=bad
		ra=$(tr -d '\r' <"$tmp/h" 2>/dev/null | sed -n 's/^Retry-After: //Ip' | tr ' ' _)
		out="$out $c:$v${ra:+:$ra}"
	done
	sim_stop
	echo "${out# }"
}
for spec in @1 @2 @4; do
	case $spec in @1) want="X 200:ok 200:ok 200:ok" ;; @2) want="200:ok X 200:ok 200:ok" ;; *) want="200:ok 200:ok 200:ok X" ;; esac
	is "$(pages fault-429 $spec --retry-after 7)" "${want/X/429:bad:7}" "429 (Retry-After in seconds) aimed at page $spec"
	is "$(pages fault-429 $spec --retry-after 999999999999 --retry-after-date)" "${want/X/429:bad:Fri,_31_Dec_9999_23:59:59_GMT}" "429 (a far HTTP-date) aimed at page $spec"
	is "$(pages fault-5xx $spec)" "${want/X/502:bad}" "a 5xx aimed at page $spec"
	is "$(pages fault-hang $spec)" "${want/X/000:bad}" "hang aimed at page $spec"
	is "$(pages fault-reset $spec)" "${want/X/000:bad}" "reset aimed at page $spec"
	is "$(pages fault-truncate $spec)" "${want/X/200:bad}" "truncation aimed at page $spec"
	is "$(pages fault-malformed $spec)" "${want/X/200:bad}" "a malformed page aimed at page $spec"
	is "$(pages fault-expire $spec)" "$(echo "$want" | awk '{ for (i = 1; i <= NF; i++) { if ($i == "X") f = 1; printf "%s%s", (i > 1 ? " " : ""), (f ? "401:bad" : $i) } }')" "token expiry aimed at page $spec: a 401 from there on"
	is "$(pages drift $spec --drift-add 3 --drift-remove 0 | tr ' ' '\n' | grep -c ok)" "$(echo "$want" | sed 's/X.*//' | wc -w)" "drift aimed at page $spec: the total moves from there on"
done

# --- Retry-After far away; bad items where a test wants them -------------------------------------
sim_start --fault-429 @1 --retry-after 250000000000 --bad-items @0,49 --tracks 100
curl -sS -H "$AUTH" -D "$tmp/h" -o /dev/null "$SIM_URL/v1/me/tracks" 2>/dev/null
is "$(tr -d '\r' <"$tmp/h" | sed -n 's/^Retry-After: //Ip')" "250000000000" "--retry-after takes a value far past a day"
is "$(dump 'select(.provider == "spotify" and .stream == "tracks" and .bad != null) | .id' | wc -l)" 2 "--bad-items @0,49: two bad tracks"
req '/v1/me/tracks?limit=50' >/dev/null
is "$(body '[.items[].track | has("name") and (.duration_ms // 0) > 0] | [.[0], .[49], (.[1:49] | all)]')" '[false,false,true]' "the first and the last item of the page are the bad ones"
sim_stop
sim_start --fault-429 @1 --retry-after 999999999999 --retry-after-date
curl -sS -H "$AUTH" -D "$tmp/h" -o /dev/null "$SIM_URL/v1/me/tracks" 2>/dev/null
is "$(tr -d '\r' <"$tmp/h" | sed -n 's/^Retry-After: //Ip')" "Fri, 31 Dec 9999 23:59:59 GMT" "an HTTP-date past 9999 is the last second of 9999"
sim_stop

# --- Deezer's errors with HTTP 200 ----------------------------------------------------------------
for code in none 4 300 800; do
	sim_start --fault-deezer @2 --deezer-code $code
	c1=$(req /v1/me/tracks)
	c2=$(req /user/me/tracks)
	b2=$(cat "$tmp/b")
	c3=$(req /user/me/tracks)
	case $code in
	none) want='{"error":{"type":"Exception","message":"An error has occured"}}' ;;
	4) want='{"error":{"type":"Exception","message":"Quota limit exceeded","code":4}}' ;;
	300) want='{"error":{"type":"OAuthException","message":"Invalid OAuth access token.","code":300}}' ;;
	800) want='{"error":{"type":"DataException","message":"no data","code":800}}' ;;
	esac
	is "$c1 $c2 $c3 $b2" "200 200 200 $want" "--deezer-code $code: request 2 is the error, with HTTP 200"
	sim_stop
done
sim_start --fault-deezer @1
is "$(req /v1/me/tracks) $(body '.items | length')" "200 20" "--fault-deezer never touches another dialect"
sim_stop

# --- Deezer's quota ----------------------------------------------------------------------------------
sim_start --deezer-quota
urls=()
for i in $(seq 51); do urls+=("$SIM_URL/user/me/tracks?limit=1"); done
curl -sS -H "$AUTH" "${urls[@]}" >"$tmp/b" 2>/dev/null
is "$(jq -c 'select(.error != null)' "$tmp/b" | sort | uniq -c | tr -s ' ')" ' 1 {"error":{"type":"Exception","message":"Quota limit exceeded","code":4}}' "--deezer-quota: the 51st request in 5 s is the code-4 error"
is "$(req /v1/me/tracks)" 200 "other dialects do not count"
sim_stop

# --- Deezer's unserved tracks ---------------------------------------------------------------------------
sim_start --tracks 100 --unserved 6 --dialect deezer --playlists 4
req '/user/me/tracks?limit=100' >/dev/null
is "$(body '[(.data | length), .total, (.next | sub(".*[?]"; ""))]')" '[94,106,"limit=100&index=100"]' "--unserved 6: 94 of limit 100, total 106"
jq -r '.data[].id' "$tmp/b" >"$tmp/pass1"
req '/user/me/tracks?limit=100&index=100' >/dev/null
is "$(body '[(.data | length), .total, .next]')" '[6,106,null]' "the last page is short too and ends the list"
jq -r '.data[].id' "$tmp/b" >>"$tmp/pass1"
for i in 0 25 50 75 100; do req "/user/me/tracks?limit=25&index=$i" >/dev/null; jq -r '.data[].id' "$tmp/b"; done >"$tmp/pass2"
is "$(sort "$tmp/pass1" | uniq | wc -l) $(cmp -s "$tmp/pass1" "$tmp/pass2" && echo same)" "100 same" "100 distinct tracks, the same at another page size"
is "$(dump 'select(.stream == "tracks") | .id' | tr -d '"' | cmp -s - "$tmp/pass1" && echo same)" "same" "the dump lists the served tracks"
pl=$(dump 'select(.stream == "playlists" and .total > 0) | .id' | head -1 | tr -d '"')
n=$(dump "select(.stream == \"playlists\" and .id == \"$pl\") | .total")
req "/playlist/$pl/tracks?limit=2000" >/dev/null
is "$(body '[(.data | length), .total]')" "[$n,$((n + 6))]" "a playlist's tracks: total counts the unserved"
sim_stop

# --- Spotify: nulls in lists ------------------------------------------------------------------------------
sim_start --tracks 100 --albums 60 --null-at 49 --dialect spotify
req '/v1/me/tracks?limit=50' >/dev/null
is "$(body '[.items[48] == null, .items[49], .total]')" '[false,null,100]' "--null-at 49: the last item of the first page is null"
req '/v1/me/tracks?offset=50&limit=50' >/dev/null
is "$(body '[.items[] | select(. == null)] | length')" 0 "the next page has none"
req '/v1/me/albums?limit=50' >/dev/null
is "$(body '.items[49]')" null "saved albums too"
is "$(dump 'select(.stream == "tracks" and .null == true) | .id' | wc -l)" 1 "the dump marks the null item"
sim_stop

# --- Apple: an expired Music-User-Token -------------------------------------------------------------
rm -f "$tmp/log"
sim_start --mut-expire 3 --log "$tmp/log"
is "$(req /v1/me/library/songs) $(req /v1/me/library/albums)" "200 200" "before --mut-expire, Apple answers"
is "$(req /v1/me/library/playlists) $(body '.errors[0] | [.status, .code]')" '403 ["403","40300"]' "from request 3 on, a 403 with Apple's body"
is "$(req /v1/me/tracks) $(req /v1/me/library/songs)" "200 403" "on every Apple path, and only there"
is "$(jq -c 'select(.fault != null) | .fault' "$tmp/log" | sort -u)" '"mut-expired"' "the log says mut-expired"
sim_stop

# --- Apple: include=catalog; a list that shrinks ---------------------------------------------------
sim_start --tracks 100 --drift @3 --drift-add 0 --drift-remove 10
req '/v1/me/library/songs?limit=2&include=catalog' >/dev/null
is "$(body '.data[0].relationships.catalog.data[0] | [.type, (.id | test("^[0-9]+$")), (.attributes.isrc | test("^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")), (.attributes.releaseDate | length > 3)]')" '["songs",true,true,true]' "include=catalog: a song's catalog resource has its isrc and releaseDate"
req '/v1/me/library/albums?limit=2&include=catalog' >/dev/null
is "$(body '.data[0].relationships.catalog.data[0].attributes | [(.upc | length), (.recordLabel | length > 0), has("releaseDate")]')" '[12,true,true]' "an album's catalog resource has upc, recordLabel, releaseDate"
is "$(req '/v1/me/library/songs?offset=95&limit=10') $(body '.errors[0] | [.status, .detail, .source.parameter]')" '400 ["400","offset must be less than 90","offset"]' "a list shrunk by 10: an offset past its end is Apple's 400"
sim_stop
sim_start --tracks 0 --albums 0 --artists 0
is "$(req /v1/me/library/songs) $(body '.errors[0].status')" '404 "404"' "an empty Apple list is a 404"
sim_stop

# --- Spotify: episodes, taken-down albums, editorial playlists -------------------------------------
sim_start --episodes 1 --null-tracks 0 --local-files 0 --playlists 8 --dialect spotify
pl=$(dump 'select(.stream == "playlists" and .total > 0 and .items_forbidden == false) | .id' | head -1 | tr -d '"')
req "/v1/playlists/$pl/items?limit=2" >/dev/null
is "$(body '.items[0] | [.track.type, .track.episode, .track.track, .track.album.album_type, .item.type]')" '["episode",true,false,"show","episode"]' "an episode without additional_types: a track-like object, the show as album"
req "/v1/playlists/$pl/tracks?limit=2&additional_types=track,episode" >/dev/null
is "$(body '.items[0].track | [.type, has("album"), (.show.name | length > 0), (.release_date | length > 3), (.uri | startswith("spotify:episode:"))]')" '["episode",false,true,true,true]' "with additional_types=episode: an episode object with its show"
id=$(body '.items[0].track.id' | tr -d '"')
is "$(dump "select(.stream == \"playlist_items\" and .playlist_id == \"$pl\" and .position == 0) | [.track_id, .episode_id]")" "[null,\"$id\"]" "the dump gives the episode's id"
sim_stop
sim_start --takedown 1
req '/v1/me/albums?limit=1' >/dev/null
is "$(body '.items[0].album.name')" '""' "--takedown: a saved album's name is empty"
req '/v1/me/tracks?limit=1' >/dev/null
is "$(body '.items[0].track.album.name')" '""' "and so is a track's album"
req '/v1/me/library/albums?limit=1' >/dev/null
ok '[ "$(body ".data[0].attributes.name | length > 0")" = true ]' "other dialects keep the name"
sim_stop
sim_start --editorial 1 --playlists 6 --dialect spotify
pl=$(dump 'select(.stream == "playlists" and .total > 0) | .id' | head -1 | tr -d '"')
is "$(req "/v1/playlists/$pl/tracks") $(cat "$tmp/b")" '404 {"error":{"status":404,"message":"Resource not found"}}' "--editorial: /tracks of a Spotify-owned playlist is a 404"
is "$(req "/v1/playlists/$pl/items")" 404 "and so is /items"
req '/v1/me/playlists?limit=50' >/dev/null
is "$(body '[.items[].owner.id] | unique')" '["spotify"]' "the playlist list shows them, owned by spotify"
is "$(dump 'select(.stream == "playlists") | .items_unavailable' | sort -u)" true "the dump marks them"
sim_stop

# --- drift that cancels out ----------------------------------------------------------------------------
sim_start --tracks 100 --drift @2 --drift-add 1 --drift-remove 1 --dialect spotify
req '/v1/me/tracks?limit=50' >/dev/null
t1=$(body .total)
jq -r '.items[].track.id' "$tmp/b" >"$tmp/walk"
req '/v1/me/tracks?offset=50&limit=50' >/dev/null
t2=$(body .total)
jq -r '.items[].track.id' "$tmp/b" >>"$tmp/walk"
top=$(dump 'select(.stream == "tracks") | .id' | head -1 | tr -d '"')
is "$t1 $t2" "100 100" "one added on top and one removed: the total does not move"
is "$(sort -u "$tmp/walk" | wc -l) $(grep -c "^$top\$" "$tmp/walk")" "99 0" "the walk misses the new top item and sees 99 of 100"
sim_stop
