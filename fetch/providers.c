#include "providers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

#define E(path, query, paging, items, off, max, newest) \
	{ path, query, paging, items, "limit", off, max, newest, NULL }

static const struct provider builtin[] = {
	{ "spotify", "https://api.spotify.com/v1", AUTH_BEARER, NULL, 0, {
		E("/me/following", "type=artist", PAGING_CURSOR, "artists.items", NULL, 50, 0),
		E("/me/albums", NULL, PAGING_OFFSET, "items", "offset", 50, 1),
		E("/me/tracks", NULL, PAGING_OFFSET, "items", "offset", 50, 1),
		E("/me/playlists", NULL, PAGING_OFFSET, "items", "offset", 50, 0),
		/*
		 * Since 2026 a playlist's entries are at /items; /tracks, deprecated, is
		 * where an API that has not moved yet still serves them.
		 */
		/*
		 * additional_types: without episode, a podcast episode comes as an entry
		 * without its media object
		 * (https://developer.spotify.com/documentation/web-api/reference/get-playlists-tracks).
		 */
		{ "/playlists/%s/items", "additional_types=track,episode", PAGING_OFFSET, "items", "limit", "offset", 50, 0,
		    "/playlists/%s/tracks" },
	} },
	/*
	 * Library resources carry no ISRC, UPC, label or album type; their catalog
	 * relationship does (include=catalog: "relationships" of
	 * https://developer.apple.com/documentation/applemusicapi/librarysongs ,
	 * .../libraryalbums and .../libraryartists).
	 */
	{ "apple-music", "https://api.music.apple.com", AUTH_BEARER, NULL, 1, {
		E("/v1/me/library/artists", "include=catalog", PAGING_OFFSET, "data", "offset", 100,
		    0),
		E("/v1/me/library/albums", "include=artists,catalog", PAGING_OFFSET, "data",
		    "offset", 100, 0),
		E("/v1/me/library/songs", "include=albums,artists,catalog", PAGING_OFFSET, "data",
		    "offset", 100, 0),
		E("/v1/me/library/playlists", NULL, PAGING_OFFSET, "data", "offset", 100, 0),
		E("/v1/me/library/playlists/%s/tracks", "include=albums,artists,catalog",
		    PAGING_OFFSET, "data", "offset", 100, 0),
	} },
	{ "deezer", "https://api.deezer.com", AUTH_QUERY, "access_token", 0, {
		E("/user/me/artists", NULL, PAGING_OFFSET, "data", "index", 100, 0),
		/* favourites come newest first (time_add), like Spotify's saved lists */
		E("/user/me/albums", NULL, PAGING_OFFSET, "data", "index", 100, 1),
		E("/user/me/tracks", NULL, PAGING_OFFSET, "data", "index", 100, 1),
		E("/user/me/playlists", NULL, PAGING_OFFSET, "data", "index", 100, 0),
		E("/playlist/%s/tracks", NULL, PAGING_OFFSET, "data", "index", 100, 0),
	} },
};

const struct provider *
provider_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++)
		if (strcmp(builtin[i].name, name) == 0)
			return &builtin[i];
	return NULL;
}

const struct endpoint *
provider_endpoint(const struct provider *p, const char *stream)
{
	int i = prov_stream_index(stream);

	return i >= 0 && p->streams[i].path ? &p->streams[i] : NULL;
}

static char *
dup_or(yajl_val v, const char *dflt)
{
	const char *s = json_str(v);

	return s ? xstrdup(s) : dflt ? xstrdup(dflt) : NULL;
}

/*
 * {"provider":"spotify","base_url":"...","auth":"bearer|query|none","auth_param":"access_token",
 *  "streams":{"tracks":{"path":"/me/tracks","query":null,"paging":"offset|cursor|link|page",
 *  "items":"items","limit_param":"limit","offset_param":"offset","max_limit":50,
 *  "newest_first":true}}}
 */
struct provider *
provider_load(const char *path)
{
	FILE *f = fopen(path, "r");
	struct provider *p;
	struct buf b;
	char tmp[4096], err[256];
	size_t n;
	yajl_val root, streams, s;
	const char *auth, *paging;
	long long max;

	if (f == NULL)
		die(EXIT_USAGE, "%s: cannot open profile", path);
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0 && b.len < (1 << 20))
		buf_add(&b, tmp, n);
	fclose(f);
	if ((root = json_parse(b.data, b.len, err, sizeof err)) == NULL)
		die(EXIT_USAGE, "%s: not a JSON profile: %s", path, err);
	buf_free(&b);
	p = xcalloc(1, sizeof *p);
	p->name = dup_or(json_member(root, "provider"), "generic");
	p->base_url = dup_or(json_member(root, "base_url"), NULL);
	if (p->base_url == NULL)
		die(EXIT_USAGE, "%s: the profile has no base_url", path);
	auth = json_str(json_member(root, "auth"));
	p->auth = auth == NULL || strcmp(auth, "bearer") == 0 ? AUTH_BEARER :
	    strcmp(auth, "query") == 0 ? AUTH_QUERY : AUTH_NONE;
	p->auth_param = dup_or(json_member(root, "auth_param"), "access_token");
	streams = json_member(root, "streams");
	for (int i = 0; i < STREAM_COUNT; i++) {
		struct endpoint *e = &p->streams[i];

		if ((s = json_member(streams, prov_streams[i])) == NULL)
			continue;
		e->path = dup_or(json_member(s, "path"), NULL);
		if (e->path == NULL)
			die(EXIT_USAGE, "%s: stream %s has no path", path, prov_streams[i]);
		e->query = dup_or(json_member(s, "query"), NULL);
		paging = json_str(json_member(s, "paging"));
		e->paging = paging == NULL || strcmp(paging, "offset") == 0 ? PAGING_OFFSET :
		    strcmp(paging, "cursor") == 0 ? PAGING_CURSOR :
		    strcmp(paging, "page") == 0 ? PAGING_PAGE : PAGING_LINK;
		e->items = dup_or(json_member(s, "items"), "items");
		e->limit_param = dup_or(json_member(s, "limit_param"), "limit");
		e->offset_param = dup_or(json_member(s, "offset_param"),
		    e->paging == PAGING_PAGE ? "page" : "offset");
		e->max_limit = json_int(json_member(s, "max_limit"), &max) == 0 && max > 0 ?
		    (int)max : 50;
		e->newest_first = json_bool(json_member(s, "newest_first"), 0);
	}
	yajl_tree_free(root);
	return p;
}
