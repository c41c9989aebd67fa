/*
 * render-generic.c: a generic Link-header API: page/per_page, a bare JSON
 * array, the next page in a Link header (rel next, last, prev, first).
 */
#include "render.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>


static void
g_item(struct ctx *c, int kind, struct view *v, long p, long pos, long s)
{
	struct jw *w = &c->w;
	char id[SIM_ID_MAX];
	struct artist ar;
	struct album al;
	struct track t;
	struct playlist pl;
	enum entry_kind ek;
	long tr;

	jw_obj(w);
	switch (kind) {
	case K_ARTIST:
		lib_artist(c->l, s, &ar);
		jw_kstr(w, "id", lib_id(c->l, D_GENERIC, K_ARTIST, s, id));
		if (ar.bad != BAD_NO_NAME)
			jw_kstr(w, "name", ar.name);
		break;
	case K_ALBUM:
		lib_album(c->l, s, &al);
		jw_kstr(w, "id", lib_id(c->l, D_GENERIC, K_ALBUM, s, id));
		if (al.bad != BAD_NO_NAME)
			jw_kstr(w, "title", al.name);
		jw_kstr(w, "artist_id", lib_id(c->l, D_GENERIC, K_ARTIST, al.artist, id));
		{
			char date[16];

			release_date(&al, date, sizeof date);
			jw_kstr(w, "release_date", date);
		}
		kiso(w, "added_at", lib_added_at(c->l, K_ALBUM, s, v));
		break;
	case K_TRACK:
		lib_track(c->l, s, &t);
		jw_kstr(w, "id", lib_id(c->l, D_GENERIC, K_TRACK, s, id));
		if (t.bad != BAD_NO_NAME)
			jw_kstr(w, "name", t.name);
		if (t.bad == BAD_NEG_DURATION)
			jw_kint(w, "duration_ms", -t.duration_ms);
		else if (t.bad != BAD_NO_DURATION)
			jw_kint(w, "duration_ms", t.duration_ms);
		jw_kstr(w, "album_id", lib_id(c->l, D_GENERIC, K_ALBUM, t.album, id));
		jw_kstr(w, "artist_id", lib_id(c->l, D_GENERIC, K_ARTIST, t.artists[0], id));
		kiso(w, "added_at", lib_added_at(c->l, K_TRACK, s, v));
		break;
	case K_PLAYLIST:
		lib_playlist(c->l, s, &pl);
		jw_kstr(w, "id", lib_id(c->l, D_GENERIC, K_PLAYLIST, s, id));
		if (pl.bad != BAD_NO_NAME)
			jw_kstr(w, "name", pl.name);
		jw_kstr(w, "owner", pl.owner);
		jw_kint(w, "track_count", view_count(lib_entries(c->l, s)));
		break;
	default:
		tr = lib_entry_track(c->l, p, s, &ek);
		jw_kint(w, "position", pos);
		jw_kstr(w, "track_id", lib_id(c->l, D_GENERIC, K_TRACK, tr, id));
		kiso(w, "added_at", lib_entry_added_at(c->l, p, s, v));
		break;
	}
	jw_obj_end(w);
}

static void
g_link(struct ctx *c, const char *rel, long page, long per_page)
{
	struct buf *b = &c->rs->link;

	if (b->len > 0)
		buf_adds(b, ", ");
	buf_printf(b, "<http://%s%s?page=%ld&per_page=%ld>; rel=\"%s\"", c->rq->host,
	    c->rq->path, page, per_page, rel);
}

static void
g_page(struct ctx *c, const struct route *r, struct view *v, long p)
{
	struct jw *w = &c->w;
	int kind = r->list;
	long page, per_page, total, start, end, pos, last;

	if (arg_num(c, "page", 1, 1, 100000000, &page) != 0 ||
	    arg_num(c, "per_page", 30, 1, 100000, &per_page) != 0) {
		fail(c, ERR_BAD_PARAM, "Invalid page or per_page");
		return;
	}
	if (per_page > 100)
		per_page = 100;
	if (c->rq->drift)
		lib_drift(c->l, v);
	total = view_count(v);
	start = (page - 1) * per_page;
	end = start + per_page < total ? start + per_page : total;
	last = total > 0 ? (total + per_page - 1) / per_page : 1;
	jw_arr(w);
	for (pos = start; pos < end; pos++) {
		g_item(c, kind, v, p, pos, view_at(v, pos));
		c->rs->items++;
	}
	jw_arr_end(w);
	buf_reset(&c->rs->link);
	if (page > 1) {
		g_link(c, "prev", page - 1, per_page);
		g_link(c, "first", 1, per_page);
	}
	if (end < total) {
		g_link(c, "next", page + 1, per_page);
		g_link(c, "last", last, per_page);
	}
	c->rs->page = 1;
}


const struct route generic_routes[] = {
	{ R_PATH, "/generic/items", NULL, K_TRACK, 0, g_page },
	{ R_PATH, "/generic/tracks", NULL, K_TRACK, 0, g_page },
	{ R_PATH, "/generic/albums", NULL, K_ALBUM, 0, g_page },
	{ R_PATH, "/generic/artists", NULL, K_ARTIST, 0, g_page },
	{ R_PATH, "/generic/playlists", NULL, K_PLAYLIST, 0, g_page },
	{ R_PLAYLIST, "/generic/playlists/", "/items", K_ENTRY, 0, g_page },
	{ R_PATH, NULL, NULL, -1, 0, NULL }
};
