/*
 * The JSON Schema of every canonical stream, written into Singer SCHEMA
 * messages (msg_schema_of), so that a Singer target can create proper tables.
 *
 * Each stream is a list of fields with a type, in the order the mappings
 * (prov.c) write them. A type is one of:
 *   string, integer, boolean        a value that is always there
 *   string?, integer?, boolean?     the same, or null
 *   date-time?                      an ISO 8601 time (format date-time), or null
 *   strings                         an array of strings
 *   refs                            an array of {id, name}: artists
 *   @NAME / @NAME?                  an object of the list NAME (below), or null
 * Only provider and id (and what makes a row: playlist_id, position) are
 * required; the other fields are declared, and a record may carry more
 * (additionalProperties is left open): a provider's extras (Apple's genres of
 * a song) stay valid.
 */
#include <string.h>

#include "msg.h"

struct field {
	const char *name;
	const char *type;
};

#define END { NULL, NULL }

static const struct field artists[] = {
	{ "provider", "string" }, { "id", "string" }, { "name", "string?" },
	{ "genres", "strings" }, { "image_url", "string?" }, { "popularity", "integer?" },
	{ "followers", "integer?" }, { "uri", "string?" }, { "added_at", "date-time?" }, END
};

static const struct field albums[] = {
	{ "provider", "string" }, { "id", "string" }, { "title", "string?" },
	{ "artists", "refs" }, { "release_date", "string?" },
	{ "release_date_precision", "string?" }, { "album_type", "string?" },
	{ "total_tracks", "integer?" }, { "label", "string?" }, { "upc", "string?" },
	{ "image_url", "string?" }, { "genres", "strings" }, { "popularity", "integer?" },
	{ "uri", "string?" }, { "added_at", "date-time?" }, END
};

/* the album of a track: Spotify gives all of it, Deezer part, Apple id and title */
static const struct field album_ref[] = {
	{ "id", "string" }, { "title", "string?" }, { "image_url", "string?" },
	{ "release_date", "string?" }, { "release_date_precision", "string?" },
	{ "album_type", "string?" }, { "artists", "refs" }, END
};

static const struct field tracks[] = {
	{ "provider", "string" }, { "id", "string" }, { "title", "string?" },
	{ "duration_ms", "integer?" }, { "album", "@album_ref?" }, { "artists", "refs" },
	{ "track_number", "integer?" }, { "disc_number", "integer?" }, { "isrc", "string?" },
	{ "explicit", "boolean?" }, { "is_local", "boolean" }, { "uri", "string?" },
	{ "popularity", "integer?" },
	/* Apple Music songs only */
	{ "image_url", "string?" }, { "genres", "strings" }, { "release_date", "string?" },
	{ "added_at", "date-time?" }, END
};

static const struct field owner[] = {
	{ "id", "string?" }, { "name", "string?" }, END
};

static const struct field playlists[] = {
	{ "provider", "string" }, { "id", "string" }, { "name", "string?" },
	{ "description", "string?" }, { "owner", "@owner?" }, { "image_url", "string?" },
	{ "snapshot_id", "string?" }, { "track_count", "integer?" }, { "public", "boolean?" },
	{ "collaborative", "boolean?" }, { "uri", "string?" }, { "added_at", "date-time?" }, END
};

static const struct field show[] = {
	{ "id", "string?" }, { "name", "string?" }, END
};

static const struct field episode[] = {
	{ "provider", "string" }, { "id", "string" }, { "title", "string?" },
	{ "show", "@show?" }, { "duration_ms", "integer?" }, { "release_date", "string?" },
	{ "release_date_precision", "string?" }, { "uri", "string?" }, END
};

static const struct field playlist_items[] = {
	{ "provider", "string" }, { "id", "string" }, { "playlist_id", "string" },
	{ "position", "integer" }, { "added_at", "date-time?" }, { "added_by", "string?" },
	{ "track", "@tracks?" }, { "episode", "@episode?" }, { "reason", "string?" }, END
};

/* validate's rejected items (stream rejects): no id of their own */
static const struct field rejects[] = {
	{ "provider", "string?" }, { "stream", "string?" }, { "id", "string?" },
	{ "reason", "string" }, { "line", "integer?" }, { "file", "string?" }, { "input", "string?" },
	{ "input_truncated", "boolean?" }, END
};

/* an artist named by a record: Deezer's id may be missing */
static const struct field ref[] = {
	{ "id", "string?" }, { "name", "string?" }, END
};

/* a stream crate does not know, or one passed through as the provider gave it */
static const struct field other[] = {
	{ "provider", "string" }, { "id", "string" }, END
};

static const struct {
	const char *name;
	int stream;		/* a stream's records, not a part of one */
	const struct field *fields;
	const char *required[5];
} lists[] = {
	{ "artists", 1, artists, { "provider", "id" } },
	{ "albums", 1, albums, { "provider", "id" } },
	{ "tracks", 1, tracks, { "provider", "id" } },
	{ "playlists", 1, playlists, { "provider", "id" } },
	{ "playlist_items", 1, playlist_items, { "provider", "id", "playlist_id", "position" } },
	{ "rejects", 1, rejects, { "reason" } },
	{ "album_ref", 0, album_ref, { "id" } },
	{ "owner", 0, owner, { NULL } },
	{ "show", 0, show, { NULL } },
	{ "ref", 0, ref, { NULL } },
	{ "episode", 0, episode, { "provider", "id" } },
	{ "other", 0, other, { "provider", "id" } },
};

#define NLISTS (sizeof lists / sizeof lists[0])

static size_t
find(const char *name, size_t n)
{
	for (size_t i = 0; i < NLISTS; i++)
		if (strncmp(lists[i].name, name, n) == 0 && lists[i].name[n] == '\0')
			return i;
	return NLISTS;
}

static void object(struct jw *w, size_t list, int nullable);

/* {"type":T} or {"type":[T,"null"]} */
static void
scalar(struct jw *w, const char *t, size_t n, int nullable)
{
	jw_key(w, "type");
	if (nullable)
		jw_arr(w);
	jw_strn(w, t, n);
	if (nullable) {
		jw_str(w, "null");
		jw_arr_end(w);
	}
}

static void
type(struct jw *w, const char *t)
{
	size_t n = strlen(t);
	int nullable = n > 0 && t[n - 1] == '?';

	if (nullable)
		n--;
	if (t[0] == '@') {
		object(w, find(t + 1, n - 1), nullable);
		return;
	}
	jw_obj(w);
	if (strncmp(t, "date-time", n) == 0 && n == 9) {
		scalar(w, "string", 6, nullable);
		jw_kstr(w, "format", "date-time");
	} else if (strcmp(t, "strings") == 0) {
		scalar(w, "array", 5, 0);
		jw_key(w, "items");
		jw_obj(w);
		jw_kstr(w, "type", "string");
		jw_obj_end(w);
	} else if (strcmp(t, "refs") == 0) {
		scalar(w, "array", 5, 0);
		jw_key(w, "items");
		object(w, find("ref", 3), 0);
	} else {
		scalar(w, t, n, nullable);
	}
	jw_obj_end(w);
}

static void
object(struct jw *w, size_t list, int nullable)
{
	const struct field *f;

	jw_obj(w);
	scalar(w, "object", 6, nullable);
	jw_key(w, "properties");
	jw_obj(w);
	for (f = lists[list].fields; f->name; f++) {
		jw_key(w, f->name);
		type(w, f->type);
	}
	jw_obj_end(w);
	jw_key(w, "required");
	jw_arr(w);
	for (int i = 0; i < 5 && lists[list].required[i]; i++)
		jw_str(w, lists[list].required[i]);
	jw_arr_end(w);
	jw_obj_end(w);
}

void
msg_schema_of(struct jw *w, const char *stream, const char *provider)
{
	size_t list = find(stream, strlen(stream));
	int raw = provider == NULL && strcmp(stream, "rejects") != 0;

	if (list == NLISTS || !lists[list].stream ||
	    (provider != NULL && strcmp(provider, "generic") == 0 && strcmp(stream, "rejects") != 0))
		list = find("other", 5);
	jw_obj(w);
	jw_kstr(w, "type", "SCHEMA");
	jw_kstr(w, "stream", stream);
	jw_key(w, "schema");
	if (raw) {
		/* the provider's items as they are (fetch-pages --raw): parse maps them */
		jw_obj(w);
		jw_kstr(w, "type", "object");
		jw_obj_end(w);
	} else {
		object(w, list, 0);
	}
	/* a reject has no key of its own (the same item may be rejected twice); a raw item no provider */
	jw_key(w, "key_properties");
	jw_arr(w);
	if (!raw && strcmp(stream, "rejects") != 0) {
		jw_str(w, "provider");
		jw_str(w, "id");
	}
	jw_arr_end(w);
	jw_obj_end(w);
}
