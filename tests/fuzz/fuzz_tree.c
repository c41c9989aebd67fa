/*
 * fuzz_tree: tree_parse's one-pass fast path against yajl's path
 * (tree_parse_yajl), on the whole input and on each of its lines. Both must
 * accept or refuse alike, with the same reason, and build the same tree: the
 * same JSON written back, the same text kept for each container (tree_text),
 * the same numbers.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "json.h"
#include "tree.h"
#include "util.h"

static struct tree *fast, *slow;

static void
same_numbers(yajl_val a, yajl_val b)
{
	size_t i;

	if (a->type != b->type)
		__builtin_trap();
	if (a->type == yajl_t_number) {
		if (a->u.number.flags != b->u.number.flags || strcmp(a->u.number.r, b->u.number.r) != 0 ||
		    ((a->u.number.flags & YAJL_NUMBER_INT_VALID) && a->u.number.i != b->u.number.i))
			__builtin_trap();
	} else if (a->type == yajl_t_object) {
		for (i = 0; i < a->u.object.len; i++)
			same_numbers(a->u.object.values[i], b->u.object.values[i]);
	} else if (a->type == yajl_t_array) {
		for (i = 0; i < a->u.array.len; i++)
			same_numbers(a->u.array.values[i], b->u.array.values[i]);
	}
}

/* Every container's kept text, in the same order in both trees. */
static void
same_texts(yajl_val a, yajl_val b)
{
	const char *ta, *tb;
	size_t la = 0, lb = 0, i;

	ta = tree_text(a, &la);
	tb = tree_text(b, &lb);
	if ((ta == NULL) != (tb == NULL) || la != lb || (ta && memcmp(ta, tb, la) != 0))
		__builtin_trap();
	if (a->type == yajl_t_object)
		for (i = 0; i < a->u.object.len; i++) {
			if (strcmp(a->u.object.keys[i], b->u.object.keys[i]) != 0)
				__builtin_trap();
			same_texts(a->u.object.values[i], b->u.object.values[i]);
		}
	else if (a->type == yajl_t_array)
		for (i = 0; i < a->u.array.len; i++)
			same_texts(a->u.array.values[i], b->u.array.values[i]);
}

static void
one(const char *data, size_t size)
{
	char *text = xmalloc(size + 1), e1[256], e2[256];
	struct buf b1, b2;
	struct jw w;
	yajl_val v1, v2;

	/* the bytes, NUL and all, NUL-terminated as tree_parse wants them */
	memcpy(text, data, size);
	text[size] = '\0';
	e1[0] = e2[0] = '\0';
	v1 = tree_parse(fast, text, size, e1, sizeof e1);
	v2 = tree_parse_yajl(slow, text, size, e2, sizeof e2);
	if ((v1 == NULL) != (v2 == NULL))
		__builtin_trap();
	if (v1 == NULL) {
		if (strcmp(e1, e2) != 0)
			__builtin_trap();
	} else {
		buf_init(&b1);
		buf_init(&b2);
		jw_init(&w, &b1);
		jw_value(&w, v1);
		jw_init(&w, &b2);
		jw_value(&w, v2);
		if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
			__builtin_trap();
		buf_free(&b1);
		buf_free(&b2);
		same_numbers(v1, v2);
		same_texts(v1, v2);
	}
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;

	if (fast == NULL) {
		fast = tree_new();
		slow = tree_new();
	}
	one(p, size);
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		one(p, (size_t)(nl - p));
	}
	return 0;
}
