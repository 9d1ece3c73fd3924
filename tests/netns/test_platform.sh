#!/usr/bin/env bash
# The platform layer against the real kernel: builds tests/netns/test_platform_tun.c with
# src/platform and runs it in a fresh network namespace (root only). All traffic stays
# inside that namespace; the namespace and the build directory go away on any exit.
set -u
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then echo "SKIP test_platform.sh (needs root)"; exit 0; fi
ns="wgp-test-$$"
tmp=$(mktemp -d)
cleanup() { ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
if ! gcc -O2 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Isrc -pthread \
	-o "$tmp/test_platform_tun" tests/netns/test_platform_tun.c src/platform/*.c src/core/endpoint.c; then
	echo "FAIL test_platform.sh:build"; exit 1
fi
ip netns add "$ns" || { echo "FAIL test_platform.sh:netns"; exit 1; }
ip -n "$ns" link set lo up
timeout 300 ip netns exec "$ns" "$tmp/test_platform_tun"
