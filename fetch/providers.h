/*
 * providers.h: what fetch-pages knows of each provider's API: per stream the
 * endpoint, the paging style, where the items are, the largest page, and how
 * the token is sent. --profile FILE loads the same description from JSON.
 */
#ifndef FETCH_PROVIDERS_H
#define FETCH_PROVIDERS_H

#include "prov.h"

enum paging {
	PAGING_OFFSET,	/* offset (or index) + limit, with a next link: Spotify, Apple, Deezer */
	PAGING_CURSOR,	/* follow next, no offsets: Spotify's followed artists (after=) */
	PAGING_LINK,	/* Link: <...>; rel="next" header, or a next link in the body */
	PAGING_PAGE	/* page=N: the next page until one comes back empty */
};

enum auth_style {
	AUTH_BEARER,	/* Authorization: Bearer TOKEN */
	AUTH_QUERY,	/* ?access_token=TOKEN (Deezer) */
	AUTH_NONE
};

struct endpoint {
	const char *path;		/* after the base URL; %s is the playlist id */
	const char *query;		/* fixed parameters, or NULL */
	enum paging paging;
	const char *items;		/* the items path in a page (page.h) */
	const char *limit_param;	/* "limit", "per_page" */
	const char *offset_param;	/* "offset", "index", "page" */
	int max_limit;
	int newest_first;	/* sorted by added_at, newest first: --since can stop early */
	const char *fallback;		/* a path to try when path answers 404 at once, or NULL */
};

struct provider {
	const char *name;		/* the mapping used: spotify, apple-music, deezer, generic */
	const char *base_url;
	enum auth_style auth;
	const char *auth_param;	/* AUTH_QUERY: the parameter */
	int user_token;		/* sends Music-User-Token (Apple) */
	struct endpoint streams[STREAM_COUNT];	/* in the order of prov_streams (prov.h) */
};

/* The built-in provider named, or NULL. */
const struct provider *provider_builtin(const char *name);
/* A provider described in a JSON file; dies with a message naming the file on error. */
struct provider *provider_load(const char *path);
/* The endpoint of a stream, or NULL for an unknown stream. */
const struct endpoint *provider_endpoint(const struct provider *p, const char *stream);

#endif
