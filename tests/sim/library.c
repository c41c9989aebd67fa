/*
 * library.c: the simulated library, generated from the seed on demand.
 */
#include "sim.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *dialect_names[D_NDIALECTS] = { "spotify", "apple-music", "deezer", "generic" };
const char *bad_names[] = { NULL, "no-name", "bad-date", "negative-duration", "no-duration" };

enum { SALT_NAME = 1, SALT_BAD, SALT_BADKIND, SALT_MISC, SALT_JITTER, SALT_ID, SALT_LEN,
	SALT_OWNER, SALT_TRACK, SALT_ENTRY, SALT_DATE, SALT_FEAT, SALT_ID2, SALT_TAKEDOWN,
	SALT_EDITORIAL };

static const char *adjectives[] = {
	"Velvet", "Silent", "Golden", "Broken", "Electric", "Hollow", "Crimson", "Distant",
	"Wild", "Paper", "Neon", "Quiet", "Burning", "Frozen", "Lonely", "Midnight", "Secret",
	"Café", "Northern", "Bitter", "Sweet", "Wandering", "Faded", "Restless", "Über",
	"Little", "Strange", "Blue", "Naïve", "Endless", "\"Weird\"", "Tender"
};
static const char *nouns[] = {
	"Owl", "River", "Heart", "Signal", "Garden", "Mirror", "Engine", "Harbor", "Ghost",
	"Summer", "Letter", "Machine", "Island", "Window", "Fever", "Dream", "Canyon",
	"Parade", "Season", "Daughter", "Highway", "Lantern", "Ocean", "Noël", "Satellite",
	"Avenue", "Horizon", "Echo", "Thunder", "Cathedral", "Shadow", "Comet"
};
static const char *firsts[] = {
	"Ada", "Björn", "Chloé", "Dmitri", "Esme", "Farid", "Greta", "Hiro", "Inès", "Jonas",
	"Kofi", "Lena", "Marcus", "Nadia", "Oskar", "Priya", "Quinn", "Rosa", "Sven", "Talia"
};
static const char *genres[] = {
	"indie rock", "dream pop", "house", "jazz", "afro-pop", "post-punk", "ambient",
	"hip hop", "folk", "synthwave", "soul", "drum and bass", "chanson", "k-pop"
};
static const char *labels[] = {
	"Sim Records", "Loopback Music", "127 Recordings", "Seeded Sounds", "Null & Void"
};
static const char *album_types[] = { "album", "single", "compilation" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t
lib_hash(const struct lib *l, int kind, long serial, int salt)
{
	return mix64(mix64(l->seed) ^ mix64(((uint64_t)kind << 56) ^ ((uint64_t)salt << 40) ^
	    (uint64_t)serial));
}

/* A number in [0, 1) from the hash. */
static double
lib_unit(const struct lib *l, int kind, long serial, int salt)
{
	return (double)(lib_hash(l, kind, serial, salt) >> 11) / 9007199254740992.0;
}

static uint64_t
entry_hash(const struct lib *l, long p, long j, int salt)
{
	return mix64(lib_hash(l, K_ENTRY, p, salt) + (uint64_t)j);
}

static void lib_entries_grow(struct lib *l, long n);

static void
view_init(struct view *v, long base, long newbase)
{
	memset(v, 0, sizeof *v);
	v->base = base;
	v->newbase = newbase;
}

void
lib_init(struct lib *l)
{
	view_init(&l->artists, l->n[K_ARTIST], l->n[K_ARTIST]);
	view_init(&l->albums, l->n[K_ALBUM], l->n[K_ALBUM]);
	view_init(&l->tracks, l->saved_tracks, l->n[K_TRACK]);
	view_init(&l->playlists, l->n[K_PLAYLIST], l->n[K_PLAYLIST]);
	l->entries = NULL;
	l->nentries = 0;
	lib_entries_grow(l, l->n[K_PLAYLIST]);
}

void
lib_free(struct lib *l)
{
	long i;

	free(l->artists.removed);
	free(l->albums.removed);
	free(l->tracks.removed);
	free(l->playlists.removed);
	for (i = 0; i < l->nentries; i++)
		free(l->entries[i].removed);
	free(l->entries);
	free(l->bad_at);
	free(l->null_at);
}

long
view_count(const struct view *v)
{
	return v->ntop + v->base - v->nremoved;
}

/* Position to serial. The caller keeps 0 <= pos < view_count(v). */
long
view_at(const struct view *v, long pos)
{
	long j, i;

	if (pos < v->ntop)
		return v->newbase + (v->ntop - 1 - pos);
	j = pos - v->ntop;
	for (i = 0; i < v->nremoved && v->removed[i] <= j; i++)
		j++;
	return j;
}

static long
view_rank(const struct view *v, long serial)
{
	return serial < v->newbase ? serial : -(serial - v->newbase + 1);
}

long
view_after_rank(const struct view *v, long rank)
{
	long lo = 0, hi = view_count(v), mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (view_rank(v, view_at(v, mid)) > rank)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Drift: drift_add new items at the top, drift_remove removed from the middle. */
static void
view_drift(struct view *v, int add, int remove)
{
	long pos, j, i;

	v->ntop += add;
	while (remove-- > 0) {
		if (v->base - v->nremoved <= 0)
			break;
		/* The middle of the base part, whatever the top holds. */
		pos = v->ntop + (v->base - v->nremoved) / 2;
		j = view_at(v, pos);
		if (v->nremoved == v->cap) {
			v->cap = v->cap ? v->cap * 2 : 8;
			v->removed = xrealloc(v->removed, (size_t)v->cap * sizeof *v->removed);
		}
		for (i = v->nremoved; i > 0 && v->removed[i - 1] > j; i--)
			v->removed[i] = v->removed[i - 1];
		v->removed[i] = j;
		v->nremoved++;
	}
	v->version++;
}

/* Creates the entry views of playlists 0..n-1; only this writes l->entries. */
static void
lib_entries_grow(struct lib *l, long n)
{
	struct playlist pl;
	long p;

	if (n <= l->nentries)
		return;
	l->entries = xrealloc(l->entries, (size_t)n * sizeof *l->entries);
	for (p = l->nentries; p < n; p++) {
		lib_playlist(l, p, &pl);
		view_init(&l->entries[p], pl.length, pl.length);
	}
	l->nentries = n;
}

struct view *
lib_entries(const struct lib *l, long p)
{
	if (p < 0 || p >= l->nentries)
		die(EXIT_SOFTWARE, "playlist %ld has no entries view", p);
	return &l->entries[p];
}

void
lib_drift(struct lib *l, struct view *v)
{
	view_drift(v, l->drift_add, l->drift_remove);
	if (v == &l->playlists)
		lib_entries_grow(l, v->newbase + v->ntop);
}

static const char *
pick(const char **list, size_t n, uint64_t h)
{
	return list[h % n];
}

static void
make_name(char *out, size_t outlen, uint64_t h, int style)
{
	const char *adj = pick(adjectives, NELEM(adjectives), h >> 8);
	const char *noun = pick(nouns, NELEM(nouns), h >> 16);
	const char *first = pick(firsts, NELEM(firsts), h >> 24);

	switch (style) {
	case 0:
		snprintf(out, outlen, "The %s %ss", adj, noun);
		break;
	case 1:
		snprintf(out, outlen, "%s %s", first, noun);
		break;
	case 2:
		snprintf(out, outlen, "%s & the %ss", noun, adj);
		break;
	default:
		snprintf(out, outlen, "%s %s", adj, noun);
		break;
	}
}

static enum bad
bad_kind(const struct lib *l, int kind, long serial)
{
	uint64_t h;
	size_t i;

	for (i = 0; i < l->nbad_at && l->bad_at[i] != serial; i++)
		;
	if (i == l->nbad_at &&
	    (l->p_bad <= 0 || lib_unit(l, kind, serial, SALT_BAD) >= l->p_bad))
		return BAD_NONE;
	h = lib_hash(l, kind, serial, SALT_BADKIND);
	switch (kind) {
	case K_ALBUM:
		return h % 2 ? BAD_DATE : BAD_NO_NAME;
	case K_TRACK:
		return (enum bad[]){ BAD_NO_NAME, BAD_NEG_DURATION, BAD_NO_DURATION }[h % 3];
	default:
		return BAD_NO_NAME;
	}
}

void
lib_artist(const struct lib *l, long serial, struct artist *a)
{
	uint64_t h = lib_hash(l, K_ARTIST, serial, SALT_NAME);
	uint64_t m = lib_hash(l, K_ARTIST, serial, SALT_MISC);
	int i;

	a->serial = serial;
	make_name(a->name, sizeof a->name, h, (int)(h % 4));
	a->popularity = (int)(m % 101);
	a->followers = (long)((m >> 8) % 5000000);
	a->ngenres = (int)((m >> 32) % 4);
	for (i = 0; i < a->ngenres; i++)
		a->genres[i] = genres[((m >> 40) + (uint64_t)i * 5) % NELEM(genres)];
	a->bad = bad_kind(l, K_ARTIST, serial);
}

void
lib_album(const struct lib *l, long serial, struct album *a)
{
	uint64_t h = lib_hash(l, K_ALBUM, serial, SALT_NAME);
	uint64_t m = lib_hash(l, K_ALBUM, serial, SALT_MISC);
	uint64_t d = lib_hash(l, K_ALBUM, serial, SALT_DATE);
	long nb = l->n[K_ALBUM], nt = l->n[K_TRACK];

	a->serial = serial;
	make_name(a->name, sizeof a->name, h, (int)(h % 4) | 1);
	a->artist = l->n[K_ARTIST] ? (long)(m % (uint64_t)l->n[K_ARTIST]) : 0;
	a->year = 1960 + (int)(d % 66);
	a->month = 1 + (int)((d >> 8) % 12);
	a->day = 1 + (int)((d >> 16) % 28);
	a->precision = (d >> 24) % 10 == 0 ? 1 : (d >> 24) % 10 == 1 ? 2 : 3;
	a->album_type = album_types[(m >> 8) % NELEM(album_types)];
	/* Album b holds the catalogue tracks b, b + nb, b + 2 nb, ... */
	a->total_tracks = serial < nb && serial < nt ? (nt - 1 - serial) / nb + 1 : 0;
	a->label = labels[(m >> 16) % NELEM(labels)];
	snprintf(a->upc, sizeof a->upc, "%012" PRIu64, (uint64_t)((m >> 20) % 1000000000000ULL));
	a->takedown = l->p_takedown > 0 && lib_unit(l, K_ALBUM, serial, SALT_TAKEDOWN) < l->p_takedown;
	a->bad = bad_kind(l, K_ALBUM, serial);
}

void
lib_track(const struct lib *l, long serial, struct track *t)
{
	uint64_t h = lib_hash(l, K_TRACK, serial, SALT_NAME);
	uint64_t m = lib_hash(l, K_TRACK, serial, SALT_MISC);
	uint64_t f = lib_hash(l, K_TRACK, serial, SALT_FEAT);
	long nb = l->n[K_ALBUM] ? l->n[K_ALBUM] : 1;
	struct album al;

	t->serial = serial;
	make_name(t->name, sizeof t->name, h, 3);
	if (h % 9 == 0)
		strncat(t->name, " - Remastered", sizeof t->name - strlen(t->name) - 1);
	t->album = serial % nb;
	t->track_number = (int)(serial / nb % 30) + 1;
	t->disc_number = 1;
	lib_album(l, t->album, &al);
	t->artists[0] = al.artist;
	t->nartists = 1;
	if (f % 10 == 0 && l->n[K_ARTIST] > 1) {
		t->artists[1] = (long)((f >> 8) % (uint64_t)l->n[K_ARTIST]);
		if (t->artists[1] != t->artists[0])
			t->nartists = 2;
	}
	t->duration_ms = 90000 + (long)(m % 330000);
	t->explicit_ = (m >> 20) % 7 == 0;
	t->popularity = (int)((m >> 28) % 101);
	snprintf(t->isrc, sizeof t->isrc, "QZ%c%c%c%02d%05d", 'A' + (int)((m >> 36) % 26),
	    'A' + (int)((m >> 41) % 26), 'A' + (int)((m >> 46) % 26), al.year % 100,
	    (int)(serial % 100000));
	t->bad = bad_kind(l, K_TRACK, serial);
}

void
lib_playlist(const struct lib *l, long serial, struct playlist *p)
{
	uint64_t h = lib_hash(l, K_PLAYLIST, serial, SALT_NAME);
	uint64_t o = lib_hash(l, K_PLAYLIST, serial, SALT_OWNER);
	uint64_t n = lib_hash(l, K_PLAYLIST, serial, SALT_LEN);

	p->serial = serial;
	make_name(p->name, sizeof p->name, h, (int)(h % 4));
	snprintf(p->description, sizeof p->description, "%s songs for %s days",
	    adjectives[(h >> 32) % NELEM(adjectives)], nouns[(h >> 40) % NELEM(nouns)]);
	/* A sixth are followed, not owned; half of those let the user collaborate. */
	p->own = o % 6 > 1;
	p->collaborative = o % 6 == 1;
	if (p->own)
		snprintf(p->owner, sizeof p->owner, "%s", l->user);
	else
		snprintf(p->owner, sizeof p->owner, "user%c%c%c%c", b62[(o >> 8) % 36],
		    b62[(o >> 14) % 36], b62[(o >> 20) % 36], b62[(o >> 26) % 36]);
	p->public_ = (o >> 32) % 2;
	/* Spotify's own editorial and algorithmic playlists, followed by the user. */
	p->editorial = l->p_editorial > 0 &&
	    lib_unit(l, K_PLAYLIST, serial, SALT_EDITORIAL) < l->p_editorial;
	if (p->editorial) {
		p->own = 0;
		p->collaborative = 0;
		snprintf(p->owner, sizeof p->owner, "spotify");
	}
	/* Some empty, the rest from 1 to playlist_max. */
	p->length = n % 7 == 0 || l->n[K_TRACK] == 0 ? 0 :
	    1 + (long)((n >> 8) % (uint64_t)(l->playlist_max > 0 ? l->playlist_max : 1));
	if (l->playlist_max == 0)
		p->length = 0;
	p->bad = bad_kind(l, K_PLAYLIST, serial);
}

long
lib_entry_track(const struct lib *l, long p, long j, enum entry_kind *kind)
{
	uint64_t h = entry_hash(l, p, j, SALT_TRACK);
	double u = (double)(entry_hash(l, p, j, SALT_ENTRY) >> 11) / 9007199254740992.0;

	*kind = u < l->p_null ? E_NULL : u < l->p_null + l->p_local ? E_LOCAL :
	    u < l->p_null + l->p_local + l->p_episode ? E_EPISODE : E_TRACK;
	return (long)(h % (uint64_t)l->n[K_TRACK]);
}

int
lib_null_at(const struct lib *l, long pos)
{
	size_t i;

	for (i = 0; i < l->nnull_at; i++)
		if (l->null_at[i] == pos)
			return 1;
	return 0;
}

/*
 * --unserved U: a list of n served items has R = n + U raw positions, U of them
 * spread evenly (raw position floor((2k + 1) R / 2U) for k < U) that are never
 * served. Returns the served index of raw position r, or -1 for an unserved one.
 */
long
lib_unserved_map(const struct lib *l, long n, long r)
{
	long long u = l->unserved, R = n + u, m, before, h;

	if (u <= 0 || n <= 0)
		return r;
	m = r > 0 ? (2 * u * r - 1) / R : 0;
	before = m >= 1 ? (m - 1) / 2 + 1 : 0;
	if (before > u)
		before = u;
	h = before < u ? ((2 * before + 1) * R) / (2 * u) : -1;
	return h == r ? -1 : (long)(r - before);
}

long long
lib_added_at(const struct lib *l, int kind, long serial, const struct view *v)
{
	if (serial >= v->newbase)
		return SIM_T0 + (long long)(serial - v->newbase + 1) * 60;
	return SIM_T0 - (long long)serial * 1000 - (long long)(lib_hash(l, kind, serial,
	    SALT_JITTER) % 1000);
}

long long
lib_entry_added_at(const struct lib *l, long p, long j, const struct view *v)
{
	if (j >= v->newbase)
		return SIM_T0 + (long long)(j - v->newbase + 1) * 60;
	return SIM_T0 - (long long)(entry_hash(l, p, j, SALT_JITTER) % (3 * 365 * 86400LL));
}

long
lib_rank(const struct lib *l, int kind, long serial)
{
	long newbase = l->n[kind];

	return serial < newbase ? serial : -(serial - newbase + 1);
}

static long
rank_serial(const struct lib *l, int kind, long rank)
{
	return rank >= 0 ? rank : l->n[kind] + (-rank - 1);
}

/* Fixed-width base62: the text order is the numeric order. */
static void
b62_put(char *out, uint64_t v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		out[i] = b62[v % 62];
		v /= 62;
	}
}

static int
b62_get(const char *s, int width, uint64_t *out)
{
	const char *p;
	uint64_t v = 0;
	int i;

	for (i = 0; i < width; i++) {
		if (s[i] == '\0' || (p = strchr(b62, s[i])) == NULL)
			return -1;
		v = v * 62 + (uint64_t)(p - b62);
	}
	*out = v;
	return 0;
}

/*
 * Spotify and Apple ids begin with a fixed-width base62 key, OFF + rank * step +
 * jitter, so that they sort like their rank (followed artists are sorted by id) and
 * parse back. The step spreads a catalogue over half the key space; drift items
 * (negative ranks) have room for twice the catalogue below OFF.
 */
#define SPOTIFY_OFF (1ULL << 47)
#define APPLE_OFF (1ULL << 41)

static long long
key_step(const struct lib *l, int kind, int dialect)
{
	return (long long)((dialect == D_SPOTIFY ? 1ULL << 46 : 1ULL << 40) /
	    (uint64_t)(l->n[kind] + 1));
}
#define DEEZER_STEP 13

static const long long deezer_base[] = { 1000000, 100000000, 1000000000, 5000000000LL };
static const char apple_prefix[] = { 'r', 'l', 'i', 'p' };
static const int apple_tail[] = { 0, 0, 8, 7 };
static const char generic_prefix[] = { 'a', 'b', 't', 'p' };

const char *
lib_id(const struct lib *l, int dialect, int kind, long serial, char *buf)
{
	long rank = lib_rank(l, kind, serial);
	uint64_t jitter = lib_hash(l, kind, serial, SALT_JITTER);
	uint64_t h = lib_hash(l, kind, serial, SALT_ID);
	long long step;
	int i, tail;

	switch (dialect) {
	case D_SPOTIFY:
		step = key_step(l, kind, dialect);
		b62_put(buf, SPOTIFY_OFF + (uint64_t)((long long)rank * step) +
		    jitter % (uint64_t)step, 8);
		for (i = 8; i < 22; i++, h /= 62) {
			if (i == 15)	/* 62^7 < 2^64: a fresh hash for the last seven */
				h = lib_hash(l, kind, serial, SALT_ID2);
			buf[i] = b62[h % 62];
		}
		buf[22] = '\0';
		break;
	case D_APPLE:
		buf[0] = apple_prefix[kind];
		buf[1] = '.';
		step = key_step(l, kind, dialect);
		b62_put(buf + 2, APPLE_OFF + (uint64_t)((long long)rank * step) +
		    jitter % (uint64_t)step, 7);
		tail = apple_tail[kind];
		for (i = 0; i < tail; i++, h /= 62)
			buf[9 + i] = b62[h % 62];
		buf[9 + tail] = '\0';
		break;
	case D_DEEZER:
		snprintf(buf, SIM_ID_MAX, "%lld", deezer_base[kind] + (long long)rank * DEEZER_STEP +
		    (long long)(jitter % DEEZER_STEP));
		break;
	default:
		snprintf(buf, SIM_ID_MAX, "%c%ld", generic_prefix[kind], serial);
		break;
	}
	return buf;
}

static long long
floordiv(long long a, long long b)
{
	long long q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

long
lib_parse_id(const struct lib *l, int dialect, int kind, const char *id)
{
	char again[SIM_ID_MAX];
	uint64_t key;
	long long rank, v;
	long serial;

	switch (dialect) {
	case D_SPOTIFY:
		if (strlen(id) != 22 || b62_get(id, 8, &key) != 0)
			return -1;
		rank = floordiv((long long)(key - SPOTIFY_OFF), key_step(l, kind, dialect));
		break;
	case D_APPLE:
		if (strlen(id) < 9 || id[0] != apple_prefix[kind] || id[1] != '.' ||
		    b62_get(id + 2, 7, &key) != 0)
			return -1;
		rank = floordiv((long long)(key - APPLE_OFF), key_step(l, kind, dialect));
		break;
	case D_DEEZER:
		if (parse_ll(id, 0, (long long)1 << 52, &v) != 0)
			return -1;
		rank = floordiv(v - deezer_base[kind], DEEZER_STEP);
		break;
	default:
		if (id[0] != generic_prefix[kind] || parse_ll(id + 1, 0, 1L << 40, &v) != 0)
			return -1;
		rank = v < l->n[kind] ? v : -(v - l->n[kind] + 1);
		break;
	}
	if (rank < -(1LL << 30) || rank > (1LL << 40))
		return -1;
	serial = rank_serial(l, kind, (long)rank);
	if (strcmp(lib_id(l, dialect, kind, serial, again), id) != 0)
		return -1;
	return serial;
}

static void
base64(struct buf *b, const unsigned char *s, size_t n)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		buf_addc(b, a[v >> 18 & 63]);
		buf_addc(b, a[v >> 12 & 63]);
		buf_addc(b, i + 1 < n ? a[v >> 6 & 63] : '=');
		buf_addc(b, i + 2 < n ? a[v & 63] : '=');
	}
}

/* Spotify's snapshot ids are base64 of "VERSION,HEX"; they change when the playlist does. */
void
lib_snapshot(const struct lib *l, long p, char *out, size_t outlen)
{
	unsigned version = p < l->nentries ? l->entries[p].version : 0;
	char text[64];
	struct buf b;

	snprintf(text, sizeof text, "%u,%016" PRIx64 "%016" PRIx64, version + 1,
	    lib_hash(l, K_PLAYLIST, p, SALT_ID + (int)version),
	    lib_hash(l, K_PLAYLIST, p, SALT_MISC + (int)version));
	buf_init(&b);
	base64(&b, (const unsigned char *)text, strlen(text));
	snprintf(out, outlen, "%s", b.data);
	buf_free(&b);
}

/* Form-style percent encoding (space as +), appended to b. */
static void
url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-_.~", *p) != NULL)
			buf_addc(b, (char)*p);
		else if (*p == ' ')
			buf_addc(b, '+');
		else {
			buf_addc(b, '%');
			buf_addc(b, hex[*p >> 4]);
			buf_addc(b, hex[*p & 15]);
		}
	}
}

void
lib_local_uri(const struct lib *l, long serial, struct buf *b)
{
	struct track t;
	struct album al;
	struct artist ar;

	lib_track(l, serial, &t);
	lib_album(l, t.album, &al);
	lib_artist(l, t.artists[0], &ar);
	buf_adds(b, "spotify:local:");
	url_encode(b, ar.name);
	buf_addc(b, ':');
	url_encode(b, al.name);
	buf_addc(b, ':');
	url_encode(b, t.name);
	buf_printf(b, ":%ld", t.duration_ms / 1000);
}

static void
dump_line(FILE *fp, struct buf *b)
{
	buf_addc(b, '\n');
	fwrite(b->data, 1, b->len, fp);
	buf_reset(b);
}

static void
dump_head(struct jw *w, int dialect, const char *stream)
{
	jw_init(w, w->b);
	jw_obj(w);
	jw_kstr(w, "provider", dialect_names[dialect]);
	jw_kstr(w, "stream", stream);
}

static void
dump_bad(struct jw *w, enum bad bad)
{
	if (bad != BAD_NONE)
		jw_kstr(w, "bad", bad_names[bad]);
}

static void
dump_time(struct jw *w, const char *key, long long t)
{
	char iso[ISO8601_LEN];

	iso8601_format((time_t)t, iso);
	jw_kstr(w, key, iso);
}

static void
dump_dialect(struct lib *l, int d, FILE *fp, struct buf *b)
{
	struct jw w;
	char id[SIM_ID_MAX], pid[SIM_ID_MAX], snap[96];
	long pos, n, s, j;
	struct artist ar;
	struct album al;
	struct track tr;
	struct playlist pl;
	struct view *ev;
	enum entry_kind ek;
	struct buf uri;

	buf_init(&uri);
	jw_init(&w, b);
	n = view_count(&l->artists);
	for (pos = 0; pos < n; pos++) {
		s = view_at(&l->artists, pos);
		lib_artist(l, s, &ar);
		dump_head(&w, d, "artists");
		jw_kstr(&w, "id", lib_id(l, d, K_ARTIST, s, id));
		dump_bad(&w, ar.bad);
		jw_obj_end(&w);
		dump_line(fp, b);
	}
	n = view_count(&l->albums);
	for (pos = 0; pos < n; pos++) {
		s = view_at(&l->albums, pos);
		lib_album(l, s, &al);
		dump_head(&w, d, "albums");
		jw_kstr(&w, "id", lib_id(l, d, K_ALBUM, s, id));
		dump_time(&w, "added_at", lib_added_at(l, K_ALBUM, s, &l->albums));
		if (d == D_SPOTIFY && al.takedown)
			jw_kbool(&w, "takedown", 1);
		if (d == D_SPOTIFY && lib_null_at(l, pos))
			jw_kbool(&w, "null", 1);
		dump_bad(&w, al.bad);
		jw_obj_end(&w);
		dump_line(fp, b);
	}
	n = view_count(&l->tracks);
	for (pos = 0; pos < n; pos++) {
		s = view_at(&l->tracks, pos);
		lib_track(l, s, &tr);
		dump_head(&w, d, "tracks");
		jw_kstr(&w, "id", lib_id(l, d, K_TRACK, s, id));
		dump_time(&w, "added_at", lib_added_at(l, K_TRACK, s, &l->tracks));
		if (d == D_SPOTIFY && lib_null_at(l, pos))
			jw_kbool(&w, "null", 1);
		dump_bad(&w, tr.bad);
		jw_obj_end(&w);
		dump_line(fp, b);
	}
	n = view_count(&l->playlists);
	for (pos = 0; pos < n; pos++) {
		s = view_at(&l->playlists, pos);
		lib_playlist(l, s, &pl);
		ev = lib_entries(l, s);
		dump_head(&w, d, "playlists");
		jw_kstr(&w, "id", lib_id(l, d, K_PLAYLIST, s, id));
		jw_kstr(&w, "owner", pl.owner);
		jw_kbool(&w, "collaborative", pl.collaborative);
		jw_kint(&w, "total", view_count(ev));
		if (d == D_SPOTIFY) {
			lib_snapshot(l, s, snap, sizeof snap);
			jw_kstr(&w, "snapshot_id", snap);
			jw_kbool(&w, "items_forbidden", !pl.own && !pl.collaborative);
			if (pl.editorial)
				jw_kbool(&w, "items_unavailable", 1);
			if (lib_null_at(l, pos))
				jw_kbool(&w, "null", 1);
		}
		dump_bad(&w, pl.bad);
		jw_obj_end(&w);
		dump_line(fp, b);
	}
	for (pos = 0; pos < n; pos++) {
		s = view_at(&l->playlists, pos);
		lib_id(l, d, K_PLAYLIST, s, pid);
		ev = lib_entries(l, s);
		for (j = 0; j < view_count(ev); j++) {
			long e = view_at(ev, j);
			long t = lib_entry_track(l, s, e, &ek);

			dump_head(&w, d, "playlist_items");
			jw_kstr(&w, "playlist_id", pid);
			jw_kint(&w, "position", j);
			if (d == D_SPOTIFY && ek != E_TRACK) {
				jw_key(&w, "track_id");
				jw_null(&w);
				if (ek == E_EPISODE)
					jw_kstr(&w, "episode_id", lib_id(l, d, K_TRACK, t, id));
				if (ek == E_LOCAL) {
					jw_kbool(&w, "local", 1);
					buf_reset(&uri);
					lib_local_uri(l, t, &uri);
					jw_kstr(&w, "uri", uri.data);
				}
			} else
				jw_kstr(&w, "track_id", lib_id(l, d, K_TRACK, t, id));
			jw_obj_end(&w);
			dump_line(fp, b);
		}
	}
	buf_free(&uri);
}

void
lib_dump(struct lib *l, int dialect, FILE *fp)
{
	struct buf b;
	int d;

	buf_init(&b);
	for (d = 0; d < D_NDIALECTS; d++)
		if (dialect < 0 || dialect == d)
			dump_dialect(l, d, fp, &b);
	buf_free(&b);
}
