/*
 * rate.c: how fast requests go out, for every worker of the process at once.
 *
 * --rate (or a provider's documented quota) is a ceiling. Under it the rate is
 * learned from the provider's 429s the way TCP learns a path's capacity (AIMD,
 * with CUBIC's memory of where the last loss was):
 *
 * - Requests start evenly spaced at the pace (a token bucket of one), however
 *   many workers (-P) wait for a slot, so that N workers never meet the limit
 *   together; the window of requests in flight is then the rate times the
 *   latency, whatever -P allows beyond it.
 * - Nothing is assumed until the first 429; then the rate drops to 0.9 of what
 *   the provider served in the last second (its quota, for a rolling window).
 *   A 429 before there is anything to measure (fewer than RATE_MEASURE pages
 *   in the last second: a 429 to the first requests, with no quota behind it,
 *   as the demo's random ones) only holds everyone for its wait; a second one
 *   is a quota, measured as it is.
 * - Each later 429 takes a tenth off the rate it came at, and remembers that
 *   rate (top). A quota is confirmed when one episode brings several 429s (the
 *   requests in flight all met it) or the next one comes as soon as the rate
 *   goes past top (a quota bites there; a stray 429 comes at any time), and
 *   stays so while 429s come as the rate creeps up to top. Until then the 429
 *   may have been a stray one: successes climb fast (5% a second) all the way
 *   back to top. Under a confirmed quota they climb fast to just under top,
 *   then creep (0.05% a second), as each 429 of a quota costs its whole
 *   Retry-After. Past top the rate probes ever faster (1% a second, doubling
 *   each half second, as CUBIC's convex probe): the quota may have grown, or
 *   another process sharing it stopped, or top was measured while little was
 *   asked for.
 * - A 429 answering a request sent before the last cut is the same episode and
 *   cuts nothing. A wait the provider asks for (Retry-After, or the backoff
 *   when none is given) holds every worker, even one already waiting for its
 *   slot.
 *
 * Providers punish clients that keep hitting their limit, so few 429s matter
 * more than the last percent of the quota. Spotify counts calls "within a
 * rolling 30 second window" and answers 429 with Retry-After in seconds
 * (https://developer.spotify.com/documentation/web-api/concepts/rate-limits);
 * Deezer allows "50 requests / 5 seconds" and answers error code 4, "Quota
 * limit exceeded", with HTTP 200 (https://developers.deezer.com/api, Quota;
 * its ceiling in main.c); Apple Music answers 429 Too Many Requests
 * (https://developer.apple.com/documentation/applemusicapi/handling-requests-and-responses)
 * and publishes neither its limits nor a Retry-After
 * (https://developer.apple.com/forums/thread/699396), so its wait is the backoff.
 */
#include <pthread.h>
#include <time.h>

#include "fetch.h"

#define RATE_FLOOR 0.05		/* requests per second: never slower than one in 20 s */
#define RATE_CUT 0.9		/* after a 429 */
#define RATE_NEAR 0.97		/* of top: up to here the climb is fast */
#define RATE_FAST 0.05		/* added per success: 5% a second, back towards top */
#define RATE_CREEP 0.0005	/* 0.05% a second, from near top to top */
#define RATE_PROBE 0.01		/* 1% a second past top, doubling each half second */
#define RATE_PROBE_MAX 1.0	/* at most 100% a second */
#define RATE_CONFIRM_MS 1500	/* a 429 this soon after passing top confirms it */
#define RATE_MEASURE 4		/* pages in the last second, to measure a quota by */
#define OK_RING 4096		/* the last pages served, to measure a second by */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long long next_us;		/* the earliest time the next request may go */
static double learned;			/* requests per second; 0: no 429 seen yet */
static double top;			/* the rate the last 429 came at */
static long long last_cut_ms;		/* when the rate was last cut */
static unsigned long episodes;		/* cuts, and 429s that measured nothing */
static unsigned long holds;		/* waits the provider asked for */
static int confirmed;			/* top is a quota, not a stray 429's */
static long long past_top_ms;		/* when the rate went past top; 0: not */
static long long answered[OK_RING];	/* when the pages served were asked for */
static unsigned long nok;

/*
 * Microseconds: in milliseconds 1000 / 19.2 rounds to 52 and the pace would
 * be 19.6, 2% over what was learned, against a window that counts to 20.
 */
static long long
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double
ceiling(void)
{
	return opt.rate > 0 ? opt.rate : 0;
}

/* The pace now, in requests per second; 0: no pacing. */
static double
pace(void)
{
	double c = ceiling();

	if (learned > 0 && (c == 0 || learned < c))
		return learned;
	return c;
}

/*
 * A rate learned before: a quota, crept up to (a resume after an interruption
 * meets the same one), then probed past within a minute if it was a stray's.
 */
void
rate_start(double r)
{
	pthread_mutex_lock(&lock);
	if (r >= RATE_FLOOR && r <= 1e6) {
		learned = r;
		top = r / RATE_NEAR;
		confirmed = 1;
	}
	pthread_mutex_unlock(&lock);
}

double
rate_learned(void)
{
	double r;

	pthread_mutex_lock(&lock);
	r = learned;
	pthread_mutex_unlock(&lock);
	return r;
}

int
rate_wait(long long *sent_ms)
{
	long long now, wait;
	unsigned long h;
	double r;
	int same;

	for (;;) {
		pthread_mutex_lock(&lock);
		now = mono_us();
		wait = next_us > now ? next_us - now : 0;
		if ((r = pace()) > 0)
			next_us = (next_us > now ? next_us : now) + (long long)(1e6 / r);
		*sent_ms = (now + wait) / 1000;
		h = holds;
		pthread_mutex_unlock(&lock);
		if (nap((wait + 999) / 1000) != 0)
			return -1;
		pthread_mutex_lock(&lock);
		same = h == holds;
		pthread_mutex_unlock(&lock);
		if (same)
			return 0;
		/* the provider asked everyone to wait while this slot was waited for */
	}
}

/*
 * Pages the provider served of the requests sent in the second before the one
 * sent at sent_ms: what its window held when it said no. By the time the
 * requests were sent, not answered: the window counts them as they arrive.
 */
static double
last_second(long long sent_ms)
{
	unsigned long n = 0;

	for (unsigned long i = nok; i > 0 && nok - i < OK_RING; i--)
		if (answered[(i - 1) % OK_RING] > sent_ms - 1000 &&
		    answered[(i - 1) % OK_RING] <= sent_ms)
			n++;
	return (double)n;
}

void
rate_throttled(long long sent_ms, long long wait_ms)
{
	long long now;
	double seen, c = ceiling();

	pthread_mutex_lock(&lock);
	now = mono_ms();
	holds++;
	if (sent_ms > last_cut_ms) {
		seen = last_second(sent_ms);
		/*
		 * a quota bites as soon as the rate goes past it, or, once
		 * confirmed, while creeping up to it; a stray comes any time
		 */
		confirmed = (past_top_ms > 0 && now - past_top_ms < RATE_CONFIRM_MS) ||
		    (confirmed && learned >= RATE_NEAR * top);
		if (learned > 0) {
			/* the pace it came at, or what the window held when more */
			top = c > 0 && learned > c ? c : learned;
			if (seen > top)
				top = seen;
		} else if (seen >= RATE_MEASURE || episodes > 0)
			top = seen < 1 ? 1 : seen;
		else
			top = 0;	/* nothing to measure yet: only the wait */
		if (top > 0) {
			learned = RATE_CUT * top;
			if (learned < RATE_FLOOR)
				learned = RATE_FLOOR;
		}
		past_top_ms = 0;
		episodes++;
		last_cut_ms = now;
	} else
		confirmed = 1;	/* several requests met the limit together */
	if (mono_us() + wait_ms * 1000 > next_us)
		next_us = mono_us() + wait_ms * 1000;
	pthread_mutex_unlock(&lock);
}

void
rate_ok(long long sent_ms)
{
	double c = ceiling(), f;
	long long now;

	pthread_mutex_lock(&lock);
	now = mono_ms();
	answered[nok++ % OK_RING] = sent_ms;
	if (learned > 0) {
		/* added per page: a share of the rate a second (the file's comment) */
		if (learned < (confirmed ? RATE_NEAR : 1) * top)
			learned += RATE_FAST;
		else if (learned < top)
			learned += RATE_CREEP;
		else {
			if (past_top_ms == 0)
				past_top_ms = now;
			f = RATE_PROBE;
			for (long long s = now - past_top_ms; s >= 500 && f < RATE_PROBE_MAX; s -= 500)
				f *= 2;
			learned += f < RATE_PROBE_MAX ? f : RATE_PROBE_MAX;
		}
		if (c > 0 && learned > c)
			learned = c;
	}
	pthread_mutex_unlock(&lock);
}
