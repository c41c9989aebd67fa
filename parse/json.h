/*
 * json.h: compact JSON output, and small helpers over yajl's trees.
 *
 * The writer (jw_*) appends compact JSON to a struct buf, placing commas
 * itself: call jw_key before each member value of an object, and nothing
 * before array elements. It does not check that calls are balanced beyond
 * JW_MAXDEPTH; the caller writes well-formed sequences. Strings are written
 * as given, escaped (quote, backslash, control characters); the caller passes
 * valid UTF-8 (everything that came through yajl is).
 */
#ifndef CRATE_JSON_H
#define CRATE_JSON_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "buf.h"

/* The deepest nesting any crate tool accepts in one record or page. */
#define JSON_MAX_DEPTH 256

#define JW_MAXDEPTH (JSON_MAX_DEPTH + 8)

struct jw {
	struct buf *b;
	int depth;
	unsigned char need_comma[JW_MAXDEPTH];
};

void jw_init(struct jw *w, struct buf *b);
void jw_obj(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s);		/* NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, long long v);
void jw_num_raw(struct jw *w, const char *text);	/* a JSON number's text, as given */
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);
/* Writes a yajl tree value (NULL writes null), recursing at most JSON_MAX_DEPTH. */
void jw_value(struct jw *w, yajl_val v);
/* key + value shorthands; jw_kstr with a NULL value writes null. */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_kint(struct jw *w, const char *key, long long v);
void jw_kbool(struct jw *w, const char *key, int v);
void jw_kvalue(struct jw *w, const char *key, yajl_val v);

/* Appends s as a quoted, escaped JSON string. */
void json_escape(struct buf *b, const char *s, size_t n);

/*
 * json_precheck: what yajl_tree_parse would let through that is not JSON, or
 * would not survive: nesting deeper than max_depth (yajl_tree frees a tree by
 * recursion), comments (yajl_tree_parse allows them), anything but whitespace
 * after the value (yajl 2.1 lets some through), an unterminated string.
 * Returns NULL when the text may go to yajl, else a short reason. It does not
 * validate otherwise; yajl does.
 */
const char *json_precheck(const char *text, size_t len, int max_depth);

/*
 * Lone surrogates: yajl decodes an escaped high surrogate without its low half
 * as "?" and a lone low one as invalid UTF-8. json_fix_surrogates rewrites
 * each such escape as \ufffd (U+FFFD) in place, the text keeping its length,
 * and returns how many; text must hold whole strings. json_has_surrogate_escape
 * is its quick test: 0 when the text has no \uD800-\uDFFF escape at all.
 */
int json_has_surrogate_escape(const char *text, size_t len);
/* The code unit of the escape \uXXXX at p (either case; until end), or -1. */
long json_escape_unit(const char *p, const char *end);
size_t json_fix_surrogates(char *text, size_t len);

/*
 * json_has_nul_escape: 0 when the text has no \u0000 escape (a backslash and
 * u0000, whatever comes before it), so no string yajl decodes from it holds a
 * NUL: yajl refuses a NUL byte in the text itself.
 */
int json_has_nul_escape(const char *text, size_t len);

/*
 * json_open_string: where the string left open at the end of the n bytes at s
 * begins (the offset of its opening quote), or n when every string there is
 * closed. s must begin outside a string; a quote opens a string, which the
 * next quote after an even run of backslashes closes (backslashes outside
 * strings count for nothing). Reads the bytes twice, a block at a time.
 */
size_t json_open_string(const char *s, size_t n);

/*
 * json_admissible: json_precheck's checks and no NUL byte in the len bytes;
 * 0, or -1 with a one-line reason in err (errlen bytes).
 */
int json_admissible(const char *text, size_t len, char *err, size_t errlen);

/*
 * json_parse: parses one NUL-terminated JSON text into a tree with yajl_tree,
 * after the depth check. Returns the tree (free with yajl_tree_free) or NULL
 * with a one-line reason in err (errlen bytes, no newline). A string holding
 * \u0000 is refused (a C string would end there), naming the member; lone
 * surrogates become U+FFFD.
 */
yajl_val json_parse(const char *text, size_t len, char *err, size_t errlen);

/*
 * Lookups in a tree. They accept NULL anywhere and return NULL (or the given
 * default) when the key is absent or of another type; nothing is allocated.
 * json_get follows a path of keys, e.g. json_get(v, "album", "id", NULL).
 */
yajl_val json_get(yajl_val v, ...) __attribute__((sentinel));
yajl_val json_member(yajl_val obj, const char *key);
const char *json_str(yajl_val v);		/* a string's text, or NULL */
int json_is_null(yajl_val v);			/* absent counts as null */
int json_int(yajl_val v, long long *out);	/* 0 when v is an integer */
int json_bool(yajl_val v, int dflt);		/* true, false, else dflt */
long long json_int_or(yajl_val v, long long dflt);	/* an integer, else dflt */
/* An id as text: a non-empty string as is, an integer's digits (in buf); else NULL. */
const char *json_id(yajl_val v, char buf[32]);
size_t json_len(yajl_val v);			/* elements of an array, else 0 */
yajl_val json_at(yajl_val arr, size_t i);

#endif
