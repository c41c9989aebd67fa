/*
 * Unit tests of the helpers that give one idea one name in libparse: a
 * release date's precision, an integer or a default, an id as text, the
 * canonical streams and the bookmark key of a record.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "json.h"
#include "prov.h"
#include "util.h"

static yajl_val
tree(const char *text)
{
	char err[128];
	yajl_val v = json_parse(text, strlen(text), err, sizeof err);

	if (v == NULL) {
		printf("Bail out! %s: %s\n", text, err);
		exit(1);
	}
	return v;
}

static void
dates(void)
{
	is_str(date_precision("2001"), "year", "date_precision: YYYY is a year");
	is_str(date_precision("2001-03"), "month", "date_precision: YYYY-MM is a month");
	is_str(date_precision("2001-03-09"), "day", "date_precision: YYYY-MM-DD is a day");
	is_str(date_precision("2000-02-29"), "day", "date_precision: a leap day");
	/* parse's own date_precision went by the length alone and said "day" or "month" here */
	is_str(date_precision("1900-02-29"), NULL, "date_precision: no leap day in 1900");
	is_str(date_precision("0000-00-00"), NULL, "date_precision: Deezer's unknown date is none");
	is_str(date_precision("2001-13"), NULL, "date_precision: month 13 is none");
	is_str(date_precision("2001/03/09"), NULL, "date_precision: another form is none");
	is_str(date_precision("20010"), NULL, "date_precision: five digits are none");
	is_str(date_precision(""), NULL, "date_precision: empty");
	is_str(date_precision(NULL), NULL, "date_precision: NULL");
}

static void
numbers_and_ids(void)
{
	yajl_val v = tree("{\"n\":12,\"f\":1.5,\"s\":\"ab\",\"e\":\"\",\"b\":true,\"z\":null}");
	char buf[32];

	ok(json_int_or(json_member(v, "n"), -1) == 12, "json_int_or: an integer");
	ok(json_int_or(json_member(v, "f"), -1) == -1, "json_int_or: a fraction is the default");
	ok(json_int_or(json_member(v, "s"), 7) == 7, "json_int_or: a string is the default");
	ok(json_int_or(json_member(v, "absent"), -1) == -1, "json_int_or: absent is the default");
	is_str(json_id(json_member(v, "s"), buf), "ab", "json_id: a string as is");
	is_str(json_id(json_member(v, "n"), buf), "12", "json_id: an integer's digits");
	is_str(json_id(json_member(v, "e"), buf), NULL, "json_id: an empty string is none");
	is_str(json_id(json_member(v, "f"), buf), NULL, "json_id: a fraction is none");
	is_str(json_id(json_member(v, "b"), buf), NULL, "json_id: a boolean is none");
	is_str(json_id(json_member(v, "z"), buf), NULL, "json_id: null is none");
	yajl_tree_free(v);
}

static void
streams_and_keys(void)
{
	yajl_val item = tree("{\"id\":\"pl1:0\",\"playlist_id\":\"pl1\"}");
	yajl_val other = tree("{\"id\":\"t1\",\"playlist_id\":\"pl1\"}");
	char key[64];

	ok(STREAM_COUNT == 5 && prov_stream_index("artists") == 0 &&
	    prov_stream_index("playlist_items") == STREAM_COUNT - 1, "prov_streams: in order");
	ok(prov_stream_index("podcasts") == -1 && !prov_stream_known("podcasts"),
	    "prov_stream_index: an unknown stream is -1");
	is_str(prov_bookmark_key(key, sizeof key, "tracks", NULL), "tracks",
	    "prov_bookmark_key: a stream's own");
	is_str(prov_bookmark_key(key, sizeof key, "playlist_items", "pl9"), "playlist_items:pl9",
	    "prov_bookmark_key: one playlist's");
	is_str(prov_record_key(key, sizeof key, "playlist_items", item), "playlist_items:pl1",
	    "prov_record_key: a playlist entry counts under its playlist");
	is_str(prov_record_key(key, sizeof key, "tracks", other), "tracks",
	    "prov_record_key: a playlist_id elsewhere does not count");
	is_str(prov_record_key(key, sizeof key, "playlist_items", other) + 15, "pl1",
	    "prov_record_key: the playlist id follows the colon");
	is_str(prov_record_key(key, 10, "playlist_items", item), "playlist_",
	    "prov_record_key: truncated to len");
	yajl_tree_free(item);
	yajl_tree_free(other);
}

int
main(void)
{
	util_init("names");
	dates();
	numbers_and_ids();
	streams_and_keys();
	return done_testing();
}
