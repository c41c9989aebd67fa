/*
 * answers.c: what a provider's answer means, for every provider in one place.
 *
 * Each provider has one table: a row per HTTP status and, for Deezer, which
 * answers its errors inside a 200, a row per error code. Each row gives the
 * outcome in three places of a walk (a status in none of them is looked up
 * in transient, the statuses every provider shares):
 *
 *   first    the first page of a pass (offset 0): the list is not known to exist
 *   resumed  the first page a run asks for when it resumes mid-list from a
 *            bookmark: the list may have shrunk past the bookmark since
 *   later    any other page: the list was seen to exist
 *
 * The outcomes: OK, EMPTY (the provider's documented answer for an empty
 * collection; only on a fresh walk's first page), RETRY, THROTTLED, AUTH (77),
 * FORBIDDEN (a playlist the provider refuses; 77 for a stream), MISSING (a
 * playlist that is gone; for a stream a wrong URL: 65 with a --base-url hint),
 * PAST_END (restart the pass from the start) and FATAL (65). A status or code
 * in no row is FATAL; any other 2xx is OK when the body has the provider's
 * shape (its items array), and a first page without it is a wrong URL.
 */
#include <stdio.h>
#include <string.h>

#include "fetch.h"
#include "prov.h"

struct answer {
	long long code;		/* an HTTP status, or a provider's error code; 0 ends a table */
	enum outcome first, resumed, later;
};

/*
 * The transient statuses, the same for every provider after its own table:
 * a timeout, a rate limit (with Retry-After: Spotify's "Rate Limits",
 * https://developer.spotify.com/documentation/web-api/concepts/rate-limits ),
 * the server's and its gateway's errors (RFC 9110, section 15.6).
 */
static const struct answer transient[] = {
	{ 408, RETRY, RETRY, RETRY },
	{ 429, THROTTLED, THROTTLED, THROTTLED },
	{ 500, RETRY, RETRY, RETRY },
	{ 502, RETRY, RETRY, RETRY },
	{ 503, RETRY, RETRY, RETRY },
	{ 504, RETRY, RETRY, RETRY },
	{ 0, FATAL, FATAL, FATAL }
};

/*
 * Spotify. Statuses: "Response Status Codes" in
 * https://developer.spotify.com/documentation/web-api/concepts/api-calls ;
 * an empty list is a 200 with "items": [] (every paging object in
 * https://developer.spotify.com/documentation/web-api/reference/get-users-saved-tracks).
 */
static const struct answer spotify[] = {
	{ 400, FATAL, PAST_END, FATAL },	/* bad request; past the end on resume */
	{ 401, AUTH, AUTH, AUTH },		/* expired or bad token: refresh, then 77 */
	/*
	 * Since 2026 /playlists/ID/items serves only playlists the user owns or
	 * collaborates on; elsewhere a 403 is a scope the token lacks.
	 */
	{ 403, FORBIDDEN, FORBIDDEN, FORBIDDEN },
	/*
	 * Never an empty list. On a first page: a wrong URL ("Service not found",
	 * spotify/web-api#1256), or a playlist Spotify no longer serves to apps
	 * (Spotify-owned and editorial playlists since 2024-11-27:
	 * https://developer.spotify.com/blog/2024-11-27-changes-to-the-web-api ,
	 * spotipy-dev/spotipy#1175). Elsewhere a stray 404, gone on a retry
	 * (spotify/web-api#1160, #733; metabrainz/listenbrainz-server#589).
	 */
	{ 404, MISSING, PAST_END, RETRY },
	{ 0, FATAL, FATAL, FATAL }
};

/*
 * Apple Music. Statuses:
 * https://developer.apple.com/documentation/applemusicapi/handling-requests-and-responses
 */
static const struct answer apple[] = {
	/* "offset must be less than N": a list that shrank past the bookmark */
	{ 400, FATAL, PAST_END, FATAL },
	{ 401, AUTH, AUTH, AUTH },		/* the developer token */
	/*
	 * A bad or expired Music-User-Token: 403 on every /me/ endpoint
	 * (PouleR/apple-music-api#18, zachomedia/apple-music-webplayer#35).
	 */
	{ 403, AUTH, AUTH, AUTH },
	/*
	 * The library endpoints answer an empty collection with 404 (errors[0].code
	 * "40400"; simonepelosi/vibez#49 and #68), and now and then a 404 in the
	 * middle of a list, gone on a retry. A 404 without Apple's body is a wrong URL.
	 */
	{ 404, EMPTY, PAST_END, RETRY },
	{ 0, FATAL, FATAL, FATAL }
};

/*
 * Deezer's HTTP statuses: its errors come with a 200 (below); a real status
 * is its gateway's (5xx, in transient) or a URL it does not serve (404).
 */
static const struct answer deezer_http[] = {
	{ 404, MISSING, PAST_END, RETRY },
	{ 0, FATAL, FATAL, FATAL }
};

/*
 * Deezer's error codes, in {"error":{"type","message","code"}} with HTTP 200:
 * https://developers.deezer.com/api/errors . Every error object is an error,
 * never a page: one without a code ({"type":"Exception","message":"An error
 * has occured"}, dz4j issue #106) is retried, then the walk stops partial.
 */
#define DEEZER_NO_CODE (-1)
static const struct answer deezer_codes[] = {
	{ 4, THROTTLED, THROTTLED, THROTTLED },	/* QUOTA: 50 requests per 5 s */
	{ 100, FATAL, FATAL, FATAL },		/* ITEMS_LIMIT_EXCEEDED */
	{ 200, FORBIDDEN, FORBIDDEN, FORBIDDEN },	/* OAuthException: PERMISSION */
	{ 300, AUTH, AUTH, AUTH },		/* TOKEN_INVALID: bad or expired token */
	{ 500, FATAL, FATAL, FATAL },		/* PARAMETER */
	{ 501, FATAL, FATAL, FATAL },		/* PARAMETER_MISSING */
	{ 600, FATAL, FATAL, FATAL },		/* QUERY_INVALID */
	{ 700, RETRY, RETRY, RETRY },		/* SERVICE_BUSY */
	{ 800, EMPTY, PAST_END, FATAL },	/* DATA_NOT_FOUND: empty on a first page */
	{ DEEZER_NO_CODE, RETRY, RETRY, RETRY },	/* no code: "An error has occured" */
	{ 0, FATAL, FATAL, FATAL }
};

/*
 * Any other API (--url, --profile): the statuses of RFC 9110; no empty
 * answer but an empty items array.
 */
static const struct answer generic[] = {
	{ 400, FATAL, PAST_END, FATAL },
	{ 401, AUTH, AUTH, AUTH },
	{ 403, FORBIDDEN, FORBIDDEN, FORBIDDEN },
	{ 404, MISSING, PAST_END, RETRY },
	{ 0, FATAL, FATAL, FATAL }
};

static const struct {
	enum prov_id prov;
	const struct answer *http;	/* HTTP statuses */
	const struct answer *codes;	/* error codes in a 200 body, or NULL */
} providers[] = {
	{ PROV_SPOTIFY, spotify, NULL },
	{ PROV_APPLE, apple, NULL },
	{ PROV_DEEZER, deezer_http, deezer_codes },
	{ PROV_GENERIC, generic, NULL },
};

/* Where in the walk the page is: which column of a row applies. */
enum place { FIRST, RESUMED, LATER };

static enum place
place_of(const struct walk *w)
{
	if (w->probe)
		return LATER;	/* the head check: the list was seen */
	if (w->page_offset == 0 && w->pass_pages == 0)
		return FIRST;
	if (w->resumed)
		return RESUMED;
	return LATER;
}

/*
 * Only a fresh walk's first page may be an empty collection: later in the
 * walk the same answer is a failure to retry, never an empty list.
 */
static int
fresh_start(const struct walk *w)
{
	return w->page_offset == 0 && w->fetched == 0 && w->pages == 0 && w->pass == 1 &&
	    w->total < 0 && !w->probe;
}

/*
 * The outcome of code in table (ended by code 0), else in more (or NULL), at
 * this place of the walk.
 */
static enum outcome
look_up(const struct answer *table, const struct answer *more, long long code,
    const struct walk *w)
{
	const struct answer *a = table;
	enum place at = place_of(w);
	enum outcome o;

	while (a->code != 0 && a->code != code)
		a++;
	if (a->code == 0 && more)
		for (a = more; a->code != 0 && a->code != code; a++)
			;
	o = at == FIRST ? a->first : at == RESUMED ? a->resumed : a->later;
	if (o == EMPTY && !fresh_start(w))
		o = RETRY;
	return o;
}

/* Copies s into w->why (after prefix), without control characters. */
static void
set_why(struct walk *w, const char *fmt, const char *clean, const char *detail)
{
	char *p;

	snprintf(w->why, sizeof w->why, fmt, clean, detail ? detail : "");
	for (p = w->why; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

/* A connection that failed: "cannot connect to HOST:PORT: reason". */
static void
transport_why(struct walk *w, CURLcode rc, const char *clean)
{
	char host[300], num[32];
	const char *h = strstr(clean, "://"), *end;
	long err = 0;

	h = h ? h + 3 : clean;
	end = h + strcspn(h, "/?#");
	snprintf(host, sizeof host, "%.*s", (int)(end - h), h);
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST) {
		if (curl_easy_getinfo(w->curl, CURLINFO_OS_ERRNO, &err) == CURLE_OK && err)
			snprintf(num, sizeof num, "%s", strerror((int)err));
		else
			snprintf(num, sizeof num, "%s", rc == CURLE_COULDNT_RESOLVE_HOST ?
			    "unknown host" : "refused");
		snprintf(w->why, sizeof w->why, "cannot connect to %s: %s", host, num);
		return;
	}
	set_why(w, "%s: %s", clean, curl_easy_strerror(rc));
}

enum outcome
answer(struct walk *w, CURLcode rc, const char *clean)
{
	const struct answer *http = generic, *codes = NULL;
	const char *msg;
	long long code;
	char detail[300];

	for (size_t i = 0; i < sizeof providers / sizeof *providers; i++)
		if ((int)providers[i].prov == opt.prov_id) {
			http = providers[i].http;
			codes = providers[i].codes;
		}
	if (stopping || w->drift || w->since_reached)
		return STOPPED;
	if (w->body_over) {
		snprintf(detail, sizeof detail, "%zu", opt.max_body);
		set_why(w, "%s: body larger than --max-body (%s bytes)", clean, detail);
		return FATAL;
	}
	if (rc != CURLE_OK && !w->page_bad) {
		transport_why(w, rc, clean);
		return RETRY;
	}
	if (!w->page_bad && page_finish(w->page) != 0)
		w->page_bad = 1;
	if (codes && w->status == 200 && (page_str(w->page, PAGE_ERROR_TYPE) ||
	    page_str(w->page, PAGE_ERROR_MESSAGE) || page_str(w->page, PAGE_ERROR_CODE))) {
		/* an error object: with a code or without one, never a page */
		if (page_int(w->page, PAGE_ERROR_CODE, &code) != 0)
			code = DEEZER_NO_CODE;
		msg = page_str(w->page, PAGE_ERROR_MESSAGE);
		snprintf(detail, sizeof detail, "error %lld: %s", code, msg ? msg : "");
		set_why(w, "%s: %s", clean, code == DEEZER_NO_CODE ? (msg ? msg : "error") :
		    detail);
		return look_up(codes, NULL, code, w);
	}
	if (w->status >= 200 && w->status <= 299) {
		if (w->page_bad) {
			set_why(w, "%s: %s", clean, page_error(w->page));
			return RETRY;
		}
		if (!page_has_items(w->page)) {
			/* not a page of this API: on a first page, a wrong URL */
			set_why(w, "%s: %s", clean, "not a page of this API (no items array)");
			return place_of(w) == FIRST ? MISSING : RETRY;
		}
		return OK;
	}
	msg = w->status == 429 ? NULL : page_str(w->page, PAGE_ERROR_MESSAGE);
	snprintf(detail, sizeof detail, "HTTP %ld%s%s", w->status, msg ? ": " : "",
	    msg ? msg : "");
	set_why(w, "%s: %s", clean, detail);
	if (opt.prov_id == PROV_APPLE && w->status == 404 &&
	    (page_int(w->page, PAGE_ERROR_CODE, &code) != 0 || code != 40400) &&
	    place_of(w) == FIRST)
		return MISSING;	/* not Apple's "Resource Not Found": a wrong URL */
	return look_up(http, transient, w->status, w);
}
