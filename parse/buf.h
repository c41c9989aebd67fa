/*
 * buf.h: a growable byte buffer.
 *
 * The buffer owns its memory; b->data is always NUL-terminated after any call
 * (so it can be used as a C string when it holds no NUL bytes) and may move on
 * any call that appends. buf_reset keeps the allocation for reuse: a loop that
 * resets one buffer per record allocates only when a record is larger than all
 * before it, so memory is bounded by the largest record.
 */
#ifndef CRATE_BUF_H
#define CRATE_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
