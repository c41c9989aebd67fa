#include "url.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "util.h"

/* Where the authority of an absolute URL starts and ends (after "://", before the path). */
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

int
url_origin(const char *url, char *out, size_t outlen)
{
	const char *a, *e, *at;
	size_t slen;
	int n;

	if (authority(url, &a, &e) != 0)
		return -1;
	/* drop user:password@ */
	at = memchr(a, '@', (size_t)(e - a));
	slen = (size_t)(strstr(url, "://") - url);
	if (at)
		a = at + 1;
	n = snprintf(out, outlen, "%.*s://%.*s", (int)slen, url, (int)(e - a), a);
	for (char *p = out; *p && p < out + slen; p++)
		*p = (char)tolower((unsigned char)*p);
	for (char *p = out + slen + 3; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
url_same_origin(const char *a, const char *b)
{
	char oa[512], ob[512];

	return url_origin(a, oa, sizeof oa) == 0 && url_origin(b, ob, sizeof ob) == 0 &&
	    strcmp(oa, ob) == 0;
}

int
url_host(const char *url, char *out, size_t outlen)
{
	const char *a, *e, *at, *colon;
	size_t n;

	if (authority(url, &a, &e) != 0)
		return -1;
	if ((at = memchr(a, '@', (size_t)(e - a))) != NULL)
		a = at + 1;
	if (*a == '[') {
		a++;
		colon = memchr(a, ']', (size_t)(e - a));
	} else {
		colon = memchr(a, ':', (size_t)(e - a));
	}
	n = (size_t)((colon ? colon : e) - a);
	if (n == 0 || n >= outlen)
		return -1;
	memcpy(out, a, n);
	out[n] = '\0';
	return 0;
}

int
url_plain_remote(const char *url)
{
	char host[256];

	if (strncasecmp(url, "http://", 7) != 0)
		return 0;
	if (url_host(url, host, sizeof host) != 0)
		return 1;
	return !(strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0 ||
	    strcasecmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0);
}

char *
url_resolve(const char *base, const char *ref)
{
	char origin[1024];
	const char *a, *e;
	struct buf b;

	if (authority(ref, &a, &e) == 0 || url_origin(base, origin, sizeof origin) != 0)
		return xstrdup(ref);
	buf_init(&b);
	buf_adds(&b, origin);
	if (ref[0] != '/')
		buf_addc(&b, '/');
	buf_adds(&b, ref);
	return b.data;
}

/* Calls fn for each name=value of the query, with pointers into url. */
static const char *
query_of(const char *url)
{
	const char *q = strchr(url, '?');

	return q ? q + 1 : NULL;
}

static int
param_is(const char *p, const char *name)
{
	size_t n = strlen(name);

	return strncmp(p, name, n) == 0 && (p[n] == '=' || p[n] == '&' || p[n] == '\0' ||
	    p[n] == '#');
}

char *
url_param(const char *url, const char *name)
{
	const char *p = query_of(url), *v;
	size_t n;

	while (p && *p && *p != '#') {
		if (param_is(p, name)) {
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

/* The URL with every name= parameter dropped; value non-NULL appends name=value. */
static char *
rebuild(const char *url, const char *name, const char *value)
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
			if (end == p || param_is(p, name))
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
	return rebuild(url, name, value);
}

char *
url_del_param(const char *url, const char *name)
{
	return rebuild(url, name, NULL);
}

static const char *extra_secret;

void
url_secret(const char *name)
{
	extra_secret = name;
}

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
		char *p = url_param(u, secret[i]);

		if (p == NULL)
			continue;
		free(p);
		v = url_del_param(u, secret[i]);
		free(u);
		u = v;
	}
	return u;
}
