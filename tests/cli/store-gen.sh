# tests/cli/store-gen.sh: input generators for the store and checkpoint tests
# (sourced after tests/lib.sh).

# gen_artists N PAGE SYNC_ID MODE COMPLETE [SKIP_IDS] [PROVIDER]
#   N artist records a1..aN (minus the ids listed in SKIP_IDS, e.g. "3 7"),
#   a STATE after every PAGE records, the last one complete:true when COMPLETE
#   is 1. Bookmarks count fetched, pages and offset like fetch-pages.
gen_artists() {
	awk -v n="$1" -v page="$2" -v sid="$3" -v mode="$4" -v complete="$5" \
	    -v skip="${6:-}" -v prov="${7:-spotify}" -v stream="${STREAM:-artists}" '
	function state(last) {
		pages++
		printf "{\"type\":\"STATE\",\"value\":{\"bookmarks\":{\"%s\":{\"sync_id\":\"%s\",\"mode\":\"%s\",\"next\":\"%s\",\"offset\":%d,\"fetched\":%d,\"total\":%d,\"pages\":%d,\"complete\":%s}}}}\n", stream, sid, mode, last ? "" : "cursor-" i, i, fetched, total, pages, (last && complete) ? "true" : "false"
	}
	BEGIN {
		split(skip, s, " "); for (k in s) skipped[s[k]] = 1
		total = n - length(skipped)
		printf "{\"type\":\"SCHEMA\",\"stream\":\"%s\",\"schema\":{},\"key_properties\":[\"provider\",\"id\"]}\n", stream
		for (i = 1; i <= n; i++) {
			if (!(i in skipped)) {
				printf "{\"type\":\"RECORD\",\"stream\":\"%s\",\"record\":{\"provider\":\"%s\",\"id\":\"a%d\",\"name\":\"Artist %d\",\"genres\":[\"g%d\"],\"image_url\":null,\"popularity\":%d,\"followers\":%d,\"uri\":\"x:artist:a%d\",\"added_at\":\"2026-01-01T00:00:00Z\"},\"time_extracted\":\"2026-11-22T03:00:00Z\"}\n", stream, prov, i, i, i % 7, i % 100, i * 3, i
				fetched++
			}
			if (i % page == 0 || i == n)
				state(i == n)
		}
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
