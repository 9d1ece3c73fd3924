#!/usr/bin/env bash
# Seed 001's policy routing end to end: "route only specific traffic through the tunnel".
# A router (wgrouter daemon) with a LAN host that has two addresses, .50 and .51, and a
# tunnel to an exit site (wgrouter userspace) that owns the "internet" address
# 198.51.100.1; the router's main table has no route there. The seed's three commands
# (a routing table, a mangle rule marking .50, a default route in that table through
# wireguard1) must send .50's traffic through the tunnel and leave .51's alone; removing
# the mangle rule must take .50 back to the main table.
# Prints PASS/FAIL lines; cleans up namespaces, processes and files on any exit.
set -u
cd "$(dirname "$0")/../.."
BIN=$PWD/build/wgrouter
P=wgp$(($$ % 100000))
NR=${P}r; NL=${P}l; NX=${P}x      # router, LAN host, exit site
WX=${P}w                          # the exit site's WireGuard interface
TMP=$(mktemp -d /tmp/wgr-policy.XXXXXX)
fails=0
cleanup() {
	local pid
	pid=$(cat "$TMP/s/wgrouter.pid" 2>/dev/null) && grep -q wgrouter "/proc/$pid/cmdline" 2>/dev/null && kill -9 "$pid"
	[ -n "${XPID:-}" ] && kill "$XPID" 2>/dev/null
	for n in "$NR" "$NL" "$NX"; do ip netns del "$n" 2>/dev/null; done
	rm -f "/var/run/wireguard/$WX.sock"
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
pass() { echo "PASS test_router_policy:$1"; }
fail() { echo "FAIL test_router_policy:$1${2:+ ($2)}"; fails=$((fails + 1)); }
check() { local name=$1; shift; if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name"; fi; }
fails_to() { ! "$@"; }

if [ "$(id -u)" -ne 0 ] || [ ! -x "$BIN" ]; then
	echo "SKIP test_router_policy (needs root and build/wgrouter)"; exit 0
fi
for n in "$NR" "$NL" "$NX"; do ip netns add "$n"; ip -n "$n" link set lo up; done
cli() { (cd "$TMP" && ip netns exec "$NR" "$BIN" cli --state-dir "$TMP/s" "$@"); }
ping_from() { ip netns exec "$NL" ping -c 2 -W 2 -I "$1" 198.51.100.1; }

# LAN: 192.168.1.0/24 behind the router
ip link add "${P}a" netns "$NR" type veth peer name "${P}b" netns "$NL"
ip -n "$NR" addr add 192.168.1.1/24 dev "${P}a"; ip -n "$NR" link set "${P}a" up
ip -n "$NL" addr add 192.168.1.50/24 dev "${P}b"; ip -n "$NL" addr add 192.168.1.51/24 dev "${P}b"
ip -n "$NL" link set "${P}b" up; ip -n "$NL" route add default via 192.168.1.1
# WAN between the router and the exit site
ip link add "${P}c" netns "$NR" type veth peer name "${P}d" netns "$NX"
ip -n "$NR" addr add 203.0.113.1/24 dev "${P}c"; ip -n "$NR" link set "${P}c" up
ip -n "$NX" addr add 203.0.113.2/24 dev "${P}d"; ip -n "$NX" link set "${P}d" up
ip -n "$NX" addr add 198.51.100.1/32 dev lo

# The exit site: a bare WireGuard device that routes the router's LAN back into the tunnel.
ip netns exec "$NX" env WG_PROCESS_FOREGROUND=1 "$BIN" userspace "$WX" >"$TMP/exit.log" 2>&1 &
XPID=$!
for _ in $(seq 50); do [ -S "/var/run/wireguard/$WX.sock" ] && break; sleep 0.1; done
XKEY=$(wg genkey); XPUB=$(echo "$XKEY" | wg pubkey)
echo "$XKEY" >"$TMP/x.key"

ip netns exec "$NR" "$BIN" daemon --state-dir "$TMP/s" --uapi-dir "$TMP/run"
check daemon_starts test -S "$TMP/s/wgrouter.sock"
check forwarding_on test "$(ip netns exec "$NR" cat /proc/sys/net/ipv4/ip_forward)" = 1
cli "/interface/wireguard/add listen-port=13231 name=wireguard1" \
	&& cli "/ip/address/add address=10.99.0.1/24 interface=wireguard1" \
	&& cli "/interface/wireguard/peers/add interface=wireguard1 public-key=\"$XPUB\" endpoint-address=203.0.113.2 endpoint-port=51820 allowed-address=0.0.0.0/0"
check tunnel_configured test $? -eq 0
RPUB=$(cli :put [/interface/wireguard/get wireguard1 public-key])
ip netns exec "$NX" wg set "$WX" private-key "$TMP/x.key" listen-port 51820 \
	peer "$RPUB" endpoint 203.0.113.1:13231 allowed-ips 10.99.0.1/32,192.168.1.0/24
ip -n "$NX" addr add 10.99.0.2/24 dev "$WX"; ip -n "$NX" link set "$WX" up
ip -n "$NX" route add 192.168.1.0/24 dev "$WX"
check tunnel_up ip netns exec "$NR" ping -c 2 -W 3 10.99.0.2

# Before the seed's commands: the main table knows no way to 198.51.100.1.
check before_50_unrouted fails_to ping_from 192.168.1.50

# The seed, verbatim (interface wireguard1 as in the document).
cli <<'EOS'
# Create the policy-routing table first
/routing/table/add name=vpn-traffic fib
# Mark packets from a specific source host
/routing/mangle/add \
chain=prerouting src-address=192.168.1.50/32 \
action=mark-routing new-routing-mark=vpn-traffic
# Route marked packets through WireGuard
/ip/route/add dst-address=0.0.0.0/0 gateway=wireguard1 \
routing-table=vpn-traffic
EOS
check seed_commands_accepted test $? -eq 0
check ip_rule_installed bash -c "ip -n $NR rule show | grep -q 'fwmark 0x[0-9a-f]*/0xffff lookup [0-9]* proto 77'"
check mangle_chain_installed bash -c "ip netns exec $NR nft list chain inet wgrouter mangle_prerouting | grep -q 'ip saddr 192.168.1.50 .*meta mark set'"
check route_in_table bash -c "ip -n $NR route show table all | grep -q 'default dev wireguard1 table'"
check marked_host_goes_through_tunnel ping_from 192.168.1.50
check unmarked_host_stays_in_main fails_to ping_from 192.168.1.51
check exit_site_saw_it bash -c "ip netns exec $NX wg show $WX transfer | awk '{ exit !(\$2 > 0) }'"
# The configuration survives a restart and is applied again.
pid=$(cat "$TMP/s/wgrouter.pid"); kill "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
check rule_removed_on_stop bash -c "! ip -n $NR rule show | grep -q 'proto 77'"
ip netns exec "$NR" "$BIN" daemon --state-dir "$TMP/s" --uapi-dir "$TMP/run"
check restarted_rule_back bash -c "for i in \$(seq 30); do ip -n $NR rule show | grep -q 'proto 77' && exit 0; sleep 0.2; done; exit 1"
check restarted_marked_host ping_from 192.168.1.50
# Without the mangle rule, .50 is back in the main table.
cli "/routing/mangle/remove [find]"
check rule_gone bash -c "! ip -n $NR rule show | grep -q 'proto 77'"
check unmarked_again fails_to ping_from 192.168.1.50
[ "$fails" -eq 0 ]
