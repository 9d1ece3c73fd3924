#!/usr/bin/env bash
# Scaling with cores (issue 17, item 5): run.sh's wgrouter <-> wgrouter tunnel with 1 and
# 2 data-plane queues (WGROUTER_QUEUES: a TUN queue, a socket set and a tx and an rx
# thread each), and a base build for comparison when CORES_BASE names its binary (e.g.
# the main branch's build/wgrouter; CORES_BASE_NAME labels it). Per setup: one TCP
# stream, 4 TCP streams, UDP with 1392-byte payloads (packets per second received), and
# the CPU-seconds per GB of both ends during the single stream. The setups take turns, CORES_REPEAT (3) rounds; the
# table gives each figure's median and, in brackets, the rounds.
# More queues help where there are cores to spare: on 2 vCPUs, which both ends and
# iperf3 share, the point is that nothing gets slower.
# Usage: bench/cores.sh [QUEUES...] (default: 1 2). CORES_T (5) seconds per TCP test,
# CORES_TU (3) per UDP test. Prints markdown. A benchmark: never fails on a figure.
. "$(dirname "$0")/common.sh"
CT=${CORES_T:-5}
CTU=${CORES_TU:-3}
ROUNDS=${CORES_REPEAT:-3}
QUEUES=("$@")
[ ${#QUEUES[@]} -eq 0 ] && QUEUES=(1 2)
need_bins
OWN=$WGR
REC_FILE="$TMP/cores.tsv"
IPERF_LIMIT=$((CT + CTU + 20))

# one NAME BINARY QUEUES: one round of the three tests on a fresh tunnel
one() {
	local name=$1 line c0 c1
	WGR=$2
	export WGROUTER_QUEUES=$3
	if ! setup "$name" wgrouter wgrouter || ! iperf3_server "$TARGET"; then
		note "  $name: setup failed, skipped"
		bench_teardown
		return
	fi
	c0=$(( $(proc_cpu "$PA") + $(proc_cpu "$PB") ))
	line=$(iperf tcp1 -t "$CT")
	c1=$(( $(proc_cpu "$PA") + $(proc_cpu "$PB") ))
	rec "$name" tcp1 "$(calc "$(kv bps "$line") / 1e9")"
	rec "$name" cpu_gb "$(calc "($c1 - $c0) / $CLK_TCK / ($(kv bytes "$line") / 1e9 + 1e-9)")"
	line=$(iperf tcp4 -t "$CT" -P 4)
	rec "$name" tcp4 "$(calc "$(kv bps "$line") / 1e9")"
	line=$(iperf udp -t "$CTU" -u -b 0 -w 4M -l 1392)
	rec "$name" udp_kpps "$(calc "$(kv pps "$line") / 1e3")"
	note "  $name: $(awk -F'\t' -v n="$name" '$1 == n { print $2 "=" $3 }' "$TMP/cores.tsv" | tail -4 | tr '\n' ' ')"
	bench_teardown
	unset WGROUTER_QUEUES
}

# cell NAME METRIC: "median (a, b, c)" over the rounds
cell() {
	awk -F'\t' -v n="$1" -v m="$2" '$1 == n && $2 == m && $3 != "" { v[k++] = $3 }
		END {
			if (!k) { printf "-"; exit }
			for (i = 0; i < k; i++) { s[i] = v[i]; for (j = i; j > 0 && s[j - 1] > s[j]; j--) { t = s[j]; s[j] = s[j - 1]; s[j - 1] = t } }
			printf "%.2f (", (k % 2) ? s[int(k / 2)] : (s[k / 2 - 1] + s[k / 2]) / 2
			for (i = 0; i < k; i++) printf "%s%.2f", i ? ", " : "", v[i]
			printf ")"
		}' "$TMP/cores.tsv"
}

: >"$TMP/cores.tsv"
names=()
[ -n "${CORES_BASE:-}" ] && names+=(base)
for q in "${QUEUES[@]}"; do names+=("q$q"); done
for r in $(seq "$ROUNDS"); do
	note "cores: round $r of $ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))"
	for n in "${names[@]}"; do
		if [ "$n" = base ]; then one base "$CORES_BASE" 1; else one "$n" "$OWN" "${n#q}"; fi
	done
done
echo "## Scaling with cores (TCP ${CT} s, UDP ${CTU} s, ${ROUNDS} rounds, $(nproc) CPUs)"
echo
echo "| setup | TCP, 1 stream (Gbit/s) | TCP, 4 streams (Gbit/s) | UDP 1392 B (kpps received) | CPU-s per GB, both ends |"
echo "|---|---|---|---|---|"
for n in "${names[@]}"; do
	label="wgrouter, ${n#q} queue(s)"
	[ "$n" = base ] && label="${CORES_BASE_NAME:-base build}"
	echo "| $label | $(cell "$n" tcp1) | $(cell "$n" tcp4) | $(cell "$n" udp_kpps) | $(cell "$n" cpu_gb) |"
done
echo
echo "Medians, the rounds in brackets; the setups took turns. wgrouter <-> wgrouter on both ends"
echo "with WGROUTER_QUEUES set for both; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
