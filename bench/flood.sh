#!/usr/bin/env bash
# An established tunnel under a handshake flood: for wgrouter and for Debian's
# wireguard-go, the tunnel's TCP throughput with no flood and under three floods
# (garbage datagrams, initiations with a bad MAC1, initiations with a valid MAC1; and,
# for scale, garbage to a port nobody listens on: the flood's own cost), the
# time a legitimate peer needs for a new handshake (no flood, and under the valid-MAC1
# flood), and the responder's resident memory before and after. Prints a markdown
# table; appends it to $BENCH_OUT if set.
#
# Setup: namespaces a (client, iperf3 -c) and b (responder, iperf3 -s) joined by a veth
# pair 192.0.2.1/24 <-> 192.0.2.2/24 with the tunnel 10.9.0.1 <-> 10.9.0.2 between two
# daemons of the same implementation; namespace f (the flooder) joined to b by a second
# veth pair, 198.51.100.1/24 in b and FLOOD_SOURCES addresses from 198.51.100.10 up in
# f. build/bench/flood sends from all of them at FLOOD_PPS datagrams per second to the
# responder's port, pinned with taskset to CPU FLOOD_CPU.
#
# The re-handshake (FLOOD_REHS times in a row, 3 by default): the client removes the
# responder's peer and adds it again (its session is gone), pings through the tunnel
# and polls `wg show latest-handshakes` until it changes, for at most 10 s.
#
# The machine has only 2 vCPUs: the flooder competes for them with both daemons and
# both iperf3 processes, so part of any loss is the flooder's own CPU time.
#
# Usage: bench/flood.sh     FLOOD_T (5) seconds per TCP test; FLOOD_PPS (50000; 0 =
#   as fast as the flooder can); FLOOD_SOURCES (200); FLOOD_CPU (1); FLOOD_REHS (3);
#   FLOOD_REPEAT (1) pairs of runs without and with each flood, the median reported;
#   FLOOD_IMPLS ("wgrouter wireguard-go"); FLOOD_MODES ("closed garbage badmac validmac");
#   FLOOD_PERF (a file: perf record -g of the responder during the last valid-MAC1
#   TCP test, for profiling).
# A benchmark, not a test: it reports what it measured and never fails on a figure.
. "$(dirname "$0")/common.sh"
T=${FLOOD_T:-5}
PPS=${FLOOD_PPS:-50000}
NSRC=${FLOOD_SOURCES:-200}
CPU=${FLOOD_CPU:-1}
REHS=${FLOOD_REHS:-3}
REPEAT=${FLOOD_REPEAT:-1}
read -r -a IMPLS <<<"${FLOOD_IMPLS:-wgrouter wireguard-go}"
OUT=${BENCH_OUT:-/dev/null}
read -r -a MODES <<<"${FLOOD_MODES:-closed garbage badmac validmac}"
need_bins flood
emit() { tee -a "$OUT"; }
REC_FILE="$TMP/flood.tsv"

# flooder_ns: namespace f, a veth pair to b, NSRC source addresses in f.
flooder_ns() {
	local i
	mkns f || return 1
	ip link add eth1 netns "$(ns b)" type veth peer name eth0 netns "$(ns f)" || return 1
	ip -n "$(ns b)" addr add 198.51.100.1/24 dev eth1
	ip -n "$(ns b)" link set eth1 up
	ip -n "$(ns f)" link set eth0 up
	for ((i = 0; i < NSRC; i++)); do
		echo "addr add 198.51.100.$((10 + i))/24 dev eth0"
	done >"$TMP/addrs.batch"
	ip -n "$(ns f)" -batch "$TMP/addrs.batch"
}

# flood_setup IMPL: the tunnel between a and b (common.sh's setup: IA, IB, KA, KB, PB),
# the flooder's namespace and the iperf3 server.
flood_setup() {
	setup flood "$1" "$1" && flooder_ns && iperf3_server 10.9.0.2
}

# tcp: one iperf3 TCP stream for T seconds; prints Gbit/s (empty on failure).
tcp() {
	local line
	timeout $((T + 20)) ip netns exec "$(ns a)" iperf3 -c 10.9.0.2 -J -t "$T" >"$TMP/iperf.json" 2>/dev/null
	line=$("$PY" "$ROOT/bench/report.py" iperf "$TMP/iperf.json")
	[ -n "$(kv bps "$line")" ] && awk -v b="$(kv bps "$line")" 'BEGIN { printf "%.2f", b / 1e9 }'
}

# ping_ms: the median round trip of 20 pings through the tunnel 50 ms apart, in ms
# ("lost" if more than half go unanswered).
ping_ms() {
	timeout 10 ip netns exec "$(ns a)" ping -c 20 -i 0.05 -W 1 10.9.0.2 >"$TMP/ping.txt" 2>&1
	"$PY" "$ROOT/bench/report.py" ping "$TMP/ping.txt" | tr ' ' '\n' |
		awk -F= '$1 == "p50_us" { p = $2 } $1 == "n" { r = $2 }
			END { if (p == "" || r < 10) print "lost"; else printf "%.2f", p / 1000 }'
}

handshake_time() {
	nsx a wg show "$IA" latest-handshakes | awk -v k="$KB" '$1 == k { print $2 }'
}

# rehandshakes: REHS tries of rehandshake, their times separated by commas.
rehandshakes() {
	local i out=""
	for ((i = 0; i < REHS; i++)); do out+="${out:+, }$(rehandshake)"; done
	echo "$out"
}

# rehandshake: the client forgets the responder's session and pings until a new
# handshake completes; prints the seconds it took, or "none in 10 s".
rehandshake() {
	local t0 now ping_pid
	nsx a wg set "$IA" peer "$KB" remove
	nsx a wg set "$IA" peer "$KB" endpoint 192.0.2.2:51820 allowed-ips 10.9.0.2/32
	t0=$(now_s)
	ip netns exec "$(ns a)" ping -q -i 0.2 -W 1 -w 11 10.9.0.2 >/dev/null 2>&1 &
	ping_pid=$!
	PIDS+=("$ping_pid")
	while :; do
		now=$(now_s)
		if [ "$(handshake_time)" != 0 ]; then
			awk -v a="$t0" -v b="$now" 'BEGIN { printf "%.2f s", b - a }'
			break
		fi
		if awk -v a="$t0" -v b="$now" 'BEGIN { exit !(b - a > 10) }'; then
			echo "none in 10 s"
			break
		fi
		sleep 0.02
	done
	kill "$ping_pid" 2>/dev/null
	wait "$ping_pid" 2>/dev/null
	sleep 0.5 # the new session settles before the next measurement
}

# flood_start MODE: the flooder in the background (for at most a minute); sets
# FLOOD_PID. flood_stop ends it; its key=value line is then in $TMP/flood.out. MODE
# closed is garbage to a port nobody listens on: what the flood costs the machine (the
# flooder, the kernel) before any WireGuard implementation sees it.
flood_start() {
	local mode=$1 port=51820
	[ "$mode" = closed ] && mode=garbage port=51999
	ip netns exec "$(ns f)" taskset -c "$CPU" "$BENCH_BIN/flood" "$mode" 198.51.100.1 "$port" -k "$KB" \
		-S 198.51.100.10 -n "$NSRC" -r "$PPS" -d 60 >"$TMP/flood.out" 2>"$TMP/flood.err" &
	FLOOD_PID=$!
	PIDS+=("$FLOOD_PID")
}
flood_stop() {
	kill -TERM "$FLOOD_PID" 2>/dev/null
	wait "$FLOOD_PID"
}

# perf_start MODE REP: with FLOOD_PERF set, profiles the responder (PB) during the last
# valid-MAC1 TCP test; perf_stop ends it.
PERF_PID=
perf_start() {
	[ -n "${FLOOD_PERF:-}" ] && [ "$1" = validmac ] && [ "$2" = "$REPEAT" ] || return 0
	perf record -g -o "$FLOOD_PERF" -p "$PB" >/dev/null 2>"$TMP/perf.err" &
	PERF_PID=$!
	PIDS+=("$PERF_PID")
}
perf_stop() {
	[ -n "$PERF_PID" ] || return 0
	kill -INT "$PERF_PID" 2>/dev/null
	wait "$PERF_PID"
	PERF_PID=
}

# pair_run IMPL MODE REP: TCP without flood, then under it; appends "base flood" to
# $TMP/pairs. The first repetition also pings under the flood, the last one tries the
# re-handshakes (valid MAC1) and keeps the flooder's counts.
pair_run() {
	local impl=$1 mode=$2 rep=$3 base bps line
	base=$(tcp)
	flood_start "$mode"
	sleep 1
	[ "$rep" = 1 ] && rec "$impl|$mode" ping "$(ping_ms)"
	perf_start "$mode" "$rep"
	bps=$(tcp)
	perf_stop
	note "  $mode: $bps Gbit/s (without flood just before: $base)"
	echo "$base $bps" >>"$TMP/pairs"
	[ "$rep" = "$REPEAT" ] && [ "$mode" = validmac ] && rec "$impl|$mode" rehs "$(rehandshakes)"
	flood_stop
	line=$(cat "$TMP/flood.out")
	[ -s "$TMP/flood.err" ] && sed 's/^/    flood: /' "$TMP/flood.err" >&2
	rec "$impl|$mode" pps "$(kv pps "$line")"
	rec "$impl|$mode" cookies "$(kv cookies "$line")"
	sleep 1
}

# median_pair: of the pairs in $TMP/pairs, the one with the median ratio, as
# "base flood ratio%" (nothing if a run failed).
median_pair() {
	awk 'BEGIN { n = 0 } NF == 2 && $1 > 0 { r[n] = $2 / $1; line[n++] = $0 }
		END {
			if (!n) exit
			for (i = 0; i < n; i++) for (j = i + 1; j < n; j++)
				if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t; t = line[i]; line[i] = line[j]; line[j] = t }
			m = int((n - 1) / 2); print line[m], sprintf("%.0f%%", 100 * r[m])
		}' "$TMP/pairs"
}

# measure IMPL: the no-flood figures, then each flood in turn. Each flood's throughput
# is compared with a run without flood just before it (the machine is shared, and what
# else runs on it changes from one minute to the next); with REPEAT > 1 the pair with
# the median ratio is reported.
measure() {
	local impl=$1 mode rep m
	note "flood: $impl ..."
	if ! flood_setup "$impl"; then
		note "  $impl: setup failed, skipped"
		bench_teardown
		return
	fi
	rec "$impl|none" rss "$(proc_rss_kb "$PB")"
	rec "$impl|none" ping "$(ping_ms)"
	rec "$impl|none" tcp "$(tcp)"
	rec "$impl|none" rehs "$(rehandshakes)"
	rec "$impl|none" rss_after "$(proc_rss_kb "$PB")"
	for mode in "${MODES[@]}"; do
		rec "$impl|$mode" rss "$(proc_rss_kb "$PB")"
		: >"$TMP/pairs"
		for ((rep = 1; rep <= REPEAT; rep++)); do pair_run "$impl" "$mode" "$rep"; done
		read -r -a m <<<"$(median_pair)"
		rec "$impl|$mode" base "${m[0]:-}"
		rec "$impl|$mode" tcp "${m[1]:-}"
		rec "$impl|$mode" pct "${m[2]:-}"
		rec "$impl|$mode" rss_after "$(proc_rss_kb "$PB")"
		kill -0 "$PB" 2>/dev/null || { note "  $impl responder died"; break; }
	done
	bench_teardown
}

table() {
	awk -F'\t' -v impls="${IMPLS[*]}" '
		{ v[$1 "~" $2] = $3 }
		function g(k) { return (k in v) && v[k] != "" ? v[k] : "-" }
		END {
			n = split(impls, I, " ")
			split("none closed garbage badmac validmac", M, " ")
			name["none"] = "no flood"; name["garbage"] = "garbage"
			name["closed"] = "garbage to a closed port (the flood'"'"'s own cost)"
			name["badmac"] = "initiations, bad MAC1"; name["validmac"] = "initiations, valid MAC1"
			print "| implementation | flood | flood sent (pps) | cookie replies to the flooder | ping median (ms) | TCP Gbit/s (without flood just before) | of no flood | re-handshake | responder RSS before → after |"
			print "|---|---|---|---|---|---|---|---|---|"
			for (i = 1; i <= n; i++) for (j = 1; j <= 5; j++) {
				k = I[i] "|" M[j]; t = g(k "~tcp")
				base = M[j] == "none" ? t : g(k "~base")
				pct = M[j] == "none" ? (t == "-" ? "-" : "100%") : g(k "~pct")
				tcp = M[j] == "none" ? t : t " (" base ")"
				rss = g(k "~rss"); rss2 = g(k "~rss_after")
				printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s → %s MB |\n", I[i], name[M[j]],
					g(k "~pps"), g(k "~cookies"), g(k "~ping"), tcp, pct, g(k "~rehs"),
					rss == "-" ? "-" : sprintf("%.1f", rss / 1024), rss2 == "-" ? "-" : sprintf("%.1f", rss2 / 1024)
			}
		}' "$TMP/flood.tsv"
}

: >"$TMP/flood.tsv"
for impl in "${IMPLS[@]}"; do measure "$impl"; done
{
	echo "## An established tunnel under a handshake flood (TCP ${T} s per test, median of $REPEAT pair(s))"
	echo
	table
	echo
	echo "Flooder: ${NSRC} source addresses in a third namespace, $( [ "$PPS" = 0 ] && echo "as fast as it can" || echo "${PPS} datagrams/s"),"
	echo "pinned to CPU $CPU; the machine's $(nproc) CPUs are shared by the flooder, both daemons and iperf3."
	echo "Re-handshake: the client drops its session (peer removed and added again) and pings;"
	echo "the time until \`wg show latest-handshakes\` changes (polled every ~20 ms), $REHS tries in a row."
	echo "Targets (issue 11), informational: >= 80% of the throughput under each flood, a"
	echo "re-handshake within 2 s under the valid-MAC1 flood, bounded memory."
	echo
} | emit
exit 0
