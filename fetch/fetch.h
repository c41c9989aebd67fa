/*
 * fetch.h: the parts of fetch-pages (one program, several files).
 *
 *   main.c       main: options, usage, the shared state (opt, tokens, locks)
 *   token.c      tokens: --token-file, CRATE_TOKEN, --token-cmd, the refresh after a 401
 *   http.c       curl: callbacks, one request, redirects, retries and backoff,
 *                waiting out a 429 (fetch_page)
 *   rate.c       how fast requests go: --rate as a ceiling, the rate learned from 429s
 *   answers.c    what each provider's answer means: HTTP status, error body, error
 *                code -> OK, EMPTY, RETRY, THROTTLED, AUTH, FORBIDDEN, MISSING,
 *                PAST_END or FATAL (one table per provider, each row citing its source)
 *   walk.c       one list walk: the page's items into RECORDs, paging, drift and
 *                passes, loops, the end of a walk
 *   bookmark.c   emitting SCHEMA and STATE (the bookmark), starting a walk from
 *                scratch or from --state, a walk's tools
 *   par.c        -P: the pages of one list, N at a time, written in order
 *   playlists.c  playlist_items: playlist ids on stdin, -P walks at once
 *   providers.c  the built-in providers' endpoints, --profile (providers.h)
 *   url.c        URL strings: origins, parameters, credentials (url.h)
 */
#ifndef FETCH_H
#define FETCH_H

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "msg.h"
#include "page.h"
#include "providers.h"
#include "util.h"

#define MAX_BACKOFF 16
#define MAX_PASSES 3
#define COUNT_MAX (1LL << 50)	/* the largest count or offset taken from a page or bookmark */
#define MAX_429 50
#define SKIPPED_KEY "\001skipped"	/* the key of an item over the cap */

/* ---- the shared state (main.c) ---- */

extern struct opts {
	const struct provider *prov;
	int prov_id;		/* the mapping (prov.h) */
	const char *base_url;
	int raw;
	const char *state_json;
	const char *since;
	int workers;
	int limit;
	double rate;
	long long max_wait_ms;
	long long max_retry_after_ms;	/* a Retry-After longer than this counts as this */
	long long stall_ms;		/* no byte for this long: the request failed */
	long long backoff_ms[MAX_BACKOFF];
	int nbackoff;
	long long timeout_ms, connect_timeout_ms;
	size_t cap, max_body;
	const char *sync_id;
	const char *token_file, *token_cmd, *user_token_file;
} opt;

/* The tokens; read and replaced under token_lock. token_generation counts refreshes. */
extern char *token, *user_token;
extern pthread_mutex_t token_lock;
extern unsigned token_generation;
/* Standard output: whole lines under out_lock. */
extern pthread_mutex_t out_lock;
extern struct msg_writer *out;
extern volatile sig_atomic_t stopping;	/* SIGINT or SIGTERM */
extern yajl_val state_root;		/* --state, parsed, or NULL */
extern char now_iso[ISO8601_LEN];	/* time_extracted */

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
	long long fetched;		/* items emitted in this pass (with the skipped) */
	long long skipped;		/* items of this pass that could not be read */
	long long rejected;		/* validate's count from earlier runs of this pass */
	long long total;		/* -1: unknown */
	long long pages;
	int pass;
	char last_key[512];		/* the identity of the last item emitted */
	char throttled_until[ISO8601_LEN];
	const char *error;
	char error_buf[600];		/* error, when it is made of w->why */
	int complete, forbidden;
	int unavailable;		/* a playlist whose entries answered 404 */
	long long unserved;		/* items the total counts and the provider never serves */
	char head_key[512];		/* the first item of the pass (newest-first lists) */
	int resumed;			/* started mid-list from a bookmark; no page taken yet */
	/* the passes' item sets: a sum of hashes of keys, order-free */
	unsigned long long pass_set, prev_set, page_set;
	int set_whole;			/* pass_set covers the whole pass (not resumed) */
	long long prev_count, prev_total;
	int fell_back;			/* the endpoint's fallback path is in use */
	long long pass_pages;		/* pages of this pass (page-number paging) */
	int sequential;			/* -P found short pages: no more parallel */

	/* the page in flight */
	long status;
	long long page_offset;		/* the offset requested */
	int overlap;			/* the first item should be last_key */
	int drift, since_reached, emitting;
	size_t page_new;
	size_t page_skipped;		/* of page_new: items that could not be read */
	char page_last[512];
	char *link_next;
	char retry_after[128];
	size_t body_bytes;
	int body_over;
	int page_bad;
	char why[512];			/* what went wrong with the last request */
	long long sent_ms;		/* when the last request went out (mono_ms) */
	char first_key[512];		/* the page's first item (parallel pages) */
	int parallel;			/* -P: the overlap is judged after the fetch */
	int probe;			/* the head check: the first page again, not emitted */

	/* the worker's tools */
	CURL *curl;
	struct page *page;
	struct buf line;		/* one message being built */
	struct buf held;		/* lines held back until the page's STATE (workers) */
	int hold;
	/*
	 * Every next link and cursor of this pass, as 64-bit hashes in an open
	 * table (0 marks a free slot): a loop of any length is seen. It grows
	 * with the pages of one pass (8 bytes a page), not with the items.
	 */
	unsigned long long *links;
	size_t nlinks, links_cap;
};

/* What became of a request. */
enum outcome {
	OK,
	EMPTY,		/* "nothing here" on a fresh walk's first page: an empty collection */
	RETRY,		/* transient: back off and retry */
	THROTTLED,	/* rate limited: wait Retry-After */
	AUTH,		/* the token was refused */
	FORBIDDEN,	/* the provider refuses this list */
	MISSING,	/* no such list: a playlist gone, or a wrong URL (--base-url) */
	PAST_END,	/* a resumed walk asked past the end of a list that shrank */
	FATAL,		/* the provider's answer cannot be used */
	STOPPED,	/* a signal, or the walk decided (drift, --since) */
	GAVE_UP		/* retries exhausted */
};

/* ---- token.c ---- */
/* The tokens from the options and environment; dies when one is needed and missing. */
void load_tokens(void);
/* After a 401 with the token of generation gen: 0 when there is a new token to try. */
int refresh_token(unsigned gen);

/* ---- http.c ---- */
/* Sleeps ms milliseconds, or less when a signal asks to stop; returns -1 then. */
int nap(long long ms);
/* A new curl handle for w, its callbacks writing into w. */
void setup_curl(struct walk *w);
/*
 * Fetches the page at url, waiting out rate limits, retrying transient
 * failures with backoff and refreshing the token as the options say. Returns
 * OK, EMPTY, STOPPED (a signal, or the walk's own stop: drift, --since), or
 * why it gave up: GAVE_UP, THROTTLED (a wait past --max-wait;
 * w->throttled_until says until when), AUTH, FORBIDDEN, FATAL. w->why says more.
 */
enum outcome fetch_page(struct walk *w, const char *url);

/* ---- rate.c ---- */
/* Waits for the next request's slot; sets *sent_ms. -1 when a signal asks to stop. */
int rate_wait(long long *sent_ms);
/* A 429 to the request sent at sent_ms, asking to wait wait_ms: slower, and everyone waits. */
void rate_throttled(long long sent_ms, long long wait_ms);
void rate_ok(long long sent_ms);	/* the request sent then was served: a little faster */
double rate_learned(void);		/* for the bookmark; 0: nothing learned */
void rate_start(double r);		/* from the bookmark */

/* ---- answers.c ---- */
/*
 * What the answer to one request means, once its body is read: rc is curl's
 * code, clean the URL without credentials (for w->why, which it fills).
 */
enum outcome answer(struct walk *w, CURLcode rc, const char *clean);

/* ---- walk.c ---- */
/* The page items' callback: each item into a RECORD, or the page's judgement. */
int on_item(void *arg, struct page *p, const struct page_item *it);
/* The total a page announces, or -1. */
long long listed_total(const struct page *p);
/* Walks the list from w's bookmark on; returns the exit status (0, 65, 75, 77). */
int walk(struct walk *w);
/* A walk from its throttle wait to its closing note; returns the exit status. */
int run_one(struct walk *w);

/* ---- bookmark.c ---- */
void emit(struct walk *w, const char *line, size_t len);
void emit_schema(struct walk *w);
/* The STATE after a page (or at a stop): everything to resume after it. */
void emit_state(struct walk *w);
/* The bookmark of key in --state, or NULL. */
yajl_val bookmark_for(const char *key, const char *stream, const char *playlist);
/* The URL of a list's first page: the base URL, the path (with the playlist), the query. */
char *list_url(const char *path, const struct endpoint *ep, const char *playlist);
/* Starts w on a list, from its bookmark in --state when there is one; keeps w's tools. */
void walk_init(struct walk *w, const char *stream, const struct endpoint *ep,
    const char *playlist, const char *snapshot);
/* A bookmark that says the provider asked to wait: wait now (0), or stop again (75). */
int honour_throttle(struct walk *w);
void walk_tools(struct walk *w);	/* a connection, a page parser, buffers */
void walk_done(struct walk *w);		/* frees one walk's allocations, keeps the tools */
void walk_free(struct walk *w);		/* frees everything */

/* ---- par.c ---- */
#define PAR_DRIFT (-1)		/* parallel_pages: the list moved, walk again */
#define PAR_SHORT (-2)		/* parallel_pages: a page came short, go on in order */
/* The rest of w's pages, -P at a time: the walk's exit status, PAR_DRIFT or PAR_SHORT. */
int parallel_pages(struct walk *w);

/* ---- playlists.c ---- */
/* Walks the entries of each playlist named on stdin; returns the worst exit status. */
int run_playlists(const struct endpoint *ep);

#endif
