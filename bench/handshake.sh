#!/usr/bin/env bash
# Responder handshakes per second: through the core API (build/bench/handshake), then
# over real sockets: a responder daemon (wgrouter, and Debian's wireguard-go for
# comparison) in one namespace knows KEYS initiator identities; build/bench/handshake_client
# in another namespace sends it real initiations from all of them over a veth pair and
# counts the responses. Prints markdown tables; appends them to $BENCH_OUT if set.
#
# Usage: bench/handshake.sh [core|sockets|all]     (default all)
#   HS_KEYS (2000) HS_ROUNDS (8) HS_WINDOW (8) HS_SECONDS (5) tune the socket run.
# A benchmark, not a test: it reports what it measured and never fails on a figure.
. "$(dirname "$0")/common.sh"
what=${1:-all}
KEYS=${HS_KEYS:-2000}
ROUNDS=${HS_ROUNDS:-8}
WINDOW=${HS_WINDOW:-8}
SECONDS_RUN=${HS_SECONDS:-5}
OUT=${BENCH_OUT:-/dev/null}

need_bins handshake handshake_client

emit() { tee -a "$OUT"; }

core() {
	"$BENCH_BIN/handshake" 1000 8 | emit
	echo | emit
}

# kv KEY LINE: the value of KEY in a "k=v k=v" line.

# one IMPL WINDOW SECONDS: a fresh pair of namespaces, a responder of kind IMPL, one client run.
# Prints the client's key=value line (nothing if the setup failed). Not to be run in a
# subshell: the namespaces and processes it makes must be known to the EXIT trap.
one() {
	local impl=$1 window=$2 secs=$3
	mkns c && mkns r && veth_pair c r || return 1
	local IF; IF=$(ifn r)
	start_wg "$impl" r "$IF" || return 1
	local pid=$WG_PID priv pub
	priv=$(wg genkey); pub=$(echo "$priv" | wg pubkey)
	{
		printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n' "$priv"
		"$BENCH_BIN/handshake_client" peers "$KEYS" 1
	} >"$TMP/resp.conf"
	nsx r wg setconf "$IF" "$TMP/resp.conf" || return 1
	nsx r ip addr add 10.9.0.2/24 dev "$IF"
	nsx r ip link set "$IF" mtu 1420 up
	nsx c "$BENCH_BIN/handshake_client" run "$pub" 192.0.2.2 51820 -k "$KEYS" -r "$ROUNDS" \
		-w "$window" -d "$secs" -p "$pid" -s 1 2>"$TMP/client.err"
	[ -s "$TMP/client.err" ] && sed 's/^/    client: /' "$TMP/client.err" >&2
	bench_teardown
}

sockets() {
	local impls=(wgrouter wireguard-go) res=() impl line
	for impl in "${impls[@]}"; do
		note "handshake over sockets: $impl responder, window $WINDOW ..."
		one "$impl" "$WINDOW" "$SECONDS_RUN" >"$TMP/res" || { bench_teardown; : >"$TMP/res"; }
		res+=("$(cat "$TMP/res")")
	done
	note "handshake over sockets: wgrouter responder flooded ..."
	local flood
	one wgrouter 0 2 >"$TMP/res" || { bench_teardown; : >"$TMP/res"; }
	flood=$(cat "$TMP/res")
	{
		echo "## Responder handshakes over real sockets (veth between two namespaces)"
		echo
		echo "$KEYS initiator identities, up to $WINDOW initiations in flight, up to ${SECONDS_RUN} s. The"
		echo "client keeps the responder out of its under-load state: on a cookie reply it waits"
		echo "1.3 s and shrinks its window (\"in flight\" shows the window it ended with). The client"
		echo "shares the machine's CPUs with the responder; \"per CPU-second\" divides by the"
		echo "responder process's own CPU time."
		echo
		echo "| responder | handshakes/s | per responder CPU-second | responder CPU | in flight | avg handshake RTT (us) | answered / sent |"
		echo "|---|---|---|---|---|---|---|"
		local i wgr_rate="" wgo_rate=""
		for i in "${!impls[@]}"; do
			line=${res[$i]}
			if [ -z "$line" ]; then echo "| ${impls[$i]} | setup failed | | | | | |"; continue; fi
			local rate cpu secs
			rate=$(kv responses_per_s "$line"); cpu=$(kv responder_cpu_s "$line"); secs=$(kv seconds "$line")
			[ "${impls[$i]}" = wgrouter ] && wgr_rate=$rate || wgo_rate=$rate
			printf '| %s | %s | %s | %s%% | %s | %s | %s / %s |\n' "${impls[$i]}" "$rate" \
				"$(kv replies_per_cpu_s "$line")" \
				"$(awk -v c="$cpu" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? 100 * c / s : 0) }')" \
				"$(kv window "$line")" \
				"$(kv avg_latency_us "$line")" "$(kv responses "$line")" "$(kv sent "$line")"
		done
		if [ -n "$wgr_rate" ] && [ -n "$wgo_rate" ]; then
			awk -v a="$wgr_rate" -v b="$wgo_rate" 'BEGIN { if (b > 0) printf "| wgrouter / wireguard-go | %.2fx | | | | | |\n", a / b }'
		fi
		echo
		if [ -n "$flood" ]; then
			echo "Flood (no window, wgrouter responder): $(kv sent "$flood") initiations in $(kv seconds "$flood") s;"
			echo "$(kv responses "$flood") handshake responses, $(kv cookies "$flood") cookie replies ($(kv cookies_per_s "$flood")/s),"
			echo "$(kv replies_per_cpu_s "$flood") replies per responder CPU-second. Under load a responder answers"
			echo "initiations without a valid cookie MAC with a cookie reply, as the protocol requires."
			echo
		fi
	} | emit
}

case $what in
core) core ;;
sockets) sockets ;;
all) core; sockets ;;
*) echo "usage: $0 [core|sockets|all]" >&2; exit 2 ;;
esac
exit 0
