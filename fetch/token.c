/*
 * token.c: the tokens: --token-file, CRATE_TOKEN or --token-cmd (and Apple's
 * Music-User-Token), and a new one from --token-cmd after a 401.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"

static char *
first_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);

	if (n <= 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n == 0) {
		free(line);
		return NULL;
	}
	return line;
}

/*
 * A token goes into a header line: a control character (CR, LF) would start
 * another header, so only visible ASCII is taken (what RFC 6750's b64token
 * and every provider's tokens are made of).
 */
static int
token_ok(const char *t)
{
	for (; *t; t++)
		if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
			return 0;
	return 1;
}

static char *
checked(char *t, const char *from)
{
	if (t && !token_ok(t)) {
		memset(t, 0, strlen(t));
		free(t);
		die(EXIT_USAGE, "%s: the token has a character a header cannot carry "
		    "(a control character, a space, or non-ASCII)", from);
	}
	return t;
}

static char *
token_from_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *t;

	if (f == NULL)
		die(EXIT_USAGE, "%s: %s", path, strerror(errno));
	t = first_line(f);
	fclose(f);
	if (t == NULL)
		die(EXIT_NOPERM, "%s: no token in the file", path);
	return t;
}

/* Runs --token-cmd; the first line of its output is the token. */
static char *
token_from_cmd(void)
{
	FILE *p = popen(opt.token_cmd, "r");
	char *t;
	int st;

	if (p == NULL)
		die(EXIT_SOFTWARE, "--token-cmd: %s", strerror(errno));
	t = first_line(p);
	st = pclose(p);
	if (st != 0 || t == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
load_tokens(void)
{
	const char *env;

	if (opt.token_file)
		token = checked(token_from_file(opt.token_file), opt.token_file);
	else if ((env = getenv("CRATE_TOKEN")) != NULL && *env)
		token = checked(xstrdup(env), "CRATE_TOKEN");
	else if (opt.token_cmd && (token = checked(token_from_cmd(), "--token-cmd")) == NULL)
		die(EXIT_NOPERM, "--token-cmd gave no token");
	if (opt.user_token_file)
		user_token = checked(token_from_file(opt.user_token_file), opt.user_token_file);
	else if ((env = getenv("CRATE_MUSIC_USER_TOKEN")) != NULL && *env)
		user_token = checked(xstrdup(env), "CRATE_MUSIC_USER_TOKEN");
	if (token == NULL && opt.prov->auth != AUTH_NONE && strcmp(opt.prov->name, "generic") != 0)
		die(EXIT_USAGE, "no token: give --token-file, CRATE_TOKEN or --token-cmd");
}

/*
 * After a 401: the token of generation gen failed. Runs --token-cmd once for
 * that failure (a worker that sees an older generation just retries with the
 * newer token). Returns 0 when there is a new token to try.
 */
int
refresh_token(unsigned gen)
{
	char *t;
	int rc = 0;

	pthread_mutex_lock(&token_lock);
	if (gen == token_generation) {
		if (opt.token_cmd == NULL || (t = token_from_cmd()) == NULL) {
			rc = -1;
		} else if (!token_ok(t)) {
			warn("--token-cmd: the new token has a character a header cannot carry");
			free(t);
			rc = -1;
		} else {
			free(token);
			token = t;
			token_generation++;
		}
	}
	pthread_mutex_unlock(&token_lock);
	return rc;
}
