#!/usr/bin/env bash
# wgrouter against wireguard-go (Debian's) and against itself: each side initiating,
# with and without PSK, IPv4 and IPv6 outer transport, IPv4 and IPv6 inner traffic,
# ICMP and TCP (iperf3).
. "$(dirname "$0")/lib.sh"

# pair IMPL_A IMPL_B OUTER(4|6) PSK(yes|no) INITIATOR(a|b)
pair() {
	local ia=$1 ib=$2 outer=$3 psk=$4 init=$5
	local tag="${ia}-${ib}-v${outer}-psk${psk}-init${init}${TAG_SUFFIX:-}"
	mkns a; mkns b
	link a eth0 b eth0 192.0.2.1/24 192.0.2.2/24 2001:db8::1/64 2001:db8::2/64
	local A B; A=$(ifn a) B=$(ifn b)
	start_wg "$ia" a "$A" || { fail "$tag:start-a"; return; }
	start_wg "$ib" b "$B" || { fail "$tag:start-b"; return; }
	genkeys ka; genkeys kb
	(umask 077; echo "$ka_priv" >"$TMP/a.key"; echo "$kb_priv" >"$TMP/b.key")
	local pskopt=()
	if [ "$psk" = yes ]; then (umask 077; wg genpsk >"$TMP/psk"); pskopt=(preshared-key "$TMP/psk"); fi
	local epa epb
	if [ "$outer" = 6 ]; then epa="[2001:db8::1]:51820"; epb="[2001:db8::2]:51821"; else epa=192.0.2.1:51820; epb=192.0.2.2:51821; fi
	# Only the initiating side knows the other's endpoint: the other learns it.
	local ea=() eb=()
	[ "$init" = a ] && ea=(endpoint "$epb")
	[ "$init" = b ] && eb=(endpoint "$epa")
	nsx a wg set "$A" private-key "$TMP/a.key" listen-port 51820 peer "$kb_pub" "${pskopt[@]}" "${ea[@]}" allowed-ips 10.9.0.2/32,fd09::2/128
	nsx b wg set "$B" private-key "$TMP/b.key" listen-port 51821 peer "$ka_pub" "${pskopt[@]}" "${eb[@]}" allowed-ips 10.9.0.1/32,fd09::1/128
	nsx a ip addr add 10.9.0.1/24 dev "$A"; nsx a ip addr add fd09::1/64 dev "$A" nodad
	nsx b ip addr add 10.9.0.2/24 dev "$B"; nsx b ip addr add fd09::2/64 dev "$B" nodad
	nsx a ip link set "$A" mtu 1420 up; nsx b ip link set "$B" mtu 1420 up
	if [ "$init" = a ]; then
		check "$tag:ping4" nsx a ping -c 3 -i 0.2 -W 2 10.9.0.2
		check "$tag:ping6" nsx a ping -6 -c 3 -i 0.2 -W 2 fd09::2
	else
		check "$tag:ping4" nsx b ping -c 3 -i 0.2 -W 2 10.9.0.1
		check "$tag:ping6" nsx b ping -6 -c 3 -i 0.2 -W 2 fd09::1
	fi
	nsx b iperf3 -s -1 -D -B 10.9.0.2 >/dev/null 2>&1
	sleep 0.3
	if nsx a iperf3 -c 10.9.0.2 -t 2 -J >"$TMP/iperf.json" 2>&1; then
		local bps; bps=$("$PY" -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' "$TMP/iperf.json" 2>/dev/null || echo 0)
		echo "  $tag: iperf3 $((bps / 1000000)) Mbit/s"
		[ "$bps" -gt 1000000 ] && pass "$tag:tcp" || fail "$tag:tcp" "$bps bit/s"
	else
		fail "$tag:tcp" "iperf3 failed"
	fi
	# The handshake is visible in wg show on both sides.
	check "$tag:handshake-shown" bash -c "nsx() { ip netns exec $(ns a) \"\$@\"; }; [ \$(wg show $A latest-handshakes | awk '{print \$2}') -gt 0 ]"
	for p in $(ip netns pids "$(ns a)") $(ip netns pids "$(ns b)"); do kill "$p" 2>/dev/null; done
	sleep 0.3
	ip netns del "$(ns a)"; ip netns del "$(ns b)"
	NSLIST=()
}

pair wgrouter wgrouter 4 no a
pair wgrouter wgrouter 6 yes b
# The same with the packet crypto shared between each thread and two helpers (the
# default on machines with more than two CPUs): every batch is sealed and opened on
# several threads while each peer's order is kept.
WGROUTER_CRYPTO_HELPERS=2 TAG_SUFFIX=-helpers2 pair wgrouter wgrouter 4 yes a
pair wgrouter wireguard-go 4 yes a
pair wgrouter wireguard-go 4 no b
pair wireguard-go wgrouter 6 no a
pair wireguard-go wgrouter 6 yes b
finish
