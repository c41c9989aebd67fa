/*
 * url.h: the few URL operations fetch-pages needs, on strings. Every function
 * returning char * returns a new allocation the caller frees.
 */
#ifndef FETCH_URL_H
#define FETCH_URL_H

#include <stddef.h>

/* "scheme://host[:port]" of an absolute URL into out; -1 when url is not absolute. */
int url_origin(const char *url, char *out, size_t outlen);
/* 1 when a and b are absolute URLs of the same origin (url_origin), else 0. */
int url_same_origin(const char *a, const char *b);
/* The host of an absolute URL (without port or brackets) into out; -1 if none. */
int url_host(const char *url, char *out, size_t outlen);
/* 1 when the URL is http:// (not https) to a host other than loopback. */
int url_plain_remote(const char *url);
/* ref resolved against base: absolute refs as they are, "/path" on base's origin. */
char *url_resolve(const char *base, const char *ref);
/* A query parameter's value (not decoded), or NULL. */
char *url_param(const char *url, const char *name);
/* The URL with name=value set (replacing every name=, or appended). */
char *url_set_param(const char *url, const char *name, const char *value);
/* The URL without any name= parameter. */
char *url_del_param(const char *url, const char *name);
/*
 * The URL without credentials: no user:password@, no access_token, token,
 * api_key, key or client_secret parameter, nor the one named by url_secret.
 */
char *url_clean(const char *url);
/* One more parameter name that url_clean removes (a profile's auth_param). */
void url_secret(const char *name);

#endif
