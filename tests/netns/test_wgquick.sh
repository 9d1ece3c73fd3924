#!/usr/bin/env bash
# wg-quick up / down with WG_QUICK_USERSPACE_IMPLEMENTATION=.../build/wgrouter-userspace,
# run inside a namespace (no WireGuard kernel module there: wg-quick falls back to the
# userspace program, which must daemonize). The config has Address (v4 and v6),
# ListenPort, PrivateKey and a [Peer] with PresharedKey, PersistentKeepalive, AllowedIPs
# and Endpoint; the peer is wireguard-go in another namespace. After `up`: the interface
# is configured as written, the keepalive opens the tunnel by itself, ICMP (v4, v6) and
# TCP pass both ways. After `down` (Debian's wg-quick deletes the device): interface,
# socket and process are gone. Twice, the second `up` right after the first `down`.
# Then a full tunnel (AllowedIPs 0.0.0.0/0, ::/0: fwmark and policy routing, so SO_MARK
# must work), and the daemon stopping on SIGTERM / SIGINT.
. "$(dirname "$0")/lib.sh"

mkns q; mkns p
link q eth0 p eth0 192.0.2.1/24 192.0.2.2/24 2001:db8::1/64 2001:db8::2/64
Q=$(ifn q) P=$(ifn p)
start_wg wireguard-go p "$P" || { fail start-wireguard-go; finish; }
genkeys kq; genkeys kp
echo "$kp_priv" >"$TMP/p.key"; wg genpsk >"$TMP/psk"
nsx p wg set "$P" private-key "$TMP/p.key" listen-port 51821 \
	peer "$kq_pub" preshared-key "$TMP/psk" allowed-ips 10.7.0.1/32,fd07::1/128
nsx p ip addr add 10.7.0.2/24 dev "$P"; nsx p ip addr add fd07::2/64 dev "$P" nodad
nsx p ip link set "$P" mtu 1420 up

CONF="$TMP/$Q.conf" # wg-quick takes the interface name from the file name
cat >"$CONF" <<EOF
[Interface]
Address = 10.7.0.1/24, fd07::1/64
ListenPort = 51820
PrivateKey = $kq_priv

[Peer]
PublicKey = $kp_pub
PresharedKey = $(cat "$TMP/psk")
PersistentKeepalive = 2
AllowedIPs = 10.7.0.2/32, fd07::2/128
Endpoint = 192.0.2.2:51821
EOF

# Output goes to a file, never to a pipe: with LOG_LEVEL set the daemon keeps wg-quick's
# stdout/stderr for its log (as wireguard-go does), so a pipe would never see EOF.
wgq() { nsx q env LOG_LEVEL=verbose WG_QUICK_USERSPACE_IMPLEMENTATION="$ROOT/build/wgrouter-userspace" timeout 20 wg-quick "$@"; }
daemon_pid() { # the wgrouter process in namespace q (the same file: in a chroot the
	local p      # exe link of a process started by `ip netns exec` names the host's path)
	for p in $(ip netns pids "$(ns q)"); do
		[ "/proc/$p/exe" -ef "$WGR" ] && { echo "$p"; return 0; }
	done
	return 1
}
conf_line() { grep -c -x -F "$1" "$TMP/showconf"; }

cycle() {
	local c=$1
	local out rc=0
	wgq up "$CONF" >"$TMP/up.$c.log" 2>&1 || rc=$?
	out=$(cat "$TMP/up.$c.log")
	if [ $rc -ne 0 ]; then
		fail "$c:up" "wg-quick up exit $rc: $(tail -3 <<<"$out" | tr '\n' ' ')"; return
	fi
	pass "$c:up"
	grep -q 'Falling back to slow userspace implementation' <<<"$out" && grep -q "wgrouter-userspace $Q" <<<"$out" \
		&& pass "$c:used-wgrouter-userspace" || fail "$c:used-wgrouter-userspace" "$(head -4 <<<"$out" | tr '\n' ' ')"
	local pid; pid=$(daemon_pid)
	[ -n "$pid" ] && pass "$c:daemon-running" || fail "$c:daemon-running" "no wgrouter process in the namespace"
	[ -S "/var/run/wireguard/$Q.sock" ] && pass "$c:socket" || fail "$c:socket" "no /var/run/wireguard/$Q.sock"
	local l; l=$(nsx q ip -o link show "$Q")
	[[ $l == *"mtu 1420"* && $l == *",UP"* ]] && pass "$c:link-up-mtu1420" || fail "$c:link-up-mtu1420" "$l"
	local a; a=$(nsx q ip -o addr show dev "$Q")
	[[ $a == *"10.7.0.1/24"* && $a == *"fd07::1/64"* ]] && pass "$c:addresses" || fail "$c:addresses" "$a"
	# the configuration as written
	nsx q wg showconf "$Q" >"$TMP/showconf" 2>&1
	local want ok=1
	for want in "ListenPort = 51820" "PrivateKey = $kq_priv" "PublicKey = $kp_pub" \
		"PresharedKey = $(cat "$TMP/psk")" "PersistentKeepalive = 2" "Endpoint = 192.0.2.2:51821"; do
		[ "$(conf_line "$want")" = 1 ] || { ok=0; fail "$c:showconf" "missing '$want'"; }
	done
	grep -q -x 'AllowedIPs = \(10.7.0.2/32, fd07::2/128\|fd07::2/128, 10.7.0.2/32\)' "$TMP/showconf" || { ok=0; fail "$c:showconf" "AllowedIPs: $(grep AllowedIPs "$TMP/showconf")"; }
	[ $ok = 1 ] && pass "$c:showconf"
	# PersistentKeepalive opens the tunnel with no traffic: the peer sees a handshake
	if wait_for 4 bash -c "[ \"\$(ip netns exec $(ns p) wg show $P latest-handshakes | awk '\$1==\"$kq_pub\"{print \$2}')\" -gt 0 ]"; then
		pass "$c:keepalive-handshake"
	else
		fail "$c:keepalive-handshake" "no handshake seen by the peer within 4 s"
	fi
	check "$c:ping4" nsx q ping -c 2 -i 0.2 -W 2 10.7.0.2
	check "$c:ping6" nsx q ping -6 -c 2 -i 0.2 -W 2 fd07::2
	check "$c:ping4-from-peer" nsx p ping -c 2 -i 0.2 -W 2 10.7.0.1
	check "$c:ping6-from-peer" nsx p ping -6 -c 2 -i 0.2 -W 2 fd07::1
	nsx p iperf3 -s -1 -D -B 10.7.0.2 >/dev/null 2>&1; sleep 0.3
	check "$c:tcp" nsx q iperf3 -c 10.7.0.2 -t 1 --connect-timeout 2000

	rc=0; wgq down "$CONF" >"$TMP/down.$c.log" 2>&1 || rc=$?
	local t0; t0=$(date +%s%N)
	# a watcher notes when the process is gone (checked by `exits` later), started at once
	# so that the checks below (slow on a loaded machine) do not count
	if [ -n "$pid" ]; then
		echo "$pid" >"$TMP/pid.$c"
		( for _ in $(seq 250); do alive "$pid" || break; sleep 0.02; done
		  alive "$pid" || echo $(( ($(date +%s%N) - t0) / 1000000 )) >"$TMP/exit.$c" ) &
		PIDS+=($!)
	fi
	out=$(cat "$TMP/down.$c.log")
	[ $rc -eq 0 ] && pass "$c:down" || fail "$c:down" "wg-quick down exit $rc: $(tail -3 <<<"$out" | tr '\n' ' ')"
	nsx q ip link show "$Q" >/dev/null 2>&1 && fail "$c:down-link-gone" "$Q still exists" || pass "$c:down-link-gone"
	if wait_for 3 bash -c "[ ! -e /var/run/wireguard/$Q.sock ]"; then pass "$c:down-socket-gone"
	else fail "$c:down-socket-gone" "/var/run/wireguard/$Q.sock still there 3 s after down"; fi
}

# exits CYCLE: the process of that cycle was gone within 1 s of `down` (wg-quick deleted
# the device under it; wireguard-go leaves at once)
exits() {
	local c=$1 pid ms
	[ -f "$TMP/pid.$c" ] || return 0
	pid=$(cat "$TMP/pid.$c")
	wait_for 6 test -f "$TMP/exit.$c"
	ms=$(cat "$TMP/exit.$c" 2>/dev/null)
	if [ -n "$ms" ] && [ "$ms" -le 1000 ]; then
		echo "  $c: wgrouter exited $ms ms after wg-quick down returned"
		pass "$c:down-process-exits"
	elif [ -n "$ms" ]; then
		fail "$c:down-process-exits" "wgrouter exited only $ms ms after wg-quick down returned"
	else
		fail "$c:down-process-exits" "wgrouter (pid $pid) still running 5 s after down, $(ps -o %cpu= -p "$pid" | tr -d ' ')% CPU, in $(cat /proc/$pid/wchan 2>/dev/null)"
		# what it was doing meanwhile (its log is the up log: it kept wg-quick's stderr)
		echo "    | $(wc -l <"$TMP/up.$c.log") log lines; most frequent:"
		cut -d' ' -f5- "$TMP/up.$c.log" | sort | uniq -c | sort -rn | head -3 | sed 's/^/    | /'
		kill "$pid" 2>/dev/null
	fi
	rm -f "/var/run/wireguard/$Q.sock"
}

# Without wg-quick: the daemon (no -f) stops cleanly on SIGTERM and SIGINT, removing its
# socket and its device.
signal_stop() {
	local sig=$1 D; D=$(ifn "d$sig")
	nsx q "$ROOT/build/wgrouter-userspace" "$D" >"$TMP/$D.log" 2>&1
	local rc=$? pid="" p
	wait_for 3 test -S "/var/run/wireguard/$D.sock"
	for p in $(ip netns pids "$(ns q)"); do
		[[ $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) == *" $D "* ]] && pid=$p
	done
	if [ $rc -ne 0 ] || [ -z "$pid" ] || ! nsx q ip link show "$D" >/dev/null 2>&1; then
		fail "daemon-$sig:start" "exit $rc, pid '$pid'"; return
	fi
	pass "daemon-$sig:start"
	kill "-$sig" "$pid"
	wait_for 3 eval "! alive $pid" && pass "daemon-$sig:exits" || { fail "daemon-$sig:exits" "still running 3 s after SIG$sig"; kill -9 "$pid"; }
	[ ! -e "/var/run/wireguard/$D.sock" ] && pass "daemon-$sig:socket-removed" || fail "daemon-$sig:socket-removed"
	nsx q ip link show "$D" >/dev/null 2>&1 && fail "daemon-$sig:device-gone" || pass "daemon-$sig:device-gone"
}

# Full tunnel (AllowedIPs = 0.0.0.0/0, ::/0): wg-quick sets fwmark 51820 on the interface
# and policy routing (not fwmark 51820 -> table 51820 -> the tunnel; main without its
# default route). The peer's endpoint, 198.51.100.2, is reached through q's default route
# (via the peer's eth0), so the outer packets only escape the tunnel if wgrouter marks
# its UDP sockets (SO_MARK); everything else that uses the default route (the peer's
# 198.51.100.2 and 2001:db8:1::2 themselves, for ping) goes through the tunnel.
full_tunnel() {
	local F; F=$(ifn qf)
	nsx p ip addr add 198.51.100.2/32 dev lo; nsx p ip addr add 2001:db8:1::2/128 dev lo
	nsx q ip route add default via 192.0.2.2; nsx q ip -6 route add default via 2001:db8::2
	cat >"$TMP/$F.conf" <<EOF
[Interface]
Address = 10.7.0.1/24, fd07::1/64
PrivateKey = $kq_priv

[Peer]
PublicKey = $kp_pub
PresharedKey = $(cat "$TMP/psk")
AllowedIPs = 0.0.0.0/0, ::/0
Endpoint = 198.51.100.2:51821
EOF
	local rc=0
	nsx q env WG_QUICK_USERSPACE_IMPLEMENTATION="$ROOT/build/wgrouter-userspace" timeout 20 \
		wg-quick up "$TMP/$F.conf" >"$TMP/up.full.log" 2>&1 || rc=$?
	[ $rc -eq 0 ] && pass "full-tunnel:up" || { fail "full-tunnel:up" "exit $rc: $(tail -3 "$TMP/up.full.log" | tr '\n' ' ')"; return; }
	local fw; fw=$(nsx q wg show "$F" fwmark)
	[ "$fw" = 0xca6c ] && pass "full-tunnel:fwmark" || fail "full-tunnel:fwmark" "wg show fwmark: '$fw'"
	nsx q ip rule | grep -q 'not from all fwmark 0xca6c lookup 51820' && pass "full-tunnel:policy-rules" \
		|| fail "full-tunnel:policy-rules" "$(nsx q ip rule | tr '\n' ' ')"
	local rx0; rx0=$(peer_field p "$P" "$kq_pub" transfer | awk '{print $1}')
	check "full-tunnel:ping-peer-tunnel-address" nsx q ping -c 2 -i 0.2 -W 3 10.7.0.2
	# the routing wg-quick set up: unmarked -> tunnel, marked (wgrouter's UDP) -> eth0
	local r1 r2
	r1=$(nsx q ip route get 198.51.100.2 2>&1 | head -1)
	r2=$(nsx q ip route get 198.51.100.2 mark 0xca6c 2>&1 | head -1)
	[[ $r1 == *"dev $F"* && $r2 == *"dev eth0"* ]] && pass "full-tunnel:routing" \
		|| fail "full-tunnel:routing" "unmarked: $r1; marked: $r2"
	check "full-tunnel:ping-via-default-route" nsx q ping -c 2 -i 0.2 -W 3 198.51.100.2
	check "full-tunnel:ping6-via-default-route" nsx q ping -6 -c 2 -i 0.2 -W 3 2001:db8:1::2
	local rx1; rx1=$(peer_field p "$P" "$kq_pub" transfer | awk '{print $1}')
	[ $(( ${rx1:-0} - ${rx0:-0} )) -ge $((6 * 96)) ] && pass "full-tunnel:pings-went-through-tunnel" \
		|| fail "full-tunnel:pings-went-through-tunnel" "the peer received $(( ${rx1:-0} - ${rx0:-0} )) bytes from q"
	rc=0
	nsx q env WG_QUICK_USERSPACE_IMPLEMENTATION="$ROOT/build/wgrouter-userspace" timeout 20 \
		wg-quick down "$TMP/$F.conf" >"$TMP/down.full.log" 2>&1 || rc=$?
	[ $rc -eq 0 ] && pass "full-tunnel:down" || fail "full-tunnel:down" "exit $rc: $(tail -3 "$TMP/down.full.log" | tr '\n' ' ')"
	nsx q ip rule | grep -q 51820 && fail "full-tunnel:down-rules-gone" "$(nsx q ip rule | tr '\n' ' ')" || pass "full-tunnel:down-rules-gone"
	wait_for 3 bash -c "[ ! -e /var/run/wireguard/$F.sock ]" && pass "full-tunnel:down-socket-gone" \
		|| { fail "full-tunnel:down-socket-gone"; rm -f "/var/run/wireguard/$F.sock"; }
}

cycle first
# up again at once, while the first process may still be on its way out (same port)
cycle second
exits first
exits second
full_tunnel
signal_stop TERM
signal_stop INT
finish
