# tests/cli/store-gen.sh: input generators for the store and checkpoint tests
# (sourced after tests/lib.sh).

# gen STREAM N PAGE SYNC_ID MODE COMPLETE [SKIP_IDS]
#   Messages like fetch-pages | validate would write for one stream: N records
#   (ids 1..N minus those listed in SKIP_IDS, e.g. "3 7"), a STATE after every
#   PAGE records, the last one complete:true when COMPLETE is 1. Bookmarks count
#   fetched, pages and offset like fetch-pages. STREAM is artists, tracks
#   (with embedded album and artists) or playlist_items (playlist $PLAYLIST,
#   default p1, bookmark key playlist_items:p1). $PROVIDER: default spotify.
#   $VERSION changes the records' content (for updates).
gen() {
	awk -v stream="$1" -v n="$2" -v page="$3" -v sid="$4" -v mode="$5" \
	    -v complete="$6" -v skip="${7:-}" -v prov="${PROVIDER:-spotify}" \
	    -v pl="${PLAYLIST:-p1}" -v ver="${VERSION:-}" '
	function state(last,   key) {
		pages++
		key = stream == "playlist_items" ? "playlist_items:" pl : stream
		printf "{\"type\":\"STATE\",\"value\":{\"bookmarks\":{\"%s\":{\"sync_id\":\"%s\",\"mode\":\"%s\",\"next\":\"%s\",\"offset\":%d,\"fetched\":%d,\"total\":%d,\"pages\":%d,\"complete\":%s}}}}\n", key, sid, mode, last ? "" : "cursor-" i, i, fetched, total, pages, (last && complete) ? "true" : "false"
	}
	function track(i) {
		return sprintf("{\"provider\":\"%s\",\"id\":\"t%d\",\"title\":\"Track %d%s\",\"duration_ms\":%d,\"album\":{\"id\":\"al%d\",\"title\":\"Album %d\"},\"artists\":[{\"id\":\"a%d\",\"name\":\"Artist %d\"},{\"id\":\"a%d\",\"name\":\"Artist %d\"}],\"track_number\":%d,\"disc_number\":1,\"isrc\":null,\"explicit\":false,\"is_local\":false,\"uri\":\"x:track:t%d\"", prov, i, i, ver, 1000 + i, int(i / 10), int(i / 10), i % 50, i % 50, (i + 7) % 50, (i + 7) % 50, i % 10 + 1, i)
	}
	function record(i) {
		if (stream == "tracks")
			return track(i) ",\"added_at\":\"2026-01-01T00:00:00Z\"}"
		if (stream == "playlist_items")
			return sprintf("{\"provider\":\"%s\",\"id\":\"%s:%d\",\"playlist_id\":\"%s\",\"position\":%d,\"added_at\":\"2026-02-01T00:00:00Z\",\"added_by\":\"me%s\",\"track\":%s}", prov, pl, i - 1, pl, i - 1, ver, track(i % 2 ? i * 3 : 1000 + i) "}")
		return sprintf("{\"provider\":\"%s\",\"id\":\"a%d\",\"name\":\"Artist %d%s\",\"genres\":[\"g%d\"],\"image_url\":null,\"popularity\":%d,\"followers\":%d,\"uri\":\"x:artist:a%d\",\"added_at\":\"2026-01-01T00:00:00Z\"}", prov, i, i, ver, i % 7, i % 100, i * 3, i)
	}
	BEGIN {
		split(skip, s, " "); for (k in s) skipped[s[k]] = 1
		total = n - length(skipped)
		printf "{\"type\":\"SCHEMA\",\"stream\":\"%s\",\"schema\":{},\"key_properties\":[\"provider\",\"id\"]}\n", stream
		for (i = 1; i <= n; i++) {
			if (!(i in skipped)) {
				printf "{\"type\":\"RECORD\",\"stream\":\"%s\",\"record\":%s,\"time_extracted\":\"2026-11-22T03:00:00Z\"}\n", stream, record(i)
				fetched++
			}
			if (i % page == 0 || i == n)
				state(i == n)
		}
		if (n == 0)
			state(1)
	}'
}

# dump DB: the database's content without times and runs, sorted.
dump() {
	sqlite3 "$1" "
	  SELECT 'artists', provider, id, name, genres, popularity, stub, data FROM artists;
	  SELECT 'albums', provider, id, title, stub, data FROM albums;
	  SELECT 'tracks', provider, id, title, album_id, stub, data FROM tracks;
	  SELECT 'playlists', provider, id, name, stub, data FROM playlists;
	  SELECT 'items', provider, id, playlist_id, position, track_id, data FROM playlist_items;
	  SELECT 'album_artists', * FROM album_artists;
	  SELECT 'track_artists', * FROM track_artists;
	  SELECT 'library', provider, stream, id, added_at, sync_id, removed_at IS NULL FROM library;
	  SELECT 'checkpoints', provider, stream, state FROM checkpoints;" | sort
}

# q DB SQL: one value.
q() {
	sqlite3 "$1" "$2"
}
