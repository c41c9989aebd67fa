/*
 * util.h: the helpers every crate tool shares.
 *
 * Messages for people go to stderr as one line "PROGRAM: message". These are
 * not err(3)'s functions: none adds errno's text (give strerror() yourself),
 * and warn() is muted by -q.
 *   die()  prints and exits with the given status;
 *   say()  prints always: errors and final summaries;
 *   warn() prints a warning about the input unless -q was given (util_quiet);
 *   note() prints progress and information unless -q; the same line as warn(),
 *          another intent (one helper prints both).
 * util_progname must be set first (util_init(argv[0]) or cli_init does it).
 */
#ifndef CRATE_UTIL_H
#define CRATE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* Exit statuses shared by every tool (doc/stages.md; the values of sysexits.h). */
enum {
	EXIT_REJECTS = 1,	/* validate: something was rejected */
	EXIT_USAGE = 64,	/* bad command line */
	EXIT_DATAERR = 65,	/* the provider's data cannot be understood */
	EXIT_NOINPUT = 66,	/* store: not one message arrived */
	EXIT_SOFTWARE = 70,	/* internal error */
	EXIT_IOERR = 74,	/* input/output error: full disk, database I/O */
	EXIT_TEMPFAIL = 75,	/* partial but resumable */
	EXIT_NOPERM = 77	/* authentication */
};

/* The default cap on one record (a line, or one item of a page): 16 MiB. */
#define RECORD_CAP_DEFAULT ((size_t)16 << 20)

extern const char *util_progname;
extern int util_quiet;

void util_init(const char *argv0);

void die(int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* warn() that is printed even under -q: for final summaries and errors. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The status channel. Under sync-library, CRATE_STATUS_FD names an open
 * descriptor (a pipe) that receives a stage's progress instead of stderr, as
 * lines "PROGRAM<TAB>KEY<TAB>EVENT<TAB>TEXT" (KEY a stream or bookmark key;
 * tabs and control characters in TEXT become spaces). Each line is one
 * write(2) shorter than PIPE_BUF, so stages sharing the pipe never interleave.
 * Returns 1 when the line went there, 0 when there is no channel (the caller
 * then tells stderr as usual).
 */
int status_channel(void);	/* 1 when CRATE_STATUS_FD names an open descriptor */
int status_event(const char *key, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A message that is progress rather than news: under sync-library an EVENT of
 * the status channel for KEY, else fn("%s: " FMT, KEY, ...) on stderr as ever.
 */
#define tell(fn, key, event, fmt, ...) do { \
	if (!status_event((key), (event), fmt, __VA_ARGS__)) \
		fn("%s: " fmt, (key), __VA_ARGS__); \
} while (0)

/* Allocation that cannot fail: on exhaustion they die with EXIT_SOFTWARE. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/*
 * Checked number parsing. Each returns 0 and stores the value on success, -1 on
 * junk, an empty string, a sign where none is allowed, or overflow. Nothing is
 * stored on failure.
 *   parse_ll: a decimal integer in [min, max].
 *   parse_size: a byte count with an optional suffix k, K, m, M, g, G (powers of 1024).
 *   parse_seconds: a non-negative duration, a decimal number with an optional unit
 *     ms, s, m or h (no unit: seconds); stored in milliseconds.
 */
int parse_ll(const char *s, long long min, long long max, long long *out);
int parse_size(const char *s, size_t *out);
int parse_seconds(const char *s, long long *out_ms);

/* Die with EXIT_USAGE naming the option ("-P", "--limit") when arg is not a number. */
long long opt_ll(const char *opt, const char *arg, long long min, long long max);
size_t opt_size(const char *opt, const char *arg);
long long opt_ms(const char *opt, const char *arg);

/*
 * The command line: one shape for every tool's main() (after OpenBSD's usage()).
 *
 *	cli_init(argv, usage);
 *	while ((ch = getopt_long(argc, argv, "qh...", longopts, NULL)) != -1)
 *		switch (ch) {
 *		...
 *		case 'h': cli_help();	(the usage on stdout, exit 0)
 *		default: cli_usage();	(getopt has said why; the usage on stderr, exit 64)
 *		}
 *
 * usage is the man page's SYNOPSIS: "usage: prog [-q] ...\n", any further lines
 * indented under the first. cli_init names the program (util_init) and gives
 * argv[0] the bare name, so that getopt's own complaints read
 * "fetch-pages: unrecognized option '--x'", not "fetch/fetch-pages: ...".
 * For a usage error of its own, a tool says() why and then calls cli_usage().
 */
void cli_init(char *argv[], const char *usage);
void cli_help(void) __attribute__((noreturn));
void cli_usage(void) __attribute__((noreturn));

/*
 * ISO 8601 times in UTC, always "YYYY-MM-DDTHH:MM:SSZ" (20 characters and a NUL).
 * iso8601_parse accepts that form, fractional seconds, and offsets (+HH:MM, +HHMM),
 * and also a bare date YYYY-MM-DD (midnight UTC); it returns -1 on anything else.
 */
#define ISO8601_LEN 21
void iso8601_format(time_t t, char out[ISO8601_LEN]);
int iso8601_parse(const char *s, time_t *out);
/*
 * The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * form, no surrogate, nothing past U+10FFFF), at most end - p; 0 when none.
 */
size_t utf8_seq_len(const unsigned char *p, const unsigned char *end);
/* The current time in the same form. */
void iso8601_now(char out[ISO8601_LEN]);
/*
 * The precision of a release date: "year" (YYYY), "month" (YYYY-MM) or "day"
 * (YYYY-MM-DD), or NULL when s is NULL, none of these, or not a real date
 * (year 0, month 13, February 30; February 29 only in leap years).
 */
const char *date_precision(const char *s);

/* Milliseconds of a monotonic clock, for rates and timeouts. */
long long mono_ms(void);
/*
 * Text someone else wrote (a provider's error, a name from a STATE) made safe
 * for a terminal, in place: C0 controls, DEL and UTF-8's C1 controls (CSI is
 * U+009B) become repl, so nothing moves the cursor or starts a forged line.
 * s may be NULL.
 */
void text_printable(char *s, char repl);

/*
 * Checks stdout on the way out: flushes and closes it, and dies with EXIT_IOERR
 * naming the error when a write failed (a full disk, a broken pipe).
 */
void stdout_close_or_die(void);
/* Dies with EXIT_IOERR: "write error on standard output: <strerror(err)>". */
void stdout_write_error(int err) __attribute__((noreturn));

#endif
