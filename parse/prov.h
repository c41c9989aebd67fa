/*
 * prov.h: providers, streams, and the mapping of a provider's items to
 * canonical records (doc/protocol.md, and the JSON Schemas of schema.c).
 *
 * A canonical record is a JSON object whose first members are "provider" and
 * "id" (text), followed by the stream's fields; a field the provider does not
 * give is written as null, so every record of a stream has the same keys.
 * Where a provider names a thing without an id (Apple Music library songs
 * without relationships, Spotify local files), the mapping derives a stable id
 * from the names (prov_derived_id), so references always hold.
 */
#ifndef CRATE_PROV_H
#define CRATE_PROV_H

#include <yajl/yajl_tree.h>

#include "json.h"

enum prov_id { PROV_SPOTIFY, PROV_APPLE, PROV_DEEZER, PROV_GENERIC, PROV_COUNT };

/* The provider named (spotify, apple-music, deezer, generic), or -1. */
int prov_lookup(const char *name);
const char *prov_name(int prov);
/* The canonical streams, in this order (fetch-pages' endpoint tables follow it). */
enum { STREAM_COUNT = 5 };
extern const char *const prov_streams[STREAM_COUNT];
/* The index of stream in prov_streams, or -1. */
int prov_stream_index(const char *stream);
/* 1 when stream is one of artists, albums, tracks, playlists, playlist_items. */
int prov_stream_known(const char *stream);
/*
 * Bookmark keys: a stream's own name, or "STREAM:PLAYLIST_ID" for the items of one
 * playlist (each playlist has its own bookmark). Written into buf, truncated to
 * len bytes; the return value is buf.
 *   prov_bookmark_key: from the stream and the playlist id (NULL: none);
 *   prov_record_key: the key a record of stream counts under (its playlist_id
 *     when stream is playlist_items).
 */
char *prov_bookmark_key(char *buf, size_t len, const char *stream, const char *playlist_id);
char *prov_record_key(char *buf, size_t len, const char *stream, yajl_val record);
/* Where a page of this provider keeps the items of the stream (see page.h). */
const char *prov_items_path(int prov, const char *stream);

struct prov_ctx {
	int provider;
	const char *stream;
	const char *playlist_id;	/* playlist_items: the playlist */
	long long position;		/* playlist_items: the item's 0-based position */
};

/*
 * Appends the canonical record of item to w. Returns 0, or -1 with a reason
 * in *why (a static string) when the item cannot become a record (not an
 * object, no id); nothing is written then. Streams other than the five known
 * ones, and the generic provider, pass the item through with provider and a
 * text id put first.
 */
int prov_map(const struct prov_ctx *c, yajl_val item, struct jw *w, const char **why);

/*
 * A stable id for a thing known only by names: "derived:" and 16 hex digits of
 * a hash of the names (trimmed, ASCII case folded, NUL-separated). b may be NULL.
 */
#define PROV_DERIVED_LEN 25
void prov_derived_id(char out[PROV_DERIVED_LEN], const char *a, const char *b);

/*
 * The identity of a raw item in its list, to tell whether two pages overlap on
 * the same item: the item's (or its track's, album's) id or uri, and when the
 * provider gives one, the time it was added. Written to out (NUL-terminated,
 * truncated to outlen); returns -1 when the item has nothing to identify it.
 */
int prov_item_key(int prov, yajl_val item, char *out, size_t outlen);

/*
 * The time an item was added to the library, as ISO 8601 in out, or -1 when
 * the provider does not say. For `--since` walks over newest-first lists.
 */
int prov_item_added(int prov, yajl_val item, char out[32]);

#endif
