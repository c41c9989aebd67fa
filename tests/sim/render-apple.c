/*
 * render-apple.c: the Apple Music API dialect: library resources
 * {next,data,meta:{total}} with a root-relative next, include= relationships
 * (albums, artists, catalog), a 404 for an empty collection.
 */
#include "render.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>


static void
ap_artwork(struct jw *w, uint64_t h)
{
	char s[160];

	jw_key(w, "artwork");
	jw_obj(w);
	jw_kint(w, "width", 1200);
	jw_kint(w, "height", 1200);
	snprintf(s, sizeof s, "https://is1-ssl.mzstatic.com/image/thumb/Music/%016" PRIx64
	    "/{w}x{h}bb.jpeg", h);
	jw_kstr(w, "url", s);
	jw_obj_end(w);
}

static void ap_catalog(struct ctx *c, int kind, long serial, const char *type, const char *id);

/* A library artist; top (an item of the page, not a relationship) may carry its catalog. */
static void
ap_artist_at(struct ctx *c, long serial, int top)
{
	struct jw *w = &c->w;
	struct artist ar;
	char id[SIM_ID_MAX], s[128];

	lib_artist(c->l, serial, &ar);
	lib_id(c->l, D_APPLE, K_ARTIST, serial, id);
	jw_obj(w);
	jw_kstr(w, "id", id);
	jw_kstr(w, "type", "library-artists");
	snprintf(s, sizeof s, "/v1/me/library/artists/%s", id);
	jw_kstr(w, "href", s);
	jw_key(w, "attributes");
	jw_obj(w);
	if (ar.bad != BAD_NO_NAME)
		jw_kstr(w, "name", ar.name);
	jw_obj_end(w);
	if (top && arg_lists(c, "include", "catalog")) {
		jw_key(w, "relationships");
		jw_obj(w);
		ap_catalog(c, K_ARTIST, serial, "artists", id);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void
ap_artist(struct ctx *c, long serial)
{
	ap_artist_at(c, serial, 0);
}

static void ap_album(struct ctx *c, long serial, int relationships);

/* A catalog id (digits) for library item serial of kind. */
static const char *
ap_catalog_id(struct ctx *c, int kind, long serial, char out[24])
{
	snprintf(out, 24, "%" PRIu64, (uint64_t)(1000000000ULL + lib_hash(c->l, kind, serial, 97) %
	    800000000ULL));
	return out;
}

/*
 * include=catalog: relationships.catalog of a library song, album or artist holds
 * the catalog resource with the attributes only the catalog has (isrc;
 * recordLabel, upc, copyright, isSingle, isCompilation).
 * https://developer.apple.com/documentation/applemusicapi/librarysongs/relationships-data.dictionary
 * (and libraryalbums/, libraryartists/); attribute names as in
 * https://developer.apple.com/documentation/applemusicapi/songs/attributes-data.dictionary
 * and albums/attributes-data.dictionary, and in a recorded catalog song
 * (mandar-saiyan87/audify---MuscicPlayer-webapp src/redux/charts.js).
 */
static void
ap_catalog(struct ctx *c, int kind, long serial, const char *type, const char *id)
{
	static const char *types[] = { "artists", "albums", "songs" };
	struct jw *w = &c->w;
	struct artist ar;
	struct album al;
	struct track t;
	char cid[24], s[160], date[24];

	jw_key(w, "catalog");
	jw_obj(w);
	snprintf(s, sizeof s, "/v1/me/library/%s/%s/catalog", type, id);
	jw_kstr(w, "href", s);
	jw_key(w, "data");
	jw_arr(w);
	jw_obj(w);
	ap_catalog_id(c, kind, serial, cid);
	jw_kstr(w, "id", cid);
	jw_kstr(w, "type", types[kind]);
	snprintf(s, sizeof s, "/v1/catalog/us/%s/%s", types[kind], cid);
	jw_kstr(w, "href", s);
	jw_key(w, "attributes");
	jw_obj(w);
	if (kind == K_ARTIST) {
		lib_artist(c->l, serial, &ar);
		jw_key(w, "genreNames");
		jw_arr(w);
		if (ar.ngenres > 0)
			jw_str(w, ar.genres[0]);
		jw_arr_end(w);
		jw_kstr(w, "name", ar.name);
		snprintf(s, sizeof s, "https://music.apple.com/us/artist/%s", cid);
		jw_kstr(w, "url", s);
	} else if (kind == K_ALBUM) {
		lib_album(c->l, serial, &al);
		lib_artist(c->l, al.artist, &ar);
		jw_kstr(w, "artistName", ar.name);
		ap_artwork(w, lib_hash(c->l, K_ALBUM, serial, 99));
		snprintf(s, sizeof s, "\u2117 %d %s", al.year, al.label);
		jw_kstr(w, "copyright", s);
		jw_key(w, "genreNames");
		jw_arr(w);
		jw_arr_end(w);
		jw_kbool(w, "isCompilation", strcmp(al.album_type, "compilation") == 0);
		jw_kbool(w, "isComplete", 1);
		jw_kbool(w, "isSingle", strcmp(al.album_type, "single") == 0);
		jw_kstr(w, "name", al.name);
		jw_key(w, "playParams");
		jw_obj(w);
		jw_kstr(w, "id", cid);
		jw_kstr(w, "kind", "album");
		jw_obj_end(w);
		jw_kstr(w, "recordLabel", al.label);
		release_date(&al, date, sizeof date);
		jw_kstr(w, "releaseDate", date);
		jw_kint(w, "trackCount", al.total_tracks);
		jw_kstr(w, "upc", al.upc);
		snprintf(s, sizeof s, "https://music.apple.com/us/album/%s", cid);
		jw_kstr(w, "url", s);
	} else {
		lib_track(c->l, serial, &t);
		lib_album(c->l, t.album, &al);
		lib_artist(c->l, t.artists[0], &ar);
		jw_kstr(w, "albumName", al.name);
		jw_kstr(w, "artistName", ar.name);
		ap_artwork(w, lib_hash(c->l, K_ALBUM, t.album, 99));
		jw_kint(w, "discNumber", t.disc_number);
		jw_kint(w, "durationInMillis", t.duration_ms);
		jw_key(w, "genreNames");
		jw_arr(w);
		jw_arr_end(w);
		jw_kbool(w, "hasLyrics", t.popularity % 2);
		jw_kstr(w, "isrc", t.isrc);
		jw_kstr(w, "name", t.name);
		jw_key(w, "playParams");
		jw_obj(w);
		jw_kstr(w, "id", cid);
		jw_kstr(w, "kind", "song");
		jw_obj_end(w);
		release_date(&al, date, sizeof date);
		jw_kstr(w, "releaseDate", date);
		jw_kint(w, "trackNumber", t.track_number);
		snprintf(s, sizeof s, "https://music.apple.com/us/album/%s?i=%s",
		    ap_catalog_id(c, K_ALBUM, t.album, date), cid);
		jw_kstr(w, "url", s);
	}
	jw_obj_end(w);
	jw_obj_end(w);
	jw_arr_end(w);
	jw_obj_end(w);
}

static void
ap_relationship(struct ctx *c, const char *type, const char *id, const char *rel,
    const long *serials, int n, int kind)
{
	struct jw *w = &c->w;
	char s[160];
	int i;

	jw_key(w, rel);
	jw_obj(w);
	snprintf(s, sizeof s, "/v1/me/library/%s/%s/%s", type, id, rel);
	jw_kstr(w, "href", s);
	jw_key(w, "data");
	jw_arr(w);
	for (i = 0; i < n; i++) {
		if (kind == K_ARTIST)
			ap_artist(c, serials[i]);
		else
			ap_album(c, serials[i], 0);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void
ap_album(struct ctx *c, long serial, int relationships)
{
	struct jw *w = &c->w;
	struct album al;
	struct artist ar;
	char id[SIM_ID_MAX], s[128], date[16];

	lib_album(c->l, serial, &al);
	lib_artist(c->l, al.artist, &ar);
	lib_id(c->l, D_APPLE, K_ALBUM, serial, id);
	jw_obj(w);
	jw_kstr(w, "id", id);
	jw_kstr(w, "type", "library-albums");
	snprintf(s, sizeof s, "/v1/me/library/albums/%s", id);
	jw_kstr(w, "href", s);
	jw_key(w, "attributes");
	jw_obj(w);
	jw_kstr(w, "artistName", ar.name);
	ap_artwork(w, lib_hash(c->l, K_ALBUM, serial, 99));
	kiso(w, "dateAdded", lib_added_at(c->l, K_ALBUM, serial, &c->l->albums));
	jw_key(w, "genreNames");
	jw_arr(w);
	jw_arr_end(w);
	if (al.bad != BAD_NO_NAME)
		jw_kstr(w, "name", al.name);
	jw_key(w, "playParams");
	jw_obj(w);
	jw_kstr(w, "id", id);
	jw_kstr(w, "kind", "album");
	jw_kbool(w, "isLibrary", 1);
	jw_obj_end(w);
	release_date(&al, date, sizeof date);
	jw_kstr(w, "releaseDate", date);
	jw_kint(w, "trackCount", al.total_tracks);
	jw_obj_end(w);
	if (relationships && (arg_lists(c, "include", "artists") || arg_lists(c, "include", "catalog"))) {
		jw_key(w, "relationships");
		jw_obj(w);
		if (arg_lists(c, "include", "artists"))
			ap_relationship(c, "albums", id, "artists", &al.artist, 1, K_ARTIST);
		if (arg_lists(c, "include", "catalog"))
			ap_catalog(c, K_ALBUM, serial, "albums", id);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void
ap_song(struct ctx *c, long serial)
{
	struct jw *w = &c->w;
	struct track t;
	struct album al;
	struct artist ar;
	char id[SIM_ID_MAX], s[128], date[16];
	int inc_albums = arg_lists(c, "include", "albums"), inc_artists = arg_lists(c, "include", "artists");
	int inc_catalog = arg_lists(c, "include", "catalog");

	lib_track(c->l, serial, &t);
	lib_album(c->l, t.album, &al);
	lib_artist(c->l, t.artists[0], &ar);
	lib_id(c->l, D_APPLE, K_TRACK, serial, id);
	jw_obj(w);
	jw_kstr(w, "id", id);
	jw_kstr(w, "type", "library-songs");
	snprintf(s, sizeof s, "/v1/me/library/songs/%s", id);
	jw_kstr(w, "href", s);
	jw_key(w, "attributes");
	jw_obj(w);
	if (al.bad != BAD_NO_NAME)
		jw_kstr(w, "albumName", al.name);
	jw_kstr(w, "artistName", ar.name);
	ap_artwork(w, lib_hash(c->l, K_ALBUM, t.album, 99));
	jw_kint(w, "discNumber", t.disc_number);
	if (t.bad == BAD_NEG_DURATION)
		jw_kint(w, "durationInMillis", -t.duration_ms);
	else if (t.bad != BAD_NO_DURATION)
		jw_kint(w, "durationInMillis", t.duration_ms);
	jw_key(w, "genreNames");
	jw_arr(w);
	jw_arr_end(w);
	jw_kbool(w, "hasLyrics", t.popularity % 2);
	if (t.bad != BAD_NO_NAME)
		jw_kstr(w, "name", t.name);
	jw_key(w, "playParams");
	jw_obj(w);
	jw_kstr(w, "id", id);
	jw_kstr(w, "kind", "song");
	jw_kbool(w, "isLibrary", 1);
	jw_kbool(w, "reporting", 1);
	{
		char cid[24];

		jw_kstr(w, "catalogId", ap_catalog_id(c, K_TRACK, serial, cid));
	}
	jw_obj_end(w);
	release_date(&al, date, sizeof date);
	jw_kstr(w, "releaseDate", date);
	jw_kint(w, "trackNumber", t.track_number);
	jw_obj_end(w);
	if (inc_albums || inc_artists || inc_catalog) {
		jw_key(w, "relationships");
		jw_obj(w);
		if (inc_albums)
			ap_relationship(c, "songs", id, "albums", &t.album, 1, K_ALBUM);
		if (inc_artists)
			ap_relationship(c, "songs", id, "artists", t.artists, t.nartists, K_ARTIST);
		if (inc_catalog)
			ap_catalog(c, K_TRACK, serial, "songs", id);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void
ap_playlist(struct ctx *c, long serial)
{
	struct jw *w = &c->w;
	struct playlist pl;
	char id[SIM_ID_MAX], s[128];

	lib_playlist(c->l, serial, &pl);
	lib_id(c->l, D_APPLE, K_PLAYLIST, serial, id);
	jw_obj(w);
	jw_kstr(w, "id", id);
	jw_kstr(w, "type", "library-playlists");
	snprintf(s, sizeof s, "/v1/me/library/playlists/%s", id);
	jw_kstr(w, "href", s);
	jw_key(w, "attributes");
	jw_obj(w);
	jw_kbool(w, "canEdit", pl.own);
	kiso(w, "dateAdded", lib_added_at(c->l, K_PLAYLIST, serial, &c->l->playlists));
	jw_key(w, "description");
	jw_obj(w);
	jw_kstr(w, "standard", pl.description);
	jw_obj_end(w);
	jw_kbool(w, "hasCatalog", !pl.own);
	jw_kbool(w, "isPublic", pl.public_);
	if (pl.bad != BAD_NO_NAME)
		jw_kstr(w, "name", pl.name);
	jw_key(w, "playParams");
	jw_obj(w);
	jw_kstr(w, "id", id);
	jw_kstr(w, "kind", "playlist");
	jw_kbool(w, "isLibrary", 1);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

/* Apple: {"next":"/v1/...?offset=N" (absent on the last page), "data":[...], "meta":{"total"}}. */
static void
ap_page(struct ctx *c, const struct route *r, struct view *v, long p)
{
	struct jw *w = &c->w;
	const char *path = c->rq->path;
	int kind = r->list;
	long offset, limit, total, end, pos, s;
	enum entry_kind ek;

	if (arg_num(c, "limit", 25, 1, 100, &limit) != 0) {
		fail(c, ERR_BAD_LIMIT, "Value must be an integer less than or equal to 100");
		return;
	}
	if (arg_num(c, "offset", 0, 0, 100000000, &offset) != 0) {
		fail(c, ERR_BAD_OFFSET, "Value must be a non-negative integer");
		return;
	}
	if (c->rq->drift)
		lib_drift(c->l, v);
	total = view_count(v);
	if (total == 0) {
		/* Apple's way of saying "empty". */
		fail(c, ERR_NOT_FOUND, "Resource with requested id was not found");
		return;
	}
	if (offset >= total) {
		char detail[64];

		snprintf(detail, sizeof detail, "offset must be less than %ld", total);
		fail(c, ERR_BAD_OFFSET, detail);
		return;
	}
	end = offset + limit < total ? offset + limit : total;
	jw_obj(w);
	if (end < total) {
		snprintf(c->url, sizeof c->url, "%s?offset=%ld", path, end);
		jw_kstr(w, "next", c->url);
	}
	jw_key(w, "data");
	jw_arr(w);
	for (pos = offset; pos < end; pos++) {
		s = view_at(v, pos);
		switch (kind) {
		case K_ARTIST: ap_artist_at(c, s, 1); break;
		case K_ALBUM: ap_album(c, s, 1); break;
		case K_TRACK: ap_song(c, s); break;
		case K_PLAYLIST: ap_playlist(c, s); break;
		default: ap_song(c, lib_entry_track(c->l, p, s, &ek)); break;
		}
		c->rs->items++;
	}
	jw_arr_end(w);
	jw_key(w, "meta");
	jw_obj(w);
	jw_kint(w, "total", total);
	jw_obj_end(w);
	jw_obj_end(w);
	c->rs->page = 1;
}


const struct route apple_routes[] = {
	{ R_PATH, "/v1/me/library/songs", NULL, K_TRACK, 0, ap_page },
	{ R_PATH, "/v1/me/library/albums", NULL, K_ALBUM, 0, ap_page },
	{ R_PATH, "/v1/me/library/artists", NULL, K_ARTIST, 0, ap_page },
	{ R_PATH, "/v1/me/library/playlists", NULL, K_PLAYLIST, 0, ap_page },
	{ R_PLAYLIST, "/v1/me/library/playlists/", "/tracks", K_ENTRY, 0, ap_page },
	{ R_PATH, NULL, NULL, -1, 0, NULL }
};
