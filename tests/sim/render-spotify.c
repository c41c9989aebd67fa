/*
 * render-spotify.c: the Spotify Web API dialect: offset paging
 * {href,items,limit,next,offset,previous,total}, followed artists by cursor,
 * playlist entries in the 2024 (/tracks) and 2026 (/items) shapes.
 */
#include "render.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>


static void
sp_ext_urls(struct ctx *c, const char *type, const char *id)
{
	struct jw *w = &c->w;

	jw_key(w, "external_urls");
	jw_obj(w);
	kjoin(w, "spotify", "https://open.spotify.com/", type, "/", id, (char *)NULL);
	jw_obj_end(w);
}

static void
sp_href(struct ctx *c, const char *type, const char *id)
{
	kjoin(&c->w, "href", "http://", c->rq->host, "/v1/", type, "s/", id, (char *)NULL);
}

static void
sp_urls(struct ctx *c, const char *type, const char *id)
{
	sp_ext_urls(c, type, id);
	sp_href(c, type, id);
}

static void
sp_uri(struct jw *w, const char *type, const char *id)
{
	kjoin(w, "uri", "spotify:", type, ":", id, (char *)NULL);
}

static void
sp_images(struct jw *w, const char *prefix, uint64_t h, int n)
{
	static const int sizes[] = { 640, 300, 64 };
	char hex[17];
	int i;

	jw_key(w, "images");
	jw_arr(w);
	for (i = 0; i < n; i++) {
		jw_obj(w);
		jw_kint(w, "height", sizes[i]);
		kjoin(w, "url", "https://i.scdn.co/image/", prefix, hex16(h + (uint64_t)i, hex),
		    (char *)NULL);
		jw_kint(w, "width", sizes[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void
sp_user(struct ctx *c, const char *user, int empty)
{
	struct jw *w = &c->w;

	if (empty)
		user = "";
	jw_obj(w);
	jw_key(w, "external_urls");
	jw_obj(w);
	kjoin(w, "spotify", "https://open.spotify.com/user/", user, (char *)NULL);
	jw_obj_end(w);
	kjoin(w, "href", "http://", c->rq->host, "/v1/users/", user, (char *)NULL);
	jw_kstr(w, "id", user);
	jw_kstr(w, "type", "user");
	kjoin(w, "uri", "spotify:user:", user, (char *)NULL);
	jw_obj_end(w);
}

static void
sp_artist_simple(struct ctx *c, long serial)
{
	struct jw *w = &c->w;
	struct artist ar;
	char id[SIM_ID_MAX];

	lib_artist(c->l, serial, &ar);
	lib_id(c->l, D_SPOTIFY, K_ARTIST, serial, id);
	jw_obj(w);
	sp_urls(c, "artist", id);
	jw_kstr(w, "id", id);
	if (ar.bad != BAD_NO_NAME)
		jw_kstr(w, "name", ar.name);
	jw_kstr(w, "type", "artist");
	sp_uri(w, "artist", id);
	jw_obj_end(w);
}

static void
sp_artist_full(struct ctx *c, long serial)
{
	struct jw *w = &c->w;
	struct artist ar;
	char id[SIM_ID_MAX];
	int i;

	lib_artist(c->l, serial, &ar);
	lib_id(c->l, D_SPOTIFY, K_ARTIST, serial, id);
	jw_obj(w);
	sp_ext_urls(c, "artist", id);
	jw_key(w, "followers");
	jw_obj(w);
	jw_key(w, "href");
	jw_null(w);
	jw_kint(w, "total", ar.followers);
	jw_obj_end(w);
	jw_key(w, "genres");
	jw_arr(w);
	for (i = 0; i < ar.ngenres; i++)
		jw_str(w, ar.genres[i]);
	jw_arr_end(w);
	sp_href(c, "artist", id);
	jw_kstr(w, "id", id);
	sp_images(w, "ab6761610000e5eb", lib_hash(c->l, K_ARTIST, serial, 99), 3);
	if (ar.bad != BAD_NO_NAME)
		jw_kstr(w, "name", ar.name);
	jw_kint(w, "popularity", ar.popularity);
	jw_kstr(w, "type", "artist");
	sp_uri(w, "artist", id);
	jw_obj_end(w);
}

static void
sp_album_common(struct ctx *c, const struct album *al, const char *id, int full)
{
	struct jw *w = &c->w;
	char date[16];

	jw_kstr(w, "album_type", al->album_type);
	jw_key(w, "artists");
	jw_arr(w);
	sp_artist_simple(c, al->artist);
	jw_arr_end(w);
	jw_key(w, "available_markets");
	jw_arr(w);
	jw_arr_end(w);
	if (full) {
		char text[128];

		jw_key(w, "copyrights");
		jw_arr(w);
		jw_obj(w);
		snprintf(text, sizeof text, "%d %s", al->year, al->label);
		jw_kstr(w, "text", text);
		jw_kstr(w, "type", "C");
		jw_obj_end(w);
		jw_arr_end(w);
		jw_key(w, "external_ids");
		jw_obj(w);
		jw_kstr(w, "upc", al->upc);
		jw_obj_end(w);
	}
	sp_urls(c, "album", id);
	if (full) {
		jw_key(w, "genres");
		jw_arr(w);
		jw_arr_end(w);
	}
	jw_kstr(w, "id", id);
	sp_images(w, "ab67616d0000b273", lib_hash(c->l, K_ALBUM, al->serial, 99), 3);
	if (full)
		jw_kstr(w, "label", al->label);
	/*
	 * "The name of the album. In case of an album takedown, the value may be an
	 * empty string." https://developer.spotify.com/documentation/web-api/reference/get-an-album
	 */
	if (al->bad != BAD_NO_NAME)
		jw_kstr(w, "name", al->takedown ? "" : al->name);
	if (full)
		jw_kint(w, "popularity", (long long)(lib_hash(c->l, K_ALBUM, al->serial, 98) % 101));
	release_date(al, date, sizeof date);
	jw_kstr(w, "release_date", date);
	jw_kstr(w, "release_date_precision", al->bad == BAD_DATE ? "day" :
	    al->precision == 1 ? "year" : al->precision == 2 ? "month" : "day");
	jw_kint(w, "total_tracks", al->total_tracks);
}

static void sp_track_body(struct ctx *c, const struct track *t, const char *id, int nested);

static void
sp_album(struct ctx *c, long serial, int full)
{
	struct jw *w = &c->w;
	struct album al;
	struct track t;
	char id[SIM_ID_MAX], tid[SIM_ID_MAX], s[256];
	long k, n, nb = c->l->n[K_ALBUM];

	lib_album(c->l, serial, &al);
	lib_id(c->l, D_SPOTIFY, K_ALBUM, serial, id);
	jw_obj(w);
	sp_album_common(c, &al, id, full);
	if (full) {
		n = al.total_tracks < 50 ? al.total_tracks : 50;
		jw_key(w, "tracks");
		jw_obj(w);
		snprintf(s, sizeof s, "http://%s/v1/albums/%s/tracks?offset=0&limit=50",
		    c->rq->host, id);
		jw_kstr(w, "href", s);
		jw_key(w, "items");
		jw_arr(w);
		for (k = 0; k < n; k++) {
			lib_track(c->l, serial + k * nb, &t);
			lib_id(c->l, D_SPOTIFY, K_TRACK, t.serial, tid);
			jw_obj(w);
			sp_track_body(c, &t, tid, 1);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_kint(w, "limit", 50);
		if (al.total_tracks > 50) {
			snprintf(s, sizeof s, "http://%s/v1/albums/%s/tracks?offset=50&limit=50",
			    c->rq->host, id);
			jw_kstr(w, "next", s);
		} else
			jw_kstr(w, "next", NULL);
		jw_kint(w, "offset", 0);
		jw_kstr(w, "previous", NULL);
		jw_kint(w, "total", al.total_tracks);
		jw_obj_end(w);
	}
	jw_kstr(w, "type", "album");
	sp_uri(w, "album", id);
	jw_obj_end(w);
}

/* The members of a track object; nested (inside an album) leaves the album out. */
static void
sp_track_body(struct ctx *c, const struct track *t, const char *id, int nested)
{
	struct jw *w = &c->w;
	int i;

	if (!nested) {
		jw_key(w, "album");
		sp_album(c, t->album, 0);
	}
	jw_key(w, "artists");
	jw_arr(w);
	for (i = 0; i < t->nartists; i++)
		sp_artist_simple(c, t->artists[i]);
	jw_arr_end(w);
	jw_key(w, "available_markets");
	jw_arr(w);
	jw_arr_end(w);
	jw_kint(w, "disc_number", t->disc_number);
	if (t->bad == BAD_NEG_DURATION)
		jw_kint(w, "duration_ms", -t->duration_ms);
	else if (t->bad != BAD_NO_DURATION)
		jw_kint(w, "duration_ms", t->duration_ms);
	jw_kbool(w, "explicit", t->explicit_);
	if (!nested) {
		jw_key(w, "external_ids");
		jw_obj(w);
		jw_kstr(w, "isrc", t->isrc);
		jw_obj_end(w);
	}
	sp_urls(c, "track", id);
	jw_kstr(w, "id", id);
	jw_kbool(w, "is_local", 0);
	if (t->bad != BAD_NO_NAME)
		jw_kstr(w, "name", t->name);
	if (!nested)
		jw_kint(w, "popularity", t->popularity);
	jw_kstr(w, "preview_url", NULL);
	jw_kint(w, "track_number", t->track_number);
	jw_kstr(w, "type", "track");
	sp_uri(w, "track", id);
}

static void
sp_track(struct ctx *c, long serial, int in_playlist)
{
	struct jw *w = &c->w;
	struct track t;
	char id[SIM_ID_MAX];

	lib_track(c->l, serial, &t);
	lib_id(c->l, D_SPOTIFY, K_TRACK, serial, id);
	jw_obj(w);
	sp_track_body(c, &t, id, 0);
	if (in_playlist) {
		jw_kbool(w, "episode", 0);
		jw_kbool(w, "track", 1);
	}
	jw_obj_end(w);
}

/* A local file: no ids, no hrefs, numbers 0, the album known by name only. */
static void
sp_local_track(struct ctx *c, long serial)
{
	struct jw *w = &c->w;
	struct track t;
	struct album al;
	struct artist ar;
	struct buf uri;

	lib_track(c->l, serial, &t);
	lib_album(c->l, t.album, &al);
	lib_artist(c->l, t.artists[0], &ar);
	jw_obj(w);
	jw_key(w, "album");
	jw_obj(w);
	jw_kstr(w, "album_type", NULL);
	jw_key(w, "artists");
	jw_arr(w);
	jw_arr_end(w);
	jw_key(w, "available_markets");
	jw_arr(w);
	jw_arr_end(w);
	jw_key(w, "external_urls");
	jw_obj(w);
	jw_obj_end(w);
	jw_kstr(w, "href", NULL);
	jw_kstr(w, "id", NULL);
	jw_key(w, "images");
	jw_arr(w);
	jw_arr_end(w);
	jw_kstr(w, "name", al.name);
	jw_kstr(w, "release_date", NULL);
	jw_kstr(w, "release_date_precision", NULL);
	jw_kstr(w, "type", "album");
	jw_kstr(w, "uri", NULL);
	jw_obj_end(w);
	jw_key(w, "artists");
	jw_arr(w);
	jw_obj(w);
	jw_key(w, "external_urls");
	jw_obj(w);
	jw_obj_end(w);
	jw_kstr(w, "href", NULL);
	jw_kstr(w, "id", NULL);
	jw_kstr(w, "name", ar.name);
	jw_kstr(w, "type", "artist");
	jw_kstr(w, "uri", NULL);
	jw_obj_end(w);
	jw_arr_end(w);
	jw_key(w, "available_markets");
	jw_arr(w);
	jw_arr_end(w);
	jw_kint(w, "disc_number", 0);
	jw_kint(w, "duration_ms", t.duration_ms / 1000 * 1000);
	jw_kbool(w, "explicit", 0);
	jw_key(w, "external_ids");
	jw_obj(w);
	jw_obj_end(w);
	jw_key(w, "external_urls");
	jw_obj(w);
	jw_obj_end(w);
	jw_kstr(w, "href", NULL);
	jw_kstr(w, "id", NULL);
	jw_kbool(w, "is_local", 1);
	jw_kstr(w, "name", t.name);
	jw_kint(w, "popularity", 0);
	jw_kstr(w, "preview_url", NULL);
	jw_kint(w, "track_number", 0);
	jw_kstr(w, "type", "track");
	buf_init(&uri);
	lib_local_uri(c->l, serial, &uri);
	jw_kstr(w, "uri", uri.data);
	buf_free(&uri);
	jw_obj_end(w);
}

static void
sp_playlist(struct ctx *c, long serial)
{
	struct jw *w = &c->w;
	struct playlist pl;
	char id[SIM_ID_MAX], s[256], snap[96];

	lib_playlist(c->l, serial, &pl);
	lib_id(c->l, D_SPOTIFY, K_PLAYLIST, serial, id);
	lib_snapshot(c->l, serial, snap, sizeof snap);
	jw_obj(w);
	jw_kbool(w, "collaborative", pl.collaborative);
	jw_kstr(w, "description", pl.description);
	sp_urls(c, "playlist", id);
	jw_kstr(w, "id", id);
	jw_key(w, "images");
	jw_arr(w);
	jw_obj(w);
	jw_kint(w, "height", 640);
	snprintf(s, sizeof s, "https://mosaic.scdn.co/640/%016" PRIx64,
	    lib_hash(c->l, K_PLAYLIST, serial, 99));
	jw_kstr(w, "url", s);
	jw_kint(w, "width", 640);
	jw_obj_end(w);
	jw_arr_end(w);
	if (pl.bad != BAD_NO_NAME)
		jw_kstr(w, "name", pl.name);
	jw_key(w, "owner");
	jw_obj(w);
	jw_kstr(w, "display_name", pl.own ? "Crate Sim" : pl.owner);
	jw_key(w, "external_urls");
	jw_obj(w);
	snprintf(s, sizeof s, "https://open.spotify.com/user/%s", pl.owner);
	jw_kstr(w, "spotify", s);
	jw_obj_end(w);
	snprintf(s, sizeof s, "http://%s/v1/users/%s", c->rq->host, pl.owner);
	jw_kstr(w, "href", s);
	jw_kstr(w, "id", pl.owner);
	jw_kstr(w, "type", "user");
	snprintf(s, sizeof s, "spotify:user:%s", pl.owner);
	jw_kstr(w, "uri", s);
	jw_obj_end(w);
	jw_kstr(w, "primary_color", NULL);
	jw_kbool(w, "public", pl.public_);
	jw_kstr(w, "snapshot_id", snap);
	jw_key(w, "tracks");
	jw_obj(w);
	snprintf(s, sizeof s, "http://%s/v1/playlists/%s/tracks", c->rq->host, id);
	jw_kstr(w, "href", s);
	jw_kint(w, "total", view_count(lib_entries(c->l, serial)));
	jw_obj_end(w);
	jw_kstr(w, "type", "playlist");
	sp_uri(w, "playlist", id);
	jw_obj_end(w);
}

/* A track-like episode's artists: the show, by its publisher's name. */
static void
sp_show_artists(struct ctx *c, const char *show, const char *publisher)
{
	struct jw *w = &c->w;

	jw_key(w, "artists");
	jw_arr(w);
	jw_obj(w);
	sp_urls(c, "show", show);
	jw_kstr(w, "id", show);
	jw_kstr(w, "name", publisher);
	jw_kstr(w, "type", "show");
	sp_uri(w, "show", show);
	jw_obj_end(w);
	jw_arr_end(w);
}

/*
 * A podcast episode in a playlist, made from track serial t (its album is the
 * show). With additional_types=episode it is an EpisodeObject (the shape of
 * https://developer.spotify.com/documentation/web-api/reference/get-an-episode,
 * plus the playlist flags "episode" and "track"). Without it Spotify sends the
 * episode as a track-like object: "episodes in playlists are not returned as
 * Episode objects at all ... they contain track-like fields"
 * (github.com/spotify/web-api/issues/1511; tekore's podcast PR #164: "the
 * additional_types argument defaults to returning episodes as track-like
 * objects"). The exact members of that track-like object are not documented;
 * these follow a track object whose album is the show.
 */
static void
sp_episode(struct ctx *c, long t, int as_episode)
{
	struct jw *w = &c->w;
	struct track tr;
	struct album al;
	struct artist ar;
	char id[SIM_ID_MAX], show[SIM_ID_MAX], date[16], name[128];

	lib_track(c->l, t, &tr);
	lib_album(c->l, tr.album, &al);
	lib_artist(c->l, al.artist, &ar);
	lib_id(c->l, D_SPOTIFY, K_TRACK, t, id);
	lib_id(c->l, D_SPOTIFY, K_ALBUM, tr.album, show);
	snprintf(name, sizeof name, "%s Podcast", ar.name);
	release_date(&al, date, sizeof date);
	jw_obj(w);
	if (!as_episode) {
		jw_key(w, "album");
		jw_obj(w);
		jw_kstr(w, "album_type", "show");
		sp_show_artists(c, show, ar.name);
		sp_urls(c, "show", show);
		jw_kstr(w, "id", show);
		jw_kstr(w, "name", name);
		jw_kstr(w, "type", "show");
		sp_uri(w, "show", show);
		jw_obj_end(w);
		sp_show_artists(c, show, ar.name);
	} else
		jw_kstr(w, "audio_preview_url", NULL);
	jw_key(w, "available_markets");
	jw_arr(w);
	jw_arr_end(w);
	if (as_episode)
		jw_kstr(w, "description", name);
	else
		jw_kint(w, "disc_number", 0);
	jw_kint(w, "duration_ms", tr.duration_ms * 7);
	jw_kbool(w, "episode", 1);
	jw_kbool(w, "explicit", tr.explicit_);
	if (!as_episode) {
		jw_key(w, "external_ids");
		jw_obj(w);
		jw_obj_end(w);
	}
	sp_urls(c, "episode", id);
	jw_kstr(w, "id", id);
	if (as_episode) {
		sp_images(w, "ab6765630000ba8a", lib_hash(c->l, K_ALBUM, tr.album, 99), 3);
		jw_kbool(w, "is_externally_hosted", 0);
	}
	jw_kbool(w, "is_local", 0);
	if (as_episode) {
		jw_kbool(w, "is_playable", 1);
		jw_kstr(w, "language", "en");
	}
	jw_kstr(w, "name", tr.name);
	if (as_episode) {
		jw_kstr(w, "release_date", date);
		jw_kstr(w, "release_date_precision", al.precision == 1 ? "year" :
		    al.precision == 2 ? "month" : "day");
		jw_key(w, "show");
		jw_obj(w);
		jw_key(w, "available_markets");
		jw_arr(w);
		jw_arr_end(w);
		jw_kstr(w, "description", name);
		jw_kbool(w, "explicit", 0);
		sp_urls(c, "show", show);
		jw_kstr(w, "id", show);
		jw_kstr(w, "media_type", "audio");
		jw_kstr(w, "name", name);
		jw_kstr(w, "publisher", ar.name);
		jw_kint(w, "total_episodes", al.total_tracks);
		jw_kstr(w, "type", "show");
		sp_uri(w, "show", show);
		jw_obj_end(w);
	} else {
		jw_kint(w, "popularity", 0);
		jw_kstr(w, "preview_url", NULL);
	}
	jw_kbool(w, "track", 0);
	if (!as_episode)
		jw_kint(w, "track_number", 0);
	jw_kstr(w, "type", "episode");
	sp_uri(w, "episode", id);
	jw_obj_end(w);
}

/* The members of playlist p's entry e; with_item adds the 2026 `item` beside `track`. */
static void
sp_entry(struct ctx *c, const struct view *v, long p, const struct playlist *pl, long e,
    int with_item)
{
	struct jw *w = &c->w;
	enum entry_kind ek;
	long t = lib_entry_track(c->l, p, e, &ek);
	/* Collaborators and the owner take turns adding to a collaborative playlist. */
	const char *by = pl->own || (pl->collaborative && e % 2) ? c->l->user : pl->owner;

	kiso(w, "added_at", lib_entry_added_at(c->l, p, e, v));
	jw_key(w, "added_by");
	sp_user(c, by, ek == E_NULL);
	jw_kbool(w, "is_local", ek == E_LOCAL);
	jw_kstr(w, "primary_color", NULL);
	if (with_item && ek != E_NULL) {
		jw_key(w, "item");
		if (ek == E_LOCAL)
			sp_local_track(c, t);
		else if (ek == E_EPISODE)
			sp_episode(c, t, arg_lists(c, "additional_types", "episode"));
		else
			sp_track(c, t, 1);
	}
	jw_key(w, "track");
	if (ek == E_NULL)
		jw_null(w);
	else if (ek == E_EPISODE)
		sp_episode(c, t, arg_lists(c, "additional_types", "episode"));
	else if (ek == E_LOCAL)
		sp_local_track(c, t);
	else
		sp_track(c, t, 1);
	jw_key(w, "video_thumbnail");
	jw_obj(w);
	jw_kstr(w, "url", NULL);
	jw_obj_end(w);
}

enum sp_list { SP_TRACKS, SP_ALBUMS, SP_PLAYLISTS, SP_ENTRIES, SP_ITEMS };

/* Offset paging: {href, items, limit, next, offset, previous, total}. */
static void
sp_offset_page(struct ctx *c, struct view *v, enum sp_list what, const char *base, long p)
{
	struct jw *w = &c->w;
	struct playlist pl;
	long offset, limit, total, pos, end, s;

	if (arg_num(c, "limit", 20, 1, 50, &limit) != 0) {
		fail(c, ERR_BAD_LIMIT, NULL);
		return;
	}
	if (arg_num(c, "offset", 0, 0, 100000000, &offset) != 0) {
		fail(c, ERR_BAD_OFFSET, NULL);
		return;
	}
	if (c->rq->drift)
		lib_drift(c->l, v);
	total = view_count(v);
	end = offset + limit < total ? offset + limit : total;
	if (what == SP_ENTRIES || what == SP_ITEMS)
		lib_playlist(c->l, p, &pl);
	jw_obj(w);
	snprintf(c->url, sizeof c->url, "http://%s%s?offset=%ld&limit=%ld", c->rq->host, base,
	    offset, limit);
	jw_kstr(w, "href", c->url);
	jw_key(w, "items");
	jw_arr(w);
	for (pos = offset; pos < end; pos++) {
		s = view_at(v, pos);
		c->rs->items++;
		/*
		 * --null-at: Spotify sends null elements in its lists: since December 2024
		 * in /me/playlists for Spotify-owned playlists (community.spotify.com
		 * "null values when using Get Current User's Playlists", reported in
		 * github.com/jjdenhertog/spotify-to-plex/pull/6), and zmb3/spotify#279.
		 */
		if (what != SP_ENTRIES && what != SP_ITEMS && lib_null_at(c->l, pos)) {
			jw_null(w);
			continue;
		}
		if (what == SP_PLAYLISTS) {
			/* The playlist object is the item itself. */
			sp_playlist(c, s);
			continue;
		}
		jw_obj(w);
		switch (what) {
		case SP_TRACKS:
			kiso(w, "added_at", lib_added_at(c->l, K_TRACK, s, v));
			jw_key(w, "track");
			sp_track(c, s, 0);
			break;
		case SP_ALBUMS:
			kiso(w, "added_at", lib_added_at(c->l, K_ALBUM, s, v));
			jw_key(w, "album");
			sp_album(c, s, 1);
			break;
		default:
			sp_entry(c, v, p, &pl, s, what == SP_ITEMS);
			break;
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kint(w, "limit", limit);
	if (end < total) {
		snprintf(c->url, sizeof c->url, "http://%s%s?offset=%ld&limit=%ld", c->rq->host,
		    base, end, limit);
		jw_kstr(w, "next", c->url);
	} else
		jw_kstr(w, "next", NULL);
	jw_kint(w, "offset", offset);
	if (offset > 0) {
		snprintf(c->url, sizeof c->url, "http://%s%s?offset=%ld&limit=%ld", c->rq->host,
		    base, offset > limit ? offset - limit : 0, limit);
		jw_kstr(w, "previous", c->url);
	} else
		jw_kstr(w, "previous", NULL);
	jw_kint(w, "total", total);
	jw_obj_end(w);
	c->rs->page = 1;
}

/* Followed artists: cursor paging by id, wrapped in {"artists": {...}}. */
static void
sp_following(struct ctx *c, const struct route *r, struct view *v, long p)
{
	struct jw *w = &c->w;
	const char *type = c->rq->arg(c->rq->argctx, "type");
	const char *after = c->rq->arg(c->rq->argctx, "after");
	long limit, start = 0, end, total, pos;
	char id[SIM_ID_MAX];

	(void)r;
	(void)p;
	if (type == NULL || strcmp(type, "artist") != 0) {
		fail(c, ERR_BAD_PARAM, "Invalid type");
		return;
	}
	if (arg_num(c, "limit", 20, 1, 50, &limit) != 0) {
		fail(c, ERR_BAD_LIMIT, NULL);
		return;
	}
	if (c->rq->drift)
		lib_drift(c->l, v);
	if (after != NULL) {
		long serial = lib_parse_id(c->l, D_SPOTIFY, K_ARTIST, after);

		if (serial < 0) {
			fail(c, ERR_BAD_PARAM, "Invalid after cursor");
			return;
		}
		start = view_after_rank(v, lib_rank(c->l, K_ARTIST, serial));
	}
	total = view_count(v);
	end = start + limit < total ? start + limit : total;
	jw_obj(w);
	jw_key(w, "artists");
	jw_obj(w);
	jw_key(w, "items");
	jw_arr(w);
	for (pos = start; pos < end; pos++) {
		sp_artist_full(c, view_at(v, pos));
		c->rs->items++;
	}
	jw_arr_end(w);
	if (end < total && end > start) {
		lib_id(c->l, D_SPOTIFY, K_ARTIST, view_at(v, end - 1), id);
		snprintf(c->url, sizeof c->url, "http://%s/v1/me/following?type=artist&after=%s&limit=%ld",
		    c->rq->host, id, limit);
		jw_kstr(w, "next", c->url);
	} else
		jw_kstr(w, "next", NULL);
	jw_kint(w, "total", total);
	jw_key(w, "cursors");
	jw_obj(w);
	jw_kstr(w, "after", end < total && end > start ? id : NULL);
	jw_obj_end(w);
	jw_kint(w, "limit", limit);
	if (after)
		snprintf(c->url, sizeof c->url, "http://%s/v1/me/following?type=artist&after=%s&limit=%ld",
		    c->rq->host, after, limit);
	else
		snprintf(c->url, sizeof c->url, "http://%s/v1/me/following?type=artist&limit=%ld",
		    c->rq->host, limit);
	jw_kstr(w, "href", c->url);
	jw_obj_end(w);
	jw_obj_end(w);
	c->rs->page = 1;
}


static void
sp_me(struct ctx *c, const struct route *r, struct view *v, long p)
{
	struct jw *w = &c->w;

	(void)r;
	(void)v;
	(void)p;
	jw_obj(w);
	jw_kstr(w, "display_name", "Crate Sim");
	sp_urls(c, "user", c->l->user);
	jw_kstr(w, "id", c->l->user);
	jw_kstr(w, "type", "user");
	sp_uri(w, "user", c->l->user);
	jw_obj_end(w);
}

static void
sp_list(struct ctx *c, const struct route *r, struct view *v, long p)
{
	char base[256];

	if (r->how != SP_PLAYLISTS) {
		sp_offset_page(c, v, r->how, c->rq->path, p);
		return;
	}
	/* Spotify's own href and next point at /v1/users/ID/playlists. */
	snprintf(base, sizeof base, "/v1/users/%s/playlists", c->l->user);
	sp_offset_page(c, v, SP_PLAYLISTS, base, p);
}

/* A playlist's entries: /tracks (the 2024 shape) or /items (2026). */
static void
sp_entries(struct ctx *c, const struct route *r, struct view *v, long p)
{
	struct playlist pl;

	lib_playlist(c->l, p, &pl);
	/*
	 * Since 2024-11-27 Spotify-owned editorial and algorithmic playlists
	 * answer 404 "Resource not found" to apps without extended access
	 * (developer.spotify.com/blog/2024-11-27-changes-to-the-web-api;
	 * spotipy-dev/spotipy#1175, spotify2tidal/spotify_to_tidal#93).
	 */
	if (pl.editorial) {
		fail(c, ERR_NOT_FOUND, NULL);
		return;
	}
	/* Since 2026, /items serves only playlists the user owns or collaborates on. */
	if (r->how == SP_ITEMS && !pl.own && !pl.collaborative) {
		fail(c, ERR_FORBIDDEN, NULL);
		return;
	}
	sp_offset_page(c, v, r->how, c->rq->path, p);
}

const struct route spotify_routes[] = {
	{ R_PATH, "/v1/me", NULL, -1, 0, sp_me },
	{ R_PATH, "/v1/me/tracks", NULL, K_TRACK, SP_TRACKS, sp_list },
	{ R_PATH, "/v1/me/albums", NULL, K_ALBUM, SP_ALBUMS, sp_list },
	{ R_PATH, "/v1/me/following", NULL, K_ARTIST, 0, sp_following },
	{ R_PATH, "/v1/me/playlists", NULL, K_PLAYLIST, SP_PLAYLISTS, sp_list },
	{ R_USER, "/v1/users/", "/playlists", K_PLAYLIST, SP_PLAYLISTS, sp_list },
	{ R_PLAYLIST, "/v1/playlists/", "/tracks", K_ENTRY, SP_ENTRIES, sp_entries },
	{ R_PLAYLIST, "/v1/playlists/", "/items", K_ENTRY, SP_ITEMS, sp_entries },
	{ R_PATH, NULL, NULL, -1, 0, NULL }
};
