#!/usr/bin/env bash
# Where the time goes (issue 17, item 1): one TCP stream through a wgrouter tunnel in
# run.sh's setup (namespaces a and b, veth 192.0.2.0/24, wgrouter userspace on both ends,
# tunnel 10.9.0.1 -> 10.9.0.2, MTU 1420, iperf3 client in a), three runs of PROFILE_T
# seconds each:
#   1. nothing attached: throughput, CPU-seconds per GB of each end (/proc/PID/stat);
#   2. `perf record -g` of each end (one file per end): self time per symbol, grouped
#      by bench/profile.py into crypto, copies/checksums, system calls, GSO/GRO, thread
#      hand-offs, locks, peer lookup, TUN, UDP/IP stack, other;
#   3. `perf stat -e raw_syscalls:sys_enter,syscalls:sys_enter_<each call the data plane
#      makes>` of each end: system calls per GB moved.
# Usage: bench/profile.sh [OUT.md]   (default build/bench/PROFILE.md; bench/PROFILE.md is
# one such run, committed). PROFILE_T (10) seconds per run. PROFILE_KEEP=DIR keeps the
# perf.data files there (then `perf report -i DIR/perf-a.data`).
# A benchmark: it reports what it measured and never fails on a figure.
. "$(dirname "$0")/common.sh"
OUT=${1:-$ROOT/build/bench/PROFILE.md}
PT=${PROFILE_T:-10}
for tool in iperf3 wg perf ip; do
	command -v "$tool" >/dev/null || { echo "profile: $tool is missing (make deps)" >&2; exit 1; }
done
need_bins
mkdir -p "$(dirname "$OUT")"
SYSCALLS="sendmmsg recvmmsg sendmsg recvmsg read write writev readv poll ppoll epoll_wait futex sched_yield timerfd_settime"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

if ! setup wgr wgrouter wgrouter || ! iperf3_server "$TARGET"; then
	note "profile: setup failed"; exit 1
fi

# run NAME: one iperf3 stream of PT seconds, JSON in $TMP/NAME.json, key=value line out.
run() {
	timeout $((PT + 20)) ip netns exec "$(ns a)" iperf3 -c "$TARGET" -t "$PT" -J >"$TMP/$1.json" 2>/dev/null
	"$PY" "$ROOT/bench/report.py" iperf "$TMP/$1.json"
	sleep 0.5
}

note "profile: plain run ($PT s)"
c0a=$(proc_cpu "$PA"); c0b=$(proc_cpu "$PB")
PLAIN=$(run plain)
c1a=$(proc_cpu "$PA"); c1b=$(proc_cpu "$PB")
GB=$(calc "$(kv bytes "$PLAIN") / 1e9")
CPU_A=$(calc "($c1a - $c0a) / $CLK_TCK / ($GB + 1e-9)")
CPU_B=$(calc "($c1b - $c0b) / $CLK_TCK / ($GB + 1e-9)")

note "profile: perf record -g of both ends"
PD=${PROFILE_KEEP:-$TMP}
mkdir -p "$PD"
perf record -q -g -p "$PA" -o "$PD/perf-a.data" -- sleep $((PT - 2)) 2>"$TMP/rec-a.err" &
RA=$!
perf record -q -g -p "$PB" -o "$PD/perf-b.data" -- sleep $((PT - 2)) 2>"$TMP/rec-b.err" &
RB=$!
sleep 0.5
REC=$(run rec) # perf starts 0.5 s in and stops ~1.5 s before the end: steady state only
wait "$RA" "$RB"

note "profile: perf stat of the system calls of both ends"
EV="raw_syscalls:sys_enter"
for s in $SYSCALLS; do
	perf list 2>/dev/null | grep -q "syscalls:sys_enter_$s " && EV="$EV,syscalls:sys_enter_$s"
done
perf stat -x, -e "$EV" -p "$PA" -o "$TMP/stat-a.csv" &
SA=$!
perf stat -x, -e "$EV" -p "$PB" -o "$TMP/stat-b.csv" &
SB=$!
sleep 0.3
STAT=$(run stat)
kill -INT "$SA" "$SB"; wait "$SA" "$SB" 2>/dev/null
GB_STAT=$(calc "$(kv bytes "$STAT") / 1e9")

for e in a b; do
	perf report -i "$PD/perf-$e.data" --no-children --sort dso,sym --stdio -q -g none \
		--percent-limit 0.01 2>/dev/null >"$TMP/report-$e.txt"
done

{
	echo "# Where the time goes: one TCP stream through a wgrouter tunnel"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), Linux $(uname -r),"
	echo "wgrouter $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?'); load average before: $LOAD0, after: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "Made by \`bench/profile.sh\` (redo: \`bench/profile.sh bench/PROFILE.md\`, or \`bench/run.sh profile\`)."
	echo
	echo "Setup: run.sh's (two namespaces, veth, wgrouter userspace on both ends, MTU 1420),"
	echo "\`iperf3 -c 10.9.0.2 -t $PT\` from a (end **a**, the sender: TUN read, seal, UDP send)"
	echo "to b (end **b**, the receiver: UDP receive, open, TUN write); three runs of $PT s."
	echo
	echo "## Throughput and CPU per GB"
	echo
	echo "| run | Gbit/s | retransmits | CPU-s per GB, a | CPU-s per GB, b | both |"
	echo "|---|---|---|---|---|---|"
	echo "| nothing attached | $(calc "$(kv bps "$PLAIN") / 1e9") | $(kv retr "$PLAIN") | $CPU_A | $CPU_B | $(calc "$CPU_A + $CPU_B") |"
	echo "| under perf record -g | $(calc "$(kv bps "$REC") / 1e9") | $(kv retr "$REC") | | | |"
	echo "| under perf stat (syscalls) | $(calc "$(kv bps "$STAT") / 1e9") | $(kv retr "$STAT") | | | |"
	echo
	echo "CPU is user + system time of the wgrouter process (all its threads), kernel work"
	echo "done in its system calls included; softirq work the kernel does on other"
	echo "threads' time (the veth, iperf3's TCP) is not in it."
	echo
	"$PY" "$ROOT/bench/profile.py" groups "$TMP/report-a.txt" "$TMP/report-b.txt"
	echo
	"$PY" "$ROOT/bench/profile.py" syscalls "$TMP/stat-a.csv" "$TMP/stat-b.csv" "$GB_STAT"
	echo
	"$PY" "$ROOT/bench/profile.py" top "$TMP/report-a.txt" "$TMP/report-b.txt" 25
	echo
	echo "## Commands"
	echo
	echo '```sh'
	echo "perf record -g -p \$PID_A -o perf-a.data -- sleep $((PT - 2))   # and the same for b, during iperf3"
	echo "perf report -i perf-a.data --no-children --sort dso,sym --stdio -g none"
	echo "perf stat -x, -e $EV -p \$PID_A"
	echo '```'
} >"$OUT"
cat "$OUT"
note "written to ${OUT#"$ROOT"/}"
