# Shared by the tests of a wgrouter daemon with one road-warrior client (source after
# lib.sh): namespace r runs the daemon (state in $S), namespace c a wgrouter userspace
# client, joined on 192.0.2.0/24; tunnel 10.88.0.1 (router, interface $WG) <->
# 10.88.0.2 (client $WC), the router's peer named "phone".
S=$TMP/state
WG=$(ifn w); WC=$(ifn k)
stop_daemon() { local p; p=$(cat "$S/wgrouter.pid" 2>/dev/null) && kill "${1:--TERM}" "$p" 2>/dev/null; }
# gone: the daemon has let go of its pid-file lock (it really exited)
gone() { for _ in $(seq 50); do flock -n "$S/wgrouter.pid" true 2>/dev/null && return 0; sleep 0.1; done; return 1; }
cli() { (cd "$TMP" && nsx r "$WGR" cli --state-dir "$S" "$@"); }
daemon() { nsx r "$WGR" daemon --state-dir "$S"; }
# a new client session (a restarted or re-enabled peer has none): the peer set afresh
client_peer() {
	nsx c wg set "$WC" peer "$rt_pub" remove 2>/dev/null
	nsx c wg set "$WC" private-key "$TMP/cl.key" peer "$rt_pub" endpoint 192.0.2.1:51820 allowed-ips 10.88.0.0/24
}

# router_and_client "PEER PROPERTIES": checks router_configured; ends the test on failure.
router_and_client() {
	mkns r; mkns c
	link r "$(ifn a)" c "$(ifn b)" 192.0.2.1/24 192.0.2.2/24
	trap 'stop_daemon; cleanup' EXIT
	daemon || { fail daemon_starts; finish; }
	genkeys rt; genkeys cl
	cli "/interface/wireguard/add name=$WG listen-port=51820 private-key=\"$rt_priv\"" &&
		cli "/ip/address/add address=10.88.0.1/24 interface=$WG" &&
		cli "/interface/wireguard/peers/add name=phone interface=$WG public-key=\"$cl_pub\" allowed-address=10.88.0.2/32 $1"
	check router_configured test $? -eq 0
	start_wg wgrouter c "$WC" || { fail client_starts; finish; }
	echo "$cl_priv" >"$TMP/cl.key"
	client_peer
	nsx c ip addr add 10.88.0.2/24 dev "$WC"
	nsx c ip link set "$WC" up
}
