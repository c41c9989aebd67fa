/*
 * rate.c: how fast requests go out, for every worker of the process at once.
 *
 * --rate (or a provider's documented quota) is a ceiling. Under it the rate is
 * learned from the provider's 429s the way TCP learns a path's capacity (AIMD):
 * nothing is assumed until the first 429; then the rate drops to 0.9 of what
 * the provider answered in the last second, each success adds a little (0.5%
 * a second from 10 requests a second up, 5% below), each later 429 takes a
 * tenth off again. A 429 answering a request
 * sent before the last cut is the same episode and cuts nothing. A wait the
 * provider asks for holds every worker, not just the one that was told.
 * Providers punish clients that keep hitting their limit (Spotify's
 * Retry-After grows to hours), so few 429s matter more than the last percent.
 */
#include <pthread.h>

#include "fetch.h"

#define RATE_FLOOR 0.05		/* requests per second: never slower than one in 20 s */
#define RATE_CUT 0.9		/* after a 429 */
#define RATE_STEP 0.005		/* added per success: 0.5% a second at any rate */
#define OK_RING 4096		/* times of the last answers, to measure the last second */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long long next_ms;		/* the earliest time the next request may go */
static double learned;			/* requests per second; 0: no 429 seen yet */
static long long last_cut_ms;		/* when the rate was last cut */
static long long answered[OK_RING];
static unsigned long nok;

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

void
rate_start(double r)
{
	pthread_mutex_lock(&lock);
	if (r >= RATE_FLOOR && r <= 1e6)
		learned = r;
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
	long long now, wait = 0;
	double r;

	pthread_mutex_lock(&lock);
	now = mono_ms();
	if (next_ms > now)
		wait = next_ms - now;
	if ((r = pace()) > 0)
		next_ms = (next_ms > now ? next_ms : now) + (long long)(1000.0 / r);
	*sent_ms = now + wait;
	pthread_mutex_unlock(&lock);
	return nap(wait);
}

/* Pages the provider served in the second before now. */
static double
last_second(long long now)
{
	unsigned long n = 0;

	for (unsigned long i = nok; i > 0 && nok - i < OK_RING; i--)
		if (answered[(i - 1) % OK_RING] > now - 1000)
			n++;
		else
			break;
	return (double)n;
}

void
rate_throttled(long long sent_ms, long long wait_ms)
{
	long long now;
	double seen;

	pthread_mutex_lock(&lock);
	now = mono_ms();
	if (sent_ms > last_cut_ms) {
		seen = last_second(now);
		if (seen < 1)
			seen = 1;
		learned = RATE_CUT * (learned > 0 ? learned : seen);
		if (learned < RATE_FLOOR)
			learned = RATE_FLOOR;
		last_cut_ms = now;
	}
	if (now + wait_ms > next_ms)
		next_ms = now + wait_ms;
	pthread_mutex_unlock(&lock);
}

void
rate_ok(void)
{
	double c = ceiling();

	pthread_mutex_lock(&lock);
	answered[nok++ % OK_RING] = mono_ms();
	if (learned > 0) {
		/*
		 * 0.5% a second at any rate of 10 a second or more; below, 5% a
		 * second, so that a stray 429 early on (a provider's hiccup, not its
		 * quota) cannot leave a sync crawling for good
		 */
		learned += learned < 10 ? 10 * RATE_STEP : RATE_STEP;
		if (c > 0 && learned > c)
			learned = c;
	}
	pthread_mutex_unlock(&lock);
}
