/*
 * Unit tests of fetch-pages' URL strings (fetch/url.c): credentials never
 * left in a URL that is printed or stored, origins, and next links resolved
 * against the base URL.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "url.h"

/* is_str on a new allocation, then frees it. */
#define is_url(got, want, ...) do { \
	char *u_ = (got); \
	is_str(u_, want, __VA_ARGS__); \
	free(u_); \
} while (0)

static void
clean(void)
{
	is_url(url_clean("https://user:pw@api.example.com/v1/me?limit=5"),
	    "https://api.example.com/v1/me?limit=5", "url_clean drops user:password@");
	is_url(url_clean("https://api.deezer.com/user/me/tracks?access_token=SECRET&index=25"),
	    "https://api.deezer.com/user/me/tracks?index=25", "url_clean drops access_token");
	is_url(url_clean("https://h/p?token=a&limit=2&api_key=b&key=c&client_secret=d"),
	    "https://h/p?limit=2", "url_clean drops token, api_key, key and client_secret");
	is_url(url_clean("https://h/p?access_token=a&x=1&access_token=b"), "https://h/p?x=1",
	    "url_clean drops a secret given twice");
	is_url(url_clean("https://h/p?access_token=a#top"), "https://h/p#top",
	    "url_clean keeps the fragment");
	is_url(url_clean("https://h/p?tokens=1&keys=2"), "https://h/p?tokens=1&keys=2",
	    "url_clean keeps parameters that only start like a secret");
	is_url(url_clean("https://h/u/@me?limit=1"), "https://h/u/@me?limit=1",
	    "url_clean keeps an @ in the path");
	is_url(url_clean("/v1/me?access_token=a&offset=2"), "/v1/me?offset=2",
	    "url_clean cleans a relative link too");
	is_url(url_clean("https://h/p?Access_Token=a&TOKEN=b&x=1"), "https://h/p?x=1",
	    "url_clean drops secrets whatever the case of their names");
	is_url(url_clean("https://h/p?sig=s&a=1"), "https://h/p?sig=s&a=1",
	    "url_clean keeps a parameter no one named secret");
	url_secret("sig");
	is_url(url_clean("https://h/p?sig=s&a=1"), "https://h/p?a=1",
	    "url_clean drops the parameter named by url_secret");
}

static void
origins(void)
{
	char o[64];

	ok(url_origin("HTTPS://API.Example.com:8443/v1?x=1", o, sizeof o) == 0 &&
	    strcmp(o, "https://api.example.com:8443") == 0, "url_origin: scheme, host, port, lower case");
	ok(url_origin("https://user:pw@h.example/p", o, sizeof o) == 0 &&
	    strcmp(o, "https://h.example:443") == 0, "url_origin leaves out user:password@");
	ok(url_origin("https://h.example", o, sizeof o) == 0 &&
	    strcmp(o, "https://h.example:443") == 0,
	    "url_origin of a URL without a path, with the scheme's port");
	ok(url_same_origin("http://h.example:80/a", "http://h.example/b"),
	    "same origin: the default port written or not");
	ok(url_origin("ftp://h.example/", o, sizeof o) == -1 &&
	    url_origin("http://h.example/a b", o, sizeof o) == -1,
	    "url_origin: only http and https URLs curl accepts have one");
	ok(url_origin("/v1/me", o, sizeof o) == -1, "url_origin of a relative link is -1");
	ok(url_origin("https://a-very-long-host-name.example.com/", o, 16) == -1,
	    "url_origin past the buffer is -1");

	ok(url_same_origin("https://api.x.com/v1/me", "https://api.x.com/v1/me/tracks?offset=2"),
	    "same origin: paths differ");
	ok(url_same_origin("https://API.x.com/a", "https://api.x.com/b"),
	    "same origin: host case differs");
	ok(!url_same_origin("https://api.x.com/", "https://api.x.com:8443/"),
	    "another origin: another port");
	ok(!url_same_origin("https://api.x.com/", "http://api.x.com/"),
	    "another origin: another scheme");
	ok(!url_same_origin("https://api.x.com/", "https://api.x.com.evil.example/"),
	    "another origin: a host that only starts alike");
	ok(!url_same_origin("https://api.x.com/", "https://evil.example/?https://api.x.com/"),
	    "another origin: the first origin in the query");
	ok(!url_same_origin("/v1/me", "/v1/me"), "relative links have no origin");

	ok(!url_plain_remote("https://api.x.com/"), "https is not plain");
	ok(url_plain_remote("http://api.x.com/"), "http to another host is plain remote");
	ok(!url_plain_remote("http://127.0.0.1:8080/") && !url_plain_remote("http://localhost/") &&
	    !url_plain_remote("http://[::1]:80/"), "http to loopback is not remote");
	ok(url_plain_remote("http://127.0.0.1.evil.example/") &&
	    url_plain_remote("http://127.evil.example/"),
	    "a host name that begins with 127. is not loopback");
	ok(!url_plain_remote("http://127.5.6.7/"), "127.0.0.0/8 is loopback");
}

static void
resolve(void)
{
	const char *base = "https://api.x.com/v1/me";

	is_url(url_resolve(base, "https://api.x.com/v1/me/tracks?offset=50"),
	    "https://api.x.com/v1/me/tracks?offset=50", "url_resolve: absolute, as it is");
	is_url(url_resolve(base, "https://other.example/p?x=1"), NULL,
	    "url_resolve: absolute on another origin is refused");
	is_url(url_resolve(base, "//other.example/p"), NULL,
	    "url_resolve: a //host reference on another origin is refused");
	is_url(url_resolve(base, "https://u@api.x.com/v1/x#f"), "https://api.x.com/v1/x",
	    "url_resolve: absolute on the origin, without user@ or fragment");
	is_url(url_resolve(base, "/v1/me/library/songs?offset=25"),
	    "https://api.x.com/v1/me/library/songs?offset=25", "url_resolve: root-relative");
	is_url(url_resolve(base, "v1/me/tracks?offset=2"), "https://api.x.com/v1/me/tracks?offset=2",
	    "url_resolve: relative, from the origin's root");
	is_url(url_resolve("https://u:pw@api.x.com/v1", "/next"), "https://api.x.com/next",
	    "url_resolve: no user:password@ from the base");
	is_url(url_resolve("/not/absolute", "/next"), NULL,
	    "url_resolve: a base without origin resolves nothing");
	is_url(url_resolve(base, NULL), NULL, "url_resolve: no link, nothing");
}

/* Bookmarks come from --state, the database or a spool: anyone may have written them. */
static void
rebase(void)
{
	const char *base = "http://127.0.0.1:9/v1";
	char *u, o[1024], big[700];

	is_url(url_rebase(base, "http://127.0.0.1:5555/v1/me/tracks?offset=50&limit=50"),
	    "http://127.0.0.1:9/v1/me/tracks?offset=50&limit=50",
	    "url_rebase moves a bookmark's link onto the base's origin");
	is_url(url_rebase(base, "http://uuuu@zhttp://127.0.0.1:9999/x"), NULL,
	    "url_rebase: a user@ that hides another absolute URL is refused");
	is_url(url_rebase(base, "/v1/me/tracks?offset=2"), "http://127.0.0.1:9/v1/me/tracks?offset=2",
	    "url_rebase: a root-relative link");
	u = url_rebase(base, "http://127.0.0.1:0000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000009999/x");
	ok(u == NULL || url_same_origin(u, base), "url_rebase: a port with leading zeros stays home");
	free(u);
	u = url_resolve(base, "http://127.0.0.1:00000000000000000000000000000000000009999/x");
	ok(u == NULL, "url_resolve: leading zeros do not make another port the same");
	free(u);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "http://", 7);
	ok(url_origin(big, o, 64) == -1, "url_origin: an origin past the buffer is -1");
	u = url_resolve(base, big);
	ok(u == NULL, "url_resolve: a link whose origin cannot be read is refused");
	free(u);
}

/* Hostile spellings of a host (tests/cli/attack.t's brief): curl's reading decides. */
static void
hostile(void)
{
	const char *base = "http://127.0.0.1:9/v1";

	ok(!url_plain_remote("http://2130706433/") && !url_plain_remote("http://0177.0.0.1/") &&
	    !url_plain_remote("http://0x7f.1/"),
	    "decimal, octal and hex spellings of 127.0.0.1 are loopback, as curl connects there");
	ok(url_plain_remote("http://127.0.0.1./") && url_plain_remote("http://localhost./"),
	    "a trailing dot is another name: not loopback");
	ok(url_plain_remote("http://[::ffff:127.0.0.1]/"), "an IPv4-mapped IPv6 address is not loopback");
	ok(url_plain_remote("http://127.0.0.1:80@evil.example/") &&
	    url_plain_remote("http://127.0.0.1\\@evil.example/"),
	    "a loopback user@ before another host is that other host");
	is_url(url_resolve(base, "http://127.0.0.1.:9/x"), NULL,
	    "url_resolve: a trailing dot on the host is another origin");
	is_url(url_resolve(base, "http://[::1]:9/x"), NULL, "url_resolve: ::1 is another origin than 127.0.0.1");
	is_url(url_resolve(base, "http://2130706433:9/x"), "http://127.0.0.1:9/x",
	    "url_resolve: 127.0.0.1 spelt as a number is the same origin, as curl reads it");
	is_url(url_resolve(base, "HTTP://127.0.0.1:09/x"), "http://127.0.0.1:9/x",
	    "url_resolve: an upper-case scheme and a zero-padded port");
	is_url(url_resolve(base, "http://127.0.0.1:9@evil.example/x"), NULL,
	    "url_resolve: a host:port@ user part before another host is refused");
	is_url(url_resolve(base, "//127.0.0.1:9@evil.example/x"), NULL,
	    "url_resolve: the same as a //host reference is refused");
	is_url(url_resolve(base, "http:/evil.example/x"), NULL,
	    "url_resolve: http:/host (one slash) is refused");
	is_url(url_resolve(base, "http://127.0.0.1:9/x\r\nHost: evil"), NULL,
	    "url_resolve: CR LF in a link is refused");
	is_url(url_resolve(base, "http://127.0.0.1:9/..//evil.example/x"), NULL,
	    "url_resolve: dot segments that leave a //host path are refused");
	is_url(url_resolve(base, "@evil.example/x"), "http://127.0.0.1:9/@evil.example/x",
	    "url_resolve: a relative @host stays a path on the base");
}

static void
params(void)
{
	char *v;

	v = url_param("https://h/p?limit=5&offset=10#f", "offset");
	is_str(v, "10", "url_param reads a value");
	free(v);
	v = url_param("https://h/p?limits=5", "limit");
	ok(v == NULL, "url_param does not take a longer name");
	free(v);
	is_url(url_set_param("https://h/p?offset=1&limit=5", "offset", "51"),
	    "https://h/p?limit=5&offset=51", "url_set_param replaces");
	is_url(url_set_param("https://h/p", "limit", "50"), "https://h/p?limit=50",
	    "url_set_param adds the first parameter");
	is_url(url_del_param("https://h/p?a=1&b=2&a=3", "a"), "https://h/p?b=2",
	    "url_del_param drops every one");
}

int
main(void)
{
	clean();
	origins();
	resolve();
	rebase();
	hostile();
	params();
	return done_testing();
}
