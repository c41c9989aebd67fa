/*
 * Arena trees. Every node of a tree_parse tree is preceded by a header that
 * says where its text is (objects only), so tree_text needs no lookup.
 */
#include "tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "json.h"
#include "util.h"

struct chunk {
	struct chunk *next;
	size_t size, used;
	max_align_t data[];
};

#define CHUNK_MIN 65536

struct frame {
	yajl_val v;
	size_t cap;		/* allocated elements of v's arrays */
};

/* What precedes each node: a container's text, from tree_open to tree_close. */
struct node {
	const char *text;	/* NULL: not known */
	size_t len;
	const struct tree *tree;	/* tree_parse's tree; NULL: a builder's */
	struct yajl_val_s v;
};

struct tree {
	struct chunk *arena;	/* the first chunk; more follow while a tree is big */
	struct frame stack[JSON_MAX_DEPTH + 1];
	int nstack;
	yajl_val root;
	const char *key;	/* an object member's key, waiting for its value */
	/* tree_parse */
	yajl_handle h;
	const char *text;
	int too_deep;
	char nul[64];		/* where a string held a NUL, or "" */
	int canonical;		/* the text is as the writer writes it (then so is every part) */
};

struct tree *
tree_new(void)
{
	struct tree *t = xcalloc(1, sizeof *t);

	t->arena = xmalloc(sizeof *t->arena + CHUNK_MIN);
	t->arena->next = NULL;
	t->arena->size = CHUNK_MIN;
	t->arena->used = 0;
	return t;
}

void
tree_reset(struct tree *t)
{
	struct chunk *c = t->arena->next, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	t->arena->next = NULL;
	t->arena->used = 0;
	t->root = NULL;
	t->nstack = 0;
	t->key = NULL;
	t->canonical = 0;
}

void
tree_free(struct tree *t)
{
	if (t == NULL)
		return;
	tree_reset(t);
	if (t->h)
		yajl_free(t->h);
	free(t->arena);
	free(t);
}

yajl_val
tree_root(const struct tree *t)
{
	return t->root;
}

int
tree_depth(const struct tree *t)
{
	return t->nstack;
}

static void *
alloc(struct tree *t, size_t n)
{
	struct chunk *c = t->arena, *k;
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
strndup_in(struct tree *t, const char *s, size_t n)
{
	char *d = alloc(t, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static yajl_val
node(struct tree *t, yajl_type type)
{
	struct node *n = alloc(t, sizeof *n);

	memset(n, 0, sizeof *n);
	n->v.type = type;
	return &n->v;
}

yajl_val
tree_scalar(struct tree *t, yajl_type type, const char *text, size_t len)
{
	yajl_val v = node(t, type);
	char *end;

	if (type == yajl_t_string) {
		v->u.string = strndup_in(t, text, len);
	} else if (type == yajl_t_number) {
		v->u.number.r = strndup_in(t, text, len);
		errno = 0;
		v->u.number.i = strtoll(v->u.number.r, &end, 10);
		if (errno == 0 && *end == '\0') {
			/* an integer: its double follows without strtod */
			v->u.number.flags |= YAJL_NUMBER_INT_VALID | YAJL_NUMBER_DOUBLE_VALID;
			v->u.number.d = (double)v->u.number.i;
			return v;
		}
		errno = 0;
		v->u.number.d = strtod(v->u.number.r, &end);
		if (errno == 0 && *end == '\0')
			v->u.number.flags |= YAJL_NUMBER_DOUBLE_VALID;
	}
	return v;
}

void
tree_key(struct tree *t, const char *s, size_t len)
{
	t->key = strndup_in(t, s, len);
}

/* An array of the arena twice as long, the old elements copied. */
static void *
grow(struct tree *t, const void *old, size_t len, size_t cap, size_t size)
{
	void *n = alloc(t, cap * size);

	if (len)
		memcpy(n, old, len * size);
	return n;
}

static void
add_to(struct tree *t, struct frame *f, const char *key, yajl_val v)
{
	yajl_val c = f->v;

	if (c->type == yajl_t_object) {
		if (c->u.object.len == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 8;
			c->u.object.keys = grow(t, c->u.object.keys, c->u.object.len, f->cap,
			    sizeof *c->u.object.keys);
			c->u.object.values = grow(t, c->u.object.values, c->u.object.len, f->cap,
			    sizeof *c->u.object.values);
		}
		c->u.object.keys[c->u.object.len] = key;
		c->u.object.values[c->u.object.len++] = v;
	} else {
		if (c->u.array.len == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 8;
			c->u.array.values = grow(t, c->u.array.values, c->u.array.len, f->cap,
			    sizeof *c->u.array.values);
		}
		c->u.array.values[c->u.array.len++] = v;
	}
}

void
tree_add(struct tree *t, yajl_val v)
{
	if (t->nstack == 0) {
		if (t->root == NULL)
			t->root = v;
	} else {
		add_to(t, &t->stack[t->nstack - 1], t->key ? t->key : "", v);
		t->key = NULL;
	}
}

void
tree_open(struct tree *t, yajl_type type, const char *text)
{
	yajl_val v = node(t, type);

	struct node *n = (struct node *)((char *)v - offsetof(struct node, v));

	tree_add(t, v);
	n->text = text;
	n->tree = text ? t : NULL;
	if (t->nstack <= JSON_MAX_DEPTH) {
		t->stack[t->nstack].v = v;
		t->stack[t->nstack].cap = 0;
	}
	t->nstack++;
}

void
tree_close(struct tree *t, const char *end)
{
	struct node *n;

	if (t->nstack == 0)
		return;
	t->nstack--;
	if (t->nstack > JSON_MAX_DEPTH)
		return;
	n = (struct node *)((char *)t->stack[t->nstack].v - offsetof(struct node, v));
	if (n->text && end)
		n->len = (size_t)(end - n->text);
	else
		n->text = NULL;
}

/* ---- tree_parse: yajl's callbacks ---- */

/* Just after the token the callback is for. */
static const char *
here(struct tree *t)
{
	return t->text + yajl_get_bytes_consumed(t->h);
}

static int
cb_null(void *ctx)
{
	tree_add(ctx, tree_scalar(ctx, yajl_t_null, NULL, 0));
	return 1;
}

static int
cb_boolean(void *ctx, int b)
{
	tree_add(ctx, tree_scalar(ctx, b ? yajl_t_true : yajl_t_false, NULL, 0));
	return 1;
}

static int
cb_number(void *ctx, const char *s, size_t len)
{
	tree_add(ctx, tree_scalar(ctx, yajl_t_number, s, len));
	return 1;
}

/*
 * A string holding a NUL (\u0000) would be cut there (C strings): an id
 * "t1\u0000evil" would become t1 and overwrite t1. The text is refused,
 * naming the member (tree_parse's error).
 */
static int
nul(struct tree *t, const unsigned char *s, size_t len, const char *what)
{
	if (memchr(s, '\0', len) == NULL)
		return 0;
	if (what == NULL && t->key != NULL)
		snprintf(t->nul, sizeof t->nul, "\"%.40s\"", t->key);
	else
		snprintf(t->nul, sizeof t->nul, "%s", what ? what : "a string");
	return 1;
}

static int
cb_string(void *ctx, const unsigned char *s, size_t len)
{
	if (nul(ctx, s, len, NULL))
		return 0;
	tree_add(ctx, tree_scalar(ctx, yajl_t_string, (const char *)s, len));
	return 1;
}

static int
cb_key(void *ctx, const unsigned char *s, size_t len)
{
	if (nul(ctx, s, len, "a key"))
		return 0;
	tree_key(ctx, (const char *)s, len);
	return 1;
}

static int
open_container(struct tree *t, yajl_type type)
{
	if (t->nstack >= JSON_MAX_DEPTH) {
		t->too_deep = 1;
		return 0;
	}
	/* the token is one byte: '{' or '[' */
	tree_open(t, type, here(t) - 1);
	return 1;
}

static int cb_start_map(void *ctx) { return open_container(ctx, yajl_t_object); }
static int cb_start_array(void *ctx) { return open_container(ctx, yajl_t_array); }

static int
cb_end(void *ctx)
{
	struct tree *t = ctx;

	tree_close(t, here(t));
	return 1;
}

static const yajl_callbacks callbacks = {
	cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_key, cb_end, cb_start_array, cb_end
};

static int canonical(const char *s, size_t n);

static yajl_val parse(struct tree *t, const char *text, size_t len, char *err, size_t errlen);

yajl_val
tree_parse(struct tree *t, const char *text, size_t len, char *err, size_t errlen)
{
	tree_reset(t);
	return parse(t, text, len, err, errlen);
}

yajl_val
tree_parse_copy(struct tree *t, const char *text, size_t len, char *err, size_t errlen)
{
	tree_reset(t);
	return parse(t, strndup_in(t, text, len), len, err, errlen);
}

const char *
tree_source(const struct tree *t)
{
	return t->text;
}

static yajl_val fast(struct tree *t, const char *text, size_t len);

/* yajl's path: every text, its errors named. */
static yajl_val
parse_yajl(struct tree *t, const char *text, size_t len, char *err, size_t errlen)
{
	unsigned char *msg;
	char *nl;
	yajl_status st;

	if (json_admissible(text, len, err, errlen) != 0)
		return NULL;
	if (t->h == NULL && (t->h = yajl_alloc(&callbacks, NULL, t)) == NULL)
		die(EXIT_SOFTWARE, "out of memory (yajl_alloc)");
	t->text = text;
	t->too_deep = 0;
	t->nul[0] = '\0';
	st = yajl_parse(t->h, (const unsigned char *)text, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(t->h);
	if (st != yajl_status_ok || t->root == NULL) {
		if (t->too_deep) {
			snprintf(err, errlen, "nested deeper than %d levels", JSON_MAX_DEPTH);
		} else if (t->nul[0]) {
			snprintf(err, errlen, "a NUL character (\\u0000) in %s", t->nul);
		} else {
			msg = yajl_get_error(t->h, 0, (const unsigned char *)text, len);
			snprintf(err, errlen, "%s", msg ? (const char *)msg : "invalid JSON");
			if (msg)
				yajl_free_error(t->h, msg);
			/* yajl's messages may run over several lines; keep the first */
			if ((nl = strchr(err, '\n')) != NULL)
				*nl = '\0';
			if (err[0] == '\0')
				snprintf(err, errlen, "invalid JSON");
		}
		/* a handle that failed stays failed: the next text gets a new one */
		yajl_free(t->h);
		t->h = NULL;
		tree_reset(t);
		return NULL;
	}
	/* yajl_complete_parse leaves the handle done: the next text gets a new one */
	yajl_free(t->h);
	t->h = NULL;
	t->canonical = canonical(text, len);
	return t->root;
}

static yajl_val
parse(struct tree *t, const char *text, size_t len, char *err, size_t errlen)
{
	yajl_val root = fast(t, text, len);

	return root ? root : parse_yajl(t, text, len, err, errlen);
}

yajl_val
tree_parse_yajl(struct tree *t, const char *text, size_t len, char *err, size_t errlen)
{
	tree_reset(t);
	return parse_yajl(t, text, len, err, errlen);
}

/*
 * Is text what the JSON writer writes: no white space outside strings, and
 * only the escapes json_escape makes (\" \\ \n \r \t \b \f, \u00xx for other
 * control characters)? text is valid JSON (yajl parsed it).
 */
static int
canonical(const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const char *end = s + n;
	unsigned c;

	while (s < end) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			return 0;
		if (*s++ != '"')
			continue;
		for (;;) {
			while (*s != '"' && *s != '\\')
				s++;
			if (*s++ == '"')
				break;
			/* an escape */
			if (*s == '"' || *s == '\\' || *s == 'n' || *s == 'r' || *s == 't' ||
			    *s == 'b' || *s == 'f') {
				s++;
				continue;
			}
			/* \u00xx (\/ is not the writer's: fuzz_tree found it taken for one) */
			if (end - s < 5 || *s != 'u' || s[1] != '0' || s[2] != '0' ||
			    (s[3] != '0' && s[3] != '1') ||
			    strchr(hex, s[4]) == NULL)
				return 0;
			c = (unsigned)((s[3] - '0') * 16 + (int)(strchr(hex, s[4]) - hex));
			if (c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f')
				return 0;
			s += 5;
		}
	}
	return 1;
}

const char *
tree_text(yajl_val v, size_t *len)
{
	struct node *n;

	if (v == NULL || (v->type != yajl_t_object && v->type != yajl_t_array))
		return NULL;
	n = (struct node *)((char *)v - offsetof(struct node, v));
	if (n->text == NULL || n->tree == NULL || !n->tree->canonical)
		return NULL;
	*len = n->len;
	return n->text;
}

/*
 * ---- tree_parse's fast path ----
 *
 * The texts crate reads are nearly all records another stage wrote: strict
 * JSON, ASCII or well-formed UTF-8. fast() builds their tree in one pass,
 * where yajl's path takes four (json_precheck, the NUL test, yajl, the
 * canonical test) and a yajl handle per text: on the 100k-track stream that
 * path was 13% of store's time and the most of validate's. Anything fast()
 * is not certain of, it leaves to yajl's path (returns NULL, the tree
 * emptied; the arena keeps what it used until the next reset, so a text
 * that tree_parse_copy put there stays whole): a lone surrogate escape,
 * \u0000, a control character, a byte sequence that is not strict UTF-8
 * (RFC 3629: yajl's own test is looser), nesting near JSON_MAX_DEPTH, and
 * every error. So it accepts only what yajl's path accepts, and builds the
 * same tree (tests/fuzz/fuzz_tree.c compares the two on every input).
 */
struct scan {
	struct tree *t;
	const unsigned char *p, *end;
	int canonical;
};

static void
blank(struct scan *s)
{
	while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r') {
		s->canonical = 0;
		s->p++;
	}
}

/*
 * The string at s->p (just after its opening quote), decoded into the arena;
 * s->p then just after its closing quote. NULL: not for the fast path.
 */
static char *
fast_string(struct scan *s)
{
	const unsigned char *p = s->p, *start = p;
	long cp;
	char *out, *o;
	size_t n;

	/* the common string: plain ASCII, no escape */
	while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
		p++;
	if (*p == '"' && p < s->end) {
		s->p = p + 1;
		return strndup_in(s->t, (const char *)start, (size_t)(p - start));
	}
	/* else check it whole, then decode it (never longer than its text) */
	for (;;) {
		if (p >= s->end || *p < 0x20)
			return NULL;
		if (*p == '"')
			break;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				cp = json_escape_unit((const char *)p - 1, (const char *)s->end);
				if (cp <= 0 || (cp >= 0xd800 && cp <= 0xdfff))
					return NULL;
				/* the writer's escapes: \u00xx, lower case, for a control character */
				if (p[1] != '0' || p[2] != '0' || (p[3] != '0' && p[3] != '1') ||
				    (p[4] >= 'A' && p[4] <= 'F') || cp == '\n' || cp == '\r' ||
				    cp == '\t' || cp == '\b' || cp == '\f')
					s->canonical = 0;
				p += 5;
			} else if (*p == '"' || *p == '\\' || *p == 'b' || *p == 'f' || *p == 'n' ||
			    *p == 'r' || *p == 't') {
				p++;
			} else if (*p == '/') {
				s->canonical = 0;
				p++;
			} else {
				return NULL;
			}
		} else if (*p < 0x80) {
			p++;
		} else if ((n = utf8_seq_len(p, s->end)) > 0) {
			p += n;
		} else {
			return NULL;
		}
	}
	o = out = alloc(s->t, (size_t)(p - start) + 1);
	for (p = start; *p != '"';) {
		if (*p != '\\') {
			*o++ = (char)*p++;
			continue;
		}
		switch (*++p) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			cp = json_escape_unit((const char *)p - 1, (const char *)s->end);
			if (cp < 0x80) {
				*o++ = (char)cp;
			} else if (cp < 0x800) {
				*o++ = (char)(0xc0 | cp >> 6);
				*o++ = (char)(0x80 | (cp & 0x3f));
			} else {
				*o++ = (char)(0xe0 | cp >> 12);
				*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
				*o++ = (char)(0x80 | (cp & 0x3f));
			}
			p += 4;
			break;
		default: *o++ = (char)*p; break;	/* " \ / */
		}
		p++;
	}
	*o = '\0';
	s->p = p + 1;
	return out;
}

/* A number's text at s->p (the JSON grammar, nothing looser): its length, or 0. */
static size_t
fast_number(struct scan *s)
{
	const unsigned char *p = s->p;

	if (*p == '-')
		p++;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (*p >= '0' && *p <= '9')
			p++;
	} else {
		return 0;
	}
	if (*p == '.') {
		if (!(*++p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		if (*++p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return (size_t)(p - s->p);
}

static int
fast_literal(struct scan *s, const char *word, yajl_type type)
{
	size_t n = strlen(word);

	if (strncmp((const char *)s->p, word, n) != 0)
		return -1;
	tree_add(s->t, tree_scalar(s->t, type, NULL, 0));
	s->p += n;
	return 0;
}

/* A value at s->p: added to the tree (containers opened); -1: not for the fast path. */
static int
fast_value(struct scan *s)
{
	struct tree *t = s->t;
	const unsigned char *p = s->p;
	yajl_val v;
	char *str;
	size_t n;

	switch (*p) {
	case '{':
	case '[':
		if (t->nstack >= JSON_MAX_DEPTH - 1)
			return -1;
		tree_open(t, *p == '{' ? yajl_t_object : yajl_t_array, (const char *)p);
		s->p++;
		return 0;
	case '"':
		s->p++;
		if ((str = fast_string(s)) == NULL)
			return -1;
		v = node(t, yajl_t_string);
		v->u.string = str;
		tree_add(t, v);
		return 0;
	case 't':
		return fast_literal(s, "true", yajl_t_true);
	case 'f':
		return fast_literal(s, "false", yajl_t_false);
	case 'n':
		return fast_literal(s, "null", yajl_t_null);
	default:
		if ((n = fast_number(s)) == 0)
			return -1;
		tree_add(t, tree_scalar(t, yajl_t_number, (const char *)p, n));
		s->p += n;
		return 0;
	}
}

static yajl_type
innermost(const struct tree *t)
{
	return t->stack[t->nstack - 1].v->type;
}

/* An object member's key and its colon, at s->p. */
static int
fast_key(struct scan *s)
{
	if (*s->p != '"')
		return -1;
	s->p++;
	if ((s->t->key = fast_string(s)) == NULL)
		return -1;
	blank(s);
	if (*s->p != ':')
		return -1;
	s->p++;
	blank(s);
	return 0;
}

static yajl_val
fast(struct tree *t, const char *text, size_t len)
{
	struct scan s = { t, (const unsigned char *)text, (const unsigned char *)text + len, 1 };
	int opened;

	t->text = text;
	blank(&s);
	for (;;) {
		opened = *s.p == '{' || *s.p == '[';
		if (fast_value(&s) != 0)
			goto out;
		blank(&s);
		if (opened && *s.p != '}' && *s.p != ']') {
			/* its first member */
			if (innermost(t) == yajl_t_object && fast_key(&s) != 0)
				goto out;
			continue;
		}
		/* after a value, or an empty container: closes, then a comma */
		for (;;) {
			if (t->nstack == 0)
				goto end;
			if (*s.p == ',') {
				s.p++;
				blank(&s);
				if (innermost(t) == yajl_t_object && fast_key(&s) != 0)
					goto out;
				break;
			}
			if (*s.p != (innermost(t) == yajl_t_object ? '}' : ']'))
				goto out;
			tree_close(t, (const char *)++s.p);
			blank(&s);
		}
	}
end:
	if (s.p != s.end || t->root == NULL)
		goto out;
	t->canonical = s.canonical;
	return t->root;
out:
	t->root = NULL;
	t->nstack = 0;
	t->key = NULL;
	return NULL;
}
