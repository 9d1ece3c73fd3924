# wgrouter build. Sources are found by wildcard so a new module needs no edit here.
CC      ?= gcc
# CFLAGS is the user's (`make CC=clang CFLAGS='-O1 -g -fsanitize=address'`): a value on the
# command line replaces it whole, so the flags the code needs to build live apart.
CFLAGS  ?= -O2 -g
WG_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
             -Werror=implicit-function-declaration -Isrc -MMD -MP -pthread
LDLIBS  := -lssl -lcrypto -lsodium -lmnl -lnftables -lqrencode -lpng -lreadline -lmicrohttpd -ljansson -lpthread

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

.PHONY: all check deps test bench demo clean fuzz fuzz-long check-sanitize sanitize-build
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

clean:
	rm -rf build

-include $(shell find build/obj build/fuzz/obj build/asan/obj build/tsan/obj -name '*.d' 2>/dev/null)
