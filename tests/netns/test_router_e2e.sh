#!/usr/bin/env bash
# End to end: `wgrouter daemon` in a network namespace driven by `wgrouter cli` with the
# seeds' commands; `wg show` sees the result; a road-warrior client built only from
# show-client-config (wireguard-go in a second namespace) completes a handshake; the
# configuration survives SIGTERM and kill -9; export -> import -> export is stable.
# Prints PASS/FAIL lines; cleans up namespaces, processes and files on any exit.
set -u
cd "$(dirname "$0")/../.."
BIN=${WGROUTER_BIN:-$PWD/build/wgrouter} # make check-sanitize: a sanitized build
ID=$$
P=wgr$((ID % 100000))           # unique prefix for namespaces and interfaces
NR=${P}r; NC=${P}c; NI=${P}i     # router, client, import router
WG=${P}w                         # the router's WireGuard interface (UAPI names are global)
WC=${P}k                         # the client's
TMP=$(mktemp -d /tmp/wgr-e2e.XXXXXX)
S1=$TMP/state1; S2=$TMP/state2
fails=0

# gone DIR: waits (up to 5 s) until the daemon of DIR has let go of its pid-file lock,
# i.e. has really exited: its interfaces vanish a little earlier than that.
gone() {
	for _ in $(seq 50); do
		[ ! -e "$1/wgrouter.pid" ] || flock -n "$1/wgrouter.pid" true 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# kill -9 a daemon by its pid file, only if that pid is still a wgrouter daemon
killd() {
	local pid
	pid=$(cat "$1/wgrouter.pid" 2>/dev/null) || return 0
	grep -q wgrouter "/proc/$pid/cmdline" 2>/dev/null && kill "${2:--9}" "$pid"
}
cleanup() {
	for d in "$S1" "$S2"; do killd "$d"; done
	[ -n "${WGGO:-}" ] && kill "$WGGO" 2>/dev/null
	tmux kill-session -t "$P" 2>/dev/null
	for n in "$NR" "$NC" "$NI"; do ip netns del "$n" 2>/dev/null; rm -rf "/etc/netns/$n"; done
	rm -f "/var/run/wireguard/$WG.sock" "/var/run/wireguard/$WC.sock"
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

pass() { echo "PASS test_router_e2e:$1"; }
fail() { echo "FAIL test_router_e2e:$1${2:+ ($2)}"; fails=$((fails + 1)); }
check() { local name=$1; shift; if "$@" >/dev/null; then pass "$name"; else fail "$name"; fi; }

if [ "$(id -u)" -ne 0 ] || [ ! -x "$BIN" ]; then
	echo "SKIP test_router_e2e (needs root and build/wgrouter)"; exit 0
fi

R() { ip netns exec "$NR" "$@"; }
C() { ip netns exec "$NC" "$@"; }
cli() { (cd "$TMP" && ip netns exec "$NR" "$BIN" cli --state-dir "$S1" "$@"); }
daemon() { ip netns exec "$NR" "$BIN" daemon --state-dir "$S1"; }

for n in "$NR" "$NC" "$NI"; do ip netns add "$n"; ip -n "$n" link set lo up; done
# `ip netns exec` shows /etc/netns/NAME/hosts as /etc/hosts: a DNS name the test can move
mkdir -p "/etc/netns/$NR"
echo "192.0.2.2 peer.test" >"/etc/netns/$NR/hosts"
: >"/etc/netns/$NR/resolv.conf"
ip link add "${P}a" netns "$NR" type veth peer name "${P}b" netns "$NC"
R ip addr add 192.0.2.1/24 dev "${P}a"; R ip link set "${P}a" up
C ip addr add 192.0.2.2/24 dev "${P}b"; C ip link set "${P}b" up

# ---- daemon and seed 001's road warrior configuration ----
check daemon_starts daemon
check socket_root_only test "$(stat -c %a "$S1/wgrouter.sock")" = 600

cli "/interface/wireguard/add listen-port=13231 mtu=1420 name=$WG" \
	&& cli "/ip/address/add address=172.16.77.1/24 interface=$WG" \
	&& cli "/ip/firewall/filter/add chain=input protocol=udp dst-port=13231 action=accept comment=\"WireGuard\" place-before=1" \
	&& cli "/ip/firewall/filter/add chain=forward in-interface=$WG action=accept comment=\"WireGuard client forward\"" \
	&& cli "/interface/wireguard/peers/add interface=$WG private-key=auto allowed-address=172.16.77.2/32 comment=\"laptop-alice\" client-endpoint=192.0.2.1 client-allowed-address=172.16.77.0/24 client-keepalive=25s"
check seed_commands_accepted test $? -eq 0

PUB=$(cli :put [/interface/wireguard/get $WG public-key])
check wg_show_sees_interface bash -c "ip netns exec $NR wg show $WG | grep -q 'listening port: 13231' && ip netns exec $NR wg show $WG public-key | grep -qx '$PUB'"
PEERPUB=$(cli :put [/interface/wireguard/peers/get 0 public-key])
check wg_show_sees_peer bash -c "ip netns exec $NR wg show $WG allowed-ips | grep -q '$PEERPUB.*172.16.77.2/32'"
check address_installed bash -c "ip netns exec $NR ip -4 addr show dev $WG | grep -q 172.16.77.1/24"
check peer_route_installed bash -c "ip netns exec $NR ip route show dev $WG | grep -q '172.16.77.2 proto 77'"
check firewall_installed bash -c "ip netns exec $NR nft list table inet wgrouter | grep -q 'udp dport 13231'"
check print_shows_running bash -c "cd $TMP && ip netns exec $NR $BIN cli --state-dir $S1 /interface/wireguard/print | grep -q ' R '"

# ---- a road-warrior client made only from show-client-config ----
cli "/interface/wireguard/peers/show-client-config [find where interface=$WG and allowed-address=\"172.16.77.2/32\"] file=alice" >/dev/null
check client_files_written test -s "$TMP/alice.conf" -a -s "$TMP/alice.png"
C env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 WG_PROCESS_FOREGROUND=1 wireguard-go "$WC" >/dev/null 2>&1 &
WGGO=$!
for _ in $(seq 50); do [ -S "/var/run/wireguard/$WC.sock" ] && break; sleep 0.1; done
ADDR=$(sed -n 's/^Address = //p' "$TMP/alice.conf")
ROUTES=$(sed -n 's/^AllowedIPs = //p' "$TMP/alice.conf" | tr -d ' ')
C wg setconf "$WC" <(wg-quick strip "$TMP/alice.conf" 2>/dev/null || grep -v -e '^Address' -e '^DNS' -e '^MTU' "$TMP/alice.conf")
C ip addr add "$ADDR" dev "$WC"; C ip link set "$WC" up
for r in ${ROUTES//,/ }; do C ip route add "$r" dev "$WC" 2>/dev/null; done
check client_ping_through_tunnel C ping -c 2 -W 2 172.16.77.1
HS1=$(R wg show "$WG" latest-handshakes | awk '{print $2}')
check handshake_completed test "${HS1:-0}" -gt 0
check print_runtime_values bash -c "cd $TMP && ip netns exec $NR $BIN cli --state-dir $S1 /interface/wireguard/peers/print detail | grep -q 'current-endpoint-address=192.0.2.2'"

# ---- changing another peer or the interface leaves this session alone ----
OTHER=$(wg genkey | wg pubkey)
cli "/interface/wireguard/peers/add interface=$WG public-key=\"$OTHER\" allowed-address=172.16.77.3/32" \
	&& cli "/interface/wireguard/peers/set [find allowed-address=\"172.16.77.3/32\"] persistent-keepalive=30s"
HS2=$(R wg show "$WG" latest-handshakes | grep -v "$OTHER" | awk '{print $2}')
check other_peer_changes_keep_session test -n "$HS2" -a "${HS1:-x}" = "$HS2"
check ping_after_other_change C ping -c 1 -W 2 172.16.77.1
HS3=$(R wg show "$WG" latest-handshakes | grep -v "$OTHER" | awk '{print $2}')
check no_new_handshake_needed test -n "$HS3" -a "${HS1:-x}" = "$HS3"

# ---- a peer on dynamic DNS is followed when its name moves ----
DYN=$(wg genkey | wg pubkey)
cli "/interface/wireguard/peers/add interface=$WG public-key=\"$DYN\" allowed-address=172.16.77.9/32 endpoint-address=peer.test endpoint-port=51999"
ep() { R wg show "$WG" endpoints | awk -v k="$DYN" '$1 == k {print $2}'; }
for _ in $(seq 30); do [ "$(ep)" = 192.0.2.2:51999 ] && break; sleep 0.5; done
check hostname_endpoint_resolved test "$(ep)" = 192.0.2.2:51999
echo "192.0.2.3 peer.test" >"/etc/netns/$NR/hosts"
for _ in $(seq 40); do [ "$(ep)" = 192.0.2.3:51999 ] && break; sleep 1; done
check hostname_endpoint_followed test "$(ep)" = 192.0.2.3:51999
check hostname_change_logged bash -c "cd $TMP && ip netns exec $NR $BIN cli --state-dir $S1 /log/print where message~\"now resolves to 192.0.2.3\" | grep -q peer.test"
cli "/interface/wireguard/peers/remove [find public-key=\"$DYN\"]"

# ---- errors: non-zero exit, message on stderr, nothing changed ----
BEFORE=$(cli /export show-sensitive | tail -n +2)
ERR=$(cli "/interface/wireguard/peers/add interface=$WG public-key=\"$OTHER\" allowed-address=172.16.77.0/24" 2>&1 >/dev/null); RC=$?
check error_exit_status test $RC -ne 0
check error_message bash -c "grep -q overlaps <<<'$ERR'"
check error_changes_nothing test -n "$BEFORE" -a "$BEFORE" = "$(cli /export show-sensitive | tail -n +2)"
check script_from_stdin bash -c "printf '/system/identity/set name=edge\n:put [/system/identity/get name]\n' | (cd $TMP && ip netns exec $NR $BIN cli --state-dir $S1) | grep -qx edge"
check script_stops_at_error bash -c "! printf '/ip/address/add address=bad interface=$WG\n/system/identity/set name=never\n' | (cd $TMP && ip netns exec $NR $BIN cli --state-dir $S1) 2>/dev/null && test \"\$(cd $TMP && ip netns exec $NR $BIN cli --state-dir $S1 :put [/system/identity/get name])\" = edge"

# ---- persistence: SIGTERM, then kill -9 ----
EXPORT=$(cli /export show-sensitive | tail -n +2)
killd "$S1" -TERM
for _ in $(seq 50); do R ip link show "$WG" >/dev/null 2>&1 || break; sleep 0.1; done
gone "$S1"
check sigterm_stops_interfaces bash -c "test -n '$EXPORT'" && check sigterm_stops_interfaces_2 bash -c "! ip netns exec $NR ip link show $WG >/dev/null 2>&1 && test ! -e $S1/wgrouter.sock"
check state_file_private test "$(stat -c %a "$S1/config.state")" = 600
daemon
check restart_restores_config test -n "$EXPORT" -a "$EXPORT" = "$(cli /export show-sensitive | tail -n +2)"
check restart_same_key bash -c "ip netns exec $NR wg show $WG public-key | grep -qx '$PUB'"
killd "$S1"
gone "$S1"
daemon
check kill9_restores_config test -n "$EXPORT" -a "$EXPORT" = "$(cli /export show-sensitive | tail -n +2)"
# the client still has the old session: it notices after 15 s without replies and
# handshakes again with the restarted router (which kept its key)
check tunnel_after_kill9 C ping -c 1 -w 40 172.16.77.1

# ---- export -> import into a fresh daemon -> export ----
cli /export show-sensitive file=backup >/dev/null
ip netns exec "$NI" "$BIN" daemon --state-dir "$S2"
killd "$S1"   # the imported interface reuses the same (global) UAPI name
for _ in $(seq 50); do [ -e "/var/run/wireguard/$WG.sock" ] || break; sleep 0.1; done
(cd "$TMP" && ip netns exec "$NI" "$BIN" cli --state-dir "$S2" /import file-name=backup.rsc) >/dev/null
check import_into_fresh_daemon test $? -eq 0
check export_import_export test -n "$EXPORT" -a "$EXPORT" = "$( (cd "$TMP" && ip netns exec "$NI" "$BIN" cli --state-dir "$S2" /export show-sensitive) | tail -n +2)"
killd "$S2" -TERM
daemon

# ---- the interactive console (tmux as the terminal) ----
# waits up to 10 s for the terminal to show a pattern
screen_has() {
	for _ in $(seq 50); do
		tmux capture-pane -p -t "$P" 2>/dev/null | grep -q "$1" && return 0
		sleep 0.2
	done
	return 1
}
if command -v tmux >/dev/null; then
	tmux new-session -d -s "$P" -x 120 -y 30 "ip netns exec $NR $BIN cli --state-dir $S1"
	screen_has '\[admin@edge\] />'
	tmux send-keys -t "$P" "/interface wi" Tab
	screen_has '/interface wireguard'
	tmux send-keys -t "$P" Enter
	check interactive_prompt_and_completion screen_has '\[admin@edge\] /interface/wireguard>'
	tmux send-keys -t "$P" "print" Enter
	check interactive_print screen_has "name=\"$WG\""
	tmux kill-session -t "$P"
fi

[ "$fails" -eq 0 ]
