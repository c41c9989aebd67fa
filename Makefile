# crate: one plain Makefile.
#
#   make                 build every program
#   make check           unit and shell tests, then again under ASan and UBSan
#   make bench           benchmarks: writes BENCHMARKS.md and benchmarks/*.png (figures,
#                        never assertions); make check runs them at a tiny size
#   make fuzz            each libFuzzer target for FUZZ_SECONDS (clang; see tests/fuzz)
#   make torture         the long reliability runs: 1,000 kills (RELIABILITY.md)
#   make demo            a full sync against the built-in simulator
#   make install PREFIX=/usr/local   programs and man pages
#
# O is the build directory prefix: empty for the normal build, "asan/" for the
# sanitizer build that `make check` runs too. Programs are built from every .c
# file in their folder; a folder without sources is skipped.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
O ?=

CC ?= cc
PKGS = yajl libcurl sqlite3 libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CPPFLAGS += -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Iparse
CFLAGS ?= -O2 -g
# override: the project's flags survive a CFLAGS given on the command line
# (the sanitizer pass below gives one).
override CFLAGS += -std=c11 -Wall -Wextra -Werror $(PKG_CFLAGS)
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

LIBS_yajl = $(shell pkg-config --libs yajl 2>/dev/null)
LIBS_curl = $(shell pkg-config --libs libcurl 2>/dev/null)
LIBS_sqlite = $(shell pkg-config --libs sqlite3 2>/dev/null)
LIBS_mhd = $(shell pkg-config --libs libmicrohttpd 2>/dev/null)

LIB = $(O)parse/libparse.a
LIB_SRC = $(filter-out parse/parse.c, $(wildcard parse/*.c))
LIB_OBJ = $(LIB_SRC:%.c=$(O)%.o)

# program: folder name and libraries
prog_src = $(filter-out $(LIB_SRC), $(wildcard $(1)/*.c))
ALL_PROGS = parse/parse fetch/fetch-pages validate/validate store/store \
	checkpoint/checkpoint tests/sim/provider-sim
PROGS = $(foreach p, $(ALL_PROGS), $(if $(call prog_src,$(patsubst %/,%,$(dir $(p)))),$(p)))
BINS = $(PROGS:%=$(O)%)
SCRIPTS = scripts/sync-library
# What make install installs: the programs and scripts of the pipeline (not the
# simulator, a test fixture) and their man pages.
INSTALL_PROGS = $(filter-out tests/%, $(PROGS))
MANS = $(wildcard parse/*.1 fetch/*.1 validate/*.1 store/*.1 checkpoint/*.1 scripts/*.1)

UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_BINS = $(UNIT_SRC:%.c=$(O)%.t)

all: $(BINS) $(O)bin

# bin/: every program and script of the checkout in one folder (symlinks), so
# `PATH=$$PWD/bin:$$PATH` makes the README's commands work without installing;
# the scripts find their siblings there by themselves. asan/bin/ likewise for
# the sanitizer build (the same relative links, one level deeper for scripts).
$(O)bin: $(BINS)
	@mkdir -p $@
	@for p in $(PROGS); do ln -sfn ../$$p $@/$${p##*/}; done
	@for p in $(SCRIPTS); do ln -sfn $(if $(O),../../,../)$$p $@/$${p##*/}; done

# Only the two set-up commands (check, demo) look at the package manager, and
# only to install what is missing; a plain `make` never does.
deps:
	@scripts/install-deps --check >/dev/null 2>&1 || scripts/install-deps

# -MMD: each object also depends on the headers it includes (the .d files).
$(O)%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(wildcard $(O)*/*.d $(O)tests/*/*.d)

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(O)parse/parse: $(O)parse/parse.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(O)parse/parse.o $(LIB) $(LIBS_yajl)

$(O)fetch/fetch-pages: $(patsubst %.c,$(O)%.o,$(call prog_src,fetch)) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LIBS_curl) $(LIBS_yajl) -lpthread

$(O)validate/validate: $(patsubst %.c,$(O)%.o,$(call prog_src,validate)) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LIBS_yajl)

$(O)store/store: $(patsubst %.c,$(O)%.o,$(call prog_src,store)) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LIBS_sqlite) $(LIBS_yajl)

$(O)checkpoint/checkpoint: $(patsubst %.c,$(O)%.o,$(call prog_src,checkpoint)) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LIBS_sqlite) $(LIBS_yajl)

$(O)tests/sim/provider-sim: $(patsubst %.c,$(O)%.o,$(call prog_src,tests/sim)) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LIBS_mhd) $(LIBS_yajl) -lm

# A unit test links libparse and the objects its own line below adds.
$(O)tests/unit/%.t: tests/unit/%.c tests/unit/tap.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit -Ifetch $(CFLAGS) $(LDFLAGS) -o $@ $< $(filter %.o,$^) \
		$(LIB) $(LIBS_sqlite) $(LIBS_yajl) $(LIBS_curl)

$(O)tests/unit/url.t: $(O)fetch/url.o

# Fuzz targets (tests/fuzz/fuzz_*.c). The normal and sanitizer builds link
# each with replay.c, to run the seeds and the crash inputs kept as regression
# tests (tests/cli/fuzz.t); `make fuzz` builds them with clang's libFuzzer
# under fuzz/ and runs each for FUZZ_SECONDS, new crash inputs going to
# fuzz/crashes/TARGET/ (copy one to tests/fuzz/regress/TARGET/ once fixed).
FUZZ_TARGETS = json msg page prov rules tree
FUZZ_SRC = $(FUZZ_TARGETS:%=tests/fuzz/fuzz_%.c)
REPLAY_BINS = $(FUZZ_TARGETS:%=$(O)tests/fuzz/replay_%)
VALIDATE_LIB_SRC = validate/rules.c validate/edit.c
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SEEDS = tests/fixtures/shared/*.json tests/fixtures/shared/captures/*.json tests/fixtures/*.json \
	tests/fixtures/*.ndjson \
	tests/fuzz/seeds/*

$(O)tests/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h \
		$(VALIDATE_LIB_SRC:%.c=$(O)%.o) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/fuzz -Ivalidate $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c \
		$(VALIDATE_LIB_SRC:%.c=$(O)%.o) $(LIB) $(LIBS_sqlite) $(LIBS_yajl)

fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -Itests/fuzz -Ivalidate -std=c11 -g -O1 $(PKG_CFLAGS) \
		-fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c -o $@ $<

-include $(wildcard fuzz/*/*.d fuzz/tests/*/*.d)

fuzz/fuzz_%: fuzz/tests/fuzz/fuzz_%.o $(LIB_SRC:%.c=fuzz/%.o) $(VALIDATE_LIB_SRC:%.c=fuzz/%.o)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LIBS_sqlite) $(LIBS_yajl)

fuzz-build: $(FUZZ_TARGETS:%=fuzz/fuzz_%)

# the objects stay between runs (make would delete them as intermediates)
.SECONDARY: $(FUZZ_SRC:%.c=fuzz/%.o) $(LIB_SRC:%.c=fuzz/%.o) $(VALIDATE_LIB_SRC:%.c=fuzz/%.o)

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/corpus/$$t fuzz/crashes/$$t; \
		cp $(FUZZ_SEEDS) fuzz/corpus/$$t/ 2>/dev/null; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
			-dict=tests/fuzz/json.dict \
			-artifact_prefix=fuzz/crashes/$$t/ -print_final_stats=1 fuzz/corpus/$$t \
			2>fuzz/$$t.log || { tail -40 fuzz/$$t.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units|^Done' fuzz/$$t.log; \
	done

unit: $(UNIT_BINS) $(REPLAY_BINS)

# The test suite runs twice: on the normal build, then on the ASan/UBSan build.
# Tests find the programs through CRATE_BUILD (see tests/lib.sh).
# The benchmarks at a tiny size and the short fuzz runs go first, so that the
# output ends with prove's own summary.
check: deps
	$(MAKE) --no-print-directory all unit
	$(MAKE) --no-print-directory O=asan/ CFLAGS="-O1 -g $(SANFLAGS)" LDFLAGS="$(SANFLAGS)" all unit
	$(MAKE) --no-print-directory fuzz-check
	@log=$$(mktemp) && if scripts/bench --tiny 2>$$log; then echo "make bench at a tiny size: ok"; \
		rm -f $$log; else cat $$log; rm -f $$log; echo "make bench at a tiny size failed"; exit 1; fi
	CRATE_BUILD= prove --timer --exec '' $(UNIT_BINS) tests/cli/*.t
	CRATE_BUILD=asan/ ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		prove --timer --exec '' $(UNIT_BINS:%=asan/%) tests/cli/*.t

# A few seconds of each fuzz target, where clang has libFuzzer; else a note.
FUZZ_CHECK_SECONDS ?= 3
fuzz-check:
	@if $(FUZZ_CC) -fsanitize=fuzzer -o /dev/null tests/fuzz/probe.c 2>/dev/null; then \
		$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_CHECK_SECONDS); \
	else \
		echo "fuzz: skipped: $(FUZZ_CC) with libFuzzer is not installed (scripts/install-deps)"; \
	fi

# The long version of tests/cli/kill-loop.t; TORTURE_KILLS and TORTURE_SEED change it.
TORTURE_KILLS ?= 1000
torture: all
	tests/torture/kill-loop --kills $(TORTURE_KILLS) --size mid $(if $(TORTURE_SEED),--seed $(TORTURE_SEED))

bench: all
	scripts/bench

demo: deps
	$(MAKE) --no-print-directory all
	scripts/demo

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	for p in $(INSTALL_PROGS) $(wildcard $(SCRIPTS)); do \
		install -m 755 $$p $(DESTDIR)$(BINDIR)/; done
	for m in $(MANS); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/; done

uninstall:
	for p in $(INSTALL_PROGS) $(wildcard $(SCRIPTS)); do rm -f $(DESTDIR)$(BINDIR)/$${p##*/}; done
	for m in $(MANS); do rm -f $(DESTDIR)$(MANDIR)/man1/$${m##*/}; done

clean:
	rm -rf asan bin fuzz $(BINS) $(LIB) $(LIB_OBJ) $(UNIT_BINS) $(REPLAY_BINS) \
		$(foreach d,parse fetch validate store checkpoint tests/sim,$(wildcard $(d)/*.o $(d)/*.d))

.PHONY: all $(O)bin deps unit check torture bench demo install uninstall clean fuzz fuzz-build fuzz-check
