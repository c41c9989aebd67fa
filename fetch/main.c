/*
 * fetch-pages: page through a provider's library API and write Singer
 * messages: SCHEMA, the RECORDs of each page as its body arrives, and a STATE
 * after every page. The last STATE says complete:true only after a verified
 * enumeration (fetch-pages(1)). The parts are listed in fetch.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fetch.h"
#include "json.h"
#include "prov.h"
#include "url.h"

/* ---- the shared state (declared in fetch.h) ---- */

struct opts opt;
char *token, *user_token;
pthread_mutex_t token_lock = PTHREAD_MUTEX_INITIALIZER;
unsigned token_generation;
pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
struct msg_writer *out;
volatile sig_atomic_t stopping;
yajl_val state_root;
char now_iso[ISO8601_LEN];

static const char usage[] =
    "usage: fetch-pages [-q] [--raw] [-p provider] [--base-url url] [--profile file]\n"
    "                   [--token-file file] [--token-cmd command] [--user-token-file file]\n"
    "                   [--state json] [--since time] [-P n] [--limit n] [--rate n]\n"
    "                   [--max-wait time] [--max-retry-after time] [--backoff list]\n"
    "                   [--timeout time] [--connect-timeout time] [--stall-timeout time]\n"
    "                   [-m size] [--max-body size]\n"
    "                   [--sync-id id] stream\n"
    "       fetch-pages [options] [--items path] [--paging link|page|offset] --url url\n";

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
parse_backoff(const char *list)
{
	char *copy = xstrdup(list), *save = NULL, *tok;

	opt.nbackoff = 0;
	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (opt.nbackoff == MAX_BACKOFF)
			die(EXIT_USAGE, "--backoff: at most %d delays", MAX_BACKOFF);
		if (parse_seconds(tok, &opt.backoff_ms[opt.nbackoff++]) != 0)
			die(EXIT_USAGE, "--backoff: '%s' is not a duration", tok);
	}
	free(copy);
}

int
main(int argc, char *argv[])
{
	enum {
		O_RAW = 256, O_BASE, O_PROFILE, O_TOKEN_FILE, O_TOKEN_CMD, O_USER_TOKEN, O_STATE,
		O_SINCE, O_LIMIT, O_RATE, O_MAX_WAIT, O_BACKOFF, O_TIMEOUT, O_CONNECT_TIMEOUT,
		O_MAX_BODY, O_SYNC_ID, O_URL, O_ITEMS, O_PAGING, O_MAX_RETRY_AFTER, O_STALL
	};
	static const struct option longopts[] = {
		{ "provider", required_argument, NULL, 'p' },
		{ "raw", no_argument, NULL, O_RAW },
		{ "base-url", required_argument, NULL, O_BASE },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "token-file", required_argument, NULL, O_TOKEN_FILE },
		{ "token-cmd", required_argument, NULL, O_TOKEN_CMD },
		{ "user-token-file", required_argument, NULL, O_USER_TOKEN },
		{ "state", required_argument, NULL, O_STATE },
		{ "since", required_argument, NULL, O_SINCE },
		{ "workers", required_argument, NULL, 'P' },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "rate", required_argument, NULL, O_RATE },
		{ "max-wait", required_argument, NULL, O_MAX_WAIT },
		{ "max-retry-after", required_argument, NULL, O_MAX_RETRY_AFTER },
		{ "stall-timeout", required_argument, NULL, O_STALL },
		{ "backoff", required_argument, NULL, O_BACKOFF },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "connect-timeout", required_argument, NULL, O_CONNECT_TIMEOUT },
		{ "max-record", required_argument, NULL, 'm' },
		{ "max-body", required_argument, NULL, O_MAX_BODY },
		{ "sync-id", required_argument, NULL, O_SYNC_ID },
		{ "url", required_argument, NULL, O_URL },
		{ "items", required_argument, NULL, O_ITEMS },
		{ "paging", required_argument, NULL, O_PAGING },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *provider = getenv("CRATE_PROVIDER"), *profile = NULL, *url = NULL;
	const char *items = "", *paging = "link", *stream;
	const struct endpoint *ep;
	static struct endpoint generic_ep;
	static struct provider generic_prov;
	struct walk w;
	char err[256], *base_url = NULL;	/* opt.base_url without a trailing slash */
	time_t t;
	int ch, rc;
	long long n;

	cli_init(argv, usage);
	opt.workers = 1;
	opt.max_wait_ms = 300 * 1000;
	opt.max_retry_after_ms = 24LL * 3600 * 1000;
	opt.stall_ms = 30 * 1000;
	opt.timeout_ms = 60 * 1000;
	opt.connect_timeout_ms = 10 * 1000;
	opt.cap = RECORD_CAP_DEFAULT;
	opt.max_body = (size_t)256 << 20;
	parse_backoff("2,4,8,16");
	opt.base_url = getenv("CRATE_BASE_URL");
	while ((ch = getopt_long(argc, argv, "p:P:m:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p': provider = optarg; break;
		case O_RAW: opt.raw = 1; break;
		case O_BASE: opt.base_url = optarg; break;
		case O_PROFILE: profile = optarg; break;
		case O_TOKEN_FILE: opt.token_file = optarg; break;
		case O_TOKEN_CMD: opt.token_cmd = optarg; break;
		case O_USER_TOKEN: opt.user_token_file = optarg; break;
		case O_STATE: opt.state_json = optarg; break;
		case O_SINCE:
			if (iso8601_parse(optarg, &t) != 0)
				die(EXIT_USAGE, "--since: '%s' is not an ISO 8601 time", optarg);
			opt.since = optarg;
			break;
		case 'P': opt.workers = (int)opt_ll("-P", optarg, 1, 64); break;
		case O_LIMIT: opt.limit = (int)opt_ll("--limit", optarg, 1, 10000); break;
		case O_RATE:
			n = opt_ll("--rate", optarg, 1, 100000);
			opt.rate = (double)n;
			break;
		case O_MAX_WAIT: opt.max_wait_ms = opt_ms("--max-wait", optarg); break;
		case O_MAX_RETRY_AFTER:
			if ((opt.max_retry_after_ms = opt_ms("--max-retry-after", optarg)) < 1000)
				die(EXIT_USAGE, "--max-retry-after: at least 1 s");
			break;
		case O_STALL: opt.stall_ms = opt_ms("--stall-timeout", optarg); break;
		case O_BACKOFF: parse_backoff(optarg); break;
		case O_TIMEOUT: opt.timeout_ms = opt_ms("--timeout", optarg); break;
		case O_CONNECT_TIMEOUT: opt.connect_timeout_ms = opt_ms("--connect-timeout", optarg); break;
		case 'm': opt.cap = opt_size("-m", optarg); break;
		case O_MAX_BODY: opt.max_body = opt_size("--max-body", optarg); break;
		case O_SYNC_ID: opt.sync_id = optarg; break;
		case O_URL: url = optarg; break;
		case O_ITEMS: items = optarg; break;
		case O_PAGING: paging = optarg; break;
		case 'q': util_quiet = 1; break;
		case 'h': cli_help();
		default: cli_usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (url != NULL) {
		/* any paginated JSON API: generic records */
		if (argc > 1)
			cli_usage();
		stream = argc == 1 ? argv[0] : "items";
		generic_ep.path = url;
		generic_ep.items = items;
		generic_ep.limit_param = NULL;
		generic_ep.max_limit = 100;
		if (strcmp(paging, "link") == 0) {
			generic_ep.paging = PAGING_LINK;
		} else if (strcmp(paging, "page") == 0) {
			generic_ep.paging = PAGING_PAGE;
			generic_ep.offset_param = "page";
		} else if (strcmp(paging, "offset") == 0) {
			generic_ep.paging = PAGING_OFFSET;
			generic_ep.offset_param = "offset";
		} else {
			die(EXIT_USAGE, "--paging: '%s' is not link, page or offset", paging);
		}
		generic_prov.name = "generic";
		generic_prov.auth = AUTH_BEARER;
		generic_prov.base_url = url;
		opt.prov = &generic_prov;
		opt.prov_id = PROV_GENERIC;
		if (opt.base_url == NULL)
			opt.base_url = url;
		ep = &generic_ep;
	} else {
		if (argc != 1)
			cli_usage();
		stream = argv[0];
		if (profile) {
			opt.prov = provider_load(profile);
		} else {
			if (provider == NULL)
				provider = "spotify";
			if ((opt.prov = provider_builtin(provider)) == NULL)
				die(EXIT_USAGE, "unknown provider '%s' (spotify, apple-music, deezer; "
				    "--url for any other API, --profile for a description)", provider);
		}
		if ((opt.prov_id = prov_lookup(opt.prov->name)) < 0)
			opt.prov_id = PROV_GENERIC;
		if ((ep = provider_endpoint(opt.prov, stream)) == NULL)
			die(EXIT_USAGE, "unknown stream '%s' (artists, albums, tracks, playlists, "
			    "playlist_items)", stream);
		if (opt.base_url == NULL)
			opt.base_url = opt.prov->base_url;
	}
	if (opt.base_url) {
		/* a trailing slash is harmless: paths begin with one (/v1//me/tracks is a 404) */
		size_t n = strlen(opt.base_url);

		base_url = xstrdup(opt.base_url);
		while (n > 0 && base_url[n - 1] == '/' && strstr(base_url, "://") &&
		    n > (size_t)(strstr(base_url, "://") - base_url) + 3)
			base_url[--n] = '\0';
		opt.base_url = base_url;
	}
	/*
	 * Deezer documents its quota: "The number of requests per second is
	 * limited to 50 requests / 5 seconds" (developers.deezer.com/api, Quota;
	 * quoted by deezer-python's users), answered with error code 4. A little
	 * under it, evenly spaced, no 5 s window ever holds more.
	 */
	if (opt.rate == 0 && strcmp(opt.prov->name, "deezer") == 0)
		opt.rate = 9.5;
	if (!url_same_origin(opt.base_url, opt.base_url)) {
		char *c = url_clean(opt.base_url);

		die(EXIT_USAGE, "not an http or https URL: %s (--base-url, CRATE_BASE_URL, or "
		    "the profile's base_url)", c);
	}
	if (opt.since && !ep->newest_first && url == NULL)
		die(EXIT_USAGE, "--since: %s %s is not sorted newest first", opt.prov->name, stream);
	if (opt.limit == 0 || (ep->max_limit > 0 && opt.limit > ep->max_limit))
		opt.limit = ep->max_limit;
	if (ep->paging == PAGING_OFFSET && ep->limit_param && opt.limit < 2)
		die(EXIT_USAGE, "--limit: at least 2 with offset paging (each page re-reads the last "
		    "item of the one before)");
	if (opt.state_json && *opt.state_json) {
		state_root = json_parse(opt.state_json, strlen(opt.state_json), err, sizeof err);
		if (state_root == NULL || state_root->type != yajl_t_object)
			die(EXIT_USAGE, "--state: not a JSON object: %s", err);
	}
	if (opt.prov->auth == AUTH_QUERY && opt.prov->auth_param)
		url_secret(opt.prov->auth_param);
	load_tokens();
	srand((unsigned)(time(NULL) ^ getpid()));
	iso8601_now(now_iso);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		die(EXIT_SOFTWARE, "curl_global_init failed");
	out = msg_writer_new(STDOUT_FILENO);

	if (strcmp(stream, "playlist_items") == 0 && url == NULL) {
		rc = run_playlists(ep);
	} else {
		memset(&w, 0, sizeof w);
		walk_init(&w, stream, ep, NULL, NULL);
		walk_tools(&w);
		emit_schema(&w);
		rc = run_one(&w);
		walk_free(&w);
	}
	msg_writer_free_stdout(out);
	if (state_root)
		yajl_tree_free(state_root);
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
	}
	free(user_token);
	free(base_url);
	curl_global_cleanup();
	return rc;
}
