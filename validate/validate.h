/*
 * validate.h: what validate's files share.
 *
 * edit.c: a record is normalised without copying or changing its yajl tree.
 * The changes are gathered as edits (set one member of one object of the
 * tree, replacing it or adding it at the end), and the message is written
 * again with the edits applied only when there is at least one; an unchanged
 * message passes as the original line. Edits apply to objects reached from
 * the root through objects only (not inside arrays), which is all the rules
 * need.
 *
 * rules.c: the rules of validate(1), one function per stream.
 */
#ifndef VALIDATE_H
#define VALIDATE_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "json.h"

struct edit {
	yajl_val obj;		/* the object whose member changes */
	const char *key;	/* the member; must outlive the edits (a literal, or the tree's) */
	size_t value;		/* offset in edits.values of the new JSON text */
	int done;		/* set once written, while writing */
};

struct edits {
	struct edit *list;
	size_t len, cap;
	struct buf values;	/* JSON texts, each followed by a NUL */
};

void edits_init(struct edits *e);
void edits_free(struct edits *e);
void edits_reset(struct edits *e);
/* Sets obj.key (replacing it, or adding it at the end of obj). */
void edit_str(struct edits *e, yajl_val obj, const char *key, const char *s, size_t n);
void edit_int(struct edits *e, yajl_val obj, const char *key, long long v);
void edit_null(struct edits *e, yajl_val obj, const char *key);
/* Sets obj.key to an object {"id": ID}. */
void edit_id_object(struct edits *e, yajl_val obj, const char *key, const char *id);
/* Writes v with the edits applied, as compact JSON. */
void edits_write(struct edits *e, struct jw *w, yajl_val v);

/* The outcome of the rules for one record; reused from record to record. */
struct check {
	const char *id;		/* the record's id, for messages (NULL when it has none) */
	char id_text[32];	/* room for an id given as a number */
	char reason[256];	/* set when the record is rejected */
	struct edits edits;	/* the normalisation */
	struct buf scratch;	/* room for a normalised string */
	/* warnings: the caller prints them with the line and id */
	char warning[4][256];
	int nwarnings;
};

void check_init(struct check *c);
void check_free(struct check *c);

/*
 * Checks and normalises rec, a record of stream: returns 0 to keep it, -1 to
 * reject it (c->reason says why). c is reset first. The edits point into rec.
 */
int rules_check(const char *stream, yajl_val rec, struct check *c);

/*
 * s (n bytes) as valid UTF-8: s itself when it is, else a copy in scratch with
 * each invalid byte replaced by U+FFFD (*n is updated).
 */
const char *utf8_clean(struct buf *scratch, const char *s, size_t *n);

#endif
