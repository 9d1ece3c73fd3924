#!/usr/bin/env bash
# Runs every unit test binary, every fuzz harness for a short while and every netns
# test script, counts PASS/FAIL lines and ends with "N passed, N failed". Netns tests
# need root; they are skipped (and counted as skipped) only when not root.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp); trap 'rm -f "$log"' EXIT
pass=0; fail=0; skip=0
run() { # name, command...
	local name=$1; shift
	local out; out=$("$@" 2>&1); local rc=$?
	printf '%s\n' "$out"
	local p f
	p=$(grep -c '^PASS ' <<<"$out"); f=$(grep -c '^FAIL ' <<<"$out")
	s=$(grep -c '^SKIP ' <<<"$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then echo "FAIL $name (exit $rc)"; f=1; fi
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}
for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	run "$(basename "$t")" timeout 300 "$t"
done
run layers tests/layers.sh
# every libFuzzer harness on its corpus (FUZZ_SECONDS each, 20 by default)
run fuzz tests/fuzz/run.sh
if [ "$(id -u)" -eq 0 ]; then
	for t in tests/netns/test_*.sh; do
		[ -f "$t" ] || continue
		run "$(basename "$t")" timeout 600 bash "$t"
	done
else
	echo "SKIP netns tests (need root)"; skip=$((skip + 1))
fi
if [ "$skip" -gt 0 ]; then echo "$pass passed, $fail failed, $skip skipped"; else echo "$pass passed, $fail failed"; fi
[ "$fail" -eq 0 ]
