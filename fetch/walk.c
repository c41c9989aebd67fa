/*
 * walk.c: one list walk, page after page: the page's items into RECORDs, the
 * checks at each page (drift, total, loops, origin), a new pass when the list
 * moved, and the end of the walk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch.h"
#include "json.h"
#include "prov.h"
#include "url.h"

/* ---- the page's items ---- */

#define NULL_KEY "\002null@"	/* the key of a null element: its position */

/* FNV-1a, 64 bits; never 0, the table's free slot. */
static unsigned long long
hash(const char *s)
{
	unsigned long long h = 14695981039346656037ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h ? h : 1;
}

int
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
	else if (json_is_null(it->value))
		/* a null element (Spotify sends them) keeps its place in the overlap chain */
		snprintf(key, sizeof key, "%s%lld", NULL_KEY,
		    w->page_offset + (long long)it->index);
	else if (prov_item_key(opt.prov_id, it->value, key, sizeof key) != 0)
		key[0] = '\0';
	if (it->index == 0)
		w->page_set = 0;	/* a new page, or a new attempt at one */
	if (w->probe) {
		/* the head check: only the first item matters */
		if (it->index == 0)
			snprintf(w->first_key, sizeof w->first_key, "%s", key);
		return 0;
	}
	if (it->index == 0 && !w->overlap && w->page_offset == 0)
		snprintf(w->head_key, sizeof w->head_key, "%s", key);
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
	w->page_set += hash(key);
	if (it->error) {
		warn("%s: offset %lld: item skipped: %s", w->key,
		    w->page_offset + (long long)it->index, it->error);
		w->page_new++;
		w->page_skipped++;
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
			w->page_skipped++;
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

/* ---- the end of a walk ---- */

#define WALK_ON (-1)	/* a page's step: the walk goes on at w->next */

long long
listed_total(const struct page *p)
{
	long long total = -1;

	if (page_int(p, PAGE_TOTAL, &total) != 0)
		page_int(p, PAGE_META_TOTAL, &total);
	return total >= 0 && total <= COUNT_MAX ? total : -1;
}

/* The walk stops here: error (or NULL) goes in the last STATE; returns rc. */
static int
walk_end(struct walk *w, const char *error, int rc)
{
	if (error)
		w->error = error;
	emit_state(w);
	return rc;
}

/* The walk stops on what went wrong with the last request (w->why, prefixed). */
static int
walk_fail(struct walk *w, const char *prefix, int rc)
{
	snprintf(w->error_buf, sizeof w->error_buf, "%s%s", prefix, w->why);
	return walk_end(w, w->error_buf, rc);
}

/* The list is read to its end. */
static int
walk_complete(struct walk *w)
{
	free(w->next);
	w->next = NULL;
	w->complete = 1;
	return walk_end(w, NULL, 0);
}

static int
walk_stopped(struct walk *w)
{
	/* under sync-library, which says "interrupted" once */
	tell(say, w->key, "note", "%s", "stopped by a signal; run the same command to resume");
	return EXIT_TEMPFAIL;
}

/* ---- the links of a pass ---- */


/* Adds h to the pass's links; 1 when it was there already. */
static int
link_seen(struct walk *w, unsigned long long h)
{
	size_t i, mask;

	if (2 * (w->nlinks + 1) > w->links_cap) {
		size_t cap = w->links_cap ? 2 * w->links_cap : 64;
		unsigned long long *t = xcalloc(cap, sizeof *t);

		for (size_t j = 0; j < w->links_cap; j++)
			if (w->links[j])
				for (i = w->links[j] & (cap - 1); ; i = (i + 1) & (cap - 1))
					if (t[i] == 0) {
						t[i] = w->links[j];
						break;
					}
		free(w->links);
		w->links = t;
		w->links_cap = cap;
	}
	mask = w->links_cap - 1;
	for (i = h & mask; w->links[i]; i = (i + 1) & mask)
		if (w->links[i] == h)
			return 1;
	w->links[i] = h;
	w->nlinks++;
	return 0;
}

/* A new pass has seen no link yet. */
static void
links_forget(struct walk *w)
{
	if (w->links)
		memset(w->links, 0, w->links_cap * sizeof *w->links);
	w->nlinks = 0;
}

/* How the list was seen to change under the walk. */
enum change {
	CHANGED_ITEMS,	/* a page did not start with the last item of the page before */
	CHANGED_TOTAL,	/* a page announced another total */
	CHANGED_COUNT,	/* the end came with another count than the total */
	CHANGED_WINDOW,	/* -P: a page of the window saw one of the above */
	CHANGED_HEAD,	/* newest first: the first page no longer begins as it did */
	CHANGED_SHRUNK	/* a resumed walk's bookmark lies past the end of the list */
};

/* A new pass from the start of the list, announced by its STATE before its first record. */
static int
new_pass(struct walk *w)
{
	w->prev_set = w->pass_set;
	w->prev_count = w->set_whole ? w->fetched : -1;
	w->prev_total = w->total;
	w->pass_set = 0;
	w->set_whole = 1;
	w->pass++;
	w->resumed = 0;
	free(w->next);
	w->next = NULL;
	w->offset = 0;
	w->fetched = 0;
	w->skipped = 0;
	w->rejected = 0;
	w->last_key[0] = '\0';
	w->head_key[0] = '\0';
	links_forget(w);
	w->pass_pages = 0;
	w->total = -1;	/* the new pass takes the total of its first page */
	emit_state(w);
	return WALK_ON;
}

/*
 * The list changed under the walk: walk it again from the start (a new pass,
 * announced by its STATE), or after MAX_PASSES stop, partial. total is the
 * new total for CHANGED_TOTAL.
 */
static int
walk_again(struct walk *w, enum change c, long long total)
{
	if (c == CHANGED_SHRUNK) {
		/* not a change during this walk: no pass is spent on it */
		warn("%s: the list ends before offset %lld (it shrank since the last run: %s); "
		    "walking it again from the start", w->key, w->page_offset, w->why);
		return new_pass(w);
	}
	if (w->pass >= MAX_PASSES) {
		switch (c) {
		case CHANGED_TOTAL:
			say("%s: the total keeps changing (%lld, then %lld); partial", w->key,
			    w->total, total);
			return walk_end(w, "the total changed during every pass", EXIT_TEMPFAIL);
		case CHANGED_COUNT:
			say("%s: %lld items seen but the provider says %lld; partial", w->key,
			    w->fetched, w->total);
			return walk_end(w, "the count does not match the total", EXIT_TEMPFAIL);
		default:
			say("%s: the list keeps changing under the walk (%d passes); partial",
			    w->key, w->pass);
			return walk_end(w, "the list changed during every pass", EXIT_TEMPFAIL);
		}
	}
	switch (c) {
	case CHANGED_ITEMS:
		tell(warn, w->key, "note", "the list changed at offset %lld during the walk; "
		    "walking it again (pass %d of %d)", w->page_offset, w->pass + 1, MAX_PASSES);
		break;
	case CHANGED_TOTAL:
		tell(warn, w->key, "note", "the total changed from %lld to %lld during the walk; "
		    "walking it again (pass %d of %d)", w->total, total, w->pass + 1, MAX_PASSES);
		break;
	case CHANGED_COUNT:
		tell(warn, w->key, "note", "%lld items seen but the provider says %lld; "
		    "walking again (pass %d of %d)", w->fetched, w->total, w->pass + 1, MAX_PASSES);
		break;
	case CHANGED_WINDOW:
		tell(warn, w->key, "note", "the list changed during the walk; walking it again "
		    "(pass %d of %d)", w->pass + 1, MAX_PASSES);
		break;
	case CHANGED_HEAD:
		warn("%s: the first page no longer begins as it did: items were added during "
		    "the walk; walking it again (pass %d of %d)", w->key, w->pass + 1, MAX_PASSES);
		break;
	case CHANGED_SHRUNK:
		break;
	}
	return new_pass(w);
}

/* ---- one page ---- */

/* The page at the bookmark: with offsets, one item early to check the boundary. */
static enum outcome
fetch_at_bookmark(struct walk *w)
{
	char num[32], *url = xstrdup(w->next ? w->next : w->first_url), *v;
	enum outcome o;

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
	return o;
}

/* A page that did not come: fetch_page's outcome o, other than OK and STOPPED. */
static int
page_failed(struct walk *w, enum outcome o)
{
	char *a, *b;

	switch (o) {
	case EMPTY:
		w->total = 0;
		w->pages++;
		return walk_complete(w);
	case MISSING:
		if (w->playlist_id && w->ep->fallback && !w->fell_back && w->status == 404) {
			/* an API without the newer path: the older one */
			w->fell_back = 1;
			a = url_clean(w->first_url);
			free(w->first_url);
			w->first_url = list_url(w->ep->fallback, w->ep, w->playlist_id);
			b = url_clean(w->first_url);
			free(w->next);
			w->next = NULL;
			tell(note, w->key, "note", "%s answered 404; trying %s", a, b);
			free(a);
			free(b);
			return WALK_ON;
		}
		if (w->playlist_id && w->status == 404) {
			/*
			 * The playlist's entries are not served (Spotify-owned and editorial
			 * playlists): its rows are kept, as for a forbidden one; never
			 * complete, never empty.
			 */
			warn("%s: the provider does not serve this playlist's entries (%s); skipped",
			    w->key, w->why);
			w->unavailable = 1;
			free(w->next);
			w->next = NULL;
			return walk_end(w, NULL, 0);
		}
		say("%s: %s on the first page: is --base-url right (%s)?", w->key, w->why,
		    opt.base_url);
		return walk_fail(w, w->status == 404 ? "HTTP 404 on the first page: " :
		    "not this API's answer on the first page: ", EXIT_DATAERR);
	case PAST_END:
		return walk_again(w, CHANGED_SHRUNK, -1);
	case GAVE_UP:
		return walk_fail(w, "", EXIT_TEMPFAIL);
	case THROTTLED:
		snprintf(w->error_buf, sizeof w->error_buf, "rate limited until %s",
		    w->throttled_until);
		return walk_end(w, w->error_buf, EXIT_TEMPFAIL);
	case AUTH:
		return walk_fail(w, "authentication failed: ", EXIT_NOPERM);
	case FORBIDDEN:
		if (w->playlist_id) {
			tell(warn, w->key, "forbidden",
			    "the provider refuses this playlist (%s); skipped", w->why);
			w->forbidden = 1;
			free(w->next);
			w->next = NULL;
			return walk_end(w, NULL, 0);
		}
		say("%s: forbidden: %s", w->key, w->why);
		return walk_fail(w, "forbidden: ", EXIT_NOPERM);
	default:	/* FATAL */
		say("%s: %s", w->key, w->why);
		return walk_fail(w, "", EXIT_DATAERR);
	}
}

/* The next page as the page names it (Link header or body), or NULL at the end. */
static const char *
next_link(const struct walk *w)
{
	const char *nx;

	if (w->ep->paging == PAGING_PAGE)
		return NULL;	/* page numbers: see page_taken */
	nx = w->ep->paging == PAGING_LINK && w->link_next ? w->link_next :
	    page_str(w->page, PAGE_NEXT);
	if (nx == NULL && w->link_next)
		nx = w->link_next;
	return nx && *nx ? nx : NULL;
}

/*
 * Whether next goes back instead of on: an offset that does not advance, a
 * next link seen before, more items than the total could hold. Says which;
 * else moves w->offset to next's first item and returns 0.
 */
static int
loops(struct walk *w, const char *next)
{
	long long off;
	char *v;

	if (w->ep->paging == PAGING_OFFSET) {
		v = url_param(next, w->ep->offset_param);
		if (v == NULL || parse_ll(v, 0, 1LL << 50, &off) != 0)
			off = w->fetched;
		free(v);
		if (off <= w->offset) {
			say("%s: the next page does not advance (offset %lld after %lld): a loop",
			    w->key, off, w->offset);
			return 1;
		}
		w->offset = off;
	} else {
		if (link_seen(w, hash(next))) {
			v = url_clean(next);
			say("%s: the next link repeats (%s): a loop", w->key, v);
			free(v);
			return 1;
		}
		w->offset = w->fetched;
	}
	if (w->total >= 0 && w->fetched > w->total + 2LL * w->ep->max_limit + 100) {
		say("%s: %lld items seen but the total is %lld: a loop", w->key, w->fetched,
		    w->total);
		return 1;
	}
	return 0;
}

/*
 * The head check of a newest-first list, whose additions come at the top: the
 * first page read again must begin with the item it began with, and announce
 * the same total. Returns 0 when it does, 1 when it does not, or the walk's
 * exit status (+ 2) when the page did not come.
 */
static int
head_moved(struct walk *w)
{
	enum outcome o;
	long long total;

	w->probe = 1;
	o = fetch_page(w, w->first_url);
	w->probe = 0;
	if (o == STOPPED && stopping)
		return walk_stopped(w) + 2;
	if (o != OK)
		return page_failed(w, o) + 2;
	total = listed_total(w->page);
	return strcmp(w->first_key, w->head_key) != 0 || (total >= 0 && total != w->total);
}

/*
 * The end of a pass: every item the total announced, or a structural
 * shortfall (two passes saw the identical items and the total stays higher:
 * Deezer counts tracks it never serves), or walk again. A newest-first list
 * is then checked at its head.
 */
static int
pass_end(struct walk *w)
{
	int rc;

	w->complete = w->total < 0 || w->fetched == w->total;
	if (!w->complete && w->set_whole && w->prev_count >= 0 &&
	    w->prev_count == w->fetched && w->prev_set == w->pass_set &&
	    w->prev_total == w->total && w->total > w->fetched) {
		w->unserved = w->total - w->fetched;
		warn("%s: the provider counts %lld items it does not serve (the same %lld items "
		    "in two passes, total %lld); complete", w->key, w->unserved, w->fetched,
		    w->total);
		w->complete = 1;
	}
	if (!w->complete)
		return walk_again(w, CHANGED_COUNT, -1);
	if (w->ep->newest_first && opt.since == NULL && w->pass_pages > 1 && w->head_key[0]) {
		w->complete = 0;
		if ((rc = head_moved(w)) == 1)
			return walk_again(w, CHANGED_HEAD, -1);
		if (rc != 0)
			return rc - 2;
		w->complete = 1;
	}
	return walk_end(w, NULL, 0);
}

/* -P once the total is known: the rest of the pages, N at a time, in order. */
static int
window(struct walk *w)
{
	int rc = parallel_pages(w);

	if (rc == 0 && !w->complete)
		return pass_end(w);	/* read to the end: the checks of a pass's end */
	if (rc >= 0)
		return rc;
	if (stopping)
		return walk_stopped(w);
	if (rc == PAR_SHORT) {
		/* a short page: the provider's next links from here on */
		w->sequential = 1;
		return WALK_ON;
	}
	return walk_again(w, CHANGED_WINDOW, -1);
}

/* On to the page at nx (the page's own next link), after checking where it goes. */
static int
follow(struct walk *w, const char *nx)
{
	char *next = url_resolve(opt.base_url, nx), *c;

	if (next == NULL) {
		c = url_clean(nx);
		say("%s: refusing a next link to another origin: %s", w->key, c);
		free(c);
		free(next);
		return walk_end(w, "next link to another origin", EXIT_DATAERR);
	}
	if (loops(w, next)) {
		free(next);
		return walk_end(w, "paging loop", EXIT_DATAERR);
	}
	free(w->next);
	w->next = next;
	emit_state(w);
	if (opt.workers > 1 && w->ep->paging == PAGING_OFFSET && w->ep->limit_param &&
	    w->total >= 0 && opt.since == NULL && w->playlist_id == NULL &&
	    w->last_key[0] && !w->sequential)
		return window(w);
	return WALK_ON;
}

/* A page that arrived whole (its items emitted): count it, then where next. */
static int
page_taken(struct walk *w)
{
	long long total = listed_total(w->page);
	char num[32], *v;
	const char *nx;

	if (total >= 0 && w->total >= 0 && total != w->total && !w->since_reached)
		return walk_again(w, CHANGED_TOTAL, total);
	if (total >= 0)
		w->total = total;
	w->fetched += (long long)w->page_new;
	w->skipped += (long long)w->page_skipped;
	w->pages++;
	w->pass_pages++;
	if (w->page_last[0])
		memcpy(w->last_key, w->page_last, sizeof w->last_key);
	w->pass_set += w->page_set;
	w->resumed = 0;
	if (w->since_reached)	/* an incremental walk ends at the first item older than --since */
		return walk_complete(w);
	if (w->ep->paging == PAGING_PAGE && w->page_new > 0) {
		/* page numbers: the next one until a page comes back empty */
		snprintf(num, sizeof num, "%lld", w->pass_pages + 1);
		v = url_set_param(w->next ? w->next : w->first_url, w->ep->offset_param, num);
		free(w->next);
		w->next = v;
		w->offset = w->fetched;
		emit_state(w);
		return WALK_ON;
	}
	if ((nx = next_link(w)) != NULL)
		return follow(w, nx);
	free(w->next);
	w->next = NULL;
	w->offset = w->fetched;
	return pass_end(w);
}

/* ---- the walk ---- */

/*
 * Fetches the list from w's bookmark on, page after page, until a step ends
 * it. Returns the exit status of the walk: 0 complete, 75 partial, 77
 * authentication, 65 data.
 */
int
walk(struct walk *w)
{
	enum outcome o;
	int rc;

	do {
		o = fetch_at_bookmark(w);
		if (o == STOPPED && stopping)
			return walk_stopped(w);
		if (o != OK && o != STOPPED)
			rc = page_failed(w, o);
		else if (w->drift)	/* the page did not start where the last one ended */
			rc = walk_again(w, CHANGED_ITEMS, -1);
		else			/* whole, or cut short by --since */
			rc = page_taken(w);
	} while (rc == WALK_ON);
	return rc;
}

/* A walk from its throttle wait to its closing note. */
int
run_one(struct walk *w)
{
	int rc;

	if ((rc = honour_throttle(w)) != 0)
		return rc;
	rc = walk(w);
	if (rc == 0)
		tell(note, w->key, "note", "%lld items in %lld pages%s", w->fetched, w->pages,
		    w->forbidden ? ", forbidden" : w->unavailable ? ", unavailable" :
		    w->complete ? ", complete" : "");
	if (rc == 0 && w->skipped > 0) {
		warn("%s: items that could not be read: %lld; nothing will be removed for it "
		    "in this sync", w->key, w->skipped);
		rc = EXIT_REJECTS;
	}
	return rc;
}

