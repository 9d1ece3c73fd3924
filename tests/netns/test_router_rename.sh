#!/usr/bin/env bash
# Renaming a WireGuard interface or a peer touches no session (issue 13): the router
# (wgrouter daemon, interface wg-remote) and a client (wgrouter userspace) joined by a
# veth pair on 203.0.113.0/24 and a tunnel on 10.77.0.0/24. While the client pings the
# router through the tunnel every 50 ms, `set wg-remote name=wg-road` renames the
# interface in place: at most one ping is lost, the handshake is not redone, and the
# address, the peer route and `wg show` follow the new name. Renaming the peer changes
# nothing on the wire either.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP $TESTNAME (needs root)"; exit 0; }
S=$TMP/state
mkns r; mkns c
link r "$(ifn a)" c "$(ifn b)" 203.0.113.1/24 203.0.113.2/24
CW=$(ifn w)
start_wg wgrouter c "$CW" || { fail client_starts; finish; }
nsx r "$WGR" daemon --state-dir "$S" --uapi-dir "$TMP/run" || { fail daemon_starts; finish; }
stop_daemon() { local p; p=$(cat "$S/wgrouter.pid" 2>/dev/null) && kill "$p" 2>/dev/null; }
trap 'stop_daemon; cleanup' EXIT
cli() { (cd "$TMP" && nsx r "$WGR" cli --state-dir "$S" "$@"); }
export -f cli nsx ns; export S TMP WGR NS_PREFIX
genkeys cl
cli "/interface/wireguard/add name=wg-remote listen-port=13231" &&
	cli "/ip/address/add address=10.77.0.1/24 interface=wg-remote" &&
	cli "/interface/wireguard/peers/add interface=wg-remote name=phone public-key=\"$cl_pub\" allowed-address=10.77.0.2/32"
check configured test $? -eq 0
RPUB=$(cli ':put [/interface/wireguard/get wg-remote public-key]')
echo "$cl_priv" >"$TMP/cl.key"
nsx c wg set "$CW" private-key "$TMP/cl.key" peer "$RPUB" endpoint 203.0.113.1:13231 allowed-ips 10.77.0.0/24
nsx c ip addr add 10.77.0.2/24 dev "$CW"; nsx c ip link set "$CW" up
check tunnel_up nsx c ping -c 2 -W 3 10.77.0.1
HS1=$(nsx c wg show "$CW" latest-handshakes | awk '{print $2}')

# 80 pings, 50 ms apart; the rename happens about a second in.
nsx c ping -i 0.05 -c 80 -W 1 10.77.0.1 >"$TMP/ping.out" 2>&1 &
PING=$!
sleep 1
check rename_accepted cli "/interface/wireguard/set wg-remote name=wg-road"
wait "$PING"
lost=$(awk '/packets transmitted/ { print $1 - $4 }' "$TMP/ping.out")
check at_most_one_ping_lost test "${lost:-99}" -le 1
HS2=$(nsx c wg show "$CW" latest-handshakes | awk '{print $2}')
check no_new_handshake test "$HS1" = "$HS2"
check renamed_link bash -c "nsx r ip link show wg-road && ! nsx r ip link show wg-remote"
check address_follows bash -c "nsx r ip -4 addr show dev wg-road | grep -q 10.77.0.1/24"
check peer_route_follows wait_for 6 bash -c "nsx r ip route show 10.77.0.2 | grep -q 'dev wg-road'"
check uapi_socket_follows test -S "$TMP/run/wg-road.sock"
check peer_interface_follows bash -c "(cd $TMP && nsx r $WGR cli --state-dir $S '/interface/wireguard/peers/print detail') | grep -q 'interface=wg-road'"
check logged_rename bash -c "(cd $TMP && nsx r $WGR cli --state-dir $S '/log/print') | grep -q 'wg-remote: interface renamed to wg-road'"
# Renaming the peer: a label only.
check peer_renamed cli "/interface/wireguard/peers/set [find name=phone] name=laptop"
check still_pings nsx c ping -c 3 -i 0.2 -W 1 10.77.0.1
HS3=$(nsx c wg show "$CW" latest-handshakes | awk '{print $2}')
check peer_rename_no_handshake test "$HS1" = "$HS3"
finish
