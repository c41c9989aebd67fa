#include "prov.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util.h"

static const char *names[PROV_COUNT] = { "spotify", "apple-music", "deezer", "generic" };
const char *const prov_streams[STREAM_COUNT] = { "artists", "albums", "tracks", "playlists",
	"playlist_items" };

/* The index of name among the n of list, or -1. */
static int
index_of(const char *const *list, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return i;
	return -1;
}

int
prov_lookup(const char *name)
{
	return index_of(names, PROV_COUNT, name);
}

const char *
prov_name(int prov)
{
	return prov >= 0 && prov < PROV_COUNT ? names[prov] : "generic";
}

int
prov_stream_index(const char *stream)
{
	return index_of(prov_streams, STREAM_COUNT, stream);
}

int
prov_stream_known(const char *stream)
{
	return prov_stream_index(stream) >= 0;
}

char *
prov_bookmark_key(char *buf, size_t len, const char *stream, const char *playlist_id)
{
	if (playlist_id != NULL)
		snprintf(buf, len, "%s:%s", stream, playlist_id);
	else
		snprintf(buf, len, "%s", stream);
	return buf;
}

char *
prov_record_key(char *buf, size_t len, const char *stream, yajl_val record)
{
	const char *playlist = json_str(json_member(record, "playlist_id"));

	return prov_bookmark_key(buf, len, stream,
	    strcmp(stream, "playlist_items") == 0 ? playlist : NULL);
}

const char *
prov_items_path(int prov, const char *stream)
{
	switch (prov) {
	case PROV_SPOTIFY:
		return strcmp(stream, "artists") == 0 ? "artists.items" : "items";
	case PROV_APPLE:
	case PROV_DEEZER:
		return "data";
	default:
		return "";
	}
}

void
prov_derived_id(char out[PROV_DERIVED_LEN], const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	const char *parts[2] = { a ? a : "", b };

	for (int i = 0; i < 2 && parts[i]; i++) {
		const char *s = parts[i], *e = s + strlen(s);

		while (isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		for (; s < e; s++) {
			h ^= (unsigned char)tolower((unsigned char)*s);
			h *= 1099511628211ULL;
		}
		h ^= 0;
		h *= 1099511628211ULL;
	}
	snprintf(out, PROV_DERIVED_LEN, "derived:%016llx", (unsigned long long)h);
}

/* ---- small writers shared by the mappings ---- */

/* A number as given, or null when v is not a number. */
static void
num_or_null(struct jw *w, const char *key, yajl_val v)
{
	jw_key(w, key);
	if (v != NULL && v->type == yajl_t_number)
		jw_num_raw(w, v->u.number.r);
	else
		jw_null(w);
}

static void
bool_or_null(struct jw *w, const char *key, yajl_val v)
{
	jw_key(w, key);
	if (v != NULL && (v->type == yajl_t_true || v->type == yajl_t_false))
		jw_bool(w, v->type == yajl_t_true);
	else
		jw_null(w);
}

static void
id_or_null(struct jw *w, const char *key, yajl_val v)
{
	char nb[32];

	jw_kstr(w, key, json_id(v, nb));
}

/* {id, name} of an object (its name under name_key), or null when it is none. */
static void
id_name(struct jw *w, const char *key, yajl_val v, const char *name_key)
{
	jw_key(w, key);
	if (json_is_null(v) || v->type != yajl_t_object) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	id_or_null(w, "id", json_member(v, "id"));
	jw_kstr(w, "name", json_str(json_member(v, name_key)));
	jw_obj_end(w);
}

/* An array of strings, [] when absent. */
static void
strings(struct jw *w, const char *key, yajl_val arr)
{
	jw_key(w, key);
	jw_arr(w);
	for (size_t i = 0; i < json_len(arr); i++)
		if (json_str(json_at(arr, i)))
			jw_str(w, json_str(json_at(arr, i)));
	jw_arr_end(w);
}

/* The Deezer unix time as ISO 8601; 0 (Deezer's "unknown") and absent are null. */
static void
unix_time(struct jw *w, const char *key, yajl_val v)
{
	char iso[ISO8601_LEN];
	long long t;

	jw_key(w, key);
	if (json_int(v, &t) == 0 && t > 0) {
		iso8601_format((time_t)t, iso);
		jw_str(w, iso);
	} else {
		jw_null(w);
	}
}

static void
head(struct jw *w, const struct prov_ctx *c, const char *id)
{
	jw_obj(w);
	jw_kstr(w, "provider", prov_name(c->provider));
	jw_kstr(w, "id", id);
}

/* ---- Spotify ---- */

static const char *
spotify_image(yajl_val images)
{
	return json_str(json_get(json_at(images, 0), "url", NULL));
}

/* [{id,name}], ids derived from the name where Spotify gives none (local files). */
static void
name_refs(struct jw *w, const char *key, yajl_val arr, const char *name_key)
{
	char nb[32], derived[PROV_DERIVED_LEN];
	const char *id, *name;
	yajl_val a;

	jw_key(w, key);
	jw_arr(w);
	for (size_t i = 0; i < json_len(arr); i++) {
		a = json_at(arr, i);
		name = json_str(json_member(a, name_key));
		id = json_id(json_member(a, "id"), nb);
		if (id == NULL && name == NULL)
			continue;
		if (id == NULL) {
			prov_derived_id(derived, name, NULL);
			id = derived;
		}
		jw_obj(w);
		jw_kstr(w, "id", id);
		jw_kstr(w, "name", name);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/* The id of a Spotify track: its id, or for a local file its uri. */
static const char *
spotify_track_id(yajl_val t)
{
	const char *id = json_str(json_member(t, "id"));

	if (id == NULL || *id == '\0')
		if (json_bool(json_member(t, "is_local"), 0))
			id = json_str(json_member(t, "uri"));
	return id && *id ? id : NULL;
}

static void
spotify_track(struct jw *w, const struct prov_ctx *c, yajl_val t, yajl_val added_at)
{
	yajl_val album = json_member(t, "album"), artists = json_member(t, "artists");
	const char *album_id = json_str(json_member(album, "id"));
	const char *album_name = json_str(json_member(album, "name"));
	const char *artist_name = json_str(json_get(json_at(artists, 0), "name", NULL));
	const char *album_artist;
	char derived[PROV_DERIVED_LEN];

	head(w, c, spotify_track_id(t));
	jw_kstr(w, "title", json_str(json_member(t, "name")));
	num_or_null(w, "duration_ms", json_member(t, "duration_ms"));
	jw_key(w, "album");
	if (json_is_null(album) || (album_id == NULL && album_name == NULL)) {
		jw_null(w);
	} else {
		if (album_id == NULL || *album_id == '\0') {
			/* a local file's album: known by its names only */
			album_artist = json_str(json_get(json_at(json_member(album, "artists"), 0),
			    "name", NULL));
			prov_derived_id(derived, album_artist ? album_artist : artist_name, album_name);
			album_id = derived;
		}
		jw_obj(w);
		jw_kstr(w, "id", album_id);
		jw_kstr(w, "title", album_name);
		jw_kstr(w, "image_url", spotify_image(json_member(album, "images")));
		jw_kstr(w, "release_date", json_str(json_member(album, "release_date")));
		jw_kstr(w, "release_date_precision",
		    json_str(json_member(album, "release_date_precision")));
		jw_kstr(w, "album_type", json_str(json_member(album, "album_type")));
		name_refs(w, "artists", json_member(album, "artists"), "name");
		jw_obj_end(w);
	}
	name_refs(w, "artists", artists, "name");
	num_or_null(w, "track_number", json_member(t, "track_number"));
	num_or_null(w, "disc_number", json_member(t, "disc_number"));
	jw_kstr(w, "isrc", json_str(json_get(t, "external_ids", "isrc", NULL)));
	bool_or_null(w, "explicit", json_member(t, "explicit"));
	jw_kbool(w, "is_local", json_bool(json_member(t, "is_local"), 0));
	jw_kstr(w, "uri", json_str(json_member(t, "uri")));
	num_or_null(w, "popularity", json_member(t, "popularity"));
	jw_kstr(w, "added_at", json_str(added_at));
	jw_obj_end(w);
}

static int
spotify(const struct prov_ctx *c, yajl_val it, struct jw *w, const char **why)
{
	const char *s = c->stream;
	yajl_val v, t;

	if (strcmp(s, "artists") == 0) {
		/* followed artists are bare artist objects; saved ones could be wrapped */
		v = json_member(it, "artist") ? json_member(it, "artist") : it;
		if (json_str(json_member(v, "id")) == NULL)
			return *why = "artist without an id", -1;
		head(w, c, json_str(json_member(v, "id")));
		jw_kstr(w, "name", json_str(json_member(v, "name")));
		strings(w, "genres", json_member(v, "genres"));
		jw_kstr(w, "image_url", spotify_image(json_member(v, "images")));
		num_or_null(w, "popularity", json_member(v, "popularity"));
		num_or_null(w, "followers", json_get(v, "followers", "total", NULL));
		jw_kstr(w, "uri", json_str(json_member(v, "uri")));
		jw_kstr(w, "added_at", json_str(json_member(it, "added_at")));
		jw_obj_end(w);
		return 0;
	}
	if (strcmp(s, "albums") == 0) {
		v = json_member(it, "album") ? json_member(it, "album") : it;
		if (json_str(json_member(v, "id")) == NULL)
			return *why = "album without an id", -1;
		head(w, c, json_str(json_member(v, "id")));
		jw_kstr(w, "title", json_str(json_member(v, "name")));
		name_refs(w, "artists", json_member(v, "artists"), "name");
		jw_kstr(w, "release_date", json_str(json_member(v, "release_date")));
		jw_kstr(w, "release_date_precision",
		    json_str(json_member(v, "release_date_precision")));
		jw_kstr(w, "album_type", json_str(json_member(v, "album_type")));
		num_or_null(w, "total_tracks", json_member(v, "total_tracks"));
		jw_kstr(w, "label", json_str(json_member(v, "label")));
		jw_kstr(w, "upc", json_str(json_get(v, "external_ids", "upc", NULL)));
		jw_kstr(w, "image_url", spotify_image(json_member(v, "images")));
		strings(w, "genres", json_member(v, "genres"));
		num_or_null(w, "popularity", json_member(v, "popularity"));
		jw_kstr(w, "uri", json_str(json_member(v, "uri")));
		jw_kstr(w, "added_at", json_str(json_member(it, "added_at")));
		jw_obj_end(w);
		return 0;
	}
	if (strcmp(s, "tracks") == 0) {
		t = json_member(it, "track") ? json_member(it, "track") : it;
		if (spotify_track_id(t) == NULL)
			return *why = "track without an id", -1;
		spotify_track(w, c, t, json_member(it, "added_at"));
		return 0;
	}
	if (strcmp(s, "playlists") == 0) {
		if (json_str(json_member(it, "id")) == NULL)
			return *why = "playlist without an id", -1;
		head(w, c, json_str(json_member(it, "id")));
		jw_kstr(w, "name", json_str(json_member(it, "name")));
		jw_kstr(w, "description", json_str(json_member(it, "description")));
		id_name(w, "owner", json_member(it, "owner"), "display_name");
		jw_kstr(w, "image_url", spotify_image(json_member(it, "images")));
		jw_kstr(w, "snapshot_id", json_str(json_member(it, "snapshot_id")));
		/* 2026 playlists count their entries under "items", before that "tracks" */
		v = json_get(it, "items", "total", NULL);
		num_or_null(w, "track_count", v ? v : json_get(it, "tracks", "total", NULL));
		bool_or_null(w, "public", json_member(it, "public"));
		bool_or_null(w, "collaborative", json_member(it, "collaborative"));
		jw_kstr(w, "uri", json_str(json_member(it, "uri")));
		jw_obj_end(w);
		return 0;
	}
	return -2;
}

/* ---- Apple Music ---- */

/* An artwork url template with its {w} and {h} filled in from its width and height. */
static void
apple_artwork(struct jw *w, const char *key, yajl_val art)
{
	const char *url = json_str(json_member(art, "url"));
	long long wd = 0, ht = 0;
	struct buf b;
	const char *p;

	jw_key(w, key);
	if (url == NULL) {
		jw_null(w);
		return;
	}
	if (json_int(json_member(art, "width"), &wd) != 0 || wd <= 0)
		wd = 600;
	if (json_int(json_member(art, "height"), &ht) != 0 || ht <= 0)
		ht = wd;
	buf_init(&b);
	for (p = url; *p; p++) {
		if (strncmp(p, "{w}", 3) == 0) {
			buf_printf(&b, "%lld", wd);
			p += 2;
		} else if (strncmp(p, "{h}", 3) == 0) {
			buf_printf(&b, "%lld", ht);
			p += 2;
		} else if (strncmp(p, "{f}", 3) == 0) {
			buf_adds(&b, "jpg");
			p += 2;
		} else {
			buf_addc(&b, *p);
		}
	}
	jw_str(w, b.data);
	buf_free(&b);
}

/* Related resources ({data:[{id,attributes:{name}}]}), else one derived from a name. */
static void
apple_refs(struct jw *w, const char *key, yajl_val rel, const char *name, const char *name2)
{
	char derived[PROV_DERIVED_LEN];
	yajl_val d = json_member(rel, "data"), r;

	jw_key(w, key);
	jw_arr(w);
	if (json_len(d) > 0) {
		for (size_t i = 0; i < json_len(d); i++) {
			r = json_at(d, i);
			if (json_str(json_member(r, "id")) == NULL)
				continue;
			jw_obj(w);
			jw_kstr(w, "id", json_str(json_member(r, "id")));
			jw_kstr(w, "name", json_str(json_get(r, "attributes", "name", NULL)));
			jw_obj_end(w);
		}
	} else if (name != NULL) {
		prov_derived_id(derived, name, name2);
		jw_obj(w);
		jw_kstr(w, "id", derived);
		jw_kstr(w, "name", name);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/*
 * Library resources (library-songs, -albums, -artists) carry no ISRC, UPC,
 * record label or album kind; their catalog resource does, requested with
 * include=catalog as relationships.catalog.data[0]
 * (https://developer.apple.com/documentation/applemusicapi/libraryalbums/relationships-data.dictionary,
 * LibraryAlbumsCatalogRelationship; the same for LibrarySongs and LibraryArtists).
 * Its attributes are those of Songs (isrc, releaseDate:
 * https://developer.apple.com/documentation/applemusicapi/songs/attributes-data.dictionary),
 * Albums (recordLabel, upc, isSingle, isCompilation, releaseDate:
 * https://developer.apple.com/documentation/applemusicapi/albums/attributes-data.dictionary)
 * or Artists (genreNames, artwork). data may be [] for a library item Apple
 * did not match to the catalog (developer forums, "Catalog relationships empty
 * for /me/library/albums": "catalog": {"href": ..., "data": []}): then the
 * library's own attributes, or null.
 */
static yajl_val
apple_catalog(yajl_val it)
{
	return json_member(json_at(json_get(it, "relationships", "catalog", "data", NULL), 0),
	    "attributes");
}

/* The catalog's attribute when it has one, else the library's. */
static yajl_val
apple_attr(yajl_val lib, yajl_val cat, const char *key)
{
	yajl_val v = json_member(cat, key);

	return json_is_null(v) ? json_member(lib, key) : v;
}

static void
apple_song(struct jw *w, const struct prov_ctx *c, yajl_val it)
{
	yajl_val a = json_member(it, "attributes"), cat = apple_catalog(it);
	yajl_val albums = json_get(it, "relationships", "albums", "data", NULL);
	yajl_val album = json_at(albums, 0);
	const char *artist = json_str(json_member(a, "artistName"));
	const char *album_name = json_str(json_member(a, "albumName"));
	const char *rating = json_str(json_member(a, "contentRating"));
	char derived[PROV_DERIVED_LEN];

	head(w, c, json_str(json_member(it, "id")));
	jw_kstr(w, "title", json_str(json_member(a, "name")));
	num_or_null(w, "duration_ms", json_member(a, "durationInMillis"));
	jw_key(w, "album");
	if (album != NULL && json_str(json_member(album, "id")) != NULL) {
		jw_obj(w);
		jw_kstr(w, "id", json_str(json_member(album, "id")));
		jw_kstr(w, "title", json_str(json_get(album, "attributes", "name", NULL)));
		jw_obj_end(w);
	} else if (album_name != NULL) {
		prov_derived_id(derived, artist, album_name);
		jw_obj(w);
		jw_kstr(w, "id", derived);
		jw_kstr(w, "title", album_name);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	apple_refs(w, "artists", json_get(it, "relationships", "artists", NULL), artist, NULL);
	num_or_null(w, "track_number", json_member(a, "trackNumber"));
	num_or_null(w, "disc_number", json_member(a, "discNumber"));
	jw_kstr(w, "isrc", json_str(apple_attr(a, cat, "isrc")));
	jw_key(w, "explicit");
	if (rating)
		jw_bool(w, strcmp(rating, "explicit") == 0);
	else
		jw_null(w);
	jw_kbool(w, "is_local", 0);
	jw_kstr(w, "uri", json_str(json_get(a, "playParams", "catalogId", NULL)));
	apple_artwork(w, "image_url", json_member(a, "artwork"));
	strings(w, "genres", json_member(a, "genreNames"));
	jw_kstr(w, "release_date", json_str(apple_attr(a, cat, "releaseDate")));
	jw_kstr(w, "added_at", json_str(json_member(a, "dateAdded")));
	jw_obj_end(w);
}

static int
apple(const struct prov_ctx *c, yajl_val it, struct jw *w, const char **why)
{
	const char *s = c->stream, *id = json_str(json_member(it, "id"));
	yajl_val a = json_member(it, "attributes"), cat = apple_catalog(it);
	const char *date;

	if (!prov_stream_known(s))
		return -2;
	if (id == NULL || *id == '\0')
		return *why = "item without an id", -1;
	if (strcmp(s, "tracks") == 0) {
		apple_song(w, c, it);
		return 0;
	}
	head(w, c, id);
	if (strcmp(s, "artists") == 0) {
		jw_kstr(w, "name", json_str(json_member(a, "name")));
		strings(w, "genres", apple_attr(a, cat, "genreNames"));
		apple_artwork(w, "image_url", apple_attr(a, cat, "artwork"));
		jw_key(w, "popularity");
		jw_null(w);
		jw_key(w, "followers");
		jw_null(w);
		jw_kstr(w, "uri", json_str(json_get(a, "playParams", "catalogId", NULL)) ?
		    json_str(json_get(a, "playParams", "catalogId", NULL)) :
		    json_str(json_member(json_at(json_get(it, "relationships", "catalog", "data", NULL), 0),
		    "id")));
		jw_kstr(w, "added_at", json_str(json_member(a, "dateAdded")));
	} else if (strcmp(s, "albums") == 0) {
		date = json_str(apple_attr(a, cat, "releaseDate"));
		jw_kstr(w, "title", json_str(json_member(a, "name")));
		apple_refs(w, "artists", json_get(it, "relationships", "artists", NULL),
		    json_str(json_member(a, "artistName")), NULL);
		jw_kstr(w, "release_date", date);
		jw_kstr(w, "release_date_precision", date_precision(date));
		jw_key(w, "album_type");
		if (json_bool(apple_attr(a, cat, "isSingle"), 0))
			jw_str(w, "single");
		else if (json_bool(apple_attr(a, cat, "isCompilation"), 0))
			jw_str(w, "compilation");
		else if (json_member(cat, "isSingle") || json_member(cat, "isCompilation"))
			jw_str(w, "album");	/* the catalog says it is neither */
		else
			jw_null(w);
		num_or_null(w, "total_tracks", apple_attr(a, cat, "trackCount"));
		jw_kstr(w, "label", json_str(apple_attr(a, cat, "recordLabel")));
		jw_kstr(w, "upc", json_str(apple_attr(a, cat, "upc")));
		apple_artwork(w, "image_url", json_member(a, "artwork"));
		strings(w, "genres", json_member(a, "genreNames"));
		jw_key(w, "popularity");
		jw_null(w);
		jw_kstr(w, "uri", json_str(json_get(a, "playParams", "catalogId", NULL)));
		jw_kstr(w, "added_at", json_str(json_member(a, "dateAdded")));
	} else {	/* playlists */
		jw_kstr(w, "name", json_str(json_member(a, "name")));
		jw_kstr(w, "description", json_str(json_get(a, "description", "standard", NULL)));
		jw_key(w, "owner");
		jw_null(w);
		apple_artwork(w, "image_url", json_member(a, "artwork"));
		/* Apple has no snapshot id; the last modification date changes with the list */
		jw_kstr(w, "snapshot_id", json_str(json_member(a, "lastModifiedDate")));
		num_or_null(w, "track_count", json_get(it, "relationships", "tracks", "meta", "total",
		    NULL));
		bool_or_null(w, "public", json_member(a, "isPublic"));
		jw_kbool(w, "collaborative", 0);
		jw_kstr(w, "uri", json_str(json_get(a, "playParams", "globalId", NULL)));
		jw_kstr(w, "added_at", json_str(json_member(a, "dateAdded")));
	}
	jw_obj_end(w);
	return 0;
}

/* ---- Deezer ---- */

static void
deezer_artist_ref(struct jw *w, const char *key, yajl_val artist)
{
	jw_key(w, key);
	jw_arr(w);
	if (!json_is_null(artist) && json_member(artist, "id")) {
		jw_obj(w);
		id_or_null(w, "id", json_member(artist, "id"));
		jw_kstr(w, "name", json_str(json_member(artist, "name")));
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void
deezer_track(struct jw *w, const struct prov_ctx *c, yajl_val t, const char *id)
{
	yajl_val album = json_member(t, "album"), v;
	long long secs;

	head(w, c, id);
	jw_kstr(w, "title", json_str(json_member(t, "title")));
	jw_key(w, "duration_ms");
	v = json_member(t, "duration");
	if (json_int(v, &secs) == 0)
		jw_int(w, secs * 1000);
	else
		jw_null(w);
	jw_key(w, "album");
	if (json_is_null(album)) {
		jw_null(w);
	} else {
		jw_obj(w);
		id_or_null(w, "id", json_member(album, "id"));
		jw_kstr(w, "title", json_str(json_member(album, "title")));
		jw_kstr(w, "image_url", json_str(json_member(album, "cover_xl")));
		jw_kstr(w, "release_date", json_str(json_member(album, "release_date")));
		jw_obj_end(w);
	}
	deezer_artist_ref(w, "artists", json_member(t, "artist"));
	num_or_null(w, "track_number", json_member(t, "track_position"));
	num_or_null(w, "disc_number", json_member(t, "disk_number"));
	jw_kstr(w, "isrc", json_str(json_member(t, "isrc")));
	bool_or_null(w, "explicit", json_member(t, "explicit_lyrics"));
	jw_kbool(w, "is_local", 0);
	jw_kstr(w, "uri", json_str(json_member(t, "link")));
	num_or_null(w, "popularity", json_member(t, "rank"));
	unix_time(w, "added_at", json_member(t, "time_add"));
	jw_obj_end(w);
}

static int
deezer(const struct prov_ctx *c, yajl_val it, struct jw *w, const char **why)
{
	const char *s = c->stream, *id, *date;
	char nb[32];

	if (!prov_stream_known(s))
		return -2;
	if ((id = json_id(json_member(it, "id"), nb)) == NULL)
		return *why = "item without an id", -1;
	if (strcmp(s, "tracks") == 0) {
		deezer_track(w, c, it, id);
		return 0;
	}
	head(w, c, id);
	if (strcmp(s, "artists") == 0) {
		jw_kstr(w, "name", json_str(json_member(it, "name")));
		strings(w, "genres", NULL);
		jw_kstr(w, "image_url", json_str(json_member(it, "picture_xl")));
		jw_key(w, "popularity");
		jw_null(w);
		num_or_null(w, "followers", json_member(it, "nb_fan"));
		jw_kstr(w, "uri", json_str(json_member(it, "link")));
		unix_time(w, "added_at", json_member(it, "time_add"));
	} else if (strcmp(s, "albums") == 0) {
		date = json_str(json_member(it, "release_date"));
		jw_kstr(w, "title", json_str(json_member(it, "title")));
		deezer_artist_ref(w, "artists", json_member(it, "artist"));
		jw_kstr(w, "release_date", date);
		jw_kstr(w, "release_date_precision", date_precision(date));
		jw_kstr(w, "album_type", json_str(json_member(it, "record_type")));
		num_or_null(w, "total_tracks", json_member(it, "nb_tracks"));
		jw_kstr(w, "label", json_str(json_member(it, "label")));
		jw_kstr(w, "upc", json_str(json_member(it, "upc")));
		jw_kstr(w, "image_url", json_str(json_member(it, "cover_xl")));
		strings(w, "genres", NULL);
		num_or_null(w, "popularity", json_member(it, "fans"));
		jw_kstr(w, "uri", json_str(json_member(it, "link")));
		unix_time(w, "added_at", json_member(it, "time_add"));
	} else {	/* playlists */
		jw_kstr(w, "name", json_str(json_member(it, "title")));
		jw_kstr(w, "description", json_str(json_member(it, "description")));
		id_name(w, "owner", json_member(it, "creator"), "name");
		jw_kstr(w, "image_url", json_str(json_member(it, "picture_xl")));
		jw_kstr(w, "snapshot_id", json_str(json_member(it, "checksum")));
		num_or_null(w, "track_count", json_member(it, "nb_tracks"));
		bool_or_null(w, "public", json_member(it, "public"));
		bool_or_null(w, "collaborative", json_member(it, "collaborative"));
		jw_kstr(w, "uri", json_str(json_member(it, "link")));
		unix_time(w, "added_at", json_member(it, "time_add"));
	}
	jw_obj_end(w);
	return 0;
}

/* ---- playlist entries, every provider ---- */

/*
 * A podcast episode in a Spotify playlist. With additional_types=track,episode
 * an entry's track (or item) is a track object or an episode object, told apart
 * by "type" ("track" or "episode"); an episode has a show where a track has an
 * album (https://developer.spotify.com/documentation/web-api/reference/get-playlists-items,
 * "track: oneOf TrackObject, EpisodeObject"; EpisodeObject: id, name, duration_ms,
 * release_date, release_date_precision, show {id, name, ...}, uri).
 */
static int
spotify_is_episode(yajl_val t)
{
	const char *type = json_str(json_member(t, "type"));

	return type != NULL && strcmp(type, "episode") == 0;
}

static void
spotify_episode(struct jw *w, yajl_val e)
{
	const char *date = json_str(json_member(e, "release_date"));
	const char *prec = json_str(json_member(e, "release_date_precision"));
	char nb[32];

	jw_obj(w);
	jw_kstr(w, "provider", prov_name(PROV_SPOTIFY));
	jw_kstr(w, "id", json_id(json_member(e, "id"), nb));
	jw_kstr(w, "title", json_str(json_member(e, "name")));
	id_name(w, "show", json_member(e, "show"), "name");
	num_or_null(w, "duration_ms", json_member(e, "duration_ms"));
	jw_kstr(w, "release_date", date);
	jw_kstr(w, "release_date_precision", prec ? prec : date_precision(date));
	jw_kstr(w, "uri", json_str(json_member(e, "uri")));
	jw_obj_end(w);
}

static int
playlist_item(const struct prov_ctx *c, yajl_val it, struct jw *w, const char **why)
{
	char id[512], nb[32];
	const char *added_by = NULL, *reason = NULL;
	yajl_val t = NULL, added_at = NULL, episode = NULL;
	struct prov_ctx tc = *c;

	if (c->playlist_id == NULL || *c->playlist_id == '\0')
		return *why = "playlist entry without a playlist id", -1;
	if (c->position < 0)
		return *why = "playlist entry without a position", -1;
	if (snprintf(id, sizeof id, "%s:%lld", c->playlist_id, c->position) >= (int)sizeof id)
		return *why = "playlist id too long", -1;
	tc.stream = "tracks";
	switch (c->provider) {
	case PROV_SPOTIFY:
		/* since 2026 the entry is under "item"; "track" stays, deprecated */
		t = json_member(it, "item");
		if (json_is_null(t))
			t = json_member(it, "track");
		added_at = json_member(it, "added_at");
		added_by = json_str(json_get(it, "added_by", "id", NULL));
		if (!json_is_null(t) && spotify_is_episode(t)) {
			episode = t;
			t = NULL;
			if (json_id(json_member(episode, "id"), nb) == NULL) {
				episode = NULL;
				reason = "episode unavailable";
			}
		} else if (!json_is_null(t) && spotify_track_id(t) == NULL) {
			t = NULL;	/* unavailable: no id to refer to */
		}
		break;
	case PROV_APPLE:
		t = json_str(json_member(it, "id")) ? it : NULL;
		added_at = json_get(it, "attributes", "dateAdded", NULL);
		break;
	case PROV_DEEZER:
		t = json_id(json_member(it, "id"), nb) ? it : NULL;
		break;
	default:
		t = it;
		break;
	}
	jw_obj(w);
	jw_kstr(w, "provider", prov_name(c->provider));
	jw_kstr(w, "id", id);
	jw_kstr(w, "playlist_id", c->playlist_id);
	jw_kint(w, "position", c->position);
	if (c->provider == PROV_DEEZER)
		unix_time(w, "added_at", json_member(it, "time_add"));
	else
		jw_kstr(w, "added_at", json_str(added_at));
	jw_kstr(w, "added_by", added_by && *added_by ? added_by : NULL);
	jw_key(w, "track");
	if (json_is_null(t)) {
		jw_null(w);
	} else if (c->provider == PROV_SPOTIFY) {
		spotify_track(w, &tc, t, NULL);
	} else if (c->provider == PROV_APPLE) {
		apple_song(w, &tc, t);
	} else if (c->provider == PROV_DEEZER) {
		deezer_track(w, &tc, t, json_id(json_member(t, "id"), nb));
	} else {
		jw_value(w, t);
	}
	/* an entry that is neither keeps its position, with the reason why */
	jw_key(w, "episode");
	if (episode != NULL)
		spotify_episode(w, episode);
	else
		jw_null(w);
	if (json_is_null(t) && episode == NULL && reason == NULL)
		reason = "track unavailable";
	jw_kstr(w, "reason", reason);
	jw_obj_end(w);
	return 0;
}

/* Pass-through: the item with provider and a text id first. */
static int
generic(const struct prov_ctx *c, yajl_val it, struct jw *w, const char **why)
{
	char nb[32];
	const char *id = json_id(json_member(it, "id"), nb);

	if (id == NULL)
		return *why = "item without an id", -1;
	head(w, c, id);
	for (size_t i = 0; i < it->u.object.len; i++) {
		const char *k = it->u.object.keys[i];

		if (strcmp(k, "id") == 0 || strcmp(k, "provider") == 0)
			continue;
		jw_kvalue(w, k, it->u.object.values[i]);
	}
	jw_obj_end(w);
	return 0;
}

int
prov_map(const struct prov_ctx *c, yajl_val item, struct jw *w, const char **why)
{
	int rc = -2;

	*why = NULL;
	if (item == NULL || item->type != yajl_t_object)
		return *why = "item is not an object", -1;
	if (strcmp(c->stream, "playlist_items") == 0)
		return playlist_item(c, item, w, why);
	switch (c->provider) {
	case PROV_SPOTIFY:
		rc = spotify(c, item, w, why);
		break;
	case PROV_APPLE:
		rc = apple(c, item, w, why);
		break;
	case PROV_DEEZER:
		rc = deezer(c, item, w, why);
		break;
	}
	return rc == -2 ? generic(c, item, w, why) : rc;
}

int
prov_item_key(int prov, yajl_val item, char *out, size_t outlen)
{
	static const char *inner[] = { "item", "track", "album", "artist" };
	yajl_val v = item, in;
	char nb[32], added[32];
	const char *id;

	/* Spotify wraps saved things and playlist entries; the others do not */
	for (size_t i = 0; prov == PROV_SPOTIFY && i < sizeof inner / sizeof *inner; i++)
		if (!json_is_null(in = json_member(item, inner[i]))) {
			v = in;
			break;
		}
	id = json_id(json_member(v, "id"), nb);
	if (id == NULL)
		id = json_str(json_member(v, "uri"));
	if (id == NULL && prov == PROV_SPOTIFY && json_member(item, "added_at"))
		id = "null";	/* an unavailable playlist entry: its time still tells */
	if (id == NULL)
		return -1;
	if (prov_item_added(prov, item, added) != 0)
		added[0] = '\0';
	snprintf(out, outlen, "%s|%s", id, added);
	return 0;
}

int
prov_item_added(int prov, yajl_val item, char out[32])
{
	const char *s;
	long long t;

	if (prov == PROV_DEEZER) {
		if (json_int(json_member(item, "time_add"), &t) != 0 || t <= 0)
			return -1;
		iso8601_format((time_t)t, out);
		return 0;
	}
	s = json_str(json_member(item, "added_at"));
	if (s == NULL)
		s = json_str(json_get(item, "attributes", "dateAdded", NULL));
	if (s == NULL || strlen(s) >= 32)
		return -1;
	strcpy(out, s);
	return 0;
}
