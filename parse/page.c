/*
 * The page splitter: yajl's callback parser, a tree builder for the items,
 * and a byte scanner that skips an item past the cap without buffering it.
 *
 * Skipping works like this. yajl would buffer a single long token (a string of
 * a gigabyte) whole, so an item over the cap cannot be left to yajl. Input is
 * fed in slices; after each slice the splitter knows the offset just after the
 * last token that made a callback, and it scans the bytes after it (the
 * unfinished token, if any) to know whether the slice ended inside a string.
 * When the current item has grown past the cap, the yajl handle is dropped and
 * the bytes are scanned for the end of the item (counting brackets outside
 * strings from the depth the builder had reached). Then a new handle is fed a
 * synthetic prefix that reopens the containers around the items array and a
 * placeholder element ({"items":[null), and the body goes on after the item.
 */
#include "page.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "buf.h"
#include "json.h"
#include "tree.h"
#include "util.h"

#define SLICE 65536

struct page {
	yajl_handle h;
	struct page_callbacks cb;
	void *ctx;
	size_t cap;
	char *items_path;

	/* positions, absolute in the bytes fed since the last reset */
	unsigned long long base;	/* start of the slice being parsed */
	unsigned long long last_cb;	/* just after the last token that made a callback */
	int synthetic;			/* feeding the synthetic prefix: positions frozen */
	int tail_token;			/* a token (not whitespace) began since last_cb */
	struct buf hold;		/* a string begun and not ended: held back from yajl */
	int hold_escape;		/* the held string ends in a backslash */
	struct buf fix;			/* a slice with lone surrogates rewritten */
	int nul_escape;			/* the slice fed has a \u0000 escape: look for NULs */

	/* outside the items */
	struct buf path;		/* "artists.cursors.after", "errors[].status" */
	size_t path_base[JSON_MAX_DEPTH + 2];	/* path length of each open container */
	int depth;			/* open containers outside the items */
	int in_items;			/* the items array is open */
	int items_depth;		/* depth once the items array is open */
	int items_seen;			/* the current page has its items array */
	size_t item_index;
	int resuming;			/* reopened after a skip: keep the fields */
	int skip_placeholder;		/* the next items element is the synthetic null */

	/* the current item */
	int in_item;
	int item_depth;			/* containers open inside the item */
	unsigned long long item_start;
	int discard;			/* too deep or too big: follow the brackets, build nothing */
	size_t item_mem;		/* what the item's tree takes so far, roughly */
	const char *item_error;
	/*
	 * The item's tree, in an arena: the whole tree goes at once when the
	 * item is done. A node at a time from malloc was a quarter of the time
	 * fetch-pages spent.
	 */
	struct tree *tree;
	char key[48];			/* the last member key in the item (for messages) */
	int key_pending;		/* ... and the value after it is not yet seen */

	/* skipping an item over the cap */
	int skipping;
	int skip_depth, skip_string, skip_escape;

	char *fields[PAGE_NFIELDS];
	char *wanted[PAGE_NFIELDS];	/* the path of each field */
	size_t items;
	char error[256];
	char why[80];			/* an item's error, for the callback */
	unsigned long long error_offset;
	int failed;
};

static const yajl_callbacks callbacks;

static void
fail(struct page *p, const char *fmt, const char *arg)
{
	if (p->failed)
		return;
	p->failed = 1;
	snprintf(p->error, sizeof p->error, fmt, arg);
	p->error_offset = p->base + (p->h ? yajl_get_bytes_consumed(p->h) : 0);
}

static void
new_handle(struct page *p)
{
	if (p->h)
		yajl_free(p->h);
	p->h = yajl_alloc(&callbacks, NULL, p);
	if (p->h == NULL)
		die(EXIT_SOFTWARE, "out of memory (yajl_alloc)");
	yajl_config(p->h, yajl_allow_multiple_values, 1);
}

static void
set_wanted(struct page *p)
{
	static const char *beside[] = {
		[PAGE_NEXT] = "next", [PAGE_TOTAL] = "total", [PAGE_OFFSET] = "offset",
		[PAGE_LIMIT] = "limit", [PAGE_HREF] = "href", [PAGE_PREVIOUS] = "previous",
		[PAGE_CURSOR_AFTER] = "cursors.after",
	};
	static const char *fixed[] = {
		[PAGE_META_TOTAL] = "meta.total",
		[PAGE_ERROR_STATUS] = "error.status", [PAGE_ERROR_MESSAGE] = "error.message",
		[PAGE_ERROR_CODE] = "error.code", [PAGE_ERROR_TYPE] = "error.type",
	};
	struct buf b;
	const char *dot = strrchr(p->items_path, '.');
	size_t plen = dot ? (size_t)(dot - p->items_path) + 1 : 0;

	buf_init(&b);
	for (int f = 0; f < PAGE_NFIELDS; f++) {
		buf_reset(&b);
		if (f <= PAGE_CURSOR_AFTER) {
			buf_add(&b, p->items_path, plen);
			buf_adds(&b, beside[f]);
		} else {
			buf_adds(&b, fixed[f]);
		}
		p->wanted[f] = xstrdup(b.data);
	}
	buf_free(&b);
}

/* Apple's error shape: the first element of errors[]. */
static int
apple_error_field(const char *path)
{
	if (strncmp(path, "errors[].", 9) != 0)
		return -1;
	path += 9;
	if (strcmp(path, "status") == 0)
		return PAGE_ERROR_STATUS;
	if (strcmp(path, "detail") == 0)
		return PAGE_ERROR_MESSAGE;
	if (strcmp(path, "code") == 0)
		return PAGE_ERROR_CODE;
	if (strcmp(path, "title") == 0)
		return PAGE_ERROR_TYPE;
	return -1;
}

struct page *
page_new(const char *items_path, size_t cap, const struct page_callbacks *cb, void *ctx)
{
	struct page *p = xcalloc(1, sizeof *p);

	p->cb = *cb;
	p->ctx = ctx;
	p->cap = cap ? cap : RECORD_CAP_DEFAULT;
	p->items_path = xstrdup(items_path ? items_path : "");
	p->tree = tree_new();
	buf_init(&p->path);
	buf_init(&p->hold);
	buf_init(&p->fix);
	set_wanted(p);
	page_reset(p);
	return p;
}

static void
clear_fields(struct page *p)
{
	for (int f = 0; f < PAGE_NFIELDS; f++) {
		free(p->fields[f]);
		p->fields[f] = NULL;
	}
}

/* Forgets the item's tree as built so far. */
static void
drop_tree(struct page *p)
{
	tree_reset(p->tree);
}

static void
drop_item(struct page *p)
{
	drop_tree(p);
	p->in_item = 0;
	p->item_depth = 0;
	p->discard = 0;
	p->item_error = NULL;
}

void
page_reset(struct page *p)
{
	drop_item(p);
	clear_fields(p);
	new_handle(p);
	p->base = p->last_cb = 0;
	p->synthetic = p->tail_token = 0;
	buf_reset(&p->hold);
	p->hold_escape = 0;
	buf_reset(&p->path);
	p->depth = 0;
	p->in_items = 0;
	p->item_index = 0;
	p->resuming = p->skip_placeholder = 0;
	p->skipping = 0;
	p->items = 0;
	p->items_seen = 0;
	p->error[0] = '\0';
	p->error_offset = 0;
	p->failed = 0;
}

void
page_free(struct page *p)
{
	if (p == NULL)
		return;
	drop_item(p);
	clear_fields(p);
	for (int f = 0; f < PAGE_NFIELDS; f++)
		free(p->wanted[f]);
	if (p->h)
		yajl_free(p->h);
	tree_free(p->tree);
	buf_free(&p->path);
	buf_free(&p->hold);
	buf_free(&p->fix);
	free(p->items_path);
	free(p);
}

const char *
page_error(const struct page *p)
{
	return p->error;
}

unsigned long long
page_error_offset(const struct page *p)
{
	return p->error_offset;
}

const char *
page_str(const struct page *p, enum page_field f)
{
	return f < PAGE_NFIELDS ? p->fields[f] : NULL;
}

int
page_int(const struct page *p, enum page_field f, long long *out)
{
	const char *s = page_str(p, f);

	return s ? parse_ll(s, -(1LL << 62), 1LL << 62, out) : -1;
}

size_t
page_items(const struct page *p)
{
	return p->items;
}

int
page_has_items(const struct page *p)
{
	return p->items_seen;
}

static void
mark(struct page *p)
{
	if (!p->synthetic)
		p->last_cb = p->base + yajl_get_bytes_consumed(p->h);
}

/* ---- the tree builder ---- */

/*
 * The tree of an item takes more memory than its text (a node for every value):
 * past PAGE_MEM_FACTOR times the cap the item is dropped, as one past the cap.
 */
#define PAGE_MEM_FACTOR 4

static void
charge(struct page *p, size_t bytes)
{
	p->item_mem += bytes;
	if (p->discard || p->item_mem / PAGE_MEM_FACTOR <= p->cap)
		return;
	drop_tree(p);
	p->discard = 1;
	snprintf(p->why, sizeof p->why, "item takes more than %d times the record cap of %zu "
	    "bytes in memory", PAGE_MEM_FACTOR, p->cap);
	p->item_error = p->why;
}

static int
item_done(struct page *p)
{
	struct page_item it;
	int rc = 0;

	it.value = p->discard ? NULL : tree_root(p->tree);
	it.index = p->item_index++;
	it.error = p->item_error;
	if (it.error == NULL && !p->synthetic &&
	    p->base + yajl_get_bytes_consumed(p->h) - p->item_start > p->cap) {
		/* over the cap but whole within one slice: refused all the same */
		snprintf(p->why, sizeof p->why, "item longer than the record cap of %zu bytes",
		    p->cap);
		it.value = NULL;
		it.error = p->why;
	}
	p->items++;
	if (p->cb.item && p->cb.item(p->ctx, p, &it) != 0) {
		fail(p, "%s", "stopped by the caller");
		rc = -1;
	}
	drop_item(p);
	return rc;
}

static void
item_begin(struct page *p, int container)
{
	p->in_item = 1;
	p->item_depth = 0;
	p->item_mem = 0;
	tree_reset(p->tree);
	p->discard = 0;
	p->item_error = NULL;
	p->item_start = p->base + yajl_get_bytes_consumed(p->h) - (container ? 1 : 0);
}

/* ---- the callbacks ---- */

/* A scalar outside the items: a paging field if its path is wanted. */
static void
field(struct page *p, const char *text, size_t len, int null)
{
	const char *path = p->path.data;
	int f;

	for (f = 0; f < PAGE_NFIELDS; f++)
		if (strcmp(path, p->wanted[f]) == 0)
			break;
	if (f == PAGE_NFIELDS) {
		f = apple_error_field(path);
		if (f < 0 || p->fields[f] != NULL)
			return;
	}
	free(p->fields[f]);
	p->fields[f] = null ? NULL : xstrndup(text, len);
}

/* A scalar. kind: the yajl type; text: the string or number text. */
static int
scalar(struct page *p, yajl_val v, const char *text, size_t len)
{
	mark(p);
	if (p->in_item) {
		p->key_pending = 0;
		charge(p, sizeof *v + len + 1 + 2 * sizeof(void *));
		if (p->discard)
			drop_tree(p);	/* nothing of it is kept: the arena stays small */
		else
			tree_add(p->tree, v);
		if (p->item_depth == 0)
			return item_done(p) == 0;
		return 1;
	}
	if (p->in_items && p->depth == p->items_depth) {
		if (p->skip_placeholder) {
			p->skip_placeholder = 0;
			tree_reset(p->tree);
			return 1;
		}
		item_begin(p, 0);
		tree_add(p->tree, v);
		return item_done(p) == 0;
	}
	field(p, text, len, v->type == yajl_t_null);
	tree_reset(p->tree);	/* a value outside the items is not kept */
	return 1;
}

static int
cb_null(void *ctx)
{
	struct page *p = ctx;

	return scalar(p, tree_scalar(p->tree, yajl_t_null, NULL, 0), "null", 4);
}

static int
cb_boolean(void *ctx, int b)
{
	struct page *p = ctx;

	return scalar(p, tree_scalar(p->tree, b ? yajl_t_true : yajl_t_false, NULL, 0),
	    b ? "true" : "false", b ? 4 : 5);
}

static int
cb_number(void *ctx, const char *s, size_t len)
{
	struct page *p = ctx;

	return scalar(p, tree_scalar(p->tree, yajl_t_number, s, len), s, len);
}

/*
 * A string holding a NUL (\u0000) would be cut there (C strings): an id
 * "t1\u0000evil" would become t1 and overwrite t1. The item is refused, naming
 * the member; a paging field with one fails the page; elsewhere it is dropped
 * with the rest of what is outside the items.
 */
static void
nul_refuse(struct page *p, const char *what)
{
	if (p->discard)
		return;
	if (what != NULL)
		snprintf(p->why, sizeof p->why, "a NUL character (\\u0000) in %s", what);
	else
		snprintf(p->why, sizeof p->why, "a NUL character (\\u0000) in \"%s\"", p->key);
	drop_tree(p);
	p->discard = 1;
	p->item_error = p->why;
}

static int
cb_string(void *ctx, const unsigned char *s, size_t len)
{
	struct page *p = ctx;

	if (p->nul_escape && memchr(s, '\0', len) != NULL) {
		if (p->in_item) {
			nul_refuse(p, p->key_pending ? NULL : "a string");
		} else if (p->in_items && p->depth == p->items_depth) {
			mark(p);
			item_begin(p, 0);
			nul_refuse(p, "a string");
			return item_done(p) == 0;
		} else {
			for (int f = 0; f < PAGE_NFIELDS; f++)
				if (strcmp(p->path.data, p->wanted[f]) == 0) {
					fail(p, "a NUL character (\\u0000) in %s", p->path.data);
					return 0;
				}
		}
	}
	return scalar(p, tree_scalar(p->tree, yajl_t_string, (const char *)s, len),
	    (const char *)s, len);
}

static int
open_container(struct page *p, yajl_type t)
{
	mark(p);
	if (p->in_items && !p->in_item && p->depth == p->items_depth)
		item_begin(p, 1);
	if (p->in_item) {
		p->key_pending = 0;
		p->item_depth++;
		charge(p, sizeof(struct yajl_val_s) + 8 * 2 * sizeof(void *));
		if (p->discard)
			return 1;
		if (p->item_depth > JSON_MAX_DEPTH) {
			p->discard = 1;
			p->item_error = "nested too deep";
			return 1;
		}
		tree_open(p->tree, t, NULL);
		return 1;
	}
	if (p->depth == 0) {
		if (p->resuming)
			p->resuming = 0;
		else {
			clear_fields(p);
			p->item_index = 0;
			p->items = 0;
			p->items_seen = 0;
		}
	}
	if (p->depth >= JSON_MAX_DEPTH) {
		fail(p, "page nested deeper than %s levels", "the limit of");
		return 0;
	}
	p->path_base[p->depth++] = p->path.len;
	if (t == yajl_t_array) {
		if (!p->in_items && strcmp(p->path.data, p->items_path) == 0) {
			p->in_items = 1;
			p->items_seen = 1;
			p->items_depth = p->depth;
		}
		buf_adds(&p->path, "[]");
	}
	return 1;
}

static int
close_container(struct page *p)
{
	mark(p);
	if (p->in_item) {
		p->item_depth--;
		if (!p->discard)
			tree_close(p->tree, NULL);
		if (p->item_depth == 0)
			return item_done(p) == 0;
		return 1;
	}
	if (p->in_items && p->depth == p->items_depth)
		p->in_items = 0;
	p->depth--;
	p->path.len = p->path_base[p->depth];
	p->path.data[p->path.len] = '\0';
	if (p->depth == 0) {
		if (p->cb.end && p->cb.end(p->ctx, p) != 0) {
			fail(p, "%s", "stopped by the caller");
			return 0;
		}
	}
	return 1;
}

static int cb_start_map(void *ctx) { return open_container(ctx, yajl_t_object); }
static int cb_start_array(void *ctx) { return open_container(ctx, yajl_t_array); }
static int cb_end_map(void *ctx) { return close_container(ctx); }
static int cb_end_array(void *ctx) { return close_container(ctx); }

static int
cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct page *p = ctx;

	mark(p);
	if (p->in_item) {
		charge(p, len + 1);
		if (p->nul_escape && memchr(s, '\0', len) != NULL)
			nul_refuse(p, "a key");
		memcpy(p->key, s, len < sizeof p->key - 1 ? len : sizeof p->key - 1);
		p->key[len < sizeof p->key - 1 ? len : sizeof p->key - 1] = '\0';
		p->key_pending = 1;
		if (!p->discard)
			tree_key(p->tree, (const char *)s, len);
		return 1;
	}
	p->path.len = p->path_base[p->depth - 1];
	if (p->path.len > 0)
		buf_addc(&p->path, '.');
	buf_add(&p->path, s, len);
	return 1;
}

static const yajl_callbacks callbacks = {
	cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_map_key, cb_end_map, cb_start_array, cb_end_array
};

/* ---- feeding ---- */

/*
 * A string is never given to yajl in pieces: yajl keeps the pieces of a token
 * in a buffer and lexes it again from its start at every piece, which made a
 * string of 8 MiB of escaped quotes cost 14 s; held back and given whole, it
 * is lexed once. json_open_string finds where one is left open.
 */

/*
 * The end of the held string in s: the bytes up to and with its closing quote,
 * and *closed; or all n bytes. *escape carries a backslash across calls.
 */
static size_t
string_rest(const char *s, size_t n, int *escape, int *closed)
{
	size_t i;

	*closed = 0;
	for (i = 0; i < n; i++) {
		if (*escape)
			*escape = 0;
		else if (s[i] == '\\')
			*escape = 1;
		else if (s[i] == '"') {
			*closed = 1;
			return i + 1;
		}
	}
	return n;
}

/* 1 when s holds a token's byte: not whitespace, nor the , and : between tokens. */
static int
has_token(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n' &&
		    s[i] != ',' && s[i] != ':')
			return 1;
	return 0;
}

/* Scans for the end of the skipped item; returns the bytes that belong to it. */
static size_t
skip_scan(struct page *p, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (p->skip_string) {
			if (p->skip_escape)
				p->skip_escape = 0;
			else if (c == '\\')
				p->skip_escape = 1;
			else if (c == '"') {
				p->skip_string = 0;
				if (p->skip_depth == 0) {
					p->skipping = 0;
					return i + 1;
				}
			}
		} else if (c == '"') {
			p->skip_string = 1;
		} else if (c == '{' || c == '[') {
			p->skip_depth++;
		} else if (c == '}' || c == ']') {
			if (p->skip_depth == 0) {	/* a scalar item ended by the array */
				p->skipping = 0;
				return i;
			}
			if (--p->skip_depth == 0) {
				p->skipping = 0;
				return i + 1;
			}
		} else if (c == ',' && p->skip_depth == 0) {
			p->skipping = 0;
			return i;
		}
	}
	return n;
}

static int
feed_handle(struct page *p, const char *s, size_t n)
{
	yajl_status st;
	unsigned char *msg;
	char *nl;

	p->nul_escape = json_has_nul_escape(s, n);
	st = yajl_parse(p->h, (const unsigned char *)s, n);
	if (st == yajl_status_ok)
		return 0;
	if (!p->failed) {
		msg = yajl_get_error(p->h, 0, (const unsigned char *)s, n);
		if ((nl = strchr((char *)msg, '\n')) != NULL)
			*nl = '\0';
		fail(p, "invalid JSON: %s", (char *)msg);
		yajl_free_error(p->h, msg);
	}
	return -1;
}

/* The item grew past the cap: report it, drop the handle, skip its bytes. */
static int
start_skip(struct page *p)
{
	struct page_item it;
	int rc = 0;

	snprintf(p->why, sizeof p->why, "item longer than the record cap of %zu bytes", p->cap);
	it.value = NULL;
	it.index = p->item_index++;
	it.error = p->why;
	p->items++;
	p->skipping = 1;
	p->skip_depth = p->discard ? p->item_depth : tree_depth(p->tree);
	/* a held string is skipped from where it is */
	p->skip_string = p->hold.len > 0;
	p->skip_escape = p->hold_escape;
	p->base += p->hold.len;
	buf_reset(&p->hold);
	p->hold_escape = 0;
	drop_item(p);
	yajl_free(p->h);
	p->h = NULL;
	if (p->cb.item && p->cb.item(p->ctx, p, &it) != 0) {
		fail(p, "%s", "stopped by the caller");
		rc = -1;
	}
	return rc;
}

/* After a skip: a new handle, fed the containers around the items array. */
static int
resume(struct page *p)
{
	struct buf pre;
	const char *k = p->items_path, *dot;
	int rc;

	buf_init(&pre);
	while (*k) {
		dot = strchr(k, '.');
		buf_addc(&pre, '{');
		json_escape(&pre, k, dot ? (size_t)(dot - k) : strlen(k));
		buf_addc(&pre, ':');
		k = dot ? dot + 1 : k + strlen(k);
	}
	buf_adds(&pre, "[null");
	new_handle(p);
	buf_reset(&p->path);
	p->depth = 0;
	p->in_items = 0;
	p->resuming = 1;
	p->skip_placeholder = 1;
	p->synthetic = 1;
	rc = feed_handle(p, pre.data, pre.len);
	p->synthetic = 0;
	p->last_cb = p->base;
	p->tail_token = 0;
	buf_free(&pre);
	return rc;
}

/*
 * Gives yajl bytes that leave no string open (lone surrogates rewritten as
 * U+FFFD first) and notes whether a token was begun since the last callback.
 */
static int
feed_slice(struct page *p, const char *s, size_t n)
{
	size_t from;

	if (json_has_surrogate_escape(s, n)) {
		buf_reset(&p->fix);
		buf_add(&p->fix, s, n);
		json_fix_surrogates(p->fix.data, n);
		s = p->fix.data;
	}
	if (feed_handle(p, s, n) != 0)
		return -1;
	if (p->last_cb >= p->base) {
		from = (size_t)(p->last_cb - p->base);
		p->tail_token = 0;
	} else {
		from = 0;
	}
	if (!p->tail_token)
		p->tail_token = has_token(s + from, n - from);
	p->base += n;
	return 0;
}

/*
 * The cap, once the bytes fed and held are counted: an item past it is skipped;
 * a value outside the items past it fails the page. Whitespace is no value:
 * any length of it between items is fine.
 */
static int
check_cap(struct page *p)
{
	unsigned long long end = p->base + p->hold.len;
	int pending = p->tail_token || p->hold.len > 0;

	if (p->in_item && end - p->item_start > p->cap)
		return start_skip(p);
	if (pending && end - p->last_cb > p->cap && p->in_items && p->depth == p->items_depth)
		return start_skip(p);	/* a single scalar item (a huge string) */
	if (pending && !p->in_item && end - p->last_cb > p->cap) {
		fail(p, "a value outside the items is longer than the cap%s", "");
		return -1;
	}
	return 0;
}

int
page_feed(struct page *p, const void *data, size_t len)
{
	const char *s = data;
	size_t n, k;
	int closed, rc;

	if (p->failed)
		return -1;
	while (len > 0) {
		if (p->skipping) {
			n = skip_scan(p, s, len);
			s += n;
			len -= n;
			p->base += n;
			if (!p->skipping && resume(p) != 0)
				return -1;
			continue;
		}
		n = len < SLICE ? len : SLICE;
		if (p->hold.len > 0) {
			/* the rest of a held string, given whole once it ends */
			n = string_rest(s, n, &p->hold_escape, &closed);
			buf_add(&p->hold, s, n);
			rc = 0;
			if (closed) {
				rc = feed_slice(p, p->hold.data, p->hold.len);
				buf_reset(&p->hold);
			}
		} else {
			k = json_open_string(s, n);
			if (k < n) {
				buf_add(&p->hold, s + k, n - k);
				p->hold_escape = 0;
				string_rest(s + k + 1, n - k - 1, &p->hold_escape, &closed);
			}
			rc = k > 0 ? feed_slice(p, s, k) : 0;
		}
		s += n;
		len -= n;
		if (rc != 0 || check_cap(p) != 0)
			return -1;
	}
	return 0;
}

int
page_finish(struct page *p)
{
	yajl_status st;
	unsigned char *msg;
	char *nl;

	if (p->failed)
		return -1;
	if (p->skipping) {
		fail(p, "%s", "the body ended inside an item (truncated)");
		return -1;
	}
	if (p->hold.len > 0) {	/* an unterminated string: yajl says so */
		st = feed_slice(p, p->hold.data, p->hold.len) == 0 ? yajl_status_ok : yajl_status_error;
		buf_reset(&p->hold);
		if (st != yajl_status_ok)
			return -1;
	}
	st = yajl_complete_parse(p->h);
	if (st != yajl_status_ok) {
		msg = yajl_get_error(p->h, 0, NULL, 0);
		if ((nl = strchr((char *)msg, '\n')) != NULL)
			*nl = '\0';
		if (strstr((char *)msg, "premature EOF"))
			fail(p, "%s", "the body ended inside a value (truncated)");
		else
			fail(p, "invalid JSON: %s", (char *)msg);
		yajl_free_error(p->h, msg);
		return -1;
	}
	if (p->depth != 0 || p->in_item) {
		fail(p, "%s", "the body ended inside a value (truncated)");
		return -1;
	}
	return 0;
}
