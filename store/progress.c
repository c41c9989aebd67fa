/*
 * Progress for people, on stderr. On a terminal: one live line per stream,
 * redrawn in place. Otherwise: a log line every few seconds. At the end: one
 * line per stream, and --report FILE as JSON. Streams with one bookmark per
 * playlist (playlist_items:ID) are added up under their base stream.
 *
 * Under sync-library (CRATE_STATUS_FD, see store(1)) nothing is drawn: the
 * progress lines and the final lines go to the status channel as events
 * "progress" and "end", and sync-library draws one status for the whole sync.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "json.h"
#include "util.h"

#include "store.h"

#define REDRAW_MS 250
#define MAXLINES 16

static int live;		/* stderr is a terminal */
static int channel;		/* progress goes to the status channel */
static long long log_ms;		/* otherwise, a log line this often */
static int lines_drawn;
static long long last_draw_ms;

struct total {
	const char *base, *provider;
	long long stored, new, updated, unchanged, removed, invalid, forbidden, unavailable;
	long long held, unserved, skipped;
	long long fetched, total, rejected;	/* -1: unknown */
	int complete, partial;
	time_t throttled_until;
	long long started_ms;
};

char *
fmt_count(long long v, char out[32])
{
	char digits[32];
	int n, i, j = 0;
	unsigned long long u = (unsigned long long)v;

	if (v < 0) {
		out[j++] = '-';
		u = 0 - u;	/* LLONG_MIN too: no signed overflow */
	}
	n = snprintf(digits, sizeof digits, "%llu", u);
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = digits[i];
	}
	out[j] = '\0';
	return out;
}

void
progress_init(long long log_interval_ms)
{
	log_ms = log_interval_ms;
	channel = status_channel();	/* under -q too: sync-library decides what to show */
	live = !util_quiet && !channel && isatty(STDERR_FILENO);
	last_draw_ms = mono_ms();
	/* A live line is drawn at once; log lines only once a run takes a while. */
	if (live)
		last_draw_ms -= REDRAW_MS;
}

int
progress_live(void)
{
	return live;
}

/* Sums saturate: counts from bookmarks may be anything up to LLONG_MAX. */
static long long
sat(long long a, long long b)
{
	if (b > 0 && a > LLONG_MAX - b)
		return LLONG_MAX;
	return a + b;
}

static void
add(long long *dst, long long v)
{
	if (v < 0)
		return;
	*dst = *dst < 0 ? v : sat(*dst, v);
}

/* Adds the streams up by base stream, in order of first appearance. */
static size_t
totals(struct stream **streams, size_t n, struct total *t, size_t max)
{
	size_t i, k, nt = 0;

	for (i = 0; i < n; i++) {
		const struct stream *s = streams[i];
		const struct counts *c = &s->cur;

		for (k = 0; k < nt; k++)
			if (strcmp(t[k].base, s->base) == 0)
				break;
		if (k == nt) {
			if (nt == max)
				continue;
			memset(&t[k], 0, sizeof t[k]);
			t[k].base = s->base;
			t[k].provider = s->provider;
			t[k].fetched = t[k].total = t[k].rejected = -1;
			t[k].complete = 1;
			t[k].started_ms = s->started_ms;
			nt++;
		}
		if (t[k].provider == NULL)
			t[k].provider = s->provider;
		t[k].stored = sat(t[k].stored, c->stored);
		t[k].new = sat(t[k].new, c->new);
		t[k].updated = sat(t[k].updated, c->updated);
		t[k].unchanged = sat(t[k].unchanged, c->unchanged);
		t[k].removed = sat(t[k].removed, c->removed);
		t[k].invalid = sat(t[k].invalid, c->invalid);
		t[k].forbidden = sat(t[k].forbidden, c->forbidden);
		t[k].unavailable = sat(t[k].unavailable, c->unavailable);
		t[k].held = sat(t[k].held, c->held > 0 ? c->held : 0);
		t[k].unserved = sat(t[k].unserved, c->unserved > 0 ? c->unserved : 0);
		t[k].skipped = sat(t[k].skipped, c->skipped > 0 ? c->skipped : 0);
		add(&t[k].fetched, c->fetched);
		add(&t[k].total, c->total);
		add(&t[k].rejected, c->rejected);
		if (!c->complete)
			t[k].complete = 0;
		if (s->throttled_until > t[k].throttled_until)
			t[k].throttled_until = s->throttled_until;
	}
	return nt;
}

/* Records stored over the whole sync when bookmarks count them, else in this run. */
static long long
done_count(const struct total *t)
{
	if (t->fetched >= 0)
		return t->rejected > t->fetched ? 0 : t->fetched - (t->rejected > 0 ? t->rejected : 0);
	return t->stored;
}

static void
line(struct buf *b, const struct total *t, long long now_ms)
{
	char n1[32], n2[32];
	double secs = (double)(now_ms - t->started_ms) / 1000.0;
	double rate = secs > 0 ? (double)t->stored / secs : 0;
	long long done = done_count(t);
	time_t wall = time(NULL);

	buf_printf(b, "%s: %s", t->base, fmt_count(done, n1));
	if (t->total > 0) {
		double pct = (double)done * 100 / (double)t->total;

		/* truncated, never rounded up to 100 before the end; in double: no overflow */
		buf_printf(b, " of %s (%d%%)", fmt_count(t->total, n2),
		    pct >= 100 ? 100 : pct <= 0 ? 0 : (int)pct);
	}
	buf_printf(b, ", %s/s", fmt_count(rate < 1e18 ? (long long)rate : LLONG_MAX, n1));
	if (t->total > 0 && rate > 0 && done < t->total)
		buf_printf(b, ", ETA %.0f s", ((double)t->total - (double)done) / rate);
	if (t->rejected > 0)
		buf_printf(b, ", %s rejected", fmt_count(t->rejected, n1));
	if (t->throttled_until > wall)
		buf_printf(b, ", rate limited, resuming in %lld s",
		    (long long)(t->throttled_until - wall));
	if (t->complete)
		buf_adds(b, ", complete");
}

void
progress_clear(void)
{
	if (!live || lines_drawn == 0)
		return;
	/* Up to the first live line, and clear to the end of the screen. */
	fprintf(stderr, "\r\033[%dA\033[J", lines_drawn);
	lines_drawn = 0;
}

void
progress_tick(struct stream **streams, size_t n, int force)
{
	struct total t[MAXLINES];
	struct buf b;
	long long now_ms = mono_ms();
	size_t nt, i;

	if (util_quiet || n == 0)
		return;
	if (!force && now_ms - last_draw_ms < (live || channel ? REDRAW_MS : log_ms))
		return;
	last_draw_ms = now_ms;
	nt = totals(streams, n, t, MAXLINES);
	buf_init(&b);
	if (live) {
		/*
		 * The live lines are drawn with escape codes in one write, not
		 * through note(): they are redrawn in place.
		 */
		if (lines_drawn)
			buf_printf(&b, "\r\033[%dA", lines_drawn);
		for (i = 0; i < nt; i++) {
			buf_printf(&b, "\r\033[K%s: ", util_progname);
			line(&b, &t[i], now_ms);
			buf_addc(&b, '\n');
		}
		fputs(b.data, stderr);
		fflush(stderr);
		lines_drawn = (int)nt;
	} else {
		for (i = 0; i < nt; i++) {
			buf_reset(&b);
			line(&b, &t[i], now_ms);
			/* the channel's KEY names the stream: the text goes without it */
			if (!channel || !status_event(t[i].base, "progress", "%s",
			    b.data + strlen(t[i].base) + 2))
				note("%s", b.data);
		}
	}
	buf_free(&b);
}

void
progress_final(struct stream **streams, size_t n, const char *status_if_partial)
{
	struct total t[MAXLINES];
	char n1[32], n2[32], n3[32];
	struct buf b;
	size_t nt, i;
	double secs;

	progress_clear();
	nt = totals(streams, n, t, MAXLINES);
	buf_init(&b);
	for (i = 0; i < nt; i++) {
		buf_reset(&b);
		secs = (double)(mono_ms() - t[i].started_ms) / 1000.0;
		if (t[i].complete) {
			buf_printf(&b, "%s: %s", t[i].base, fmt_count(done_count(&t[i]), n1));
			if (t[i].total >= 0)
				buf_printf(&b, " of %s", fmt_count(t[i].total, n2));
			buf_adds(&b, " stored");
			if (t[i].rejected > 0)
				buf_printf(&b, " (%s rejected)", fmt_count(t[i].rejected, n1));
			buf_printf(&b, ", %s new", fmt_count(t[i].new, n1));
			if (t[i].updated)
				buf_printf(&b, ", %s updated", fmt_count(t[i].updated, n2));
			buf_printf(&b, ", %s removed; complete in %.1f s",
			    fmt_count(t[i].removed, n3), secs);
		} else {
			buf_printf(&b, "%s: %s: %s", t[i].base, status_if_partial,
			    fmt_count(done_count(&t[i]), n1));
			if (t[i].total >= 0)
				buf_printf(&b, " of ~%s", fmt_count(t[i].total, n2));
			buf_adds(&b, " stored");
			if (t[i].rejected > 0)
				buf_printf(&b, " (%s rejected)", fmt_count(t[i].rejected, n1));
			/* sync-library knows whether resuming helps; alone, it does */
			if (!channel)
				buf_adds(&b, "; run the same command to resume");
		}
		if (t[i].invalid > 0)
			buf_printf(&b, "; %s not stored (invalid)", fmt_count(t[i].invalid, n1));
		if (t[i].forbidden > 0)
			buf_printf(&b, "; %s forbidden by the provider", fmt_count(t[i].forbidden, n1));
		if (t[i].unavailable > 0)
			buf_printf(&b, "; %s unavailable", fmt_count(t[i].unavailable, n1));
		if (t[i].unserved > 0)
			buf_printf(&b, "; %s unserved by the provider", fmt_count(t[i].unserved, n1));
		if (t[i].skipped > 0)
			buf_printf(&b, "; %s unreadable upstream, so nothing marked removed",
			    fmt_count(t[i].skipped, n1));
		if (!channel || !status_event(t[i].base, "end", "%s",
		    b.data + strlen(t[i].base) + 2))
			say("%s", b.data);
	}
	buf_free(&b);
}

int
progress_report_file(const char *path, struct stream **streams, size_t n)
{
	struct total t[MAXLINES];
	struct buf b;
	struct jw w;
	size_t nt, i;
	FILE *f;
	int rc = 0;

	nt = totals(streams, n, t, MAXLINES);
	buf_init(&b);
	jw_init(&w, &b);
	jw_arr(&w);
	for (i = 0; i < nt; i++) {
		jw_obj(&w);
		jw_kstr(&w, "stream", t[i].base);
		jw_kstr(&w, "provider", t[i].provider);
		jw_kstr(&w, "status", t[i].complete ? "complete" : "partial");
		jw_key(&w, "fetched");
		if (t[i].fetched >= 0)
			jw_int(&w, t[i].fetched);
		else
			jw_null(&w);
		jw_kint(&w, "stored", t[i].stored);
		jw_kint(&w, "new", t[i].new);
		jw_kint(&w, "updated", t[i].updated);
		jw_kint(&w, "unchanged", t[i].unchanged);
		jw_kint(&w, "rejected", t[i].rejected > 0 ? t[i].rejected : 0);
		jw_kint(&w, "invalid", t[i].invalid);
		jw_kint(&w, "removed", t[i].removed);
		jw_kint(&w, "held", t[i].held);
		jw_kint(&w, "unserved", t[i].unserved);
		jw_kint(&w, "skipped", t[i].skipped);
		jw_key(&w, "total");
		if (t[i].total >= 0)
			jw_int(&w, t[i].total);
		else
			jw_null(&w);
		jw_key(&w, "seconds");
		{
			char secs[32];

			snprintf(secs, sizeof secs, "%.3f",
			    (double)(mono_ms() - t[i].started_ms) / 1000.0);
			jw_num_raw(&w, secs);
		}
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	buf_addc(&b, '\n');
	f = fopen(path, "w");
	if (f == NULL || fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0) {
		say("%s: %s", path, strerror(errno));
		rc = -1;
	}
	buf_free(&b);
	return rc;
}
