#!/bin/sh
# Prints, on one line, the Debian packages that a plain `make` needs and this machine
# lacks (nothing when the build can start). Called by the Makefile once per build tree;
# quick: one preprocessor run asks for every header with __has_include.
# Usage: scripts/check-build-deps.sh [CC]
#        scripts/check-build-deps.sh --all   (every library package, for make deb)
CC=${1:-cc}
# header, package (the libraries of LDLIBS in the Makefile; scripts/install-deps.sh
# installs these and what the tests need)
HEADERS="openssl/ssl.h:libssl-dev sodium.h:libsodium-dev libmnl/libmnl.h:libmnl-dev
nftables/libnftables.h:libnftables-dev qrencode.h:libqrencode-dev png.h:libpng-dev
readline/readline.h:libreadline-dev microhttpd.h:libmicrohttpd-dev jansson.h:libjansson-dev"

if [ "$CC" = --all ]; then
	for hp in $HEADERS; do printf '%s ' "${hp#*:}"; done
	echo
	exit 0
fi
# look for the headers where Debian puts them (when the compiler cannot be asked)
by_files() {
	missing=$1
	for hp in $HEADERS; do
		[ -e "/usr/include/${hp%%:*}" ] || missing="$missing ${hp#*:}"
	done
	echo $missing
}
command -v "$CC" >/dev/null 2>&1 || { by_files build-essential; exit 0; }
probe=""
for hp in $HEADERS; do
	probe="$probe
#if !__has_include(<${hp%%:*}>)
${hp#*:}
#endif"
done
if out=$(printf '%s\n' "$probe" | "$CC" -E -P -x c - 2>/dev/null); then
	echo $out
else
	by_files ""
fi
