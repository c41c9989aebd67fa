/*
 * parse: map a provider's raw pages or raw items to canonical records.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "json.h"
#include "msg.h"
#include "page.h"
#include "prov.h"
#include "util.h"

#define CHUNK 65536

static const char usage[] =
    "usage: parse -p provider -s stream [-q] [-m size] [-i auto|pages|messages]\n"
    "             [--items path] [--playlist id] [--offset n] [file ...]\n";

struct parse {
	struct prov_ctx ctx;
	const char *stream;
	const char *items_path;
	const char *playlist_opt;	/* --playlist */
	size_t cap;
	struct msg_writer *out;
	struct buf line;
	char now[ISO8601_LEN];
	int schema_sent;

	/* the file being read */
	const char *name;
	size_t page_no;			/* 1-based, in this file */
	long long next_position;	/* playlist entries: position after the last page */
	long long page_base;		/* position of this page's first item, -1 unknown */
	char playlist_id[256];

	size_t records, skipped, bad_pages;
};

static void
emit(struct parse *ps, const char *data, size_t len)
{
	msg_write_stdout(ps->out, data, len);
}

static void
send_schema(struct parse *ps)
{
	struct jw w;

	if (ps->schema_sent)
		return;
	ps->schema_sent = 1;
	buf_reset(&ps->line);
	jw_init(&w, &ps->line);
	msg_schema_of(&w, ps->stream, prov_name(ps->ctx.provider));
	emit(ps, ps->line.data, ps->line.len);
}

/* Writes the RECORD of one raw item; returns 0, or -1 (warned) when it is skipped. */
static int
record(struct parse *ps, yajl_val item, const char *time_extracted, const char *where)
{
	struct jw w;
	const char *why;

	send_schema(ps);
	buf_reset(&ps->line);
	jw_init(&w, &ps->line);
	msg_record_open(&w, ps->stream);
	if (prov_map(&ps->ctx, item, &w, &why) != 0) {
		warn("%s: %s: %s", ps->name, where, why);
		ps->skipped++;
		return -1;
	}
	msg_record_close(&w, time_extracted);
	emit(ps, ps->line.data, ps->line.len);
	ps->records++;
	return 0;
}

/* The value of a query parameter in a URL, as a number; -1 when absent. */
static long long
query_number(const char *url, const char *name)
{
	const char *q = url ? strchr(url, '?') : NULL;
	size_t n = strlen(name);
	long long v;
	char num[32];
	size_t k;

	while (q != NULL) {
		q++;
		if (strncmp(q, name, n) == 0 && q[n] == '=') {
			q += n + 1;
			for (k = 0; k < sizeof num - 1 && q[k] >= '0' && q[k] <= '9'; k++)
				num[k] = q[k];
			num[k] = '\0';
			return parse_ll(num, 0, 1LL << 62, &v) == 0 ? v : -1;
		}
		q = strchr(q, '&');
	}
	return -1;
}

/* The playlist id in a page's href: .../playlists/ID/... or .../playlist/ID/... */
static int
href_playlist(const char *href, char *out, size_t outlen)
{
	const char *p, *e;

	if (href == NULL)
		return -1;
	if ((p = strstr(href, "/playlists/")) != NULL)
		p += 11;
	else if ((p = strstr(href, "/playlist/")) != NULL)
		p += 10;
	else
		return -1;
	e = p + strcspn(p, "/?");
	if (e == p || (size_t)(e - p) >= outlen)
		return -1;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 0;
}

static int
on_item(void *arg, struct page *p, const struct page_item *it)
{
	struct parse *ps = arg;
	char where[64];
	long long off;

	snprintf(where, sizeof where, "page %zu, item %zu", ps->page_no, it->index + 1);
	if (it->error) {
		warn("%s: %s: %s", ps->name, where, it->error);
		ps->skipped++;
		return 0;
	}
	if (strcmp(ps->stream, "playlist_items") == 0) {
		if (it->index == 0) {
			/* Spotify writes href (with the offset) before the items */
			off = query_number(page_str(p, PAGE_HREF), "offset");
			if (off < 0 && page_int(p, PAGE_OFFSET, &off) != 0)
				off = ps->next_position;
			ps->page_base = off;
			if (ps->playlist_opt == NULL &&
			    href_playlist(page_str(p, PAGE_HREF), ps->playlist_id,
			    sizeof ps->playlist_id) == 0)
				ps->ctx.playlist_id = ps->playlist_id;
		}
		ps->ctx.position = ps->page_base + (long long)it->index;
	}
	record(ps, it->value, ps->now, where);
	return 0;
}

static int
on_page_end(void *arg, struct page *p)
{
	struct parse *ps = arg;

	if (page_items(p) > 0 && ps->page_base >= 0)
		ps->next_position = ps->page_base + (long long)page_items(p);
	ps->page_base = -1;
	ps->page_no++;
	return 0;
}

/* The line number of an offset in the chunk being fed. */
static size_t
line_of(const char *chunk, size_t upto, size_t line)
{
	const char *p = chunk, *end = chunk + upto;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		line++;
		p++;
	}
	return line;
}

static void
read_pages(struct parse *ps, int fd, const char *first, size_t nfirst)
{
	static const struct page_callbacks cb = { on_item, on_page_end };
	struct page *p = page_new(ps->items_path, ps->cap, &cb, ps);
	char *chunk = xmalloc(CHUNK);
	unsigned long long base = 0;
	size_t line = 1, n;
	ssize_t got;
	int failed = 0;

	ps->page_no = 1;
	ps->page_base = -1;
	memcpy(chunk, first, nfirst);
	n = nfirst;
	for (;;) {
		if (n > 0 && page_feed(p, chunk, n) != 0) {
			unsigned long long at = page_error_offset(p);

			say("%s: line %zu: %s", ps->name,
			    line_of(chunk, at > base ? (size_t)(at - base) : 0, line), page_error(p));
			failed = 1;
			break;
		}
		line = line_of(chunk, n, line);
		base += n;
		do
			got = read(fd, chunk, CHUNK);
		while (got < 0 && errno == EINTR);
		if (got < 0)
			die(EXIT_IOERR, "%s: read error: %s", ps->name, strerror(errno));
		if (got == 0)
			break;
		n = (size_t)got;
	}
	if (!failed && page_finish(p) != 0) {
		say("%s: line %zu: %s", ps->name, line, page_error(p));
		failed = 1;
	}
	if (failed)
		ps->bad_pages++;
	free(chunk);
	page_free(p);
}

static void
read_messages(struct parse *ps, int fd, const char *first, size_t nfirst)
{
	struct msg_reader *r = msg_reader_new_prefixed(fd, ps->name, ps->cap, first, nfirst);
	struct msg m;
	char where[48];
	yajl_val ctx;
	int rc;

	while ((rc = msg_read(r, &m)) != MSG_EOF) {
		if (rc == MSG_IOERR)
			die(EXIT_IOERR, "%s: %s", ps->name, msg_reader_error(r));
		if (rc == MSG_BAD) {
			warn("%s: line %zu: %s", ps->name, m.lineno, msg_reader_error(r));
			ps->skipped++;
			continue;
		}
		if (m.stream == NULL || strcmp(m.stream, ps->stream) != 0 ||
		    (m.type != MSG_RECORD && m.type != MSG_SCHEMA)) {
			emit(ps, m.line, m.len);
			continue;
		}
		if (m.type == MSG_SCHEMA) {
			send_schema(ps);
			continue;
		}
		/* fetch-pages --raw puts a playlist entry's place beside the record */
		ctx = json_member(m.root, "context");
		ps->ctx.playlist_id = ps->playlist_opt ? ps->playlist_opt :
		    json_str(json_member(ctx, "playlist_id"));
		if (json_int(json_member(ctx, "position"), &ps->ctx.position) != 0)
			ps->ctx.position = ps->next_position;
		ps->next_position = ps->ctx.position + 1;
		snprintf(where, sizeof where, "line %zu", m.lineno);
		record(ps, m.record,
		    json_str(json_member(m.root, "time_extracted")) ?
		    json_str(json_member(m.root, "time_extracted")) : ps->now, where);
	}
	msg_reader_free(r);
}

/* Messages start with {"type": (fetch-pages writes the type first); pages do not. */
static int
looks_like_messages(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	if (i == n || s[i] != '{')
		return 0;
	i++;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return n - i >= 6 && memcmp(s + i, "\"type\"", 6) == 0;
}

static void
read_file(struct parse *ps, const char *path, const char *input)
{
	char first[4096];
	size_t n = 0;
	ssize_t got;
	int fd;

	ps->name = path;
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else if ((fd = open(path, O_RDONLY)) < 0) {
		say("%s: %s", path, strerror(errno));
		ps->bad_pages++;
		return;
	}
	/* enough of the start to tell pages from messages */
	while (n < 64) {
		got = read(fd, first + n, sizeof first - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			die(EXIT_IOERR, "%s: read error: %s", path, strerror(errno));
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (strcmp(input, "messages") == 0 ||
	    (strcmp(input, "auto") == 0 && looks_like_messages(first, n)))
		read_messages(ps, fd, first, n);
	else
		read_pages(ps, fd, first, n);
	if (fd != STDIN_FILENO)
		close(fd);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "provider", required_argument, NULL, 'p' },
		{ "stream", required_argument, NULL, 's' },
		{ "max-record", required_argument, NULL, 'm' },
		{ "input", required_argument, NULL, 'i' },
		{ "items", required_argument, NULL, 'I' },
		{ "playlist", required_argument, NULL, 'P' },
		{ "offset", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct parse ps;
	const char *provider = getenv("CRATE_PROVIDER"), *input = "auto";
	int ch, status;

	cli_init(argv, usage);
	memset(&ps, 0, sizeof ps);
	ps.cap = RECORD_CAP_DEFAULT;
	ps.ctx.position = -1;
	while ((ch = getopt_long(argc, argv, "p:s:m:i:o:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			provider = optarg;
			break;
		case 's':
			ps.stream = optarg;
			break;
		case 'm':
			ps.cap = opt_size("-m", optarg);
			break;
		case 'i':
			input = optarg;
			if (strcmp(input, "auto") && strcmp(input, "pages") && strcmp(input, "messages"))
				die(EXIT_USAGE, "-i: '%s' is not auto, pages or messages", input);
			break;
		case 'I':
			ps.items_path = optarg;
			break;
		case 'P':
			ps.playlist_opt = optarg;
			break;
		case 'o':
			ps.next_position = opt_ll("--offset", optarg, 0, 1LL << 40);
			break;
		case 'q':
			util_quiet = 1;
			break;
		case 'h':
			cli_help();
		default:
			cli_usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (provider == NULL || ps.stream == NULL) {
		say("-p provider and -s stream are required");
		cli_usage();
	}
	if ((ps.ctx.provider = prov_lookup(provider)) < 0)
		die(EXIT_USAGE, "unknown provider '%s' (spotify, apple-music, deezer, generic)",
		    provider);
	if (ps.ctx.provider != PROV_GENERIC && !prov_stream_known(ps.stream))
		die(EXIT_USAGE, "unknown stream '%s' (artists, albums, tracks, playlists, "
		    "playlist_items)", ps.stream);
	ps.ctx.stream = ps.stream;
	ps.ctx.playlist_id = ps.playlist_opt;
	if (ps.items_path == NULL)
		ps.items_path = prov_items_path(ps.ctx.provider, ps.stream);
	iso8601_now(ps.now);
	buf_init(&ps.line);
	ps.out = msg_writer_new(STDOUT_FILENO);

	if (argc == 0)
		read_file(&ps, "-", input);
	for (int i = 0; i < argc; i++)
		read_file(&ps, argv[i], input);

	msg_writer_free_stdout(ps.out);
	buf_free(&ps.line);
	status = ps.bad_pages ? EXIT_DATAERR : ps.skipped ? 1 : 0;
	if (ps.skipped || ps.bad_pages)
		say("%zu records, %zu items skipped, %zu inputs not understood", ps.records,
		    ps.skipped, ps.bad_pages);
	return status;
}
