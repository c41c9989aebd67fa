/*
 * page.h: the page splitter. Fed an HTTP body in chunks of any size, it hands
 * out the items of the page one at a time, as yajl trees, and records the
 * page's paging fields, never holding the whole page.
 *
 * The items are the elements of the array at the shape's items path: "items"
 * (Spotify), "artists.items" (Spotify's followed artists), "data" (Apple
 * Music, Deezer), or "" when the body itself is the array (Link-header APIs).
 * The paging fields are scalars found beside the items array (next, total,
 * offset, limit, href, previous, cursors.after), meta.total, and the error
 * shapes of the providers (error.{status,message,code,type} and the first
 * element of errors[]). Other values outside the items are parsed and
 * dropped.
 *
 * Several bodies in a row are fine (one after the other, as `cat page*.json`
 * gives them): each top-level value is a page; its fields are cleared when it
 * starts and the end callback runs when it ends.
 *
 * Limits: an item whose text is longer than the cap, whose tree would take
 * more than 4 times the cap in memory (a node per value: an array of a million
 * zeros), or nested deeper than JSON_MAX_DEPTH, is not built: the item
 * callback gets it with an error and no value, its bytes are skipped without
 * being buffered, and the page goes on with the next item. A value outside the
 * items longer than the cap, or nesting past the limit there, is an error for
 * the whole page. Whitespace is no value: any length of it between items is
 * skipped. Memory is bounded by about 6 times the cap plus one chunk, whatever
 * the page holds (a string is held back until it ends, up to the cap, and
 * given to yajl whole: yajl lexes a token given in pieces again at every
 * piece, quadratic in its length).
 *
 * Strings: one holding a NUL (\u0000) would be cut there, so the item is
 * refused with an error naming the member ("a NUL character (\u0000) in
 * \"id\""), and a paging field holding one fails the page. Lone surrogates
 * (\ud800 without its pair) become U+FFFD, never invalid UTF-8.
 */
#ifndef CRATE_PAGE_H
#define CRATE_PAGE_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

enum page_field {
	PAGE_NEXT,
	PAGE_TOTAL,
	PAGE_OFFSET,
	PAGE_LIMIT,
	PAGE_HREF,
	PAGE_PREVIOUS,
	PAGE_CURSOR_AFTER,
	PAGE_META_TOTAL,
	PAGE_ERROR_STATUS,	/* Spotify error.status; Apple errors[0].status (a string) */
	PAGE_ERROR_MESSAGE,	/* Spotify and Deezer error.message; Apple errors[0].detail */
	PAGE_ERROR_CODE,	/* Deezer error.code; Apple errors[0].code */
	PAGE_ERROR_TYPE,	/* Deezer error.type; Apple errors[0].title */
	PAGE_NFIELDS
};

struct page_item {
	yajl_val value;		/* the item; NULL when error is set. Owned by the splitter
				 * (an arena, not yajl_tree_free's): valid during the
				 * callback only */
	size_t index;		/* 0-based position in this page's items array */
	const char *error;	/* why the item could not be built, or NULL */
};

struct page;

struct page_callbacks {
	/* One item. Return 0 to go on; anything else stops the page (page_feed fails). */
	int (*item)(void *ctx, struct page *p, const struct page_item *it);
	/* A top-level value (a page) ended; its fields are complete. May be NULL. */
	int (*end)(void *ctx, struct page *p);
};

/* items_path as above; cap is the largest item text (0: RECORD_CAP_DEFAULT). */
struct page *page_new(const char *items_path, size_t cap, const struct page_callbacks *cb,
    void *ctx);
void page_free(struct page *p);
/* Forgets everything fed so far (the fields, a partial page) to start another body. */
void page_reset(struct page *p);
/* Feeds bytes. Returns 0, or -1 with page_error set: invalid JSON, a limit, a stop. */
int page_feed(struct page *p, const void *data, size_t len);
/* End of the body. Returns -1 (page_error set) when it ended inside a value. */
int page_finish(struct page *p);
const char *page_error(const struct page *p);
/* Absolute offset in the bytes fed since the last reset where the error was seen. */
unsigned long long page_error_offset(const struct page *p);

/* A field of the current page as text (numbers as written), or NULL if absent or null. */
const char *page_str(const struct page *p, enum page_field f);
/* A field as an integer (a number, or a string of digits): 0, or -1 if absent or not one. */
int page_int(const struct page *p, enum page_field f, long long *out);
/* Items seen in the current page. */
size_t page_items(const struct page *p);
/* Whether the current page has an array at the items path (the provider's shape). */
int page_has_items(const struct page *p);

#endif
