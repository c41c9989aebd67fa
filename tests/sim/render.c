/*
 * render.c: what every dialect's pages share (the fast JSON writer, error
 * bodies, query arguments, dates) and render(), which routes a request through
 * its dialect's table of routes. See render.h.
 */
#include "render.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * The fast writer (render.h): json_escape's byte-at-a-time appends were half of
 * the time to build a page. A comma goes before a value when need_comma is set
 * at this depth; none after a key.
 */
static void
fast_before(struct jw *w)
{
	if (w->need_comma[w->depth])
		buf_addc(w->b, ',');
	w->need_comma[w->depth] = 1;
}

static void
fast_quoted(struct buf *b, const char *s, size_t n)
{
	buf_reserve(b, n + 3);
	b->data[b->len++] = '"';
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len++] = '"';
	b->data[b->len] = '\0';
}

void
fast_key(struct jw *w, const char *key)
{
	fast_before(w);
	fast_quoted(w->b, key, strlen(key));
	buf_addc(w->b, ':');
	w->need_comma[w->depth] = 0;
}

void
fast_str(struct jw *w, const char *s)
{
	const unsigned char *p;

	if (s == NULL) {
		jw_null(w);
		return;
	}
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == '"' || *p == '\\')
			break;
	if (*p != '\0') {
		(jw_str)(w, s);	/* the function, not the macro of render.h */
		return;
	}
	fast_before(w);
	fast_quoted(w->b, s, (size_t)((const char *)p - s));
}

void
fast_int(struct jw *w, long long v)
{
	char tmp[24];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	int i = sizeof tmp;

	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	fast_before(w);
	buf_add(w->b, tmp + i, sizeof tmp - (size_t)i);
}

/* The parts are ours and need no escaping: fixed text, ids, the validated Host header. */
void
kjoin(struct jw *w, const char *key, ...)
{
	const char *part;
	va_list ap;

	fast_key(w, key);
	fast_before(w);
	buf_addc(w->b, '"');
	va_start(ap, key);
	while ((part = va_arg(ap, const char *)) != NULL)
		buf_add(w->b, part, strlen(part));
	va_end(ap);
	buf_addc(w->b, '"');
}

const char *
hex16(uint64_t v, char out[17])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 15; i >= 0; i--, v >>= 4)
		out[i] = digits[v & 15];
	out[16] = '\0';
	return out;
}

static const char *
spotify_message(enum error e)
{
	switch (e) {
	case ERR_NO_TOKEN: return "No token provided";
	case ERR_BAD_TOKEN: return "Invalid access token";
	case ERR_EXPIRED: return "The access token expired";
	case ERR_RATE: return "API rate limit exceeded";
	case ERR_502: return "Bad gateway.";
	case ERR_503: return "Service unavailable";
	case ERR_NOT_FOUND: return "Resource not found";
	case ERR_BAD_LIMIT: return "Invalid limit";
	case ERR_BAD_OFFSET: return "Invalid offset";
	case ERR_FORBIDDEN: return "Forbidden";
	default: return "Bad request";
	}
}

static int
error_status(enum error e)
{
	switch (e) {
	case ERR_NO_TOKEN: case ERR_BAD_TOKEN: case ERR_EXPIRED: return 401;
	case ERR_RATE: return 429;
	case ERR_502: return 502;
	case ERR_503: return 503;
	case ERR_NOT_FOUND: return 404;
	case ERR_FORBIDDEN: return 403;
	case ERR_EXCEPTION: return 500;
	default: return 400;
	}
}

int
render_error(int d, enum error e, const char *detail, struct buf *body)
{
	static const char *apple_titles[][2] = {
		{ "400", "Invalid Parameter Value" }, { "401", "Unauthorized" },
		{ "403", "Forbidden" }, { "404", "Resource Not Found" },
		{ "429", "Too Many Requests" }, { "502", "Bad Gateway" },
		{ "503", "Service Unavailable" }
	};
	int status = error_status(e), http = status;
	const char *type, *msg;
	struct jw w;
	char code[16], id[32];
	size_t i;
	int dz;

	buf_reset(body);
	jw_init(&w, body);
	jw_obj(&w);
	switch (d) {
	case D_SPOTIFY:
		jw_key(&w, "error");
		jw_obj(&w);
		jw_kint(&w, "status", status);
		jw_kstr(&w, "message", detail ? detail : spotify_message(e));
		jw_obj_end(&w);
		break;
	case D_APPLE:
		jw_key(&w, "errors");
		jw_arr(&w);
		jw_obj(&w);
		snprintf(id, sizeof id, "SIM%08X%04dERR", (unsigned)mono_ms(), status);
		jw_kstr(&w, "id", id);
		snprintf(code, sizeof code, "%d", status);
		msg = "Error";
		for (i = 0; i < sizeof apple_titles / sizeof apple_titles[0]; i++)
			if (strcmp(apple_titles[i][0], code) == 0)
				msg = apple_titles[i][1];
		jw_kstr(&w, "title", msg);
		jw_kstr(&w, "detail", detail ? detail : msg);
		jw_kstr(&w, "status", code);
		snprintf(code, sizeof code, "%d", status * 100 + (status == 400 ? 5 : 0));
		jw_kstr(&w, "code", code);
		if (e == ERR_BAD_LIMIT || e == ERR_BAD_OFFSET) {
			jw_key(&w, "source");
			jw_obj(&w);
			jw_kstr(&w, "parameter", e == ERR_BAD_LIMIT ? "limit" : "offset");
			jw_obj_end(&w);
		}
		jw_obj_end(&w);
		jw_arr_end(&w);
		break;
	case D_DEEZER:
		/*
		 * Deezer answers its errors with HTTP 200; only the gateway's 5xx are real.
		 * Codes from https://developers.deezer.com/api/errors (4 QUOTA, 200
		 * PERMISSION, 300 TOKEN_INVALID, 500 PARAMETER, 700 SERVICE_BUSY, 800
		 * DATA_NOT_FOUND); bodies as recorded by BackInBash/DeezerSync#6 (quota).
		 */
		switch (e) {
		case ERR_NO_TOKEN:
			type = "OAuthException";
			msg = "An active access token must be used to query information about the current user.";
			dz = 200;
			break;
		case ERR_BAD_TOKEN: case ERR_EXPIRED:
			type = "OAuthException";
			msg = "Invalid OAuth access token.";
			dz = 300;
			break;
		case ERR_RATE:
			type = "Exception";
			msg = "Quota limit exceeded";
			dz = 4;
			break;
		case ERR_NOT_FOUND:
			type = "DataException";
			msg = "no data";
			dz = 800;
			break;
		case ERR_FORBIDDEN:
			type = "OAuthException";
			msg = "Permission denied";
			dz = 200;
			break;
		case ERR_502: case ERR_503:
			type = "Exception";
			msg = "Service busy";
			dz = 700;
			break;
		case ERR_EXCEPTION:
			/*
			 * No code at all: GET /radio/top always answers this (dz4j issue
			 * #106, 2026), and so do other endpoints now and then (issue 11).
			 */
			type = "Exception";
			msg = "An error has occured";
			dz = -1;
			break;
		default:
			type = "ParameterException";
			msg = "Wrong parameter";
			dz = 500;
			break;
		}
		if (e != ERR_502 && e != ERR_503)
			http = 200;
		jw_key(&w, "error");
		jw_obj(&w);
		jw_kstr(&w, "type", type);
		jw_kstr(&w, "message", msg);
		if (dz >= 0)
			jw_kint(&w, "code", dz);
		jw_obj_end(&w);
		break;
	default:
		jw_kstr(&w, "message", detail ? detail : spotify_message(e));
		break;
	}
	jw_obj_end(&w);
	return http;
}

void
fail(struct ctx *c, enum error e, const char *detail)
{
	c->rs->status = render_error(c->dialect, e, detail, &c->rs->body);
	c->rs->page = 0;
	c->rs->items = 0;
}

int
arg_num(struct ctx *c, const char *name, long dflt, long min, long max, long *out)
{
	const char *s = c->rq->arg(c->rq->argctx, name);
	long long v;

	if (s == NULL) {
		*out = dflt;
		return 0;
	}
	if (parse_ll(s, min, max, &v) != 0)
		return -1;
	*out = (long)v;
	return 0;
}

static void
iso(long long t, char out[ISO8601_LEN])
{
	iso8601_format((time_t)t, out);
}

void
kiso(struct jw *w, const char *key, long long t)
{
	char s[ISO8601_LEN];

	iso(t, s);
	jw_kstr(w, key, s);
}

void
release_date(const struct album *al, char *out, size_t n)
{
	if (al->bad == BAD_DATE)
		snprintf(out, n, "2019-13-45");
	else if (al->precision == 1)
		snprintf(out, n, "%04d", al->year);
	else if (al->precision == 2)
		snprintf(out, n, "%04d-%02d", al->year, al->month);
	else
		snprintf(out, n, "%04d-%02d-%02d", al->year, al->month, al->day);
}

int
arg_lists(struct ctx *c, const char *name, const char *what)
{
	const char *list = c->rq->arg(c->rq->argctx, name);
	const char *p;
	size_t n = strlen(what);

	for (p = list; p != NULL && *p; p += strcspn(p, ","), p += *p == ',')
		if (strncmp(p, what, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/*
 * The playlist named at the start of rest (an id up to the next '/'), in the
 * ids of dialect d: its index, or -1 when there is no such playlist. *after
 * is the rest of the path past the id.
 */
static long
path_playlist(struct ctx *c, const char *rest, int d, const char **after)
{
	char idbuf[64];
	size_t n = strcspn(rest, "/");
	long p;

	*after = rest + n;
	if (n >= sizeof idbuf)
		return -1;
	memcpy(idbuf, rest, n);
	idbuf[n] = '\0';
	p = lib_parse_id(c->l, d, K_PLAYLIST, idbuf);
	return p < 0 || p >= c->l->n[K_PLAYLIST] + c->l->playlists.ntop ? -1 : p;
}

int
route_dialect(const char *path)
{
	if (strncmp(path, "/v1/me/library/", 15) == 0)
		return D_APPLE;
	if (strncmp(path, "/v1/", 4) == 0 || strcmp(path, "/v1") == 0)
		return D_SPOTIFY;
	if (strncmp(path, "/user/", 6) == 0 || strncmp(path, "/playlist/", 10) == 0)
		return D_DEEZER;
	if (strncmp(path, "/generic/", 9) == 0)
		return D_GENERIC;
	return -1;
}

/* Whether route r names the request's path: -2 when not, else its playlist or -1. */
static long
route_match(struct ctx *c, const struct route *r)
{
	const char *path = c->rq->path, *rest;
	size_t n = strlen(r->path), u;
	long p = -1;

	if (r->kind == R_PATH)
		return strcmp(path, r->path) == 0 ? -1 : -2;
	if (strncmp(path, r->path, n) != 0)
		return -2;
	if (r->kind == R_PLAYLIST) {
		if ((p = path_playlist(c, path + n, c->dialect, &rest)) < 0)
			return -2;
	} else {
		u = strlen(c->l->user);
		if (strncmp(path + n, c->l->user, u) != 0)
			return -2;
		rest = path + n + u;
	}
	return strcmp(rest, r->suffix) == 0 ? p : -2;
}

void
render(struct lib *l, int d, const struct request *rq, struct response *rs)
{
	static const struct route *tables[D_NDIALECTS] = {
		spotify_routes, apple_routes, deezer_routes, generic_routes
	};
	struct view *lists[] = { &l->artists, &l->albums, &l->tracks, &l->playlists };
	const struct route *r;
	struct ctx c;
	long p;

	c.l = l;
	c.rq = rq;
	c.rs = rs;
	c.dialect = d;
	buf_reset(&rs->body);
	buf_reset(&rs->link);
	rs->status = 200;
	rs->items = 0;
	rs->page = 0;
	jw_init(&c.w, &rs->body);
	for (r = tables[d]; r->path != NULL; r++) {
		if ((p = route_match(&c, r)) == -2)
			continue;
		r->serve(&c, r, r->list == K_ENTRY ? lib_entries(l, p) : r->list >= 0 ?
		    lists[r->list] : NULL, p);
		return;
	}
	fail(&c, ERR_NOT_FOUND, NULL);
}

