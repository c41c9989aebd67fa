/*
 * http.c: one page over HTTP: curl's callbacks, the --rate wait, a request
 * with its credentials, redirects followed by hand, and fetch_page's retries,
 * backoff and waits after a 429.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fetch.h"
#include "url.h"


int
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

void
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
	/*
	 * A server that sends nothing (or a byte now and then) fails the request
	 * even with --timeout 0 (no limit on the whole transfer).
	 */
	if (opt.stall_ms > 0) {
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
		    (long)(opt.stall_ms + 999) / 1000);
	}
	/*
	 * A page (about 90 KB of Spotify's 50 tracks) in one read and one call
	 * of on_body, not six of curl's default 16 KiB: a third of the polls and
	 * a sixth of the reads (CURLOPT_BUFFERSIZE(3)).
	 */
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 262144L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, w);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	w->curl = c;
}

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
	w->page_new = w->page_skipped = 0;
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
 * After a redirect (rc, w->status) from full: where it goes, or NULL. To
 * another origin no token goes, not even in the query: *creds drops to 0.
 */
static char *
redirect(struct walk *w, CURLcode rc, const char *full, int *creds)
{
	char *loc = NULL, *next, *v;

	if (rc != CURLE_OK || w->status < 300 || w->status > 399 ||
	    curl_easy_getinfo(w->curl, CURLINFO_REDIRECT_URL, &loc) != CURLE_OK || loc == NULL)
		return NULL;
	next = xstrdup(loc);
	if (!url_same_origin(next, full)) {
		v = opt.prov->auth == AUTH_QUERY ? url_del_param(next, opt.prov->auth_param) :
		    xstrdup(next);
		free(next);
		next = v;
		*creds = 0;
	}
	return next;
}

/*
 * One request for the page at url; fills w's page fields and says what
 * happened (answers.c). Redirects are followed here, not by curl: curl keeps
 * custom headers (Apple's Music-User-Token) on a redirect to another host.
 * The credentials go only to the origin first asked, and never over plain
 * http except to loopback.
 */
static enum outcome
request(struct walk *w, const char *url, unsigned *gen)
{
	char *full = request_url(w, url), *clean, *next;
	enum outcome o = OK;	/* until the exchange says otherwise */
	CURLcode rc = CURLE_OK;
	int creds = 1, hop, have;

	pthread_mutex_lock(&token_lock);
	have = token != NULL || user_token != NULL;
	pthread_mutex_unlock(&token_lock);
	for (hop = 0;; hop++) {
		if (creds && have && (url_plain_remote(full) ||
		    !url_same_origin(full, opt.base_url))) {
			o = FATAL;	/* refused, before anything is sent */
			break;
		}
		if (rate_wait(&w->sent_ms) != 0) {
			o = STOPPED;
			break;
		}
		rc = perform(w, full, creds, gen);
		if (hop >= 5 || (next = redirect(w, rc, full, &creds)) == NULL)
			break;
		free(full);
		full = next;
	}
	clean = url_clean(full);
	if (o == FATAL)
		snprintf(w->why, sizeof w->why, "refusing to send credentials %s: %s",
		    url_plain_remote(full) ? "over plain http" : "off the base URL's origin", clean);
	else if (o == OK)
		o = answer(w, rc, clean);
	text_printable(w->why, '?');
	free(clean);
	free(full);
	return o;
}

/* How long a 429 asks to wait, in ms: Retry-After seconds or date, else the backoff. */
static long long
retry_after_ms(struct walk *w, int attempt)
{
	const char *ra = w->retry_after;
	long long secs, cap = opt.max_retry_after_ms / 1000;
	time_t when, now = time(NULL);

	if (ra[0] && strspn(ra, "0123456789") == strlen(ra)) {
		/* seconds; more digits than a long long holds is more than the cap */
		if (parse_ll(ra, 0, cap, &secs) != 0)
			secs = cap;
		return secs * 1000;
	}
	if (ra[0] && (when = curl_getdate(ra, NULL)) != -1) {
		if (when <= now)
			return 0;	/* a date in the past: now */
		secs = when - now > (time_t)cap ? cap : (long long)(when - now);
		return secs * 1000;
	}
	return opt.backoff_ms[attempt < opt.nbackoff ? attempt : opt.nbackoff - 1];
}

static long long
jitter(long long ms)
{
	/* 75% to 125% of the delay, so that workers do not retry in step */
	return ms * (75 + rand() % 51) / 100;
}

/* The contract is in fetch.h. */
enum outcome
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
				tell(warn, w->key, "retry", "%s; retrying in %.1f s", w->why,
				    ms / 1000.0);
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
			rate_throttled(w->sent_ms, ms);
			tell(say, w->key, "wait", "rate limited: waiting %lld s", (ms + 999) / 1000);
			if (nap(ms) != 0)
				return STOPPED;
			continue;
		case AUTH:
			if (auth_retried || refresh_token(gen) != 0) {
				say("%s: authentication failed%s: %s", w->key,
				    auth_retried ? " with a new token from --token-cmd" : "", w->why);
				return AUTH;
			}
			auth_retried = 1;
			continue;
		default:
			if (auth_retried)
				tell(note, w->key, "note", "%s", "token refreshed with --token-cmd");
			if (o == OK)
				rate_ok(w->sent_ms);
			w->throttled_until[0] = '\0';
			return o;
		}
	}
}
