/*
 * The rules of validate(1) (RULES). Each check either rejects the record (a
 * reason, and -1) or adds edits and warnings; nothing here prints.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "prov.h"
#include "util.h"
#include "validate.h"

void
check_init(struct check *c)
{
	memset(c, 0, sizeof *c);
	edits_init(&c->edits);
	buf_init(&c->scratch);
}

void
check_free(struct check *c)
{
	edits_free(&c->edits);
	buf_free(&c->scratch);
}

static int
reject(struct check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof c->reason, fmt, ap);
	va_end(ap);
	return -1;
}

/* Puts where ("track: ") before the reason of a rejection by a shared check. */
static int
reject_in(struct check *c, const char *where)
{
	char why[sizeof c->reason];

	if (*where == '\0')
		return -1;
	memcpy(why, c->reason, sizeof why);
	return reject(c, "%s%s", where, why);
}

static void
warning(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->nwarnings == (int)(sizeof c->warning / sizeof c->warning[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(c->warning[c->nwarnings++], sizeof c->warning[0], fmt, ap);
	va_end(ap);
}

/* A value from the input, quoted and shortened for a message. */
static const char *
shown(struct check *c, yajl_val v)
{
	const char *s = json_str(v);
	size_t n;

	buf_reset(&c->scratch);
	if (s == NULL) {
		buf_adds(&c->scratch, v == NULL ? "null" :
		    v->type == yajl_t_number ? v->u.number.r :
		    v->type == yajl_t_true ? "true" :
		    v->type == yajl_t_false ? "false" :
		    v->type == yajl_t_object ? "an object" :
		    v->type == yajl_t_array ? "an array" : "null");
		return c->scratch.data;
	}
	n = strlen(s);
	if (n > 40) {
		n = 40;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;	/* not in the middle of a character */
	}
	json_escape(&c->scratch, s, n);
	if (s[n] != '\0')
		buf_adds(&c->scratch, "...");
	return c->scratch.data;
}

/* The whitespace of names: ASCII only, as the providers use it. */
static int
is_space(unsigned char ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

/*
 * A required text member (a name, a title): a non-blank string, trimmed, with
 * every inner run of whitespace made one space.
 */
static int
check_text(struct check *c, yajl_val obj, const char *key)
{
	const char *s, *p;
	int space = 0, changed = 0;

	s = json_str(json_member(obj, key));
	if (s == NULL)
		return json_is_null(json_member(obj, key)) ? reject(c, "no %s", key) :
		    reject(c, "%s is not a string", key);
	buf_reset(&c->scratch);
	for (p = s; *p != '\0'; p++) {
		if (is_space((unsigned char)*p)) {
			if (*p != ' ' || space || c->scratch.len == 0)
				changed = 1;
			space = 1;
			continue;
		}
		if (space && c->scratch.len > 0)
			buf_addc(&c->scratch, ' ');
		space = 0;
		buf_addc(&c->scratch, *p);
	}
	if (space)
		changed = 1;	/* trailing whitespace */
	if (c->scratch.len == 0)
		return reject(c, "blank %s", key);
	if (changed)
		edit_str(&c->edits, obj, key, c->scratch.data, c->scratch.len);
	return 0;
}

/* A required id: a non-empty string; an integer is kept as its decimal text. */
static int
check_id(struct check *c, yajl_val obj, const char *key, const char **id)
{
	yajl_val v = json_member(obj, key);
	long long n;

	*id = NULL;
	if (json_int(v, &n) == 0) {
		snprintf(c->id_text, sizeof c->id_text, "%lld", n);
		*id = c->id_text;
		edit_str(&c->edits, obj, key, c->id_text, strlen(c->id_text));
		return 0;
	}
	if (json_is_null(v))
		return reject(c, "no %s", key);
	if (json_str(v) == NULL)
		return reject(c, "%s is not a string", key);
	if (*json_str(v) == '\0')
		return reject(c, "empty %s", key);
	*id = json_str(v);
	return 0;
}

static int
check_provider(struct check *c, yajl_val rec)
{
	yajl_val v = json_member(rec, "provider");

	if (json_is_null(v))
		return reject(c, "no provider");
	if (json_str(v) == NULL || *json_str(v) == '\0')
		return reject(c, "provider is not a non-empty string");
	return 0;
}

/* Missing art is null: the UI shows a placeholder for null, and only for null. */
static void
art_or_null(struct check *c, yajl_val rec)
{
	yajl_val v = json_member(rec, "image_url");

	if (v != NULL && v->type == yajl_t_null)
		return;
	if (json_str(v) == NULL || *json_str(v) == '\0')
		edit_null(&c->edits, rec, "image_url");
}

/*
 * release_date, when given, must be a date of one of the three forms; a bad one
 * is dropped (set to null, with its precision) and the record kept. The
 * precision follows the form.
 */
static void
check_release_date(struct check *c, yajl_val album, const char *where)
{
	yajl_val v = json_member(album, "release_date");
	const char *prec, *have;

	if (json_is_null(v))
		return;
	prec = json_str(v) ? date_precision(json_str(v)) : NULL;
	if (prec == NULL) {
		warning(c, "%sbad release_date %s dropped", where, shown(c, v));
		edit_null(&c->edits, album, "release_date");
		if (json_member(album, "release_date_precision") != NULL)
			edit_null(&c->edits, album, "release_date_precision");
		return;
	}
	have = json_str(json_member(album, "release_date_precision"));
	if (have == NULL || strcmp(have, prec) != 0)
		edit_str(&c->edits, album, "release_date_precision", prec, strlen(prec));
}

/* An artist or a playlist: an id, the provider, a name; its image or null. */
static int
named_rules(struct check *c, yajl_val rec)
{
	if (check_id(c, rec, "id", &c->id) || check_provider(c, rec) || check_text(c, rec, "name"))
		return -1;
	art_or_null(c, rec);
	return 0;
}

/*
 * An album's title: as check_text, but an empty one is kept with a warning.
 * Spotify's reference says of an album's name: "In case of an album takedown,
 * the value may be an empty string"
 * (https://developer.spotify.com/documentation/web-api/reference/get-an-album);
 * rejecting it would let the next complete sync soft-delete the album.
 */
static int
check_album_title(struct check *c, yajl_val album, const char *where)
{
	const char *s = json_str(json_member(album, "title"));

	if (s == NULL)
		return check_text(c, album, "title");	/* none, or not a string: rejected */
	if (check_text(c, album, "title") == 0)
		return 0;
	c->reason[0] = '\0';	/* blank: kept */
	warning(c, "%sempty title (taken down?), kept", where);
	if (*s != '\0')
		edit_str(&c->edits, album, "title", "", 0);
	return 0;
}

static int
albums_rules(struct check *c, yajl_val rec)
{
	yajl_val artists = json_member(rec, "artists");
	const char *artist_id;
	size_t i;

	if (check_id(c, rec, "id", &c->id) || check_provider(c, rec) ||
	    check_album_title(c, rec, ""))
		return -1;
	if (json_len(artists) == 0)
		return reject(c, "no artist reference");
	for (i = 0; i < json_len(artists); i++) {
		artist_id = json_str(json_member(json_at(artists, i), "id"));
		if (artist_id == NULL || *artist_id == '\0')
			return reject(c, "artist reference %zu has no id", i);
	}
	check_release_date(c, rec, "");
	art_or_null(c, rec);
	return 0;
}

/*
 * The album id of a local file, derived from the names as the mappings derive
 * it (prov_derived_id: the album's first artist, else the track's, and the
 * album's title), so that a record mapped by parse and one completed here give
 * the same album the same id.
 */
static void
local_album_id(yajl_val track, yajl_val album, char out[PROV_DERIVED_LEN])
{
	const char *artist, *title;

	artist = json_str(json_get(json_at(json_member(album, "artists"), 0), "name", NULL));
	if (artist == NULL)
		artist = json_str(json_get(json_at(json_member(track, "artists"), 0), "name", NULL));
	title = json_str(json_member(album, "title"));
	if (title == NULL)
		title = json_str(json_member(album, "name"));
	prov_derived_id(out, artist, title ? title : "");
}

static int
check_duration(struct check *c, yajl_val track, const char *where)
{
	yajl_val v = json_member(track, "duration_ms");
	double d;

	if (json_is_null(v)) {
		warning(c, "%sno duration_ms, set to 0", where);
		edit_int(&c->edits, track, "duration_ms", 0);
		return 0;
	}
	if (v->type != yajl_t_number)
		return reject(c, "%sduration_ms is not a number: %s", where, shown(c, v));
	if (v->u.number.flags & YAJL_NUMBER_INT_VALID)
		return v->u.number.i < 0 ? reject(c, "%snegative duration_ms", where) : 0;
	/* a fraction, or an integer too large for 64 bits */
	if (!(v->u.number.flags & YAJL_NUMBER_DOUBLE_VALID) || v->u.number.d >= 1e15)
		return reject(c, "%sduration_ms out of range: %s", where, shown(c, v));
	d = v->u.number.d;
	if (d < 0)
		return reject(c, "%snegative duration_ms", where);
	edit_int(&c->edits, track, "duration_ms", (long long)(d + 0.5));
	return 0;
}

/*
 * A track, saved or embedded in a playlist item (where = "track: "): id, title
 * and an album reference. A local file (is_local, no id) takes its uri as id
 * and an album id derived from the names.
 */
static int
track_rules(struct check *c, yajl_val rec, const char **id, const char *where)
{
	yajl_val idv = json_member(rec, "id"), album = json_member(rec, "album");
	int local = json_bool(json_member(rec, "is_local"), 0);
	const char *uri, *album_id;
	char derived[PROV_DERIVED_LEN];

	*id = NULL;
	if (local && (json_is_null(idv) || (json_str(idv) && *json_str(idv) == '\0'))) {
		uri = json_str(json_member(rec, "uri"));
		if (uri == NULL || *uri == '\0')
			return reject(c, "%slocal file without a uri", where);
		*id = uri;
		edit_str(&c->edits, rec, "id", uri, strlen(uri));
	} else if (check_id(c, rec, "id", id) != 0) {
		return reject_in(c, where);
	}
	if (check_provider(c, rec) || check_text(c, rec, "title"))
		return reject_in(c, where);
	if (json_is_null(album)) {
		if (!local)
			return reject(c, "%sno album reference", where);
		local_album_id(rec, NULL, derived);
		edit_id_object(&c->edits, rec, "album", derived);
	} else if (album->type != yajl_t_object) {
		return reject(c, "%salbum is not an object", where);
	} else {
		album_id = json_str(json_member(album, "id"));
		if (album_id == NULL || *album_id == '\0') {
			if (!local)
				return reject(c, "%salbum reference has no id", where);
			local_album_id(rec, album, derived);
			edit_str(&c->edits, album, "id", derived, strlen(derived));
		}
		if (json_str(json_member(album, "title")) != NULL &&
		    check_album_title(c, album, *where ? "track: album: " : "album: ") != 0)
			return -1;
		check_release_date(c, album, *where ? "track: album: " : "album: ");
	}
	return check_duration(c, rec, where);
}

static int
tracks_rules(struct check *c, yajl_val rec)
{
	return track_rules(c, rec, &c->id, "");
}

/* A podcast episode in a playlist: an id, a title; no album (it has a show). */
static int
episode_rules(struct check *c, yajl_val ep)
{
	const char *id;

	if (check_id(c, ep, "id", &id) != 0 || check_text(c, ep, "title") != 0)
		return reject_in(c, "episode: ");
	check_release_date(c, ep, "episode: ");
	return check_duration(c, ep, "episode: ");
}

static int
playlist_items_rules(struct check *c, yajl_val rec)
{
	yajl_val track = json_member(rec, "track"), episode = json_member(rec, "episode");
	yajl_val reason;
	const char *playlist_id, *track_id;
	long long position;

	if (check_id(c, rec, "id", &c->id) || check_provider(c, rec))
		return -1;
	playlist_id = json_str(json_member(rec, "playlist_id"));
	if (playlist_id == NULL || *playlist_id == '\0')
		return reject(c, "no playlist_id");
	if (json_int(json_member(rec, "position"), &position) != 0 || position < 0)
		return reject(c, "position is not a non-negative integer");
	if (!json_is_null(track)) {
		if (track->type != yajl_t_object)
			return reject(c, "track is not an object");
		return track_rules(c, track, &track_id, "track: ");
	}
	if (!json_is_null(episode)) {
		if (episode->type != yajl_t_object)
			return reject(c, "episode is not an object");
		return episode_rules(c, episode);
	}
	/* neither: the entry keeps its position, with the reason why */
	reason = json_member(rec, "reason");
	if (json_str(reason) == NULL || *json_str(reason) == '\0')
		edit_str(&c->edits, rec, "reason", "track unavailable", strlen("track unavailable"));
	return 0;
}

static int
other_rules(struct check *c, yajl_val rec)
{
	return check_id(c, rec, "id", &c->id);
}

static const struct {
	const char *stream;
	int (*rules)(struct check *, yajl_val);
} streams[] = {
	{ "artists", named_rules },
	{ "albums", albums_rules },
	{ "tracks", tracks_rules },
	{ "playlists", named_rules },
	{ "playlist_items", playlist_items_rules },
};

int
rules_check(const char *stream, yajl_val rec, struct check *c)
{
	size_t i;

	c->id = NULL;
	c->reason[0] = '\0';
	c->nwarnings = 0;
	edits_reset(&c->edits);
	for (i = 0; i < sizeof streams / sizeof streams[0]; i++)
		if (strcmp(stream, streams[i].stream) == 0)
			return streams[i].rules(c, rec);
	return other_rules(c, rec);
}

const char *
utf8_clean(struct buf *scratch, const char *s, size_t *n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + *n;
	size_t k;

	while (p < end && (k = utf8_seq_len(p, end)) > 0)
		p += k;
	if (p == end)
		return s;	/* the usual case: nothing to replace */
	buf_reset(scratch);
	buf_add(scratch, s, (size_t)((const char *)p - s));
	while (p < end) {
		k = utf8_seq_len(p, end);
		if (k == 0) {
			buf_adds(scratch, "\xEF\xBF\xBD");	/* U+FFFD */
			p++;
		} else {
			buf_add(scratch, p, k);
			p += k;
		}
	}
	*n = scratch->len;
	return scratch->data;
}
