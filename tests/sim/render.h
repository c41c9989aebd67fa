/*
 * render.h: what the dialect renderers share (render.c) and the route table
 * each dialect exports (render-spotify.c, render-apple.c, render-deezer.c,
 * render-generic.c). render() in render.c finds the request's route in its
 * dialect's table and calls the route's page builder; a path no route names
 * is the dialect's 404.
 *
 * Key names, nesting and key order follow the captures in tests/fixtures/shared.
 * Every page is built whole into rs->body (a page is small: its items are
 * generated on the fly from the library).
 */
#ifndef RENDER_H
#define RENDER_H

#include <stdint.h>

#include "sim.h"
#include "util.h"

/* One request being rendered. */
struct ctx {
	struct lib *l;
	const struct request *rq;
	struct response *rs;
	struct jw w;
	int dialect;
	char url[1024];		/* scratch for links */
};

enum route_kind {
	R_PATH,		/* path is the whole path */
	R_PLAYLIST,	/* path, a playlist id of the dialect, then suffix */
	R_USER		/* path, the user's id, then suffix */
};

/*
 * One route of a dialect: what a path names and who builds its page. serve gets
 * the list the route names (list: K_ARTIST .. K_PLAYLIST, K_ENTRY for the
 * playlist's entries, -1 for none), already looked up, and the playlist (or -1).
 */
struct route {
	enum route_kind kind;
	const char *path;
	const char *suffix;
	int list;
	int how;		/* the dialect's own variant of the page */
	void (*serve)(struct ctx *c, const struct route *r, struct view *v, long p);
};

/* Each table ends with a route whose path is NULL. */
extern const struct route spotify_routes[], apple_routes[], deezer_routes[], generic_routes[];

/*
 * A fast path under parse/json.h's writer: pages are mostly constant keys, ids,
 * urls and numbers, which need no escaping. These keep jw's comma rule and fall
 * back to jw_str for any string that needs escaping.
 */
void fast_key(struct jw *w, const char *key);
void fast_str(struct jw *w, const char *s);
void fast_int(struct jw *w, long long v);
/* key: the concatenation of the NULL-terminated parts, which need no escaping. */
void kjoin(struct jw *w, const char *key, ...);
/* 16 lower-case hex digits of v. */
const char *hex16(uint64_t v, char out[17]);

#define jw_key(w, k) fast_key((w), (k))
#define jw_str(w, s) fast_str((w), (s))
#define jw_kstr(w, k, s) (fast_key((w), (k)), fast_str((w), (s)))
#define jw_kint(w, k, v) (fast_key((w), (k)), fast_int((w), (v)))

/* Answers the dialect's error e instead of a page. */
void fail(struct ctx *c, enum error e, const char *detail);
/* A numeric query argument (dflt when absent); -1 when it is not a number in range. */
int arg_num(struct ctx *c, const char *name, long dflt, long min, long max, long *out);
/* Whether the comma-separated query argument name lists what. */
int arg_lists(struct ctx *c, const char *name, const char *what);
/* key: t (unix seconds) as ISO 8601. */
void kiso(struct jw *w, const char *key, long long t);
/* An album's release date at its precision (2019-13-45 when it is bad-date). */
void release_date(const struct album *al, char *out, size_t n);

#endif
