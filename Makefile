# wgrouter build. Sources are found by wildcard so a new module needs no edit here.
CC      ?= gcc
# CFLAGS is the user's (`make CC=clang CFLAGS='-O1 -g -fsanitize=address'`): a value on the
# command line replaces it whole, so the flags the code needs to build live apart.
CFLAGS  ?= -O2 -g
WG_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
             -Werror=implicit-function-declaration -Isrc -MMD -MP -pthread
LDLIBS  := -lssl -lcrypto -lsodium -lmnl -lnftables -lqrencode -lpng -lreadline -lmicrohttpd -ljansson -lpthread -lm -lpcap

SRC      := $(shell find src -name '*.c' | sort)
LIB_SRC  := $(filter-out src/cmd/main.c,$(SRC))
OBJ      := $(patsubst %.c,build/obj/%.o,$(SRC))
LIB_OBJ  := $(patsubst %.c,build/obj/%.o,$(LIB_SRC))
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(patsubst tests/unit/%.c,build/tests/%,$(TEST_SRC))
# Every non-test_*.c file in tests/unit (harness, fixtures) is linked into each test.
HARNESS  := $(patsubst %.c,build/obj/%.o,$(filter-out tests/unit/test_%.c,$(wildcard tests/unit/*.c)))
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(patsubst bench/%.c,build/bench/%,$(BENCH_SRC))
# libFuzzer harnesses (tests/fuzz/fuzz_*.c), built with clang against a copy of the
# library compiled with the same sanitizers.
FUZZ_CC    ?= clang
FUZZ_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=undefined -Wno-gnu-variable-sized-type-not-at-end
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN   := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_OBJ   := $(patsubst %.c,build/fuzz/obj/%.o,$(LIB_SRC))
FUZZ_SECONDS ?= 1800

# make check-sanitize: every unit test built with ASan+UBSan (leak checker on) in
# build/asan, the data plane's threaded tests with TSan in build/tsan, and netns
# scenarios against build/asan/wgrouter and build/tsan/wgrouter (tests/sanitize.sh).
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
TSAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
TSAN_TESTS := test_platform_parallel test_platform_udp test_dataplane_races test_core_pair test_crypto_vectors \
              test_uapi_handle test_dns_proxy test_dns_resolve

.PHONY: all check deps test bench demo clean fuzz fuzz-long check-sanitize sanitize-build screenshots
all: build/wgrouter build/wgrouter-userspace

build/wgrouter: $(OBJ)
	$(CC) $(WG_CFLAGS) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Multi-call: argv[0] == wgrouter-userspace behaves as `wgrouter userspace`.
build/wgrouter-userspace: build/wgrouter
	ln -sf wgrouter $@

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WG_CFLAGS) $(CFLAGS) -c -o $@ $<

build/lib.a: $(LIB_OBJ)
	rm -f $@; ar rcs $@ $^

build/tests/%: build/obj/tests/unit/%.o $(HARNESS) build/lib.a
	@mkdir -p $(dir $@)
	$(CC) $(WG_CFLAGS) $(CFLAGS) -o $@ $< $(HARNESS) build/lib.a $(LDLIBS)

build/bench/%: build/obj/bench/%.o build/lib.a
	@mkdir -p $(dir $@)
	$(CC) $(WG_CFLAGS) $(CFLAGS) -o $@ $< build/lib.a $(LDLIBS)

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WG_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/lib.a: $(FUZZ_OBJ)
	rm -f $@; ar rcs $@ $^

build/fuzz/%: tests/fuzz/%.c build/fuzz/lib.a
	$(FUZZ_CC) $(WG_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< build/fuzz/lib.a $(LDLIBS)

fuzz: $(FUZZ_BIN)

# build/asan and build/tsan: the library, the tests and the daemon with sanitizers.
define SAN_RULES
build/$(1)/obj/%.o: %.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(WG_CFLAGS) $$($(2)) -c -o $$@ $$<

build/$(1)/lib.a: $$(patsubst %.c,build/$(1)/obj/%.o,$$(LIB_SRC))
	rm -f $$@; ar rcs $$@ $$^

build/$(1)/tests/%: build/$(1)/obj/tests/unit/%.o $$(patsubst build/obj/%,build/$(1)/obj/%,$$(HARNESS)) build/$(1)/lib.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(WG_CFLAGS) $$($(2)) -o $$@ $$< $$(patsubst build/obj/%,build/$(1)/obj/%,$$(HARNESS)) build/$(1)/lib.a $$(LDLIBS)

build/$(1)/wgrouter: $$(patsubst %.c,build/$(1)/obj/%.o,$$(SRC))
	$$(CC) $$(WG_CFLAGS) $$($(2)) -o $$@ $$^ $$(LDLIBS)
endef
$(eval $(call SAN_RULES,asan,ASAN_FLAGS))
$(eval $(call SAN_RULES,tsan,TSAN_FLAGS))
.PRECIOUS: build/asan/obj/%.o build/tsan/obj/%.o

sanitize-build: $(patsubst build/tests/%,build/asan/tests/%,$(TEST_BIN)) build/asan/wgrouter \
		$(patsubst %,build/tsan/tests/%,$(TSAN_TESTS)) build/tsan/wgrouter

check-sanitize: deps
	@$(MAKE) --no-print-directory sanitize-build
	@tests/sanitize.sh

# Every harness for FUZZ_SECONDS (default 30 minutes) on its corpus.
fuzz-long: deps fuzz
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

deps:
	@scripts/install-deps.sh

test: all $(TEST_BIN) $(FUZZ_BIN)
	@tests/run.sh

check: deps
	@$(MAKE) --no-print-directory test

bench: deps all $(BENCH_BIN)
	@bench/run.sh

demo: deps all
	@scripts/demo.sh

# PNGs of the web page's main views in docs/screenshots/ (headless Chromium; root)
screenshots: deps all
	@scripts/screenshots.sh

clean:
	rm -rf build

-include $(shell find build/obj build/fuzz/obj build/asan/obj build/tsan/obj -name '*.d' 2>/dev/null)


# ---- A plain `make` without the libraries (issue 16) ----
# One line naming the missing Debian packages instead of a compiler error. Asked once
# per build tree (build/.deps-ok), and only for the goals that do not install the
# packages first (check, demo, bench and deb run `make deps` or dpkg's own check).
ifeq ($(filter-out all install test build/%,$(or $(MAKECMDGOALS),all)),)
ifeq ($(wildcard build/.deps-ok),)
WG_MISSING := $(shell scripts/check-build-deps.sh '$(firstword $(CC))')
ifneq ($(WG_MISSING),)
$(error missing Debian packages $(WG_MISSING): run `make deps` (as root) to install them)
endif
$(shell mkdir -p build && touch build/.deps-ok)
endif
endif

# ---- make install / uninstall / deb (issue 16) ----
# PREFIX and DESTDIR as usual; the Debian package installs with PREFIX=/usr.
PREFIX      ?= /usr/local
SBINDIR     ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man
UNITDIR     ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR  ?= /etc
WG_VERSION   = $(shell sed -n 's/^\#define WGROUTER_VERSION "\(.*\)"/\1/p' src/cmd/version.h)
WG_UNITS    := wgrouter.service wgrouter-userspace@.service
WG_FILES    := $(SBINDIR)/wgrouter $(SBINDIR)/wgrouter-userspace \
               $(MANDIR)/man8/wgrouter.8 $(MANDIR)/man8/wgrouter-userspace.8 \
               $(MANDIR)/man7/wgrouter-console.7 \
               $(addprefix $(UNITDIR)/,$(WG_UNITS)) \
               $(BASHCOMPDIR)/wgrouter $(BASHCOMPDIR)/wgrouter-userspace

.PHONY: install uninstall deb
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(SYSCONFDIR)/default
	install -m 0755 build/wgrouter $(DESTDIR)$(SBINDIR)/wgrouter
	ln -sf wgrouter $(DESTDIR)$(SBINDIR)/wgrouter-userspace
	install -m 0644 man/wgrouter.8 $(DESTDIR)$(MANDIR)/man8/wgrouter.8
	ln -sf wgrouter.8 $(DESTDIR)$(MANDIR)/man8/wgrouter-userspace.8
	install -m 0644 man/wgrouter-console.7 $(DESTDIR)$(MANDIR)/man7/wgrouter-console.7
	for u in $(WG_UNITS); do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' dist/$$u.in \
			>$(DESTDIR)$(UNITDIR)/$$u && chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	install -m 0644 dist/wgrouter.bash-completion $(DESTDIR)$(BASHCOMPDIR)/wgrouter
	ln -sf wgrouter $(DESTDIR)$(BASHCOMPDIR)/wgrouter-userspace
	@# a configuration file: an edited one stays
	[ -e $(DESTDIR)$(SYSCONFDIR)/default/wgrouter ] || \
		install -m 0644 dist/wgrouter.default $(DESTDIR)$(SYSCONFDIR)/default/wgrouter
	@[ -n "$(DESTDIR)" ] || echo "installed; to start the router now and at boot:" \
		"systemctl daemon-reload && systemctl enable --now wgrouter"

# Leaves the state directory /var/lib/wgrouter (the configuration) and an edited
# $(SYSCONFDIR)/default/wgrouter.
uninstall:
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		systemctl disable --now wgrouter.service 2>/dev/null || true; fi
	rm -f $(addprefix $(DESTDIR),$(WG_FILES))
	! cmp -s dist/wgrouter.default $(DESTDIR)$(SYSCONFDIR)/default/wgrouter || \
		rm -f $(DESTDIR)$(SYSCONFDIR)/default/wgrouter
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

# The Debian package, built by dpkg-buildpackage from a copy of the tree in build/deb;
# the .deb lands here (apt install ./wgrouter_*.deb). lintian checks it when installed.
deb:
	@scripts/install-deps.sh --only build-essential debhelper dpkg-dev fakeroot \
		$$(scripts/check-build-deps.sh --all)
	rm -rf build/deb && mkdir -p build/deb/wgrouter-$(WG_VERSION)
	tar -c --exclude=./build --exclude=./.git --exclude='./wgrouter_*' . | \
		tar -x -C build/deb/wgrouter-$(WG_VERSION)
	cd build/deb/wgrouter-$(WG_VERSION) && dpkg-buildpackage -b -us -uc
	cp build/deb/wgrouter_$(WG_VERSION)_*.deb .
	@if command -v lintian >/dev/null; then echo "lintian:"; lintian build/deb/wgrouter_$(WG_VERSION)_*.changes; \
		else echo "(apt-get install lintian to check the package)"; fi

# ---- the web page (src/api/www), compiled in by .incbin ----
WEB_ASSETS := $(wildcard src/api/www/*)
$(addsuffix /obj/src/api/web_assets.o,build build/fuzz build/asan build/tsan): $(WEB_ASSETS)
