# opsdeck - one GNU Makefile.  `make` builds ./opsdeck; `make test` runs the
# whole suite; `make demo` installs what is missing and opens the console on
# a local stack.  V=1 shows the commands.

VERSION := 0.1.0
PREFIX ?= /usr/local

CC ?= cc
OPT ?= -O2 -g
WERROR ?= -Werror
WARN := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers $(WERROR)
DEFS := -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -DOPSDECK_VERSION='"$(VERSION)"'

PKG_CORE := libcurl jansson libpcre2-8 yaml-0.1 libxml-2.0
PKG_CHECK := $(shell pkg-config --exists ncursesw $(PKG_CORE) || echo missing)
ifeq ($(PKG_CHECK),missing)
ifeq ($(filter deps demo clean,$(MAKECMDGOALS)),)
$(error libraries missing: run 'make deps' (apt-get install libncurses-dev libcurl4-openssl-dev libjansson-dev libpcre2-dev libyaml-dev libxml2-dev libcmocka-dev pkg-config))
endif
endif
CORE_CFLAGS := $(shell pkg-config --cflags $(PKG_CORE) 2>/dev/null)
CORE_LIBS := $(shell pkg-config --libs $(PKG_CORE) 2>/dev/null) -lm
CURSES_CFLAGS := $(filter-out -D_XOPEN_SOURCE=% -D_DEFAULT_SOURCE,$(shell pkg-config --cflags ncursesw 2>/dev/null))
CURSES_LIBS := $(shell pkg-config --libs ncursesw 2>/dev/null)
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

# Layering is enforced by include paths: each room sees only itself and
# the rooms below it.
INC_lib := -Ilib
INC_backends := -Ilib -Ibackends
INC_widgets := -Ilib -Iwidgets
INC_tui := -Ilib -Ibackends -Iwidgets -Itui

B ?= build
SAN ?=
ALL_CFLAGS = $(WARN) $(DEFS) $(OPT) $(SAN) -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC := $(wildcard lib/*.c)
BACKENDS_SRC := $(wildcard backends/*.c)
WIDGETS_SRC := $(wildcard widgets/*.c)
# tui files that touch curses; everything else in tui/ is linkable by tests.
TUI_CURSES_SRC := tui/main.c tui/term.c tui/app.c tui/app_keys.c
TUI_SRC := $(wildcard tui/*.c tui/screens/*.c)
TUI_CORE_SRC := $(filter-out $(TUI_CURSES_SRC),$(TUI_SRC))

CORE_OBJ := $(patsubst %.c,$(B)/%.o,$(LIB_SRC) $(BACKENDS_SRC) $(WIDGETS_SRC) $(TUI_CORE_SRC))
TUI_CURSES_OBJ := $(patsubst %.c,$(B)/%.o,$(filter $(TUI_CURSES_SRC),$(TUI_SRC)))
CORE_LIB := $(B)/libopsdeck-core.a

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY_BIN := $(patsubst tests/fuzz/%.c,$(B)/fuzz-replay/%,$(FUZZ_SRC))
BENCH_SRC := $(wildcard tests/bench/bench_*.c)
BENCH_BIN := $(patsubst tests/bench/%.c,$(B)/bench/%,$(BENCH_SRC))

all:
.PHONY: all test unit asan fuzz bench demo deps install uninstall clean format check-layers
BIN ?= opsdeck
all: $(BIN)

$(BIN): $(TUI_CURSES_OBJ) $(CORE_LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(TUI_CURSES_OBJ) $(CORE_LIB) $(CURSES_LIBS) $(CORE_LIBS)

$(CORE_LIB): $(CORE_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(INC_lib) -c -o $@ $<

$(B)/backends/%.o: backends/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(INC_backends) $(CORE_CFLAGS) -c -o $@ $<

$(B)/widgets/%.o: widgets/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(INC_widgets) -c -o $@ $<

$(B)/tui/%.o: tui/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(INC_tui) $(CORE_CFLAGS) $(CURSES_CFLAGS) -c -o $@ $<

# Unit tests link the core library without curses (layering check at link time).
$(B)/tests/%: tests/unit/%.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(INC_tui) $(CORE_CFLAGS) $(CMOCKA_CFLAGS) -DTESTS_DIR='"tests"' -o $@ $< $(CORE_LIB) $(CMOCKA_LIBS) $(CORE_LIBS) $(ALL_LDFLAGS)

# Fuzz harnesses built with a replay driver: make test runs every corpus file.
$(B)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay_main.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(INC_tui) $(CORE_CFLAGS) -o $@ $< tests/fuzz/replay_main.c $(CORE_LIB) $(CORE_LIBS) $(ALL_LDFLAGS)

$(B)/bench/%: tests/bench/%.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	@echo "  BENCH   $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(INC_tui) $(CORE_CFLAGS) -o $@ $< $(CORE_LIB) $(CORE_LIBS) $(ALL_LDFLAGS)

unit: $(UNIT_BIN) $(FUZZ_REPLAY_BIN)

# The whole suite: layering, unit, fuzz corpus replay, golden, integration, screen.
test: $(BIN) unit
	$(Q)B=$(B) tests/run.sh

# Unit and integration tests under AddressSanitizer and UBSan, in their own build dir.
asan:
	$(Q)$(MAKE) --no-print-directory B=build-asan OPT='-O1 -g -fno-omit-frame-pointer' \
		SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' BIN=build-asan/opsdeck build-asan/opsdeck unit
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		B=build-asan OPSDECK_BIN=./build-asan/opsdeck tests/run.sh --asan

# libFuzzer builds of every parser (clang).  FUZZ_TIME seconds each.
FUZZ_TIME ?= 30
fuzz:
	$(Q)tests/fuzz/run.sh $(FUZZ_TIME)

bench: $(BENCH_BIN) $(BIN)
	$(Q)B=$(B) tests/bench/run.sh

deps:
	$(Q)tests/stack/install.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory $(BIN)
	$(Q)tests/stack/demo.sh

# make install [PREFIX=/usr/local] [DESTDIR=staging]: the binary, the man
# page, bash and zsh completion and the example config; uninstall removes them.
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
INSTALLED := $(BINDIR)/opsdeck $(MANDIR)/man1/opsdeck.1 \
	$(DATADIR)/bash-completion/completions/opsdeck $(DATADIR)/zsh/site-functions/_opsdeck \
	$(DATADIR)/doc/opsdeck/examples/config.ini
install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions \
		$(DESTDIR)$(DATADIR)/zsh/site-functions $(DESTDIR)$(DATADIR)/doc/opsdeck/examples
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/opsdeck
	install -m 644 man/opsdeck.1 $(DESTDIR)$(MANDIR)/man1/opsdeck.1
	install -m 644 man/opsdeck.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/opsdeck
	install -m 644 man/_opsdeck $(DESTDIR)$(DATADIR)/zsh/site-functions/_opsdeck
	install -m 644 man/opsdeck.example.ini $(DESTDIR)$(DATADIR)/doc/opsdeck/examples/config.ini

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(DATADIR)/doc/opsdeck/examples $(DESTDIR)$(DATADIR)/doc/opsdeck 2>/dev/null

format:
	clang-format -i $(LIB_SRC) $(BACKENDS_SRC) $(WIDGETS_SRC) $(TUI_SRC) lib/*.h backends/*.h widgets/*.h tui/*.h

check-layers:
	$(Q)tests/layering.sh

clean:
	rm -rf build build-asan build-fuzz opsdeck

-include $(shell find $(B) -name '*.d' 2>/dev/null)
