#!/usr/bin/env bash
# `make bench`: measures on this machine, back to back in one run, and prints markdown
# tables (also written to build/bench/results.md):
#
#   throughput  plain veth, Debian's wireguard-go on both ends, wgrouter on both ends,
#               and wgrouter against wireguard-go in both directions: one TCP stream,
#               4 TCP streams, UDP packets per second with 1392- and 64-byte payloads,
#               CPU time of each endpoint, ping latency through the tunnel. Ratios to
#               wireguard-go and to plain veth.
#   handshake   responder handshakes per second (bench/handshake.sh)
#   scale       100,000 peers and 1,000,000 allowed-IPs prefixes (bench/scale.sh)
#   flood       an established tunnel under handshake floods (bench/flood.sh)
#   profile     where the time of one TCP stream goes: perf of both ends (bench/profile.sh)
#   peers       256 peers with a stream each; the router receiving from 1, 16, 256 peers;
#               10,000 peers with keepalives, clients absent and answering (bench/peers.sh)
#   router_path LAN host -> router's firewall -> tunnel -> road warrior (bench/router_path.sh)
#   latency     ping percentiles and idle CPU: veth, wireguard-go, wgrouter (bench/latency.sh)
#   cores       1 and 2 data-plane queues, and CORES_BASE's binary if given (bench/cores.sh)
#
# Usage: bench/run.sh [throughput|handshake|scale|flood|profile|peers|router_path|latency|cores]...
#   (default: throughput handshake scale flood profile router_path latency cores; peers takes
#   about thirteen minutes and runs when named)
#   or BENCH="throughput handshake" make bench.
#   BENCH_T (5): seconds per TCP test; BENCH_TU (3): seconds per UDP test.
#   WGGO=/path/to/wireguard-go: the wireguard-go compared with (default Debian's).
#
# Setup (../shared/reference/performance.md): two namespaces joined by a veth pair,
# 192.0.2.1/24 <-> 192.0.2.2/24; a WireGuard implementation in each; tunnel addresses
# 10.9.0.1 <-> 10.9.0.2, MTU 1420; iperf3 client in the first namespace (the sending
# side), server in the second. Everything shares the machine's CPUs. "A → B" means A
# runs on the sending side. UDP payloads are 1392 bytes (1392 + 8 + 20 = 1420: the
# largest datagram the tunnel carries unfragmented) and 64 bytes.
#
# A benchmark, not a test: it reports what it measured and never fails on a figure.
# Nothing is done in the root namespace; an EXIT trap removes what the run created.
. "$(dirname "$0")/common.sh"
T=${BENCH_T:-5}
TU=${BENCH_TU:-3}
RESULTS="$ROOT/build/bench/results.md"
WHAT=("$@")
[ ${#WHAT[@]} -eq 0 ] && read -r -a WHAT <<<"${BENCH:-throughput handshake scale flood profile router_path latency cores}"
for w in "${WHAT[@]}"; do
	case $w in throughput|handshake|scale|flood|profile|peers|router_path|latency|cores) ;;
	*) echo "usage: $0 [throughput|handshake|scale|flood|profile|peers|router_path|latency|cores]..." >&2; exit 2 ;; esac
done
for tool in iperf3 "$WGGO" wg ping ip; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing (make deps)" >&2; exit 1; }
done
need_bins handshake handshake_client scale allowedips wake parallel flood
mkdir -p "$ROOT/build/bench"
export BENCH_OUT="$TMP/results.md"
: >"$BENCH_OUT"

# A child bench runs in the background so that an interruption reaches it (its own
# trap then removes its namespaces).
CHILD=""
trap 'echo "interrupted" >&2; [ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null && wait "$CHILD"; exit 130' INT TERM HUP
child() { "$@" & CHILD=$!; wait "$CHILD"; CHILD=""; }

emit() { tee -a "$BENCH_OUT"; }
REC_FILE="$TMP/results.tsv"
IPERF_LIMIT=$((T + TU + 20))

# measure SETUP IMPL_A IMPL_B
measure() {
	local name=$1 line c0a c0b t0 t1 c1a c1b
	note "throughput: $name ..."
	if ! setup "$@" || ! iperf3_server "$TARGET"; then
		note "  $name: setup failed, skipped"
		[ -n "${PA:-}" ] && sed 's/^/    a: /' "$TMP/$(ifn a).log" 2>/dev/null | tail -5 >&2
		bench_teardown
		return
	fi
	# latency first, on a quiet link
	timeout 30 ip netns exec "$(ns a)" ping -c 200 -i 0.01 -W 1 "$TARGET" >"$TMP/ping.txt" 2>&1
	line=$("$PY" "$ROOT/bench/report.py" ping "$TMP/ping.txt")
	rec "$name" ping_avg "$(kv avg_us "$line")"
	rec "$name" ping_p50 "$(kv p50_us "$line")"
	rec "$name" ping_p99 "$(kv p99_us "$line")"

	# one TCP stream, with the endpoints' CPU time
	if [ -n "$PA" ]; then c0a=$(proc_cpu "$PA"); c0b=$(proc_cpu "$PB"); fi
	t0=$(now_s)
	line=$(iperf tcp1 -t "$T")
	t1=$(now_s)
	if [ -n "$PA" ]; then c1a=$(proc_cpu "$PA"); c1b=$(proc_cpu "$PB"); fi
	note "  tcp 1 stream: $line"
	if [ -n "$(kv bps "$line")" ]; then
		rec "$name" tcp1 "$(calc "$(kv bps "$line") / 1e9")"
		rec "$name" tcp1_retr "$(kv retr "$line")"
		if [ -n "$PA" ]; then
			local wall; wall=$(calc "$t1 - $t0 - 0.5")
			rec "$name" cpu_a "$(calc "100 * ($c1a - $c0a) / $CLK_TCK / $wall")"
			rec "$name" cpu_b "$(calc "100 * ($c1b - $c0b) / $CLK_TCK / $wall")"
			rec "$name" cpu_gb "$(calc "(($c1a - $c0a) + ($c1b - $c0b)) / $CLK_TCK / ($(kv bytes "$line") / 1e9 + 1e-9)")"
		fi
	fi

	line=$(iperf tcp4 -t "$T" -P 4)
	note "  tcp 4 streams: $line"
	[ -n "$(kv bps "$line")" ] && rec "$name" tcp4 "$(calc "$(kv bps "$line") / 1e9")" && rec "$name" tcp4_retr "$(kv retr "$line")"

	line=$(iperf udpbig -t "$TU" -u -b 0 -w 4M -l 1392)
	note "  udp 1392: $line"
	if [ -n "$(kv pps "$line")" ]; then
		rec "$name" udpbig_kpps "$(calc "$(kv pps "$line") / 1e3")"
		rec "$name" udpbig_gbps "$(calc "$(kv payload_bps "$line") / 1e9")"
		rec "$name" udpbig_loss "$(kv lost_pct "$line")"
	fi
	line=$(iperf udpsmall -t "$TU" -u -b 0 -w 4M -l 64)
	note "  udp 64: $line"
	if [ -n "$(kv pps "$line")" ]; then
		rec "$name" udpsmall_kpps "$(calc "$(kv pps "$line") / 1e3")"
		rec "$name" udpsmall_loss "$(kv lost_pct "$line")"
	fi
	bench_teardown
}

# targets: the issue's figures, read from the results (informational).
targets() {
	awk -F'\t' '
		{ v[$1 "|" $2] = $3 }
		function has(k) { return (k in v) && v[k] != "" }
		END {
			print "Targets (issue 4), informational:"
			print ""
			if (has("wgr|tcp1")) {
				printf "- wgrouter ↔ wgrouter, 1 TCP stream: %.2f Gbit/s (target >= 3)", v["wgr|tcp1"]
				if (has("wggo|tcp1") && v["wggo|tcp1"] > 0)
					printf ", %.1fx Debian'"'"'s wireguard-go (target >= 7x)", v["wgr|tcp1"] / v["wggo|tcp1"]
				print ""
			}
			if (has("wgr|ping_p50") && has("veth|ping_p50"))
				printf "- wgrouter latency over plain veth: median %+.0f us, average %+.0f us (target within 50 us)\n",
					v["wgr|ping_p50"] - v["veth|ping_p50"], v["wgr|ping_avg"] - v["veth|ping_avg"]
		}' "$TMP/results.tsv"
}

throughput() {
	: >"$TMP/results.tsv"
	measure veth - -
	measure wggo wireguard-go wireguard-go
	measure wgr wgrouter wgrouter
	measure wgr_wggo wgrouter wireguard-go
	measure wggo_wgr wireguard-go wgrouter
	{
		echo "## Throughput, CPU and latency (TCP ${T} s, UDP ${TU} s per test)"
		echo
		"$PY" "$ROOT/bench/report.py" table "$TMP/results.tsv"
		echo
		echo "A → B: A is the sending side (iperf3 client), B the receiving side (iperf3 server)."
		echo "CPU: user + system time of each WireGuard process during the single-stream TCP test."
		echo "UDP: iperf3 -u -b 0 -w 4M (4 MB socket buffers for iperf3 itself, so that its own"
		echo "receiver is not what drops), packets the receiver got per second and the share lost."
		echo "Ping: 200 echo requests 10 ms apart through the tunnel (plain veth: over the veth)."
		echo
		targets
		echo
		"$BENCH_BIN/wake"
		"$BENCH_BIN/parallel"
	} | emit
}

{
	echo "# wgrouter benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Host: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), Linux $(uname -r);"
	echo "wgrouter $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?'), $(wggo_version), $(iperf3 --version 2>/dev/null | head -1 | cut -d' ' -f1-2)."
	echo "Load average at start: $(cut -d' ' -f1-3 /proc/loadavg). Shared machines are noisy: compare within one run."
	echo
} | emit

START=$(now_s)
for w in "${WHAT[@]}"; do
	case $w in
	throughput) throughput ;;
	handshake) child "$ROOT/bench/handshake.sh" all ;;
	scale) child "$ROOT/bench/scale.sh" ;;
	flood) child "$ROOT/bench/flood.sh" ;;
	profile) child "$ROOT/bench/profile.sh" "$TMP/profile.md" >/dev/null; emit <"$TMP/profile.md" ;;
	peers) child "$ROOT/bench/peers.sh" >"$TMP/peers.md"; emit <"$TMP/peers.md" ;;
	router_path) child "$ROOT/bench/router_path.sh" >"$TMP/router_path.md"; emit <"$TMP/router_path.md" ;;
	latency) child "$ROOT/bench/latency.sh" >"$TMP/latency.md"; emit <"$TMP/latency.md" ;;
	cores) child "$ROOT/bench/cores.sh" >"$TMP/cores.md"; emit <"$TMP/cores.md" ;;
	esac
done
echo "Whole run: $(calc "$(now_s) - $START" | cut -d. -f1) s." | emit
cp "$BENCH_OUT" "$RESULTS"
note "results written to ${RESULTS#"$ROOT"/}"
exit 0
