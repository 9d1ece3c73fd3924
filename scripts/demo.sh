#!/usr/bin/env bash
# make demo: two network namespaces, a wgrouter tunnel between them, real traffic
# through it. Self-contained; removes everything it created, also on failure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WGR="$ROOT/build/wgrouter"
P="wgdemo$$"
A="$P-a" B="$P-b" IA="${P}a" IB="${P}b"
TMP=$(mktemp -d)
cleanup() {
	set +e
	for n in "$A" "$B"; do
		for pid in $(ip netns pids "$n" 2>/dev/null); do kill "$pid" 2>/dev/null; done
	done
	sleep 0.3
	ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
[ "$(id -u)" -eq 0 ] || { echo "make demo needs root (network namespaces)"; exit 1; }

say() { printf '\n== %s\n' "$*"; }
say "two namespaces joined by a veth pair (192.0.2.1 <-> 192.0.2.2)"
ip netns add "$A"; ip netns add "$B"
ip link add eth0 netns "$A" type veth peer name eth0 netns "$B"
ip -n "$A" addr add 192.0.2.1/24 dev eth0; ip -n "$B" addr add 192.0.2.2/24 dev eth0
for n in "$A" "$B"; do ip -n "$n" link set lo up; ip -n "$n" link set eth0 up; done

say "a wgrouter WireGuard interface in each, configured with wg"
(umask 077; "$WGR" genkey >"$TMP/a.key"; "$WGR" genkey >"$TMP/b.key")
PA=$("$WGR" pubkey <"$TMP/a.key"); PB=$("$WGR" pubkey <"$TMP/b.key")
ip netns exec "$A" "$WGR" userspace "$IA"
ip netns exec "$B" "$WGR" userspace "$IB"
ip netns exec "$A" wg set "$IA" private-key "$TMP/a.key" listen-port 51820 \
	peer "$PB" endpoint 192.0.2.2:51820 allowed-ips 10.9.0.2/32
ip netns exec "$B" wg set "$IB" private-key "$TMP/b.key" listen-port 51820 \
	peer "$PA" allowed-ips 10.9.0.1/32
ip -n "$A" addr add 10.9.0.1/24 dev "$IA"; ip -n "$A" link set "$IA" up
ip -n "$B" addr add 10.9.0.2/24 dev "$IB"; ip -n "$B" link set "$IB" up

say "ping through the tunnel"
ip netns exec "$A" ping -c 3 -i 0.3 10.9.0.2

say "TCP through the tunnel (iperf3, 3 s)"
ip netns exec "$B" iperf3 -s -1 -D -B 10.9.0.2 >/dev/null
sleep 0.3
ip netns exec "$A" iperf3 -c 10.9.0.2 -t 3 | tail -4

say "wg show"
ip netns exec "$A" wg show "$IA"
echo
echo "demo finished: everything it created is being removed"
