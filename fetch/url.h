/*
 * url.h: the few URL operations fetch-pages needs, on strings. Every function
 * returning char * returns a new allocation the caller frees.
 *
 * Origins are read with libcurl's own URL parser (curl_url), the parser that
 * later connects: a URL cannot look like one host here and reach another
 * there. A URL curl cannot parse has no origin, and a URL without an origin
 * is never resolved, compared equal or sent anything.
 */
#ifndef FETCH_URL_H
#define FETCH_URL_H

#include <stddef.h>

/*
 * "scheme://host:port" of an absolute URL into out, lower case, the port
 * always written (the scheme's default when the URL has none, leading zeros
 * gone); -1 when url is not an absolute URL curl accepts, or out is too small.
 */
int url_origin(const char *url, char *out, size_t outlen);
/* 1 when both URLs have an origin and it is the same; 0 otherwise. */
int url_same_origin(const char *a, const char *b);
/* The host of an absolute URL (without port or brackets) into out; -1 if none. */
int url_host(const char *url, char *out, size_t outlen);
/*
 * 1 when the URL is http:// (not https) to a host other than loopback
 * (localhost, 127.0.0.0/8 as an address, ::1), or has no origin.
 */
int url_plain_remote(const char *url);
/*
 * ref resolved against base: an absolute ref as it is, "/path" and
 * "path" on base's origin. NULL when the result would not be on base's
 * origin (another host, scheme or port, a "//host" reference) or either
 * has none: the one place every link is resolved, so no token follows a
 * link off its origin.
 */
char *url_resolve(const char *base, const char *ref);
/*
 * An absolute URL's path and query moved onto base's origin (a bookmark
 * made against another address of the same API); a relative ref as
 * url_resolve does it. NULL when ref cannot be parsed or the result is
 * not on base's origin.
 */
char *url_rebase(const char *base, const char *ref);
/* A query parameter's value (not decoded), or NULL. */
char *url_param(const char *url, const char *name);
/* The URL with name=value set (replacing every name=, or appended). */
char *url_set_param(const char *url, const char *name, const char *value);
/* The URL without any name= parameter. */
char *url_del_param(const char *url, const char *name);
/*
 * The URL without credentials: no user:password@, no access_token, token,
 * api_key, key or client_secret parameter, nor the one named by url_secret,
 * whatever the case of their names.
 */
char *url_clean(const char *url);
/* One more parameter name that url_clean removes (a profile's auth_param). */
void url_secret(const char *name);

#endif
