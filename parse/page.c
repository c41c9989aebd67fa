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
#include "util.h"

#define SLICE 65536

struct frame {
	yajl_val v;
	size_t cap;		/* allocated elements of v's arrays */
};

/*
 * An item's tree lives in an arena: nodes, strings, keys and arrays are cut
 * from chunks, and the whole tree goes at once when the item is done. A node
 * at a time from malloc was a quarter of the time fetch-pages spent.
 */
struct chunk {
	struct chunk *next;
	size_t size, used;
	max_align_t data[];
};

#define CHUNK_MIN 65536

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
	int tail_string, tail_escape;	/* lexical state at the end of the last slice */

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
	struct frame stack[JSON_MAX_DEPTH + 1];
	struct chunk *arena;		/* the first chunk; more follow while an item is big */
	int nstack;
	yajl_val root;
	const char *key;		/* an object member's key, waiting for its value */

	/* skipping an item over the cap */
	int skipping;
	int skip_depth, skip_string, skip_escape;

	char *fields[PAGE_NFIELDS];
	char *wanted[PAGE_NFIELDS];	/* the path of each field */
	size_t pages, items;
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
	p->arena = xmalloc(sizeof *p->arena + CHUNK_MIN);
	p->arena->next = NULL;
	p->arena->size = CHUNK_MIN;
	p->arena->used = 0;
	buf_init(&p->path);
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

static void *
arena_alloc(struct page *p, size_t n)
{
	struct chunk *c = p->arena, *k;
	size_t size;

	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	while (c->next && c->used + n > c->size)
		c = c->next;
	if (c->used + n > c->size) {
		size = n > CHUNK_MIN ? n : CHUNK_MIN;
		k = xmalloc(sizeof *k + size);
		k->next = NULL;
		k->size = size;
		k->used = 0;
		c->next = k;
		c = k;
	}
	c->used += n;
	return (char *)c->data + c->used - n;
}

static char *
arena_strndup(struct page *p, const char *s, size_t n)
{
	char *d = arena_alloc(p, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Forgets everything in the arena; keeps the first chunk for the next item. */
static void
arena_reset(struct page *p)
{
	struct chunk *c = p->arena->next, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	p->arena->next = NULL;
	p->arena->used = 0;
}

/* Forgets the item's tree as built so far. */
static void
drop_tree(struct page *p)
{
	p->root = NULL;
	p->nstack = 0;
	p->key = NULL;
	arena_reset(p);
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
	p->synthetic = p->tail_string = p->tail_escape = 0;
	buf_reset(&p->path);
	p->depth = 0;
	p->in_items = 0;
	p->item_index = 0;
	p->resuming = p->skip_placeholder = 0;
	p->skipping = 0;
	p->pages = p->items = 0;
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
	arena_reset(p);
	free(p->arena);
	buf_free(&p->path);
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
page_count(const struct page *p)
{
	return p->pages;
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

static yajl_val
node(struct page *p, yajl_type t)
{
	yajl_val v = arena_alloc(p, sizeof *v);

	memset(v, 0, sizeof *v);
	v->type = t;
	return v;
}

/* An array of the arena twice as long, the old elements copied. */
static void *
grow(struct page *p, const void *old, size_t len, size_t cap, size_t size)
{
	void *n = arena_alloc(p, cap * size);

	if (len)
		memcpy(n, old, len * size);
	return n;
}

static void
add_to(struct page *p, struct frame *f, const char *key, yajl_val v)
{
	yajl_val c = f->v;

	if (c->type == yajl_t_object) {
		if (c->u.object.len == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 8;
			c->u.object.keys = grow(p, c->u.object.keys, c->u.object.len, f->cap,
			    sizeof *c->u.object.keys);
			c->u.object.values = grow(p, c->u.object.values, c->u.object.len, f->cap,
			    sizeof *c->u.object.values);
		}
		c->u.object.keys[c->u.object.len] = key;
		c->u.object.values[c->u.object.len++] = v;
	} else {
		if (c->u.array.len == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 8;
			c->u.array.values = grow(p, c->u.array.values, c->u.array.len, f->cap,
			    sizeof *c->u.array.values);
		}
		c->u.array.values[c->u.array.len++] = v;
	}
}

/* Adds a value to the item being built; a container is also pushed. */
static void
build(struct page *p, yajl_val v)
{
	if (p->nstack == 0) {
		p->root = v;
	} else {
		add_to(p, &p->stack[p->nstack - 1], p->key ? p->key : "", v);
		p->key = NULL;
	}
	if (v->type == yajl_t_object || v->type == yajl_t_array) {
		p->stack[p->nstack].v = v;
		p->stack[p->nstack].cap = 0;
		p->nstack++;
	}
}

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

	it.value = p->discard ? NULL : p->root;
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
	p->nstack = 0;
	p->root = NULL;
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
		charge(p, sizeof *v + len + 1 + 2 * sizeof(void *));
		if (p->discard)
			drop_tree(p);	/* nothing of it is kept: the arena stays small */
		else
			build(p, v);
		if (p->item_depth == 0)
			return item_done(p) == 0;
		return 1;
	}
	if (p->in_items && p->depth == p->items_depth) {
		if (p->skip_placeholder) {
			p->skip_placeholder = 0;
			arena_reset(p);
			return 1;
		}
		item_begin(p, 0);
		build(p, v);
		return item_done(p) == 0;
	}
	field(p, text, len, v->type == yajl_t_null);
	arena_reset(p);	/* a value outside the items is not kept */
	return 1;
}

static int
cb_null(void *ctx)
{
	return scalar(ctx, node(ctx, yajl_t_null), "null", 4);
}

static int
cb_boolean(void *ctx, int b)
{
	return scalar(ctx, node(ctx, b ? yajl_t_true : yajl_t_false), b ? "true" : "false",
	    b ? 4 : 5);
}

static int
cb_number(void *ctx, const char *s, size_t len)
{
	yajl_val v = node(ctx, yajl_t_number);
	char *end;

	v->u.number.r = arena_strndup(ctx, s, len);
	errno = 0;
	v->u.number.i = strtoll(v->u.number.r, &end, 10);
	if (errno == 0 && *end == '\0') {
		/* an integer: its double follows without strtod */
		v->u.number.flags |= YAJL_NUMBER_INT_VALID | YAJL_NUMBER_DOUBLE_VALID;
		v->u.number.d = (double)v->u.number.i;
		return scalar(ctx, v, s, len);
	}
	errno = 0;
	v->u.number.d = strtod(v->u.number.r, &end);
	if (errno == 0 && *end == '\0')
		v->u.number.flags |= YAJL_NUMBER_DOUBLE_VALID;
	return scalar(ctx, v, s, len);
}

static int
cb_string(void *ctx, const unsigned char *s, size_t len)
{
	yajl_val v = node(ctx, yajl_t_string);

	v->u.string = arena_strndup(ctx, (const char *)s, len);
	return scalar(ctx, v, (const char *)s, len);
}

static int
open_container(struct page *p, yajl_type t)
{
	mark(p);
	if (p->in_items && !p->in_item && p->depth == p->items_depth)
		item_begin(p, 1);
	if (p->in_item) {
		p->item_depth++;
		charge(p, sizeof(struct yajl_val_s) + 8 * 2 * sizeof(void *));
		if (p->discard)
			return 1;
		if (p->item_depth > JSON_MAX_DEPTH) {
			p->discard = 1;
			p->item_error = "nested too deep";
			return 1;
		}
		build(p, node(p, t));
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
		if (!p->discard && p->nstack > 0)
			p->nstack--;
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
		p->pages++;
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
		if (!p->discard)
			p->key = arena_strndup(p, (const char *)s, len);
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

/* Scans bytes for the lexical state at their end, from a known state. */
static void
scan_strings(const char *s, size_t n, int *in_string, int *escape)
{
	for (size_t i = 0; i < n; i++) {
		if (*in_string) {
			if (*escape)
				*escape = 0;
			else if (s[i] == '\\')
				*escape = 1;
			else if (s[i] == '"')
				*in_string = 0;
		} else if (s[i] == '"') {
			*in_string = 1;
		}
	}
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
	p->skip_depth = p->discard ? p->item_depth : p->nstack;
	p->skip_string = p->tail_string;
	p->skip_escape = p->tail_escape;
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
	p->tail_string = p->tail_escape = 0;
	buf_free(&pre);
	return rc;
}

int
page_feed(struct page *p, const void *data, size_t len)
{
	const char *s = data;
	size_t n, from;

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
		if (feed_handle(p, s, n) != 0)
			return -1;
		/* The lexical state at the end of the slice, from the last callback on. */
		if (p->last_cb >= p->base) {
			from = (size_t)(p->last_cb - p->base);
			p->tail_string = p->tail_escape = 0;
		} else {
			from = 0;
		}
		scan_strings(s + from, n - from, &p->tail_string, &p->tail_escape);
		s += n;
		len -= n;
		p->base += n;
		if (p->in_item && p->base - p->item_start > p->cap) {
			if (start_skip(p) != 0)
				return -1;
		} else if (p->base - p->last_cb > p->cap && p->in_items &&
		    p->depth == p->items_depth) {
			/* a single scalar item (a huge string) still being lexed */
			if (start_skip(p) != 0)
				return -1;
		} else if (!p->in_item && p->base - p->last_cb > p->cap) {
			fail(p, "a value outside the items is longer than the cap%s", "");
			return -1;
		}
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
