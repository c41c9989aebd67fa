#!/usr/bin/env bash
# provider-sim: command line, and every dialect paged to the end equals the dump.
. "$(dirname "$0")/../lib.sh"

plan 68

AUTH="Authorization: Bearer test-token"
LIB="--seed 7 --artists 23 --albums 31 --tracks 157 --playlists 9 --playlist-max 130
	--null-tracks 0.05 --local-files 0.05"

# walk URL ITEMS NEXT [CURL ARGS...]: follows the next links from URL (jq NEXT on each
# page; root-relative ones against SIM_URL), appending jq ITEMS of each page to
# $tmp/walk. Sets pages, and walk_ok=0 on any failure (HTTP error, bad JSON, a loop).
walk() {
	local url=$1 items=$2 next=$3 code
	shift 3
	pages=0 walk_ok=1
	: >"$tmp/walk"
	while [ -n "$url" ] && [ "$url" != null ]; do
		code=$(curl -sS "$@" -o "$tmp/page" -w '%{http_code}' "$url") || { walk_ok=0; return; }
		[ "$code" = 200 ] || { echo "# $url: HTTP $code"; walk_ok=0; return; }
		jq -r "$items" "$tmp/page" >>"$tmp/walk" || { walk_ok=0; return; }
		url=$(jq -r "$next" "$tmp/page") || { walk_ok=0; return; }
		case $url in /*) url="$SIM_URL$url" ;; esac
		pages=$((pages + 1))
		[ $pages -lt 1000 ] || { walk_ok=0; return; }
	done
}

# walk_link URL: the generic dialect, following Link rel="next"; items' ids to $tmp/walk.
walk_link() {
	local url=$1 code
	pages=0 walk_ok=1
	: >"$tmp/walk"
	while [ -n "$url" ]; do
		code=$(curl -sS -H "$AUTH" -D "$tmp/headers" -o "$tmp/page" -w '%{http_code}' "$url") ||
			{ walk_ok=0; return; }
		[ "$code" = 200 ] || { walk_ok=0; return; }
		jq -r '.[] | .id // "\(.position) \(.track_id)"' "$tmp/page" >>"$tmp/walk" ||
			{ walk_ok=0; return; }
		url=$(tr -d '\r' <"$tmp/headers" | sed -n 's/^Link: .*<\([^>]*\)>; rel="next".*/\1/p')
		pages=$((pages + 1))
		[ $pages -lt 1000 ] || { walk_ok=0; return; }
	done
}

# expect PROVIDER STREAM: the dump's ids of a stream, in order.
expect() {
	jq -r --arg p "$1" --arg s "$2" 'select(.provider == $p and .stream == $s) | .id' "$tmp/dump"
}

# --- command line ---------------------------------------------------------------
run 0 "--help" -- provider-sim --help
ok 'grep -q "^usage: provider-sim" "$out" && grep -q -- "--fault-429" "$out"' "--help prints the usage on stdout"
run 64 "unknown option" -- provider-sim --no-such-option
ok 'head -1 "$err" | grep -q "^provider-sim: unrecognized option .--no-such-option."' "it names the option, prefixed with the program's name"
run 64 "missing argument" -- provider-sim --seed
run 64 "bad number" -- provider-sim --tracks 12x
ok 'grep -q "^provider-sim: --tracks: .12x. is not a number" "$err"' "usage errors name the option, prefixed"
run 64 "bad probability" -- provider-sim --fault-429 1.5
run 64 "bad request list" -- provider-sim --fault-5xx @3,x
run 64 "bad rate" -- provider-sim --rate 10
run 64 "bad dialect" -- provider-sim --dialect myspace
run 64 "operands" -- provider-sim extra

# The man page documents every long option the program knows.
man="$top/tests/sim/provider-sim.1"
missing=
for o in $(sed -n 's/^	{ "\([a-z0-9-]*\)", .*/\1/p' "$top/tests/sim/provider-sim.c"); do
	grep -q -- "Fl \\\\-$o\( \|$\)" "$man" || missing="$missing $o"
done
is "$missing" "" "the man page documents every option"

# --- the library and the dump -----------------------------------------------------
sim_start $LIB --dump "$tmp/dump" --log "$tmp/log"
ok '[ -s "$tmp/dump" ]' "--dump writes the ground truth before the port file appears"
ok 'grep -Eq "^[0-9]+$" "$tmp/sim.port"' "the port file holds the port"
is "$(jq -s 'map(select(.provider == "spotify")) | group_by(.stream) | map("\(.[0].stream)=\(length)") | join(" ")' -r "$tmp/dump")" \
	"albums=31 artists=23 playlist_items=$(jq -s 'map(select(.provider == "spotify" and .stream == "playlists") | .total) | add' "$tmp/dump") playlists=9 tracks=157" \
	"the dump has every entity of the sizes asked for"
is "$(jq -r .provider "$tmp/dump" | sort -u | tr '\n' ' ')" "apple-music deezer generic spotify " \
	"one library, every dialect's ids"
ok '[ "$(expect spotify tracks | grep -Ec "^[0-9A-Za-z]{22}$")" = 157 ]' "Spotify ids are 22 base62 characters"
ok '[ "$(expect apple-music tracks | grep -Ec "^i\.[0-9A-Za-z]{15}$")" = 157 ] && [ "$(expect apple-music playlists | grep -c "^p\.")" = 9 ]' "Apple ids have their i. l. r. p. prefixes"
ok '[ "$(expect deezer albums | grep -Ec "^[0-9]+$")" = 31 ]' "Deezer ids are numbers"
ok '[ "$(jq -s "map(select(.stream == \"playlists\" and .provider == \"spotify\" and .total == 0)) | length" "$tmp/dump")" -ge 1 ]' "some playlists are empty"
ok '[ "$(jq -r "select(.stream == \"playlist_items\" and .provider == \"deezer\") | .track_id" "$tmp/dump" | sort | uniq -d | wc -l)" -ge 1 ]' "some tracks are in several playlists"

# --- Spotify ------------------------------------------------------------------------
walk "$SIM_URL/v1/me/tracks?limit=50" '.items[].track.id' .next -H "$AUTH"
ok '[ $walk_ok = 1 ] && [ $pages = 4 ]' "spotify tracks: 4 pages of up to 50"
is "$(cat "$tmp/walk")" "$(expect spotify tracks)" "spotify tracks paged to the end equal the dump"
walk "$SIM_URL/v1/me/tracks?limit=50" '.items[].added_at' .next -H "$AUTH"
ok 'sort -rc "$tmp/walk"' "spotify saved tracks are sorted newest first"
walk "$SIM_URL/v1/me/albums?limit=7" '.items[].album.id' .next -H "$AUTH"
is "$(cat "$tmp/walk")" "$(expect spotify albums)" "spotify albums equal the dump"
walk "$SIM_URL/v1/me/following?type=artist&limit=5" '.artists.items[].id' .artists.next -H "$AUTH"
is "$(cat "$tmp/walk")" "$(expect spotify artists)" "spotify followed artists (cursor after) equal the dump"
ok 'jq -e ".artists.next == null and .artists.cursors.after == null and .artists.total == 23" "$tmp/page" >/dev/null' "the last cursor page has next and cursors.after null"
ok 'sort -c "$tmp/walk"' "followed artists are sorted by id"
walk "$SIM_URL/v1/me/playlists?limit=4" '.items[].id' .next -H "$AUTH"
is "$(cat "$tmp/walk")" "$(expect spotify playlists)" "spotify playlists equal the dump"
ok 'grep -q "\"path\":\"/v1/users/crate-sim/playlists\"" "$tmp/log"' "me/playlists' next points at /v1/users/ID/playlists, which is served"
curl -sS -H "$AUTH" -o "$tmp/page" "$SIM_URL/v1/me/tracks?limit=1"
ok 'jq -e ".next | startswith(\"$SIM_URL/v1/me/tracks?offset=1&limit=1\")" "$tmp/page" >/dev/null' "next is absolute, built from the Host header"

# Playlist entries, 2024 /tracks shape: position and track id (null for unavailable and local).
: >"$tmp/got"
for p in $(expect spotify playlists); do
	walk "$SIM_URL/v1/playlists/$p/tracks?limit=50" \
		".offset as \$o | .items | to_entries[] | \"$p \\(\$o + .key) \\(.value.track.id // \"null\")\"" .next -H "$AUTH"
	[ $walk_ok = 1 ] || echo "walk of $p failed" >>"$tmp/got"
	cat "$tmp/walk" >>"$tmp/got"
done
jq -r 'select(.provider == "spotify" and .stream == "playlist_items") | "\(.playlist_id) \(.position) \(.track_id // "null")"' "$tmp/dump" >"$tmp/want"
is "$(cat "$tmp/got")" "$(cat "$tmp/want")" "spotify playlist items (/tracks) equal the dump, position by position"

# The 2026 /items shape: item beside track; 403 for playlists the user neither owns nor collaborates on.
own=$(jq -r 'select(.provider == "spotify" and .stream == "playlists" and .items_forbidden == false and .total > 60) | .id' "$tmp/dump" | head -1)
foreign=$(jq -r 'select(.provider == "spotify" and .stream == "playlists" and .items_forbidden) | .id' "$tmp/dump" | head -1)
walk "$SIM_URL/v1/playlists/$own/items?limit=50" '.offset as $o | .items | to_entries[] | "\($o + .key) \(.value.item.id // .value.track.id // "null")"' .next -H "$AUTH"
is "$(cat "$tmp/walk")" "$(jq -r --arg p "$own" 'select(.provider == "spotify" and .stream == "playlist_items" and .playlist_id == $p) | "\(.position) \(.track_id // "null")"' "$tmp/dump")" "spotify /items equals the dump"
curl -sS -H "$AUTH" -o "$tmp/page" "$SIM_URL/v1/playlists/$own/items?limit=50"
ok 'jq -e "[.items[] | select(.track != null) | .item == .track] | all" "$tmp/page" >/dev/null' "/items entries carry item beside track"
code=$(curl -sS -H "$AUTH" -o "$tmp/page" -w '%{http_code}' "$SIM_URL/v1/playlists/$foreign/items")
is "$code $(jq -c . "$tmp/page")" '403 {"error":{"status":403,"message":"Forbidden"}}' "/items of a followed playlist is 403"
code=$(curl -sS -H "$AUTH" -o "$tmp/page" -w '%{http_code}' "$SIM_URL/v1/playlists/$foreign/tracks")
is "$code" 200 "/tracks of the same playlist is served"

# Null tracks and local files, as the captures show them.
curl -sS -H "$AUTH" -o "$tmp/page" "$SIM_URL/v1/playlists/$(expect spotify playlists | head -1)/tracks?limit=50"
ok 'jq -e "[.items[] | select(.track == null)] | length > 0 and all(.added_by.id == \"\" and .is_local == false)" "$tmp/page" >/dev/null' "a null track has an empty added_by.id"
ok 'jq -e "[.items[] | select(.is_local)] | length > 0 and all(.track.id == null and .track.album.id == null and .track.is_local and .track.track_number == 0 and (.track.uri | test(\"^spotify:local:[^:]+:[^:]+:[^:]+:[0-9]+$\")))" "$tmp/page" >/dev/null' "local files: id null, album without id, uri spotify:local:A:B:T:S"

code=$(curl -sS -H "$AUTH" -o "$tmp/page" -w '%{http_code}' "$SIM_URL/v1/me/tracks?limit=51")
is "$code $(cat "$tmp/page")" '400 {"error":{"status":400,"message":"Invalid limit"}}' "spotify: a limit above 50 is a 400"
curl -sS -H "$AUTH" -o "$tmp/page" "$SIM_URL/v1/me/tracks?offset=500"
is "$(jq -c '[(.items | length), .next, .total]' "$tmp/page")" '[0,null,157]' "an offset past the end is an empty page"

# --- Apple Music ------------------------------------------------------------------------
walk "$SIM_URL/v1/me/library/songs?limit=100" '.data[].id' .next -H "$AUTH"
ok '[ $walk_ok = 1 ] && [ $pages = 4 ]' "apple songs: next drops limit, as Apple does (100 + 25 + 25 + 7)"
is "$(cat "$tmp/walk")" "$(expect apple-music tracks)" "apple songs paged to the end equal the dump"
ok 'jq -e "has(\"next\") | not" "$tmp/page" >/dev/null && jq -e ".meta.total == 157" "$tmp/page" >/dev/null' "the last page has no next; meta.total"
curl -sS -H "$AUTH" -o "$tmp/page" "$SIM_URL/v1/me/library/songs?limit=10&offset=10"
is "$(jq -r .next "$tmp/page")" "/v1/me/library/songs?offset=20" "apple next is root-relative and keeps only offset"
walk "$SIM_URL/v1/me/library/albums" '.data[].id' .next -H "$AUTH"
is "$(cat "$tmp/walk")" "$(expect apple-music albums)" "apple albums (default limit) equal the dump"
walk "$SIM_URL/v1/me/library/artists" '.data[].id' .next -H "$AUTH"
is "$(cat "$tmp/walk")" "$(expect apple-music artists)" "apple artists equal the dump"
walk "$SIM_URL/v1/me/library/playlists" '.data[].id' .next -H "$AUTH"
is "$(cat "$tmp/walk")" "$(expect apple-music playlists)" "apple playlists equal the dump"
: >"$tmp/got"
for p in $(jq -r 'select(.provider == "apple-music" and .stream == "playlists" and .total > 0) | .id' "$tmp/dump"); do
	walk "$SIM_URL/v1/me/library/playlists/$p/tracks?limit=100" ".data[] | \"$p \\(.id)\"" .next -H "$AUTH"
	[ $walk_ok = 1 ] || echo "walk of $p failed" >>"$tmp/got"
	cat "$tmp/walk" >>"$tmp/got"
done
is "$(cat "$tmp/got")" "$(jq -r 'select(.provider == "apple-music" and .stream == "playlist_items") | "\(.playlist_id) \(.track_id)"' "$tmp/dump")" "apple playlist tracks equal the dump"
empty=$(jq -r 'select(.provider == "apple-music" and .stream == "playlists" and .total == 0) | .id' "$tmp/dump" | head -1)
code=$(curl -sS -H "$AUTH" -o "$tmp/page" -w '%{http_code}' "$SIM_URL/v1/me/library/playlists/$empty/tracks")
ok '[ $code = 404 ] && jq -e ".errors[0].status == \"404\" and (.errors[0] | has(\"id\") and has(\"title\") and has(\"detail\") and has(\"code\"))" "$tmp/page" >/dev/null' "apple: an empty collection is a 404 with Apple's error shape"
code=$(curl -sS -H "$AUTH" -o "$tmp/page" -w '%{http_code}' "$SIM_URL/v1/me/library/songs?limit=101")
ok '[ $code = 400 ] && jq -e ".errors[0].status == \"400\" and .errors[0].code == \"40005\"" "$tmp/page" >/dev/null' "apple: limit above 100 is a 400, status as a string"
curl -sS -H "$AUTH" -o "$tmp/page" "$SIM_URL/v1/me/library/songs?limit=3&include=albums,artists"
ok 'jq -e --argjson albums "$(expect apple-music albums | jq -R . | jq -s .)" "[.data[].relationships.albums.data[0].id] | all(IN(\$albums[]))" "$tmp/page" >/dev/null' "include=albums,artists returns album relationships with library ids"
ok 'jq -e "[.data[].relationships.artists.data[0].id | startswith(\"r.\")] | all" "$tmp/page" >/dev/null' "and artist relationships"

# --- Deezer -------------------------------------------------------------------------------
walk "$SIM_URL/user/me/tracks?limit=40&access_token=test-token" '.data[].id' .next
is "$(cat "$tmp/walk")" "$(expect deezer tracks)" "deezer tracks (token in the query) equal the dump"
curl -sS -o "$tmp/page" "$SIM_URL/user/me/tracks?limit=40&access_token=test-token"
is "$(jq -r .next "$tmp/page")" "$SIM_URL/user/me/tracks?limit=40&access_token=test-token&index=40" "deezer next is absolute, keeps the query, echoes the token"
ok 'jq -e "[.data[].time_add | type == \"number\"] | all" "$tmp/page" >/dev/null' "deezer items carry time_add in seconds"
walk "$SIM_URL/user/me/albums" '.data[].id' .next -H "$AUTH"
is "$(cat "$tmp/walk")" "$(expect deezer albums)" "deezer albums (Bearer header) equal the dump"
walk "$SIM_URL/user/me/artists?limit=10" '.data[].id' .next -H "$AUTH"
is "$(cat "$tmp/walk")" "$(expect deezer artists)" "deezer artists equal the dump"
walk "$SIM_URL/user/me/playlists" '.data[].id' .next -H "$AUTH"
is "$(cat "$tmp/walk")" "$(expect deezer playlists)" "deezer playlists equal the dump"
: >"$tmp/got"
for p in $(expect deezer playlists); do
	walk "$SIM_URL/playlist/$p/tracks?limit=50" ".data[] | \"$p \\(.id)\"" .next -H "$AUTH"
	[ $walk_ok = 1 ] || echo "walk of $p failed" >>"$tmp/got"
	cat "$tmp/walk" >>"$tmp/got"
done
is "$(cat "$tmp/got")" "$(jq -r 'select(.provider == "deezer" and .stream == "playlist_items") | "\(.playlist_id) \(.track_id)"' "$tmp/dump")" "deezer playlist tracks equal the dump"
code=$(curl -sS -o "$tmp/page" -w '%{http_code}' "$SIM_URL/user/me/tracks?access_token=wrong")
is "$code $(cat "$tmp/page")" '200 {"error":{"type":"OAuthException","message":"Invalid OAuth access token.","code":300}}' "deezer: an invalid token is an error with HTTP 200"

# --- Generic (Link header) ---------------------------------------------------------------
walk_link "$SIM_URL/generic/items?per_page=50"
ok '[ $walk_ok = 1 ] && [ $pages = 4 ]' "generic: 4 pages, following Link rel=next"
is "$(cat "$tmp/walk")" "$(expect generic tracks)" "generic items equal the dump"
walk_link "$SIM_URL/generic/artists?per_page=7"
is "$(cat "$tmp/walk")" "$(expect generic artists)" "generic artists equal the dump"

# --- the log ---------------------------------------------------------------------------------
ok 'jq -e -s "all(has(\"n\") and has(\"time\") and has(\"method\") and has(\"path\") and has(\"query\") and has(\"status\") and (.auth | type == \"boolean\"))" "$tmp/log" >/dev/null' "every log line has n, time, method, path, query, status, auth"
ok '! grep -q test-token "$tmp/log"' "the log never holds a token"
ok 'grep -q "access_token=REDACTED" "$tmp/log"' "a token in the query is redacted"

kill "$SIM_PID"
wait "$SIM_PID"
is "$?" 0 "SIGTERM: exits 0"
SIM_PID=
