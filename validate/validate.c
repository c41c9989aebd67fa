/*
 * validate: checks and normalises canonical records by stream, passes SCHEMA
 * and STATE through in order with the rejected counts added to the bookmarks,
 * and sends every rejected line to stderr and to the rejects file.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "prov.h"
#include "util.h"
#include "validate.h"

/* How much of an over-long line goes to the rejects file. */
#define REJECT_INPUT_MAX 1024

/*
 * Rejected counts by bookmark key: a stream, and for playlist items also
 * "playlist_items:PLAYLIST_ID", the key of one playlist's bookmark. A key is
 * added only when something of it is rejected, so the table grows with the
 * streams and playlists that had rejects, never with the records; and it stops
 * at COUNT_KEYS_MAX keys, so that hostile input cannot grow it either.
 */
#define COUNT_KEYS_MAX 10000

struct count {
	char *key;
	long long rejected;
};

static struct count *counts;
static size_t ncounts;

static long long passed, rejected, warnings;
static int trouble;		/* an I/O error: exit 74 */
static int named_files;		/* FILE arguments: messages name the file */

static struct msg_writer *out, *rejects;
static const char *rejects_path;
static int rejects_fd = -1;

static struct buf line;		/* a message being written again */
static struct buf shown_id, shown_stream, shown_reason;
static struct buf clean;		/* input text made valid UTF-8 */

static const char usage[] = "usage: validate [-q] [-m size] [-r file] [file ...]\n";

static void
count_add(const char *key, size_t n)
{
	static int full;
	size_t i;

	for (i = 0; i < ncounts; i++)
		if (strncmp(counts[i].key, key, n) == 0 && counts[i].key[n] == '\0') {
			counts[i].rejected++;
			return;
		}
	if (ncounts == COUNT_KEYS_MAX) {
		if (!full++)
			warn("rejects in more than %d streams and playlists: "
			    "the bookmarks of the others will say 0", COUNT_KEYS_MAX);
		return;
	}
	counts = xrealloc(counts, (ncounts + 1) * sizeof *counts);
	counts[ncounts].key = xstrndup(key, n);
	counts[ncounts++].rejected = 1;
}

static long long
count_of(const char *key)
{
	size_t i;

	for (i = 0; i < ncounts; i++)
		if (strcmp(counts[i].key, key) == 0)
			return counts[i].rejected;
	return 0;
}

static void
count_reject(const char *stream, yajl_val record)
{
	char key[512];

	rejected++;
	if (stream == NULL)
		return;
	count_add(stream, strlen(stream));
	if (strcmp(prov_record_key(key, sizeof key, stream, record), stream) != 0)
		count_add(key, strlen(key));
}

/* Text from the input made safe for one line of stderr. */
static const char *
printable(struct buf *b, const char *s)
{
	size_t i;

	buf_reset(b);
	for (i = 0; s[i] != '\0' && i < 300; i++)
		buf_addc(b, (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i]);
	if (s[i] != '\0')
		buf_adds(b, "...");
	return b->data;
}

/* "line 12" or "FILE: line 12" */
static void
where(const struct msg_reader *r, const struct msg *m, char *out, size_t n)
{
	if (named_files)
		snprintf(out, n, "%s: line %zu", msg_reader_name(r), m->lineno);
	else
		snprintf(out, n, "line %zu", m->lineno);
}

/* The text of a JSON string for the rejects file: valid UTF-8, however bad the input. */
static void
put_text(struct jw *w, const char *s, size_t n)
{
	if (s == NULL) {
		jw_null(w);
		return;
	}
	s = utf8_clean(&clean, s, &n);
	jw_strn(w, s, n);
}

static void emit(const char *text, size_t len);

/*
 * One rejected line as an object: for the rejects file, and (with provider)
 * as the record of stream "rejects" that store keeps in its rejects table.
 */
static void
reject_object(struct jw *w, const struct msg_reader *r, const struct msg *m, const char *stream,
    const char *id, const char *reason, int with_provider)
{
	const char *provider = json_str(json_member(m->record, "provider"));
	size_t n = m->len;

	jw_obj(w);
	if (with_provider) {
		jw_key(w, "provider");
		put_text(w, provider, provider ? strlen(provider) : 0);
	}
	jw_key(w, "stream");
	put_text(w, stream, stream ? strlen(stream) : 0);
	jw_kint(w, "line", (long long)m->lineno);
	if (named_files)
		jw_kstr(w, "file", msg_reader_name(r));
	jw_key(w, "id");
	put_text(w, id, id ? strlen(id) : 0);
	jw_key(w, "reason");
	put_text(w, reason, strlen(reason));
	jw_key(w, "input");
	if (m->truncated && n > REJECT_INPUT_MAX)
		n = REJECT_INPUT_MAX;
	put_text(w, m->line, n);
	if (m->truncated)
		jw_kbool(w, "input_truncated", 1);
	jw_obj_end(w);
}

static void
write_rejects(const struct msg_reader *r, const struct msg *m, const char *stream,
    const char *id, const char *reason)
{
	static int schema_sent;
	struct jw w;

	if (rejects != NULL) {
		buf_reset(&line);
		jw_init(&w, &line);
		reject_object(&w, r, m, stream, id, reason, 0);
		if (msg_write(rejects, line.data, line.len) != 0)
			die(EXIT_IOERR, "%s: %s", rejects_path, strerror(errno));
	}
	/* Downstream too, before the STATE that follows: store keeps them (store(1) rejects). */
	if (!schema_sent) {
		buf_reset(&line);
		jw_init(&w, &line);
		msg_schema_of(&w, "rejects", NULL);
		emit(line.data, line.len);
		schema_sent = 1;
	}
	buf_reset(&line);
	jw_init(&w, &line);
	jw_obj(&w);
	jw_kstr(&w, "type", "RECORD");
	jw_kstr(&w, "stream", "rejects");
	jw_key(&w, "record");
	reject_object(&w, r, m, stream, id, reason, 1);
	jw_obj_end(&w);
	emit(line.data, line.len);
}

static void
reject_line(const struct msg_reader *r, const struct msg *m, const char *stream,
    const char *id, const char *reason)
{
	char at[300];

	count_reject(stream, m->record);
	where(r, m, at, sizeof at);
	if (stream)
		warn("%s: %s %s: %s", at, printable(&shown_stream, stream),
		    id ? printable(&shown_id, id) : "(no id)", printable(&shown_reason, reason));
	else
		warn("%s: %s", at, printable(&shown_reason, reason));
	write_rejects(r, m, stream, id, reason);
}

static void
emit(const char *text, size_t len)
{
	msg_write_stdout(out, text, len);
}

/* Writes the message again, with the edits applied. */
static void
emit_edited(struct edits *e, yajl_val root)
{
	struct jw w;

	buf_reset(&line);
	jw_init(&w, &line);
	edits_write(e, &w, root);
	emit(line.data, line.len);
}

static void
record(const struct msg_reader *r, const struct msg *m, struct check *c)
{
	char at[300];
	int i;

	/* An upstream validate's rejects pass as they are, counted nowhere. */
	if (strcmp(m->stream, "rejects") == 0) {
		emit(m->line, m->len);
		return;
	}
	if (rules_check(m->stream, m->record, c) != 0) {
		reject_line(r, m, m->stream, c->id, c->reason);
		return;
	}
	if (c->nwarnings > 0) {
		where(r, m, at, sizeof at);
		for (i = 0; i < c->nwarnings; i++)
			warn("%s: %s %s: %s", at, printable(&shown_stream, m->stream),
			    printable(&shown_id, c->id), c->warning[i]);
		warnings += c->nwarnings;
	}
	passed++;
	if (c->edits.len == 0)
		emit(m->line, m->len);
	else
		emit_edited(&c->edits, m->root);
}

/*
 * Adds this run's rejected count to every bookmark of the STATE (to the count
 * the bookmark already carries: a resumed walk brings the earlier runs'); every
 * other key is kept.
 */
static void
state(const struct msg *m, struct edits *e)
{
	yajl_val bookmarks = json_member(m->value, "bookmarks");
	size_t i;

	edits_reset(e);
	if (bookmarks == NULL || bookmarks->type != yajl_t_object) {
		emit(m->line, m->len);
		return;
	}
	for (i = 0; i < bookmarks->u.object.len; i++) {
		yajl_val b = bookmarks->u.object.values[i];
		long long before = 0;

		if (b->type != yajl_t_object)
			continue;
		if (json_int(json_member(b, "rejected"), &before) != 0 || before < 0 ||
		    before > (1LL << 50))
			before = 0;
		edit_int(e, b, "rejected", before + count_of(bookmarks->u.object.keys[i]));
	}
	if (e->len == 0)
		emit(m->line, m->len);
	else
		emit_edited(e, m->root);
}

static void
validate(struct msg_reader *r, struct check *c)
{
	struct msg m;
	int got;

	while ((got = msg_read(r, &m)) != MSG_EOF) {
		switch (got) {
		case MSG_IOERR:
			say("%s: %s", msg_reader_name(r), msg_reader_error(r));
			trouble = 1;
			return;
		case MSG_BAD:
			/* a message that names its stream is counted in it */
			reject_line(r, &m, m.stream, NULL, msg_reader_error(r));
			break;
		default:
			if (m.type == MSG_RECORD)
				record(r, &m, c);
			else if (m.type == MSG_STATE)
				state(&m, &c->edits);
			else
				emit(m.line, m.len);
			break;
		}
	}
}

/* --parse-only (validate(1), for scripts/bench-validate): reads and parses, writes nothing. */
static void
parse_only(struct msg_reader *r)
{
	struct msg m;
	int got;

	while ((got = msg_read(r, &m)) != MSG_EOF) {
		if (got == MSG_IOERR) {
			say("%s: %s", msg_reader_name(r), msg_reader_error(r));
			trouble = 1;
			return;
		}
		if (got == MSG_OK)
			passed++;
		else
			rejected++;
	}
}

int
main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "max-record", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "parse-only", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	struct msg_reader *r;
	struct check c;
	size_t cap = RECORD_CAP_DEFAULT;
	int ch, fd, i, only_parse = 0;

	cli_init(argv, usage);
	while ((ch = getopt_long(argc, argv, "hm:qr:", options, NULL)) != -1) {
		switch (ch) {
		case 'h':
			cli_help();
		case 'm':
			cap = opt_size("-m", optarg);
			break;
		case 'q':
			util_quiet = 1;
			break;
		case 'r':
			rejects_path = optarg;
			break;
		case 'P':
			only_parse = 1;
			break;
		default:
			cli_usage();
		}
	}
	argc -= optind;
	argv += optind;

	/* A closed pipe downstream is a write error to report, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	if (rejects_path != NULL) {
		rejects_fd = open(rejects_path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (rejects_fd < 0)
			die(EXIT_IOERR, "%s: %s", rejects_path, strerror(errno));
		rejects = msg_writer_new(rejects_fd);
	}
	out = msg_writer_new(STDOUT_FILENO);
	buf_init(&line);
	buf_init(&shown_id);
	buf_init(&shown_stream);
	buf_init(&shown_reason);
	buf_init(&clean);
	check_init(&c);
	named_files = argc > 0;
	for (i = 0; i < argc || (i == 0 && argc == 0); i++) {
		if (argc == 0 || strcmp(argv[i], "-") == 0) {
			fd = STDIN_FILENO;
		} else if ((fd = open(argv[i], O_RDONLY)) < 0) {
			say("%s: %s", argv[i], strerror(errno));
			trouble = 1;
			continue;
		}
		r = msg_reader_new(fd, argc == 0 ? "-" : argv[i], cap);
		if (only_parse)
			parse_only(r);
		else
			validate(r, &c);
		msg_reader_free(r);
		if (fd != STDIN_FILENO)
			close(fd);
	}

	msg_writer_free_stdout(out);
	if (rejects != NULL && (msg_writer_free(rejects) != 0 || close(rejects_fd) != 0))
		die(EXIT_IOERR, "%s: %s", rejects_path, strerror(errno));
	/* under sync-library the counts go to its status (the store's line shows the rejects) */
	if (status_event("-", "note", "%lld passed, %lld rejected, %lld warnings", passed,
	    rejected, warnings))
		;
	else if (warnings > 0)
		say("%lld passed, %lld rejected, %lld warning%s", passed, rejected, warnings,
		    warnings == 1 ? "" : "s");
	else
		say("%lld passed, %lld rejected", passed, rejected);
	check_free(&c);
	buf_free(&line);
	buf_free(&shown_id);
	buf_free(&shown_stream);
	buf_free(&shown_reason);
	buf_free(&clean);
	for (i = 0; i < (int)ncounts; i++)
		free(counts[i].key);
	free(counts);
	if (trouble)
		return EXIT_IOERR;
	return rejected > 0 ? EXIT_REJECTS : 0;
}
