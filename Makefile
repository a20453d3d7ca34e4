# hsmscope — one plain Makefile.
#
#   make            build ./hsmscope
#   make deps       install missing Debian packages (apt-get, via sudo if needed)
#   make check      deps + build + every test (unit, CLI, real captures, TUI)
#   make demo       deps + build, then open the bundled sample
#   make bench      the benchmark (builds a >= 300 MB log under $(BENCH_DIR))
#   make install    PREFIX=/usr/local DESTDIR= : binary, man page, completion, docs
#   make uninstall  the same paths, removed
#   make dist       hsmscope-VERSION.tar.gz of the committed tree (builds on its own)
#
# Packagers: CFLAGS, CPPFLAGS and LDFLAGS are honoured; WERROR= drops -Werror.
#
# The core (src/ minus main.c) is built as libhscore.a without ncurses; the
# test binaries link it alone, so a curses call in the core fails the link.

CC      ?= cc
PKG_CONFIG ?= pkg-config
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
INSTALL ?= install
BUILD   := build
BIN     := hsmscope
VERSION := $(shell sed -n 's/^\#define HS_VERSION "\(.*\)"/\1/p' include/hsmscope/version.h)

CORE_PKGS := libpcre2-8 libcjson sqlite3 zlib liblzma libzstd
# compressed logs (reader_codec.c); Debian's libbz2-dev ships no .pc file
BZ2_LIBS  := $(shell $(PKG_CONFIG) --exists bzip2 2>/dev/null && $(PKG_CONFIG) --libs bzip2 || echo -lbz2)
UI_PKGS   := ncursesw

WERROR  ?= -Werror
WARN    := -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes -Wformat=2
CFLAGS  ?= -O2 -g
# SANITIZE=1: ASan + UBSan (+ LeakSanitizer) in a build tree of its own,
# so sanitized and plain objects never mix.
ifeq ($(SANITIZE),1)
BUILD   := build-san
BIN     := build-san/hsmscope
CFLAGS  += -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif
HS_CFLAGS = -std=c11 -pthread -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) -Iinclude -I$(BUILD)/gen $(CPPFLAGS) \
	$(shell $(PKG_CONFIG) --cflags $(CORE_PKGS) 2>/dev/null)
CORE_LIBS = $(shell $(PKG_CONFIG) --libs $(CORE_PKGS) 2>/dev/null) $(BZ2_LIBS) -lm -pthread
UI_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(UI_PKGS) 2>/dev/null)
UI_LIBS   = $(shell $(PKG_CONFIG) --libs $(UI_PKGS) 2>/dev/null)

# the command itself: main.c and the commands that have a file of their own
CLI_SRC  := src/main.c $(wildcard src/cmd_*.c)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
CORE_SRC := $(filter-out $(CLI_SRC),$(wildcard src/*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
UI_SRC   := $(wildcard ui/*.c)
UI_OBJ   := $(UI_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard test/unit/test_*.c)
TEST_BIN := $(TEST_SRC:test/unit/%.c=$(BUILD)/test/%)

.PHONY: all deps check check-san fuzz fuzz-build demo bench clean unit install uninstall dist

all: $(BIN)

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(HS_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/ui/%.o: ui/%.c
	@mkdir -p $(@D)
	$(CC) $(HS_CFLAGS) $(UI_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# The core's identity, a checksum of its sources: an index records the one
# that built it and any other build rebuilds it, so a changed parser never
# reuses the events an older one wrote (HS_VERSION alone stays the same
# from one release to the next). The header is rewritten only when the
# checksum changes, so a build with nothing changed compiles nothing.
CORE_ID_H := $(BUILD)/gen/core_id.h
$(CORE_ID_H): FORCE
	@mkdir -p $(@D)
	@id=$$(cat $(sort $(CORE_SRC) $(wildcard src/*.h include/hsmscope/*.h)) | cksum | cut -d' ' -f1); \
	printf '#define HS_CORE_ID "%s"\n' "$$id" >$@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/src/index.o $(BUILD)/src/index_reuse.o: $(CORE_ID_H)
.PHONY: FORCE
FORCE:

$(BUILD)/libhscore.a: $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(UI_OBJ) $(BUILD)/libhscore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(UI_OBJ) $(BUILD)/libhscore.a \
		$(CORE_LIBS) $(UI_LIBS)

# Unit tests link the core without curses on purpose.
$(BUILD)/test/%: test/unit/%.c test/unit/harness.h test/unit/parsetest.h test/unit/corrtest.h $(BUILD)/libhscore.a
	@mkdir -p $(@D)
	$(CC) $(HS_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libhscore.a $(CORE_LIBS)

unit: $(TEST_BIN)

deps:
	@sh test/deps.sh

# Fuzzing (libFuzzer, Debian's clang + libclang-rt-dev): the core built
# again in build-fuzz with coverage and ASan/UBSan, one binary per target
# in test/fuzz. `make fuzz FUZZ_SECONDS=N` runs each target N seconds.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst test/fuzz/%.c,build-fuzz/%,$(wildcard test/fuzz/fuzz_*.c))
FUZZ_CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined

ifneq ($(BUILD),build-fuzz)
build-fuzz/libhscore.a: $(CORE_SRC) $(wildcard include/hsmscope/*.h)
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) CFLAGS="$(FUZZ_CFLAGS)" \
		LDFLAGS= build-fuzz/libhscore.a
endif

build-fuzz/fuzz_%: test/fuzz/fuzz_%.c build-fuzz/libhscore.a
	$(FUZZ_CC) $(HS_CFLAGS) -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
		-o $@ $< build-fuzz/libhscore.a $(CORE_LIBS)

fuzz-build: $(FUZZ_TARGETS)

fuzz: fuzz-build
	@sh test/fuzz/_run.sh $(FUZZ_SECONDS)

# `make check`: the suite on the plain build, then again under the
# sanitizers (CI runs only this target, so it runs both). Its builds use
# every core (JOBS): built one file at a time they took minutes of CI.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
check: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all unit
ifneq ($(SANITIZE),1)
	@sh test/run.sh
	@$(MAKE) --no-print-directory check-san
else
	@HS=$(CURDIR)/$(BIN) BUILD=$(BUILD) HS_SANITIZED=1 sh test/run.sh
endif

check-san:
	@echo "--- the same suite under ASan + UBSan + LeakSanitizer ---"
	@$(MAKE) --no-print-directory -j$(JOBS) SANITIZE=1 all unit
	@HS=$(CURDIR)/build-san/hsmscope BUILD=build-san HS_SANITIZED=1 sh test/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	./hsmscope share/samples/softhsm-basic.log

bench:
	@sh test/deps.sh bench
	@$(MAKE) --no-print-directory all
	@sh test/bench.sh

install: $(BIN)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions \
		$(DESTDIR)$(DATADIR)/doc/hsmscope/samples
	$(INSTALL) -m 755 hsmscope $(DESTDIR)$(BINDIR)/hsmscope
	$(INSTALL) -m 644 share/man/hsmscope.1 $(DESTDIR)$(MANDIR)/man1/hsmscope.1
	$(INSTALL) -d $(DESTDIR)$(DATADIR)/zsh/site-functions
	$(INSTALL) -m 644 share/completion/_hsmscope $(DESTDIR)$(DATADIR)/zsh/site-functions/_hsmscope
	$(INSTALL) -m 644 share/completion/hsmscope.bash \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/hsmscope
	$(INSTALL) -m 644 README.md LICENSE $(DESTDIR)$(DATADIR)/doc/hsmscope/
	$(INSTALL) -m 644 share/samples/* $(DESTDIR)$(DATADIR)/doc/hsmscope/samples/
	$(INSTALL) -d $(DESTDIR)$(DATADIR)/hsmscope/schema
	$(INSTALL) -m 644 share/schema/*.schema.json $(DESTDIR)$(DATADIR)/hsmscope/schema/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hsmscope $(DESTDIR)$(MANDIR)/man1/hsmscope.1 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/hsmscope \
		$(DESTDIR)$(DATADIR)/zsh/site-functions/_hsmscope
	rm -rf $(DESTDIR)$(DATADIR)/doc/hsmscope $(DESTDIR)$(DATADIR)/hsmscope

# The committed tree, nothing generated: it builds with plain `make`.
DISTDIR ?= .
dist:
	git archive --format=tar.gz --prefix=hsmscope-$(VERSION)/ \
		-o $(DISTDIR)/hsmscope-$(VERSION).tar.gz HEAD
	@echo "wrote $(DISTDIR)/hsmscope-$(VERSION).tar.gz"

clean:
	rm -rf build build-san build-fuzz hsmscope

-include $(CORE_OBJ:.o=.d) $(UI_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
