/*
 * par.c: -P on one list: once the total is known, the remaining pages N at a
 * time, each judged and written in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "url.h"

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
	long long total;
	struct buf swap;
	char num[32], *next, *v;
	long long off;
	int last;

	if (o != OK) {
		snprintf(w->why, sizeof w->why, "%s", pw->why);
		switch (o) {
		case GAVE_UP:
			snprintf(w->error_buf, sizeof w->error_buf, "%s", w->why);
			w->error = w->error_buf;
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
	total = listed_total(pw->page);
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
	w->skipped += (long long)pw->page_skipped;
	w->pages++;
	w->pass_pages++;
	if (pw->page_last[0])
		memcpy(w->last_key, pw->page_last, sizeof w->last_key);
	w->pass_set += pw->page_set;
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
		if (w->ep->newest_first && opt.since == NULL)
			w->complete = 0;	/* not before the head check (walk.c) */
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
		if (next == NULL) {
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
int
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
		/* under sync-library, which says "interrupted" once */
		tell(say, w->key, "note", "%s",
		    "stopped by a signal; run the same command to resume");
		return EXIT_TEMPFAIL;
	}
	return q.rc;
}

