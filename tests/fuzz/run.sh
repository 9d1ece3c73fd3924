#!/usr/bin/env bash
# Runs every libFuzzer harness in build/fuzz for FUZZ_SECONDS (default 20) on its
# committed corpus (tests/fuzz/corpus/NAME, read only: new inputs go to a temporary
# directory) and prints "PASS fuzz_NAME" or "FAIL fuzz_NAME" with the executions run.
# A crash leaves its input in build/fuzz/crashes/ to replay with the harness.
# tests/fuzz/NAME.options, if present, holds more libFuzzer flags for that harness
# (e.g. -max_len=4096).
set -u
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-20}
mkdir -p build/fuzz/crashes
for bin in build/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	corpus=tests/fuzz/corpus/${name#fuzz_}
	work=$(mktemp -d "/tmp/$name.XXXXXX")
	log=$work/log
	dirs=("$work/new"); mkdir -p "$work/new"
	opts=()
	[ -f "tests/fuzz/$name.options" ] && read -ra opts <"tests/fuzz/$name.options"
	[ -d "$corpus" ] && dirs+=("$corpus")
	# -rss_limit_mb: a leak or runaway allocation is a failure, not a swap storm
	timeout $((secs + 120)) "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix=build/fuzz/crashes/"$name"- "${opts[@]}" "${dirs[@]}" >"$log" 2>&1
	rc=$?
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
	[ -z "$execs" ] && execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
	if [ "$rc" -eq 0 ]; then
		echo "PASS $name (${execs:-?} executions in ${secs} s, ${cov:-cov: ?})"
	else
		tail -30 "$log"
		echo "FAIL $name (exit $rc after ${execs:-?} executions)"
	fi
	rm -rf "$work"
done
