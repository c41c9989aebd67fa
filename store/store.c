/*
 * store: Singer messages into the crate database (store(1); doc/database.md).
 *
 * Rows are written inside one transaction that ends only at a STATE line (or
 * the end of input), together with the checkpoint of that STATE, so the
 * database always holds a checkpoint and exactly the rows that precede it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "json.h"
#include "msg.h"
#include "util.h"

#include "store.h"

static const char usage[] =
    "usage: store [-q] [--batch N] [--commit-interval TIME] [--busy-timeout TIME]\n"
    "             [--provider NAME] [--report FILE] [-m SIZE] [--max-pages N]\n"
    "             [--progress-interval TIME] [--allow-delete] DB\n";

static volatile sig_atomic_t got_signal;
static int devnull_fd = -1;

/*
 * SIGINT, SIGTERM: stop at the next line. A read already waiting on a quiet
 * pipe would not return (the reader retries on EINTR), so standard input is
 * replaced by /dev/null: the read ends at once with end of input.
 */
static void
on_signal(int sig)
{
	got_signal = sig;
	if (devnull_fd >= 0)
		dup2(devnull_fd, STDIN_FILENO);
}

static void
signals_init(void)
{
	struct sigaction sa;

	devnull_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file size limit (ulimit -f) is a write error (EFBIG, exit 74), not a silent death. */
	signal(SIGXFSZ, SIG_IGN);
	db_interrupt_on(&got_signal);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "allow-delete", no_argument, NULL, 'D' },
		{ "batch", required_argument, NULL, 'b' },
		{ "commit-interval", required_argument, NULL, 'i' },
		{ "busy-timeout", required_argument, NULL, 'w' },
		{ "provider", required_argument, NULL, 'p' },
		{ "report", required_argument, NULL, 'r' },
		{ "max-record", required_argument, NULL, 'c' },
		{ "max-pages", required_argument, NULL, 'M' },
		{ "progress-interval", required_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_opts o = {
		.batch = 10000,
		.commit_interval_ms = 1000,
		.busy_ms = DB_BUSY_DEFAULT_MS,
		.cap = RECORD_CAP_DEFAULT,
		.progress_ms = 5000,
	};
	struct msg_reader *r;
	int c;

	cli_init(argv, usage);
	while ((c = getopt_long(argc, argv, "m:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			o.allow_delete = 1;
			break;
		case 'b':
			o.batch = opt_ll("--batch", optarg, 1, 1LL << 40);
			break;
		case 'i':
			o.commit_interval_ms = opt_ms("--commit-interval", optarg);
			break;
		case 'w':
			o.busy_ms = opt_ms("--busy-timeout", optarg);
			break;
		case 'p':
			o.provider = optarg;
			break;
		case 'r':
			o.report = optarg;
			break;
		case 'm':
			o.cap = opt_size("--max-record", optarg);
			break;
		case 'P':
			o.progress_ms = opt_ms("--progress-interval", optarg);
			break;
		case 'M':
			o.max_pages = opt_ll("--max-pages", optarg, 1, 1LL << 40);
			break;
		case 'q':
			util_quiet = 1;
			break;
		case 'h':
			cli_help();
		default:
			cli_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		cli_usage();
	o.path = argv[0];
	if (o.provider == NULL && getenv("CRATE_PROVIDER") && *getenv("CRATE_PROVIDER"))
		o.provider = getenv("CRATE_PROVIDER");

	signals_init();
	store_open(&o);
	r = msg_reader_new(STDIN_FILENO, "-", o.cap);
	c = store_run(r, &got_signal);
	msg_reader_free(r);
	return c;
}
