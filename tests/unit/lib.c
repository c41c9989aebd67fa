/*
 * Unit tests of the shared helpers: numbers, times, the JSON writer, the
 * message reader (cap, line numbers, bad lines) and the message writer
 * (whole lines, atomic under concurrent writers).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "buf.h"
#include "json.h"
#include "msg.h"
#include "prov.h"
#include "util.h"

static void
numbers(void)
{
	long long v = 7;
	size_t sz = 0;

	ok(parse_ll("42", 0, 100, &v) == 0 && v == 42, "parse_ll takes 42");
	ok(parse_ll("42x", 0, 100, &v) != 0 && v == 42, "parse_ll rejects junk and stores nothing");
	ok(parse_ll("", 0, 100, &v) != 0, "parse_ll rejects an empty string");
	ok(parse_ll(" 1", 0, 100, &v) != 0, "parse_ll rejects leading space");
	ok(parse_ll("101", 0, 100, &v) != 0, "parse_ll rejects out of range");
	ok(parse_ll("99999999999999999999", 0, LLONG_MAX, &v) != 0, "parse_ll rejects overflow");
	ok(parse_size("16M", &sz) == 0 && sz == 16u << 20, "parse_size 16M");
	ok(parse_size("1k", &sz) == 0 && sz == 1024, "parse_size 1k");
	ok(parse_size("-1", &sz) != 0 && parse_size("1T", &sz) != 0, "parse_size rejects -1 and 1T");
	ok(parse_seconds("250ms", &v) == 0 && v == 250, "parse_seconds 250ms");
	ok(parse_seconds("1.5", &v) == 0 && v == 1500, "parse_seconds 1.5 is 1500 ms");
	ok(parse_seconds("2m", &v) == 0 && v == 120000, "parse_seconds 2m");
	ok(parse_seconds("soon", &v) != 0, "parse_seconds rejects words");
}

static void
times(void)
{
	char iso[ISO8601_LEN];
	time_t t = 0;

	iso8601_format(1633802089, iso);
	is_str(iso, "2021-10-09T17:54:49Z", "iso8601_format of a Deezer time_add");
	ok(iso8601_parse("2021-10-09T17:54:49Z", &t) == 0 && t == 1633802089, "iso8601_parse Z");
	ok(iso8601_parse("2021-10-09T19:54:49+02:00", &t) == 0 && t == 1633802089,
	    "iso8601_parse with an offset");
	ok(iso8601_parse("2021-10-09T17:54:49.123Z", &t) == 0 && t == 1633802089,
	    "iso8601_parse with fractions");
	ok(iso8601_parse("2020-02-30T00:00:00Z", &t) != 0, "iso8601_parse rejects Feb 30");
	ok(iso8601_parse("2021-10-09T17:54:49", &t) != 0, "iso8601_parse wants a zone");
	ok(iso8601_parse("1999-12-31", &t) == 0 && t == 946598400, "iso8601_parse a bare date");
}

static void
writer(void)
{
	struct buf b;
	struct jw w;

	buf_init(&b);
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "a", "q\"\\\n\x01é");
	jw_key(&w, "b");
	jw_arr(&w);
	jw_int(&w, 1);
	jw_null(&w);
	jw_obj(&w);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_kbool(&w, "c", 0);
	jw_obj_end(&w);
	is_str(b.data, "{\"a\":\"q\\\"\\\\\\n\\u0001é\",\"b\":[1,null,{}],\"c\":false}",
	    "the writer places commas and escapes");

	/* json_escape reads eight bytes at a time: a byte to escape at every place */
	{
		static const char *special[][2] = {
			{ "\"", "\\\"" }, { "\\", "\\\\" }, { "\n", "\\n" }, { "\x01", "\\u0001" },
			{ "\x1f", "\\u001f" }, { "\t", "\\t" }, { " ", " " }, { "\x7f", "\x7f" },
			{ "\xc3", "\xc3" },
		};
		struct buf want;
		char text[24];
		int same = 1;

		buf_init(&want);
		for (size_t k = 0; k < sizeof special / sizeof special[0]; k++)
			for (size_t i = 0; i < sizeof text && same; i++) {
				memset(text, 'a', sizeof text);
				text[i] = special[k][0][0];
				buf_reset(&want);
				buf_printf(&want, "\"%.*s%s%.*s\"", (int)i, text, special[k][1],
				    (int)(sizeof text - i - 1), text + i + 1);
				buf_reset(&b);
				json_escape(&b, text, sizeof text);
				if (strcmp(b.data, want.data) != 0) {
					same = 0;
					printf("# got %s, expected %s\n", b.data, want.data);
				}
			}
		ok(same, "json_escape: a quote, a backslash, a control byte at every place");
		buf_free(&want);
	}
	buf_free(&b);
	ok(json_precheck("[[[\"[[[[\"]]]", 12, 3) == NULL, "brackets in strings do not count");
	ok(json_precheck("[[[[]]]]", 8, 3) != NULL, "depth past the limit is refused");
	ok(json_precheck("{\"a\":\"\\\\\"}", 10, 3) == NULL, "an escaped backslash ends before the quote");
	{
		char err[128];
		const char *bad[] = { "{\"a\":1}\"x", "{\"a\":1} /* c */", "{\"a\":/*c*/1}", "{\"a\":\"b" };

		for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
			yajl_val v = json_parse(bad[i], strlen(bad[i]), err, sizeof err);

			ok(v == NULL, "json_parse refuses %s (%s)", bad[i], err);
			if (v)
				yajl_tree_free(v);
		}
	}
}

static int
reader_of(const char *text, size_t cap, struct msg_reader **r)
{
	int fd[2];

	if (pipe(fd) != 0)
		return -1;
	if (write(fd[1], text, strlen(text)) != (ssize_t)strlen(text))
		return -1;
	close(fd[1]);
	*r = msg_reader_new(fd[0], "test", cap);
	return fd[0];
}

static void
reader(void)
{
	struct msg_reader *r = NULL;
	struct msg m;
	int fd;
	char big[1100], deep[300];

	memset(deep, '[', sizeof deep - 1);
	deep[sizeof deep - 1] = '\0';
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	{
		char text[4096];

		snprintf(text, sizeof text,
		    "{\"type\":\"RECORD\",\"stream\":\"artists\",\"record\":{\"id\":\"1\"}}\n"
		    "\n"
		    "{\"type\":\"RECORD\",\"stream\":\"x\",\"record\":{\"big\":\"%s\"}}\n"
		    "{\"type\":\"STATE\",\"value\":{\"bookmarks\":{\"artists\":{\"offset\":5}}}}\n"
		    "not json\n"
		    "[1,2]\n"
		    "{\"type\":\"RECORD\",\"stream\":\"a\"}\n"
		    "{\"type\":\"RECORD\",\"stream\":\"a\",\"record\":{\"n\":\"\xc3\x28\"}}\n"
		    "%s\n"
		    "{\"type\":\"SCHEMA\",\"stream\":\"artists\",\"schema\":{}}",
		    big, deep);
		fd = reader_of(text, 1024, &r);
	}
	ok(msg_read(r, &m) == MSG_OK && m.type == MSG_RECORD && strcmp(m.stream, "artists") == 0 &&
	    strcmp(json_str(json_member(m.record, "id")), "1") == 0 && m.lineno == 1,
	    "a RECORD, line 1");
	ok(msg_read(r, &m) == MSG_BAD && m.lineno == 3 && m.truncated &&
	    strstr(msg_reader_error(r), "record cap"), "a line over the cap is bad, line 3 (%s)",
	    msg_reader_error(r));
	ok(msg_read(r, &m) == MSG_OK && m.type == MSG_STATE && m.lineno == 4 &&
	    msg_bookmark(m.value, "artists") != NULL, "the line after it is read whole: STATE, line 4");
	ok(msg_read(r, &m) == MSG_BAD && m.lineno == 5 && strstr(msg_reader_error(r), "not JSON"),
	    "not JSON, line 5");
	ok(msg_read(r, &m) == MSG_BAD && strstr(msg_reader_error(r), "not a JSON object"),
	    "an array is not a message");
	ok(msg_read(r, &m) == MSG_BAD && strstr(msg_reader_error(r), "without a \"record\""),
	    "a RECORD without a record");
	ok(msg_read(r, &m) == MSG_BAD && strstr(msg_reader_error(r), "not JSON"),
	    "invalid UTF-8 is bad, not a crash");
	ok(msg_read(r, &m) == MSG_BAD && strstr(msg_reader_error(r), "nested deeper"),
	    "deep nesting is bad, not a crash (%s)", msg_reader_error(r));
	ok(msg_read(r, &m) == MSG_OK && m.type == MSG_SCHEMA && m.lineno == 10,
	    "a last line without a newline, line 10");
	ok(msg_read(r, &m) == MSG_EOF, "then the end");
	msg_reader_free(r);
	close(fd);
}

/* A line of 200 MiB with a cap of 1 MiB: refused, memory flat, the next line whole. */
static void
huge_line(void)
{
	int fd[2];
	struct msg_reader *r;
	struct msg m;
	long before, after;
	int rc1, rc2;

	if (pipe(fd) != 0) {
		ok(0, "pipe");
		return;
	}
	if (fork() == 0) {
		static char chunk[65536];
		const char *next = "\n{\"type\":\"STATE\",\"value\":{}}\n";
		const char *head = "{\"type\":\"RECORD\",\"x\":\"";

		close(fd[0]);
		memset(chunk, 'x', sizeof chunk);
		if (write(fd[1], head, strlen(head)) < 0)
			_exit(1);
		for (int i = 0; i < 3200; i++)
			if (write(fd[1], chunk, sizeof chunk) < 0)
				_exit(1);
		if (write(fd[1], next, strlen(next)) < 0)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	before = peak_rss_kb();
	r = msg_reader_new(fd[0], "pipe", 1 << 20);
	rc1 = msg_read(r, &m);
	ok(rc1 == MSG_BAD && m.truncated && m.lineno == 1, "a 200 MiB line over a 1 MiB cap is refused");
	rc2 = msg_read(r, &m);
	ok(rc2 == MSG_OK && m.type == MSG_STATE && m.lineno == 2, "the next line is read whole");
	after = peak_rss_kb();
	msg_reader_free(r);
	close(fd[0]);
	while (wait(NULL) > 0)
		;
#ifdef __SANITIZE_ADDRESS__
	(void)before;
	(void)after;
	printf("ok %d - a huge line: memory # SKIP under AddressSanitizer\n", ++tap_n);
#else
	ok(after - before < 4096, "memory stays bounded by the cap (peak grew %ld KiB)", after - before);
#endif
}

/*
 * Four processes write 2,000 lines each into one pipe through their own
 * writers; every line read back must be whole.
 */
static void
concurrent_writers(void)
{
	int fd[2], bad = 0, lines = 0;
	char line[600];
	FILE *in;

	if (pipe(fd) != 0) {
		ok(0, "pipe");
		return;
	}
	for (int k = 0; k < 4; k++) {
		if (fork() == 0) {
			struct msg_writer *w;
			struct buf b;

			close(fd[0]);
			w = msg_writer_new(fd[1]);
			buf_init(&b);
			for (int i = 0; i < 2000; i++) {
				buf_reset(&b);
				buf_printf(&b, "{\"w\":%d,\"i\":%d,\"pad\":\"", k, i);
				for (int j = 0; j < (i * 7 + k * 13) % 500; j++)
					buf_addc(&b, 'a' + k);
				buf_adds(&b, "\"}");
				msg_write(w, b.data, b.len);
			}
			_exit(msg_writer_free(w) != 0);
		}
	}
	close(fd[1]);
	in = fdopen(fd[0], "r");
	while (fgets(line, sizeof line, in)) {
		int w, i, n;
		char *pad = strstr(line, "\"pad\":\"");

		lines++;
		if (sscanf(line, "{\"w\":%d,\"i\":%d,%n", &w, &i, &n) != 2 || pad == NULL) {
			bad++;
			continue;
		}
		pad += 7;
		for (int j = 0; j < (i * 7 + w * 13) % 500; j++)
			if (pad[j] != 'a' + w)
				bad++;
		if (strcmp(pad + (i * 7 + w * 13) % 500, "\"}\n") != 0)
			bad++;
	}
	fclose(in);
	while (wait(NULL) > 0)
		;
	ok(lines == 8000 && bad == 0, "4 concurrent writers: %d lines read, %d broken", lines, bad);
}

static void
mappings(void)
{
	struct prov_ctx c = { PROV_SPOTIFY, "tracks", NULL, -1 };
	struct buf b;
	struct jw w;
	const char *why;
	char err[128], d1[PROV_DERIVED_LEN], d2[PROV_DERIVED_LEN];
	yajl_val v;

	buf_init(&b);
	jw_init(&w, &b);
	v = json_parse("{\"added_at\":\"x\",\"track\":{\"name\":\"No id\"}}", strlen("{\"added_at\":\"x\",\"track\":{\"name\":\"No id\"}}"), err, sizeof err);
	ok(v && prov_map(&c, v, &w, &why) == -1 && b.len == 0 && why != NULL,
	    "a Spotify track without an id is not a record and writes nothing");
	yajl_tree_free(v);
	c.provider = PROV_GENERIC;
	v = json_parse("{\"id\":12,\"name\":\"n\",\"provider\":\"x\"}", strlen("{\"id\":12,\"name\":\"n\",\"provider\":\"x\"}"), err, sizeof err);
	ok(v && prov_map(&c, v, &w, &why) == 0, "a generic item with an id maps");
	is_str(b.data, "{\"provider\":\"generic\",\"id\":\"12\",\"name\":\"n\"}",
	    "generic: provider and a text id first, the rest as is");
	yajl_tree_free(v);
	buf_reset(&b);
	jw_init(&w, &b);
	v = json_parse("{\"name\":\"n\"}", strlen("{\"name\":\"n\"}"), err, sizeof err);
	ok(v && prov_map(&c, v, &w, &why) == -1 && b.len == 0, "a generic item without an id is not");
	yajl_tree_free(v);
	prov_derived_id(d1, " The Band ", "Album");
	prov_derived_id(d2, "the band", "album");
	is_str(d1, d2, "derived ids ignore case and outer space");
	prov_derived_id(d2, "the band", "albu");
	ok(strcmp(d1, d2) != 0, "and differ with the names");
	buf_free(&b);
}

int
main(void)
{
	numbers();
	times();
	writer();
	reader();
	huge_line();
	concurrent_writers();
	mappings();
	return done_testing();
}
