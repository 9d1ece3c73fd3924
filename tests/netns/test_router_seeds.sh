#!/usr/bin/env bash
# The seeds' WireGuard commands pasted into real daemons (placeholders replaced by real
# keys and addresses): seed 000's key generation and road-warrior router, checked with
# `wg show`; seed 001's two offices, each a daemon in its own namespace with the WAN
# addresses the document uses, whose site-to-site tunnel must carry a ping.
# Prints PASS/FAIL lines; cleans up on any exit.
set -u
cd "$(dirname "$0")/../.."
BIN=$PWD/build/wgrouter
P=wgs$(($$ % 100000))
N1=${P}a; N2=${P}b; N3=${P}c
TMP=$(mktemp -d /tmp/wgr-seeds.XXXXXX)
fails=0
# kill -9 a daemon by its pid file, only if that pid is still a wgrouter daemon
killd() {
	local pid
	pid=$(cat "$1/wgrouter.pid" 2>/dev/null) || return 0
	grep -q wgrouter "/proc/$pid/cmdline" 2>/dev/null && kill "${2:--9}" "$pid"
}
cleanup() {
	for d in "$TMP"/s*; do killd "$d"; done
	for n in "$N1" "$N2" "$N3"; do ip netns del "$n" 2>/dev/null; done
	for i in wg-home wg-remote; do [ -n "${OWN:-}" ] && rm -f "/var/run/wireguard/$i.sock"; done
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
pass() { echo "PASS test_router_seeds:$1"; }
fail() { echo "FAIL test_router_seeds:$1"; fails=$((fails + 1)); }
check() { local name=$1; shift; if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name"; fi; }

if [ "$(id -u)" -ne 0 ] || [ ! -x "$BIN" ]; then
	echo "SKIP test_router_seeds (needs root and build/wgrouter)"; exit 0
fi
for n in "$N1" "$N2" "$N3"; do ip netns add "$n"; ip -n "$n" link set lo up; done

# run NS STATE: a daemon in namespace NS with state dir TMP/STATE (uapi dir optional)
start() { ip netns exec "$1" "$BIN" daemon --state-dir "$TMP/$2" ${3:+--uapi-dir "$3"}; }
paste_in() { (cd "$TMP" && ip netns exec "$1" "$BIN" cli --state-dir "$TMP/$2"); } # script on stdin
key() { wg genkey; }

# ---- seed 000 on router R1 (UAPI sockets in /var/run/wireguard: `wg show` must see them) ----
if [ -e /var/run/wireguard/wg-home.sock ] || [ -e /var/run/wireguard/wg-remote.sock ]; then
	echo "SKIP test_router_seeds:seed000 (wg-home/wg-remote already exist on this host)"
else
	OWN=1
	start "$N1" s1
	OUT=$(paste_in "$N1" s1 <<'EOS'
/system package print where name~wireguard
/tool wg-genkey
:set privKey [get]
:set pubKey [/tool wg-genkey public-key from-key $privKey]
:put $pubKey
EOS
)
	KEYS=$(grep -E '^[A-Za-z0-9+/]{43}=$' <<<"$OUT")
	PRIV=$(sed -n 1p <<<"$KEYS"); PUB=$(sed -n 2p <<<"$KEYS")
	check seed000_package_print grep -q wireguard <<<"$OUT"
	check seed000_genkey_pair test "$(echo "$PRIV" | wg pubkey)" = "$PUB"
	SERVER=$(key); CLIENT_PUB=$(key | wg pubkey)
	paste_in "$N1" s1 <<EOS
/interface wireguard add name=wg-home listen-port=51820 private-key="$PRIV"
EOS
	check seed000_wg_home ip netns exec "$N1" bash -c "wg show wg-home public-key | grep -qx '$PUB'"
	paste_in "$N1" s1 <<EOS
/interface wireguard set wg-home listen-port=51830
# WireGuard interface
/interface wireguard add name=wg-remote listen-port=51820 private-key="$SERVER"
# IP on WG interface — this will be the gateway for remote peers
/ip address add address=10.200.200.1/24 interface=wg-remote comment="WG remote pool gateway"
# Peer definition: your phone/laptop
/interface wireguard peers add \\
interface=wg-remote \\
public-key="$CLIENT_PUB" \\
allowed-address=10.200.200.2/32 \\
comment="Phone - Pixel 9"
/ip firewall filter add \\
chain=input \\
protocol=udp \\
dst-port=51820 \\
in-interface-list=WAN \\
action=accept \\
comment="Allow WireGuard UDP"
/ip firewall nat add \\
chain=srcnat \\
src-address=10.200.200.0/24 \\
dst-address=10.0.0.0/16 \\
action=srcnat \\
comment="NAT remote WG clients to LAN"
/interface wireguard set wg-remote mtu=1412
/system logging add topics=wireguard,info action=memory
EOS
	check seed000_road_warrior_applied test $? -eq 0
	check seed000_wg_show_server ip netns exec "$N1" bash -c "wg show wg-remote private-key | grep -qx '$SERVER' && wg show wg-remote listen-port | grep -qx 51820"
	check seed000_wg_show_peer ip netns exec "$N1" bash -c "wg show wg-remote allowed-ips | grep -q '$CLIENT_PUB.10.200.200.2/32'"
	check seed000_mtu ip netns exec "$N1" bash -c "ip link show wg-remote | grep -q 'mtu 1412'"
	check seed000_address ip netns exec "$N1" bash -c "ip addr show wg-remote | grep -q 10.200.200.1/24"
	check seed000_nat ip netns exec "$N1" bash -c "nft list table inet wgrouter | grep -q 'NAT remote WG clients\\|ip nat\\|snat\\|masquerade'"
	paste_in "$N1" s1 <<'EOS' >"$TMP/out"
/interface wireguard peers print detail where interface=wg-remote
/interface wireguard disable wg-remote; /interface wireguard enable wg-remote
/log print where topics~"wireguard"
EOS
	check seed000_print_detail grep -q ';;; Phone - Pixel 9' "$TMP/out"
	check seed000_log grep -q 'wireguard,info wg-remote: interface started' "$TMP/out"
	check seed000_reenabled ip netns exec "$N1" bash -c "wg show wg-remote allowed-ips | grep -q 10.200.200.2/32 && ip addr show wg-remote | grep -q 10.200.200.1/24"
	killd "$TMP/s1" -TERM
fi

# ---- seed 001: Office1 (WAN 192.168.99.1) <-> Office2 (WAN 192.168.88.2) ----
ip link add "${P}x" netns "$N2" type veth peer name "${P}y" netns "$N3"
ip -n "$N2" addr add 192.168.99.1/24 dev "${P}x"; ip -n "$N2" link set "${P}x" up
ip -n "$N3" addr add 192.168.88.2/24 dev "${P}y"; ip -n "$N3" link set "${P}y" up
ip -n "$N2" route add 192.168.88.0/24 dev "${P}x"; ip -n "$N3" route add 192.168.99.0/24 dev "${P}y"
for n in "$N2" "$N3"; do ip -n "$n" link add lan0 type veth peer name lan1; ip -n "$n" link set lan1 up; done
ip -n "$N2" addr add 10.0.0.1/24 dev lan0; ip -n "$N2" link set lan0 up
ip -n "$N3" addr add 10.255.255.1/24 dev lan0; ip -n "$N3" link set lan0 up
# both offices name their interface wireguard1: private UAPI directories keep them apart
start "$N2" s2 "$TMP/run2"; start "$N3" s3 "$TMP/run3"
# the seed's Office commands, split where the other office's public key is needed
iface() {
	paste_in "$1" "$2" <<EOS
/interface/wireguard/add listen-port=13231 mtu=1420 name=wireguard1
/ip/address/add address=$3/24 interface=wireguard1
EOS
}
office() { # NS STATE PEER-PUB PEER-ALLOWED PEER-WAN
	paste_in "$1" "$2" <<EOS
/interface/wireguard/peers/add \\
interface=wireguard1 \\
public-key="$3" \\
allowed-address=$4 \\
endpoint-address=$5 \\
endpoint-port=13231 \\
persistent-keepalive=25s
/ip/firewall/filter/add \\
chain=input protocol=udp dst-port=13231 \\
action=accept comment="WireGuard" place-before=1
/ip/firewall/filter/add \\
chain=forward in-interface=wireguard1 \\
action=accept comment="WireGuard forward in"
/ip/firewall/filter/add \\
chain=forward out-interface=wireguard1 \\
action=accept comment="WireGuard forward out"
EOS
}
iface "$N2" s2 10.1.101.1; iface "$N3" s3 10.1.101.2
# "Display the interface to get your public key — share this with the remote peer"
O1=$(paste_in "$N2" s2 <<<'/interface/wireguard/print detail' | sed -n 's/.*public-key="\([^"]*\)".*/\1/p')
O2=$(paste_in "$N3" s3 <<<'/interface/wireguard/print detail' | sed -n 's/.*public-key="\([^"]*\)".*/\1/p')
office "$N2" s2 "$O2" 10.1.101.2/32,10.255.255.0/24 192.168.88.2
check seed001_office1_configured test $? -eq 0
office "$N3" s3 "$O1" 10.1.101.1/32,10.0.0.0/24 192.168.99.1
check seed001_office2_configured test $? -eq 0
check seed001_ping_remote_tunnel_ip ip netns exec "$N2" ping -c 2 -W 3 10.1.101.2
check seed001_ping_remote_lan ip netns exec "$N2" ping -c 2 -W 3 10.255.255.1
paste_in "$N2" s2 <<'EOS' >"$TMP/o1"
# Check tunnel state and last handshake time
/interface/wireguard/peers/print detail
/ping 10.1.101.2
EOS
check seed001_handshake_shown bash -c "grep -q 'last-handshake=[0-9]' $TMP/o1 && ! grep -q last-handshake=never $TMP/o1"
check seed001_endpoint_shown grep -q 'current-endpoint-address=192.168.88.2' "$TMP/o1"
check seed001_console_ping grep -q 'sent=4 received=4' "$TMP/o1"
PSK=$(wg genpsk)
for pair in "$N2 s2 $O2" "$N3 s3 $O1"; do
	set -- $pair
	paste_in "$1" "$2" <<EOS
# Set PSK on peer entry
/interface/wireguard/peers/set [find public-key="$3"] \\
preshared-key="$PSK"
EOS
done
check seed001_psk_tunnel ip netns exec "$N2" ping -c 2 -W 5 10.1.101.2
paste_in "$N2" s2 <<'EOS' >"$TMP/o2"
/ip/firewall/filter/print stats where comment~"WireGuard"
/ip/route/print where gateway~"wireguard"
/interface/wireguard/print detail
EOS
check seed001_stats grep -q 'Columns: CHAIN, ACTION, BYTES, PACKETS' "$TMP/o2"
check seed001_routes grep -q '10.255.255.0/24' "$TMP/o2"
check seed001_print_running grep -q ' R  name="wireguard1"' "$TMP/o2"
[ "$fails" -eq 0 ]
