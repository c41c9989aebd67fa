/*
 * msg.h: Singer messages, one JSON object per line (doc/protocol.md).
 *
 * Reader: lines from a file descriptor through one reused buffer. A line longer
 * than the cap is not kept: the reader keeps its first bytes, skips the rest up
 * to the newline, and returns MSG_BAD for that line, so memory stays bounded by
 * the cap and the next line is read normally. Every result carries the line
 * number. What msg_read returns (the tree, the line, the strings) is owned by
 * the reader and valid until the next msg_read or msg_reader_free.
 * The tree is built in an arena (tree.h): never yajl_tree_free it; its objects
 * know the text they arrived as (tree_text).
 *
 * Writer: whole lines only. Lines are gathered into writes of at most PIPE_BUF
 * bytes, never splitting a line, so every write of a line shorter than PIPE_BUF
 * is atomic even with several writers on one pipe; a longer line is written on
 * its own. msg_flush writes what is gathered; call it before waiting on
 * anything (the network, a child), so downstream stages see progress.
 */
#ifndef CRATE_MSG_H
#define CRATE_MSG_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "json.h"

enum msg_type {
	MSG_RECORD,
	MSG_STATE,
	MSG_SCHEMA,
	MSG_OTHER	/* a Singer message of another type (ACTIVATE_VERSION, ...) */
};

/* msg_read results */
enum {
	MSG_IOERR = -2,	/* reading failed: msg_reader_error says why */
	MSG_BAD = -1,	/* this line is not a message: msg_reader_error says why; go on */
	MSG_EOF = 0,
	MSG_OK = 1
};

struct msg {
	enum msg_type type;
	const char *type_name;	/* "RECORD", "STATE", ... */
	const char *stream;	/* RECORD and SCHEMA: the stream; else NULL */
	yajl_val root;		/* the whole message */
	yajl_val record;	/* RECORD: the record (an object) */
	yajl_val value;		/* STATE: the value (an object) */
	const char *line;	/* the line without its newline, NUL-terminated */
	size_t len;		/* its length (for an over-long line: the bytes kept) */
	int truncated;		/* the line was longer than the cap */
	size_t lineno;		/* 1-based */
};

struct msg_reader;

/* name is used in error messages ("-" or a path); cap is the longest line kept. */
struct msg_reader *msg_reader_new(int fd, const char *name, size_t cap);
/* The same, serving the n bytes at prefix (at most 64 KiB) before reading fd. */
struct msg_reader *msg_reader_new_prefixed(int fd, const char *name, size_t cap,
    const char *prefix, size_t n);
void msg_reader_free(struct msg_reader *r);
/* Reads and parses the next line. Blank lines are skipped (they are counted). */
int msg_read(struct msg_reader *r, struct msg *m);
/*
 * The same into t (tree.h) on a copy of the line: the message (its tree,
 * line and strings) is the caller's, valid until t is reset or read into
 * again, whatever the reader reads next.
 */
struct tree;
int msg_read_into(struct msg_reader *r, struct msg *m, struct tree *t);
/*
 * Reads the next line without parsing it: MSG_OK with m->line, m->len and
 * m->lineno set (other fields zero), MSG_BAD for a line over the cap, MSG_EOF,
 * MSG_IOERR.
 */
int msg_read_line(struct msg_reader *r, struct msg *m);
/* The reason for the last MSG_BAD or MSG_IOERR, without line number or name. */
const char *msg_reader_error(const struct msg_reader *r);
const char *msg_reader_name(const struct msg_reader *r);

struct msg_writer;

struct msg_writer *msg_writer_new(int fd);
/* Flushes and frees; returns -1 (errno set) when a write failed at any point. */
int msg_writer_free(struct msg_writer *w);
/* Writes one line (a newline is added). Returns -1 with errno on a write error. */
int msg_write(struct msg_writer *w, const char *line, size_t len);
int msg_flush(struct msg_writer *w);
/*
 * The same for the writer on standard output, where a write error is final:
 * they die with EXIT_IOERR, "write error on standard output: <reason>"
 * (stdout_write_error in util.h).
 */
void msg_write_stdout(struct msg_writer *w, const char *line, size_t len);
void msg_flush_stdout(struct msg_writer *w);
void msg_writer_free_stdout(struct msg_writer *w);

/*
 * Building messages into a buffer with the JSON writer:
 *   msg_record_open(jw, stream) writes {"type":"RECORD","stream":S,"record":
 *   then the caller writes the record value, then msg_record_close(jw, time)
 *   writes ,"time_extracted":T} (time may be NULL to leave it out).
 */
void msg_record_open(struct jw *w, const char *stream);
void msg_record_close(struct jw *w, const char *time_extracted);
/*
 * {"type":"SCHEMA","stream":S,"schema":{...},"key_properties":["provider","id"]}
 * with the full JSON Schema of the stream's canonical records (schema.c): every
 * field, its type and whether it may be null. A stream crate does not know, or
 * any stream of the generic provider (records as the provider gave them),
 * declares provider and id only; a NULL provider means the provider's own
 * items (fetch-pages --raw): any object, no key_properties. Stream "rejects"
 * (validate's rejected items, whatever the provider) has no key_properties.
 */
void msg_schema_of(struct jw *w, const char *stream, const char *provider);

/* The bookmark of stream in a STATE value ({"bookmarks":{S:{...}}}), or NULL. */
yajl_val msg_bookmark(yajl_val state_value, const char *stream);

#endif
