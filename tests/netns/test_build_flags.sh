#!/usr/bin/env bash
# `make CC=clang CFLAGS='-O1 -g'` builds: a CFLAGS given on the command line replaces the
# user's flags only, never the ones the code needs (-std=gnu11, -D_GNU_SOURCE, -Isrc).
# Checked on make's own commands (dry run), and one of them is compiled for real with
# clang into a temporary directory (build/ is left alone).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=test_build_flags
TMP=$(mktemp -d "/tmp/$T.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FAILED=0
pass() { echo "PASS $T:$1"; }
fail() { echo "FAIL $T:$1${2:+ (${2:0:160})}"; FAILED=1; }

cmds=$(make -C "$ROOT" -s -n -B CC=clang CFLAGS='-O1 -g' build/wgrouter 2>&1)
compile=$(grep -E '^clang .* -c -o build/obj/src/console/lexer\.o ' <<<"$cmds")
link=$(grep -E '^clang .* -o build/wgrouter ' <<<"$cmds")
if [ -n "$compile" ] && grep -q -- '-std=gnu11' <<<"$compile" && grep -q -- '-Isrc' <<<"$compile" &&
	grep -q -- '-O1 -g' <<<"$compile"; then
	pass compile_keeps_project_flags
else
	fail compile_keeps_project_flags "${compile:-no clang compile command}"
fi
if [ -n "$link" ] && grep -q -- '-pthread' <<<"$link" && grep -q -- '-O1 -g' <<<"$link"; then
	pass link_keeps_project_flags
else
	fail link_keeps_project_flags "${link:-no clang link command}"
fi
if ! command -v clang >/dev/null; then
	echo "SKIP $T:clang_compiles (no clang)"
elif [ -n "$compile" ] && (cd "$ROOT" && eval "${compile/-o build\/obj\/src\/console\/lexer.o/-o $TMP/lexer.o} -MF $TMP/lexer.d") >"$TMP/cc.log" 2>&1; then
	pass clang_compiles
else
	fail clang_compiles "$(tail -3 "$TMP/cc.log" 2>/dev/null | tr '\n' ' ')"
fi
exit $FAILED
