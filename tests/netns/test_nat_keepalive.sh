#!/usr/bin/env bash
# Peers behind a NAT (nftables masquerade, UDP conntrack timeouts lowered to 3 s inside the
# NAT namespace) talking to a server that has no endpoint configured for them:
#   c1: wgrouter,     persistent keepalive 1 s
#   c2: wgrouter,     no keepalive (control: its mapping must expire)
#   c3: wireguard-go, persistent keepalive 1 s (reference)
# After 5 s of silence the server can still ping c1 and c3 through the tunnel, and cannot
# reach c2. The keepalives seen by the server are 32-byte messages, about one a second.
#
#   c1 ─┐
#   c2 ─┼─ nat (masquerade on wan) ── wan ── s (wgrouter, 203.0.113.2:51820)
#   c3 ─┘
. "$(dirname "$0")/lib.sh"

IDLE=5 # seconds of silence; the NAT forgets an idle UDP mapping after 3

mkns s; mkns nat
link nat wan s eth0 203.0.113.1/24 203.0.113.2/24
nsx nat sysctl -qw net.ipv4.ip_forward=1
nsx nat nft -f - <<'EOF'
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "wan" masquerade
	}
}
EOF
# the conntrack sysctls exist in the namespace once conntrack is in use there
if ! nsx nat sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3 net.netfilter.nf_conntrack_udp_timeout_stream=3; then
	fail setup "cannot lower the conntrack UDP timeouts in the NAT namespace"; finish
fi

S=$(ifn s)
start_wg wgrouter s "$S" || { fail start-s; finish; }
genkeys ks; echo "$ks_priv" >"$TMP/s.key"
nsx s wg set "$S" private-key "$TMP/s.key" listen-port 51820
nsx s ip addr add 10.8.0.1/24 dev "$S"
nsx s ip link set "$S" mtu 1420 up

declare -A IMPL=([1]=wgrouter [2]=wgrouter [3]=wireguard-go) KA=([1]=1 [2]=0 [3]=1) PUB=()
for i in 1 2 3; do
	mkns "c$i"
	link "c$i" eth0 nat "lan$i" "198.51.100.$((4 * i + 2))/30" "198.51.100.$((4 * i + 1))/30"
	nsx "c$i" ip route add default via "198.51.100.$((4 * i + 1))"
	C=$(ifn "c$i")
	start_wg "${IMPL[$i]}" "c$i" "$C" || { fail "start-c$i"; finish; }
	genkeys kc; echo "$kc_priv" >"$TMP/c$i.key"; PUB[$i]=$kc_pub
	nsx s wg set "$S" peer "$kc_pub" allowed-ips "10.8.0.1$i/32"
	nsx "c$i" wg set "$C" private-key "$TMP/c$i.key" listen-port 51820 \
		peer "$ks_pub" endpoint 203.0.113.2:51820 persistent-keepalive "${KA[$i]}" allowed-ips 10.8.0.0/24
	nsx "c$i" ip addr add "10.8.0.1$i/24" dev "$C"
	nsx "c$i" ip link set "$C" mtu 1420 up
done

# The clients open the tunnel; the server learns the NAT's public address as endpoint.
for i in 1 2 3; do
	if nsx "c$i" ping -c 1 -W 3 10.8.0.1 >/dev/null; then pass "c$i-${IMPL[$i]}:client-ping"
	else fail "c$i-${IMPL[$i]}:client-ping"; show_log "$(ifn "c$i")"; fi
	ep=$(peer_field s "$S" "${PUB[$i]}" endpoints)
	[[ $ep == 203.0.113.1:* ]] && pass "c$i:endpoint-is-nat" || fail "c$i:endpoint-is-nat" "server shows '$ep'"
done
# While the mappings are fresh, the server reaches every client (the control is sound).
for i in 1 2 3; do
	check "c$i-${IMPL[$i]}:server-ping-fresh" nsx s ping -c 1 -W 2 "10.8.0.1$i"
done

declare -A RX0
for i in 1 2 3; do RX0[$i]=$(peer_field s "$S" "${PUB[$i]}" transfer | awk '{print $1}'); done
sleep "$IDLE"
declare -A RX1
for i in 1 2 3; do RX1[$i]=$(peer_field s "$S" "${PUB[$i]}" transfer | awk '{print $1}'); done

# After the silence, the server pings all three at once.
for i in 1 2 3; do
	nsx s ping -c 2 -i 0.5 -W 1 "10.8.0.1$i" >"$TMP/ping$i.out" 2>&1 &
	pid[$i]=$!
done
for i in 1 2 3; do rc[$i]=0; wait "${pid[$i]}" || rc[$i]=$?; done

for i in 1 3; do
	tag="c$i-${IMPL[$i]}-keepalive"
	[ "${rc[$i]}" -eq 0 ] && pass "$tag:server-reaches-client" \
		|| { fail "$tag:server-reaches-client" "$(grep -m1 'packet loss' "$TMP/ping$i.out")"; show_log "$(ifn "c$i")" 8; }
	# `wg show transfer` prints rx in bytes here (no unit for the dump-like column form)
	d=$(( ${RX1[$i]:-0} - ${RX0[$i]:-0} ))
	n=$(( d / 32 ))
	echo "  c$i: the server received $d bytes in ${IDLE} s of silence"
	if [ $((d % 32)) -eq 0 ] && [ $n -ge $((IDLE - 2)) ] && [ $n -le $((IDLE + 1)) ]; then
		pass "$tag:keepalives-received"
	else
		fail "$tag:keepalives-received" "server received $d bytes from c$i in ${IDLE}s of silence, expected a multiple of 32, about $IDLE keepalives"
	fi
done
tag="c2-wgrouter-no-keepalive"
[ "${rc[2]}" -ne 0 ] && pass "$tag:mapping-expired" || fail "$tag:mapping-expired" "the server still reached c2: the NAT mapping did not expire, the test proves nothing"
d=$(( ${RX1[2]:-0} - ${RX0[2]:-0} ))
[ "$d" -eq 0 ] && pass "$tag:silent" || fail "$tag:silent" "server received $d bytes from c2 while it should be silent"
finish
