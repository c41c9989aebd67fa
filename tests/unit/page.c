/*
 * Unit tests of the page splitter: chunk boundaries anywhere, the item cap,
 * nesting, truncation and invalid input.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "buf.h"
#include "json.h"
#include "page.h"
#include "util.h"

/* Everything the splitter hands out, as text: items, item errors, fields per page. */
static int
t_item(void *ctx, struct page *p, const struct page_item *it)
{
	struct buf *b = ctx;
	struct jw w;

	(void)p;
	buf_printf(b, "item %zu: ", it->index);
	if (it->error) {
		buf_printf(b, "error %s\n", it->error);
		return 0;
	}
	jw_init(&w, b);
	jw_value(&w, it->value);
	buf_addc(b, '\n');
	return 0;
}

static int
t_end(void *ctx, struct page *p)
{
	struct buf *b = ctx;

	buf_printf(b, "end %zu items:", page_items(p));
	for (int f = 0; f < PAGE_NFIELDS; f++)
		buf_printf(b, " %d=%s", f, page_str(p, f) ? page_str(p, f) : "-");
	buf_addc(b, '\n');
	return 0;
}

static const struct page_callbacks cb = { t_item, t_end };

static int
feed_str(struct page *p, const char *s)
{
	return page_feed(p, s, strlen(s));
}

/*
 * Feeds text in chunks: the first of size first, then of size step, or of
 * pseudo-random sizes from 1 to step when seed is not 0; returns 0 or -1.
 */
static int
chunked(const char *path, const char *text, size_t len, size_t cap, size_t first,
    size_t step, unsigned seed, struct buf *out)
{
	struct page *p = page_new(path, cap, &cb, out);
	size_t at = 0, n;
	int rc = 0;

	buf_reset(out);
	while (at < len) {
		n = at == 0 ? first : step;
		if (seed != 0) {
			seed = seed * 1103515245 + 12345;
			n = 1 + (seed >> 16) % step;
		}
		if (n == 0)
			n = step;
		if (n > len - at)
			n = len - at;
		if (page_feed(p, text + at, n) != 0) {
			rc = -1;
			break;
		}
		at += n;
	}
	if (rc == 0)
		rc = page_finish(p);
	if (rc != 0)
		buf_printf(out, "error: %s\n", page_error(p));
	page_free(p);
	return rc;
}

static int
transcript(const char *path, const char *text, size_t len, size_t cap, size_t first,
    size_t step, struct buf *out)
{
	return chunked(path, text, len, cap, first, step, 0, out);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char tmp[65536];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	*len = b.len;
	return b.data;
}

static const char *
items_path_for(const char *name)
{
	if (strstr(name, "following"))
		return "artists.items";
	if (strncmp(name, "spotify", 7) == 0)
		return "items";
	return "data";
}

/*
 * Every split point of a fixture, in len/STRIDE passes: pass s cuts the body at
 * s, s+STRIDE, s+2*STRIDE, ... Over all passes every offset is a cut exactly
 * once, and no token in the fixtures is as long as STRIDE in a way that matters:
 * a token longer than STRIDE is cut more than once in a pass, which is a
 * harder case than one cut. One more pass feeds a byte at a time.
 */
#define STRIDE 257

static void
fixture(const char *dir, const char *name)
{
	char path[1024];
	struct buf whole, cut;
	size_t len, s, bad_at = 0;
	char *text;
	int same = 1;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((text = slurp(path, &len)) == NULL) {
		ok(0, "read %s", path);
		return;
	}
	buf_init(&whole);
	buf_init(&cut);
	ok(transcript(items_path_for(name), text, len, 0, len, len, &whole) == 0 &&
	    (strstr(whole.data, "item 0") != NULL || strstr(name, "empty") || strstr(name, "error")),
	    "%s: parses whole", name);
	for (s = 1; s <= STRIDE && same; s++) {
		transcript(items_path_for(name), text, len, 0, s, STRIDE, &cut);
		if (strcmp(cut.data, whole.data) != 0) {
			same = 0;
			bad_at = s;
		}
	}
	ok(same, "%s: every split point gives the same items and fields%s", name,
	    same ? "" : " (not at a cut of the first pass shown below)");
	if (!same)
		printf("#   pass %zu differs\n", bad_at);
	transcript(items_path_for(name), text, len, 0, 1, 1, &cut);
	is_str(cut.data, whole.data, "%s: a byte at a time gives the same", name);
	buf_free(&whole);
	buf_free(&cut);
	free(text);
}

static void
fixtures(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[64];
	int n = 0;

	if (d == NULL) {
		ok(0, "open %s", dir);
		return;
	}
	while ((e = readdir(d)) != NULL && n < 64)
		if (strstr(e->d_name, ".json"))
			names[n++] = xstrdup(e->d_name);
	closedir(d);
	for (int i = 0; i < n; i++) {
		fixture(dir, names[i]);
		free(names[i]);
	}
}

/* An item of many megabytes in the middle of a page, fed in chunks like a socket. */
/*
 * One page whose second item is mib MiB long, fed in chunks like a socket.
 * Returns the growth of the peak resident size in KiB.
 */
static long
oversized(const char *what, const char *open, const char *fill, const char *close, int mib)
{
	struct buf out;
	struct page *p;
	char chunk[65536];
	size_t fl = strlen(fill), i;
	long before, after;
	int rc = 0;

	buf_init(&out);
	p = page_new("items", 1 << 20, &cb, &out);
	before = peak_rss_kb();
	rc |= feed_str(p, "{\"href\":\"h?offset=0\",\"items\":[{\"id\":\"a\"},");
	rc |= page_feed(p, open, strlen(open));
	for (i = 0; i + fl <= sizeof chunk; i += fl)
		memcpy(chunk + i, fill, fl);
	for (int k = 0; k < mib * 16 && rc == 0; k++)
		rc |= page_feed(p, chunk, i);
	rc |= page_feed(p, close, strlen(close));
	rc |= feed_str(p, ",{\"id\":\"c\"}],\"next\":\"n\",\"total\":3}");
	rc |= page_finish(p);
	after = peak_rss_kb();
	ok(rc == 0, "%s: the page goes on after an item over the cap (%s)", what,
	    rc ? page_error(p) : "ok");
	ok(strstr(out.data, "item 0: {\"id\":\"a\"}") && strstr(out.data, "item 1: error item longer") &&
	    strstr(out.data, "item 2: {\"id\":\"c\"}"), "%s: items before and after it are whole", what);
	ok(strstr(out.data, " 0=n ") && strstr(out.data, " 1=3 ") && strstr(out.data, " 4=h?offset=0 "),
	    "%s: fields before and after it are kept", what);
	if (!(strstr(out.data, "item 2")))
		printf("# %s\n", out.data);
	page_free(p);
	buf_free(&out);
	return after - before;
}

/*
 * The peak resident size is a high-water mark, so the small item goes first:
 * the one five times larger must not raise it (more than allocator noise).
 */
static void
oversized_flat(const char *what, const char *open, const char *fill, const char *close)
{
	long small = oversized(what, open, fill, close, 20);
	long large = oversized(what, open, fill, close, 100);

#ifdef __SANITIZE_ADDRESS__
	/* ASan keeps freed memory in quarantine: the resident size says nothing */
	printf("ok %d - %s: memory # SKIP under AddressSanitizer\n", ++tap_n, what);
	return;
#endif
	ok(large < 2048, "%s: memory does not grow with the item: peak +%ld KiB at 20 MiB, "
	    "+%ld KiB more at 100 MiB", what, small, large);
}

static void
limits(void)
{
	struct buf out;
	struct buf deep;
	const char *two;
	int rc;

	buf_init(&out);
	buf_init(&deep);

	/* nesting past the limit inside an item: that item only */
	buf_adds(&deep, "{\"items\":[{\"id\":1},");
	for (int i = 0; i < 100000; i++)
		buf_addc(&deep, '[');
	for (int i = 0; i < 100000; i++)
		buf_addc(&deep, ']');
	buf_adds(&deep, ",{\"id\":3}]}");
	ok(transcript("items", deep.data, deep.len, 0, 4096, 4096, &out) == 0 &&
	    strstr(out.data, "item 1: error nested too deep") && strstr(out.data, "item 2: {\"id\":3}"),
	    "an item nested 100,000 deep is an error for that item only");

	/* under the text cap, but a node per value: over the memory the cap allows */
	buf_reset(&deep);
	buf_adds(&deep, "{\"items\":[{\"id\":1},[");
	for (int i = 0; i < 400000; i++)
		buf_adds(&deep, "0,");
	buf_adds(&deep, "0],{\"id\":3}]}");
	ok(transcript("items", deep.data, deep.len, 1 << 20, 4096, 4096, &out) == 0 &&
	    strstr(out.data, "item 1: error item takes more than 4 times the record cap") &&
	    strstr(out.data, "item 2: {\"id\":3}"),
	    "an item of 800 KB under a 1 MiB cap, but 400,000 values, is refused");

	/* nesting past the limit outside the items: the page fails, no crash */
	buf_reset(&deep);
	for (int i = 0; i < 100000; i++)
		buf_adds(&deep, "{\"a\":");
	ok(transcript("items", deep.data, deep.len, 0, 4096, 4096, &out) != 0 &&
	    strstr(out.data, "nested deeper"), "a page nested 100,000 deep fails cleanly");

	ok(transcript("items", "{\"items\":[{\"id\":1},{\"id\":", strlen("{\"items\":[{\"id\":1},{\"id\":"), 0, 5, 5, &out) != 0 &&
	    strstr(out.data, "truncated"), "a truncated body is an error");
	ok(transcript("items", "{\"items\":[{\"id\":\"\xff\xfe\"}]}", strlen("{\"items\":[{\"id\":\"\xff\xfe\"}]}"), 0, 3, 3, &out) != 0 &&
	    strstr(out.data, "invalid JSON"), "invalid UTF-8 is an error, not a crash");
	ok(transcript("items", "{\"items\":[1,2}", strlen("{\"items\":[1,2}"), 0, 14, 14, &out) != 0,
	    "a mismatched bracket is an error");
	two = "{\"data\":[{\"id\":\"x\"}]}{\"data\":[{\"id\":\"y\"}],\"next\":null}";
	ok(transcript("data", two, strlen(two), 0, 7, 7, &out) == 0 && strstr(out.data, "item 0: {\"id\":\"x\"}") &&
	    strstr(out.data, "item 0: {\"id\":\"y\"}") && strstr(out.data, "end 1 items") ,
	    "several bodies in a row are pages one after the other");
	ok(transcript("", "[{\"id\":1},{\"id\":2}]", strlen("[{\"id\":1},{\"id\":2}]"), 0, 19, 19, &out) == 0 &&
	    strstr(out.data, "item 1: {\"id\":2}"), "a body that is the array itself");
	ok(transcript("data", "{\"errors\":[{\"status\":\"404\",\"code\":\"40400\",\"title\":\"T\",\"detail\":\"D\"},"
	    "{\"status\":\"500\"}]}", strlen("{\"errors\":[{\"status\":\"404\",\"code\":\"40400\",\"title\":\"T\",\"detail\":\"D\"},"
	    "{\"status\":\"500\"}]}"), 0, 92, 92, &out) == 0 && strstr(out.data, " 8=404 ") &&
	    strstr(out.data, " 9=D "), "Apple's errors: the first one's fields");

	/* issue 12: \u0000 would cut a string (an id "t1\u0000evil" became t1) */
	two = "{\"items\":[{\"id\":\"t1\\u0000evil\"},{\"id\":\"t1\",\"a\":[\"x\\u0000\"]},"
	    "{\"k\\u0000\":1},\"s\\u0000\",{\"id\":\"t2\"}],\"next\":\"n\"}";
	for (size_t step = 1; step <= 7; step++) {
		transcript("items", two, strlen(two), 0, step, step, &out);
		if (!strstr(out.data, "item 0: error a NUL character (\\u0000) in \"id\"\n") ||
		    !strstr(out.data, "item 1: error a NUL character (\\u0000) in a string\n") ||
		    !strstr(out.data, "item 2: error a NUL character (\\u0000) in a key\n") ||
		    !strstr(out.data, "item 3: error a NUL character (\\u0000) in a string\n") ||
		    !strstr(out.data, "item 4: {\"id\":\"t2\"}") || !strstr(out.data, " 0=n "))
			break;
		if (step == 7)
			buf_adds(&out, "all steps");
	}
	ok(strstr(out.data, "all steps") != NULL, "a NUL in a string refuses its item, naming the member");
	two = "{\"items\":[],\"next\":\"http://x/\\u0000y\"}";
	ok(transcript("items", two, strlen(two), 0, 5, 5, &out) != 0 &&
	    strstr(out.data, "a NUL character (\\u0000) in next"), "a NUL in a paging field fails the page");

	/* issue 12: a lone surrogate must not become invalid UTF-8 (yajl makes it so) */
	two = "{\"items\":[{\"n\":\"a\\ud800b\\udc00c\\ud83d\\ude00d\\uD800\\u0041\\\\ud800\"}]}";
	for (size_t step = 1; step <= 9; step++) {
		transcript("items", two, strlen(two), 0, step, step, &out);
		if (!strstr(out.data, "item 0: {\"n\":\"a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xf0\x9f\x98\x80"
		    "d\xef\xbf\xbd" "A\\\\ud800\"}"))
			break;
		if (step == 9)
			buf_adds(&out, "all steps");
	}
	ok(strstr(out.data, "all steps") != NULL, "lone surrogates become U+FFFD, pairs stay");

	/* issue 12: whitespace longer than the cap between items swallowed the next item */
	buf_reset(&deep);
	buf_adds(&deep, "{\"items\":[{\"id\":1},");
	for (int i = 0; i < 300000; i++)
		buf_addc(&deep, i % 2 ? ' ' : '\n');
	buf_adds(&deep, "{\"id\":2}, ");
	for (int i = 0; i < 300000; i++)
		buf_addc(&deep, ' ');
	buf_adds(&deep, "3]}");
	rc = transcript("items", deep.data, deep.len, 100000, 4096, 4096, &out);
	ok(rc == 0 && strstr(out.data, "item 1: {\"id\":2}") && strstr(out.data, "item 2: 3\n"),
	    "whitespace longer than the cap between items is no item");

	/* a string over the cap that is held back is still skipped, and the page goes on */
	buf_reset(&deep);
	buf_adds(&deep, "{\"items\":[{\"id\":1},\"");
	for (int i = 0; i < 200000; i++)
		buf_adds(&deep, "\\\"");
	buf_adds(&deep, "\",{\"id\":\"");
	for (int i = 0; i < 200000; i++)
		buf_adds(&deep, "\\\\");
	buf_adds(&deep, "\"},{\"id\":3}]}");
	rc = transcript("items", deep.data, deep.len, 100000, 4096, 4096, &out);
	ok(rc == 0 && strstr(out.data, "item 1: error item longer") &&
	    strstr(out.data, "item 2: error item longer") && strstr(out.data, "item 3: {\"id\":3}"),
	    "strings of escapes over the cap are skipped, the page goes on");
	buf_free(&out);
	buf_free(&deep);
}

/*
 * The splitter holds back a string left open at the end of a chunk, finding it
 * by backslash parity (counting quotes a block at a time between backslashes).
 * Escaped quotes and runs of backslashes at every offset of a word and at
 * every cut: the items and fields are those of the whole body.
 */
static void
escapes_at_edges(void)
{
	struct buf text, whole, cut;
	size_t s, bad_at = 0;
	int same = 1;

	buf_init(&text);
	buf_init(&whole);
	buf_init(&cut);
	buf_adds(&text, "{\"href\" : \"h\\\"?\\\\\",\n \"items\": [ {\"id\":\"a\\\\\", \"k\\\"\\\\ey\" :"
	    " \"\\\"\\\"\\\\\\\\\\\"\"}, \"\\\\\\\"\",\n");
	for (int k = 0; k < 40; k++) {
		/* the escapes move one byte further at each item */
		buf_printf(&text, "{\"id\":\"%.*s\\\"\\\\\\\\\\\"b\\\\\",\"u\":\"\\/\\u00e9\\ud83d\\ude00"
		    "\\\\\\\"\",\"", k, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
		for (int q = 0; q < k % 9; q++)
			buf_adds(&text, "\\\"");
		buf_adds(&text, "\\\\\":[\"\\\\\",\"\\\"\",\"\",\"x\\\\\\\\\"]},\n");
	}
	buf_adds(&text, "{\"id\":\"z\"}],\"next\":\"n\\\\\\\"x\\\\\",\"total\":42}");
	ok(transcript("items", text.data, text.len, 0, text.len, text.len, &whole) == 0 &&
	    strstr(whole.data, "item 42: {\"id\":\"z\"}") && strstr(whole.data, " 0=n\\\"x\\ "),
	    "a page of escaped quotes and backslashes parses whole");
	if (!strstr(whole.data, "item 42: "))
		printf("# %s\n", whole.data);
	for (s = 1; s < text.len && same; s++) {
		transcript("items", text.data, text.len, 0, s, text.len, &cut);
		if (strcmp(cut.data, whole.data) != 0) {
			same = 0;
			bad_at = s;
		}
	}
	ok(same, "cut in two at every byte: the same items and fields (differs at %zu)", bad_at);
	same = 1;
	for (s = 1; s <= 70 && same; s++) {
		transcript("items", text.data, text.len, 0, s, s, &cut);
		if (strcmp(cut.data, whole.data) != 0) {
			same = 0;
			bad_at = s;
		}
	}
	ok(same, "in chunks of 1 to 70 bytes: the same (differs at %zu)", bad_at);
	same = 1;
	for (s = 0; s < 200 && same; s++) {
		chunked("items", text.data, text.len, 0, 1, 1 + s % 97, (unsigned)s + 1, &cut);
		if (strcmp(cut.data, whole.data) != 0) {
			same = 0;
			bad_at = s;
		}
	}
	ok(same, "in chunks of random sizes: the same (differs with seed %zu)", bad_at);
	buf_free(&text);
	buf_free(&whole);
	buf_free(&cut);
}

int
main(void)
{
	const char *top = getenv("CRATE_TOP") ? getenv("CRATE_TOP") : ".";
	char dir[1024];

	snprintf(dir, sizeof dir, "%s/tests/fixtures/shared", top);
	fixtures(dir);
	snprintf(dir, sizeof dir, "%s/tests/fixtures/shared/captures", top);
	fixtures(dir);
	oversized_flat("a long string", "{\"id\":\"b\",\"big\":\"", "x\\\"y\\\\", "\"}");
	oversized_flat("many members", "{\"id\":\"b\",\"big\":[", "{\"k\":[1,\"]\"]},", "0]}");
	oversized_flat("a scalar item", "\"", "abcdefgh", "\"");
	limits();
	escapes_at_edges();
	return done_testing();
}
