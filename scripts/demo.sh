#!/usr/bin/env bash
# make demo: two network namespaces, a wgrouter tunnel between them, real traffic
# through it. Self-contained; removes everything it created, also on failure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WGR="$ROOT/build/wgrouter"
P="wgdemo$$"
A="$P-a" B="$P-b" IA="${P}a" IB="${P}b" SA="" SB=""
TMP=$(mktemp -d)
cleanup() {
	set +e
	for n in "$A" "$B"; do
		for pid in $(ip netns pids "$n" 2>/dev/null); do kill "$pid" 2>/dev/null; done
	done
	sleep 0.3
	for n in "$SA" "$SB"; do
		[ -n "$n" ] || continue
		for pid in $(ip netns pids "$n" 2>/dev/null); do kill "$pid" 2>/dev/null; done
	done
	sleep 0.5
	for n in "$A" "$B" "$SA" "$SB"; do [ -n "$n" ] && ip netns del "$n" 2>/dev/null; done
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

# ---------------------------------------------------------------------------
say "part 2: the seeds' site-to-site, set up through the RouterOS console"
# Two routers (daemon + console each) in namespaces SA and SB joined by a WAN link;
# each has its LAN on a local interface named as in the seed (bridge-trunk).
SA="$P-sa" SB="$P-sb"
for n in "$SA" "$SB"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add eth0 netns "$SA" type veth peer name eth0 netns "$SB"
ip -n "$SA" addr add 203.0.113.1/24 dev eth0; ip -n "$SB" addr add 203.0.113.2/24 dev eth0
ip -n "$SA" link add bridge-trunk type veth peer name lan0; ip -n "$SB" link add bridge-trunk type veth peer name lan0
for n in "$SA" "$SB"; do for l in eth0 bridge-trunk lan0; do ip -n "$n" link set "$l" up; done; done
KA=$("$WGR" genkey); KB=$("$WGR" genkey)
PUBA=$(echo "$KA" | "$WGR" pubkey); PUBB=$(echo "$KB" | "$WGR" pubkey)
# Both routers name their interface wg-site, as the seed does: each has its own state
# directory and its own UAPI directory.
for s in a b; do mkdir -p "$TMP/state-$s" "$TMP/uapi-$s"; done
ip netns exec "$SA" "$WGR" daemon --state-dir "$TMP/state-a" --uapi-dir "$TMP/uapi-a"
ip netns exec "$SB" "$WGR" daemon --state-dir "$TMP/state-b" --uapi-dir "$TMP/uapi-b"
cli() { local n=$1 s=$2; shift 2; ip netns exec "$n" "$WGR" cli --state-dir "$TMP/state-$s" "$@"; }

cat >"$TMP/site-a.rsc" <<RSC
/ip address add address=10.0.0.1/16 interface=bridge-trunk
/interface list add name=WAN
/interface list member add list=WAN interface=eth0
/interface wireguard add name=wg-site listen-port=51821 private-key="$KA"
/ip address add address=10.200.201.1/30 interface=wg-site
/interface wireguard peers add \\
interface=wg-site \\
public-key="$PUBB" \\
allowed-address=10.200.201.2/32,172.16.0.0/24 \\
endpoint-address=203.0.113.2 \\
endpoint-port=51821 \\
persistent-keepalive=25s \\
comment="Site B (Secondary)"
/ip firewall filter add \\
chain=input \\
protocol=udp \\
dst-port=51821 \\
in-interface-list=WAN \\
action=accept \\
comment="Allow WG site-to-site"
RSC
cat >"$TMP/site-b.rsc" <<RSC
/ip address add address=172.16.0.1/24 interface=bridge-trunk
/interface wireguard add name=wg-site listen-port=51821 private-key="$KB"
/ip address add address=10.200.201.2/30 interface=wg-site
/interface wireguard peers add \\
interface=wg-site \\
public-key="$PUBA" \\
allowed-address=10.200.201.1/32,10.0.0.0/16 \\
endpoint-address=203.0.113.1 \\
endpoint-port=51821 \\
persistent-keepalive=25s \\
comment="Site A (Primary)"
RSC
echo "-- pasted into site A's console (keys shortened here):"
sed 's/\(key="[^"]\{6\}\)[^"]*"/\1..."/' "$TMP/site-a.rsc"
cli "$SA" a <"$TMP/site-a.rsc"
echo "-- pasted into site B's console:"
sed 's/\(key="[^"]\{6\}\)[^"]*"/\1..."/' "$TMP/site-b.rsc"
cli "$SB" b <"$TMP/site-b.rsc"

say "LAN to LAN through the tunnel: 10.0.0.1 (site A) -> 172.16.0.1 (site B)"
ip netns exec "$SA" ping -c 3 -i 0.3 -W 3 -I 10.0.0.1 172.16.0.1

say "/interface wireguard peers print detail (site A)"
cli "$SA" a /interface/wireguard/peers/print detail
say "/ip route print where dst-address~\"172.16\" (site A)"
cli "$SA" a '/ip route print where dst-address~"172.16"'
say "/export (site A; keys hidden)"
cli "$SA" a /export
echo
echo "demo finished: everything it created is being removed"
