/*
 * fuzz_page: the page splitter, fed in chunks whose sizes come from the input
 * (its first byte), with a small cap; every item mapped for the provider the
 * items path belongs to (its second byte), as fetch-pages does. Also checks
 * json_open_string, which the splitter relies on, against a byte at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "page.h"
#include "prov.h"

static const char *paths[] = { "items", "data", "artists.items", "" };
static const char *streams[] = { "tracks", "albums", "artists", "playlists", "playlist_items" };

struct ctx {
	int prov;
	const char *stream;
	struct buf out;
};

static int
item(void *arg, struct page *p, const struct page_item *it)
{
	struct ctx *c = arg;
	struct prov_ctx pc = { c->prov, c->stream, "PL", (long long)it->index };
	struct jw w;
	const char *why;
	char key[256], added[32];

	(void)p;
	if (it->value == NULL)
		return 0;
	buf_reset(&c->out);
	jw_init(&w, &c->out);
	prov_map(&pc, it->value, &w, &why);
	prov_item_key(c->prov, it->value, key, sizeof key);
	prov_item_added(c->prov, it->value, added);
	return 0;
}

static int
end(void *arg, struct page *p)
{
	long long n;

	(void)arg;
	for (int f = 0; f < PAGE_NFIELDS; f++) {
		page_str(p, f);
		page_int(p, f, &n);
	}
	return 0;
}

/* json_open_string the slow way: one byte at a time. */
static size_t
open_string_bytewise(const char *s, size_t n)
{
	size_t i, open = n;
	int in = 0, escape = 0;

	for (i = 0; i < n; i++) {
		if (!in) {
			if (s[i] == '"') {
				in = 1;
				open = i;
			}
		} else if (escape) {
			escape = 0;
		} else if (s[i] == '\\') {
			escape = 1;
		} else if (s[i] == '"') {
			in = 0;
		}
	}
	return in ? open : n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct page_callbacks cb = { item, end };
	struct ctx c;
	struct page *p;
	size_t step, at = 2, n;

	if (size < 2)
		return 0;
	if (json_open_string((const char *)data, size) !=
	    open_string_bytewise((const char *)data, size))
		abort();
	step = 1 + data[0] % 61;
	c.prov = data[1] % PROV_COUNT;
	c.stream = streams[(data[1] / PROV_COUNT) % 5];
	buf_init(&c.out);
	p = page_new(paths[(data[1] >> 5) % 4], 256 + 16 * (size_t)data[0], &cb, &c);
	while (at < size) {
		n = size - at < step ? size - at : step;
		if (page_feed(p, data + at, n) != 0)
			break;
		at += n;
	}
	if (at >= size)
		page_finish(p);
	page_error(p);
	page_free(p);
	buf_free(&c.out);
	return 0;
}
