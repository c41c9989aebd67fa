/*
 * fuzz_rules: validate's rules. The input is a record, or a RECORD message;
 * it is checked as a record of every stream, and a kept record is written
 * again with its edits, which must be JSON.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "json.h"
#include "util.h"
#include "validate.h"

static const char *streams[] = { "tracks", "albums", "artists", "playlists", "playlist_items", "other" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size), err[256];
	static struct check c;
	static int init;
	yajl_val v, rec, again;
	struct buf b;
	struct jw w;

	if (!init++)
		check_init(&c);
	v = json_parse(text, size, err, sizeof err);
	free(text);
	if (v == NULL)
		return 0;
	rec = json_member(v, "record") ? json_member(v, "record") : v;
	buf_init(&b);
	for (size_t s = 0; s < sizeof streams / sizeof *streams; s++) {
		if (rules_check(streams[s], rec, &c) != 0)
			continue;
		buf_reset(&b);
		jw_init(&w, &b);
		edits_write(&c.edits, &w, v);
		if ((again = json_parse(b.data, b.len, err, sizeof err)) == NULL)
			__builtin_trap();	/* an edited record that is not JSON */
		yajl_tree_free(again);
	}
	buf_free(&b);
	yajl_tree_free(v);
	return 0;
}
