/*
 * fuzz_prov: every provider mapping. The input is JSON: an item, or a page of
 * items (items, data, artists.items); each is mapped for every provider and
 * stream, and what a mapping writes must be JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "prov.h"
#include "util.h"

static const char *streams[] = { "tracks", "albums", "artists", "playlists", "playlist_items", "other" };

static void
map_all(yajl_val it, struct buf *b)
{
	char err[256], key[128], added[32];
	const char *why;
	struct jw w;
	yajl_val v;

	for (int prov = 0; prov < PROV_COUNT; prov++) {
		prov_item_key(prov, it, key, sizeof key);
		prov_item_added(prov, it, added);
		for (size_t s = 0; s < sizeof streams / sizeof *streams; s++) {
			struct prov_ctx c = { prov, streams[s], "PL", 7 };

			buf_reset(b);
			jw_init(&w, b);
			if (prov_map(&c, it, &w, &why) != 0)
				continue;
			if ((v = json_parse(b->data, b->len, err, sizeof err)) == NULL)
				__builtin_trap();	/* a mapping wrote what is not JSON */
			yajl_tree_free(v);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size), err[256];
	yajl_val v, items;
	struct buf b;

	v = json_parse(text, size, err, sizeof err);
	free(text);
	if (v == NULL)
		return 0;
	buf_init(&b);
	map_all(v, &b);
	items = json_member(v, "items") ? json_member(v, "items") :
	    json_member(v, "data") ? json_member(v, "data") : json_get(v, "artists", "items", NULL);
	for (size_t i = 0; i < json_len(items) && i < 64; i++)
		map_all(json_at(items, i), &b);
	buf_free(&b);
	yajl_tree_free(v);
	return 0;
}
