#!/usr/bin/env bash
# Many peers (issue 17, item 3), three parts:
#
# 1. PEERS (256) peers on one interface of one wgrouter data plane (the router, in
#    namespace r, tunnel address 10.9.0.1/16, UDP port 51820), each peer a client of
#    its own: PEERS `wgrouter userspace` processes in one client namespace c (veth,
#    192.0.2.2 -> 192.0.2.1), client i with tunnel address 10.9.<1 + i/200>.<1 + i%200>
#    and a policy rule (from that address: table 1000+i, 10.9.0.1 via its interface), so
#    that `iperf3 -B ADDR` picks the peer. Separate processes because a wgrouter data
#    plane is one interface, and a client is exactly what a road warrior runs: the
#    router sees PEERS endpoints, PEERS sessions, PEERS keys. Every client handshakes
#    first (a ping each). Then, in the same run, one TCP stream from one peer (the
#    one-peer figure), STREAMS TCP streams from that one peer (iperf3 -P), and one TCP
#    stream from each of STREAMS peers at once (STREAMS iperf3 servers on the router,
#    ports 5201 up): aggregate throughput and the router's CPU-seconds per GB.
# 2. KEEPALIVE_PEERS (10,000) peers, each with an endpoint (203.0.113.x:port, routed to
#    namespace h, where a blackhole route drops them: the clients do not exist) and
#    persistent-keepalive 25; the router's CPU over IDLE_T (60) s right after the
#    configuration (no peer answers: each sends a handshake initiation every 5 s, for
#    90 s, as the protocol says), then, from 100 s on, another IDLE_T s (they have
#    given up; the persistent keepalive starts a new initiation every 25 s), with the
#    packets it sent per second. Target: < 5% of one core. Then build/bench/clients
#    answers as all of them (a protocol core each, in namespace h, where 203.0.113.0/24
#    becomes local): the router's CPU from ANSWER_SETTLE (40) s after the clients came
#    up, IDLE_T s (keepalives only), and from ANSWER_STEADY (100) s, ANSWER_T (150) s
#    (every session's first rekey falls in it). KEEPALIVE_ABSENT=0 skips the absent
#    windows; ANSWER_PERF=FILE records the router with perf in the first answering one.
# 3. blast: the router (PEERS peers configured) receiving from 1, 16 and PEERS peers at
#    once, `clients blast` sending for BLAST_T (10) s, BLAST_BURST (1) datagrams from a
#    client before the next one's turn; Gbit/s written to the router's TUN and its
#    CPU-seconds per GB. The one sender's cost is the same for any number of peers.
#
# Usage: bench/peers.sh [many|blast|keepalive]... (default all three). PEERS (256), STREAMS
# ("16 PEERS": how many peers stream at once, one run each), PEERS_T (10 s per TCP
# test), KEEPALIVE_PEERS (10000), IDLE_T (60), STEADY_AT (100 s: the second window). Prints markdown.
# A benchmark: it reports what it measured and never fails on a figure.
. "$(dirname "$0")/common.sh"
N=${PEERS:-256}
read -r -a KS <<<"${STREAMS:-16 $N}" # how many peers stream at once, one run each
K=0; for k in "${KS[@]}"; do [ "$k" -gt "$K" ] && K=$k; done
PT=${PEERS_T:-10}
KN=${KEEPALIVE_PEERS:-10000}
IT=${IDLE_T:-60}
STEADY=${STEADY_AT:-100} # seconds after the configuration when the second window starts
ANSWER_SETTLE=${ANSWER_SETTLE:-40} # seconds after the clients came up: the first answering window
ANSWER_STEADY=${ANSWER_STEADY:-100} # ... and the second, AT seconds long
AT=${ANSWER_T:-150}
ABSENT=${KEEPALIVE_ABSENT:-1} # 0: only the answering windows
BLAST_T=${BLAST_T:-10}
BLAST_BURST=${BLAST_BURST:-1}
WHAT=("$@")
[ ${#WHAT[@]} -eq 0 ] && WHAT=(many blast keepalive)
[ "$K" -gt "$N" ] && K=$N
need_bins clients
caddr() { echo "10.9.$((1 + $1 / 200)).$((1 + $1 % 200))"; }
# Interface names: the prefix (wgb + pid) and at most 5 more characters (IFNAMSIZ 16).
cif() { echo "${NS_PREFIX}c$1"; }

# wg_up NS IFNAME...: starts a wgrouter userspace per name, back once all are up.
wg_up() {
	local n=$1 i p; shift
	for i in "$@"; do
		ip netns exec "$(ns "$n")" env LOG_LEVEL=error "$WGR" userspace -f "$i" >>"$TMP/$n.log" 2>&1 &
		PIDS+=($!)
		eval "PID_$i=$!"
	done
	for i in "$@"; do
		for _ in $(seq 100); do [ -S "/var/run/wireguard/$i.sock" ] && break; sleep 0.1; done
		[ -S "/var/run/wireguard/$i.sock" ] || { note "$i did not come up"; return 1; }
	done
}
pid_of() { eval "echo \$PID_$1"; }
# conf_head PRIVATE_KEY: the router's [Interface] section.
conf_head() { printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n\n' "$1"; }
# router_addr IFNAME: the router's tunnel address, MTU, up.
router_addr() { nsx r ip addr add 10.9.0.1/16 dev "$1"; nsx r ip link set "$1" mtu 1420 up; }

# streams NAME COUNT: COUNT iperf3 clients at once, client i from peer i to port 5201+i;
# prints the summed bits per second and bytes.
streams() {
	local name=$1 c=$2 i pids=()
	for ((i = 0; i < c; i++)); do
		timeout $((PT + 40)) ip netns exec "$(ns c)" iperf3 -c 10.9.0.1 -B "$(caddr $i)" -p $((5201 + i)) \
			-t "$PT" -J >"$TMP/$name.$i.json" 2>/dev/null &
		pids+=($!)
	done
	wait "${pids[@]}"
	local bps=0 bytes=0 ok=0 line
	for ((i = 0; i < c; i++)); do
		line=$("$PY" "$ROOT/bench/report.py" iperf "$TMP/$name.$i.json" 2>/dev/null)
		[ -n "$(kv bps "$line")" ] || continue
		ok=$((ok + 1))
		bps=$(calc "$bps + $(kv bps "$line")"); bytes=$(calc "$bytes + $(kv bytes "$line")")
	done
	echo "bps=$bps bytes=$bytes ok=$ok"
}

many() {
	local R C i keys line
	note "peers: $N clients in one namespace"
	mkns r && mkns c && veth_pair r c || return 1
	R=$(ifn r)
	wg_up r "$R" || return 1
	wg genkey >"$TMP/r.key"
	: >"$TMP/r.conf"; : >"$TMP/c.ip"
	local names=()
	for ((i = 0; i < N; i++)); do names+=("$(cif $i)"); done
	wg_up c "${names[@]}" || return 1
	for ((i = 0; i < N; i++)); do
		wg genkey >"$TMP/c$i.key"
		printf '[Peer]\nPublicKey = %s\nAllowedIPs = %s/32\n\n' "$(wg pubkey <"$TMP/c$i.key")" "$(caddr $i)" >>"$TMP/r.conf"
		C=$(cif $i)
		printf 'addr add %s/32 dev %s\nlink set %s mtu 1420 up\nrule add from %s lookup %d\nroute add 10.9.0.1/32 dev %s table %d\n' \
			"$(caddr $i)" "$C" "$C" "$(caddr $i)" $((1000 + i)) "$C" $((1000 + i)) >>"$TMP/c.ip"
	done
	conf_head "$(cat "$TMP/r.key")" | cat - "$TMP/r.conf" >"$TMP/r.full"
	nsx r wg setconf "$R" "$TMP/r.full" || return 1
	router_addr "$R"
	keys=$(wg pubkey <"$TMP/r.key")
	for ((i = 0; i < N; i++)); do
		nsx c wg set "$(cif $i)" private-key "$TMP/c$i.key" peer "$keys" endpoint 192.0.2.1:51820 allowed-ips 10.9.0.1/32 || return 1
	done
	nsx c ip -batch "$TMP/c.ip" || return 1
	nsx c sysctl -qw net.ipv4.conf.all.rp_filter=0
	note "peers: handshakes"
	local pings=()
	for ((i = 0; i < N; i++)); do
		nsx c ping -c 2 -i 0.2 -W 2 -I "$(caddr $i)" 10.9.0.1 >/dev/null 2>&1 &
		pings+=($!)
		if [ ${#pings[@]} -ge 32 ]; then wait "${pings[@]}"; pings=(); fi
	done
	[ ${#pings[@]} -gt 0 ] && wait "${pings[@]}"
	HS=$(nsx r wg show "$R" latest-handshakes | awk '$2 > 0' | wc -l)
	note "peers: $HS of $N handshaked"
	for ((i = 0; i < K; i++)); do
		ip netns exec "$(ns r)" iperf3 -s -B 10.9.0.1 -p $((5201 + i)) >/dev/null 2>&1 &
		PIDS+=($!)
	done
	for _ in $(seq 50); do [ "$(nsx r ss -ltn | grep -c '10.9.0.1:5')" -ge "$K" ] && break; sleep 0.1; done
	local PR; PR=$(pid_of "$R")
	clients_cpu() { local s=0 j; for ((j = 0; j < N; j++)); do s=$((s + $(proc_cpu "$(pid_of "$(cif $j)")"))); done; echo $s; }

	# measure NAME CMD...: runs CMD (prints bps= bytes=), records router / clients CPU
	measure_row() {
		local label=$1; shift
		local c0 c1 cc0 cc1 line
		note "peers: $label"
		c0=$(proc_cpu "$PR"); cc0=$(clients_cpu)
		line=$("$@")
		c1=$(proc_cpu "$PR"); cc1=$(clients_cpu)
		local gb; gb=$(calc "$(kv bytes "$line") / 1e9 + 1e-9")
		echo "| $label | $(calc "$(kv bps "$line") / 1e9") | $(calc "($c1 - $c0) / $CLK_TCK / $gb") | $(calc "($cc1 - $cc0) / $CLK_TCK / $gb") | $(calc "100 * ($c1 - $c0) / $CLK_TCK / $PT") |" >>"$TMP/rows.md"
		echo "$(kv bps "$line")"
	}
	one() {
		timeout $((PT + 30)) ip netns exec "$(ns c)" iperf3 -c 10.9.0.1 -B "$(caddr 0)" -p 5201 -t "$PT" -J "$@" >"$TMP/one.json" 2>/dev/null
		"$PY" "$ROOT/bench/report.py" iperf "$TMP/one.json"
	}
	: >"$TMP/rows.md"
	local b1 bp bk k p summary=""
	b1=$(measure_row "1 peer, 1 TCP stream" one); sleep 1
	for k in "${KS[@]}"; do
		p=$((k > 128 ? 128 : k)) # iperf3 runs at most 128 streams
		bp=$(measure_row "1 peer, $p TCP streams (iperf3 -P $p)" one -P "$p"); sleep 1
		bk=$(measure_row "$k peers, 1 TCP stream each, at once" streams "many$k" "$k"); sleep 1
		summary+="$k peers at once against 1 peer with 1 stream: $(calc "100 * $bk / ($b1 + 1e-9)" | cut -d. -f1)%"
		summary+=" (target >= 90%); against 1 peer with $p streams: $(calc "100 * $bk / ($bp + 1e-9)" | cut -d. -f1)%."$'\n'
	done
	{
		echo "## $N peers on one interface (wgrouter data plane), ${KS[*]} streams at once"
		echo
		echo "Load average: $(cut -d' ' -f1-3 /proc/loadavg). $HS of $N clients handshaked. TCP $PT s per test."
		echo
		echo "| what | Gbit/s | router CPU-s per GB | clients' CPU-s per GB | router CPU (% of one core) |"
		echo "|---|---|---|---|---|"
		cat "$TMP/rows.md"
		echo
		printf '%s' "$summary"
		echo "Router: one \`wgrouter userspace\` (the data plane the router daemon runs per interface);"
		echo "clients: $N \`wgrouter userspace\` processes in one namespace, all on the same 2 CPUs."
		echo
	}
	bench_teardown
}

keepalive() {
	local R c0 c1 p0 p1 r0 r1
	note "peers: $KN peers with persistent-keepalive 25"
	mkns r && mkns h && veth_pair r h || return 1
	nsx h sysctl -qw net.ipv4.ip_forward=1
	nsx h ip route add blackhole 203.0.113.0/24
	nsx r ip route add 203.0.113.0/24 via 192.0.2.2
	R=$(ifn r)
	wg_up r "$R" || return 1
	router_addr "$R"
	{ conf_head "$(wg genkey)"; "$BENCH_BIN/clients" peers "$KN"; } >"$TMP/k.conf"
	local PR; PR=$(pid_of "$R")
	local t0; t0=$(now_s)
	nsx r wg setconf "$R" "$TMP/k.conf" || return 1
	local setconf_s; setconf_s=$(calc "$(now_s) - $t0")
	stat_of() { nsx r cat "/sys/class/net/eth0/statistics/$1"; }
	window() { # window LABEL [SECONDS]: CPU and packets over SECONDS (IT)
		c0=$(proc_cpu "$PR"); p0=$(stat_of tx_packets); r0=$(stat_of rx_packets); local w0; w0=$(now_s)
		sleep "${2:-$IT}"
		c1=$(proc_cpu "$PR"); p1=$(stat_of tx_packets); r1=$(stat_of rx_packets); local w; w=$(calc "$(now_s) - $w0")
		KROWS+=("| $1 | $(calc "100 * ($c1 - $c0) / $CLK_TCK / $w") | $(calc "($p1 - $p0) / $w" | cut -d. -f1) | $(calc "($r1 - $r0) / $w" | cut -d. -f1) | $(cut -d' ' -f1 /proc/loadavg) |")
	}
	# after S: sleeps until S seconds after the configuration.
	after() { local rest; rest=$(calc "$1 - $(now_s) + $t0"); if [ "${rest%.*}" -gt 0 ] 2>/dev/null; then sleep "$rest"; fi; }
	KROWS=()
	if [ "$ABSENT" != 0 ]; then
		note "peers: first $IT s"
		window "absent: 0 to $IT s after the configuration"
		after "$STEADY"
		note "peers: from $STEADY s, $IT s"
		window "absent: $STEADY to $((STEADY + IT)) s after it"
	fi
	# The clients come up: their addresses become local in h, where build/bench/clients
	# answers as each one. The routers' next initiation (at most 25 s away) finds them.
	note "peers: $KN clients answering"
	ip netns exec "$(ns h)" "$BENCH_BIN/clients" run "$(nsx r wg show "$R" public-key)" "$KN" >"$TMP/clients.out" 2>>"$TMP/h.log" &
	local CP=$!; PIDS+=("$CP")
	for _ in $(seq 100); do grep -q listening "$TMP/h.log" 2>/dev/null && break; sleep 0.2; done
	nsx h ip route del blackhole 203.0.113.0/24
	nsx h ip route add local 203.0.113.0/24 dev lo
	t0=$(now_s) # from here, after counts from the clients coming up
	after "$ANSWER_SETTLE"
	local hs; hs=$(nsx r wg show "$R" latest-handshakes | awk '$2 > 0' | wc -l)
	[ -n "${ANSWER_PERF:-}" ] && perf record -g -o "$ANSWER_PERF" -p "$PR" -- sleep "$IT" >/dev/null 2>&1 &
	window "answering: $ANSWER_SETTLE to $((ANSWER_SETTLE + IT)) s after they came up"
	after "$ANSWER_STEADY"
	window "answering: $ANSWER_STEADY to $((ANSWER_STEADY + AT)) s after it (rekeys included)" "$AT"
	local hs2; hs2=$(nsx r wg show "$R" latest-handshakes | awk '$2 > 0' | wc -l)
	kill "$CP" 2>/dev/null; wait "$CP" 2>/dev/null
	{
		echo "## $KN peers with persistent-keepalive=25s"
		echo
		echo "\`wg setconf\` of $KN peers took $setconf_s s; VmRSS $(proc_rss_kb "$PR") kB."
		echo
		echo "| window | router CPU (% of one core) | packets sent per second | received per second | load average |"
		echo "|---|---|---|---|---|"
		for line in "${KROWS[@]}"; do echo "$line"; done
		echo
		echo "Target: < 5% of one core. *Absent*: endpoints 203.0.113.x are dropped by a blackhole"
		echo "route in namespace h; nothing answers, so each keepalive becomes a handshake initiation"
		echo "(a keepalive needs a session), repeated every 5 s for 90 s as the protocol says: two"
		echo "X25519s and two BLAKE2s MACs each. *Answering*: \`build/bench/clients\` answers as all"
		echo "$KN clients (a protocol core each, in namespace h): $hs peers had a handshake"
		echo "$ANSWER_SETTLE s after the clients came up, $hs2 at the end; then the router sends a"
		echo "keepalive per peer every 25 s and rekeys each session every two minutes. Clients:"
		echo "$(cat "$TMP/clients.out")."
		echo
	}
	bench_teardown
}

# blast: the router's receive path with many peers against one, the clients' cost kept
# out of it: build/bench/clients sends for 1, 16 and PEERS clients in turn (one process,
# a protocol core per client, datagrams interleaved client by client), the router
# decrypts and writes to its TUN, where the kernel drops them (an nftables rule).
blast() {
	local R n out c0 c1 r0 r1
	note "peers: blast, the router with $N peers"
	mkns r && mkns h && veth_pair r h || return 1
	nsx r ip route add 203.0.113.0/24 via 192.0.2.2
	nsx h ip route add local 203.0.113.0/24 dev lo
	R=$(ifn r)
	wg_up r "$R" || return 1
	{ conf_head "$(wg genkey)"; "$BENCH_BIN/clients" peers "$N" | grep -v PersistentKeepalive; } >"$TMP/b.conf"
	nsx r wg setconf "$R" "$TMP/b.conf" || return 1
	router_addr "$R"
	nsx r nft -f - <<'NFT' || return 1
table inet blast {
	chain input {
		type filter hook input priority 0;
		udp dport 9 drop
	}
}
NFT
	local PR pub; PR=$(pid_of "$R"); pub=$(nsx r wg show "$R" public-key)
	local BROWS=() base=
	for n in 1 16 "$N"; do
		c0=$(proc_cpu "$PR"); r0=$(nsx r cat "/sys/class/net/$R/statistics/rx_bytes")
		out=$(ip netns exec "$(ns h)" "$BENCH_BIN/clients" blast "$pub" "$n" "$BLAST_T" 192.0.2.1:51820 -B "$BLAST_BURST")
		sleep 0.2 # what is in flight arrives
		c1=$(proc_cpu "$PR"); r1=$(nsx r cat "/sys/class/net/$R/statistics/rx_bytes")
		local secs; secs=$(kv seconds "$out")
		local gbit; gbit=$(calc "8 * ($r1 - $r0) / $secs / 1000000000")
		[ -z "$base" ] && base=$gbit
		BROWS+=("| $n | $(kv handshakes "$out") | $(calc "8 * $(kv bytes "$out") / $secs / 1000000000") | $gbit | $(calc "100 * $gbit / $base" | cut -d. -f1)% | $(calc "($c1 - $c0) / $CLK_TCK / (($r1 - $r0) / 1000000000)") |")
		note "  $n peers: $out"
	done
	{
		echo "## The router receiving from many peers at once ($N configured)"
		echo
		echo "| peers sending | handshakes | offered (Gbit/s) | received by the router (Gbit/s, TUN) | of one peer | router CPU-s per GB |"
		echo "|---|---|---|---|---|---|"
		for line in "${BROWS[@]}"; do echo "$line"; done
		echo
		echo "\`build/bench/clients blast\`, ${BLAST_T} s each, 1392-byte datagrams, $BLAST_BURST from a"
		echo "client before the next one's turn. The sender is one thread on the same 2 vCPUs; its"
		echo "cost is the same for one peer or many, so the columns compare the router's own."
		echo
	}
	bench_teardown
}

for w in "${WHAT[@]}"; do
	case $w in
	many) many || note "peers: many failed" ;;
	keepalive) keepalive || note "peers: keepalive failed" ;;
	blast) blast || note "peers: blast failed" ;;
	*) echo "usage: $0 [many|keepalive|blast]..." >&2; exit 2 ;;
	esac
done
