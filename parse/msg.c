/* F_SETPIPE_SZ (Linux) */
#define _GNU_SOURCE 1
#include "msg.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree.h"
#include "util.h"

#define READ_BLOCK 65536

struct msg_reader {
	int fd;
	char *name;
	size_t cap;
	char *block;		/* raw bytes read from fd */
	size_t bpos, bend;
	int eof;
	struct buf line;
	size_t lineno;
	struct tree *tree;	/* the last message's, in an arena */
	char error[256];
};

struct msg_reader *
msg_reader_new(int fd, const char *name, size_t cap)
{
	struct msg_reader *r = xcalloc(1, sizeof *r);

	r->fd = fd;
	r->name = xstrdup(name ? name : "-");
	r->cap = cap ? cap : RECORD_CAP_DEFAULT;
	r->block = xmalloc(READ_BLOCK);
	r->tree = tree_new();
	buf_init(&r->line);
	return r;
}

struct msg_reader *
msg_reader_new_prefixed(int fd, const char *name, size_t cap, const char *prefix, size_t n)
{
	struct msg_reader *r = msg_reader_new(fd, name, cap);

	if (n > READ_BLOCK)
		die(EXIT_SOFTWARE, "msg_reader_new_prefixed: prefix of %zu bytes", n);
	memcpy(r->block, prefix, n);
	r->bpos = 0;
	r->bend = n;
	return r;
}

void
msg_reader_free(struct msg_reader *r)
{
	if (r == NULL)
		return;
	tree_free(r->tree);
	buf_free(&r->line);
	free(r->block);
	free(r->name);
	free(r);
}

const char *
msg_reader_error(const struct msg_reader *r)
{
	return r->error;
}

const char *
msg_reader_name(const struct msg_reader *r)
{
	return r->name;
}

static int
fill(struct msg_reader *r)
{
	ssize_t n;

	if (r->eof)
		return 0;
	do
		n = read(r->fd, r->block, READ_BLOCK);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(r->error, sizeof r->error, "read error: %s", strerror(errno));
		return -1;
	}
	if (n == 0) {
		r->eof = 1;
		return 0;
	}
	r->bpos = 0;
	r->bend = (size_t)n;
	return 1;
}

/*
 * One line into r->line, at most cap bytes kept. Returns 1 for a line, 0 at
 * end of input, -1 on a read error; *over is set when bytes were dropped.
 */
static int
next_line(struct msg_reader *r, int *over)
{
	char *nl;
	size_t n, room;
	int f;

	buf_reset(&r->line);
	*over = 0;
	for (;;) {
		if (r->bpos == r->bend) {
			f = fill(r);
			if (f < 0)
				return -1;
			if (f == 0)
				return r->line.len > 0 || *over ? 1 : 0;
		}
		nl = memchr(r->block + r->bpos, '\n', r->bend - r->bpos);
		n = nl ? (size_t)(nl - (r->block + r->bpos)) : r->bend - r->bpos;
		room = r->cap - r->line.len;
		if (n > room) {
			*over = 1;
			buf_add(&r->line, r->block + r->bpos, room);
		} else {
			buf_add(&r->line, r->block + r->bpos, n);
		}
		r->bpos += n;
		if (nl) {
			r->bpos++;
			return 1;
		}
	}
}

static int
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int
msg_read_line(struct msg_reader *r, struct msg *m)
{
	int over, got;

	memset(m, 0, sizeof *m);
	r->error[0] = '\0';
	do {
		got = next_line(r, &over);
		if (got <= 0)
			return got < 0 ? MSG_IOERR : MSG_EOF;
		r->lineno++;
	} while (!over && blank(r->line.data, r->line.len));
	m->line = r->line.data;
	m->len = r->line.len;
	m->lineno = r->lineno;
	if (over) {
		m->truncated = 1;
		snprintf(r->error, sizeof r->error,
		    "line longer than the record cap of %zu bytes", r->cap);
		return MSG_BAD;
	}
	return MSG_OK;
}

static int
bad(struct msg_reader *r, const char *why)
{
	snprintf(r->error, sizeof r->error, "%s", why);
	return MSG_BAD;
}

int
msg_read(struct msg_reader *r, struct msg *m)
{
	return msg_read_into(r, m, NULL);
}

/* Into the reader's tree (t NULL), or into t on a copy of the line. */
int
msg_read_into(struct msg_reader *r, struct msg *m, struct tree *t)
{
	const char *type;
	char err[200];
	yajl_val root;
	int got;

	tree_reset(t ? t : r->tree);
	got = msg_read_line(r, m);
	if (got != MSG_OK)
		return got;
	/* the line passes on as read (validate): its lone surrogates made \ufffd there too */
	json_fix_surrogates(r->line.data, r->line.len);
	if (t == NULL) {
		root = tree_parse(r->tree, m->line, m->len, err, sizeof err);
	} else if ((root = tree_parse_copy(t, m->line, m->len, err, sizeof err)) != NULL) {
		m->line = tree_source(t);
	}
	if (root == NULL) {
		char why[240];

		/* valid JSON that crate refuses says so itself */
		snprintf(why, sizeof why, "%s%s", strncmp(err, "a NUL", 5) == 0 ? "" : "not JSON: ",
		    err);
		return bad(r, why);
	}
	m->root = root;
	if (root->type != yajl_t_object)
		return bad(r, "not a message: not a JSON object");
	type = json_str(json_member(root, "type"));
	if (type == NULL)
		return bad(r, "not a message: no \"type\"");
	m->type_name = type;
	m->stream = json_str(json_member(root, "stream"));
	if (strcmp(type, "RECORD") == 0) {
		m->type = MSG_RECORD;
		m->record = json_member(root, "record");
		if (m->stream == NULL)
			return bad(r, "RECORD without a \"stream\"");
		if (m->record == NULL || m->record->type != yajl_t_object)
			return bad(r, "RECORD without a \"record\" object");
	} else if (strcmp(type, "STATE") == 0) {
		m->type = MSG_STATE;
		m->value = json_member(root, "value");
		if (m->value == NULL || m->value->type != yajl_t_object)
			return bad(r, "STATE without a \"value\" object");
	} else if (strcmp(type, "SCHEMA") == 0) {
		m->type = MSG_SCHEMA;
		if (m->stream == NULL)
			return bad(r, "SCHEMA without a \"stream\"");
	} else {
		m->type = MSG_OTHER;
	}
	return MSG_OK;
}

struct msg_writer {
	int fd;
	int failed;
	struct buf out;
};

/*
 * A pipe to the next stage holds 1 MiB, not Linux's 64 KiB: a page of 50
 * tracks is ~37 KiB of records, so the default let a stage run at most two
 * pages ahead of the next, and on two cores the stages of
 * `fetch-pages | validate | store` stalled each other in turn (store, finding
 * its input empty, also committed more often: 23% more pages written). With
 * 1 MiB the 100k-track pipe ran 10-40% faster (scripts/bench-e2e). Not a
 * pipe, or a limit lower than 1 MiB (/proc/sys/fs/pipe-max-size): left as it is.
 */
static void
pipe_widen(int fd)
{
	struct stat st;

#ifdef F_SETPIPE_SZ
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
#else
	(void)fd;
	(void)st;
#endif
}

struct msg_writer *
msg_writer_new(int fd)
{
	struct msg_writer *w = xcalloc(1, sizeof *w);

	w->fd = fd;
	buf_init(&w->out);
	buf_reserve(&w->out, PIPE_BUF);
	pipe_widen(fd);
	return w;
}

static int
write_all(struct msg_writer *w, const char *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		k = write(w->fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			w->failed = errno;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int
msg_flush(struct msg_writer *w)
{
	int rc;

	if (w->failed) {
		errno = w->failed;
		return -1;
	}
	if (w->out.len == 0)
		return 0;
	rc = write_all(w, w->out.data, w->out.len);
	buf_reset(&w->out);
	return rc;
}

int
msg_write(struct msg_writer *w, const char *line, size_t len)
{
	if (w->failed) {
		errno = w->failed;
		return -1;
	}
	if (w->out.len + len + 1 > PIPE_BUF && msg_flush(w) != 0)
		return -1;
	buf_add(&w->out, line, len);
	buf_addc(&w->out, '\n');
	if (w->out.len >= PIPE_BUF)
		return msg_flush(w);
	return 0;
}

int
msg_writer_free(struct msg_writer *w)
{
	int rc, err;

	rc = msg_flush(w);
	err = errno;
	buf_free(&w->out);
	free(w);
	errno = err;
	return rc;
}

void
msg_record_open(struct jw *w, const char *stream)
{
	jw_obj(w);
	jw_kstr(w, "type", "RECORD");
	jw_kstr(w, "stream", stream);
	jw_key(w, "record");
}

void
msg_record_close(struct jw *w, const char *time_extracted)
{
	if (time_extracted)
		jw_kstr(w, "time_extracted", time_extracted);
	jw_obj_end(w);
}

yajl_val
msg_bookmark(yajl_val state_value, const char *stream)
{
	return json_get(state_value, "bookmarks", stream, NULL);
}

void
msg_write_stdout(struct msg_writer *w, const char *line, size_t len)
{
	if (msg_write(w, line, len) != 0)
		stdout_write_error(errno);
}

void
msg_flush_stdout(struct msg_writer *w)
{
	if (msg_flush(w) != 0)
		stdout_write_error(errno);
}

void
msg_writer_free_stdout(struct msg_writer *w)
{
	if (msg_writer_free(w) != 0)
		stdout_write_error(errno);
}
