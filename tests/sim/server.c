/*
 * server.c: provider-sim's HTTP side: authentication, the rate limits, the
 * faults, drift, the request log, and sending (or not sending) the answer.
 *
 * One thread per connection (libmicrohttpd's own), so a hung or slow answer
 * never holds up another connection. Every decision about a request (its
 * number, auth, rate limit, faults, drift) and the rendering of its page are
 * made under one lock; sleeping and sending happen outside it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server.h"
#include "util.h"

#define POST_CAP 65536

struct server S;

/* What one request is, from the URI callback to the end of its response. */
struct rctx {
	char *uri;
	struct buf post;
	int started;
	int post_too_big;
};

static double
rng_unit(void)
{
	/* xorshift64*; seeded from --seed, so a run's fault sequence is repeatable. */
	S.rng ^= S.rng >> 12;
	S.rng ^= S.rng << 25;
	S.rng ^= S.rng >> 27;
	return (double)((S.rng * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

static int
fires(const struct fault *f, long n)
{
	size_t i;

	if (f->at != NULL) {
		for (i = 0; i < f->nat; i++)
			if (f->at[i] == n)
				return 1;
		return 0;
	}
	return f->p > 0 && rng_unit() < f->p;
}

/* Sleeps ms milliseconds (forever when ms < 0), waking early when the server stops. */
static void
nap(long ms)
{
	long long until = mono_ms() + ms;
	struct timespec ts;
	long step;

	while (!S.stopping && (ms < 0 || mono_ms() < until)) {
		step = ms < 0 ? 20 : (long)(until - mono_ms());
		if (step > 20)
			step = 20;
		if (step <= 0)
			break;
		ts.tv_sec = 0;
		ts.tv_nsec = step * 1000000L;
		nanosleep(&ts, NULL);
	}
}

static struct token *
token_find(const char *value)
{
	int i;

	for (i = 0; i < S.ntokens; i++)
		if (strcmp(S.tokens[i].value, value) == 0)
			return &S.tokens[i];
	return NULL;
}

void
token_add(const char *value)
{
	/* The oldest issued token is forgotten when the table is full. */
	if (S.ntokens == MAX_TOKENS) {
		memmove(&S.tokens[1], &S.tokens[2], (MAX_TOKENS - 2) * sizeof S.tokens[0]);
		S.ntokens--;
	}
	snprintf(S.tokens[S.ntokens].value, sizeof S.tokens[0].value, "%s", value);
	S.tokens[S.ntokens].uses = 0;
	S.ntokens++;
}

/* 0 when the request is authorised; otherwise the error to answer with. */
static int
check_auth(int d, const char *authz, const char *query_token, enum error *e, struct token **tp)
{
	const char *tok = NULL;
	struct token *t;

	if (authz != NULL && strncasecmp(authz, "Bearer ", 7) == 0)
		tok = authz + 7;
	else if (d == D_DEEZER && query_token != NULL)
		tok = query_token;
	if (tok == NULL || *tok == '\0') {
		*e = ERR_NO_TOKEN;
		return -1;
	}
	if ((t = token_find(tok)) == NULL) {
		*e = ERR_BAD_TOKEN;
		return -1;
	}
	if (t->expired || (S.token_ttl > 0 && t->uses >= S.token_ttl)) {
		*e = ERR_EXPIRED;
		return -1;
	}
	t->uses++;
	*tp = t;
	return 0;
}

void
limiter_init(struct limiter *r, long n, long window_ms)
{
	r->n = n;
	r->window_ms = window_ms;
	r->times = xcalloc((size_t)n, sizeof *r->times);
}

/* Counts a request; returns 0, or the ms until the window has room (not counted). */
static long
limiter_wait_ms(struct limiter *r)
{
	long long now = mono_ms(), oldest;

	if (r->n <= 0)
		return 0;
	if (r->count == r->n) {
		oldest = r->times[r->head];
		if (now - oldest < r->window_ms)
			return (long)(oldest + r->window_ms - now);
	} else
		r->count++;
	r->times[r->head] = now;
	r->head = (r->head + 1) % r->n;
	return 0;
}

static void
http_date(long seconds_from_now, char *out, size_t n)
{
	time_t t = time(NULL) + seconds_from_now;
	struct tm tm;
	static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
		"Aug", "Sep", "Oct", "Nov", "Dec" };

	/* An HTTP-date has four digits of year: a wait past 9999 says its last second. */
	if (seconds_from_now > 253402300799LL - (long long)time(NULL))
		t = (time_t)253402300799LL;
	gmtime_r(&t, &tm);
	snprintf(out, n, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
	    months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static const char *
get_arg(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

/* The query for the log, with any access_token value replaced. */
static void
log_query(struct buf *b, const char *q)
{
	const char *amp;
	size_t n;

	while (*q) {
		amp = strchr(q, '&');
		n = amp ? (size_t)(amp - q) : strlen(q);
		if (n >= 13 && strncmp(q, "access_token=", 13) == 0)
			buf_adds(b, "access_token=REDACTED");
		else
			buf_add(b, q, n);
		if (amp)
			buf_addc(b, '&');
		q += n + (amp != NULL);
	}
}

struct outcome {
	int status;		/* HTTP status; 0 when no answer is sent */
	const char *fault;	/* the fault that fired, or NULL */
	int dialect;
	long retry_after;	/* -1: none */
	long items;
	int drift;
	int render;		/* a page to render (under liblock) */
	int dump;		/* /sim/dump */
	int truncate, malformed;	/* drawn before rendering; act only on a page */
	enum { ACT_SEND, ACT_HANG, ACT_RESET, ACT_TRUNCATE } act;
};

static void
log_request(long n, long conn, const char *method, const char *path, const char *query,
    int authz, const struct outcome *o, size_t bytes)
{
	struct buf b, q;
	struct jw w;
	char now[ISO8601_LEN];

	if (S.log == NULL)
		return;
	buf_init(&b);
	buf_init(&q);
	jw_init(&w, &b);
	iso8601_now(now);
	jw_obj(&w);
	jw_kint(&w, "n", n);
	jw_kstr(&w, "time", now);
	jw_kint(&w, "ms", mono_ms() - S.start_ms);
	jw_kint(&w, "conn", conn);
	jw_kstr(&w, "method", method);
	jw_kstr(&w, "path", path);
	log_query(&q, query);
	jw_kstr(&w, "query", q.data);
	jw_kint(&w, "status", o->status);
	jw_kbool(&w, "auth", authz);
	jw_kstr(&w, "dialect", o->dialect >= 0 ? dialect_names[o->dialect] : NULL);
	jw_kstr(&w, "fault", o->fault);
	if (o->retry_after >= 0)
		jw_kint(&w, "retry_after", o->retry_after);
	if (o->drift)
		jw_kbool(&w, "drift", 1);
	jw_kint(&w, "items", o->items);
	jw_kint(&w, "bytes", (long long)bytes);
	jw_obj_end(&w);
	buf_addc(&b, '\n');
	fwrite(b.data, 1, b.len, S.log);
	fflush(S.log);
	buf_free(&b);
	buf_free(&q);
}

/* Form-urlencoded value of key in body, decoded into out; -1 when absent. */
static int
form_value(const char *body, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key), i = 0;
	const char *p = body, *v;
	unsigned hi, lo;

	while (*p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			for (v = p + klen + 1; *v && *v != '&' && i + 1 < outlen; v++) {
				if (*v == '+')
					out[i++] = ' ';
				else if (*v == '%' && sscanf(v + 1, "%1x%1x", &hi, &lo) == 2) {
					out[i++] = (char)(hi * 16 + lo);
					v += 2;
				} else
					out[i++] = *v;
			}
			out[i] = '\0';
			return 0;
		}
		p += strcspn(p, "&");
		p += *p == '&';
	}
	return -1;
}

static int
token_endpoint(const char *body, struct buf *out)
{
	char grant[64], refresh[256], tok[80];
	struct jw w;

	jw_init(&w, out);
	jw_obj(&w);
	if (form_value(body, "grant_type", grant, sizeof grant) != 0 ||
	    strcmp(grant, "refresh_token") != 0) {
		jw_kstr(&w, "error", "unsupported_grant_type");
		jw_kstr(&w, "error_description", "grant_type must be refresh_token");
		jw_obj_end(&w);
		return 400;
	}
	if (form_value(body, "refresh_token", refresh, sizeof refresh) != 0 ||
	    strcmp(refresh, S.refresh_token) != 0) {
		jw_kstr(&w, "error", "invalid_grant");
		jw_kstr(&w, "error_description", "Invalid refresh token");
		jw_obj_end(&w);
		return 400;
	}
	S.issued++;
	snprintf(tok, sizeof tok, "sim-%016llx%04lx",
	    (unsigned long long)lib_hash(&S.lib, K_NKINDS, S.issued, 1), S.issued & 0xffff);
	token_add(tok);
	jw_kstr(&w, "access_token", tok);
	jw_kstr(&w, "token_type", "Bearer");
	jw_kint(&w, "expires_in", 3600);
	jw_obj_end(&w);
	return 200;
}

/* Decides what to answer to request n: called with S.lock held. */
static void
decide(struct MHD_Connection *conn, struct rctx *r, const char *method, const char *path,
    const char *authz, struct response *rs, struct outcome *o, long n)
{
	enum error e;
	struct token *tok;
	long wait_ms, ra, fn = n;
	int d, eligible = 1;

	memset(o, 0, sizeof *o);
	o->dialect = -1;
	o->retry_after = -1;
	o->act = ACT_SEND;
	buf_reset(&rs->body);
	buf_reset(&rs->link);
	rs->page = 0;
	rs->items = 0;

	if (strcmp(path, "/api/token") == 0) {
		if (strcmp(method, "POST") != 0) {
			buf_adds(&rs->body, "{\"error\":\"invalid_request\"}");
			o->status = 405;
		} else if (r->post_too_big) {
			buf_adds(&rs->body, "{\"error\":\"invalid_request\"}");
			o->status = 413;
		} else
			o->status = token_endpoint(r->post.data ? r->post.data : "", &rs->body);
		return;
	}
	if (strcmp(path, "/sim/dump") == 0 && strcmp(method, "GET") == 0) {
		o->dump = 1;
		o->status = 200;
		return;
	}
	d = route_dialect(path);
	if (d < 0 || (S.dialect >= 0 && d != S.dialect)) {
		/*
		 * A path no API serves (no /v1, a double slash): a 404 in Spotify's error
		 * shape; api.spotify.com answers a wrong URL with a 404 (spotify/web-api#1256,
		 * where the message read "Bad Url": the text is not to be relied on).
		 */
		buf_adds(&rs->body, "{\"error\":{\"status\":404,\"message\":\"Service not found\"}}");
		o->status = 404;
		return;
	}
	o->dialect = d;
	if (strcmp(method, "GET") != 0) {
		buf_adds(&rs->body, "{\"error\":{\"status\":405,\"message\":\"Method not allowed\"}}");
		o->status = 405;
		return;
	}
	if (S.fault_path != NULL) {
		eligible = strncmp(path, S.fault_path, strlen(S.fault_path)) == 0;
		fn = eligible ? ++S.nfault : 0;
	}
	if (check_auth(d, authz, d == D_DEEZER ? get_arg(conn, "access_token") : NULL, &e,
	    &tok) != 0) {
		o->status = render_error(d, e, NULL, &rs->body);
		o->fault = e == ERR_EXPIRED ? "expired" : NULL;
		return;
	}
	if (eligible && fires(&S.fexpire, fn)) {
		/* The token expires now: this and every later request with it get a 401. */
		tok->expired = 1;
		o->status = render_error(d, ERR_EXPIRED, NULL, &rs->body);
		o->fault = "expired";
		return;
	}
	/*
	 * Apple answers 403 on every /me/ endpoint once the Music-User-Token is bad or
	 * expired: "Using Music-User-Token returns 403 for any /me/ request"
	 * (PouleR/apple-music-api#18); "Apple Music APIs randomly starting returning
	 * 403 ... you having to logout / log back in" (zachomedia/apple-music-webplayer#35).
	 * --mut-expire N: from request N on.
	 */
	if (d == D_APPLE && S.mut_expire > 0 && n >= S.mut_expire) {
		o->status = render_error(d, ERR_FORBIDDEN, NULL, &rs->body);
		o->fault = "mut-expired";
		return;
	}
	if (d == D_APPLE && S.music_user_token[0] != '\0') {
		const char *mut = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    "Music-User-Token");

		if (mut == NULL || strcmp(mut, S.music_user_token) != 0) {
			o->status = render_error(d, ERR_FORBIDDEN, NULL, &rs->body);
			return;
		}
	}
	wait_ms = limiter_wait_ms(&S.rate);
	/*
	 * --deezer-quota: "Quota limit: 50 requests / 5 seconds", answered with the
	 * code-4 error (https://developers.deezer.com/api, section Quota).
	 */
	if (wait_ms == 0 && d == D_DEEZER)
		wait_ms = limiter_wait_ms(&S.dzquota);
	if (wait_ms > 0) {
		o->fault = "rate";
		ra = (wait_ms + 999) / 1000;
		goto throttle;
	}
	if (!eligible)
		;
	else if (fires(&S.fhang, fn)) {
		o->fault = "hang";
		if (S.hang_ms == 0) {
			o->act = ACT_HANG;
			return;
		}
	} else if (fires(&S.freset, fn)) {
		o->fault = "reset";
		o->act = ACT_RESET;
		return;
	} else if (fires(&S.f429, fn)) {
		o->fault = "429";
		ra = S.retry_after;
		goto throttle;
	} else if (fires(&S.f404, fn)) {
		/*
		 * Apple's sporadic 404 in the middle of a list; Spotify's stray 404s on
		 * any endpoint, gone on a retry (spotify/web-api#1160, #733;
		 * metabrainz/listenbrainz-server#589: "the api endpoint 404s randomly").
		 */
		o->fault = "404";
		o->status = render_error(d, ERR_NOT_FOUND, NULL, &rs->body);
		return;
	} else if (d == D_DEEZER && fires(&S.fdeezer, fn)) {
		/* Deezer's errors come with HTTP 200; see render_error. */
		o->fault = "deezer";
		o->status = render_error(d, S.deezer_code == 4 ? ERR_RATE : S.deezer_code == 300 ?
		    ERR_BAD_TOKEN : S.deezer_code == 800 ? ERR_NOT_FOUND : ERR_EXCEPTION, NULL,
		    &rs->body);
		return;
	} else if (S.burst_left > 0 || fires(&S.f5xx, fn)) {
		if (S.burst_left == 0) {
			S.burst_left = S.burst;
			S.burst_n = 0;
		}
		S.burst_left--;
		o->fault = "5xx";
		o->status = render_error(d, S.burst_n++ % 2 ? ERR_503 : ERR_502, NULL, &rs->body);
		return;
	}
	o->render = 1;
	o->drift = eligible && fires(&S.fdrift, fn);
	if (o->fault == NULL && eligible) {
		o->truncate = fires(&S.ftrunc, fn);
		o->malformed = !o->truncate && fires(&S.fmalformed, fn);
	}
	return;
throttle:
	o->status = render_error(d, ERR_RATE, NULL, &rs->body);
	if (d != D_DEEZER)
		o->retry_after = ra;
}

/* Renders the page decide() chose and applies the faults that act on pages. */
static void
render_page(struct MHD_Connection *conn, struct outcome *o, const char *path,
    const char *query, const char *host, struct response *rs)
{
	struct request rq;

	rq.host = host;
	rq.path = path;
	rq.query = query;
	rq.drift = o->drift;
	rq.arg = get_arg;
	rq.argctx = conn;
	render(&S.lib, o->dialect, &rq, rs);
	o->status = rs->status;
	o->items = rs->items;
	if (!rs->page)
		return;
	if (o->truncate) {
		o->fault = "truncate";
		o->act = ACT_TRUNCATE;
	} else if (o->malformed) {
		/* A proper prefix of a JSON object is never valid JSON. */
		o->fault = "malformed";
		rs->body.len /= 2;
		rs->body.data[rs->body.len] = '\0';
	}
}

static void
dump_body(struct buf *body)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	if (fp == NULL)
		die(EXIT_SOFTWARE, "open_memstream: %s", strerror(errno));
	lib_dump(&S.lib, S.dialect, fp);
	if (fclose(fp) != 0)
		die(EXIT_SOFTWARE, "open_memstream: %s", strerror(errno));
	buf_add(body, text, len);
	free(text);
}

struct trunc {
	char *data;
	size_t cut;
};

static ssize_t
trunc_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct trunc *t = cls;
	size_t n;

	if (pos >= t->cut)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = t->cut - (size_t)pos < max ? t->cut - (size_t)pos : max;
	memcpy(buf, t->data + pos, n);
	return (ssize_t)n;
}

static void
trunc_free(void *cls)
{
	struct trunc *t = cls;

	free(t->data);
	free(t);
}

static void
reset_connection(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;
	struct linger lg = { 1, 0 };

	struct sockaddr unspec;

	/*
	 * MHD shuts a socket down (a FIN) before closing it, so SO_LINGER 0 alone is
	 * not enough: connect() to AF_UNSPEC disconnects at once, with a RST (Linux).
	 */
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci == NULL)
		return;
	setsockopt(ci->connect_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	memset(&unspec, 0, sizeof unspec);
	unspec.sa_family = AF_UNSPEC;
	(void)connect(ci->connect_fd, &unspec, sizeof unspec);
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct rctx *r = *con_cls;
	const union MHD_ConnectionInfo *ci;
	struct response rs;
	struct outcome o;
	struct MHD_Response *resp;
	const char *query, *host, *authz;
	char hostbuf[64], ra[64];
	long n, conn_id;
	size_t bytes;
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	if (r == NULL)
		return MHD_NO;
	/* The first call only announces a request: answering it then costs the keep-alive. */
	if (!r->started) {
		r->started = 1;
		return MHD_YES;
	}
	if (strcmp(method, "POST") == 0) {
		if (*upload_data_size > 0) {
			if (r->post.len + *upload_data_size > POST_CAP)
				r->post_too_big = 1;
			else
				buf_add(&r->post, upload_data, *upload_data_size);
			*upload_data_size = 0;
			return MHD_YES;
		}
	} else if (*upload_data_size > 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}

	query = strchr(r->uri, '?');
	query = query ? query + 1 : "";
	host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (host == NULL || strlen(host) >= sizeof hostbuf - 1 ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-[]") !=
	    strlen(host)) {
		snprintf(hostbuf, sizeof hostbuf, "127.0.0.1:%u", S.port);
		host = hostbuf;
	}
	authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	conn_id = ci ? (long)(intptr_t)ci->socket_context : 0;

	buf_init(&rs.body);
	buf_init(&rs.link);
	pthread_mutex_lock(&S.lock);
	n = ++S.nreq;
	decide(conn, r, method, url, authz, &rs, &o, n);
	pthread_mutex_unlock(&S.lock);
	if (o.render || o.dump) {
		if (o.drift)
			pthread_rwlock_wrlock(&S.liblock);
		else
			pthread_rwlock_rdlock(&S.liblock);
		if (o.dump)
			dump_body(&rs.body);
		else
			render_page(conn, &o, url, query, host, &rs);
		pthread_rwlock_unlock(&S.liblock);
	}
	bytes = rs.body.len;
	pthread_mutex_lock(&S.lock);
	log_request(n, conn_id, method, url, query, authz != NULL, &o, o.act == ACT_SEND ||
	    o.act == ACT_TRUNCATE ? bytes : 0);
	pthread_mutex_unlock(&S.lock);

	if (S.latency_ms > 0)
		nap(S.latency_ms);
	if (o.fault != NULL && strcmp(o.fault, "hang") == 0)
		nap(o.act == ACT_HANG ? -1 : S.hang_ms);
	if (o.act == ACT_HANG || o.act == ACT_RESET || S.stopping) {
		if (o.act == ACT_RESET)
			reset_connection(conn);
		buf_free(&rs.body);
		buf_free(&rs.link);
		return MHD_NO;
	}
	if (o.act == ACT_TRUNCATE) {
		struct trunc *t = xmalloc(sizeof *t);

		t->data = rs.body.data;
		t->cut = rs.body.len / 2;
		resp = MHD_create_response_from_callback(rs.body.len, 4096, trunc_read, t,
		    trunc_free);
		if (resp == NULL)
			free(t);	/* the body goes below */
	} else {
		resp = MHD_create_response_from_buffer(rs.body.len, rs.body.data,
		    MHD_RESPMEM_MUST_FREE);
	}
	if (resp == NULL) {
		buf_free(&rs.body);
		buf_free(&rs.link);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    strcmp(url, "/sim/dump") == 0 ? "application/x-ndjson" :
	    "application/json; charset=utf-8");
	if (rs.link.len > 0)
		MHD_add_response_header(resp, "Link", rs.link.data);
	if (o.retry_after >= 0) {
		if (S.retry_after_date)
			http_date(o.retry_after, ra, sizeof ra);
		else
			snprintf(ra, sizeof ra, "%ld", o.retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	ret = MHD_queue_response(conn, (unsigned)o.status, resp);
	MHD_destroy_response(resp);
	buf_free(&rs.link);
	return ret;
}

static void *
uri_logged(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct rctx *r = xcalloc(1, sizeof *r);

	(void)cls;
	(void)conn;
	r->uri = xstrdup(uri);
	buf_init(&r->post);
	return r;
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct rctx *r = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (r == NULL)
		return;
	free(r->uri);
	buf_free(&r->post);
	free(r);
	*con_cls = NULL;
}

static void
connection_event(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)conn;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		pthread_mutex_lock(&S.lock);
		*socket_context = (void *)(intptr_t)++S.nconn;
		pthread_mutex_unlock(&S.lock);
	}
}

struct MHD_Daemon *
server_start(const struct sockaddr_in *addr)
{
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL, handle, NULL,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_logged, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, connection_event, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
	    MHD_OPTION_END);
}
