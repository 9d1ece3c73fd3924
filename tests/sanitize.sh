#!/usr/bin/env bash
# make check-sanitize runs this after building build/asan and build/tsan:
# - every unit test under AddressSanitizer + UndefinedBehaviorSanitizer with the leak
#   checker on (third-party leaks: tests/lsan.supp, one comment per entry);
# - the threaded tests (data plane, crypto helpers, UAPI server, DNS proxy) under
#   ThreadSanitizer (third-party reports: tests/tsan.supp);
# - as root, netns scenarios against the sanitized daemon: tests/netns/test_router_e2e.sh
#   with build/asan/wgrouter, tests/netns/test_interop.sh and tests/netns/test_queues.sh
#   (two data-plane queues) with build/tsan/wgrouter
#   (WGROUTER_BIN); a sanitizer report written by any of their processes is a failure.
# Prints PASS/FAIL lines and ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
pass=0; fail=0; skip=0
reports=$(mktemp -d /tmp/wgr-sanitize.XXXXXX)
trap 'rm -rf "$reports"' EXIT
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$ROOT/tests/tsan.supp"

count() { # name, rc, output
	local p f s
	p=$(grep -c '^PASS ' <<<"$3"); f=$(grep -c '^FAIL ' <<<"$3"); s=$(grep -c '^SKIP ' <<<"$3")
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then echo "FAIL $1 (exit $2)"; f=1; fi
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}
run() { # name, command...
	local name=$1; shift
	local out rc
	out=$("$@" 2>&1); rc=$?
	# a sanitizer report is printed, not just counted
	printf '%s\n' "$out" | grep -v '^    #' | grep -E '^(PASS|FAIL|SKIP) |ERROR: |SUMMARY: |runtime error' || true
	[ "$rc" -ne 0 ] && printf '%s\n' "$out" | tail -40
	count "$name" "$rc" "$out"
}
# reports_of NAME DIR: one PASS/FAIL line for the sanitizer report files in DIR.
reports_of() {
	local files; files=$(ls "$2" 2>/dev/null)
	if [ -z "$files" ]; then
		echo "PASS sanitize:$1:no-reports"; pass=$((pass + 1))
	else
		for f in "$2"/*; do echo "--- $f"; head -60 "$f"; done
		echo "FAIL sanitize:$1:reports ($(echo "$files" | wc -l) files)"; fail=$((fail + 1))
	fi
}

t0=$SECONDS
for t in build/asan/tests/test_*; do
	[ -x "$t" ] || continue
	run "asan:$(basename "$t")" timeout 900 "$t"
done
echo "  (ASan unit tests: $((SECONDS - t0)) s)"

t0=$SECONDS
for t in build/tsan/tests/test_*; do
	[ -x "$t" ] || continue
	run "tsan:$(basename "$t")" timeout 900 "$t"
done
echo "  (TSan unit tests: $((SECONDS - t0)) s)"

if [ "$(id -u)" -eq 0 ]; then
	t0=$SECONDS
	mkdir -p "$reports/asan"
	# the daemon reports to files: its stderr is not the test's
	run asan:test_router_e2e env WGROUTER_BIN="$ROOT/build/asan/wgrouter" \
		ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$reports/asan/asan" timeout 900 bash tests/netns/test_router_e2e.sh
	reports_of asan-daemon "$reports/asan"
	echo "  (ASan netns scenario: $((SECONDS - t0)) s)"
	t0=$SECONDS
	mkdir -p "$reports/tsan"
	run tsan:test_interop env WGROUTER_BIN="$ROOT/build/tsan/wgrouter" \
		TSAN_OPTIONS="$TSAN_OPTIONS:halt_on_error=0:log_path=$reports/tsan/tsan" timeout 900 bash tests/netns/test_interop.sh
	reports_of tsan-dataplane "$reports/tsan"
	mkdir -p "$reports/tsan-queues"
	run tsan:test_queues env WGROUTER_BIN="$ROOT/build/tsan/wgrouter" \
		TSAN_OPTIONS="$TSAN_OPTIONS:halt_on_error=0:log_path=$reports/tsan-queues/tsan" timeout 900 bash tests/netns/test_queues.sh
	reports_of tsan-queues "$reports/tsan-queues"
	echo "  (TSan netns scenario: $((SECONDS - t0)) s)"
else
	echo "SKIP sanitize netns scenarios (need root)"; skip=$((skip + 1))
fi
if [ "$skip" -gt 0 ]; then echo "$pass passed, $fail failed, $skip skipped"; else echo "$pass passed, $fail failed"; fi
[ "$fail" -eq 0 ]
