/*
 * playlists.c: playlist_items: the playlist ids (and snapshot ids) on stdin,
 * one walk each, -P walks at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "json.h"

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
	case EXIT_REJECTS: return 1;
	case EXIT_TEMPFAIL: return 2;
	case EXIT_DATAERR: return 3;
	case EXIT_NOPERM: return 4;
	default: return 5;
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

int
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

