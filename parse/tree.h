/*
 * tree.h: yajl trees built in an arena, from yajl's callback parser.
 *
 * yajl_tree_parse makes a malloc'd node per value and frees them one by one:
 * for a stream of small records that was a third of the time. A tree here is
 * cut from chunks that are kept for the next tree, so a record costs no malloc
 * once the first chunk is big enough. The values are ordinary yajl_val's (the
 * json_* lookups and the writer take them); they must not go to
 * yajl_tree_free. A tree lives until the next tree_reset, tree_parse or
 * tree_free.
 *
 * Builders (the page splitter) drive it callback by callback: tree_scalar and
 * tree_open add a value where the last key says (tree_key) or to the array
 * open; tree_close ends the innermost container.
 *
 * tree_parse builds a strict JSON text in one pass of its own and leaves
 * every other text to yajl (which then accepts or refuses it, and says why);
 * the two build the same tree (tests/fuzz/fuzz_tree.c).
 *
 * An object or array that tree_parse built also knows its text as it arrived
 * (tree_text), so a caller can keep the bytes instead of writing the tree out
 * again.
 */
#ifndef CRATE_TREE_H
#define CRATE_TREE_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

struct tree;

struct tree *tree_new(void);
void tree_free(struct tree *t);
/* Forgets the tree; keeps the first chunk for the next one. */
void tree_reset(struct tree *t);
/* The value built (the first one added), or NULL. */
yajl_val tree_root(const struct tree *t);
/* Containers open. */
int tree_depth(const struct tree *t);

/* A scalar of type t (null, true, false, number, string) from its text. */
yajl_val tree_scalar(struct tree *t, yajl_type type, const char *text, size_t len);
/* An object's next member key (copied). */
void tree_key(struct tree *t, const char *s, size_t len);
/* Adds a value made by tree_scalar. */
void tree_add(struct tree *t, yajl_val v);
/* Opens an object or an array (added like a value); text: where it starts, or NULL. */
void tree_open(struct tree *t, yajl_type type, const char *text);
/* Closes the innermost container; end: just after its last byte, or NULL. */
void tree_close(struct tree *t, const char *end);

/*
 * Parses one JSON text (len bytes, NUL-terminated) into t after
 * json_precheck's checks; returns the root or NULL with a one-line reason in
 * err. Objects keep their text (tree_text).
 */
yajl_val tree_parse(struct tree *t, const char *text, size_t len, char *err, size_t errlen);
/*
 * The same, on a copy of text made in t: the tree and its texts then live
 * until t is reset, whatever becomes of text. tree_source is the copy.
 */
yajl_val tree_parse_copy(struct tree *t, const char *text, size_t len, char *err, size_t errlen);
const char *tree_source(const struct tree *t);
/*
 * tree_parse through yajl alone, never its one-pass fast path (tree.c):
 * the reference the fast path is tested against.
 */
yajl_val tree_parse_yajl(struct tree *t, const char *text, size_t len, char *err, size_t errlen);

/*
 * The text an object or array of a tree_parse tree arrived as, when it is the
 * text json.h's writer would write for it (compact, the same escapes): then
 * *len is set and the text returned (not NUL-terminated). NULL otherwise:
 * write the tree. v must be NULL or a value of a tree_parse tree.
 */
const char *tree_text(yajl_val v, size_t *len);

#endif
