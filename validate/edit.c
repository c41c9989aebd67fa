#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "validate.h"

void
edits_init(struct edits *e)
{
	e->list = NULL;
	e->len = e->cap = 0;
	buf_init(&e->values);
}

void
edits_free(struct edits *e)
{
	free(e->list);
	buf_free(&e->values);
}

void
edits_reset(struct edits *e)
{
	e->len = 0;
	buf_reset(&e->values);
}

static struct edit *
find(struct edits *e, yajl_val obj, const char *key)
{
	size_t i;

	for (i = 0; i < e->len; i++)
		if (e->list[i].obj == obj && strcmp(e->list[i].key, key) == 0)
			return &e->list[i];
	return NULL;
}

/* Later edits of the same member replace earlier ones. */
static struct edit *
slot(struct edits *e, yajl_val obj, const char *key)
{
	struct edit *ed = find(e, obj, key);

	if (ed != NULL)
		return ed;
	if (e->len == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 8;
		e->list = xrealloc(e->list, e->cap * sizeof *e->list);
	}
	e->list[e->len].obj = obj;
	e->list[e->len].key = key;
	return &e->list[e->len++];
}

/* The value's text goes into e->values; the caller appends it, then calls value_end. */
static void
value_begin(struct edits *e, yajl_val obj, const char *key)
{
	slot(e, obj, key)->value = e->values.len;
}

static void
value_end(struct edits *e)
{
	buf_addc(&e->values, '\0');
}

void
edit_str(struct edits *e, yajl_val obj, const char *key, const char *s, size_t n)
{
	value_begin(e, obj, key);
	json_escape(&e->values, s, n);
	value_end(e);
}

void
edit_int(struct edits *e, yajl_val obj, const char *key, long long v)
{
	value_begin(e, obj, key);
	buf_printf(&e->values, "%lld", v);
	value_end(e);
}

void
edit_null(struct edits *e, yajl_val obj, const char *key)
{
	value_begin(e, obj, key);
	buf_adds(&e->values, "null");
	value_end(e);
}

void
edit_id_object(struct edits *e, yajl_val obj, const char *key, const char *id)
{
	value_begin(e, obj, key);
	buf_adds(&e->values, "{\"id\":");
	json_escape(&e->values, id, strlen(id));
	buf_addc(&e->values, '}');
	value_end(e);
}

/* jw_num_raw writes any JSON text as it is given, with the comma before it. */
static void
put(struct edits *e, struct jw *w, const struct edit *ed)
{
	jw_key(w, ed->key);
	jw_num_raw(w, e->values.data + ed->value);
}

/*
 * Edits only ever change members of objects reached from the root through
 * objects, so arrays and scalars are written as they are. The tree was parsed
 * with a depth limit, which bounds the recursion.
 */
static void
write_value(struct edits *e, struct jw *w, yajl_val v)
{
	struct edit *ed;
	size_t i;

	if (v == NULL || v->type != yajl_t_object) {
		jw_value(w, v);
		return;
	}
	jw_obj(w);
	for (i = 0; i < v->u.object.len; i++) {
		ed = find(e, v, v->u.object.keys[i]);
		if (ed == NULL) {
			jw_key(w, v->u.object.keys[i]);
			write_value(e, w, v->u.object.values[i]);
			continue;
		}
		if (!ed->done)		/* a duplicate key is written once */
			put(e, w, ed);
		ed->done = 1;
	}
	for (i = 0; i < e->len; i++) {
		ed = &e->list[i];
		if (ed->obj == v && !ed->done) {
			ed->done = 1;
			put(e, w, ed);
		}
	}
	jw_obj_end(w);
}

void
edits_write(struct edits *e, struct jw *w, yajl_val v)
{
	size_t i;

	for (i = 0; i < e->len; i++)
		e->list[i].done = 0;
	write_value(e, w, v);
}
