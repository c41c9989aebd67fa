#include "json.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
jw_init(struct jw *w, struct buf *b)
{
	w->b = b;
	w->depth = 0;
	w->need_comma[0] = 0;
}

/* Before a value: a comma when the enclosing array already has an element. */
static void
before_value(struct jw *w)
{
	if (w->need_comma[w->depth])
		buf_addc(w->b, ',');
	w->need_comma[w->depth] = 1;
}

static void
container_open(struct jw *w, char c)
{
	before_value(w);
	buf_addc(w->b, c);
	if (w->depth < JW_MAXDEPTH - 1)
		w->depth++;
	w->need_comma[w->depth] = 0;
}

static void
container_close(struct jw *w, char c)
{
	buf_addc(w->b, c);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj(struct jw *w) { container_open(w, '{'); }
void jw_obj_end(struct jw *w) { container_close(w, '}'); }
void jw_arr(struct jw *w) { container_open(w, '['); }
void jw_arr_end(struct jw *w) { container_close(w, ']'); }

void
jw_key(struct jw *w, const char *key)
{
	before_value(w);
	json_escape(w->b, key, strlen(key));
	buf_addc(w->b, ':');
	/* the value that follows takes no comma */
	w->need_comma[w->depth] = 0;
	/* but the member after it does: mark it once the value is written */
}

/*
 * After jw_key the flag is 0, so the value writes no comma and sets it to 1,
 * which is what the next jw_key needs. Objects and arrays thus share one rule.
 */

void
jw_str(struct jw *w, const char *s)
{
	if (s == NULL) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, strlen(s));
}

void
jw_strn(struct jw *w, const char *s, size_t n)
{
	before_value(w);
	json_escape(w->b, s, n);
}

void
jw_int(struct jw *w, long long v)
{
	before_value(w);
	buf_printf(w->b, "%lld", v);
}

void
jw_num_raw(struct jw *w, const char *text)
{
	before_value(w);
	buf_adds(w->b, text);
}

void
jw_bool(struct jw *w, int v)
{
	before_value(w);
	buf_adds(w->b, v ? "true" : "false");
}

void
jw_null(struct jw *w)
{
	before_value(w);
	buf_adds(w->b, "null");
}

static void
value(struct jw *w, yajl_val v, int depth)
{
	size_t i;

	if (v == NULL || depth > JSON_MAX_DEPTH) {
		jw_null(w);
		return;
	}
	switch (v->type) {
	case yajl_t_string:
		jw_str(w, v->u.string);
		break;
	case yajl_t_number:
		jw_num_raw(w, v->u.number.r);
		break;
	case yajl_t_object:
		jw_obj(w);
		for (i = 0; i < v->u.object.len; i++) {
			jw_key(w, v->u.object.keys[i]);
			value(w, v->u.object.values[i], depth + 1);
		}
		jw_obj_end(w);
		break;
	case yajl_t_array:
		jw_arr(w);
		for (i = 0; i < v->u.array.len; i++)
			value(w, v->u.array.values[i], depth + 1);
		jw_arr_end(w);
		break;
	case yajl_t_true:
		jw_bool(w, 1);
		break;
	case yajl_t_false:
		jw_bool(w, 0);
		break;
	default:
		jw_null(w);
		break;
	}
}

void
jw_value(struct jw *w, yajl_val v)
{
	value(w, v, 0);
}

void
jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void
jw_kint(struct jw *w, const char *key, long long v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void
jw_kbool(struct jw *w, const char *key, int v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void
jw_kvalue(struct jw *w, const char *key, yajl_val v)
{
	jw_key(w, key);
	jw_value(w, v);
}

#define ONES 0x0101010101010101ULL
#define HIGH (ONES * 0x80)

/*
 * Whether any of eight bytes must be escaped: one below 0x20, a quote or a
 * backslash. (x - ONES) & ~x & HIGH is not 0 exactly when a byte of x is 0.
 */
static int
needs_escape(uint64_t w)
{
	uint64_t quote = w ^ (ONES * '"'), backslash = w ^ (ONES * '\\');

	return ((((w - ONES * 0x20) & ~w) | ((quote - ONES) & ~quote) |
	    ((backslash - ONES) & ~backslash)) & HIGH) != 0;
}

void
json_escape(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n, *run;
	char *out;
	uint64_t w;

	/* Worst case: every byte becomes \u00XX. */
	buf_reserve(b, n * 6 + 2);
	out = b->data + b->len;
	*out++ = '"';
	while (p < end) {
		run = p;
		for (; end - p >= 8; p += 8) {
			memcpy(&w, p, 8);
			if (needs_escape(w))
				break;
		}
		if (end - p < 8 && p < end && n >= 8) {
			/* the rest at once: the last eight bytes, if none needs escaping */
			memcpy(&w, end - 8, 8);
			if (!needs_escape(w))
				p = end;
		}
		while (p < end && *p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		memcpy(out, run, (size_t)(p - run));
		out += p - run;
		if (p == end)
			break;
		*out++ = '\\';
		switch (*p) {
		case '"': *out++ = '"'; break;
		case '\\': *out++ = '\\'; break;
		case '\n': *out++ = 'n'; break;
		case '\r': *out++ = 'r'; break;
		case '\t': *out++ = 't'; break;
		case '\b': *out++ = 'b'; break;
		case '\f': *out++ = 'f'; break;
		default:
			*out++ = 'u';
			*out++ = '0';
			*out++ = '0';
			*out++ = hex[*p >> 4];
			*out++ = hex[*p & 15];
			break;
		}
		p++;
	}
	*out++ = '"';
	b->len = (size_t)(out - b->data);
	b->data[b->len] = '\0';
}

const char *
json_precheck(const char *text, size_t len, int max_depth)
{
	const char *p = text, *end = text + len, *q, *b;
	int depth = 0;

	while (p < end) {
		switch (*p) {
		case '"':
			/* the closing quote: one after an even run of backslashes */
			for (q = p + 1; (q = memchr(q, '"', (size_t)(end - q))) != NULL; q++) {
				for (b = q; b > p + 1 && b[-1] == '\\'; b--)
					;
				if ((q - b) % 2 == 0)
					break;
			}
			if (q == NULL)
				return "an unterminated string";
			p = q + 1;
			continue;
		case '/':
			return "a comment";
		case '{':
		case '[':
			if (++depth > max_depth)
				return "nested too deep";
			break;
		case '}':
		case ']':
			if (--depth == 0) {
				for (p++; p < end; p++)
					if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
						return "trailing garbage";
				return NULL;
			}
			break;
		}
		p++;
	}
	return NULL;
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

long
json_escape_unit(const char *p, const char *end)
{
	long u = 0;
	int h;

	if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
		return -1;
	for (int i = 2; i < 6; i++) {
		if ((h = hexval(p[i])) < 0)
			return -1;
		u = u << 4 | h;
	}
	return u;
}

/*
 * The escapes of lone surrogates rewritten as \ufffd, in place (same length).
 * Escapes are found by their backslash parity, so text must hold whole strings:
 * a backslash outside a string is not JSON anyway.
 */
static size_t
fix_surrogates(char *text, size_t len)
{
	char *p = text, *end = text + len;
	long u, lo;
	size_t fixed = 0;

	while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		if ((u = json_escape_unit(p, end)) < 0xD800 || u > 0xDFFF) {
			p += p + 1 < end ? 2 : 1;	/* \x, or a \u that is no surrogate */
			continue;
		}
		lo = u <= 0xDBFF ? json_escape_unit(p + 6, end) : -1;
		if (lo >= 0xDC00 && lo <= 0xDFFF) {
			p += 12;	/* a pair */
			continue;
		}
		memcpy(p + 2, "fffd", 4);
		fixed++;
		p += 6;
	}
	return fixed;
}

int
json_has_surrogate_escape(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		if (end - p >= 4 && p[1] == 'u' && (p[2] == 'd' || p[2] == 'D') &&
		    strchr("89abcdefABCDEF", p[3]) != NULL && p[3] != '\0')
			return 1;
		p += p + 1 < end ? 2 : 1;
	}
	return 0;
}

int
json_has_nul_escape(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		if (end - p >= 6 && memcmp(p + 1, "u0000", 5) == 0)
			return 1;
		p++;
	}
	return 0;
}

size_t
json_fix_surrogates(char *text, size_t len)
{
	return json_has_surrogate_escape(text, len) ? fix_surrogates(text, len) : 0;
}

/* Sixteen bytes at a time where the compiler can (GCC and Clang vectors). */
typedef unsigned char bytes16 __attribute__((vector_size(16)));

/* How many quotes the n bytes at s hold. */
static size_t
count_quotes(const char *s, size_t n)
{
	bytes16 w, sum, quote;
	size_t i = 0, end, total = 0;

	memset(&quote, '"', sizeof quote);
	while (n - i >= sizeof w) {
		/* a lane counts to 255 at most before it is added up */
		end = n - i > 255 * sizeof w ? i + 255 * sizeof w : n;
		memset(&sum, 0, sizeof sum);
		for (; end - i >= sizeof w; i += sizeof w) {
			memcpy(&w, s + i, sizeof w);
			sum -= (bytes16)(w == quote);	/* a match is -1 */
		}
		for (size_t k = 0; k < sizeof sum; k++)
			total += sum[k];
	}
	for (; i < n; i++)
		total += s[i] == '"';
	return total;
}

/*
 * Between two backslashes every quote opens or closes a string, so only their
 * number matters; at a backslash inside a string, the byte after it is skipped.
 */
size_t
json_open_string(const char *s, size_t n)
{
	const char *backslash;
	size_t i = 0, b, quotes, opened = 0;	/* where the stretch that opened it ends */
	int in = 0;

	while (i < n) {
		backslash = memchr(s + i, '\\', n - i);
		b = backslash ? (size_t)(backslash - s) : n;
		quotes = count_quotes(s + i, b - i);
		in ^= (int)(quotes & 1);
		if (in && quotes > 0)
			opened = b;	/* its last quote opened the string */
		i = in ? b + 2 : b + 1;
	}
	if (!in)
		return n;
	while (s[--opened] != '"')
		;
	return opened;
}

/* The end of the string whose body starts at s (its closing quote), or end. */
static const char *
string_end(const char *s, const char *end)
{
	for (; s < end && *s != '"'; s++)
		if (*s == '\\')
			s++;
	return s < end ? s : end;
}

/*
 * 1 when a string of text holds a \u0000 escape, with where it is in what
 * (the key of its member, "a key" or "a string"); else 0.
 */
static int
nul_escape(const char *text, size_t len, char *what, size_t whatlen)
{
	const char *p = text, *end = text + len, *s, *e, *key = NULL, *q;
	size_t keylen = 0;

	for (q = text; (q = memchr(q, '\\', (size_t)(end - q))) != NULL; q++)
		if (json_escape_unit(q, end) == 0)
			break;
	if (q == NULL)
		return 0;	/* the usual case: not even the letters */
	while ((p = memchr(p, '"', (size_t)(end - p))) != NULL) {
		s = p + 1;
		e = string_end(s, end);
		for (p = e + 1; p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'); p++)
			;
		for (q = s; q < e; q++) {
			if (*q != '\\')
				continue;
			if (json_escape_unit(q, end) != 0) {
				q++;
				continue;
			}
			if (p < end && *p == ':')
				snprintf(what, whatlen, "a key");
			else if (key != NULL)
				snprintf(what, whatlen, "\"%.*s\"", (int)(keylen < 64 ? keylen : 64), key);
			else
				snprintf(what, whatlen, "a string");
			return 1;
		}
		if (p < end && *p == ':') {
			key = s;
			keylen = (size_t)(e - s);
		}
	}
	return 0;
}

int
json_admissible(const char *text, size_t len, char *err, size_t errlen)
{
	const char *why;

	if ((why = json_precheck(text, len, JSON_MAX_DEPTH)) != NULL) {
		if (strcmp(why, "nested too deep") == 0)
			snprintf(err, errlen, "nested deeper than %d levels", JSON_MAX_DEPTH);
		else
			snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "NUL byte in JSON text");
		return -1;
	}
	return 0;
}

yajl_val
json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	yajl_val v;
	char *nl, *copy = NULL, key[80];

	if (json_admissible(text, len, err, errlen) != 0)
		return NULL;
	/* yajl_tree would cut the string at a \u0000 (C strings): an id "t1\u0000x" would be t1 */
	if (nul_escape(text, len, key, sizeof key)) {
		snprintf(err, errlen, "a NUL character (\\u0000) in %s", key);
		return NULL;
	}
	/* yajl would make a lone surrogate invalid UTF-8 or "?": U+FFFD instead */
	if (json_has_surrogate_escape(text, len)) {
		copy = xstrndup(text, len);
		fix_surrogates(copy, len);
		text = copy;
	}
	err[0] = '\0';
	v = yajl_tree_parse(text, err, errlen);
	free(copy);
	if (v == NULL) {
		/* yajl's messages run over several lines; keep the first */
		if ((nl = strchr(err, '\n')) != NULL)
			*nl = '\0';
		if (err[0] == '\0')
			snprintf(err, errlen, "invalid JSON");
	}
	return v;
}

yajl_val
json_member(yajl_val obj, const char *key)
{
	size_t i;

	if (obj == NULL || obj->type != yajl_t_object)
		return NULL;
	/* the first byte first: most keys differ there, and strcmp is a call */
	for (i = 0; i < obj->u.object.len; i++)
		if (obj->u.object.keys[i][0] == key[0] && strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

yajl_val
json_get(yajl_val v, ...)
{
	va_list ap;
	const char *key;

	va_start(ap, v);
	while (v != NULL && (key = va_arg(ap, const char *)) != NULL)
		v = json_member(v, key);
	va_end(ap);
	return v;
}

const char *
json_str(yajl_val v)
{
	return v != NULL && v->type == yajl_t_string ? v->u.string : NULL;
}

int
json_is_null(yajl_val v)
{
	return v == NULL || v->type == yajl_t_null;
}

int
json_int(yajl_val v, long long *out)
{
	if (v == NULL || v->type != yajl_t_number || !(v->u.number.flags & YAJL_NUMBER_INT_VALID))
		return -1;
	*out = v->u.number.i;
	return 0;
}

int
json_bool(yajl_val v, int dflt)
{
	if (v == NULL)
		return dflt;
	if (v->type == yajl_t_true)
		return 1;
	if (v->type == yajl_t_false)
		return 0;
	return dflt;
}

long long
json_int_or(yajl_val v, long long dflt)
{
	long long n;

	return json_int(v, &n) == 0 ? n : dflt;
}

const char *
json_id(yajl_val v, char buf[32])
{
	const char *s = json_str(v);
	long long n;

	if (s != NULL)
		return *s ? s : NULL;
	if (json_int(v, &n) == 0) {
		snprintf(buf, 32, "%lld", n);
		return buf;
	}
	return NULL;
}

size_t
json_len(yajl_val v)
{
	return v != NULL && v->type == yajl_t_array ? v->u.array.len : 0;
}

yajl_val
json_at(yajl_val arr, size_t i)
{
	return i < json_len(arr) ? arr->u.array.values[i] : NULL;
}
