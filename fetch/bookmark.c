/*
 * bookmark.c: what a walk writes and where it starts: SCHEMA and STATE (the
 * bookmark), a walk from scratch or from its bookmark in --state, and a walk's
 * tools (connection, parser, buffers).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fetch.h"
#include "json.h"
#include "prov.h"
#include "url.h"

static void
write_line(const char *line, size_t len)
{
	msg_write_stdout(out, line, len);
}

void
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

void
emit_schema(struct walk *w)
{
	struct jw j;

	buf_reset(&w->line);
	jw_init(&j, &w->line);
	msg_schema_of(&j, w->stream, opt.raw ? NULL : prov_name(opt.prov_id));
	emit(w, w->line.data, w->line.len);
}

/* The STATE after a page (or at a stop): everything to resume after it. */
void
emit_state(struct walk *w)
{
	struct jw j;
	char *clean;
	double rate;

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
	if (w->skipped > 0)
		jw_kint(&j, "skipped", w->skipped);
	if (w->rejected > 0)	/* validate adds this run's to it */
		jw_kint(&j, "rejected", w->rejected);
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
	if (w->head_key[0])
		jw_kstr(&j, "head", w->head_key);
	if ((rate = rate_learned()) > 0) {
		char num[32];

		snprintf(num, sizeof num, "%.2f", rate);
		jw_key(&j, "rate");
		jw_num_raw(&j, num);
	}
	if (w->forbidden)
		jw_kbool(&j, "forbidden", 1);
	if (w->unavailable)
		jw_kbool(&j, "unavailable", 1);
	if (w->unserved > 0)
		jw_kint(&j, "unserved", w->unserved);
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
	msg_flush_stdout(out);
	pthread_mutex_unlock(&out_lock);
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
yajl_val
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
 * A bookmark comes from --state, the database or a spool: anyone may have
 * written it, so a link url_rebase cannot keep on the base is an error.
 */
static char *
rebase(const char *key, const char *next)
{
	char *u = url_rebase(opt.base_url, next), *c;

	if (u == NULL) {
		c = url_clean(next);
		say("%s: the bookmark's next link cannot be followed on %s: %s", key,
		    opt.base_url, c);
		free(c);
		exit(EXIT_DATAERR);
	}
	return u;
}

/* The URL of a list's first page: the base URL, the path (with the playlist), the query. */
char *
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

void
walk_init(struct walk *w, const char *stream, const struct endpoint *ep, const char *playlist,
    const char *snapshot)
{
	yajl_val b, r;
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
	prov_bookmark_key(w->key, sizeof w->key, stream, playlist);
	w->first_url = list_url(ep->path, ep, playlist);
	if (opt.sync_id)
		snprintf(w->sync_id, sizeof w->sync_id, "%s", opt.sync_id);
	else
		new_sync_id(w->sync_id);

	/* resume after the last committed page of an unfinished sync */
	b = bookmark_for(w->key, stream, playlist);
	w->set_whole = 1;
	w->prev_count = -1;
	if (b == NULL || json_bool(json_member(b, "complete"), 0) ||
	    json_bool(json_member(b, "forbidden"), 0) ||
	    json_bool(json_member(b, "unavailable"), 0))
		return;
	if ((s = json_str(json_member(b, "sync_id"))) != NULL && !opt.sync_id)
		snprintf(w->sync_id, sizeof w->sync_id, "%s", s);
	if ((s = json_str(json_member(b, "mode"))) != NULL && opt.since == NULL)
		w->incremental = strcmp(s, "incremental") == 0;
	if ((s = json_str(json_member(b, "next"))) != NULL)
		w->next = rebase(w->key, s);
	/* counts past COUNT_MAX are not counts (and would overflow the sums below) */
	if (json_int(json_member(b, "offset"), &n) == 0 && n >= 0 && n <= COUNT_MAX)
		w->offset = n;
	if (json_int(json_member(b, "fetched"), &n) == 0 && n >= 0 && n <= COUNT_MAX)
		w->fetched = n;
	if (json_int(json_member(b, "skipped"), &n) == 0 && n > 0 && n <= COUNT_MAX)
		w->skipped = n;
	if (json_int(json_member(b, "rejected"), &n) == 0 && n > 0 && n <= COUNT_MAX)
		w->rejected = n;
	if (json_int(json_member(b, "total"), &n) == 0 && n >= 0 && n <= COUNT_MAX)
		w->total = n;
	if (json_int(json_member(b, "pages"), &n) == 0 && n >= 0 && n <= COUNT_MAX)
		w->pages = n;
	if (json_int(json_member(b, "pass"), &n) == 0 && n > 0 && n <= 1000000)
		w->pass = (int)n;
	if ((s = json_str(json_member(b, "last_key"))) != NULL)
		snprintf(w->last_key, sizeof w->last_key, "%s", s);
	if ((s = json_str(json_member(b, "head"))) != NULL)
		snprintf(w->head_key, sizeof w->head_key, "%s", s);
	if ((s = json_str(json_member(b, "throttled_until"))) != NULL)
		snprintf(w->throttled_until, sizeof w->throttled_until, "%s", s);
	if ((r = json_member(b, "rate")) != NULL && YAJL_IS_NUMBER(r))
		rate_start(YAJL_GET_DOUBLE(r));
	if (w->next == NULL) {
		/* an unfinished pass with nowhere to go on: start the list again */
		w->offset = w->fetched = w->skipped = w->rejected = 0;
		w->last_key[0] = '\0';
		w->head_key[0] = '\0';
	} else {
		/* mid-list: the list may have shrunk past the bookmark since (answers.c) */
		w->resumed = 1;
		w->set_whole = w->fetched == 0;
	}
}

/* A bookmark that says the provider asked to wait: wait now, or stop again at once. */
int
honour_throttle(struct walk *w)
{
	time_t until, now = time(NULL);
	long long ms;

	if (w->throttled_until[0] == '\0' || iso8601_parse(w->throttled_until, &until) != 0 ||
	    until <= now) {
		w->throttled_until[0] = '\0';
		return 0;
	}
	if (until - now > (time_t)(opt.max_retry_after_ms / 1000)) {
		/* longer than any wait we honour (a bogus date): ask the provider again */
		tell(note, w->key, "note", "ignoring a throttle until %s, past --max-retry-after; "
		    "asking again", w->throttled_until);
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

void
walk_tools(struct walk *w)
{
	static const struct page_callbacks cb = { on_item, NULL };

	setup_curl(w);
	w->page = page_new(w->ep->items, opt.cap, &cb, w);
	buf_init(&w->line);
	buf_init(&w->held);
}

/* Frees what one walk allocated; the tools stay for the next walk. */
void
walk_done(struct walk *w)
{
	free(w->next);
	free(w->first_url);
	free(w->link_next);
	free(w->links);
	w->next = w->first_url = w->link_next = NULL;
	w->links = NULL;
	w->nlinks = w->links_cap = 0;
}

void
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

