# crate: one plain Makefile.
#
#   make                 build every program
#   make check           unit and shell tests, then again under ASan and UBSan
#   make bench           benchmarks (figures, never assertions)
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

all: $(BINS)

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

unit: $(UNIT_BINS)

# The test suite runs twice: on the normal build, then on the ASan/UBSan build.
# Tests find the programs through CRATE_BUILD (see tests/lib.sh).
check: deps
	$(MAKE) --no-print-directory all unit
	$(MAKE) --no-print-directory O=asan/ CFLAGS="-O1 -g $(SANFLAGS)" LDFLAGS="$(SANFLAGS)" all unit
	CRATE_BUILD= prove --exec '' $(UNIT_BINS) tests/cli/*.t
	CRATE_BUILD=asan/ ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		prove --exec '' $(UNIT_BINS:%=asan/%) tests/cli/*.t

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
	rm -rf asan $(BINS) $(LIB) $(LIB_OBJ) $(UNIT_BINS) \
		$(foreach d,parse fetch validate store checkpoint tests/sim,$(wildcard $(d)/*.o $(d)/*.d))

.PHONY: all deps unit check bench demo install uninstall clean
