#!/usr/bin/env bash
# Issue 14, deliverable 2: the troubleshooting tools on running daemons. Four
# namespaces in a row, each link its own TEST-NET range (and 2001:db8:N::/64):
#   a (wgrouter) -- r1 (wgrouter) -- r2 (wgrouter) -- h (a host)
# r1 and r2 forward (the daemons turn forwarding on; routes through their consoles).
# /tool/traceroute from a to h shows r1, r2 and h (ICMP and UDP, IPv4 and IPv6);
# /tool/torch on r2's interface shows a running iperf3's flow (paced at 1 Gbit/s, so that
# the capture thread and iperf3 sharing two cores do not change the rate measured)
# at iperf3's own rate;
# torch on a WireGuard interface of our own data plane (a TUN device) sees the tunnel's ICMPv6;
# /tool/sniffer writes a pcap that tcpdump -r reads with the packets sent;
# /tool/netwatch runs its down-script when h goes away and its up-script when it is back.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP $TESTNAME (needs root)"; exit 0; }
for n in a r1 r2 h; do mkns $n; done
link a eth0 r1 eth0 192.0.2.1/24 192.0.2.2/24 2001:db8:1::1/64 2001:db8:1::2/64
link r1 eth1 r2 eth0 198.51.100.1/24 198.51.100.2/24 2001:db8:2::1/64 2001:db8:2::2/64
link r2 eth1 h eth0 203.0.113.1/24 203.0.113.2/24 2001:db8:3::1/64 2001:db8:3::2/64
nsx h ip route add default via 203.0.113.1
nsx h ip -6 route add default via 2001:db8:3::1

# a's own hosts file and resolver (ip netns exec mounts /etc/netns/NAME/* over /etc): the
# names traceroute use-dns=yes finds; no DNS query leaves the namespace
ETCNS=/etc/netns/$(ns a)
mkdir -p "$ETCNS" && printf '198.51.100.2 r2.example.net\n' >"$ETCNS/hosts" && printf 'nameserver 127.0.0.1\n' >"$ETCNS/resolv.conf"
chmod 644 "$ETCNS/hosts" "$ETCNS/resolv.conf"

DAEMONS=(a r1 r2)
stop_daemons() { local n p; for n in "${DAEMONS[@]}"; do p=$(cat "$TMP/$n/wgrouter.pid" 2>/dev/null) && kill "$p" 2>/dev/null; done; sleep 0.3; }
trap 'stop_daemons; rm -rf "$ETCNS"; cleanup' EXIT
for n in "${DAEMONS[@]}"; do
	nsx $n "$WGR" daemon --state-dir "$TMP/$n" --uapi-dir "$TMP/run-$n" || { fail "daemon_starts_$n"; finish; }
done
pass daemons_start
cli() { local n=$1; shift; (cd "$TMP" && nsx "$n" "$WGR" cli --state-dir "$TMP/$n" "$@"); }
script() { (cd "$TMP" && nsx "$1" "$WGR" cli --state-dir "$TMP/$1"); }

script a <<'X' >/dev/null
/ip/route/add dst-address=0.0.0.0/0 gateway=192.0.2.2
/ipv6/route/add dst-address=::/0 gateway=2001:db8:1::2
X
script r1 <<'X' >/dev/null
/ip/route/add dst-address=203.0.113.0/24 gateway=198.51.100.2
/ipv6/route/add dst-address=2001:db8:3::/64 gateway=2001:db8:2::2
X
script r2 <<'X' >/dev/null
/ip/route/add dst-address=192.0.2.0/24 gateway=198.51.100.1
/ipv6/route/add dst-address=2001:db8:1::/64 gateway=2001:db8:2::1
X
check routed_through_both wait_for 10 nsx a ping -c1 -W1 203.0.113.2

# ---- traceroute ----
# hops_are FILE ADDR1 ADDR2 ADDR3: the last table's rows 1..3 name these addresses, 0% loss
hops_are() {
	local f=$1; shift
	awk -v a1="$1" -v a2="$2" -v a3="$3" '
		/^Columns:/ { n = 0; delete row; next }
		/^ *[0-9]+  / { row[$1] = $2 " " $3; n = $1 }
		END { exit !(n == 3 && row[1] == a1 " 0%" && row[2] == a2 " 0%" && row[3] == a3 " 0%") }' "$f"
}
cli a /tool/traceroute 203.0.113.2 count=3 >"$TMP/tr4" 2>&1
check traceroute_icmp_shows_both_hops_and_target hops_are "$TMP/tr4" 192.0.2.2 198.51.100.2 203.0.113.2
check traceroute_three_tables test "$(grep -c '^Columns: ADDRESS, LOSS, SENT, LAST, AVG, BEST, WORST, STD-DEV, STATUS' "$TMP/tr4")" = 3
check traceroute_sent_counts awk '/^ *3  / { s = $4 } END { exit s != 3 }' "$TMP/tr4"
cli a /tool/traceroute address=203.0.113.2 protocol=udp count=2 >"$TMP/tru" 2>&1
check traceroute_udp hops_are "$TMP/tru" 192.0.2.2 198.51.100.2 203.0.113.2
cli a /tool/traceroute 2001:db8:3::2 count=2 >"$TMP/tr6" 2>&1
check traceroute_ipv6_icmp hops_are "$TMP/tr6" 2001:db8:1::2 2001:db8:2::2 2001:db8:3::2
cli a /tool/traceroute 2001:db8:3::2 count=1 protocol=udp >"$TMP/tr6u" 2>&1
check traceroute_ipv6_udp hops_are "$TMP/tr6u" 2001:db8:1::2 2001:db8:2::2 2001:db8:3::2
cli a /tool/traceroute 203.0.113.2 count=1 use-dns=yes >"$TMP/trdns" 2>&1
check traceroute_use_dns hops_are "$TMP/trdns" 192.0.2.2 r2.example.net 203.0.113.2
# a hop that does not answer: the target gone, hops beyond r2 time out
cli a /tool/traceroute 203.0.113.77 count=1 max-hops=4 timeout=300ms >"$TMP/trx" 2>&1
check traceroute_timeout_rows awk '/^ *4  / && /100%/ && /timeout/ { ok = 1 } END { exit !ok }' "$TMP/trx"
fails_with() { local want=$1; shift; ! cli "$@" >"$TMP/out" 2>&1 && grep -q -- "$want" "$TMP/out"; }
check traceroute_bad_protocol fails_with "invalid value for argument protocol" a /tool/traceroute 192.0.2.2 protocol=tcp
check traceroute_bad_count fails_with "invalid value for argument count" a /tool/traceroute 192.0.2.2 count=0
# ---- torch ----
# bps TEXT: RouterOS's rate text (12.3Mbps, 1.2Gbps, 800bps) in bits/s
bps() { awk -v v="$1" 'BEGIN { m = 1; if (v ~ /Gbps$/) m = 1e9; else if (v ~ /Mbps$/) m = 1e6; else if (v ~ /kbps$/) m = 1e3; sub(/[kMG]?bps$/, "", v); printf "%.0f\n", v * m }'; }
nsx h iperf3 -s -1 >/dev/null 2>&1 &
PIDS+=($!)
sleep 0.5
nsx a iperf3 -c 203.0.113.2 -t 6 -b 1G -J >"$TMP/iperf.json" 2>&1 &
ipc=$!
sleep 1
cli r2 /tool/torch interface=eth1 src-address=0.0.0.0/0 dst-address=0.0.0.0/0 port=any duration=4s >"$TMP/torch" 2>&1
wait $ipc
iperf_bps=$($PY -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' "$TMP/iperf.json" 2>/dev/null || echo 0)
# the mean TX of the iperf3 flow's rows (192.0.2.1 -> 203.0.113.2:5201) over the frames
torch_bps=0; frames=0
while read -r tx; do torch_bps=$((torch_bps + $(bps "$tx"))); frames=$((frames + 1)); done < <(awk '$1 == "192.0.2.1" && $3 == "203.0.113.2" && $4 == "5201" { print $5 }' "$TMP/torch")
[ "$frames" -gt 0 ] && torch_bps=$((torch_bps / frames))
echo "# torch: iperf3 $iperf_bps bit/s, torch $torch_bps bit/s over $frames frames"
check torch_frames_each_second test "$frames" -ge 3
check torch_rate_within_25_percent_of_iperf3 awk -v t="$torch_bps" -v i="$iperf_bps" 'BEGIN { exit !(i > 0 && t > 0.75 * i && t < 1.25 * i) }'
check torch_columns grep -q '^Columns: SRC-ADDRESS, SRC-PORT, DST-ADDRESS, DST-PORT, TX, RX, TX-PACKETS, RX-PACKETS' "$TMP/torch"
# no property: only the totals
cli r2 /tool/torch eth1 duration=1s >"$TMP/torch0" 2>&1
check torch_totals_only sh -c "grep -q '^Columns: TX, RX, TX-PACKETS, RX-PACKETS' '$TMP/torch0' && grep -Eq '^ +[0-9.]+[kMG]?bps +[0-9.]+[kMG]?bps' '$TMP/torch0'"
check torch_no_interface fails_with "no such interface" r2 /tool/torch interface=nosuch0 duration=1s
check torch_bad_port fails_with "invalid value for argument port" r2 /tool/torch eth1 port=70000
# ---- sniffer ----
script r2 <<'X' >/dev/null
/tool/sniffer/set filter-interface=eth1 filter-ip-address=203.0.113.2/32 filter-ip-protocol=icmp file-name=cap.pcap
X
check sniffer_start cli r2 /tool/sniffer/start
check sniffer_print_running sh -c "cd '$TMP' && ip netns exec '$(ns r2)' '$WGR' cli --state-dir '$TMP/r2' /tool/sniffer/print | grep -q 'running: yes'"
nsx a ping -c 5 -i 0.2 -s 321 203.0.113.2 >/dev/null 2>&1
nsx a ping -c 2 -i 0.2 -s 321 198.51.100.2 >/dev/null 2>&1 # not to the filtered address
check sniffer_stop cli r2 /tool/sniffer/stop
check sniffer_stopped sh -c "cd '$TMP' && ip netns exec '$(ns r2)' '$WGR' cli --state-dir '$TMP/r2' /tool/sniffer/print | grep -q 'running: no'"
tcpdump -n -r "$TMP/r2/files/cap.pcap" >"$TMP/cap.txt" 2>"$TMP/cap.err"
echo "# sniffer: $(wc -l <"$TMP/cap.txt") packets in cap.pcap"
check sniffer_file_read_by_tcpdump test -s "$TMP/cap.txt"
check sniffer_file_has_requests test "$(grep -c '192.0.2.1 > 203.0.113.2: ICMP echo request.*length 329' "$TMP/cap.txt")" = 5
check sniffer_file_has_replies test "$(grep -c '203.0.113.2 > 192.0.2.1: ICMP echo reply.*length 329' "$TMP/cap.txt")" = 5
check sniffer_file_only_filtered test "$(grep -vc '203.0.113.2' "$TMP/cap.txt")" = 0
check sniffer_file_0600 test "$(stat -c %a "$TMP/r2/files/cap.pcap")" = 600
check sniffer_file_listed sh -c "cd '$TMP' && ip netns exec '$(ns r2)' '$WGR' cli --state-dir '$TMP/r2' /file/print | grep -q cap.pcap"
check sniffer_save cli r2 /tool/sniffer/save file-name=mem.pcap
check sniffer_saved_memory test "$(tcpdump -n -r "$TMP/r2/files/mem.pcap" 2>/dev/null | grep -c 'ICMP echo')" = 10
check sniffer_bad_filter fails_with "invalid value for argument filter-port" r2 /tool/sniffer/set filter-port=http,99999
check sniffer_bad_file fails_with "invalid value for argument file-name" r2 /tool/sniffer/set file-name=../x
# file-limit: the capture stops at the limit (10 KiB) with the file within it
script r2 <<'X' >/dev/null
/tool/sniffer/set filter-ip-address="" filter-ip-protocol="" file-name=small.pcap file-limit=10
/tool/sniffer/start
X
nsx a ping -c 30 -i 0.01 -s 1000 203.0.113.2 >/dev/null 2>&1
check sniffer_file_limit_stops sh -c "cd '$TMP' && ip netns exec '$(ns r2)' '$WGR' cli --state-dir '$TMP/r2' /tool/sniffer/print | grep -q 'running: no'"
check sniffer_file_within_limit test "$(stat -c %s "$TMP/r2/files/small.pcap")" -le 10240
# quick: packets as they pass
(sleep 0.5; nsx a ping -c 3 -i 0.2 203.0.113.2 >/dev/null 2>&1) &
cli r2 /tool/sniffer/quick interface=eth1 ip-protocol=icmp duration=2s >"$TMP/quick" 2>&1
check sniffer_quick_rows test "$(grep -Ec '^eth1 .* -> +192.0.2.1 +203.0.113.2 +ip:icmp' "$TMP/quick")" = 3
check sniffer_quick_replies test "$(grep -Ec '^eth1 .* <- +203.0.113.2 +192.0.2.1 +ip:icmp' "$TMP/quick")" = 3
# ---- netwatch ----
logged() { cli "$1" /log/print | grep -c -- "$2"; }
at_least() { [ "$(logged "$1" "$2")" -ge "$3" ]; }
nw_status() { cli a /tool/netwatch/print where host=203.0.113.2 | grep -Eq "203\.0\.113\.2 +simple +1s +300ms +$1 "; }
script a <<'X' >/dev/null
/tool/netwatch/add host=203.0.113.2 interval=1s timeout=300ms up-script=":log info nw-up-h; :put \"put-by-up-script\"" down-script=":log info nw-down-h" comment=h
/tool/netwatch/add host=203.0.113.2 type=tcp-conn port=9 interval=1s timeout=300ms down-script=":log info nw-tcp-refused"
X
check netwatch_up_script wait_for 10 at_least a "script,info nw-up-h\|nw-up-h" 1
check netwatch_status_up wait_for 5 nw_status up
check netwatch_script_output_logged wait_for 5 at_least a "netwatch 203.0.113.2 up-script: put-by-up-script" 1
check netwatch_tcp_refused_is_down wait_for 10 at_least a nw-tcp-refused 1
nsx h ip link set eth0 down
check netwatch_down_script wait_for 10 at_least a nw-down-h 1
check netwatch_status_down wait_for 5 nw_status down
check netwatch_change_logged at_least a "netwatch: 203.0.113.2 is down" 1
nsx h ip link set eth0 up
nsx h ip route replace default via 203.0.113.1
check netwatch_up_again wait_for 15 at_least a nw-up-h 2
check netwatch_since_shown sh -c "cd '$TMP' && ip netns exec '$(ns a)' '$WGR' cli --state-dir '$TMP/a' /tool/netwatch/print detail | grep -Eq 'since=\"?[0-9]{4}-'"
check netwatch_bad_interval fails_with "interval must be between" a /tool/netwatch/add host=192.0.2.2 interval=100ms
check netwatch_bad_host fails_with "invalid value for argument host" a /tool/netwatch/add host=not-an-ip
check netwatch_exported sh -c "cd '$TMP' && ip netns exec '$(ns a)' '$WGR' cli --state-dir '$TMP/a' /export | grep -q 'add comment=h down-script'"
# ---- torch on a WireGuard interface of our own data plane (a TUN device) ----
WG=$(ifn t)
for n in r1 r2; do cli $n /interface/wireguard/add name="$WG" listen-port=51900 >/dev/null; done
cli r1 /ipv6/address/add address=2001:db8:99::1/64 interface="$WG" >/dev/null
cli r2 /ipv6/address/add address=2001:db8:99::2/64 interface="$WG" >/dev/null
pub1=$(cli r1 ":put [/interface/wireguard/get $WG public-key]")
pub2=$(cli r2 ":put [/interface/wireguard/get $WG public-key]")
cli r1 /interface/wireguard/peers/add interface="$WG" public-key="$pub2" endpoint-address=198.51.100.2 endpoint-port=51900 allowed-address=2001:db8:99::2/128 >/dev/null
cli r2 /interface/wireguard/peers/add interface="$WG" public-key="$pub1" endpoint-address=198.51.100.1 endpoint-port=51900 allowed-address=2001:db8:99::1/128 >/dev/null
check tunnel_up wait_for 10 nsx r1 ping -6 -c1 -W1 2001:db8:99::2
(nsx r1 ping -6 -c 20 -i 0.1 2001:db8:99::2 >/dev/null 2>&1 &)
cli r2 /tool/torch "$WG" ip-protocol=any src-address6=::/0 duration=2s >"$TMP/torch_wg" 2>&1
check torch_on_wireguard_tun grep -Eq '^58 \(ipv6-icmp\) +2001:db8:99::2 +[0-9.]+[kM]?bps +[0-9.]+[kM]?bps +[1-9]' "$TMP/torch_wg"

# ---- the same commands through REST (POST /rest/tool/...): rows as JSON ----
if command -v curl >/dev/null; then
	cli a '/user/add name=op group=full password="s3cret-op"' >/dev/null && cli a '/ip/service/set www disabled=no' >/dev/null
	rest() { nsx a curl -s -m 20 -u op:s3cret-op -X POST -H 'Content-Type: application/json' --data "$2" "http://192.0.2.1/rest/$1"; }
	rest tool/traceroute '{"address":"203.0.113.2","count":"1"}' >"$TMP/rest_tr"
	check rest_traceroute_rows $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [r["address"] for r in d] == ["192.0.2.2","198.51.100.2","203.0.113.2"], d' "$TMP/rest_tr"
	rest tool/torch '{"interface":"eth0","duration":"1s"}' >"$TMP/rest_torch"
	check rest_torch_rows $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d and d[-1]["total"] == "yes" and "tx" in d[-1], d' "$TMP/rest_torch"
fi

# ---- long commands: Ctrl-C ends them, other consoles are answered meanwhile ----
# (ip netns exec execs the cli: $! is the cli itself)
ip netns exec "$(ns r2)" "$WGR" cli --state-dir "$TMP/r2" /tool/torch eth1 >"$TMP/torch_int" 2>&1 &
tp=$!
sleep 1.5
check console_answers_during_torch timeout 1 ip netns exec "$(ns r2)" "$WGR" cli --state-dir "$TMP/r2" /system/identity/print
kill -INT $tp
rc=0; t0=$(date +%s%N)
wait $tp || rc=$?
echo "# torch ended $(( ($(date +%s%N) - t0) / 1000000 )) ms after Ctrl-C"
check torch_ctrl_c_exits_130 test "$rc" -eq 130
check torch_printed_before_ctrl_c grep -q '^Columns: TX, RX' "$TMP/torch_int"
ip netns exec "$(ns a)" "$WGR" cli --state-dir "$TMP/a" /tool/traceroute 203.0.113.2 count=100 >"$TMP/tr_int" 2>&1 &
tp=$!
sleep 2.5
kill -INT $tp
rc=0
wait $tp || rc=$?
check traceroute_ctrl_c_exits_130 test "$rc" -eq 130
check traceroute_ctrl_c_after_some_rounds test "$(grep -c '^Columns:' "$TMP/tr_int")" -ge 2
# a script on stdin: torch without duration= prints one table and ends
echo '/tool/torch eth1' | timeout 5 ip netns exec "$(ns r2)" "$WGR" cli --state-dir "$TMP/r2" >"$TMP/torch_batch" 2>&1
check torch_in_script_bounded test "$(grep -c '^Columns:' "$TMP/torch_batch")" = 1
finish
