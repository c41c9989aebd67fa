/*
 * fetch-pages: page through a provider's library API and write Singer
 * messages: SCHEMA, the RECORDs of each page as its body arrives, and a STATE
 * after every page. The last STATE says complete:true only after a verified
 * enumeration (DESIGN.md section 4).
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "json.h"
#include "msg.h"
#include "page.h"
#include "prov.h"
#include "providers.h"
#include "url.h"
#include "util.h"

#define MAX_BACKOFF 16
#define MAX_PASSES 3
#define MAX_429 50
#define RECENT 64
#define PAR_DRIFT (-1)		/* parallel_pages: the list moved, walk again */
#define PAR_SHORT (-2)		/* parallel_pages: a page came short, go on in order */
#define SKIPPED_KEY "\001skipped"	/* the key of an item over the cap */

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: fetch-pages [-q] [--raw] [-p provider] [--base-url url] [--profile file]\n"
	    "                   [--token-file file] [--token-cmd command] [--user-token-file file]\n"
	    "                   [--state json] [--since time] [-P n] [--limit n] [--rate n]\n"
	    "                   [--max-wait time] [--backoff list] [--timeout time]\n"
	    "                   [--connect-timeout time] [-m size] [--max-body size]\n"
	    "                   [--sync-id id] stream\n"
	    "       fetch-pages [options] [--items path] [--paging link|page|offset] --url url\n");
	exit(status);
}

/* ---- options and shared state ---- */

static struct {
	const struct provider *prov;
	int prov_id;		/* the mapping (prov.h) */
	char *base_url;
	int raw;
	const char *state_json;
	const char *since;
	int workers;
	int limit;
	double rate;
	long long max_wait_ms;
	long long backoff_ms[MAX_BACKOFF];
	int nbackoff;
	long long timeout_ms, connect_timeout_ms;
	size_t cap, max_body;
	const char *sync_id;
	const char *token_file, *token_cmd, *user_token_file;
} opt;

static char *token, *user_token;
static pthread_mutex_t token_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned token_generation;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static struct msg_writer *out;
static volatile sig_atomic_t stopping;
static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;
static long long next_request_ms;
static yajl_val state_root;
static char now_iso[ISO8601_LEN];

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Sleeps ms milliseconds, or less when a signal asks to stop; returns -1 then. */
static int
nap(long long ms)
{
	struct timespec ts;

	while (ms > 0 && !stopping) {
		long long step = ms < 100 ? ms : 100;

		ts.tv_sec = step / 1000;
		ts.tv_nsec = (step % 1000) * 1000000L;
		nanosleep(&ts, NULL);
		ms -= step;
	}
	return stopping ? -1 : 0;
}

static void
write_line(const char *line, size_t len)
{
	if (msg_write(out, line, len) != 0)
		die(EXIT_IOERR, "write error on standard output: %s", strerror(errno));
}

/* ---- tokens ---- */

static char *
first_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);

	if (n <= 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n == 0) {
		free(line);
		return NULL;
	}
	return line;
}

static char *
token_from_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *t;

	if (f == NULL)
		die(EXIT_USAGE, "%s: %s", path, strerror(errno));
	t = first_line(f);
	fclose(f);
	if (t == NULL)
		die(EXIT_NOPERM, "%s: no token in the file", path);
	return t;
}

/* Runs --token-cmd; the first line of its output is the token. */
static char *
token_from_cmd(void)
{
	FILE *p = popen(opt.token_cmd, "r");
	char *t;
	int st;

	if (p == NULL)
		die(EXIT_SOFTWARE, "--token-cmd: %s", strerror(errno));
	t = first_line(p);
	st = pclose(p);
	if (st != 0 || t == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

static void
load_tokens(void)
{
	const char *env;

	if (opt.token_file)
		token = token_from_file(opt.token_file);
	else if ((env = getenv("CRATE_TOKEN")) != NULL && *env)
		token = xstrdup(env);
	else if (opt.token_cmd && (token = token_from_cmd()) == NULL)
		die(EXIT_NOPERM, "--token-cmd gave no token");
	if (opt.user_token_file)
		user_token = token_from_file(opt.user_token_file);
	else if ((env = getenv("CRATE_MUSIC_USER_TOKEN")) != NULL && *env)
		user_token = xstrdup(env);
	if (token == NULL && opt.prov->auth != AUTH_NONE && strcmp(opt.prov->name, "generic") != 0)
		die(EXIT_USAGE, "no token: give --token-file, CRATE_TOKEN or --token-cmd");
}

/*
 * After a 401: the token of generation gen failed. Runs --token-cmd once for
 * that failure (a worker that sees an older generation just retries with the
 * newer token). Returns 0 when there is a new token to try.
 */
static int
refresh_token(unsigned gen)
{
	char *t;
	int rc = 0;

	pthread_mutex_lock(&token_lock);
	if (gen == token_generation) {
		if (opt.token_cmd == NULL || (t = token_from_cmd()) == NULL) {
			rc = -1;
		} else {
			free(token);
			token = t;
			token_generation++;
			if (!status_event("-", "note", "token refreshed with --token-cmd"))
				note("token refreshed with --token-cmd");
		}
	}
	pthread_mutex_unlock(&token_lock);
	return rc;
}

/* ---- one list walk: a stream, or one playlist's entries ---- */

struct walk {
	/* what */
	const char *stream;
	char key[300];			/* the bookmark key */
	const char *playlist_id;
	const char *snapshot_id;
	const struct endpoint *ep;
	char *first_url;

	/* progress: what the bookmark holds */
	char sync_id[64];
	int incremental;
	char *next;			/* the next page as the provider gave it, or NULL */
	long long offset;		/* the first new item of the next page */
	long long fetched;		/* items emitted in this pass */
	long long total;		/* -1: unknown */
	long long pages;
	int pass;
	char last_key[512];		/* the identity of the last item emitted */
	char throttled_until[ISO8601_LEN];
	const char *error;
	int complete, forbidden;
	int fell_back;			/* the endpoint's fallback path is in use */
	long long pass_pages;		/* pages of this pass (page-number paging) */
	int sequential;			/* -P found short pages: no more parallel */

	/* the page in flight */
	long status;
	long long page_offset;		/* the offset requested */
	int overlap;			/* the first item should be last_key */
	int drift, since_reached, emitting;
	size_t page_new;
	char page_last[512];
	char *link_next;
	char retry_after[128];
	size_t body_bytes;
	int body_over;
	int page_bad;
	char why[512];			/* what went wrong with the last request */
	char first_key[512];		/* the page's first item (parallel pages) */
	int parallel;			/* -P: the overlap is judged after the fetch */

	/* the worker's tools */
	CURL *curl;
	struct page *page;
	struct buf line;		/* one message being built */
	struct buf held;		/* lines held back until the page's STATE (workers) */
	int hold;
	unsigned long recent[RECENT];	/* hashes of recent next URLs: loops */
	int nrecent;
};

static void
emit(struct walk *w, const char *line, size_t len)
{
	if (w->hold) {
		buf_add(&w->held, line, len);
		buf_addc(&w->held, '\n');
		return;
	}
	pthread_mutex_lock(&out_lock);
	write_line(line, len);
	pthread_mutex_unlock(&out_lock);
}

static void
emit_schema(struct walk *w)
{
	struct jw j;

	buf_reset(&w->line);
	jw_init(&j, &w->line);
	msg_schema(&j, w->stream);
	emit(w, w->line.data, w->line.len);
}

/* The STATE after a page (or at a stop): everything to resume after it. */
static void
emit_state(struct walk *w)
{
	struct jw j;
	char *clean;

	buf_reset(&w->line);
	jw_init(&j, &w->line);
	jw_obj(&j);
	jw_kstr(&j, "type", "STATE");
	jw_key(&j, "value");
	jw_obj(&j);
	jw_key(&j, "bookmarks");
	jw_obj(&j);
	jw_key(&j, w->key);
	jw_obj(&j);
	jw_kstr(&j, "provider", prov_name(opt.prov_id));
	jw_kstr(&j, "stream", w->stream);
	jw_kstr(&j, "sync_id", w->sync_id);
	jw_kstr(&j, "mode", w->incremental ? "incremental" : "full");
	if (w->playlist_id)
		jw_kstr(&j, "playlist_id", w->playlist_id);
	if (w->snapshot_id)
		jw_kstr(&j, "snapshot_id", w->snapshot_id);
	clean = w->next ? url_clean(w->next) : NULL;
	jw_kstr(&j, "next", clean);
	free(clean);
	jw_kint(&j, "offset", w->offset);
	jw_kint(&j, "fetched", w->fetched);
	jw_key(&j, "total");
	if (w->total >= 0)
		jw_int(&j, w->total);
	else
		jw_null(&j);
	jw_kint(&j, "pages", w->pages);
	jw_kint(&j, "pass", w->pass);
	jw_kstr(&j, "last_key", w->last_key[0] ? w->last_key : NULL);
	if (w->throttled_until[0])
		jw_kstr(&j, "throttled_until", w->throttled_until);
	if (w->forbidden)
		jw_kbool(&j, "forbidden", 1);
	if (w->error)
		jw_kstr(&j, "error", w->error);
	jw_kbool(&j, "complete", w->complete);
	jw_obj_end(&j);
	jw_obj_end(&j);
	jw_obj_end(&j);
	jw_obj_end(&j);

	pthread_mutex_lock(&out_lock);
	if (w->held.len > 0) {
		/* whole lines, each its own message */
		char *p = w->held.data, *end = p + w->held.len, *nl;

		for (; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			write_line(p, (size_t)(nl - p));
		}
		buf_reset(&w->held);
	}
	write_line(w->line.data, w->line.len);
	if (msg_flush(out) != 0)
		die(EXIT_IOERR, "write error on standard output: %s", strerror(errno));
	pthread_mutex_unlock(&out_lock);
}

/* ---- the page's items ---- */

static int
on_item(void *arg, struct page *p, const struct page_item *it)
{
	struct walk *w = arg;
	struct prov_ctx ctx;
	struct jw j;
	const char *why;
	char key[512], added[32];

	(void)p;
	if (w->status < 200 || w->status > 299 || !w->emitting)
		return 0;
	/* an item that could not be read has no identity but this */
	if (it->error)
		snprintf(key, sizeof key, "%s", SKIPPED_KEY);
	else if (prov_item_key(opt.prov_id, it->value, key, sizeof key) != 0)
		key[0] = '\0';
	if (w->overlap && it->index == 0) {
		/* the item before this page, fetched again: it must not have moved */
		if (w->parallel) {
			snprintf(w->first_key, sizeof w->first_key, "%s", key);
			return 0;
		}
		if (strcmp(key, w->last_key) != 0) {
			w->drift = 1;
			return 1;
		}
		return 0;
	}
	if (it->error) {
		warn("%s: offset %lld: item skipped: %s", w->key,
		    w->page_offset + (long long)it->index, it->error);
		w->page_new++;
		snprintf(w->page_last, sizeof w->page_last, "%s", key);
		return 0;
	}
	if (opt.since && prov_item_added(opt.prov_id, it->value, added) == 0) {
		time_t a, s;

		if (iso8601_parse(added, &a) == 0 && iso8601_parse(opt.since, &s) == 0 && a < s) {
			w->since_reached = 1;
			return 1;
		}
	}
	buf_reset(&w->line);
	jw_init(&j, &w->line);
	msg_record_open(&j, w->stream);
	if (opt.raw) {
		jw_value(&j, it->value);
	} else {
		ctx.provider = opt.prov_id;
		ctx.stream = w->stream;
		ctx.playlist_id = w->playlist_id;
		ctx.position = w->page_offset + (long long)it->index;
		if (prov_map(&ctx, it->value, &j, &why) != 0) {
			warn("%s: offset %lld: item skipped: %s", w->key, ctx.position, why);
			w->page_new++;
			snprintf(w->page_last, sizeof w->page_last, "%s", key);
			return 0;
		}
	}
	jw_kstr(&j, "time_extracted", now_iso);
	if (opt.raw && w->playlist_id) {
		jw_key(&j, "context");
		jw_obj(&j);
		jw_kstr(&j, "playlist_id", w->playlist_id);
		jw_kint(&j, "position", w->page_offset + (long long)it->index);
		jw_obj_end(&j);
	}
	jw_obj_end(&j);
	emit(w, w->line.data, w->line.len);
	w->page_new++;
	snprintf(w->page_last, sizeof w->page_last, "%s", key);
	return 0;
}

/* ---- HTTP ---- */

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct walk *w = arg;
	size_t len = size * n;

	if (w->status == 0)
		curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &w->status);
	if (w->status >= 300 && w->status <= 399)
		return len;	/* a redirect's body: request() follows the Location */
	w->body_bytes += len;
	if (w->body_bytes > opt.max_body) {
		w->body_over = 1;
		return 0;
	}
	if (page_feed(w->page, data, len) != 0) {
		w->page_bad = 1;
		return 0;
	}
	return len;
}

static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct walk *w = arg;
	size_t len = size * n, k;
	char *v, *lt, *gt;

	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* a new response (after a redirect or 100-continue): forget the last one's */
		w->retry_after[0] = '\0';
		free(w->link_next);
		w->link_next = NULL;
		return len;
	}
	if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
		v = data + 12;
		while (*v == ' ' || *v == '\t')
			v++;
		k = (size_t)(data + len - v);
		while (k > 0 && (v[k - 1] == '\r' || v[k - 1] == '\n' || v[k - 1] == ' '))
			k--;
		if (k >= sizeof w->retry_after)
			k = sizeof w->retry_after - 1;
		memcpy(w->retry_after, v, k);
		w->retry_after[k] = '\0';
	} else if (len > 5 && strncasecmp(data, "Link:", 5) == 0) {
		/* Link: <url>; rel="next", <url>; rel="last" */
		struct buf hdr;
		char *p;

		buf_init(&hdr);
		buf_add(&hdr, data + 5, len - 5);
		for (p = hdr.data; (lt = strchr(p, '<')) != NULL; p = v + k + 1) {
			int last;

			if ((gt = strchr(lt, '>')) == NULL)
				break;
			v = gt + 1;
			k = strcspn(v, ",");
			last = v[k] == '\0';
			v[k] = '\0';	/* this link's parameters only (hdr is a copy) */
			if (strstr(v, "rel=\"next\"") || strstr(v, "rel=next")) {
				free(w->link_next);
				w->link_next = xstrndup(lt + 1, (size_t)(gt - lt - 1));
				break;
			}
			if (last)
				break;
		}
		buf_free(&hdr);
	}
	return len;
}

static int
on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)arg, (void)a, (void)b, (void)c, (void)d;
	return stopping ? 1 : 0;
}

static void
setup_curl(struct walk *w)
{
	CURL *c = curl_easy_init();

	if (c == NULL)
		die(EXIT_SOFTWARE, "curl_easy_init failed");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "crate-fetch-pages/1.0");
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* redirects are followed by request(), which decides where credentials go */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)opt.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)opt.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, w);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	w->curl = c;
}

/* Waits for the next request slot under --rate. */
static int
rate_wait(void)
{
	long long now, wait = 0;

	if (opt.rate <= 0)
		return 0;
	pthread_mutex_lock(&rate_lock);
	now = mono_ms();
	if (next_request_ms > now)
		wait = next_request_ms - now;
	next_request_ms = (next_request_ms > now ? next_request_ms : now) +
	    (long long)(1000.0 / opt.rate);
	pthread_mutex_unlock(&rate_lock);
	return nap(wait);
}

enum outcome {
	OK,
	EMPTY,		/* 404 at offset 0: an empty collection */
	RETRY,		/* transient: back off and retry */
	THROTTLED,	/* 429: wait Retry-After */
	AUTH,		/* 401 */
	FORBIDDEN,	/* 403 */
	FATAL,		/* the provider's answer cannot be used */
	STOPPED,	/* a signal, or the walk decided (drift, --since) */
	GAVE_UP		/* retries exhausted */
};


/* The URL of a page's request: the page's URL with the limit and the fixed parameters. */
static char *
request_url(struct walk *w, const char *url)
{
	char num[32], *u = xstrdup(url), *v;
	const struct endpoint *ep = w->ep;

	if (ep->limit_param && opt.limit > 0) {
		/* Apple drops limit (and include) from its next links: put them back */
		snprintf(num, sizeof num, "%d", opt.limit);
		v = url_set_param(u, ep->limit_param, num);
		free(u);
		u = v;
	}
	if (ep->query && strchr(u, '?') != NULL) {
		char *q = xstrdup(ep->query), *save = NULL, *kv;

		for (kv = strtok_r(q, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(kv, '='), *have;

			if (eq == NULL)
				continue;
			*eq = '\0';
			if ((have = url_param(u, kv)) == NULL) {
				v = url_set_param(u, kv, eq + 1);
				free(u);
				u = v;
			}
			free(have);
		}
		free(q);
	}
	return u;
}

/*
 * The first page of a fresh walk, where "nothing here" (Apple's 404, Deezer's
 * code 800) means an empty collection. Anywhere else the list was seen to
 * exist, and the same answer is a failure to retry, never an empty list.
 */
static int
fresh_start(const struct walk *w)
{
	return w->page_offset == 0 && w->fetched == 0 && w->pages == 0 && w->pass == 1 &&
	    w->total < 0;
}

static int
same_origin(const char *a, const char *b)
{
	char oa[512], ob[512];

	return url_origin(a, oa, sizeof oa) == 0 && url_origin(b, ob, sizeof ob) == 0 &&
	    strcmp(oa, ob) == 0;
}

/*
 * One HTTP exchange at url, with the credentials when creds is set. The token
 * and its generation are read together, so that a 401 refreshes the token that
 * was actually sent. Returns curl's code; the walk's page fields say the rest.
 */
static CURLcode
perform(struct walk *w, const char *url, int creds, unsigned *gen)
{
	struct curl_slist *h = NULL;
	char hdr[8300], *full = NULL, *esc;
	CURLcode rc;

	w->status = 0;
	w->retry_after[0] = '\0';
	free(w->link_next);
	w->link_next = NULL;
	w->body_bytes = 0;
	w->body_over = w->page_bad = 0;
	w->drift = w->since_reached = 0;
	w->page_new = 0;
	w->page_last[0] = '\0';
	w->first_key[0] = '\0';
	w->emitting = 1;
	/* lines held back belong to this page only: a failed attempt's go */
	buf_reset(&w->held);
	page_reset(w->page);

	pthread_mutex_lock(&token_lock);
	*gen = token_generation;
	if (creds && opt.prov->auth == AUTH_QUERY && token) {
		esc = curl_easy_escape(NULL, token, 0);
		full = url_set_param(url, opt.prov->auth_param, esc ? esc : "");
		curl_free(esc);
	}
	if (creds && opt.prov->auth == AUTH_BEARER && token) {
		snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", token);
		h = curl_slist_append(h, hdr);
	}
	if (creds && opt.prov->user_token && user_token) {
		snprintf(hdr, sizeof hdr, "Music-User-Token: %s", user_token);
		h = curl_slist_append(h, hdr);
	}
	pthread_mutex_unlock(&token_lock);
	memset(hdr, 0, sizeof hdr);
	h = curl_slist_append(h, "Accept: application/json");
	curl_easy_setopt(w->curl, CURLOPT_URL, full ? full : url);
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, h);
	rc = curl_easy_perform(w->curl);
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(h);
	if (full) {
		memset(full, 0, strlen(full));
		free(full);
	}
	curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &w->status);
	return rc;
}

/*
 * One request for the page at url; fills w's page fields and says what
 * happened. Redirects are followed here, not by curl: curl keeps custom
 * headers (Apple's Music-User-Token) on a redirect to another host. The
 * credentials go only to the origin first asked, and never over plain http
 * except to loopback.
 */
static enum outcome
request(struct walk *w, const char *url, unsigned *gen)
{
	char *full, *clean, *msg, *loc;
	CURLcode rc;
	long long code;
	const char *s;
	int creds = 1, hop, have;

	pthread_mutex_lock(&token_lock);
	have = token != NULL || user_token != NULL;
	pthread_mutex_unlock(&token_lock);
	full = request_url(w, url);
	for (hop = 0;; hop++) {
		clean = url_clean(full);
		if (creds && have && url_plain_remote(full)) {
			snprintf(w->why, sizeof w->why, "refusing to send credentials over plain http: %s",
			    clean);
			free(full);
			free(clean);
			return FATAL;
		}
		if (rate_wait() != 0) {
			free(full);
			free(clean);
			return STOPPED;
		}
		rc = perform(w, full, creds, gen);
		loc = NULL;
		if (rc == CURLE_OK && w->status >= 300 && w->status <= 399 && hop < 5 &&
		    curl_easy_getinfo(w->curl, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc) {
			char *next = xstrdup(loc);

			if (!same_origin(next, full)) {
				/* another origin: no token goes there, not even in the query */
				char *v = opt.prov->auth == AUTH_QUERY ?
				    url_del_param(next, opt.prov->auth_param) : xstrdup(next);

				free(next);
				next = v;
				creds = 0;
			}
			free(full);
			free(clean);
			full = next;
			continue;
		}
		break;
	}
	free(full);

	if (stopping) {
		free(clean);
		return STOPPED;
	}
	if (w->drift || w->since_reached) {
		free(clean);
		return STOPPED;
	}
	if (w->body_over) {
		snprintf(w->why, sizeof w->why, "%s: body larger than --max-body (%zu bytes)", clean,
		    opt.max_body);
		free(clean);
		return FATAL;
	}
	if (rc != CURLE_OK && !w->page_bad) {
		snprintf(w->why, sizeof w->why, "%s: %s", clean, curl_easy_strerror(rc));
		free(clean);
		return RETRY;
	}
	if (!w->page_bad && page_finish(w->page) != 0)
		w->page_bad = 1;
	if (w->status == 429) {
		snprintf(w->why, sizeof w->why, "%s: HTTP 429", clean);
		free(clean);
		return THROTTLED;
	}
	/* Deezer answers errors with HTTP 200 and an error object */
	if (page_int(w->page, PAGE_ERROR_CODE, &code) == 0 && w->status == 200 &&
	    opt.prov_id == PROV_DEEZER) {
		s = page_str(w->page, PAGE_ERROR_MESSAGE);
		snprintf(w->why, sizeof w->why, "%s: error %lld: %s", clean, code, s ? s : "");
		free(clean);
		if (code == 4 || code == 700)	/* quota; service busy */
			return THROTTLED;
		if (code == 300 || code == 200)	/* invalid token; permission */
			return code == 300 ? AUTH : FORBIDDEN;
		if (code == 800 && fresh_start(w))	/* no data */
			return EMPTY;
		return FATAL;
	}
	if (w->status >= 200 && w->status <= 299) {
		if (w->page_bad) {
			snprintf(w->why, sizeof w->why, "%s: %s", clean, page_error(w->page));
			free(clean);
			return RETRY;
		}
		free(clean);
		return OK;
	}
	msg = (char *)page_str(w->page, PAGE_ERROR_MESSAGE);
	snprintf(w->why, sizeof w->why, "%s: HTTP %ld%s%s", clean, w->status, msg ? ": " : "",
	    msg ? msg : "");
	free(clean);
	switch (w->status) {
	case 401:
		return AUTH;
	case 403:
		return FORBIDDEN;
	case 404:
		if (fresh_start(w))
			return EMPTY;
		/* Apple answers 404 now and then in the middle of a list */
		return RETRY;
	case 408: case 500: case 502: case 503: case 504:
		return RETRY;
	default:
		return FATAL;
	}
}

/* How long a 429 asks to wait, in ms: Retry-After seconds or date, else the backoff. */
static long long
retry_after_ms(struct walk *w, int attempt)
{
	long long secs;
	time_t when;

	if (w->retry_after[0]) {
		if (parse_ll(w->retry_after, 0, 1LL << 40, &secs) == 0)
			return secs * 1000;
		if ((when = curl_getdate(w->retry_after, NULL)) != -1) {
			secs = (long long)(when - time(NULL));
			return secs > 0 ? secs * 1000 : 0;	/* a date in the past: now */
		}
	}
	return opt.backoff_ms[attempt < opt.nbackoff ? attempt : opt.nbackoff - 1];
}

static long long
jitter(long long ms)
{
	/* 75% to 125% of the delay, so that workers do not retry in step */
	return ms * (75 + rand() % 51) / 100;
}

static unsigned long
hash(const char *s)
{
	unsigned long h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/*
 * Fetches the page at url, waiting out rate limits, retrying transient
 * failures with backoff and refreshing the token as the options say. Returns
 * OK, EMPTY, STOPPED (a signal, or the walk's own stop: drift, --since), or
 * why it gave up: GAVE_UP, THROTTLED (a wait past --max-wait;
 * w->throttled_until says until when), AUTH, FORBIDDEN, FATAL. w->why says more.
 */
static enum outcome
fetch_page(struct walk *w, const char *url)
{
	int attempt = 0, throttles = 0, auth_retried = 0;
	unsigned gen = 0;
	enum outcome o;
	long long ms;

	for (;;) {
		o = request(w, url, &gen);
		switch (o) {
		case RETRY:
			if (attempt >= opt.nbackoff) {
				say("%s: giving up after %d retries: %s", w->key, attempt, w->why);
				return GAVE_UP;
			}
			ms = jitter(opt.backoff_ms[attempt++]);
			if (ms < 1000)
				tell(warn, w->key, "retry", "%s; retrying in %lld ms", w->why, ms);
			else
				tell(warn, w->key, "retry", "%s; retrying in %.1f s", w->why, ms / 1000.0);
			if (nap(ms) != 0)
				return STOPPED;
			continue;
		case THROTTLED:
			ms = retry_after_ms(w, throttles);
			if (ms > opt.max_wait_ms || throttles >= MAX_429) {
				iso8601_format(time(NULL) + (ms + 999) / 1000, w->throttled_until);
				say("%s: rate limited until %s (over --max-wait); run again then",
				    w->key, w->throttled_until);
				return THROTTLED;
			}
			throttles++;
			tell(say, w->key, "wait", "rate limited: waiting %lld s", (ms + 999) / 1000);
			if (nap(ms) != 0)
				return STOPPED;
			continue;
		case AUTH:
			if (auth_retried || refresh_token(gen) != 0) {
				say("%s: authentication failed: %s", w->key, w->why);
				return AUTH;
			}
			auth_retried = 1;
			continue;
		default:
			w->throttled_until[0] = '\0';
			return o;
		}
	}
}

static int parallel_pages(struct walk *w);
static char *list_url(const char *path, const struct endpoint *ep, const char *playlist);

/*
 * Fetches the list from w's bookmark on. Returns the exit status of the walk:
 * 0 complete, 75 partial, 77 authentication, 65 data.
 */
static int
walk(struct walk *w)
{
	enum outcome o;
	long long total, off, prev_offset;
	int rc;
	char *url, *next, num[32], *v;
	const char *nx;

	for (;;) {
		/* the page to ask for: with offsets, one item early to check the boundary */
		url = xstrdup(w->next ? w->next : w->first_url);
		w->page_offset = w->offset;
		w->overlap = 0;
		if (w->ep->paging == PAGING_OFFSET && w->offset > 0 && w->last_key[0]) {
			snprintf(num, sizeof num, "%lld", w->offset - 1);
			v = url_set_param(url, w->ep->offset_param, num);
			free(url);
			url = v;
			w->page_offset = w->offset - 1;
			w->overlap = 1;
		}
		o = fetch_page(w, url);
		free(url);

		switch (o) {
		case OK:
			break;
		case EMPTY:
			if (w->ep->fallback && !w->fell_back && w->status == 404) {
				/* an API without the newer path: the older one */
				w->fell_back = 1;
				free(w->first_url);
				w->first_url = list_url(w->ep->fallback, w->ep, w->playlist_id);
				free(w->next);
				w->next = NULL;
				tell(note, w->key, "note", "no %s here; trying %s", w->ep->path, w->ep->fallback);
				continue;
			}
			free(w->next);
			w->next = NULL;
			w->total = 0;
			w->complete = 1;
			w->pages++;
			emit_state(w);
			return 0;
		case GAVE_UP:
			w->error = "retries exhausted";
			emit_state(w);
			return EXIT_TEMPFAIL;
		case THROTTLED:
			emit_state(w);
			return EXIT_TEMPFAIL;
		case AUTH:
			return EXIT_NOPERM;
		case FORBIDDEN:
			if (w->playlist_id) {
				tell(warn, w->key, "forbidden", "the provider refuses this playlist (%s); skipped", w->why);
				w->forbidden = 1;
				free(w->next);
				w->next = NULL;
				emit_state(w);
				return 0;
			}
			say("%s: forbidden: %s", w->key, w->why);
			return EXIT_NOPERM;
		case FATAL:
			say("%s: %s", w->key, w->why);
			w->error = "the provider's answer cannot be used";
			emit_state(w);
			return EXIT_DATAERR;
		default:	/* STOPPED */
			if (stopping)
				goto stopped;
			break;	/* drift or --since: the page is judged below */
		}

		if (w->drift) {
			if (w->pass >= MAX_PASSES) {
				say("%s: the list keeps changing under the walk (%d passes); partial",
				    w->key, w->pass);
				w->error = "the list changed during every pass";
				emit_state(w);
				return EXIT_TEMPFAIL;
			}
			tell(warn, w->key, "note", "the list changed at offset %lld during the walk; walking it again "
			    "(pass %d of %d)", w->page_offset, w->pass + 1, MAX_PASSES);
			goto rewalk;
		}

		/* the page arrived whole */
		total = -1;
		if (page_int(w->page, PAGE_TOTAL, &total) != 0)
			page_int(w->page, PAGE_META_TOTAL, &total);
		if (total >= 0 && w->total >= 0 && total != w->total && !w->since_reached) {
			if (w->pass >= MAX_PASSES) {
				say("%s: the total keeps changing (%lld, then %lld); partial", w->key,
				    w->total, total);
				w->error = "the total changed during every pass";
				emit_state(w);
				return EXIT_TEMPFAIL;
			}
			warn("%s: the total changed from %lld to %lld during the walk; walking it "
			    "again (pass %d of %d)", w->key, w->total, total, w->pass + 1, MAX_PASSES);
			w->total = total;
			goto rewalk;
		}
		if (total >= 0)
			w->total = total;
		w->fetched += (long long)w->page_new;
		w->pages++;
		w->pass_pages++;
		if (w->page_last[0])
			memcpy(w->last_key, w->page_last, sizeof w->last_key);

		if (w->since_reached) {
			/* an incremental walk ends at the first item older than --since */
			free(w->next);
			w->next = NULL;
			w->complete = 1;
			emit_state(w);
			return 0;
		}

		nx = w->ep->paging == PAGING_LINK && w->link_next ? w->link_next :
		    page_str(w->page, PAGE_NEXT);
		if (nx == NULL && w->link_next)
			nx = w->link_next;
		prev_offset = w->offset;
		if (w->ep->paging == PAGING_PAGE) {
			/* page numbers: the next one until a page comes back empty */
			if (w->page_new == 0) {
				nx = NULL;
			} else {
				snprintf(num, sizeof num, "%lld", w->pass_pages + 1);
				v = url_set_param(w->next ? w->next : w->first_url,
				    w->ep->offset_param, num);
				free(w->next);
				w->next = v;
				w->offset = w->fetched;
				emit_state(w);
				continue;
			}
		}
		if (nx == NULL || *nx == '\0') {
			free(w->next);
			w->next = NULL;
			w->offset = w->fetched;
			w->complete = w->total < 0 || w->fetched == w->total;
			if (!w->complete) {
				if (w->pass >= MAX_PASSES) {
					say("%s: %lld items seen but the provider says %lld; partial",
					    w->key, w->fetched, w->total);
					w->error = "the count does not match the total";
					emit_state(w);
					return EXIT_TEMPFAIL;
				}
				tell(warn, w->key, "note", "%lld items seen but the provider says %lld; walking again "
				    "(pass %d of %d)", w->fetched, w->total, w->pass + 1,
				    MAX_PASSES);
				goto rewalk;
			}
			emit_state(w);
			return 0;
		}
		next = url_resolve(opt.base_url, nx);
		{
			char o1[512], o2[512];

			if (url_origin(next, o1, sizeof o1) != 0 ||
			    url_origin(opt.base_url, o2, sizeof o2) != 0 || strcmp(o1, o2) != 0) {
				char *c = url_clean(next);

				say("%s: refusing a next link to another origin: %s", w->key, c);
				free(c);
				free(next);
				w->error = "next link to another origin";
				emit_state(w);
				return EXIT_DATAERR;
			}
		}
		/* loops: an offset that does not advance, a next link seen before */
		if (w->ep->paging == PAGING_OFFSET) {
			v = url_param(next, w->ep->offset_param);
			if (v == NULL || parse_ll(v, 0, 1LL << 50, &off) != 0)
				off = w->fetched;
			free(v);
			if (off <= prev_offset) {
				say("%s: the next page does not advance (offset %lld after %lld): a loop",
				    w->key, off, prev_offset);
				free(next);
				w->error = "paging loop";
				emit_state(w);
				return EXIT_DATAERR;
			}
			w->offset = off;
		} else {
			unsigned long hsh = hash(next);

			for (int i = 0; i < w->nrecent && i < RECENT; i++)
				if (w->recent[i] == hsh) {
					char *c = url_clean(next);

					say("%s: the next link repeats (%s): a loop", w->key, c);
					free(c);
					free(next);
					w->error = "paging loop";
					emit_state(w);
					return EXIT_DATAERR;
				}
			w->recent[w->nrecent++ % RECENT] = hsh;
			w->offset = w->fetched;
		}
		if (w->total >= 0 && w->fetched > w->total + 2LL * w->ep->max_limit + 100) {
			say("%s: %lld items seen but the total is %lld: a loop", w->key, w->fetched,
			    w->total);
			free(next);
			w->error = "paging loop";
			emit_state(w);
			return EXIT_DATAERR;
		}
		free(w->next);
		w->next = next;
		emit_state(w);
		if (opt.workers > 1 && w->ep->paging == PAGING_OFFSET && w->ep->limit_param &&
		    w->total >= 0 && opt.since == NULL && w->playlist_id == NULL &&
		    w->last_key[0] && !w->sequential) {
			/* the total is known: the rest of the pages, N at a time, in order */
			if ((rc = parallel_pages(w)) >= 0)
				return rc;
			if (stopping)
				goto stopped;
			if (rc == PAR_SHORT) {
				/* a short page: the provider's next links from here on */
				w->sequential = 1;
				continue;
			}
			if (w->pass >= MAX_PASSES) {
				say("%s: the list keeps changing under the walk (%d passes); partial",
				    w->key, w->pass);
				w->error = "the list changed during every pass";
				emit_state(w);
				return EXIT_TEMPFAIL;
			}
			tell(warn, w->key, "note", "the list changed during the walk; walking it again (pass %d of %d)", w->pass + 1, MAX_PASSES);
			total = -1;
			goto rewalk;
		}
		continue;
rewalk:
		w->pass++;
		free(w->next);
		w->next = NULL;
		w->offset = 0;
		w->fetched = 0;
		w->last_key[0] = '\0';
		w->nrecent = 0;
		w->pass_pages = 0;
		w->total = -1;	/* the new pass takes the total of its first page */
		emit_state(w);
	}
stopped:
	say("%s: stopped by a signal; run the same command to resume", w->key);
	return EXIT_TEMPFAIL;
}

/* ---- starting a walk: from scratch or from a bookmark ---- */

static void
new_sync_id(char out[64])
{
	char iso[ISO8601_LEN];

	iso8601_now(iso);
	snprintf(out, 64, "%s-%ld-%04x", iso, (long)getpid(), (unsigned)(rand() & 0xffff));
}

/*
 * The bookmark of a walk in --state: under "bookmarks" or at the top keyed by
 * the walk's key, or the state itself when it is a bare bookmark (as
 * checkpoint get prints it) of this stream and playlist. A bare bookmark of
 * another stream or playlist is never taken: its next link would walk the
 * wrong list under this one's name.
 */
static yajl_val
bookmark_for(const char *key, const char *stream, const char *playlist)
{
	yajl_val b;
	const char *bs, *bp;

	if (state_root == NULL)
		return NULL;
	if ((b = msg_bookmark(state_root, key)) != NULL)
		return b;
	if ((b = json_member(state_root, key)) != NULL && b->type == yajl_t_object)
		return b;
	if (!json_member(state_root, "sync_id") || json_member(state_root, "bookmarks"))
		return NULL;
	bs = json_str(json_member(state_root, "stream"));
	bp = json_str(json_member(state_root, "playlist_id"));
	if (bs && strcmp(bs, stream) != 0)
		return NULL;
	if ((bp == NULL) != (playlist == NULL) || (bp && strcmp(bp, playlist) != 0))
		return NULL;
	return state_root;
}

/*
 * A next link from a bookmark, on the origin of this run's base URL: the
 * provider may be reached at another address than when the bookmark was made
 * (a simulator on a new port, a proxy), and the token goes only to the base.
 */
static char *
rebase(const char *next)
{
	char from[512], to[512];

	if (url_origin(next, from, sizeof from) != 0 ||
	    url_origin(opt.base_url, to, sizeof to) != 0 || strcmp(from, to) == 0)
		return url_resolve(opt.base_url, next);
	return url_resolve(opt.base_url, next + strlen(from));
}

/* The URL of a list's first page: the base URL, the path (with the playlist), the query. */
static char *
list_url(const char *path, const struct endpoint *ep, const char *playlist)
{
	struct buf u;
	const char *p;
	char *v;

	buf_init(&u);
	if (strstr(path, "://") == NULL)
		buf_adds(&u, opt.base_url);
	if (playlist && (p = strstr(path, "%s")) != NULL) {
		buf_add(&u, path, (size_t)(p - path));
		buf_adds(&u, playlist);
		buf_adds(&u, p + 2);
	} else {
		buf_adds(&u, path);
	}
	if (ep->query) {
		buf_addc(&u, strchr(u.data, '?') ? '&' : '?');
		buf_adds(&u, ep->query);
	}
	if (ep->paging == PAGING_PAGE && strstr(u.data, ep->offset_param) == NULL) {
		v = url_set_param(u.data, ep->offset_param, "1");
		buf_free(&u);
		return v;
	}
	return u.data;
}

static void
walk_init(struct walk *w, const char *stream, const struct endpoint *ep, const char *playlist,
    const char *snapshot)
{
	yajl_val b;
	long long n;
	const char *s;
	CURL *curl = w->curl;
	struct page *page = w->page;
	struct buf line = w->line, held = w->held;

	/* a worker's connection and buffers outlive the walks it makes */
	memset(w, 0, sizeof *w);
	w->curl = curl;
	w->page = page;
	w->line = line;
	w->held = held;
	w->stream = stream;
	w->ep = ep;
	w->playlist_id = playlist;
	w->snapshot_id = snapshot;
	w->total = -1;
	w->pass = 1;
	w->incremental = opt.since != NULL;
	if (playlist)
		snprintf(w->key, sizeof w->key, "%s:%s", stream, playlist);
	else
		snprintf(w->key, sizeof w->key, "%s", stream);
	w->first_url = list_url(ep->path, ep, playlist);
	if (opt.sync_id)
		snprintf(w->sync_id, sizeof w->sync_id, "%s", opt.sync_id);
	else
		new_sync_id(w->sync_id);

	/* resume after the last committed page of an unfinished sync */
	b = bookmark_for(w->key, stream, playlist);
	if (b == NULL || json_bool(json_member(b, "complete"), 0) ||
	    json_bool(json_member(b, "forbidden"), 0))
		return;
	if ((s = json_str(json_member(b, "sync_id"))) != NULL && !opt.sync_id)
		snprintf(w->sync_id, sizeof w->sync_id, "%s", s);
	if ((s = json_str(json_member(b, "mode"))) != NULL && opt.since == NULL)
		w->incremental = strcmp(s, "incremental") == 0;
	if ((s = json_str(json_member(b, "next"))) != NULL)
		w->next = rebase(s);
	if (json_int(json_member(b, "offset"), &n) == 0)
		w->offset = n;
	if (json_int(json_member(b, "fetched"), &n) == 0)
		w->fetched = n;
	if (json_int(json_member(b, "total"), &n) == 0)
		w->total = n;
	if (json_int(json_member(b, "pages"), &n) == 0)
		w->pages = n;
	if (json_int(json_member(b, "pass"), &n) == 0 && n > 0)
		w->pass = (int)n;
	if ((s = json_str(json_member(b, "last_key"))) != NULL)
		snprintf(w->last_key, sizeof w->last_key, "%s", s);
	if ((s = json_str(json_member(b, "throttled_until"))) != NULL)
		snprintf(w->throttled_until, sizeof w->throttled_until, "%s", s);
	if (w->next == NULL) {
		/* an unfinished pass with nowhere to go on: start the list again */
		w->offset = w->fetched = 0;
		w->last_key[0] = '\0';
	}
}

/* A bookmark that says the provider asked to wait: wait now, or stop again at once. */
static int
honour_throttle(struct walk *w)
{
	time_t until, now = time(NULL);
	long long ms;

	if (w->throttled_until[0] == '\0' || iso8601_parse(w->throttled_until, &until) != 0 ||
	    until <= now) {
		w->throttled_until[0] = '\0';
		return 0;
	}
	ms = (long long)(until - now) * 1000;
	if (ms > opt.max_wait_ms) {
		say("%s: still rate limited until %s; run again then", w->key, w->throttled_until);
		emit_state(w);
		return EXIT_TEMPFAIL;
	}
	tell(say, w->key, "wait", "rate limited: waiting %lld s", ms / 1000);
	if (nap(ms) != 0)
		return EXIT_TEMPFAIL;
	w->throttled_until[0] = '\0';
	return 0;
}

static void
walk_tools(struct walk *w)
{
	static const struct page_callbacks cb = { on_item, NULL };

	setup_curl(w);
	w->page = page_new(w->ep->items, opt.cap, &cb, w);
	buf_init(&w->line);
	buf_init(&w->held);
}

/* Frees what one walk allocated; the tools stay for the next walk. */
static void
walk_done(struct walk *w)
{
	free(w->next);
	free(w->first_url);
	free(w->link_next);
	w->next = w->first_url = w->link_next = NULL;
}

static void
walk_free(struct walk *w)
{
	walk_done(w);
	curl_easy_cleanup(w->curl);
	page_free(w->page);
	buf_free(&w->line);
	buf_free(&w->held);
	w->curl = NULL;
	w->page = NULL;
}

/* ---- -P: the pages of one list, N at a time, emitted in order ---- */

/*
 * Once the total is known, the remaining pages are handed out by offset to
 * N workers, each with its own connection. A worker holds its page's lines
 * until every page before it has been written (so at most N pages are held),
 * then judges it as the sequential walk would: its first item must be the
 * last one of the page before, its total the same; then it writes the lines
 * and the STATE. Any failure or drift stops the handing out; the walk's
 * bookmark is where the last written page left it.
 */
struct par {
	pthread_mutex_t lock;
	pthread_cond_t turn;
	struct walk *w;
	long long next_start;	/* the first new item of the next page handed out */
	long long step;		/* new items per page: the page size less the overlap */
	long long handed, written;
	int stop;
	int rc;			/* the walk's exit status; -1: drift, walk again */
};

/* The judge of page n, under q->lock, in page order. */
static void
par_judge(struct par *q, struct walk *pw, enum outcome o, long long start)
{
	struct walk *w = q->w;
	long long total = -1;
	struct buf swap;
	char num[32], *next, *v;
	long long off;
	int last;

	if (o != OK) {
		snprintf(w->why, sizeof w->why, "%s", pw->why);
		switch (o) {
		case GAVE_UP:
			w->error = "retries exhausted";
			q->rc = EXIT_TEMPFAIL;
			break;
		case THROTTLED:
			memcpy(w->throttled_until, pw->throttled_until, sizeof w->throttled_until);
			q->rc = EXIT_TEMPFAIL;
			break;
		case AUTH:
		case FORBIDDEN:
			q->rc = EXIT_NOPERM;
			break;
		case STOPPED:
			q->rc = stopping ? EXIT_TEMPFAIL : PAR_DRIFT;
			break;
		default:
			say("%s: %s", w->key, pw->why);
			w->error = "the provider's answer cannot be used";
			q->rc = EXIT_DATAERR;
			break;
		}
		if (q->rc != PAR_DRIFT && o != AUTH && o != FORBIDDEN)
			emit_state(w);
		if (o == FORBIDDEN)
			say("%s: forbidden: %s", w->key, pw->why);
		q->stop = 1;
		return;
	}
	if (page_int(pw->page, PAGE_TOTAL, &total) != 0)
		page_int(pw->page, PAGE_META_TOTAL, &total);
	if ((total >= 0 && total != w->total) || strcmp(pw->first_key, w->last_key) != 0) {
		q->rc = PAR_DRIFT;	/* the list moved under the walk */
		q->stop = 1;
		return;
	}
	/* the page is good: its lines, then the STATE that covers them */
	swap = w->held;
	w->held = pw->held;
	pw->held = swap;
	buf_reset(&pw->held);
	w->fetched += (long long)pw->page_new;
	w->pages++;
	if (pw->page_last[0])
		memcpy(w->last_key, pw->page_last, sizeof w->last_key);
	last = start + q->step >= w->total;
	if (last || page_str(pw->page, PAGE_NEXT) == NULL) {
		free(w->next);
		w->next = NULL;
		w->offset = w->fetched;
		w->complete = w->fetched == w->total && page_str(pw->page, PAGE_NEXT) == NULL;
		if (!w->complete) {
			q->rc = PAR_DRIFT;
			q->stop = 1;
			buf_reset(&w->held);	/* written again by the next pass */
			return;
		}
		emit_state(w);
		q->rc = 0;
		q->stop = 1;
		return;
	}
	if ((long long)pw->page_new < q->step) {
		/*
		 * Fewer items than asked (Spotify leaves out some it cannot serve):
		 * the pages after it do not start where the window thought. Its own
		 * next link says where the list goes on.
		 */
		next = url_resolve(opt.base_url, page_str(pw->page, PAGE_NEXT));
		if (!same_origin(next, opt.base_url)) {
			free(next);
			q->rc = PAR_DRIFT;
			q->stop = 1;
			buf_reset(&w->held);
			return;
		}
		v = url_param(next, w->ep->offset_param);
		if (v == NULL || parse_ll(v, 0, 1LL << 50, &off) != 0 || off <= start) {
			free(v);
			free(next);
			q->rc = PAR_DRIFT;
			q->stop = 1;
			buf_reset(&w->held);
			return;
		}
		free(v);
		free(w->next);
		w->next = next;
		w->offset = off;
		emit_state(w);
		q->rc = PAR_SHORT;
		q->stop = 1;
		return;
	}
	snprintf(num, sizeof num, "%lld", start + (long long)pw->page_new);
	next = url_set_param(w->first_url, w->ep->offset_param, num);
	free(w->next);
	w->next = next;
	w->offset = start + (long long)pw->page_new;
	emit_state(w);
}

static void *
par_worker(void *arg)
{
	struct par *q = arg;
	struct walk pw;
	enum outcome o;
	long long n, start;
	char num[32], *url;

	memset(&pw, 0, sizeof pw);
	pw.stream = q->w->stream;
	memcpy(pw.key, q->w->key, sizeof pw.key);
	pw.ep = q->w->ep;
	pw.parallel = 1;
	pw.hold = 1;
	walk_tools(&pw);
	for (;;) {
		pthread_mutex_lock(&q->lock);
		if (q->stop || stopping || q->next_start >= q->w->total) {
			pthread_mutex_unlock(&q->lock);
			break;
		}
		n = q->handed++;
		start = q->next_start;
		q->next_start += q->step;
		pthread_mutex_unlock(&q->lock);

		snprintf(num, sizeof num, "%lld", start - 1);
		url = url_set_param(q->w->first_url, q->w->ep->offset_param, num);
		pw.page_offset = start - 1;
		pw.overlap = 1;
		o = fetch_page(&pw, url);
		free(url);

		pthread_mutex_lock(&q->lock);
		while (q->written != n && !q->stop)
			pthread_cond_wait(&q->turn, &q->lock);
		if (!q->stop)
			par_judge(q, &pw, o, start);
		buf_reset(&pw.held);
		q->written++;
		pthread_cond_broadcast(&q->turn);
		pthread_mutex_unlock(&q->lock);
	}
	walk_free(&pw);
	return NULL;
}

/* Returns the walk's exit status, PAR_DRIFT or PAR_SHORT. */
static int
parallel_pages(struct walk *w)
{
	struct par q;
	pthread_t t[64];
	int n = opt.workers;

	memset(&q, 0, sizeof q);
	pthread_mutex_init(&q.lock, NULL);
	pthread_cond_init(&q.turn, NULL);
	q.w = w;
	q.next_start = w->offset;
	q.step = opt.limit - 1;
	q.rc = EXIT_TEMPFAIL;
	if (q.step < 1)
		return EXIT_SOFTWARE;
	if (w->offset >= w->total) {
		/* nothing after this page, yet it had a next link: judge it in order */
		return PAR_SHORT;
	}
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, par_worker, &q) != 0)
			die(EXIT_SOFTWARE, "pthread_create failed");
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	pthread_mutex_destroy(&q.lock);
	pthread_cond_destroy(&q.turn);
	if (stopping) {
		say("%s: stopped by a signal; run the same command to resume", w->key);
		return EXIT_TEMPFAIL;
	}
	return q.rc;
}

static int
run_one(struct walk *w)
{
	int rc;

	if ((rc = honour_throttle(w)) != 0)
		return rc;
	rc = walk(w);
	if (rc == 0)
		tell(note, w->key, "note", "%lld items in %lld pages%s", w->fetched, w->pages,
		    w->forbidden ? ", forbidden" : w->complete ? ", complete" : "");
	return rc;
}

/* ---- playlist entries: ids on stdin, -P workers ---- */

struct pl_queue {
	pthread_mutex_t lock;
	FILE *in;
	size_t lineno;
	const struct endpoint *ep;
	int worst;
};

static int
severity(int rc)
{
	/* which exit status wins when walks end differently */
	switch (rc) {
	case 0: return 0;
	case EXIT_TEMPFAIL: return 1;
	case EXIT_DATAERR: return 2;
	case EXIT_NOPERM: return 3;
	default: return 4;
	}
}

/*
 * One SCHEMA for the playlist entries, before the first playlist walked: when
 * every playlist is unchanged nothing is written at all, and store has
 * nothing to call partial.
 */
static pthread_once_t pl_schema_once = PTHREAD_ONCE_INIT;

static void
pl_schema(void)
{
	struct walk w0;

	memset(&w0, 0, sizeof w0);
	w0.stream = "playlist_items";
	buf_init(&w0.line);
	emit_schema(&w0);
	buf_free(&w0.line);
}

static void *
pl_worker(void *arg)
{
	struct pl_queue *q = arg;
	char *line = NULL, *id, *snap, *save;
	size_t cap = 0;
	struct walk w;
	yajl_val b;
	int rc;

	/* one connection per worker, kept alive from playlist to playlist */
	memset(&w, 0, sizeof w);
	w.ep = q->ep;
	walk_tools(&w);
	for (;;) {
		pthread_mutex_lock(&q->lock);
		if (stopping || getline(&line, &cap, q->in) < 0) {
			pthread_mutex_unlock(&q->lock);
			break;
		}
		q->lineno++;
		pthread_mutex_unlock(&q->lock);
		id = strtok_r(line, " \t\r\n", &save);
		if (id == NULL || *id == '#')
			continue;
		snap = strtok_r(NULL, " \t\r\n", &save);
		walk_init(&w, "playlist_items", q->ep, id, snap);
		/* unchanged since its last complete walk: nothing to fetch */
		b = bookmark_for(w.key, w.stream, w.playlist_id);
		if (snap && b && json_bool(json_member(b, "complete"), 0) &&
		    json_str(json_member(b, "snapshot_id")) &&
		    strcmp(json_str(json_member(b, "snapshot_id")), snap) == 0) {
			tell(note, w.key, "note", "unchanged (snapshot %s)", snap);
			walk_done(&w);
			continue;
		}
		w.hold = opt.workers > 1;
		pthread_once(&pl_schema_once, pl_schema);
		rc = run_one(&w);
		walk_done(&w);
		pthread_mutex_lock(&q->lock);
		if (severity(rc) > severity(q->worst))
			q->worst = rc;
		pthread_mutex_unlock(&q->lock);
	}
	free(line);
	walk_free(&w);
	return NULL;
}

static int
run_playlists(const struct endpoint *ep)
{
	struct pl_queue q;
	pthread_t *t;
	int n = opt.workers > 0 ? opt.workers : 1;

	memset(&q, 0, sizeof q);
	pthread_mutex_init(&q.lock, NULL);
	q.in = stdin;
	q.ep = ep;
	t = xcalloc((size_t)n, sizeof *t);
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, pl_worker, &q) != 0)
			die(EXIT_SOFTWARE, "pthread_create failed");
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
	return stopping && q.worst == 0 ? EXIT_TEMPFAIL : q.worst;
}

/* ---- main ---- */

static void
parse_backoff(const char *list)
{
	char *copy = xstrdup(list), *save = NULL, *tok;

	opt.nbackoff = 0;
	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (opt.nbackoff == MAX_BACKOFF)
			die(EXIT_USAGE, "--backoff: at most %d delays", MAX_BACKOFF);
		if (parse_seconds(tok, &opt.backoff_ms[opt.nbackoff++]) != 0)
			die(EXIT_USAGE, "--backoff: '%s' is not a duration", tok);
	}
	free(copy);
}

int
main(int argc, char *argv[])
{
	enum {
		O_RAW = 256, O_BASE, O_PROFILE, O_TOKEN_FILE, O_TOKEN_CMD, O_USER_TOKEN, O_STATE,
		O_SINCE, O_LIMIT, O_RATE, O_MAX_WAIT, O_BACKOFF, O_TIMEOUT, O_CONNECT_TIMEOUT,
		O_MAX_BODY, O_SYNC_ID, O_URL, O_ITEMS, O_PAGING
	};
	static const struct option longopts[] = {
		{ "provider", required_argument, NULL, 'p' },
		{ "raw", no_argument, NULL, O_RAW },
		{ "base-url", required_argument, NULL, O_BASE },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "token-file", required_argument, NULL, O_TOKEN_FILE },
		{ "token-cmd", required_argument, NULL, O_TOKEN_CMD },
		{ "user-token-file", required_argument, NULL, O_USER_TOKEN },
		{ "state", required_argument, NULL, O_STATE },
		{ "since", required_argument, NULL, O_SINCE },
		{ "workers", required_argument, NULL, 'P' },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "rate", required_argument, NULL, O_RATE },
		{ "max-wait", required_argument, NULL, O_MAX_WAIT },
		{ "backoff", required_argument, NULL, O_BACKOFF },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "connect-timeout", required_argument, NULL, O_CONNECT_TIMEOUT },
		{ "max-record", required_argument, NULL, 'm' },
		{ "max-body", required_argument, NULL, O_MAX_BODY },
		{ "sync-id", required_argument, NULL, O_SYNC_ID },
		{ "url", required_argument, NULL, O_URL },
		{ "items", required_argument, NULL, O_ITEMS },
		{ "paging", required_argument, NULL, O_PAGING },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *provider = getenv("CRATE_PROVIDER"), *profile = NULL, *url = NULL;
	const char *items = "", *paging = "link", *stream;
	const struct endpoint *ep;
	static struct endpoint generic_ep;
	static struct provider generic_prov;
	struct walk w;
	char err[256];
	time_t t;
	int ch, rc;
	long long n;

	util_init(argv[0]);
	opt.workers = 1;
	opt.max_wait_ms = 300 * 1000;
	opt.timeout_ms = 60 * 1000;
	opt.connect_timeout_ms = 10 * 1000;
	opt.cap = RECORD_CAP_DEFAULT;
	opt.max_body = (size_t)256 << 20;
	parse_backoff("2,4,8,16");
	opt.base_url = getenv("CRATE_BASE_URL");
	while ((ch = getopt_long(argc, argv, "p:P:m:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p': provider = optarg; break;
		case O_RAW: opt.raw = 1; break;
		case O_BASE: opt.base_url = optarg; break;
		case O_PROFILE: profile = optarg; break;
		case O_TOKEN_FILE: opt.token_file = optarg; break;
		case O_TOKEN_CMD: opt.token_cmd = optarg; break;
		case O_USER_TOKEN: opt.user_token_file = optarg; break;
		case O_STATE: opt.state_json = optarg; break;
		case O_SINCE:
			if (iso8601_parse(optarg, &t) != 0)
				die(EXIT_USAGE, "--since: '%s' is not an ISO 8601 time", optarg);
			opt.since = optarg;
			break;
		case 'P': opt.workers = (int)opt_ll("-P", optarg, 1, 64); break;
		case O_LIMIT: opt.limit = (int)opt_ll("--limit", optarg, 1, 10000); break;
		case O_RATE:
			n = opt_ll("--rate", optarg, 1, 100000);
			opt.rate = (double)n;
			break;
		case O_MAX_WAIT: opt.max_wait_ms = opt_ms("--max-wait", optarg); break;
		case O_BACKOFF: parse_backoff(optarg); break;
		case O_TIMEOUT: opt.timeout_ms = opt_ms("--timeout", optarg); break;
		case O_CONNECT_TIMEOUT: opt.connect_timeout_ms = opt_ms("--connect-timeout", optarg); break;
		case 'm': opt.cap = opt_size("-m", optarg); break;
		case O_MAX_BODY: opt.max_body = opt_size("--max-body", optarg); break;
		case O_SYNC_ID: opt.sync_id = optarg; break;
		case O_URL: url = optarg; break;
		case O_ITEMS: items = optarg; break;
		case O_PAGING: paging = optarg; break;
		case 'q': util_quiet = 1; break;
		case 'h': usage(0); break;
		default: usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;

	if (url != NULL) {
		/* any paginated JSON API: generic records */
		if (argc > 1)
			usage(EXIT_USAGE);
		stream = argc == 1 ? argv[0] : "items";
		generic_ep.path = (char *)url;
		generic_ep.items = (char *)items;
		generic_ep.limit_param = NULL;
		generic_ep.max_limit = 100;
		if (strcmp(paging, "link") == 0) {
			generic_ep.paging = PAGING_LINK;
		} else if (strcmp(paging, "page") == 0) {
			generic_ep.paging = PAGING_PAGE;
			generic_ep.offset_param = "page";
		} else if (strcmp(paging, "offset") == 0) {
			generic_ep.paging = PAGING_OFFSET;
			generic_ep.offset_param = "offset";
		} else {
			die(EXIT_USAGE, "--paging: '%s' is not link, page or offset", paging);
		}
		generic_prov.name = "generic";
		generic_prov.auth = AUTH_BEARER;
		generic_prov.base_url = (char *)url;
		opt.prov = &generic_prov;
		opt.prov_id = PROV_GENERIC;
		if (opt.base_url == NULL)
			opt.base_url = (char *)url;
		ep = &generic_ep;
	} else {
		if (argc != 1)
			usage(EXIT_USAGE);
		stream = argv[0];
		if (profile) {
			opt.prov = provider_load(profile);
		} else {
			if (provider == NULL)
				provider = "spotify";
			if ((opt.prov = provider_builtin(provider)) == NULL)
				die(EXIT_USAGE, "unknown provider '%s' (spotify, apple-music, deezer; "
				    "--url for any other API, --profile for a description)", provider);
		}
		if ((opt.prov_id = prov_lookup(opt.prov->name)) < 0)
			opt.prov_id = PROV_GENERIC;
		if ((ep = provider_endpoint(opt.prov, stream)) == NULL)
			die(EXIT_USAGE, "unknown stream '%s' (artists, albums, tracks, playlists, "
			    "playlist_items)", stream);
		if (opt.base_url == NULL)
			opt.base_url = opt.prov->base_url;
	}
	if (opt.since && !ep->newest_first && url == NULL)
		die(EXIT_USAGE, "--since: %s %s is not sorted newest first", opt.prov->name, stream);
	if (opt.limit == 0 || (ep->max_limit > 0 && opt.limit > ep->max_limit))
		opt.limit = ep->max_limit;
	if (ep->paging == PAGING_OFFSET && ep->limit_param && opt.limit < 2)
		die(EXIT_USAGE, "--limit: at least 2 with offset paging (each page re-reads the last "
		    "item of the one before)");
	if (opt.state_json && *opt.state_json) {
		state_root = json_parse(opt.state_json, strlen(opt.state_json), err, sizeof err);
		if (state_root == NULL || state_root->type != yajl_t_object)
			die(EXIT_USAGE, "--state: not a JSON object: %s", err);
	}
	if (opt.prov->auth == AUTH_QUERY && opt.prov->auth_param)
		url_secret(opt.prov->auth_param);
	load_tokens();
	srand((unsigned)(time(NULL) ^ getpid()));
	iso8601_now(now_iso);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		die(EXIT_SOFTWARE, "curl_global_init failed");
	out = msg_writer_new(STDOUT_FILENO);

	if (strcmp(stream, "playlist_items") == 0 && url == NULL) {
		rc = run_playlists(ep);
	} else {
		memset(&w, 0, sizeof w);
		walk_init(&w, stream, ep, NULL, NULL);
		walk_tools(&w);
		emit_schema(&w);
		rc = run_one(&w);
		walk_free(&w);
	}
	if (msg_writer_free(out) != 0)
		die(EXIT_IOERR, "write error on standard output: %s", strerror(errno));
	if (state_root)
		yajl_tree_free(state_root);
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
	}
	free(user_token);
	curl_global_cleanup();
	return rc;
}
