#!/usr/bin/env bash
# provider-sim: pages and items have the key names of the real captures.
. "$(dirname "$0")/../lib.sh"

AUTH="Authorization: Bearer test-token"
C="$shared_fixtures/captures"
F="$shared_fixtures"

sim_start --local-files 0.2 --null-tracks 0.2 --tracks 120 --playlists 12 --playlist-max 80
get() { curl -sS -f -H "$AUTH" "$SIM_URL$1"; }
pl=$(get "/v1/me/playlists?limit=50" |
	jq -r '[.items[] | select(.tracks.total > 40 and .owner.id == "crate-sim")][0].id')

# Each row: fixture file | jq on the fixture | path on the simulator | jq on the page
# (a | inside jq is written \|).
checks=$(cat <<EOF
$C/spotify.tracks.me-tracks-offset0.json|keys|/v1/me/tracks?limit=50|keys
$C/spotify.tracks.me-tracks-offset0.json|.items[0] \| keys|/v1/me/tracks?limit=50|.items[0] \| keys
$C/spotify.tracks.me-tracks-offset0.json|.items[0].track \| keys|/v1/me/tracks?limit=50|.items[0].track \| keys
$C/spotify.tracks.me-tracks-offset0.json|.items[0].track.album \| keys|/v1/me/tracks?limit=50|.items[0].track.album \| keys
$C/spotify.tracks.me-tracks-offset0.json|.items[0].track.artists[0] \| keys|/v1/me/tracks?limit=50|.items[0].track.artists[0] \| keys
$C/spotify.albums.me-albums-offset0.json|keys|/v1/me/albums?limit=50|keys
$C/spotify.albums.me-albums-offset0.json|.items[0].album \| keys|/v1/me/albums?limit=50|.items[0].album \| keys
$C/spotify.albums.me-albums-offset0.json|.items[0].album.tracks \| keys|/v1/me/albums?limit=50|.items[0].album.tracks \| keys
$C/spotify.albums.me-albums-offset0.json|.items[0].album.tracks.items[0] \| keys|/v1/me/albums?limit=50|.items[0].album.tracks.items[0] \| keys
$C/spotify.artists.me-following-last.json|keys|/v1/me/following?type=artist|keys
$C/spotify.artists.me-following-last.json|.artists \| keys|/v1/me/following?type=artist|.artists \| keys
$C/spotify.artists.me-following-last.json|.artists.items[0] \| keys|/v1/me/following?type=artist|.artists.items[0] \| keys
$C/spotify.playlists.me-playlists-offset0.json|keys|/v1/me/playlists|keys
$C/spotify.playlists.me-playlists-offset0.json|.items[0] \| keys|/v1/me/playlists|.items[0] \| keys
$C/spotify.playlists.me-playlists-offset0.json|.items[0].owner \| keys|/v1/me/playlists|.items[0].owner \| keys
$C/spotify.playlist_items.playlist-tracks-offset0-local.json|keys|/v1/playlists/$pl/tracks?limit=50|keys
$C/spotify.playlist_items.playlist-tracks-offset0-local.json|.items[0] \| keys|/v1/playlists/$pl/tracks?limit=50|[.items[] \| select(.track != null and (.is_local \| not))][0] \| keys
$C/spotify.playlist_items.playlist-tracks-offset0-local.json|.items[0].track \| keys|/v1/playlists/$pl/tracks?limit=50|[.items[] \| select(.track != null and (.is_local \| not))][0].track \| keys
$C/spotify.playlist_items.playlist-tracks-offset0-local.json|[.items[] \| select(.is_local)][0].track \| keys|/v1/playlists/$pl/tracks?limit=50|[.items[] \| select(.is_local)][0].track \| keys
$C/spotify.playlist_items.playlist-tracks-offset0-local.json|[.items[] \| select(.is_local)][0].track.album \| keys|/v1/playlists/$pl/tracks?limit=50|[.items[] \| select(.is_local)][0].track.album \| keys
$C/spotify.playlist_items.playlist-tracks-offset0-local.json|[.items[] \| select(.is_local)][0].track.artists[0] \| keys|/v1/playlists/$pl/tracks?limit=50|[.items[] \| select(.is_local)][0].track.artists[0] \| keys
$F/spotify-playlist-items-2026.json|keys|/v1/playlists/$pl/items?limit=50|keys
$F/spotify-playlist-items-2026.json|.items[0] \| keys|/v1/playlists/$pl/items?limit=50|[.items[] \| select(.track != null and (.is_local \| not))][0] \| keys
$F/spotify-playlist-items-2026.json|.items[1] \| keys|/v1/playlists/$pl/items?limit=50|[.items[] \| select(.track == null)][0] \| keys
$F/spotify-playlist-items-2026.json|.items[1].added_by \| keys|/v1/playlists/$pl/items?limit=50|[.items[] \| select(.track == null)][0].added_by \| keys
$F/apple-library-songs.json|keys|/v1/me/library/songs|keys
$F/apple-library-songs.json|.data[0] \| keys|/v1/me/library/songs|.data[0] \| keys
$F/apple-library-songs.json|.data[0].attributes \| keys|/v1/me/library/songs|.data[0].attributes \| keys
$F/apple-library-songs.json|.data[0].attributes.playParams \| keys|/v1/me/library/songs|.data[0].attributes.playParams \| keys
$F/apple-library-artists.json|.data[0] \| keys|/v1/me/library/artists|.data[0] \| keys
$F/apple-library-artists.json|.data[0].attributes \| keys|/v1/me/library/artists|.data[0].attributes \| keys
$C/deezer.tracks.user-me-tracks-index0.json|keys|/user/me/tracks?limit=2|keys
$C/deezer.tracks.user-me-tracks-index0.json|.data[0] \| keys|/user/me/tracks|.data[0] \| keys
$C/deezer.tracks.user-me-tracks-index0.json|.data[0].album \| keys|/user/me/tracks|.data[0].album \| keys
$C/deezer.tracks.user-me-tracks-index0.json|.data[0].artist \| keys|/user/me/tracks|.data[0].artist \| keys
$C/deezer.albums.user-albums.json|.data[0] \| keys|/user/me/albums|.data[0] \| keys
$C/deezer.albums.user-albums.json|.data[0].artist \| keys|/user/me/albums|.data[0].artist \| keys
$C/deezer.artists.user-artists.json|.data[0] \| keys|/user/me/artists|.data[0] \| keys
$C/deezer.playlists.user-playlists.json|.data[0] \| keys|/user/me/playlists|.data[0] \| keys
$C/deezer.playlists.user-playlists.json|.data[0].creator \| keys|/user/me/playlists|.data[0].creator \| keys
EOF
)

plan $(( $(printf '%s\n' "$checks" | wc -l) + 1 ))
while IFS=$'\001' read -r file want path got; do
	is "$(get "$path" | jq -c "$got")" "$(jq -c "$want" "$file")" "${file##*/} $want = $path $got"
done < <(printf '%s\n' "$checks" | sed 's/\\|/\x02/g; s/|/\x01/g; s/\x02/|/g')
is "$(get /v1/me/library/songs | jq -c '.data[0].attributes.artwork | keys')" \
	"$(jq -c '.data[0].attributes.artwork | keys' "$F/apple-library-songs.json")" "apple artwork keys"
