/*
 * sim.h: provider-sim's library model and its dialect renderers.
 *
 * The library is never materialised. Every entity is a (kind, serial) pair
 * and all its properties come from a hash of the seed, the kind and the
 * serial, so any item can be generated on its own, in any order, at the same
 * cost. What does change at run time (drift: items added at the top of a list
 * and removed from its middle) lives in small per-list views.
 *
 * Thread safety: reading is safe from many threads; lib_drift (render with
 * request.drift set) changes views and must run alone (the server's rwlock).
 */
#ifndef SIM_H
#define SIM_H

#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "json.h"

enum kind { K_ARTIST, K_ALBUM, K_TRACK, K_PLAYLIST, K_ENTRY, K_NKINDS };

enum dialect { D_SPOTIFY, D_APPLE, D_DEEZER, D_GENERIC, D_NDIALECTS };

/* Deterministic per-item faults (--bad-items); the names appear in the dump. */
enum bad { BAD_NONE, BAD_NO_NAME, BAD_DATE, BAD_NEG_DURATION, BAD_NO_DURATION };

/* Entry flavours of a playlist position (Spotify renders them; others show the track). */
enum entry_kind { E_TRACK, E_NULL, E_LOCAL, E_EPISODE };

/*
 * A list as the user sees it now: `ntop` items added at the top since start
 * (newest first), then the base items 0..base-1 minus the sorted `removed`
 * base indices. New items get serials newbase, newbase+1, ...
 */
struct view {
	long base;
	long newbase;
	long ntop;
	long nremoved;
	long cap;
	long *removed;
	unsigned version;
};

struct lib {
	uint64_t seed;
	long n[4];		/* catalogue sizes: artists, albums, tracks (saved and not), playlists */
	long saved_tracks;	/* tracks 0..saved_tracks-1 are in the library */
	long playlist_max;	/* the longest playlist */
	double p_bad, p_null, p_local;
	double p_episode;	/* Spotify playlist entries that are podcast episodes */
	double p_takedown;	/* albums taken down: Spotify names them "" */
	double p_editorial;	/* playlists owned by Spotify: 404 on their entries */
	long *bad_at;		/* --bad-items @S,...: these serials are bad, of every kind */
	size_t nbad_at;
	long *null_at;		/* positions of Spotify's saved lists served as null */
	size_t nnull_at;
	long unserved;		/* Deezer track lists: total counts this many never served */
	char user[64];
	struct view artists, albums, tracks, playlists;
	struct view *entries;	/* per playlist serial, grown on demand */
	long nentries;
	int drift_add, drift_remove;
};

struct artist {
	long serial;
	char name[80];
	int popularity;
	long followers;
	int ngenres;
	const char *genres[3];
	enum bad bad;
};

struct album {
	long serial;
	char name[96];
	long artist;
	int year, month, day;
	int precision;		/* 1 year, 2 month, 3 day */
	const char *album_type;
	long total_tracks;
	const char *label;
	char upc[16];
	int takedown;		/* Spotify serves its name as "" */
	enum bad bad;
};

struct track {
	long serial;
	char name[96];
	long album;
	long artists[2];
	int nartists;
	long duration_ms;
	int track_number, disc_number;
	int explicit_;
	int popularity;
	char isrc[16];
	enum bad bad;
};

struct playlist {
	long serial;
	char name[80];
	char description[96];
	char owner[64];
	int own;		/* owned by the user */
	int collaborative;
	int public_;
	long length;		/* base length; the view has the current one */
	int editorial;		/* Spotify-owned: its entries answer 404 on Spotify */
	enum bad bad;
};

/* Saved-list timestamps: base item j of a list is older than j-1; drift items are newest. */
#define SIM_T0 1793491200LL	/* 2026-11-01T00:00:00Z */

void lib_init(struct lib *l);
void lib_free(struct lib *l);
uint64_t lib_hash(const struct lib *l, int kind, long serial, int salt);

void lib_artist(const struct lib *l, long serial, struct artist *a);
void lib_album(const struct lib *l, long serial, struct album *a);
void lib_track(const struct lib *l, long serial, struct track *t);
void lib_playlist(const struct lib *l, long serial, struct playlist *p);
/* The entry at entry serial j of playlist p: its track serial and flavour. */
long lib_entry_track(const struct lib *l, long p, long j, enum entry_kind *kind);
long long lib_added_at(const struct lib *l, int kind, long serial, const struct view *v);
long long lib_entry_added_at(const struct lib *l, long p, long j, const struct view *v);

/* Views. */
long view_count(const struct view *v);
long view_at(const struct view *v, long pos);
/*
 * The view of playlist p's entries. All exist from lib_init on, and lib_drift
 * creates those of new playlists, so that readers never write: rendering without
 * drift may run concurrently under a read lock; lib_drift needs the write lock.
 */
struct view *lib_entries(const struct lib *l, long p);
/* Drift on a view of l: drift_add new items on top, drift_remove from the middle. */
void lib_drift(struct lib *l, struct view *v);
/* The position of the first item whose rank is greater than `rank` (id-sorted lists). */
long view_after_rank(const struct view *v, long rank);

/* Ids. `buf` holds at least SIM_ID_MAX bytes; the return value is buf. */
#define SIM_ID_MAX 40
const char *lib_id(const struct lib *l, int dialect, int kind, long serial, char *buf);
/* Parses an id back; returns the serial or -1 when the id is not one of ours. */
long lib_parse_id(const struct lib *l, int dialect, int kind, const char *id);
/* The rank that orders ids of kind in a list (base serials ascending, new ones below). */
long lib_rank(const struct lib *l, int kind, long serial);
void lib_snapshot(const struct lib *l, long p, char *out, size_t outlen);
/* A local file's uri, spotify:local:ARTIST:ALBUM:TITLE:SECONDS (form-encoded parts). */
void lib_local_uri(const struct lib *l, long track, struct buf *b);

/* Whether position pos of a Spotify saved list is served as null (--null-at). */
int lib_null_at(const struct lib *l, long pos);
/* Deezer: served position of raw position r of a list of n served items (-1: unserved). */
long lib_unserved_map(const struct lib *l, long n, long r);

/* Writes the ground truth (the current state) as NDJSON; dialect -1 for all of them. */
void lib_dump(struct lib *l, int dialect, FILE *fp);

/* One API request, as the renderers see it. */
struct request {
	const char *host;	/* the Host header: absolute links are built from it */
	const char *path;	/* decoded path, no query */
	const char *query;	/* the raw query without '?', "" when none */
	int drift;		/* mutate the list first (--drift fired) */
	const char *(*arg)(void *ctx, const char *name);	/* a decoded query argument */
	void *argctx;
};

struct response {
	int status;
	struct buf body;	/* owned by the caller */
	struct buf link;	/* a Link header value, empty for none */
	long items;		/* items in the page */
	int page;		/* a data page (what truncation and malformed pages act on) */
};

enum error { ERR_NO_TOKEN, ERR_BAD_TOKEN, ERR_EXPIRED, ERR_RATE, ERR_502, ERR_503,
	ERR_NOT_FOUND, ERR_BAD_LIMIT, ERR_BAD_OFFSET, ERR_BAD_PARAM, ERR_FORBIDDEN,
	ERR_EXCEPTION /* Deezer's code-less {"type":"Exception"} */ };

/* The dialect that serves path, or -1. */
int route_dialect(const char *path);
/* Builds the answer to a GET on an API path of dialect d into rs. */
void render(struct lib *l, int d, const struct request *rq, struct response *rs);
/* Writes the dialect's error body for e into body; returns the HTTP status to send. */
int render_error(int d, enum error e, const char *detail, struct buf *body);

extern const char *dialect_names[D_NDIALECTS];
extern const char *bad_names[];

#endif
