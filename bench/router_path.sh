#!/usr/bin/env bash
# The router's real path (issue 17, item 4): a LAN host behind a wgrouter router, through
# the seeds' firewall, the tunnel, to a road-warrior client; one TCP stream each.
#
#   l (LAN host 10.0.10.2) --lan-- r (wgrouter daemon: lan 10.0.10.1/24, wan 192.0.2.1/24,
#   wg-remote 10.200.200.1/24) --wan-- c (road warrior: wgrouter userspace 10.200.200.2,
#   192.0.2.2)
#
# The router is configured through `wgrouter cli` with seed 000's road warrior and its
# firewall: interface lists WAN (wan) and LAN (lan), input accept for established/related
# and WireGuard's UDP port from WAN, forward accept established/related, drop invalid,
# WG -> HOME, LAN -> wg-remote, default drop; NAT: seed 001's masquerade (road warriors to
# WAN) and a masquerade of the LAN behind 10.200.200.1 on wg-remote (the one this flow
# takes: every connection is NATed). In the same run:
#   e2e          iperf3 from the router's own namespace to the client (endpoint to endpoint)
#   lan+fw       LAN host -> client through the firewall above
#   lan          the same with every filter and NAT rule removed
#   lan+fasttrack  the firewall plus `action=fasttrack-connection connection-state=
#                established,related` at the top of the forward chain (the seed's rule
#                without its LAN-to-LAN interface lists, which this flow would not match)
# For each: Gbit/s, the machine's CPU-seconds per GB (all CPUs busy time, /proc/stat), the
# router process's, and packets through the LAN interface; the firewall's cost per packet
# is the difference in the machine's CPU per packet against "lan".
# Usage: bench/router_path.sh. PATH_T (10) seconds per test. Prints markdown.
# A benchmark: it reports what it measured and never fails on a figure.
. "$(dirname "$0")/common.sh"
PT=${PATH_T:-10}
need_bins
S=$TMP/state
cli() { nsx r "$WGR" cli --state-dir "$S" "$@"; }
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; } # user nice system irq softirq
rxp() { nsx r cat /sys/class/net/lan/statistics/rx_packets; }

mkns l && mkns r && mkns c || exit 1
ip link add lan netns "$(ns r)" type veth peer name eth0 netns "$(ns l)" || exit 1
ip link add wan netns "$(ns r)" type veth peer name eth0 netns "$(ns c)" || exit 1
for n in l c; do nsx "$n" ip link set eth0 up; done
nsx r ip link set lan up; nsx r ip link set wan up
nsx l ip addr add 10.0.10.2/24 dev eth0; nsx l ip route add default via 10.0.10.1
nsx c ip addr add 192.0.2.2/24 dev eth0

nsx r "$WGR" daemon --state-dir "$S" --uapi-dir "$TMP/run" || exit 1
RPRIV=$(wg genkey); RPUB=$(echo "$RPRIV" | wg pubkey)
CPRIV=$(wg genkey); CPUB=$(echo "$CPRIV" | wg pubkey)
cli >/dev/null <<EOF || { note "router_path: configuration failed"; exit 1; }
/interface wireguard add name=wg-remote listen-port=51820 private-key="$RPRIV"
/ip address add address=192.0.2.1/24 interface=wan
/ip address add address=10.0.10.1/24 interface=lan
/ip address add address=10.200.200.1/24 interface=wg-remote
/interface wireguard peers add interface=wg-remote public-key="$CPUB" allowed-address=10.200.200.2/32 comment="Road warrior"
/interface list add name=WAN
/interface list add name=LAN
/interface list member add list=WAN interface=wan
/interface list member add list=LAN interface=lan
EOF
firewall() {
	cli >/dev/null <<'EOF'
/ip firewall filter add chain=input connection-state=established,related action=accept comment="accept established,related"
/ip firewall filter add chain=input protocol=udp dst-port=51820 in-interface-list=WAN action=accept comment="Allow WireGuard UDP"
/ip firewall filter add chain=forward connection-state=established,related action=accept comment="accept established,related"
/ip firewall filter add chain=forward connection-state=invalid action=drop comment="drop invalid"
/ip firewall filter add chain=forward src-address=10.200.200.0/24 dst-address=10.0.10.0/24 action=accept comment="WG -> HOME"
/ip firewall filter add chain=forward in-interface-list=LAN out-interface=wg-remote action=accept comment="LAN -> road warriors"
/ip firewall filter add chain=forward action=drop comment="Default drop forward"
/ip firewall nat add chain=srcnat src-address=10.200.200.0/24 out-interface-list=WAN action=masquerade comment="Road warriors to the internet"
/ip firewall nat add chain=srcnat src-address=10.0.10.0/24 out-interface=wg-remote action=masquerade comment="LAN behind 10.200.200.1"
EOF
}
nofirewall() { cli '/ip firewall filter remove [find]' && cli '/ip firewall nat remove [find]'; }
firewall || { note "router_path: firewall failed"; exit 1; }

start_wg wgrouter c "$(ifn k)" || exit 1
K=$(ifn k)
echo "$CPRIV" >"$TMP/c.key"
nsx c wg set "$K" private-key "$TMP/c.key" peer "$RPUB" endpoint 192.0.2.1:51820 \
	allowed-ips 10.200.200.0/24,10.0.10.0/24 || exit 1
nsx c ip addr add 10.200.200.2/24 dev "$K"; nsx c ip link set "$K" mtu 1420 up
nsx c ip route add 10.0.10.0/24 dev "$K"
ip netns exec "$(ns c)" iperf3 -s -B 10.200.200.2 >/dev/null 2>&1 &
PIDS+=($!)
# the road warrior speaks first: the router has no endpoint for it until then
for _ in $(seq 10); do nsx c ping -c 1 -W 1 10.200.200.1 >/dev/null 2>&1 && break; done
[ -n "${PATH_DEBUG:-}" ] && { cli /interface/wireguard/print detail; cli /interface/wireguard/peers/print detail; nsx c wg show; nsx r ss -uanp; nsx c ip route; cat $S/*.log; } >&2
nsx l ping -c 2 -W 2 10.200.200.2 >/dev/null 2>&1 || note "router_path: LAN host does not reach the client"
PR=$(cat "$S/wgrouter.pid")

# run LABEL FROM_NS: one TCP stream FROM_NS -> 10.200.200.2
run() {
	local label=$1 from=$2 b0 b1 c0 c1 p0 p1 line gb
	note "router_path: $label"
	b0=$(busy); c0=$(proc_cpu "$PR"); p0=$(rxp)
	timeout $((PT + 20)) ip netns exec "$(ns "$from")" iperf3 -c 10.200.200.2 -t "$PT" -J >"$TMP/$label.json" 2>/dev/null
	b1=$(busy); c1=$(proc_cpu "$PR"); p1=$(rxp)
	line=$("$PY" "$ROOT/bench/report.py" iperf "$TMP/$label.json")
	gb=$(calc "$(kv bytes "$line") / 1e9 + 1e-9")
	eval "BPS_${label//[^a-z0-9]/_}=$(kv bps "$line")"
	eval "BYTES_${label//[^a-z0-9]/_}=$(calc "$(kv bytes "$line") / ($p1 - $p0 + 1)")"
	# ns of machine CPU per 1,368-byte TCP payload (one 1420-byte tunnel packet)
	local nspkt; nspkt=$(calc "1e9 * ($b1 - $b0) / $CLK_TCK / ($gb * 1e9 / 1368)")
	eval "NSPKT_${label//[^a-z0-9]/_}=$nspkt"
	echo "| $label | $(calc "$(kv bps "$line") / 1e9") | $(kv retr "$line") | $(calc "($b1 - $b0) / $CLK_TCK / $gb") | $(calc "($c1 - $c0) / $CLK_TCK / $gb") | $((p1 - p0)) | ${nspkt%.*} |" >>"$TMP/rows.md"
	sleep 1
}
# urun LABEL: 64-byte UDP datagrams as fast as iperf3 sends, LAN host -> client: one skb
# per packet through the forward path (no GRO), so the rules' per-packet cost shows
urun() {
	local label=$1 b0 b1 line pk
	note "router_path: $label (UDP 64 bytes)"
	b0=$(busy)
	timeout $((PT + 20)) ip netns exec "$(ns l)" iperf3 -c 10.200.200.2 -u -b 0 -l 64 -w 4M -t "$PT" -J >"$TMP/$label.u.json" 2>/dev/null
	b1=$(busy)
	line=$("$PY" "$ROOT/bench/report.py" iperf "$TMP/$label.u.json")
	pk=$(calc "$(kv pps "$line") * $PT + 1")
	eval "UNS_${label//[^a-z0-9]/_}=$(calc "1e9 * ($b1 - $b0) / $CLK_TCK / $pk")"
	echo "| $label | $(calc "$(kv pps "$line") / 1e3") | $(kv lost_pct "$line") | $(calc "1e9 * ($b1 - $b0) / $CLK_TCK / $pk" | cut -d. -f1) |" >>"$TMP/urows.md"
	sleep 1
}
: >"$TMP/rows.md"; : >"$TMP/urows.md"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
run e2e r
run lan_fw l
urun lan_fw
nofirewall
run lan l
urun lan
firewall
FT=$(cli '/ip firewall filter add chain=forward action=fasttrack-connection connection-state=established,related place-before=0 comment="fasttrack"' 2>&1)
nsx r nft list ruleset >"$TMP/ruleset.txt" 2>&1
FLOWTABLE=$(grep -c 'flowtable\|flow add' "$TMP/ruleset.txt")
run lan_fasttrack l
{
	echo "## The router's path: LAN host -> wgrouter router (seeds' firewall) -> tunnel -> road warrior"
	echo
	echo "Load average: $LOAD0 at the start. One TCP stream, $PT s per test."
	echo
	echo "| path | Gbit/s | retransmits | machine CPU-s per GB | router process CPU-s per GB | skbs on lan | machine CPU ns per 1420-byte packet |"
	echo "|---|---|---|---|---|---|---|"
	cat "$TMP/rows.md"
	echo
	echo "LAN host through the firewall against endpoint to endpoint: $(calc "100 * ${BPS_lan_fw:-0} / (${BPS_e2e:-0} + 1e-9)" | cut -d. -f1)% (target >= 90%);"
	echo "without the firewall: $(calc "100 * ${BPS_lan:-0} / (${BPS_e2e:-0} + 1e-9)" | cut -d. -f1)%; with fasttrack: $(calc "100 * ${BPS_lan_fasttrack:-0} / (${BPS_e2e:-0} + 1e-9)" | cut -d. -f1)%."
	echo "The firewall (filter + NAT, conntrack) costs $(calc "${NSPKT_lan_fw:-0} - ${NSPKT_lan:-0}" | cut -d. -f1) ns of machine CPU per 1420-byte packet"
	echo "(per 1,368 bytes of TCP payload, with it minus without); with fasttrack $(calc "${NSPKT_lan_fasttrack:-0} - ${NSPKT_lan:-0}" | cut -d. -f1) ns."
	echo
	echo "| path, UDP 64-byte payloads | received kpps | lost % | machine CPU ns per received packet |"
	echo "|---|---|---|---|"
	cat "$TMP/urows.md"
	echo
	echo "Per datagram (one skb each), the firewall costs $(calc "${UNS_lan_fw:-0} - ${UNS_lan:-0}" | cut -d. -f1) ns of machine CPU (with it minus without)."
	echo "The LAN veth hands the router GRO aggregates (skbs on lan: ~$(calc "${BYTES_lan_fw:-0} / 1" | cut -d. -f1) bytes each), so the rules run once per"
	echo "aggregate, not per wire packet."
	if [ "$FLOWTABLE" -gt 0 ]; then
		echo "fasttrack-connection was compiled to an nftables flowtable (\`flow add\`): the kernel has it."
	else
		echo "fasttrack-connection did not use a flowtable: this kernel has none (\`add flowtable\` fails; the router probes"
		echo "it and compiles fasttrack to an accept of established/related connections instead)${FT:+ ($FT)}."
	fi
	echo
} | tee "$TMP/out.md"
