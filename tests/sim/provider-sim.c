/*
 * provider-sim: a local music provider API with fault injection, for tests,
 * benchmarks and the demo. See provider-sim(1). This file reads the options
 * and runs the server (server.c) until a signal; the library is library.c,
 * the pages are render*.c.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "server.h"
#include "util.h"

static const char usage[] =
    "usage: provider-sim [-q] [--port N] [--port-file FILE] [--seed N] [--artists N]\n"
    "                    [--albums N] [--tracks N] [--unsaved N] [--playlists N]\n"
    "                    [--playlist-max N] [--user ID] [--dialect NAME] [--dump FILE]\n"
    "                    [--log FILE] [--token TOKEN] [--token-ttl N]\n"
    "                    [--refresh-token TOKEN] [--fault-429 SPEC] [--retry-after N|none]\n"
    "                    [--retry-after-date] [--rate N/WINDOW] [--fault-5xx SPEC]\n"
    "                    [--burst N] [--fault-hang SPEC] [--hang-ms N] [--fault-reset SPEC]\n"
    "                    [--fault-truncate SPEC] [--fault-malformed SPEC] [--fault-404 SPEC]\n"
    "                    [--music-user-token TOKEN] [--bad-items P]\n"
    "                    [--null-tracks P] [--local-files P] [--latency MS] [--drift SPEC]\n"
    "                    [--drift-add N] [--drift-remove N] [--fault-path PREFIX]\n"
    "                    [--fault-deezer SPEC] [--deezer-code 4|300|800|none]\n"
    "                    [--deezer-quota] [--unserved N] [--null-at POS,...]\n"
    "                    [--mut-expire N] [--episodes P] [--takedown P] [--editorial P]\n"
    "                    [--fault-expire SPEC]\n";

enum {
	O_PORT = 'p', O_PORTFILE = 'f', O_SEED = 's', O_QUIET = 'q', O_HELP = 'h',
	O_ARTISTS = 256, O_ALBUMS, O_TRACKS, O_UNSAVED, O_PLAYLISTS, O_PLMAX, O_USER,
	O_DIALECT, O_DUMP, O_LOG, O_TOKEN, O_TTL, O_REFRESH, O_F429, O_RA, O_RADATE,
	O_RATE, O_F5XX, O_BURST, O_FHANG, O_HANGMS, O_FRESET, O_FTRUNC, O_FMALFORMED, O_F404, O_MUT,
	O_BAD, O_NULL, O_LOCAL, O_LATENCY, O_DRIFT, O_DRIFTADD, O_DRIFTRM, O_FPATH, O_FDEEZER,
	O_DZCODE, O_DZQUOTA, O_UNSERVED, O_NULLAT, O_MUTEXP, O_EPISODES, O_TAKEDOWN, O_EDITORIAL,
	O_FEXPIRE
};

static const struct option longopts[] = {
	{ "port", required_argument, NULL, O_PORT },
	{ "port-file", required_argument, NULL, O_PORTFILE },
	{ "seed", required_argument, NULL, O_SEED },
	{ "quiet", no_argument, NULL, O_QUIET },
	{ "help", no_argument, NULL, O_HELP },
	{ "artists", required_argument, NULL, O_ARTISTS },
	{ "albums", required_argument, NULL, O_ALBUMS },
	{ "tracks", required_argument, NULL, O_TRACKS },
	{ "unsaved", required_argument, NULL, O_UNSAVED },
	{ "playlists", required_argument, NULL, O_PLAYLISTS },
	{ "playlist-max", required_argument, NULL, O_PLMAX },
	{ "user", required_argument, NULL, O_USER },
	{ "dialect", required_argument, NULL, O_DIALECT },
	{ "dump", required_argument, NULL, O_DUMP },
	{ "log", required_argument, NULL, O_LOG },
	{ "token", required_argument, NULL, O_TOKEN },
	{ "token-ttl", required_argument, NULL, O_TTL },
	{ "refresh-token", required_argument, NULL, O_REFRESH },
	{ "fault-429", required_argument, NULL, O_F429 },
	{ "retry-after", required_argument, NULL, O_RA },
	{ "retry-after-date", no_argument, NULL, O_RADATE },
	{ "rate", required_argument, NULL, O_RATE },
	{ "fault-5xx", required_argument, NULL, O_F5XX },
	{ "burst", required_argument, NULL, O_BURST },
	{ "fault-hang", required_argument, NULL, O_FHANG },
	{ "hang-ms", required_argument, NULL, O_HANGMS },
	{ "fault-reset", required_argument, NULL, O_FRESET },
	{ "fault-truncate", required_argument, NULL, O_FTRUNC },
	{ "fault-malformed", required_argument, NULL, O_FMALFORMED },
	{ "fault-404", required_argument, NULL, O_F404 },
	{ "music-user-token", required_argument, NULL, O_MUT },
	{ "bad-items", required_argument, NULL, O_BAD },
	{ "null-tracks", required_argument, NULL, O_NULL },
	{ "local-files", required_argument, NULL, O_LOCAL },
	{ "latency", required_argument, NULL, O_LATENCY },
	{ "drift", required_argument, NULL, O_DRIFT },
	{ "drift-add", required_argument, NULL, O_DRIFTADD },
	{ "drift-remove", required_argument, NULL, O_DRIFTRM },
	{ "fault-path", required_argument, NULL, O_FPATH },
	{ "fault-deezer", required_argument, NULL, O_FDEEZER },
	{ "deezer-code", required_argument, NULL, O_DZCODE },
	{ "deezer-quota", no_argument, NULL, O_DZQUOTA },
	{ "unserved", required_argument, NULL, O_UNSERVED },
	{ "null-at", required_argument, NULL, O_NULLAT },
	{ "mut-expire", required_argument, NULL, O_MUTEXP },
	{ "episodes", required_argument, NULL, O_EPISODES },
	{ "takedown", required_argument, NULL, O_TAKEDOWN },
	{ "editorial", required_argument, NULL, O_EDITORIAL },
	{ "fault-expire", required_argument, NULL, O_FEXPIRE },
	{ NULL, 0, NULL, 0 }
};

static const char *
optname(int opt)
{
	const struct option *o;

	for (o = longopts; o->name; o++)
		if (o->val == opt)
			return o->name;
	return "?";
}

static long long
num(int opt, const char *arg, long long min, long long max)
{
	long long v;

	if (parse_ll(arg, min, max, &v) != 0)
		die(EXIT_USAGE, "--%s: '%s' is not a number in %lld..%lld", optname(opt), arg,
		    min, max);
	return v;
}

static double
prob(int opt, const char *arg)
{
	char *end;
	double p;

	errno = 0;
	p = strtod(arg, &end);
	if (*arg == '\0' || *end != '\0' || errno != 0 || !(p >= 0 && p <= 1))
		die(EXIT_USAGE, "--%s: '%s' is not a probability in 0..1", optname(opt), arg);
	return p;
}

/* N,N,...: numbers from min, appended to *list. */
static void
num_list(int opt, const char *arg, long min, long **list, size_t *n)
{
	const char *p;
	char *end;
	long v;

	for (p = arg;; p = end + 1) {
		errno = 0;
		if (*p < '0' || *p > '9')
			die(EXIT_USAGE, "--%s: '%s' is not N,N,...", optname(opt), arg);
		v = strtol(p, &end, 10);
		if (errno != 0 || v < min || (*end != ',' && *end != '\0'))
			die(EXIT_USAGE, "--%s: '%s' is not N,N,... (each %ld or more)", optname(opt),
			    arg, min);
		*list = xrealloc(*list, (*n + 1) * sizeof **list);
		(*list)[(*n)++] = v;
		if (*end == '\0')
			break;
	}
}

/* SPEC: a probability, or @N,N,... request numbers (from 1). */
static void
fault_parse(struct fault *f, int opt, const char *arg)
{
	const char *p;
	char *end;
	long v;

	free(f->at);
	f->at = NULL;
	f->nat = 0;
	f->p = 0;
	if (arg[0] != '@') {
		f->p = prob(opt, arg);
		return;
	}
	for (p = arg + 1;; p = end + 1) {
		errno = 0;
		if (*p < '0' || *p > '9')
			die(EXIT_USAGE, "--%s: '%s' is not a probability or @N,N,...",
			    optname(opt), arg);
		v = strtol(p, &end, 10);
		if (errno != 0 || v < 1 || (*end != ',' && *end != '\0'))
			die(EXIT_USAGE, "--%s: '%s' is not a probability or @N,N,...",
			    optname(opt), arg);
		f->at = xrealloc(f->at, (f->nat + 1) * sizeof *f->at);
		f->at[f->nat++] = v;
		if (*end == '\0')
			break;
	}
}

static void
write_port_file(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *fp;

	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	if ((fp = fopen(tmp, "w")) == NULL)
		die(EXIT_IOERR, "%s: %s", tmp, strerror(errno));
	fprintf(fp, "%u\n", port);
	if (fclose(fp) != 0 || rename(tmp, path) != 0)
		die(EXIT_IOERR, "%s: %s", path, strerror(errno));
}

static void
write_dump(const char *path)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");

	if (fp == NULL)
		die(EXIT_IOERR, "%s: %s", path, strerror(errno));
	lib_dump(&S.lib, S.dialect, fp);
	if (fp == stdout) {
		if (fflush(fp) != 0 || ferror(fp))
			stdout_write_error(errno);
	} else if (fclose(fp) != 0)
		die(EXIT_IOERR, "%s: %s", path, strerror(errno));
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in addr;
	struct MHD_Daemon *daemon;
	const union MHD_DaemonInfo *di;
	const char *port_file = NULL, *dump = NULL, *log = NULL;
	long long unsaved = -1, window;
	long rate_n = 0, rate_window = 0;
	sigset_t sigs;
	int ch, sig, i, dzquota = 0;
	char *end;

	cli_init(argv, usage);
	S.dialect = -1;
	S.lib.seed = 1;
	S.lib.n[K_ARTIST] = 30;
	S.lib.n[K_ALBUM] = 40;
	S.lib.saved_tracks = 200;
	S.lib.n[K_PLAYLIST] = 12;
	S.lib.playlist_max = 120;
	S.lib.p_null = 0.02;
	S.lib.p_local = 0.02;
	S.lib.drift_add = 2;
	S.lib.drift_remove = 1;
	snprintf(S.lib.user, sizeof S.lib.user, "crate-sim");
	snprintf(S.token_initial, sizeof S.token_initial, "test-token");
	snprintf(S.refresh_token, sizeof S.refresh_token, "test-refresh-token");
	S.retry_after = 1;
	S.burst = 1;
	S.hang_ms = 0;
	S.deezer_code = -1;

	while ((ch = getopt_long(argc, argv, "p:f:s:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case O_PORT: S.port = (unsigned)num(ch, optarg, 0, 65535); break;
		case O_PORTFILE: port_file = optarg; break;
		case O_SEED: S.lib.seed = (uint64_t)num(ch, optarg, 0, INT64_MAX); break;
		case O_QUIET: util_quiet = 1; break;
		case O_HELP: cli_help();
		case O_ARTISTS: S.lib.n[K_ARTIST] = (long)num(ch, optarg, 0, 10000000); break;
		case O_ALBUMS: S.lib.n[K_ALBUM] = (long)num(ch, optarg, 0, 10000000); break;
		case O_TRACKS: S.lib.saved_tracks = (long)num(ch, optarg, 0, 100000000); break;
		case O_UNSAVED: unsaved = num(ch, optarg, 0, 100000000); break;
		case O_PLAYLISTS: S.lib.n[K_PLAYLIST] = (long)num(ch, optarg, 0, 1000000); break;
		case O_PLMAX: S.lib.playlist_max = (long)num(ch, optarg, 0, 1000000); break;
		case O_USER:
			if (*optarg == '\0' || strlen(optarg) >= sizeof S.lib.user ||
			    strspn(optarg, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(optarg))
				die(EXIT_USAGE, "--user: '%s' is not a user id ([a-z0-9._-], under 64)",
				    optarg);
			snprintf(S.lib.user, sizeof S.lib.user, "%s", optarg);
			break;
		case O_DIALECT:
			for (i = 0; i < D_NDIALECTS; i++)
				if (strcmp(optarg, dialect_names[i]) == 0)
					S.dialect = i;
			if (strcmp(optarg, "all") == 0)
				S.dialect = -1;
			else if (S.dialect < 0 || strcmp(optarg, dialect_names[S.dialect]) != 0)
				die(EXIT_USAGE, "--dialect: '%s' is not spotify, apple-music, deezer, "
				    "generic or all", optarg);
			break;
		case O_DUMP: dump = optarg; break;
		case O_LOG: log = optarg; break;
		case O_TOKEN:
			if (*optarg == '\0' || strlen(optarg) >= sizeof S.token_initial)
				die(EXIT_USAGE, "--token: empty or too long");
			snprintf(S.token_initial, sizeof S.token_initial, "%s", optarg);
			break;
		case O_TTL: S.token_ttl = (long)num(ch, optarg, 0, LONG_MAX); break;
		case O_REFRESH:
			if (*optarg == '\0' || strlen(optarg) >= sizeof S.refresh_token)
				die(EXIT_USAGE, "--refresh-token: empty or too long");
			snprintf(S.refresh_token, sizeof S.refresh_token, "%s", optarg);
			break;
		case O_F429: fault_parse(&S.f429, ch, optarg); break;
		case O_RA:
			/* Up to 10^12 s: what crate must cap (issue 12 saw 2.5e11). */
			S.retry_after = strcmp(optarg, "none") == 0 ? -1 :
			    (long)num(ch, optarg, 0, 1000000000000LL);
			break;
		case O_RADATE: S.retry_after_date = 1; break;
		case O_RATE:
			rate_n = strtol(optarg, &end, 10);
			if (end == optarg || *end != '/' || rate_n < 1 || rate_n > 1000000 ||
			    parse_seconds(end + 1, &window) != 0 || window <= 0)
				die(EXIT_USAGE, "--rate: '%s' is not N/WINDOW (e.g. 10/1s)", optarg);
			rate_window = (long)window;
			break;
		case O_F5XX: fault_parse(&S.f5xx, ch, optarg); break;
		case O_BURST: S.burst = (long)num(ch, optarg, 1, 1000000); break;
		case O_FHANG: fault_parse(&S.fhang, ch, optarg); break;
		case O_HANGMS: S.hang_ms = (long)num(ch, optarg, 0, 86400000); break;
		case O_FRESET: fault_parse(&S.freset, ch, optarg); break;
		case O_FTRUNC: fault_parse(&S.ftrunc, ch, optarg); break;
		case O_FMALFORMED: fault_parse(&S.fmalformed, ch, optarg); break;
		case O_F404: fault_parse(&S.f404, ch, optarg); break;
		case O_MUT:
			if (*optarg == '\0' || strlen(optarg) >= sizeof S.music_user_token)
				die(EXIT_USAGE, "--music-user-token: empty or too long");
			snprintf(S.music_user_token, sizeof S.music_user_token, "%s", optarg);
			break;
		case O_BAD:
			if (optarg[0] == '@')
				num_list(ch, optarg + 1, 0, &S.lib.bad_at, &S.lib.nbad_at);
			else
				S.lib.p_bad = prob(ch, optarg);
			break;
		case O_NULL: S.lib.p_null = prob(ch, optarg); break;
		case O_LOCAL: S.lib.p_local = prob(ch, optarg); break;
		case O_LATENCY: S.latency_ms = (long)num(ch, optarg, 0, 600000); break;
		case O_DRIFT: fault_parse(&S.fdrift, ch, optarg); break;
		case O_DRIFTADD: S.lib.drift_add = (int)num(ch, optarg, 0, 1000); break;
		case O_DRIFTRM: S.lib.drift_remove = (int)num(ch, optarg, 0, 1000); break;
		case O_FPATH:
			if (optarg[0] != '/')
				die(EXIT_USAGE, "--fault-path: '%s' does not begin with /", optarg);
			S.fault_path = optarg;
			break;
		case O_FDEEZER: fault_parse(&S.fdeezer, ch, optarg); break;
		case O_FEXPIRE: fault_parse(&S.fexpire, ch, optarg); break;
		case O_DZCODE:
			S.deezer_code = strcmp(optarg, "none") == 0 ? -1 : (int)num(ch, optarg, 0, 999);
			if (S.deezer_code != -1 && S.deezer_code != 4 && S.deezer_code != 300 &&
			    S.deezer_code != 800)
				die(EXIT_USAGE, "--deezer-code: '%s' is not 4, 300, 800 or none", optarg);
			break;
		case O_DZQUOTA: dzquota = 1; break;
		case O_UNSERVED: S.lib.unserved = (long)num(ch, optarg, 0, 1000000); break;
		case O_NULLAT: num_list(ch, optarg, 0, &S.lib.null_at, &S.lib.nnull_at); break;
		case O_MUTEXP: S.mut_expire = (long)num(ch, optarg, 1, LONG_MAX); break;
		case O_EPISODES: S.lib.p_episode = prob(ch, optarg); break;
		case O_TAKEDOWN: S.lib.p_takedown = prob(ch, optarg); break;
		case O_EDITORIAL: S.lib.p_editorial = prob(ch, optarg); break;
		default:
			cli_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 0) {
		say("%s: unexpected operand", argv[0]);
		cli_usage();
	}
	if (S.lib.p_null + S.lib.p_local + S.lib.p_episode > 1)
		die(EXIT_USAGE, "--null-tracks, --local-files and --episodes add up to more than 1");
	if ((S.lib.n[K_ALBUM] > 0 && S.lib.n[K_ARTIST] == 0) ||
	    (S.lib.saved_tracks > 0 && S.lib.n[K_ALBUM] == 0))
		die(EXIT_USAGE, "albums need artists and tracks need albums");
	S.lib.n[K_TRACK] = S.lib.saved_tracks + (unsaved >= 0 ? unsaved : S.lib.saved_tracks / 8);
	if (S.lib.n[K_TRACK] == 0)
		S.lib.playlist_max = 0;

	lib_init(&S.lib);
	token_add(S.token_initial);
	S.rng = S.lib.seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
	if (S.rng == 0)
		S.rng = 1;
	if (rate_n > 0)
		limiter_init(&S.rate, rate_n, rate_window);
	if (dzquota)
		limiter_init(&S.dzquota, 50, 5000);
	pthread_mutex_init(&S.lock, NULL);
	pthread_rwlock_init(&S.liblock, NULL);
	if (dump != NULL)
		write_dump(dump);
	if (log != NULL) {
		if ((S.log = fopen(log, "a")) == NULL)
			die(EXIT_IOERR, "%s: %s", log, strerror(errno));
	}

	/* The server's threads inherit this mask; main takes the signals with sigwait. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)S.port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	S.start_ms = mono_ms();
	daemon = server_start(&addr);
	if (daemon == NULL)
		die(EXIT_SOFTWARE, "cannot listen on 127.0.0.1:%u", S.port);
	di = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (di == NULL || di->port == 0)
		die(EXIT_SOFTWARE, "cannot learn the port it listens on");
	S.port = di->port;
	if (port_file != NULL)
		write_port_file(port_file, S.port);
	note("listening on http://127.0.0.1:%u", S.port);

	do {
		if (sigwait(&sigs, &sig) != 0)
			die(EXIT_SOFTWARE, "sigwait failed");
	} while (sig == SIGHUP);
	S.stopping = 1;
	MHD_stop_daemon(daemon);
	if (S.log != NULL && fclose(S.log) != 0)
		die(EXIT_IOERR, "%s: %s", log, strerror(errno));
	lib_free(&S.lib);
	free(S.rate.times);
	free(S.dzquota.times);
	free(S.fdeezer.at);
	free(S.fexpire.at);
	free(S.f429.at);
	free(S.f5xx.at);
	free(S.fhang.at);
	free(S.freset.at);
	free(S.ftrunc.at);
	free(S.fmalformed.at);
	free(S.f404.at);
	free(S.fdrift.at);
	return 0;
}
