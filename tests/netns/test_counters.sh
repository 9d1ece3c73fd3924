#!/usr/bin/env bash
# Exact byte counters. Fixed ping runs go through a tunnel; after each run the change of
# `wg show IF transfer` on both sides must equal what the kernel counted on the TUN
# devices, converted to WireGuard messages:
#   an inner packet of L bytes travels as 16 + P + 16 bytes, P = roundup16(L) capped at
#   the interface MTU; a handshake initiation is 148 bytes, a response 92, a keepalive 32.
# The first ping also carries the handshake (A initiates): A sends 148, B sends 92.
# Runs: IPv4 and IPv6 inner, both directions, small and near-MTU sizes (padding capped at
# the MTU), and again after an MTU change at run time. The same runs go through
# wgrouter<->wgrouter, wgrouter<->wireguard-go and wireguard-go<->wireguard-go: the
# formula is the one both implementations use, and their numbers must agree.
. "$(dirname "$0")/lib.sh"

# msg L MTU: the size of the transport message carrying an inner packet of L bytes
msg() { local l=$1 mtu=$2 p; p=$(( (l + 15) / 16 * 16 )); [ $p -gt "$mtu" ] && p=$mtu; echo $((32 + p)); }

# snap NS IF PUB: "wg_rx wg_tx tun_rx_packets tun_rx_bytes tun_tx_packets tun_tx_bytes"
# (TUN tx = inner packets the kernel handed to the implementation, rx = packets it wrote)
snap() {
	local d=/sys/class/net/$2/statistics
	nsx "$1" sh -c "wg show '$2' transfer | awk '\$1 == \"$3\" { printf \"%s %s \", \$2, \$3 }';
		cat $d/rx_packets $d/rx_bytes $d/tx_packets $d/tx_bytes" | tr '\n' ' '
}

# expect_side TAG SIDE BEFORE AFTER MTU EXTRA_RX EXTRA_TX: the counters of one side moved
# by exactly the messages that carried the inner packets the TUN counted (+ handshakes).
expect_side() {
	local tag=$1 side=$2 mtu=$5 xrx=$6 xtx=$7
	local b=($3) a=($4)
	local wrx=$((a[0] - b[0])) wtx=$((a[1] - b[1]))
	local rpk=$((a[2] - b[2])) rby=$((a[3] - b[3])) tpk=$((a[4] - b[4])) tby=$((a[5] - b[5]))
	local erx=$xrx etx=$xtx
	# every run uses one packet size per direction: the sizes follow from the counts
	if [ $rpk -gt 0 ]; then
		[ $((rby % rpk)) -eq 0 ] || { fail "$tag:$side" "TUN rx: $rby bytes in $rpk packets are not all one size (stray traffic)"; return; }
		erx=$((erx + rpk * $(msg $((rby / rpk)) "$mtu")))
	fi
	if [ $tpk -gt 0 ]; then
		[ $((tby % tpk)) -eq 0 ] || { fail "$tag:$side" "TUN tx: $tby bytes in $tpk packets are not all one size (stray traffic)"; return; }
		etx=$((etx + tpk * $(msg $((tby / tpk)) "$mtu")))
	fi
	if [ "$wrx" = "$erx" ] && [ "$wtx" = "$etx" ]; then
		pass "$tag:$side"
	else
		fail "$tag:$side" "wg rx/tx +$wrx/+$wtx, expected +$erx/+$etx from TUN rx $rpk pkts $rby B, tx $tpk pkts $tby B"
	fi
	RESULT+=" $side:$wrx/$wtx"
}

# run TAG FROM(a|b) MTU EXTRA(a_rx a_tx b_rx b_tx) PING-ARGS...: one fixed ping run
run() {
	local tag=$1 from=$2 mtu=$3 xar=$4 xat=$5 xbr=$6 xbt=$7; shift 7
	local sa sb; sa=$(snap a "$A" "$kb_pub"); sb=$(snap b "$B" "$ka_pub")
	local to=10.9.0.2; [ "$from" = b ] && to=10.9.0.1
	[[ " $* " == *" -6 "* ]] && to=fd09::${to##*.}
	local out; out=$(nsx "$from" ping -q "$@" "$to" 2>&1)
	local rcvd; rcvd=$(sed -n 's/.*, \([0-9]*\) received.*/\1/p' <<<"$out")
	local want; want=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$out")
	# the counters follow from what the TUN devices counted, lost or late replies included:
	# the run only has to get through (a loaded machine may make ping give up on one)
	if [ "${rcvd:-0}" -eq 0 ]; then fail "$PAIR:$tag:ping" "$(tail -2 <<<"$out" | tr '\n' ' ')"
	elif [ "$rcvd" != "$want" ]; then echo "  note: $PAIR:$tag: ping got $rcvd of $want replies"; fi
	RESULT="$tag"
	expect_side "$PAIR:$tag" a "$sa" "$(snap a "$A" "$kb_pub")" "$mtu" "$xar" "$xat"
	expect_side "$PAIR:$tag" b "$sb" "$(snap b "$B" "$ka_pub")" "$mtu" "$xbr" "$xbt"
	echo "$RESULT" >>"$TMP/results.$PAIR"
}

pair() {
	local ia=$1 ib=$2
	PAIR="$ia-$ib"
	mkns a; mkns b
	link a eth0 b eth0 192.0.2.1/24 192.0.2.2/24 2001:db8::1/64 2001:db8::2/64
	A=$(ifn a) B=$(ifn b)
	start_wg "$ia" a "$A" || { fail "$PAIR:start-a"; teardown; return; }
	start_wg "$ib" b "$B" || { fail "$PAIR:start-b"; teardown; return; }
	genkeys ka; genkeys kb
	echo "$ka_priv" >"$TMP/a.key"; echo "$kb_priv" >"$TMP/b.key"
	nsx a wg set "$A" private-key "$TMP/a.key" listen-port 51820 peer "$kb_pub" endpoint 192.0.2.2:51821 allowed-ips 10.9.0.2/32,fd09::2/128
	nsx b wg set "$B" private-key "$TMP/b.key" listen-port 51821 peer "$ka_pub" endpoint 192.0.2.1:51820 allowed-ips 10.9.0.1/32,fd09::1/128
	local n
	for n in a b; do
		local dev; dev=$(ifn $n)
		# no link-local address: no router solicitations or other stray packets on the TUN
		nsx $n ip link set "$dev" addrgenmode none mtu 1420
		nsx $n ip addr add "10.9.0.$([ $n = a ] && echo 1 || echo 2)/24" dev "$dev"
		nsx $n ip addr add "fd09::$([ $n = a ] && echo 1 || echo 2)/64" dev "$dev" nodad
		nsx $n ip link set "$dev" up
	done
	# the two sides start from zero
	local t; t=$(peer_field a "$A" "$kb_pub" transfer; peer_field b "$B" "$ka_pub" transfer)
	[ "$(echo $t)" = "0 0 0 0" ] || fail "$PAIR:zero-at-start" "transfer: $(echo $t)"

	# ping payload -s S: inner IPv4 length S+28, IPv6 S+48
	#   TAG         FROM MTU  extra bytes: A rx, A tx, B rx, B tx      ping arguments
	run handshake    a 1420   92 148 148 92   -c 1 -W 3 -s 56
	run v4-84        a 1420   0 0 0 0         -f -c 10 -W 3 -s 56
	run v4-28-b      b 1420   0 0 0 0         -f -c 10 -W 3 -s 0
	run v4-1028      a 1420   0 0 0 0         -f -c 10 -W 3 -s 1000
	run v4-1408      b 1420   0 0 0 0         -f -c 10 -W 3 -s 1380
	run v4-1420-cap  a 1420   0 0 0 0         -f -c 10 -W 3 -s 1392
	run v6-49        a 1420   0 0 0 0         -6 -f -c 10 -W 3 -s 1
	run v6-148-b     b 1420   0 0 0 0         -6 -f -c 10 -W 3 -s 100
	run v6-1412-cap  a 1420   0 0 0 0         -6 -f -c 10 -W 3 -s 1364
	# a smaller MTU at run time: padding is capped at the new one
	nsx a ip link set "$A" mtu 1412; nsx b ip link set "$B" mtu 1412
	sleep 0.3
	run mtu1412-v4-1400      a 1412 0 0 0 0   -f -c 10 -W 3 -s 1372
	run mtu1412-v4-1410-cap  b 1412 0 0 0 0   -f -c 10 -W 3 -s 1382
	run mtu1412-v6-1412-cap  a 1412 0 0 0 0   -6 -f -c 10 -W 3 -s 1364
	teardown
}

pair wgrouter wgrouter
pair wgrouter wireguard-go
pair wireguard-go wgrouter
pair wireguard-go wireguard-go

# The same runs give the same numbers with every pairing.
ref="$TMP/results.wireguard-go-wireguard-go"
for p in wgrouter-wgrouter wgrouter-wireguard-go wireguard-go-wgrouter; do
	if [ -f "$ref" ] && [ -f "$TMP/results.$p" ] && diff "$ref" "$TMP/results.$p" >"$TMP/diff" 2>&1; then
		pass "$p:same-as-wireguard-go"
	else
		fail "$p:same-as-wireguard-go" "$(grep '^[<>]' "$TMP/diff" 2>/dev/null | head -4 | tr '\n' ' ')"
	fi
done
finish
