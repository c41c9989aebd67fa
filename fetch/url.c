#include "url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "util.h"

/* Which parts of an absolute http(s) URL curl sees; each NULL if absent. */
struct parts {
	char *scheme, *host, *port, *path, *query;
};

static void
parts_free(struct parts *p)
{
	curl_free(p->scheme);
	curl_free(p->host);
	curl_free(p->port);
	curl_free(p->path);
	curl_free(p->query);
	memset(p, 0, sizeof *p);
}

/*
 * Parses url as curl will when it connects. 0 for an absolute http or https
 * URL with a host; -1 for anything else (relative, another scheme, junk).
 * default_port asks for the scheme's port when the URL gives none.
 */
static int
parts_of(const char *url, struct parts *p, int default_port)
{
	CURLU *u = curl_url();
	int rc = -1;

	memset(p, 0, sizeof *p);
	if (url == NULL || u == NULL) {
		curl_url_cleanup(u);
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &p->scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &p->host, 0) != CURLUE_OK ||
	    (strcasecmp(p->scheme, "http") != 0 && strcasecmp(p->scheme, "https") != 0) ||
	    p->host[0] == '\0')
		goto out;
	if (curl_url_get(u, CURLUPART_PORT, &p->port, default_port ? CURLU_DEFAULT_PORT : 0) !=
	    CURLUE_OK)
		p->port = NULL;
	if (curl_url_get(u, CURLUPART_PATH, &p->path, 0) != CURLUE_OK)
		p->path = NULL;
	if (curl_url_get(u, CURLUPART_QUERY, &p->query, 0) != CURLUE_OK)
		p->query = NULL;
	for (char *c = p->scheme; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (char *c = p->host; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	rc = 0;
out:
	curl_url_cleanup(u);
	if (rc != 0)
		parts_free(p);
	return rc;
}

int
url_origin(const char *url, char *out, size_t outlen)
{
	struct parts p;
	int n;

	if (parts_of(url, &p, 1) != 0)
		return -1;
	n = snprintf(out, outlen, "%s://%s:%s", p.scheme, p.host, p.port ? p.port : "");
	parts_free(&p);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
url_same_origin(const char *a, const char *b)
{
	char oa[1024], ob[1024];

	return url_origin(a, oa, sizeof oa) == 0 && url_origin(b, ob, sizeof ob) == 0 &&
	    strcmp(oa, ob) == 0;
}

int
url_host(const char *url, char *out, size_t outlen)
{
	struct parts p;
	const char *h;
	size_t n;
	int rc = -1;

	if (parts_of(url, &p, 0) != 0)
		return -1;
	h = p.host;
	n = strlen(h);
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (n > 0 && n < outlen) {
		memcpy(out, h, n);
		out[n] = '\0';
		rc = 0;
	}
	parts_free(&p);
	return rc;
}

/* localhost, an IPv4 address in 127.0.0.0/8, or ::1; never a name that begins "127.". */
static int
loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

int
url_plain_remote(const char *url)
{
	char host[256];

	if (strncasecmp(url, "https://", 8) == 0)
		return url_host(url, host, sizeof host) != 0;
	if (url_host(url, host, sizeof host) != 0)
		return 1;
	return !loopback(host);
}

/* "scheme://host[:port]" of base as curl reads it (the port only when given). */
static char *
prefix_of(const char *base)
{
	struct parts p;
	struct buf b;

	if (parts_of(base, &p, 0) != 0)
		return NULL;
	buf_init(&b);
	buf_printf(&b, "%s://%s", p.scheme, p.host);
	if (p.port)
		buf_printf(&b, ":%s", p.port);
	parts_free(&p);
	return b.data;
}

char *
url_resolve(const char *base, const char *ref)
{
	struct parts p;
	struct buf b;
	char *pre;

	if (ref == NULL)
		return NULL;
	if (parts_of(ref, &p, 0) == 0) {
		/* rebuilt from what curl read: no user@, no fragment */
		parts_free(&p);
		return url_same_origin(ref, base) ? url_rebase(base, ref) : NULL;
	}
	if ((pre = prefix_of(base)) == NULL)
		return NULL;
	buf_init(&b);
	if (ref[0] == '/' && ref[1] == '/') {
		/* a network-path reference names its own host */
		buf_add(&b, pre, strcspn(pre, ":"));
		buf_addc(&b, ':');
	} else {
		buf_adds(&b, pre);
		if (ref[0] != '/')
			buf_addc(&b, '/');
	}
	buf_adds(&b, ref);
	free(pre);
	if (!url_same_origin(b.data, base)) {
		free(b.data);
		return NULL;
	}
	return b.data;
}

char *
url_rebase(const char *base, const char *ref)
{
	struct parts p;
	struct buf b;
	char *r;

	if (parts_of(ref, &p, 0) != 0)
		return url_resolve(base, ref);
	buf_init(&b);
	buf_adds(&b, p.path ? p.path : "/");
	if (p.query)
		buf_printf(&b, "?%s", p.query);
	parts_free(&p);
	r = url_resolve(base, b.data);
	free(b.data);
	return r;
}
/* Calls fn for each name=value of the query, with pointers into url. */
static const char *
query_of(const char *url)
{
	const char *q = strchr(url, '?');

	return q ? q + 1 : NULL;
}

/* Whether the parameter at p is name; any case when nocase is set. */
static int
param_is(const char *p, const char *name, int nocase)
{
	size_t n = strlen(name);

	return (nocase ? strncasecmp(p, name, n) : strncmp(p, name, n)) == 0 &&
	    (p[n] == '=' || p[n] == '&' || p[n] == '\0' || p[n] == '#');
}

char *
url_param(const char *url, const char *name)
{
	const char *p = query_of(url), *v;
	size_t n;

	while (p && *p && *p != '#') {
		if (param_is(p, name, 0)) {
			v = p + strlen(name);
			if (*v == '=')
				v++;
			n = strcspn(v, "&#");
			return xstrndup(v, n);
		}
		p = strchr(p, '&');
		if (p)
			p++;
	}
	return NULL;
}

/*
 * The URL with every name= parameter dropped (any case of name when nocase);
 * value non-NULL appends name=value.
 */
static char *
rebuild(const char *url, const char *name, const char *value, int nocase)
{
	const char *q = strchr(url, '?'), *p, *end, *frag;
	struct buf b;
	int first = 1;

	buf_init(&b);
	frag = strchr(url, '#');
	buf_add(&b, url, q ? (size_t)(q - url) : frag ? (size_t)(frag - url) : strlen(url));
	if (q) {
		for (p = q + 1; *p && *p != '#'; p = *end == '&' ? end + 1 : end) {
			end = p + strcspn(p, "&#");
			if (end == p || param_is(p, name, nocase))
				continue;
			buf_addc(&b, first ? '?' : '&');
			buf_add(&b, p, (size_t)(end - p));
			first = 0;
		}
	}
	if (value) {
		buf_addc(&b, first ? '?' : '&');
		buf_printf(&b, "%s=%s", name, value);
	}
	if (frag)
		buf_adds(&b, frag);
	return b.data;
}

char *
url_set_param(const char *url, const char *name, const char *value)
{
	return rebuild(url, name, value, 0);
}

char *
url_del_param(const char *url, const char *name)
{
	return rebuild(url, name, NULL, 0);
}

static const char *extra_secret;

void
url_secret(const char *name)
{
	extra_secret = name;
}

/* Where the authority of a URL-like string starts and ends, by its text. */
static int
authority(const char *url, const char **start, const char **end)
{
	const char *p = strstr(url, "://");

	if (p == NULL || p == url)
		return -1;
	for (const char *q = url; q < p; q++)
		if (!isalpha((unsigned char)*q) && *q != '+' && *q != '-' && *q != '.')
			return -1;
	*start = p + 3;
	*end = *start + strcspn(*start, "/?#");
	return 0;
}

/*
 * By text, not by curl: a string curl refuses (a log line, a broken next
 * link) is still cleaned before it is printed.
 */
char *
url_clean(const char *url)
{
	const char *secret[] = { "access_token", "token", "api_key", "key", "client_secret",
		extra_secret };
	const char *a, *e, *at;
	char *u, *v;

	if (authority(url, &a, &e) == 0 && (at = memchr(a, '@', (size_t)(e - a))) != NULL) {
		struct buf b;

		buf_init(&b);
		buf_add(&b, url, (size_t)(a - url));
		buf_adds(&b, at + 1);
		u = b.data;
	} else {
		u = xstrdup(url);
	}
	for (size_t i = 0; i < sizeof secret / sizeof *secret && secret[i]; i++) {
		v = rebuild(u, secret[i], NULL, 1);
		free(u);
		u = v;
	}
	return u;
}
