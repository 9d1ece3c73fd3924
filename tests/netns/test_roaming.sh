#!/usr/bin/env bash
# Roaming: while a TCP transfer (iperf3) runs through the tunnel, the roaming peer B moves
# to another outer address and another listen port. A (which has no configured endpoint
# for B and learned it) must follow: the transfer keeps going, `wg show A endpoints`
# reports the new address:port, and A can reach B afterwards (A sends to the new
# endpoint). B's own sends must survive the removal of the address it was sending from
# (sticky source address dropped and chosen again).
# Scenarios: wgrouter on both sides and wireguard-go roaming to a wgrouter (IPv4 and IPv6
# outer transport), wgrouter roaming to a wireguard-go (IPv4), a move from IPv4 to IPv6.
# Then the sticky source address: a peer reached on a secondary address answers from it
# (else the other side would roam).
. "$(dirname "$0")/lib.sh"

# bytes_after JSON T: "SUM MIN" of the bytes iperf3 moved in the intervals that start at
# or after T seconds (MIN: the emptiest of these intervals).
bytes_after() {
	"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
b = [int(i["sum"]["bytes"]) for i in d["intervals"] if i["sum"]["start"] >= float(sys.argv[2]) - 0.01]
print(sum(b), min(b) if b else 0)' "$1" "$2" 2>/dev/null || echo 0 0
}

# roam IMPL_A IMPL_B OUTER(4|6|4to6): 4to6 starts over IPv4, and B moves to its IPv6
# address (endpoint for A changed to A's IPv6 one) and to another port
roam() {
	local ia=$1 ib=$2 outer=$3
	local tag="${ia}-${ib}-v${outer}"
	local fails0=$FAILS
	mkns a; mkns b
	link a eth0 b eth0 192.0.2.1/24 192.0.2.2/24 2001:db8::1/64 2001:db8::2/64
	# B's outer address is replaced under it: keep the new IPv4 one when the old goes
	nsx b sysctl -qw net.ipv4.conf.eth0.promote_secondaries=1
	local A B; A=$(ifn a) B=$(ifn b)
	start_wg "$ia" a "$A" || { fail "$tag:start-a"; teardown; return; }
	start_wg "$ib" b "$B" || { fail "$tag:start-b"; teardown; return; }
	genkeys ka; genkeys kb
	echo "$ka_priv" >"$TMP/a.key"; echo "$kb_priv" >"$TMP/b.key"
	local epa old new newaddr oldaddr
	if [ "$outer" = 6 ]; then
		epa="[2001:db8::1]:51820"; old="[2001:db8::2]:51821"; new="[2001:db8::3]:51999"
		oldaddr=2001:db8::2/64; newaddr=2001:db8::3/64
	elif [ "$outer" = 4to6 ]; then
		epa=192.0.2.1:51820; old=192.0.2.2:51821; new="[2001:db8::2]:51999"
	else
		epa=192.0.2.1:51820; old=192.0.2.2:51821; new=192.0.2.3:51999
		oldaddr=192.0.2.2/24; newaddr=192.0.2.3/24
	fi
	nsx a wg set "$A" private-key "$TMP/a.key" listen-port 51820 peer "$kb_pub" allowed-ips 10.9.0.2/32,fd09::2/128
	nsx b wg set "$B" private-key "$TMP/b.key" listen-port 51821 peer "$ka_pub" endpoint "$epa" allowed-ips 10.9.0.1/32,fd09::1/128
	nsx a ip addr add 10.9.0.1/24 dev "$A"; nsx a ip addr add fd09::1/64 dev "$A" nodad
	nsx b ip addr add 10.9.0.2/24 dev "$B"; nsx b ip addr add fd09::2/64 dev "$B" nodad
	nsx a ip link set "$A" mtu 1420 up; nsx b ip link set "$B" mtu 1420 up

	if ! nsx b ping -c 2 -i 0.2 -W 2 10.9.0.1 >/dev/null; then
		fail "$tag:initial-ping"; show_log "$A"; show_log "$B"; teardown; return
	fi
	local ep; ep=$(peer_field a "$A" "$kb_pub" endpoints)
	[ "$ep" = "$old" ] && pass "$tag:endpoint-learned" || fail "$tag:endpoint-learned" "A shows '$ep', expected $old"

	# B sends a TCP stream to A for 3 s; B moves at about 1.2 s.
	nsx a iperf3 -s -1 -D -B 10.9.0.1 >/dev/null 2>&1
	sleep 0.3
	nsx b iperf3 -c 10.9.0.1 -t 3 -i 1 -J --connect-timeout 2000 >"$TMP/iperf.json" 2>"$TMP/iperf.err" &
	local ipid=$!; PIDS+=($ipid)
	sleep 1.2
	if [ "$outer" = 4to6 ]; then
		nsx b wg set "$B" listen-port 51999 peer "$ka_pub" endpoint "[2001:db8::1]:51820"
	else
		if [ "$outer" = 6 ]; then nsx b ip addr add "$newaddr" dev eth0 nodad; else nsx b ip addr add "$newaddr" dev eth0; fi
		nsx b ip addr del "$oldaddr" dev eth0
		nsx b wg set "$B" listen-port 51999
	fi
	local t_move=2 # iperf intervals starting at 2 s and later are after the move

	local port; port=$(nsx b wg show "$B" listen-port)
	[ "$port" = 51999 ] && pass "$tag:listen-port-changed" || fail "$tag:listen-port-changed" "B reports listen-port '$port'"
	if wait_for 3 bash -c "[ \"\$(ip netns exec $(ns a) wg show $A endpoints | awk '\$1==\"$kb_pub\"{print \$2}')\" = '$new' ]"; then
		pass "$tag:endpoint-updated"
	else
		fail "$tag:endpoint-updated" "A shows '$(peer_field a "$A" "$kb_pub" endpoints)', expected $new"
	fi
	local rc=0; wait $ipid || rc=$?
	local after least; read -r after least < <(bytes_after "$TMP/iperf.json" $t_move)
	echo "  $tag: $((after / 1024)) KiB sent through the tunnel after the move"
	# every 1 s interval after the move carried data (no stall until the end)
	if [ $rc -eq 0 ] && [ "$after" -gt 1000000 ] && [ "$least" -gt 0 ]; then
		pass "$tag:transfer-continues"
	else
		fail "$tag:transfer-continues" "iperf3 rc=$rc, $after bytes in the intervals after the move, least $least; $(head -c 200 "$TMP/iperf.err")"
	fi
	# A, which now sends to the learned endpoint, reaches B (IPv4 and IPv6 inside).
	check "$tag:ping-from-a" nsx a ping -c 3 -i 0.2 -W 2 10.9.0.2
	check "$tag:ping6-from-a" nsx a ping -6 -c 3 -i 0.2 -W 2 fd09::2
	# nothing answers on the old address any more, and A did not fall back to it
	ep=$(peer_field a "$A" "$kb_pub" endpoints)
	[ "$ep" = "$new" ] || fail "$tag:endpoint-stays" "A shows '$ep' after traffic, expected $new"
	[ $FAILS -gt $fails0 ] && { show_log "$A" 8; show_log "$B" 8; }
	teardown
}

# sticky IMPL_A IMPL_B OUTER: A has two outer addresses and B reaches it on the one the
# kernel would not pick as source towards B. A's replies (handshake response, data) must
# leave from that address, so B, which roams to wherever A's packets come from, keeps
# showing it as A's endpoint.
sticky() {
	local ia=$1 ib=$2 outer=$3
	local tag="sticky-source-${ia}-${ib}-v${outer}" fails0=$FAILS
	mkns a; mkns b
	link a eth0 b eth0 192.0.2.1/24 192.0.2.2/24 2001:db8::1/64 2001:db8::2/64
	nsx a ip addr add 192.0.2.5/24 dev eth0; nsx a ip addr add 2001:db8::5/64 dev eth0 nodad
	local A B; A=$(ifn a) B=$(ifn b)
	start_wg "$ia" a "$A" || { fail "$tag:start-a"; teardown; return; }
	start_wg "$ib" b "$B" || { fail "$tag:start-b"; teardown; return; }
	genkeys ka; genkeys kb
	echo "$ka_priv" >"$TMP/a.key"; echo "$kb_priv" >"$TMP/b.key"
	# the source the kernel picks in A towards B, and the other address
	local dflt other ep
	if [ "$outer" = 6 ]; then
		dflt=$(nsx a ip -6 route get 2001:db8::2 | sed -n 's/.* src \([^ ]*\).*/\1/p')
		other=2001:db8::5; [ "$dflt" = 2001:db8::5 ] && other=2001:db8::1
		ep="[$other]:51820"
	else
		dflt=$(nsx a ip route get 192.0.2.2 | sed -n 's/.* src \([^ ]*\).*/\1/p')
		other=192.0.2.5; [ "$dflt" = 192.0.2.5 ] && other=192.0.2.1
		ep="$other:51820"
	fi
	nsx a wg set "$A" private-key "$TMP/a.key" listen-port 51820 peer "$kb_pub" allowed-ips 10.9.0.2/32
	nsx b wg set "$B" private-key "$TMP/b.key" listen-port 51821 peer "$ka_pub" endpoint "$ep" allowed-ips 10.9.0.1/32
	nsx a ip addr add 10.9.0.1/24 dev "$A"; nsx b ip addr add 10.9.0.2/24 dev "$B"
	nsx a ip link set "$A" mtu 1420 up; nsx b ip link set "$B" mtu 1420 up
	check "$tag:ping-from-b" nsx b ping -c 2 -i 0.2 -W 2 10.9.0.1
	check "$tag:ping-from-a" nsx a ping -c 3 -i 0.2 -W 2 10.9.0.2
	local got; got=$(peer_field b "$B" "$ka_pub" endpoints)
	[ "$got" = "$ep" ] && pass "$tag:replies-from-reached-address" \
		|| fail "$tag:replies-from-reached-address" "B reached A on $ep, A's packets came from $got (kernel default source $dflt)"
	[ $FAILS -gt $fails0 ] && { show_log "$A" 8; show_log "$B" 8; }
	teardown
}

roam wgrouter wgrouter 4
roam wgrouter wgrouter 6
roam wgrouter wireguard-go 4
roam wgrouter wireguard-go 6
roam wireguard-go wgrouter 4
roam wgrouter wgrouter 4to6
sticky wgrouter wireguard-go 4
sticky wgrouter wireguard-go 6
sticky wgrouter wgrouter 4
finish
