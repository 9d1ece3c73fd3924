#!/usr/bin/env bash
# Latency through the tunnel and the CPU of an idle tunnel (issue 17, item 2): run.sh's
# setup (two namespaces, a veth pair, 10.9.0.1 <-> 10.9.0.2), for plain veth, wireguard-go
# on both ends ($WGGO: issue 17 compares with wireguard-go of December 2023, built by
# bench/wggo2023.sh) and wgrouter on both ends, one after the other in one run:
#   - LAT_PINGS (1000) echo requests LAT_INTERVAL (0.01) s apart from a to b: median, 90th
#     and 99th percentile of the round trip;
#   - each end's user + system CPU time while the pings ran, as % of one core (what a
#     tunnel that polled or spun for answers would pay shows here);
#   - then BENCH_IDLE (10) s with no traffic at all: each end's user + system CPU time
#     (/proc/PID/stat) as % of one core. Measured right after the pings, so a poller that
#     kept spinning once traffic stopped would show here.
# The last row is wgrouter's round trip over wireguard-go's, against the target (<= 0.5x).
# Usage: bench/latency.sh (also bench/run.sh latency). LAT_ONLY="veth wggo wgr" (a subset
# measures only those, e.g. to alternate two builds with WGROUTER_BIN). Prints markdown.
# A benchmark: it reports what it measured and never fails on a figure.
. "$(dirname "$0")/common.sh"
PINGS=${LAT_PINGS:-1000}
# 10 ms apart: below that, iputils ping waits between requests by busy-polling, which
# takes a whole CPU of the two away from the tunnel and spares ping's own wake-up for
# the reply (measured: -i 0.005 used 2.0 CPU-seconds in 2.0 s, -i 0.01 0.01).
INTERVAL=${LAT_INTERVAL:-0.01}
IDLE=${BENCH_IDLE:-10}
need_bins
REC_FILE="$TMP/latency.tsv"

# measure NAME IMPL_A IMPL_B
measure() {
	local name=$1 line c0a c0b c1a c1b
	note "latency: $name ..."
	if ! setup "$@"; then
		note "  $name: setup failed, skipped"
		bench_teardown
		return
	fi
	nsx a ping -c 20 -i 0.01 -W 1 "$TARGET" >/dev/null 2>&1 # warm: ARP, caches, the session
	local b0a b0b t0; t0=$(now_s)
	[ -n "$PA" ] && { b0a=$(proc_cpu "$PA"); b0b=$(proc_cpu "$PB"); }
	timeout $((PINGS / 50 + 60)) ip netns exec "$(ns a)" \
		ping -c "$PINGS" -i "$INTERVAL" -W 1 "$TARGET" >"$TMP/$name.ping" 2>&1
	if [ -n "$PA" ]; then # what each end spent while the pings ran
		local w; w=$(calc "$(now_s) - $t0")
		rec "$name" busy_a "$(calc "100 * ($(proc_cpu "$PA") - $b0a) / $CLK_TCK / $w")"
		rec "$name" busy_b "$(calc "100 * ($(proc_cpu "$PB") - $b0b) / $CLK_TCK / $w")"
	fi
	line=$("$PY" "$ROOT/bench/report.py" ping "$TMP/$name.ping")
	note "  $line"
	for k in p50 p90 p99; do rec "$name" "ping_$k" "$(kv "${k}_us" "$line")"; done
	rec "$name" ping_n "$(kv n "$line")"
	if [ -n "$PA" ]; then
		c0a=$(proc_cpu "$PA"); c0b=$(proc_cpu "$PB")
		sleep "$IDLE"
		c1a=$(proc_cpu "$PA"); c1b=$(proc_cpu "$PB")
		rec "$name" idle_a "$(calc "100 * ($c1a - $c0a) / $CLK_TCK / $IDLE")"
		rec "$name" idle_b "$(calc "100 * ($c1b - $c0b) / $CLK_TCK / $IDLE")"
	fi
	bench_teardown
}

: >"$TMP/latency.tsv"
for m in ${LAT_ONLY:-veth wggo wgr}; do
	case $m in
	veth) measure veth - - ;;
	wggo) measure wggo wireguard-go wireguard-go ;;
	wgr) measure wgr wgrouter wgrouter ;;
	esac
done
echo "## Latency and idle CPU (issue 17, item 2)"
echo
echo "wireguard-go: $(wggo_version). Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
"$PY" "$ROOT/bench/report.py" latency "$TMP/latency.tsv"
echo
echo "Ping: $PINGS echo requests ${INTERVAL} s apart through the tunnel (plain veth: over the"
echo "veth), after 20 to warm up. CPU during the pings: user + system time of each end while"
echo "they ran. Idle CPU: user + system time of each end over the ${IDLE} s"
echo "right after the pings, with no traffic (resolution $(calc "100 / $CLK_TCK / $IDLE")%)."
