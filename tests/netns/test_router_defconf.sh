#!/usr/bin/env bash
# RouterOS v7's default configuration firewall (issue 13), IPv4 and IPv6, with its
# /interface/list LAN and WAN: the defconf text (tests/netns/data/defconf_firewall.rsc)
# imports and pastes unchanged, and is enforced with traffic both ways between a LAN
# host and a WAN host through the router. Then the address-list scanner with
# RouterOS's action names: a probe of a trap port puts the source on a list
# (add-src-to-address-list), and the list's next packets are dropped.
# Router namespace r: "bridge" (LAN, 192.168.88.1/24, fd88::1/64) and "ether1" (WAN,
# 203.0.113.1/24, fd99::1/64), named as in defconf; l = LAN host, w = WAN host.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP $TESTNAME (needs root)"; exit 0; }
S=$TMP/state
mkns r; mkns l; mkns w
link r bridge l "$(ifn l)" 192.168.88.1/24 192.168.88.10/24 fd88::1/64 fd88::10/64
link r ether1 w "$(ifn w)" 203.0.113.1/24 203.0.113.2/24 fd99::1/64 fd99::2/64
nsx l ip route add default via 192.168.88.1; nsx l ip -6 route add default via fd88::1
# The WAN host knows no route to the LAN (it is behind NAT) except for the IPv6 test.
nsx w ip -6 route add fd88::/64 via fd99::1
nsx w ip route add 192.168.88.0/24 via 203.0.113.1
nsx r "$WGR" daemon --state-dir "$S" --uapi-dir "$TMP/run" || { fail daemon_starts; finish; }
stop_daemon() { local p; p=$(cat "$S/wgrouter.pid" 2>/dev/null) && kill "$p" 2>/dev/null; }
trap 'stop_daemon; cleanup' EXIT
cli() { (cd "$TMP" && nsx r "$WGR" cli --state-dir "$S" "$@"); }
# tcp_answer NS ADDR PORT: the far end answered (RST for a closed port counts), i.e. the
# SYN was not dropped on the way; a dropped SYN times out.
tcp_answer() {
	local out rc
	out=$(nsx "$1" timeout 3 bash -c "exec 3<>/dev/tcp/$2/$3" 2>&1); rc=$?
	[ "$rc" -ne 124 ] && { [ "$rc" -eq 0 ] || [[ $out == *refused* ]]; }
}
# export with RouterOS's continuation lines joined, one command per line
export_flat() { cli /export | sed -e ':a' -e '/\\$/N; s/\\\n *//; ta'; }
dropped() { ! "$@"; }
export -f cli nsx ns export_flat; export S TMP WGR NS_PREFIX

cp tests/netns/data/defconf_firewall.rsc "$TMP/" 2>/dev/null || cp "$ROOT/tests/netns/data/defconf_firewall.rsc" "$TMP/"
# Before: no firewall, the WAN host reaches the LAN host.
check open_before tcp_answer w 192.168.88.10 22
check import_dry_run bash -c "cli '/import file-name=defconf_firewall.rsc dry-run' | grep -q 'checked successfully'"
check imported cli "/import file-name=defconf_firewall.rsc"
check pasted_text_exports_same bash -c "export_flat | grep -q 'add action=drop chain=forward comment=\"defconf: drop all from WAN not DSTNATed\" connection-nat-state=!dstnat connection-state=new in-interface-list=WAN'"
check print_unquoted bash -c "cli '/ip/firewall/filter/print' | grep -q 'chain=input action=accept connection-state=established,related,untracked'"
check rules_in_kernel bash -c "nsx r nft list table inet wgrouter | grep -q 'ct status ! dnat'"
# The same text pasted into a second router's console is accepted line by line.
check pasted bash -c "(cd $TMP && nsx r $WGR cli --state-dir $S) <$TMP/defconf_firewall.rsc 2>&1 | grep -q 'already have such entry'"

# IPv4: LAN out (masqueraded) works; WAN in is dropped (forward and input).
check v4_lan_to_wan_ping nsx l ping -c 2 -W 2 203.0.113.2
check v4_lan_to_wan_tcp tcp_answer l 203.0.113.2 22
check v4_masqueraded bash -c "nsx r cat /proc/net/nf_conntrack | grep -q 'src=192.168.88.10 dst=203.0.113.2 .*src=203.0.113.2 dst=203.0.113.1'"
check v4_wan_to_lan_dropped dropped tcp_answer w 192.168.88.10 22
check v4_wan_to_lan_ping_dropped dropped nsx w ping -c 2 -W 1 192.168.88.10
# A port forward is what "drop all from WAN not DSTNATed" lets through.
check port_forward_added cli "/ip/firewall/nat/add chain=dstnat in-interface-list=WAN protocol=tcp dst-port=8022 action=dst-nat to-addresses=192.168.88.10 to-ports=22"
check v4_wan_dstnat_passes tcp_answer w 203.0.113.1 8022
check v4_wan_to_router_icmp_accepted nsx w ping -c 2 -W 2 203.0.113.1
check v4_wan_to_router_tcp_dropped dropped tcp_answer w 203.0.113.1 8291
check v4_lan_to_router_tcp_answered tcp_answer l 192.168.88.1 8291
# IPv6: no NAT; LAN out works, WAN in is dropped except ICMPv6 (defconf accepts it).
check v6_lan_to_wan_tcp tcp_answer l fd99::2 22
check v6_wan_to_lan_tcp_dropped dropped tcp_answer w fd88::10 22
check v6_wan_to_lan_icmpv6_accepted nsx w ping -6 -c 2 -W 2 fd88::10
check v6_wan_to_router_tcp_dropped dropped tcp_answer w fd99::1 8291
check v6_lan_to_router_tcp_answered tcp_answer l fd88::1 8291
check counters_counted bash -c "cli '/ip/firewall/filter/print stats where comment~\"not DSTNATed\"' | grep -Eq ' [1-9][0-9]* *$'"

# The address-list scanner, RouterOS's spelling: probing port 2222 from the LAN lists
# the prober for an hour; the list's packets are dropped from then on.
check empty_list_header bash -c "cli /ip/firewall/address-list/print | grep -q 'LIST'"
check scanner_rules bash -c "cli '/ip/firewall/filter/add chain=input src-address-list=port_scanners action=drop place-before=0' &&
	cli '/ip/firewall/filter/add chain=input protocol=tcp dst-port=2222 action=add-src-to-address-list address-list=port_scanners address-list-timeout=1h place-before=0'"
check scanner_before_probe tcp_answer l 192.168.88.1 8291
# the probe itself is listed by the first rule and dropped by the next, as on RouterOS
check scanner_probe_dropped dropped tcp_answer l 192.168.88.1 2222
check scanner_listed bash -c "cli /ip/firewall/address-list/print | grep 'port_scanners' | grep -q '192.168.88.10 .*59m5[0-9]s'"
check scanner_dropped_after dropped tcp_answer l 192.168.88.1 8291
check scanner_export_canonical bash -c "export_flat | grep -q 'action=add-src-to-address-list address-list=port_scanners address-list-timeout=1h'"
# The seeds' spelling still works and is stored as RouterOS's.
check seed_alias_stored_canonical bash -c "cli '/ip/firewall/filter/add chain=input protocol=udp dst-port=51820 action=add-src-to-list connection-state=new src-address-list-timeout=1h src-address-list=wg-scanners' && export_flat | grep -q 'action=add-src-to-address-list address-list=wg-scanners address-list-timeout=1h'"
# References: an interface or interface list that may appear later is accepted and the
# rule flagged invalid (I) with the reason in print detail; an unknown routing table is
# refused with RouterOS's message.
check unknown_list_flagged bash -c "cli '/ip/firewall/filter/add chain=input in-interface-list=NOPE action=drop' && cli '/ip/firewall/filter/print detail where in-interface-list=NOPE' | grep -q 'in-interface-list NOPE does not exist'"
check unknown_table_refused bash -c "cli '/ip/firewall/mangle/add chain=prerouting action=mark-routing new-routing-mark=nosuch' 2>&1 | grep -q 'input does not match any value of new-routing-mark'"
check unknown_iface_flagged bash -c "cli '/ip/firewall/filter/add chain=forward in-interface=bogus0 action=drop' && cli '/ip/firewall/filter/print where in-interface=bogus0' | grep -Eq '^ *[0-9]+ I ' && cli '/ip/firewall/filter/print detail where in-interface=bogus0' | grep -q 'in-interface bogus0 does not exist'"
# A matcher Linux cannot do is refused at add, naming it.
check refused_named bash -c "cli '/ip/firewall/filter/add chain=input layer7-protocol=x action=drop' 2>&1 | grep -q 'layer7-protocol is not supported'"

finish
