/*
 * answers.c: what a provider's answer means. Each provider has a table of
 * HTTP statuses and, when it reports errors inside a 200 body, a table of its
 * error codes; each entry says the outcome on the first page of a fresh walk
 * and anywhere else. A status or code in no table is FATAL; a 2xx is OK.
 */
#include <stdio.h>

#include "fetch.h"
#include "prov.h"

struct answer {
	long long code;		/* an HTTP status, or a provider's error code */
	enum outcome first;	/* on the first page of a fresh walk (fresh_start) */
	enum outcome later;	/* anywhere else: the list was seen to exist */
};

/*
 * Statuses every provider shares. Spotify: "Response Status Codes" in
 * https://developer.spotify.com/documentation/web-api/concepts/api-calls ;
 * Apple: https://developer.apple.com/documentation/applemusicapi/handling-requests-and-responses
 */
static const struct answer http_common[] = {
	{ 401, AUTH, AUTH },
	{ 403, FORBIDDEN, FORBIDDEN },
	/* Apple answers 404 for an empty library, and now and then in the middle of a list */
	{ 404, EMPTY, RETRY },
	{ 408, RETRY, RETRY },
	{ 429, THROTTLED, THROTTLED },
	{ 500, RETRY, RETRY },
	{ 502, RETRY, RETRY },
	{ 503, RETRY, RETRY },
	{ 504, RETRY, RETRY },
	{ 0, FATAL, FATAL }
};

/*
 * Deezer answers errors with HTTP 200 and {"error":{"type","message","code"}}:
 * https://developers.deezer.com/api/errors
 */
static const struct answer deezer_codes[] = {
	{ 4, THROTTLED, THROTTLED },	/* QUOTA */
	{ 700, THROTTLED, THROTTLED },	/* SERVICE_BUSY */
	{ 300, AUTH, AUTH },		/* TOKEN_INVALID */
	{ 200, FORBIDDEN, FORBIDDEN },	/* PERMISSION */
	{ 800, EMPTY, FATAL },		/* DATA_NOT_FOUND */
	{ 0, FATAL, FATAL }
};

static const struct {
	enum prov_id prov;
	const struct answer *http;	/* HTTP statuses */
	const struct answer *codes;	/* error codes in a 200 body, or NULL */
} providers[] = {
	{ PROV_SPOTIFY, http_common, NULL },
	{ PROV_APPLE, http_common, NULL },
	{ PROV_DEEZER, http_common, deezer_codes },
	{ PROV_GENERIC, http_common, NULL },
};

/* The outcome of code in table (ended by code 0). */
static enum outcome
look_up(const struct answer *table, long long code, int fresh)
{
	const struct answer *a = table;

	while (a->code != 0 && a->code != code)
		a++;
	return fresh ? a->first : a->later;
}

/*
 * The first page of a fresh walk, where "nothing here" (Apple's 404, Deezer's
 * code 800) means an empty collection. Anywhere else the list was seen to
 * exist, and the same answer is a failure to retry, never an empty list.
 */
static int
fresh_start(const struct walk *w)
{
	return w->page_offset == 0 && w->fetched == 0 && w->pages == 0 && w->pass == 1 &&
	    w->total < 0;
}

enum outcome
answer(struct walk *w, CURLcode rc, const char *clean)
{
	const struct answer *http = http_common, *codes = NULL;
	const char *msg;
	long long code;

	for (size_t i = 0; i < sizeof providers / sizeof *providers; i++)
		if ((int)providers[i].prov == opt.prov_id) {
			http = providers[i].http;
			codes = providers[i].codes;
		}
	if (stopping || w->drift || w->since_reached)
		return STOPPED;
	if (w->body_over) {
		snprintf(w->why, sizeof w->why, "%s: body larger than --max-body (%zu bytes)", clean,
		    opt.max_body);
		return FATAL;
	}
	if (rc != CURLE_OK && !w->page_bad) {
		snprintf(w->why, sizeof w->why, "%s: %s", clean, curl_easy_strerror(rc));
		return RETRY;
	}
	if (!w->page_bad && page_finish(w->page) != 0)
		w->page_bad = 1;
	if (codes && w->status == 200 && page_int(w->page, PAGE_ERROR_CODE, &code) == 0) {
		msg = page_str(w->page, PAGE_ERROR_MESSAGE);
		snprintf(w->why, sizeof w->why, "%s: error %lld: %s", clean, code, msg ? msg : "");
		return look_up(codes, code, fresh_start(w));
	}
	if (w->status >= 200 && w->status <= 299) {
		if (!w->page_bad)
			return OK;
		snprintf(w->why, sizeof w->why, "%s: %s", clean, page_error(w->page));
		return RETRY;
	}
	msg = w->status == 429 ? NULL : page_str(w->page, PAGE_ERROR_MESSAGE);
	snprintf(w->why, sizeof w->why, "%s: HTTP %ld%s%s", clean, w->status, msg ? ": " : "",
	    msg ? msg : "");
	return look_up(http, w->status, fresh_start(w));
}
