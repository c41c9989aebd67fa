/*
 * server.h: provider-sim's state and its HTTP server (server.c). main
 * (provider-sim.c) fills S from the options, then starts the server; every
 * request thread decides its answer under S.lock and renders under S.liblock.
 */
#ifndef SERVER_H
#define SERVER_H

#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include <microhttpd.h>

#include "sim.h"

#define MAX_TOKENS 64

/* A fault knob: a probability, or the list of request numbers it fires on. */
struct fault {
	double p;
	long *at;
	size_t nat;
};

struct token {
	char value[80];
	long uses;
	int expired;		/* by --fault-expire */
};

/* A rolling window: at most n accepted requests in any window_ms. */
struct limiter {
	long n, window_ms, head, count;
	long long *times;
};

/* The server's state: set up by main, then read and changed by the request threads. */
struct server {
	struct lib lib;
	int dialect;		/* -1: all */
	unsigned port;
	char token_initial[80];
	char refresh_token[128];
	long token_ttl;
	struct token tokens[MAX_TOKENS];
	int ntokens;
	long issued;
	struct fault f429, f5xx, f404, fhang, freset, ftrunc, fmalformed, fdrift, fdeezer, fexpire;
	const char *fault_path;	/* faults and drift act only on paths beginning with it */
	long nfault;		/* requests on fault_path so far: what @N counts then */
	int deezer_code;	/* --deezer-code: 4, 300, 800 or -1 (none) */
	char music_user_token[256];	/* required on Apple paths when set */
	long mut_expire;	/* from this request on, Apple answers 403 (0: never) */
	long retry_after;	/* seconds; -1: no header */
	int retry_after_date;
	long burst, burst_left, burst_n;
	long hang_ms;		/* 0: forever */
	long latency_ms;
	struct limiter rate, dzquota;
	FILE *log;
	long nreq;
	long nconn;
	uint64_t rng;
	long long start_ms;
	pthread_mutex_t lock;	/* counters, tokens, rate, faults, the log */
	pthread_rwlock_t liblock;	/* the library's views: drift writes, pages read */
	volatile sig_atomic_t stopping;
};

extern struct server S;


/* Accepts value as a bearer token; the oldest is forgotten when the table is full. */
void token_add(const char *value);
/* A limiter of n requests in any window_ms. */
void limiter_init(struct limiter *r, long n, long window_ms);
/* Starts serving on addr (one thread per connection); NULL when it cannot listen. */
struct MHD_Daemon *server_start(const struct sockaddr_in *addr);

#endif
