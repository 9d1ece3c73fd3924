#!/usr/bin/env bash
# /tool/bandwidth-test against /tool/bandwidth-server, MikroTik's btest protocol, between
# two wgrouter daemons (own state and UAPI directories) through a WireGuard tunnel: TCP
# transmit, receive (4 connections) and both, UDP transmit and receive at a set speed.
# Each figure (total average of the final block) must lie within 25% of iperf3's through
# the same tunnel, measured just before it (TCP on one connection, as iperf3's one
# stream; UDP at the same offered rate); on a busy machine (iperf3 is one thread, the
# test a thread per direction) a pair that misses is measured again, three times at most.
# A wrong password fails with "authentication failed"; both daemons keep answering
# their consoles while a test runs, and the server lists the session.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP $TESTNAME (needs root)"; exit 0; }
command -v iperf3 >/dev/null || { echo "SKIP $TESTNAME (needs iperf3)"; exit 0; }

SA=$TMP/sa; SB=$TMP/sb
WA=$(ifn x); WB=$(ifn y)
cli() { local n=$1 s=$2; shift 2; (cd "$TMP" && nsx "$n" "$WGR" cli --state-dir "$s" "$@"); }
A() { cli a "$SA" "$@"; }
B() { cli b "$SB" "$@"; }

mkns a; mkns b
link a "$(ifn a)" b "$(ifn b)" 192.0.2.1/24 192.0.2.2/24 2001:db8::1/64 2001:db8::2/64
nsx a "$WGR" daemon --state-dir "$SA" --uapi-dir "$TMP/ua" || { fail daemon_a_starts; finish; }
nsx b "$WGR" daemon --state-dir "$SB" --uapi-dir "$TMP/ub" || { fail daemon_b_starts; finish; }
genkeys ka; genkeys kb
A "/interface/wireguard/add name=$WA listen-port=51820 private-key=\"$ka_priv\"" &&
	A "/ip/address/add address=10.99.0.1/24 interface=$WA" &&
	A "/interface/wireguard/peers/add interface=$WA public-key=\"$kb_pub\" allowed-address=10.99.0.2/32" &&
	B "/interface/wireguard/add name=$WB listen-port=51820 private-key=\"$kb_priv\"" &&
	B "/ip/address/add address=10.99.0.2/24 interface=$WB" &&
	B "/interface/wireguard/peers/add interface=$WB public-key=\"$ka_pub\" allowed-address=10.99.0.1/32 endpoint-address=192.0.2.1 endpoint-port=51820 persistent-keepalive=25s"
check tunnel_configured test $? -eq 0
check tunnel_carries_ping wait_for 10 nsx b ping -c 1 -W 1 10.99.0.1

# ---- the server: off by default, on with a user that has a btest-password ----
check server_off_by_default bash -c "! nsx a ss -ltn 2>/dev/null | grep -q ':2000 '"
A '/user/add name=bt group=full password="login-pw" btest-password="bt-secret"' &&
	A '/tool/bandwidth-server/set enabled=yes'
check server_enabled test $? -eq 0
check server_listens wait_for 5 bash -c "ip netns exec $(ns a) ss -ltn | grep -q ':2000 '"
check btest_password_never_shown bash -c "! { A /user/print detail; A /export show-sensitive; } | grep -q bt-secret"
check btest_password_in_state_file grep -q bt-secret "$SA/config.state" "$SA/config.journal"

# ---- helpers: iperf3 and bandwidth-test figures in bit/s ----
nsx a iperf3 -s -B 10.99.0.1 -p 5201 -D --logfile "$TMP/iperf3.log"
nsx a iperf3 -s -B 10.99.0.1 -p 5202 -D --logfile "$TMP/iperf3b.log"
wait_for 5 bash -c "ip netns exec $(ns a) ss -ltn | grep -q ':5202 '"
# iperf_json FILE: the receiver's bits per second of one iperf3 -J run
iperf_json() {
	"$PY" - "$1" <<'PYEOF'
import json, sys
e = json.load(open(sys.argv[1]))["end"]
if "sum_received" in e:
    print(int(e["sum_received"]["bits_per_second"]))
else:
    print(int(e["sum"]["bits_per_second"] * (1 - e["sum"].get("lost_percent", 0) / 100)))
PYEOF
}
# iperf ARGS...: the receiver's bits per second; "both": a forward and a reverse run at
# once (iperf3's own --bidir runs both in one thread, which the CPU limits first)
iperf() {
	if [ "${1:-}" = both ]; then
		nsx b iperf3 -c 10.99.0.1 -p 5201 -t 4 -J >"$TMP/ip.json" 2>/dev/null &
		nsx b iperf3 -c 10.99.0.1 -p 5202 -t 4 -J -R >"$TMP/ip2.json" 2>/dev/null
		wait $!
		echo $(( $(iperf_json "$TMP/ip.json") + $(iperf_json "$TMP/ip2.json") ))
		return
	fi
	nsx b iperf3 -c 10.99.0.1 -p 5201 -t 4 -J "$@" >"$TMP/ip.json" 2>/dev/null
	iperf_json "$TMP/ip.json"
}
# bits FIELD...: the named figures of the final block, summed, in bit/s
bits() {
	local f total=0 v
	for f in "$@"; do
		v=$(awk -v f="$f:" '$1 == f {x = $2} END {print x}' "$TMP/bt.out")
		total=$("$PY" -c "
import re, sys
m = re.fullmatch(r'([0-9.]+)(G|M|k|)bps', sys.argv[1]) if sys.argv[1] else None
print(int($total + float(m.group(1)) * {'G': 1e9, 'M': 1e6, 'k': 1e3, '': 1}[m.group(2)]) if m else -1)" "$v")
		[ "$total" -ge 0 ] || { echo -1; return; }
	done
	echo "$total"
}
btest() { B "/tool/bandwidth-test address=10.99.0.1 user=bt password=bt-secret duration=4s $*" >"$TMP/bt.out" 2>&1; }
within() { "$PY" -c "import sys; a, b = int(sys.argv[1]), int(sys.argv[2]); sys.exit(0 if b > 0 and abs(a - b) <= 0.25 * b else 1)" "$1" "$2"; }
mbps() { "$PY" -c "import sys; print('%.1f' % (int(sys.argv[1]) / 1e6))" "$1"; }
# compare NAME "IPERF ARGS" "BTEST ARGS" FIELDS...: measured twice at most
compare() {
	local name=$1 iargs=$2 bargs=$3 try ip bt; shift 3
	for try in 1 2 3; do
		ip=$(iperf $iargs); btest "$bargs"; bt=$(bits "$@")
		within "$bt" "$ip" && break
	done
	echo "FIGURE $name: bandwidth-test $(mbps "$bt") Mbit/s, iperf3 $(mbps "$ip") Mbit/s"
	if within "$bt" "$ip" && grep -q 'status: done testing' "$TMP/bt.out"; then pass "$name"; else
		fail "$name" "btest $bt iperf3 $ip: $(tail -4 "$TMP/bt.out" | tr '\n' ' ')"; fi
}

compare tcp_transmit_like_iperf3 "" "protocol=tcp direction=transmit tcp-connection-count=1" tx-total-average
compare tcp_receive_like_iperf3 "-R" "protocol=tcp direction=receive tcp-connection-count=1" rx-total-average
btest "protocol=tcp direction=receive tcp-connection-count=4"
R4=$(bits rx-total-average)
echo "FIGURE tcp_receive_4_connections: bandwidth-test $(mbps "$R4") Mbit/s"
check tcp_receive_on_4_connections bash -c "grep -q 'connection-count: 4' '$TMP/bt.out' && grep -q 'status: done testing' '$TMP/bt.out' && [ '$R4' -gt 0 ]"
compare tcp_both_like_iperf3 "both" "protocol=tcp direction=both tcp-connection-count=1" tx-total-average rx-total-average
compare udp_transmit_like_iperf3 "-u -b 40M -l 1472" "protocol=udp direction=transmit local-tx-speed=40M" tx-total-average
compare udp_receive_like_iperf3 "-u -R -b 40M -l 1472" "protocol=udp direction=receive remote-tx-speed=40M" rx-total-average
check udp_receive_counts_lost_packets grep -q 'lost-packets: [0-9]' "$TMP/bt.out"
check status_block_fields bash -c "grep -q 'tx-10-second-average\|rx-10-second-average' '$TMP/bt.out' && grep -q 'local-cpu-load: [0-9]*%' '$TMP/bt.out' && grep -q 'direction: receive' '$TMP/bt.out'"

# ---- speeds asked of TCP, random data, IPv6 (over the link, not the tunnel) ----
btest "protocol=tcp direction=transmit tcp-connection-count=2 local-tx-speed=50M random-data=yes"
T=$(bits tx-total-average)
echo "FIGURE tcp_local_tx_speed_50M: bandwidth-test $(mbps "$T") Mbit/s"
within "$T" 50000000 && grep -q 'random-data: yes' "$TMP/bt.out"
check tcp_local_tx_speed_held test $? -eq 0
btest "protocol=tcp direction=receive tcp-connection-count=1 remote-tx-speed=30M"
T=$(bits rx-total-average)
echo "FIGURE tcp_remote_tx_speed_30M: bandwidth-test $(mbps "$T") Mbit/s"
check tcp_remote_tx_speed_held within "$T" 30000000
B "/tool/bandwidth-test address=2001:db8::1 user=bt password=bt-secret duration=2s protocol=udp direction=both local-tx-speed=10M remote-tx-speed=10M" >"$TMP/bt.out" 2>&1
T=$(bits tx-total-average rx-total-average)
echo "FIGURE udp_both_ipv6_10M_each: bandwidth-test $(mbps "$T") Mbit/s"
check udp_both_over_ipv6 within "$T" 20000000

# ---- wrong password, user without a btest-password ----
B "/tool/bandwidth-test address=10.99.0.1 user=bt password=wrong duration=2s" >"$TMP/bad.out" 2>&1
check wrong_password_fails bash -c "[ $? -ne 0 ] && grep -q 'authentication failed' '$TMP/bad.out'"
A '/user/add name=nobt group=full password="login-pw"'
B "/tool/bandwidth-test address=10.99.0.1 user=nobt password=login-pw duration=2s" >"$TMP/bad.out" 2>&1
check login_password_is_not_btest_password grep -q 'authentication failed' "$TMP/bad.out"
A /log/print >"$TMP/log.out"
check login_failure_logged grep -q 'login failure for user nobt' "$TMP/log.out"

# ---- consoles answer while a test runs; the server lists it ----
B "/tool/bandwidth-test address=10.99.0.1 user=bt password=bt-secret protocol=tcp direction=both duration=6s" >"$TMP/long.out" 2>&1 &
LONG=$!
sleep 2
fast() { local t0; t0=$(date +%s%N); "$@" >/dev/null || return 1; [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 1500 ]; }
check client_console_answers_during_test fast B /system/identity/print
check server_console_answers_during_test fast A /interface/wireguard/print
A /tool/bandwidth-server/session/print >"$TMP/sessions.out"
check server_lists_session grep -q '10.99.0.2 .*tcp *both' "$TMP/sessions.out"
wait "$LONG"
check long_test_done grep -q 'status: done testing' "$TMP/long.out"
check duration_in_whole_seconds bash -c "grep 'duration:' '$TMP/long.out' | tail -1 | grep -qE 'duration: [0-9]+s$'"
check daemons_still_up bash -c "kill -0 \$(cat '$SA/wgrouter.pid') && kill -0 \$(cat '$SB/wgrouter.pid')"

# ---- the same command through REST and the RouterOS API (one row per block) ----
if command -v curl >/dev/null && "$PY" -c 'import librouteros' 2>/dev/null; then
	B '/user/add name=ops group=full password="ops-pw"' && B '/ip/service/set www disabled=no' &&
		B '/ip/service/set api disabled=no'
	wait_for 5 bash -c "ip netns exec $(ns b) ss -ltn | grep -q ':8728 '"
	nsx b curl -s -m 30 -u ops:ops-pw -X POST http://192.0.2.2/rest/tool/bandwidth-test \
		-H 'Content-Type: application/json' --data '{"address":"10.99.0.1","protocol":"tcp","direction":"receive",
		"duration":"2s","tcp-connection-count":"2","user":"bt","password":"bt-secret"}' >"$TMP/rest.json"
	check rest_rows_end_done_testing "$PY" -c "
import json, sys
rows = json.load(open(sys.argv[1]))
assert isinstance(rows, list) and len(rows) >= 2, rows
assert rows[-1]['status'] == 'done testing' and rows[-1]['rx-total-average'].endswith('bps'), rows[-1]
assert rows[-1]['connection-count'] == '2'" "$TMP/rest.json"
	cat >"$TMP/api.py" <<'PYEOF'
import sys, librouteros
from librouteros.exceptions import TrapError
api = librouteros.connect(host="192.0.2.2", username="ops", password="ops-pw", timeout=30)
tool = api.path("tool")
rows = list(tool("bandwidth-test", address="10.99.0.1", protocol="udp", direction="transmit",
		 duration="2s", **{"local-tx-speed": "10M", "user": "bt", "password": "bt-secret"}))
assert rows and rows[-1]["status"] == "done testing", rows
try:
	list(tool("bandwidth-test", address="10.99.0.1", duration="2s", user="bt", password="nope"))
	sys.exit("wrong password accepted")
except TrapError as e:
	assert "authentication failed" in str(e), e
print("ok")
PYEOF
	check api_rows_and_trap bash -c "ip netns exec $(ns b) '$PY' '$TMP/api.py' | grep -qx ok"
else
	echo "SKIP $TESTNAME:rest_and_api (needs curl and python3-librouteros)"
fi

# ---- no duration: runs until Ctrl-C, then the last block ----
(cd "$TMP" && exec ip netns exec "$(ns b)" "$WGR" cli --state-dir "$SB" \
	"/tool/bandwidth-test address=10.99.0.1 user=bt password=bt-secret protocol=tcp tcp-connection-count=1") >"$TMP/int.out" 2>&1 &
INT=$!
sleep 3
kill -INT "$INT"
wait_for 5 bash -c "! kill -0 $INT 2>/dev/null"
check ctrl_c_ends_with_done_testing bash -c "grep -q 'status: running' '$TMP/int.out' && tail -16 '$TMP/int.out' | grep -q 'status: done testing'"

# ---- max-sessions: a second test at once is refused (not as a wrong password) ----
A '/tool/bandwidth-server/set max-sessions=1'
sleep 1 # the server restarts with the new setting
B "/tool/bandwidth-test address=10.99.0.1 user=bt password=bt-secret protocol=udp local-tx-speed=1M direction=transmit duration=4s" >"$TMP/one.out" 2>&1 &
ONE=$!
sleep 1.5
B "/tool/bandwidth-test address=10.99.0.1 user=bt password=bt-secret duration=2s" >"$TMP/two.out" 2>&1
check second_session_refused bash -c "grep -q 'failure: the server closed the connection' '$TMP/two.out' && ! grep -q 'authentication failed' '$TMP/two.out'"
wait "$ONE"
check first_session_unharmed grep -q 'status: done testing' "$TMP/one.out"

# ---- server off again: the port is closed ----
A '/tool/bandwidth-server/set enabled=no'
check server_disabled_closes_port wait_for 5 bash -c "! ip netns exec $(ns a) ss -ltn | grep -q ':2000 '"
finish
