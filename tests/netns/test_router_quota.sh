#!/usr/bin/env bash
# Quotas, expiry and rate limits of peers (issue 15) with real traffic: a client
# (wgrouter userspace) pings through the router's tunnel until its daily quota is
# crossed, the router disables the peer and the pings stop; an expiry a few seconds
# ahead disables the peer at its time; max-rate holds a UDP flood (iperf3) in table
# inet wgrouter_rates, which goes when the daemon stops.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP $TESTNAME (needs root)"; exit 0; }
command -v iperf3 >/dev/null || { echo "SKIP $TESTNAME (needs iperf3)"; exit 0; }
. "$(dirname "$0")/lib_router_client.sh"
router_and_client "quota-total=300k quota-period=day"
prop() { cli ":put [/interface/wireguard/peers/get phone $1]"; }
pings() { nsx c ping -c "$1" -i 0.05 -s 1000 -W 1 10.88.0.1; }

# ---- quota: 100 pings of 1 kB each way are ~210 kB; 200 more cross 300k ----
check under_quota_pings pings 100
check under_quota_enabled test "$(prop disabled)" = no
pings 200 >/dev/null
check quota_crossed_disables wait_for 5 bash -c "[ \"\$(ip netns exec $(ns r) $WGR cli --state-dir $S ':put [/interface/wireguard/peers/get phone disabled]')\" = yes ]"
check quota_exceeded_until_midnight bash -c "[ \"$(prop quota-exceeded)\" = \"$(date -d tomorrow +%Y-%m-%d) 00:00:00\" ]"
check quota_logged bash -c "cli() { (cd $TMP && ip netns exec $(ns r) $WGR cli --state-dir $S \"\$@\"); }; cli /log/print | grep -q 'phone: quota-total 300k reached'"
check kernel_peer_removed bash -c "! ip netns exec $(ns r) wg show $WG peers | grep -q '$cl_pub'"
check traffic_stops_over_quota bash -c "! ip netns exec $(ns c) ping -c 3 -i 0.2 -W 1 10.88.0.1"

# ---- expiry: a few seconds ahead, the peer enabled by hand meanwhile ----
EXP=$(date -d '+6 seconds' '+%Y-%m-%d %H:%M:%S')
cli "/interface/wireguard/peers/set phone !quota-total disabled=no expires=\"$EXP\""
client_peer
check before_expiry_pings pings 3
check before_expiry_enabled test "$(prop disabled)" = no
check expired_disables wait_for 10 bash -c "[ \"\$(ip netns exec $(ns r) $WGR cli --state-dir $S ':put [/interface/wireguard/peers/get phone disabled]')\" = yes ]"
check expired_not_early bash -c "[ \$(date +%s) -ge \$(date -d '$EXP' +%s) ]"
check traffic_stops_after_expiry bash -c "! ip netns exec $(ns c) ping -c 3 -i 0.2 -W 1 10.88.0.1"

# ---- max-rate: a 40 Mbit/s UDP flood from the client is held near 4 Mbit/s ----
cli "/interface/wireguard/peers/set phone !expires disabled=no max-rate=4M/4M"
client_peer
pings 2 >/dev/null
check rates_table_has_the_limits bash -c "ip netns exec $(ns r) nft list table inet wgrouter_rates | grep -q 'rate over 500000 bytes/second'"
nsx r iperf3 -s -1 -B 10.88.0.1 -D --logfile "$TMP/iperf3-s.log"
sleep 0.5
nsx c iperf3 -c 10.88.0.1 -u -b 40M -t 3 -l 1000 -J >"$TMP/iperf.json" 2>&1
RECV=$("$PY" -c "import json; d=json.load(open('$TMP/iperf.json')); print(int(d['end']['sum']['bits_per_second'] * (1 - d['end']['sum']['lost_percent'] / 100)))" 2>/dev/null)
# an upper bound only: a loaded machine can only make it lower
check max_rate_holds_udp_flood bash -c "[ -n '$RECV' ] && [ '$RECV' -lt 8000000 ] && [ '$RECV' -gt 0 ]"
check max_rate_in_export bash -c "cli() { (cd $TMP && ip netns exec $(ns r) $WGR cli --state-dir $S \"\$@\"); }; cli /export | grep -q 'max-rate=4M/4M'"
stop_daemon; gone
check rates_table_removed_at_stop bash -c "! ip netns exec $(ns r) nft list table inet wgrouter_rates"
finish
