#!/usr/bin/env bash
# Cryptokey routing on receive: a decrypted packet whose inner source is not routed (by
# A's allowed IPs) to the peer that sent it is dropped. A has two peers:
#   B: 10.9.0.0/24, fd09::/64       (B really exists, in namespace b)
#   C: 10.9.0.3/32, fd09::3/128     (a more specific peer; C never connects)
# B holds several tunnel addresses and pings A from each (ping -I):
#   10.9.0.2 / fd09::2, 10.9.0.4 / fd09::4  -> B's: delivered, answered
#   10.9.0.3 / fd09::3                      -> C's: dropped
#   10.10.0.2 / fd0a::2                     -> nobody's: dropped
# "Dropped" is observed three ways: ping fails, A's TUN device receives nothing (kernel rx
# counter), and A's verbose log has the allowed-address mismatch message.
# Also: a peer configured with A's own public key is ignored (absent, takes no prefix).
# Receivers: wgrouter (senders wgrouter and wireguard-go) and, as a reference for the
# scenario itself, wireguard-go with a wgrouter sender.
. "$(dirname "$0")/lib.sh"

# drop_log IMPL FILE: lines that record a dropped packet with a disallowed source
drop_log() {
	if [ "$1" = wgrouter ]; then grep -c 'unallowed src IP' "$2"
	else grep -c 'packet with disallowed source address' "$2"; fi
}

scenario() {
	local ia=$1 ib=$2
	local tag="$ia-rx-from-$ib" fails0=$FAILS
	mkns a; mkns b
	link a eth0 b eth0 192.0.2.1/24 192.0.2.2/24 2001:db8::1/64 2001:db8::2/64
	local A B; A=$(ifn a) B=$(ifn b)
	start_wg "$ia" a "$A" || { fail "$tag:start-a"; teardown; return; }
	start_wg "$ib" b "$B" || { fail "$tag:start-b"; teardown; return; }
	genkeys ka; genkeys kb; genkeys kc
	echo "$ka_priv" >"$TMP/a.key"; echo "$kb_priv" >"$TMP/b.key"
	nsx a wg set "$A" private-key "$TMP/a.key" listen-port 51820 \
		peer "$kb_pub" allowed-ips 10.9.0.0/24,fd09::/64 \
		peer "$kc_pub" allowed-ips 10.9.0.3/32,fd09::3/128
	# B routes everything of the tunnel prefixes to A, whatever its source
	nsx b wg set "$B" private-key "$TMP/b.key" listen-port 51821 \
		peer "$ka_pub" endpoint 192.0.2.1:51820 allowed-ips 10.9.0.1/32,fd09::1/128
	nsx a ip addr add 10.9.0.1/24 dev "$A"; nsx a ip addr add fd09::1/64 dev "$A" nodad
	local x
	for x in 10.9.0.2/24 10.9.0.3/24 10.9.0.4/24 10.10.0.2/24; do nsx b ip addr add "$x" dev "$B"; done
	for x in fd09::2/64 fd09::3/64 fd09::4/64 fd0a::2/64; do nsx b ip addr add "$x" dev "$B" nodad; done
	# no link-local address on A's TUN: nothing but our pings reaches its counters
	nsx a ip link set "$A" addrgenmode none mtu 1420 up
	nsx b ip link set "$B" mtu 1420 up

	# src expect(ok|drop)
	local src want dst
	for src in 10.9.0.2:ok 10.9.0.3:drop 10.10.0.2:drop 10.9.0.4:ok fd09::2:ok fd09::3:drop fd0a::2:drop fd09::4:ok; do
		want=${src##*:}; src=${src%:*}
		dst=10.9.0.1; [[ $src == *:* ]] && dst=fd09::1
		local rx0 log0 rx1 log1 rc=0
		rx0=$(tun_stat a "$A" rx_packets); log0=$(drop_log "$ia" "$TMP/$A.log")
		nsx b ping -c 3 -i 0.2 -W 1 -I "$src" "$dst" >"$TMP/ping.out" 2>&1 || rc=$?
		sleep 0.2 # let the log line be written
		rx1=$(tun_stat a "$A" rx_packets); log1=$(drop_log "$ia" "$TMP/$A.log")
		local what="ping rc=$rc, A's TUN received $((rx1 - rx0)) packets, $((log1 - log0)) drop log lines"
		if [ "$want" = ok ]; then
			[ $rc -eq 0 ] && [ $((rx1 - rx0)) -ge 3 ] && [ $((log1 - log0)) -eq 0 ] \
				&& pass "$tag:from-$src-delivered" || fail "$tag:from-$src-delivered" "$what"
		else
			[ $rc -ne 0 ] && [ $((rx1 - rx0)) -eq 0 ] && pass "$tag:from-$src-dropped" \
				|| fail "$tag:from-$src-dropped" "$what"
			[ $((log1 - log0)) -ge 1 ] && pass "$tag:from-$src-logged" || fail "$tag:from-$src-logged" "$what"
		fi
	done

	# A peer with A's own public key: accepted by wg, ignored by the device; it takes
	# none of B's prefixes, so B's traffic still flows.
	if nsx a wg set "$A" peer "$ka_pub" allowed-ips 10.9.0.2/32,fd09::2/128 >"$TMP/own.out" 2>&1; then
		pass "$tag:own-key-peer-accepted"
	else
		fail "$tag:own-key-peer-accepted" "wg set failed: $(head -c 200 "$TMP/own.out")"
	fi
	local peers; peers=$(nsx a wg show "$A" peers | tr '\n' ' ')
	[[ $peers != *"$ka_pub"* ]] && [ "$(wc -w <<<"$peers")" -eq 2 ] && pass "$tag:own-key-peer-absent" \
		|| fail "$tag:own-key-peer-absent" "peers: $peers"
	local aips; aips=$(peer_field a "$A" "$kb_pub" allowed-ips)
	[ "$aips" = "10.9.0.0/24 fd09::/64" ] && pass "$tag:own-key-peer-took-nothing" \
		|| fail "$tag:own-key-peer-took-nothing" "B's allowed-ips now '$aips'"
	check "$tag:own-key-peer-traffic-still-flows" nsx b ping -c 2 -i 0.2 -W 1 -I 10.9.0.2 10.9.0.1
	[ $FAILS -gt $fails0 ] && { show_log "$A" 8; show_log "$B" 5; }
	teardown
}

scenario wgrouter wgrouter
scenario wgrouter wireguard-go
scenario wireguard-go wgrouter
finish
