#!/usr/bin/env bash
# 100,000 peers on one interface, each with one /32 allowed IP, configured through the
# UAPI socket by `wg setconf` into a daemon running in a namespace of its own:
# resident memory per peer (VmRSS before and after), the time `wg setconf` takes, the
# time `wg show IF` takes to list them. wgrouter, then Debian's wireguard-go for
# comparison (each step capped by SCALE_TIMEOUT seconds). Then the same peers through
# the core API in-process (build/bench/scale core) and allowed-IPs lookups with
# 1,000,000 prefixes (build/bench/allowedips). Prints markdown; appends to $BENCH_OUT.
#
# Usage: bench/scale.sh [PEERS]      (default 100000)
#   SCALE_WGGO=0 skips wireguard-go; SCALE_TIMEOUT (60) caps each wireguard-go step;
#   SCALE_PREFIXES (1000000) sizes the allowed-IPs table.
# A benchmark, not a test: it reports what it measured and never fails on a figure.
. "$(dirname "$0")/common.sh"
N=${1:-100000}
PREFIXES=${SCALE_PREFIXES:-1000000}
TIMEOUT=${SCALE_TIMEOUT:-60}
OUT=${BENCH_OUT:-/dev/null}
need_bins scale allowedips
emit() { tee -a "$OUT"; }

# timed SECONDS_CAP CMD...: runs CMD (its output to /dev/null), prints the seconds it
# took, or "timeout"/"failed".
timed() {
	local cap=$1 t0 t1 rc; shift
	t0=$(now_s)
	timeout "$cap" "$@" >/dev/null; rc=$?
	t1=$(now_s)
	if [ $rc -eq 124 ]; then echo "timeout"
	elif [ $rc -ne 0 ]; then echo "failed"
	else awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
	fi
}

# daemon IMPL: loads the peers into a fresh daemon of kind IMPL; sets R_* results.
daemon() {
	local impl=$1 cap=$2 IF pid
	R_RSS0=0 R_RSS1=0 R_RSS2=0 R_SET=- R_SHOW=- R_COUNT=0 R_ERR=""
	mkns s || return 1
	IF=$(ifn s)
	start_wg "$impl" s "$IF" || return 1
	pid=$WG_PID
	{ printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n\n' "$(wg genkey)"; cat "$TMP/peers.conf"; } >"$TMP/full.conf"
	nsx s ip link set "$IF" up
	sleep 0.2
	R_RSS0=$(proc_rss_kb "$pid")
	R_SET=$(timed "$cap" ip netns exec "$(ns s)" wg setconf "$IF" "$TMP/full.conf" 2>"$TMP/set.err")
	R_RSS1=$(proc_rss_kb "$pid")
	# After a timeout the daemon keeps what it had applied: count and list that.
	R_SHOW=$(timed "$cap" ip netns exec "$(ns s)" wg show "$IF")
	R_RSS2=$(proc_rss_kb "$pid")
	R_COUNT=$(timeout "$cap" ip netns exec "$(ns s)" wg show "$IF" peers | wc -l)
	R_ERR=$(head -c 300 "$TMP/set.err" | tr '\n' ' ')
	bench_teardown
}

note "scale: writing $N peers ..."
"$BENCH_BIN/scale" conf "$N" >"$TMP/peers.conf" || { note "scale conf failed"; exit 1; }

impls=(wgrouter)
[ "${SCALE_WGGO:-1}" = 1 ] && impls+=(wireguard-go)
declare -A SET SHOW RSS0 RSS1 RSS2 COUNT ERR
for impl in "${impls[@]}"; do
	note "scale: $N peers into $impl ..."
	daemon "$impl" "$TIMEOUT" || { bench_teardown; note "scale: $impl did not start"; }
	SET[$impl]=$R_SET SHOW[$impl]=$R_SHOW RSS0[$impl]=$R_RSS0 RSS1[$impl]=$R_RSS1 RSS2[$impl]=$R_RSS2 COUNT[$impl]=$R_COUNT ERR[$impl]=$R_ERR
done

note "scale: $N peers through the core API ..."
core_line=$("$BENCH_BIN/scale" core "$N" 2>&1)

note "scale: allowed-IPs table of $PREFIXES prefixes ..."
aip_out=$("$BENCH_BIN/allowedips" "$PREFIXES" 2>&1)

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
per_peer() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { if (n > 0) printf "%.0f", (b - a) * 1024 / n; else printf "-" }'; }
{
	echo "## $N peers on one interface (one /32 allowed IP each, configured with wg setconf)"
	echo
	printf '| figure |'; for i in "${impls[@]}"; do printf ' %s |' "$i"; done; echo " target (wgrouter) |"
	printf '|---|'; for i in "${impls[@]}"; do printf -- '---|'; done; echo "---|"
	printf '| peers listed by wg show |'; for i in "${impls[@]}"; do printf ' %s |' "${COUNT[$i]}"; done; echo " $N |"
	printf '| wg setconf (s) |'; for i in "${impls[@]}"; do printf ' %s |' "${SET[$i]}"; done; echo " < 5 |"
	printf '| wg show IF > /dev/null (s) |'; for i in "${impls[@]}"; do printf ' %s |' "${SHOW[$i]}"; done; echo " < 1 |"
	printf '| resident before (MB) |'; for i in "${impls[@]}"; do printf ' %s |' "$(mb "${RSS0[$i]}")"; done; echo " |"
	printf '| resident with the peers (MB) |'; for i in "${impls[@]}"; do printf ' %s |' "$(mb "${RSS1[$i]}")"; done; echo " < 100 |"
	printf '| resident after wg show (MB) |'; for i in "${impls[@]}"; do printf ' %s |' "$(mb "${RSS2[$i]}")"; done; echo " |"
	printf '| resident bytes per peer |'; for i in "${impls[@]}"; do printf ' %s |' "$(per_peer "${RSS0[$i]}" "${RSS1[$i]}" "${COUNT[$i]}")"; done; echo " |"
	echo
	echo "Resident memory is VmRSS of the daemon before and after \`wg setconf\`; per peer is the"
	echo "difference divided by the peers it then lists. Each wg step is capped at $TIMEOUT s:"
	echo "\"timeout\" means \`wg setconf\` was stopped there and the other rows describe the peers"
	echo "applied by then."
	for i in "${impls[@]}"; do
		[ -n "${ERR[$i]}" ] && echo "$i: wg setconf said: ${ERR[$i]}"
	done
	echo
	if [ -n "$(kv peers "$core_line")" ]; then
		echo "Core API in-process, $(kv peers "$core_line") peers: added in $(kv add_seconds "$core_line") s"
		echo "($(kv add_per_s "$core_line") peers/s; the static-static X25519 of a peer waits for its first"
		echo "handshake), $(kv heap_per_peer_bytes "$core_line") heap bytes per peer with its allowed IP, all removed in"
		echo "$(kv remove_all_seconds "$core_line") s."
	else
		echo "Core API in-process: $core_line"
	fi
	echo
	echo "## Allowed-IPs lookups with $PREFIXES prefixes (core API, one core; build/bench/allowedips)"
	echo
	echo '```'
	echo "$aip_out"
	echo '```'
	echo
} | emit
exit 0
