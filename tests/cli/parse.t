#!/usr/bin/env bash
# parse: every fixture and capture maps field by field; bad input is reported and loses nothing.
. "$(dirname "$0")/../lib.sh"
plan 79

F=$shared_fixtures
C=$shared_fixtures/captures

# compare PROVIDER STREAM FILE GOT_FILTER WANT_FILTER: the records projected by
# GOT_FILTER equal the source items projected by WANT_FILTER.
compare() {
	run 0 "$1 $2 $(basename "$3"): parse" -- parse -p "$1" -s "$2" "$3"
	got=$(jq -c "select(.type==\"RECORD\") | .record | $4" "$out")
	want=$(jq -c "$5" "$3")
	is "$got" "$want" "$1 $2 $(basename "$3"): fields"
}

sp_track='{id: .id, title: .name, duration_ms, album: .album.id, album_title: .album.name,
	artists: [.artists[].id], track_number, disc_number, isrc: .external_ids.isrc,
	explicit, is_local, uri}'
rec_track='{id, title, duration_ms, album: .album.id, album_title: .album.title,
	artists: [.artists[].id], track_number, disc_number, isrc, explicit, is_local, uri}'

compare spotify tracks "$C/spotify.tracks.me-tracks-offset0.json" \
	"$rec_track + {added_at, provider}" \
	".items[] | (.track | $sp_track) + {added_at, provider: \"spotify\"}"
compare spotify tracks "$F/spotify-me-tracks.json" "$rec_track" ".items[].track | $sp_track"
compare spotify albums "$C/spotify.albums.me-albums-offset0.json" \
	'{id, title, artists: [.artists[].id], release_date, release_date_precision, album_type,
	  total_tracks, label: .label, upc, image_url, added_at}' \
	'.items[] | .album as $a | {id: $a.id, title: $a.name, artists: [$a.artists[].id],
	  release_date: $a.release_date, release_date_precision: $a.release_date_precision,
	  album_type: $a.album_type, total_tracks: $a.total_tracks, label: $a.label,
	  upc: $a.external_ids.upc, image_url: $a.images[0].url, added_at}'
artist_got='{id, name, genres, image_url, popularity, followers, uri}'
artist_want='.artists.items[] | {id, name, genres, image_url: .images[0].url, popularity,
	followers: .followers.total, uri}'
compare spotify artists "$C/spotify.artists.me-following-last.json" "$artist_got" "$artist_want"
compare spotify artists "$F/spotify-following-artists-last-page.json" "$artist_got" "$artist_want"
pl_got='{id, name, description, owner, image_url, snapshot_id, track_count, public, collaborative}'
pl_want='.items[] | {id, name, description, owner: {id: .owner.id, name: .owner.display_name},
	image_url: .images[0].url, snapshot_id, track_count: .tracks.total, public, collaborative}'
compare spotify playlists "$C/spotify.playlists.me-playlists-offset0.json" "$pl_got" "$pl_want"
compare spotify playlists "$F/spotify-me-playlists.json" "$pl_got" "$pl_want"

# playlist entries: ids PLAYLIST:POSITION from the href, local files, the 2026 shape
compare spotify playlist_items "$C/spotify.playlist_items.playlist-tracks-offset0-local.json" \
	'{id, playlist_id, position, added_at, added_by, track: .track.id, local: .track.is_local}' \
	'.items | to_entries[] | .key as $i | .value |
	 {id: "2lMx8FU0SeQ7eA5kcMlNpX:\($i)", playlist_id: "2lMx8FU0SeQ7eA5kcMlNpX", position: $i,
	  added_at, added_by: .added_by.id, track: (if .track.is_local then .track.uri else .track.id end),
	  local: .track.is_local}'
ok '[ "$(jq -r "select(.type==\"RECORD\") | .record.track | select(.is_local) | .album.id" "$out" | grep -c "^derived:")" = 3 ]' \
	"local files: their albums get derived ids"
compare spotify playlist_items "$F/spotify-playlist-items-2026.json" \
	'{id, position, added_by, track: (.track.id // null), title: (.track.title // null)}' \
	'.items | to_entries[] | {id: "2lMx8FU0SeQ7eA5kcMlNpX:\(500 + .key)", position: (500 + .key),
	  added_by: (if .value.added_by.id == "" then null else .value.added_by.id end),
	  track: (.value.item // .value.track | if . then .id else null end),
	  title: (.value.item // .value.track | if . then .name else null end)}'
# Podcast episodes, unavailable entries and a taken-down album (the fixture says where its shape comes from)
E=$fixtures/spotify-playlist-items-episodes.json
run 0 "playlist entries with episodes" -- parse -p spotify -s playlist_items "$E"
is "$(jq -c 'select(.type=="RECORD") | .record | [.position, (.track | if . then .id else null end), .episode, .reason]' "$out" | tr '\n' ' ')" \
	"$(jq -c '.items | to_entries[] | .key as $i | .value.track as $t | [$i,
	  (if $t.type == "track" then $t.id else null end),
	  (if $t.type == "episode" and $t.id then {provider: "spotify", id: $t.id, title: $t.name,
	    show: {id: $t.show.id, name: $t.show.name}, duration_ms: $t.duration_ms, release_date: $t.release_date,
	    release_date_precision: $t.release_date_precision, uri: $t.uri} else null end),
	  (if $t == null then "track unavailable" elif $t.id == null then "episode unavailable" else null end)]' "$E" | tr '\n' ' ')" \
	"an episode is an entry of its own, an unavailable one keeps its place with a reason"
is "$(jq -c 'select(.type=="RECORD") | .record.track | select(.) | .album | [.id, .title]' "$out")" \
	'["4aawyAB9vmqN3uQ7FjRGTy",""]' "a taken-down album keeps its empty name"
is "$(jq -c 'select(.type=="RECORD") | .record | keys_unsorted' "$out" | sort -u)" \
	'["provider","id","playlist_id","position","added_at","added_by","track","episode","reason"]' \
	"every entry has the same keys"
run 0 "parse | validate keeps every entry" -- bash -c "parse -p spotify -s playlist_items '$E' | validate"
is "$(jq -c 'select(.type=="RECORD") | .record.position' "$out" | tr '\n' ' ')" "0 1 2 3 " \
	"no position is lost"
ok 'grep -q "track: album: empty title (taken down?), kept" "$err"' "the taken-down album is a warning"

run 0 "an empty playlist page" -- parse -p spotify -s playlist_items "$C/spotify.playlist_items.playlist-tracks-empty.json"
is "$(jq -c 'select(.type=="RECORD")' "$out" | wc -l)" 0 "an empty playlist has no records"

# Apple Music: prefixed ids, artwork templates filled in, derived album ids
compare apple-music artists "$C/apple-music.artists.library-artists-page1.json" '{id, name}' \
	'.data[] | {id, name: .attributes.name}'
compare apple-music artists "$F/apple-library-artists.json" '{id, name}' \
	'.data[] | {id, name: .attributes.name}'
compare apple-music tracks "$F/apple-library-songs.json" \
	'{id, title, duration_ms, artists: [.artists[].name], track_number, disc_number, image_url}' \
	'.data[] | .attributes as $a | {id, title: $a.name, duration_ms: $a.durationInMillis,
	  artists: [$a.artistName], track_number: $a.trackNumber, disc_number: $a.discNumber,
	  image_url: ($a.artwork.url | sub("\\{w\\}"; "1200") | sub("\\{h\\}"; "1200"))}'
compare apple-music tracks "$C/apple-music.tracks.library-songs-page1.json" \
	'{id, title, album: .album.title}' '.data[] | {id, title: .attributes.name, album: .attributes.albumName}'
is "$(jq -r 'select(.type=="RECORD") | .record.album.id' "$out" | sort -u | wc -l)" 2 \
	"two songs of different albums get two derived album ids"
ok '[ "$(jq -r "select(.type==\"RECORD\") | .record.album.id" "$out" | grep -c "^derived:")" = 2 ]' \
	"derived ids say so"

# Apple Music catalog fields: library resources carry no ISRC, UPC, label or
# album kind; relationships.catalog.data[0] (include=catalog) does, when Apple
# matched the item (the fixtures say where their shape comes from)
A=$fixtures/apple-library-albums-catalog.json
compare apple-music albums "$A" '{id, release_date, release_date_precision, album_type, label: .label, upc, total_tracks}' \
	'.data[] | .attributes as $l | (.relationships.catalog.data[0].attributes // {}) as $c |
	 {id, release_date: ($c.releaseDate // $l.releaseDate), release_date_precision: (($c.releaseDate // $l.releaseDate) |
	  if . == null then null elif length == 10 then "day" elif length == 4 then "year" else "month" end),
	  album_type: (if $c.isSingle then "single" elif $c.isCompilation then "compilation" elif $c.isSingle == false then "album" else null end),
	  label: $c.recordLabel, upc: $c.upc, total_tracks: ($c.trackCount // $l.trackCount)}'
is "$(jq -c 'select(.type=="RECORD") | .record | [.label, .upc, .album_type]' "$out" | head -1)" \
	'["Effyzzie Music Group","5060438970110","album"]' "apple albums: label, UPC and kind from the catalog"
S=$fixtures/apple-library-songs-catalog.json
compare apple-music tracks "$S" '{id, isrc, release_date}' \
	'.data[] | (.relationships.catalog.data[0].attributes // {}) as $c | {id, isrc: $c.isrc, release_date: $c.releaseDate}'
is "$(jq -r 'select(.type=="RECORD") | .record.isrc' "$out" | head -1)" GBKQU1600123 "apple songs: the ISRC from the catalog"
printf '%s' '{"data":[{"id":"r.1","type":"library-artists","attributes":{"name":"Yemi Alade"},"relationships":{"catalog":{"data":[{"id":"1015086563","type":"artists","attributes":{"name":"Yemi Alade","genreNames":["Afro-Pop"],"artwork":{"url":"https://a/{w}x{h}.jpg","width":100,"height":100}}}]}}}]}' >"$tmp/ar.json"
run 0 "apple artists with their catalog artist" -- parse -p apple-music -s artists "$tmp/ar.json"
is "$(jq -c 'select(.type=="RECORD") | .record | [.genres, .image_url, .uri]' "$out")" \
	'[["Afro-Pop"],"https://a/100x100.jpg","1015086563"]' "apple artists: genres, art and catalog id from the catalog"

# Deezer: numeric ids as text, time_add as ISO 8601, seconds to milliseconds
compare deezer tracks "$C/deezer.tracks.user-me-tracks-index0.json" \
	'{id, title, duration_ms, album: .album.id, artists: [.artists[].id], added_at}' \
	'.data[] | {id: (.id|tostring), title, duration_ms: (.duration * 1000), album: (.album.id|tostring),
	  artists: [.artist.id|tostring], added_at: (.time_add | todate)}'
compare deezer albums "$C/deezer.albums.user-albums.json" \
	'{id, title, artists: [.artists[].name], release_date, total_tracks, added_at}' \
	'.data[] | {id: (.id|tostring), title, artists: [.artist.name], release_date,
	  total_tracks: .nb_tracks, added_at: (.time_add | todate)}'
compare deezer artists "$C/deezer.artists.user-artists.json" '{id, name, followers, added_at}' \
	'.data[] | {id: (.id|tostring), name, followers: .nb_fan, added_at: (.time_add | todate)}'
compare deezer playlists "$C/deezer.playlists.user-playlists.json" \
	'{id, name, owner: .owner.id, snapshot_id, track_count, added_at}' \
	'.data[] | {id: (.id|tostring), name: .title, owner: (.creator.id|tostring), snapshot_id: .checksum,
	  track_count: .nb_tracks, added_at: (if .time_add > 0 then (.time_add | todate) else null end)}'

# Several pages in a row, and the stream and time on every record
cat "$C/spotify.tracks.me-tracks-offset0.json" "$F/spotify-me-tracks.json" >"$tmp/two.json"
run 0 "two pages in a row" -- parse -p spotify -s tracks "$tmp/two.json"
is "$(jq -c 'select(.type=="RECORD")' "$out" | wc -l | tr -d ' ')" 30 "both pages' items"
is "$(head -1 "$out" | jq -r '.type + " " + .stream + " " + (.key_properties|join(","))')" \
	"SCHEMA tracks provider,id" "a SCHEMA comes first"

# Raw items as fetch-pages --raw emits them: mapped, other messages passed through in order
jq -c '.items | to_entries[] | {type: "RECORD", stream: "playlist_items", record: .value,
	context: {playlist_id: "PL", position: (500 + .key)}}' "$F/spotify-playlist-items-2026.json" >"$tmp/raw"
echo '{"type":"STATE","value":{"bookmarks":{"playlist_items:PL":{"offset":550}}}}' >>"$tmp/raw"
run 0 "raw items (messages)" -- parse -p spotify -s playlist_items "$tmp/raw"
is "$(jq -r 'select(.type=="RECORD") | .record.id' "$out" | tr '\n' ' ')" "PL:500 PL:501 " \
	"raw entries keep their playlist and position"
is "$(tail -1 "$out" | jq -r .type)" STATE "the STATE passes through, last"

# Bad input: an item without an id, a truncated page, junk lines, a line over the cap
printf '{"items":[{"added_at":"x","track":{"id":"a1","name":"A"}},{"added_at":"y","track":{"name":"no id"}},{"track":{"id":"a3","name":"C"}}]}' >"$tmp/noid.json"
run 1 "an item without an id is skipped, exit 1" -- parse -p spotify -s tracks "$tmp/noid.json"
is "$(jq -r 'select(.type=="RECORD") | .record.id' "$out" | tr '\n' ' ')" "a1 a3 " "the others are records"
ok 'grep -q "page 1, item 2: track without an id" "$err"' "the warning names the page and the item"
head -c 5000 "$C/spotify.tracks.me-tracks-offset0.json" >"$tmp/trunc.json"
run 65 "a truncated page is exit 65" -- parse -p spotify -s tracks "$tmp/trunc.json" "$F/spotify-me-tracks.json"
ok 'grep -q "trunc.json: line 1: the body ended inside a value (truncated)" "$err"' "and says so, naming the file"
is "$(jq -r 'select(.type=="RECORD") | .record.id' "$out" | tail -1)" 5Hk4Mpex0s2ndUpDQ5v2rU \
	"the next file is still read"
{
	echo '{"type":"RECORD","stream":"artists","record":{"id":"a","name":"A"}}'
	echo 'not json at all'
	printf '{"type":"RECORD","stream":"artists","record":{"id":"b","name":"%s"}}\n' "$(head -c 3000 /dev/zero | tr '\0' x)"
	echo '{"type":"RECORD","stream":"artists","record":{"id":"c","name":"C"}}'
} >"$tmp/mixed"
run 1 "junk and over-cap lines are skipped" -- parse -p spotify -s artists -m 1k "$tmp/mixed"
is "$(jq -r 'select(.type=="RECORD") | .record.id' "$out" | tr '\n' ' ')" "a c " "the lines around them are kept"
ok 'grep -q "line 2: not JSON" "$err" && grep -q "line 3: line longer than the record cap" "$err"' \
	"errors name the line"

# issue 12: a \u0000 never cuts a string (an id "t1\u0000evil" was stored as t1,
# overwriting t1): the item is skipped, naming the member; a lone surrogate is U+FFFD
printf '%s' '{"items":[{"track":{"id":"t1","name":"One"}},{"track":{"id":"t1\u0000evil","name":"Evil"}},{"track":{"id":"t2","name":"a\ud800b"}}]}' >"$tmp/nul.json"
run 1 "an id with a NUL is skipped" -- parse -p spotify -s tracks "$tmp/nul.json"
is "$(jq -r 'select(.type=="RECORD") | .record | "\(.id)=\(.title)"' "$out" | tr '\n' ' ')" "t1=One t2=a"$'\xef\xbf\xbd'"b " \
	"t1 is not overwritten; the lone surrogate is U+FFFD"
ok 'grep -q "item 2: a NUL character (\\\\u0000) in \"id\"" "$err"' "the warning names the member"
printf '%s\n' '{"type":"RECORD","stream":"tracks","record":{"track":{"id":"t1\u0000evil","name":"Evil"}}}' >"$tmp/nul.raw"
run 1 "a raw item with a NUL is skipped" -- parse -p spotify -s tracks "$tmp/nul.raw"
ok 'grep -q "line 1: a NUL character (\\\\u0000) in \"id\"" "$err"' "the line is named, and the member"

# issue 12: a string of escaped quotes cost quadratic CPU in the page splitter
# (8 MiB: 14-22 s). Counted in instructions (callgrind), not in time: four
# times the string costs about four times the work, not sixteen.
if command -v valgrind >/dev/null && [ -z "${CRATE_BUILD:-}" ]; then
	for k in 128 512; do
		awk -v n=$((k * 1024)) 'BEGIN { printf "{\"items\":[{\"track\":{\"id\":\"x\",\"name\":\""; for (i = 0; i < n; i++) printf "\\\""; printf "\"}}]}" }' >"$tmp/q$k.json"
		valgrind --tool=callgrind --callgrind-out-file=/dev/null parse -p spotify -s tracks "$tmp/q$k.json" \
			2>"$tmp/cg$k" >/dev/null
		eval "ir$k=\$(sed -n 's/.*I *refs: *//p' '$tmp/cg$k' | tr -d ,)"
	done
	ok '[ -n "$ir128" ] && [ -n "$ir512" ] && [ $((ir512 * 10 / ir128)) -lt 60 ]' \
		"escaped quotes: linear work (${ir128:-?} then ${ir512:-?} instructions for 4 times the string)"
else
	ok true "escaped quotes: linear work # SKIP needs valgrind and the normal build"
fi

# Usage and output errors
run 0 "--help" -- parse --help
ok 'grep -q "^usage: parse" "$out"' "--help prints the usage on stdout"
run 64 "an unknown provider is a usage error" -- parse -p tidal -s tracks /dev/null
run 74 "a full disk is an error, not silence" -- sh -c "parse -p spotify -s tracks '$F/spotify-me-tracks.json' >/dev/full"
