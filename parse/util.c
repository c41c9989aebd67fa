#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

const char *util_progname = "crate";
int util_quiet;

void
util_init(const char *argv0)
{
	const char *slash;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	slash = strrchr(argv0, '/');
	util_progname = slash ? slash + 1 : argv0;
}

static const char *cli_usage_text = "";

void
cli_init(char *argv[], const char *usage)
{
	char *slash;

	if (argv[0] != NULL && (slash = strrchr(argv[0], '/')) != NULL && slash[1] != '\0')
		argv[0] = slash + 1;	/* getopt's messages name argv[0] */
	util_init(argv[0]);
	cli_usage_text = usage;
}

void
cli_help(void)
{
	fputs(cli_usage_text, stdout);
	stdout_close_or_die();
	exit(0);
}

void
cli_usage(void)
{
	fputs(cli_usage_text, stderr);
	exit(EXIT_USAGE);
}

/* One fprintf of the whole line, so that concurrent stages do not interleave words. */
static void
vsay(const char *fmt, va_list ap)
{
	char line[4096];
	int n;

	n = snprintf(line, sizeof line, "%s: ", util_progname);
	if (n < 0)
		return;
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	fprintf(stderr, "%s\n", line);
}

void
die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	exit(status);
}

/* warn() and note(): vsay() unless -q. */
static void
vsay_unless_quiet(const char *fmt, va_list ap)
{
	if (!util_quiet)
		vsay(fmt, ap);
}

void
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay_unless_quiet(fmt, ap);
	va_end(ap);
}

void
note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay_unless_quiet(fmt, ap);
	va_end(ap);
}

void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

static int status_fd = -2;	/* -2: CRATE_STATUS_FD not read yet; -1: none */

int
status_channel(void)
{
	const char *e;
	long long v;

	if (status_fd == -2) {
		status_fd = -1;
		e = getenv("CRATE_STATUS_FD");
		if (e && parse_ll(e, 0, INT_MAX, &v) == 0 && fcntl((int)v, F_GETFD) != -1)
			status_fd = (int)v;
	}
	return status_fd >= 0;
}

int
status_event(const char *key, const char *event, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	size_t i, n, head;

	if (!status_channel())
		return 0;
	n = (size_t)snprintf(line, sizeof line, "%s\t%s\t%s\t", util_progname, key, event);
	if (n >= sizeof line - 2)
		return 0;
	head = n;
	va_start(ap, fmt);
	vsnprintf(line + head, sizeof line - 1 - head, fmt, ap);
	va_end(ap);
	n = strlen(line);
	/* the key and event are ours; only tabs and newlines of TEXT would break the line */
	for (i = head; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = ' ';
	line[n++] = '\n';
	if (write(status_fd, line, n) != (ssize_t)n) {
		status_fd = -1;
		return 0;
	}
	return 1;
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die(EXIT_SOFTWARE, "out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		die(EXIT_SOFTWARE, "out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		die(EXIT_SOFTWARE, "out of memory (%zu bytes)", n);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
parse_ll(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v, mult = 1;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		mult = 1ULL << 10;
		end++;
		break;
	case 'm': case 'M':
		mult = 1ULL << 20;
		end++;
		break;
	case 'g': case 'G':
		mult = 1ULL << 30;
		end++;
		break;
	default:
		return -1;
	}
	if (*end != '\0' || v > SIZE_MAX / mult)
		return -1;
	*out = (size_t)(v * mult);
	return 0;
}

int
parse_seconds(const char *s, long long *out_ms)
{
	char *end;
	double v, mult = 1000;

	if (s == NULL || !(isdigit((unsigned char)*s) || *s == '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s)
		return -1;
	if (strcmp(end, "ms") == 0)
		mult = 1;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		mult = 1000;
	else if (strcmp(end, "m") == 0)
		mult = 60 * 1000;
	else if (strcmp(end, "h") == 0)
		mult = 3600 * 1000;
	else
		return -1;
	v *= mult;
	if (!(v >= 0) || v > 1e15)
		return -1;
	*out_ms = (long long)(v + 0.5);
	return 0;
}

long long
opt_ll(const char *opt, const char *arg, long long min, long long max)
{
	long long v;

	if (parse_ll(arg, min, max, &v) != 0)
		die(EXIT_USAGE, "%s: '%s' is not a number in %lld..%lld", opt, arg, min, max);
	return v;
}

size_t
opt_size(const char *opt, const char *arg)
{
	size_t v;

	if (parse_size(arg, &v) != 0 || v == 0)
		die(EXIT_USAGE, "%s: '%s' is not a size (bytes, or a number with K, M or G)", opt, arg);
	return v;
}

long long
opt_ms(const char *opt, const char *arg)
{
	long long v;

	if (parse_seconds(arg, &v) != 0)
		die(EXIT_USAGE, "%s: '%s' is not a duration (seconds, or a number with ms, s, m or h)",
		    opt, arg);
	return v;
}

void
iso8601_format(time_t t, char out[ISO8601_LEN])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, ISO8601_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(out, "1970-01-01T00:00:00Z");
}

void
iso8601_now(char out[ISO8601_LEN])
{
	iso8601_format(time(NULL), out);
}

/* n decimal digits at *sp into *out, *sp moved past them; -1 when they are not. */
static int
digits(const char **sp, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*sp)[i]))
			return -1;
		v = v * 10 + ((*sp)[i] - '0');
	}
	*sp += n;
	*out = v;
	return 0;
}

/* The longest month of each (February's leap day included). */
static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

const char *
date_precision(const char *s)
{
	int y, m, d;
	size_t n = s ? strlen(s) : 0;

	if (n < 4 || digits(&s, 4, &y) || y == 0)
		return NULL;
	if (n == 4)
		return "year";
	if (*s++ != '-' || n < 7 || digits(&s, 2, &m) || m < 1 || m > 12)
		return NULL;
	if (n == 7)
		return "month";
	if (n != 10 || *s++ != '-' || digits(&s, 2, &d) || d < 1 || d > mdays[m - 1])
		return NULL;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return NULL;
	return "day";
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static long long
days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
iso8601_parse(const char *s, time_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0, oh = 0, om = 0, sign = 0;

	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' ||
	    digits(&s, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return -1;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi))
			return -1;
		if (*s == ':') {
			s++;
			if (digits(&s, 2, &se))
				return -1;
			if (*s == '.' || *s == ',') {
				s++;
				if (!isdigit((unsigned char)*s))
					return -1;
				while (isdigit((unsigned char)*s))
					s++;
			}
		}
		if (h > 23 || mi > 59 || se > 60)
			return -1;
		if (*s == 'Z' || *s == 'z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			sign = *s++ == '-' ? -1 : 1;
			if (digits(&s, 2, &oh))
				return -1;
			if (*s == ':')
				s++;
			if (digits(&s, 2, &om) || oh > 23 || om > 59)
				return -1;
		} else {
			return -1;
		}
	}
	if (*s != '\0')
		return -1;
	*out = (time_t)(days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + se -
	    sign * (oh * 3600 + om * 60));
	return 0;
}

long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
stdout_close_or_die(void)
{
	int err = 0;

	if (fflush(stdout) != 0 || ferror(stdout))
		err = errno ? errno : EIO;
	if (fclose(stdout) != 0 && err == 0)
		err = errno;
	if (err != 0)
		stdout_write_error(err);
}

void
stdout_write_error(int err)
{
	die(EXIT_IOERR, "write error on standard output: %s", strerror(err));
}

void
text_printable(char *s, char repl)
{
	for (unsigned char *p = (unsigned char *)s; p && *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*p = (unsigned char)repl;
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			p[0] = p[1] = (unsigned char)repl;
	}
}

/* The length of the valid UTF-8 sequence at p, or 0 when it is not one. */
size_t
utf8_seq_len(const unsigned char *p, const unsigned char *end)
{
	size_t n, i;
	unsigned min, cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2, min = 0x80, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3, min = 0x800, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4, min = 0x10000, cp = p[0] & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}
