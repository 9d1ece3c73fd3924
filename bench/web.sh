#!/usr/bin/env bash
# The web page's load time (issue 15): Chromium (headless, in a client namespace) from
# the start of navigation to the peers table rendered, with 10 and with PEERS (1,000)
# peers, side by side in one run; each the median of 5 reloads of a logged-in tab (the
# page's own "peers-rendered" mark, tests/web/loadtime.py). The peers are written into
# the state file before the daemon starts (bench/add_peers.py).
# Usage: bench/web.sh [PEERS] (1000). Prints a markdown table.
. "$(dirname "$0")/common.sh"
N=${1:-1000}
[ -x /usr/bin/chromium ] && "$PY" -c 'import selenium' 2>/dev/null ||
	{ note "needs chromium, chromium-driver and python3-selenium (make deps)"; exit 1; }
mkns r && mkns c && veth_pair r c || exit 1
cli() { nsx r "$WGR" cli --state-dir "$1" "${@:2}"; }
stop() { kill "$(cat "$1/wgrouter.pid")"; while [ -e "$1/wgrouter.pid" ] && ! flock -n "$1/wgrouter.pid" true; do sleep 0.1; done; }

# measure PEERS: prints "peers rows median min max" (ms)
measure() {
	local s=$TMP/state$1
	nsx r "$WGR" daemon --state-dir "$s" --uapi-dir "$TMP/run$1" || return 1
	cli "$s" '/interface/wireguard/add name=wgb0 listen-port=51820' >/dev/null
	cli "$s" '/ip/address/add address=10.64.0.1/10 interface=wgb0' >/dev/null
	cli "$s" '/user/add name=bench group=full password="bench-secret"' >/dev/null
	cli "$s" '/ip/service/set www disabled=no' >/dev/null
	stop "$s"
	"$PY" "$ROOT/bench/add_peers.py" "$s/config.state" "$1" wgb0
	nsx r "$WGR" daemon --state-dir "$s" --uapi-dir "$TMP/run$1" || return 1
	sleep 1
	mkdir -p "$TMP/web"
	nsx c env HOME="$TMP/web" PYTHONPATH="$ROOT/tests/web" "$PY" "$ROOT/tests/web/loadtime.py" \
		http://192.0.2.1 bench:bench-secret "$TMP/web" "$1" 5
	stop "$s"
}
note "$(date +%T) 10 peers"; A=$(measure 10) || exit 1
note "$(date +%T) $N peers"; B=$(measure "$N") || exit 1
row() { set -- $1; echo "| $1 | $2 | $3 ms | $4-$5 ms |"; }
echo "| peers | rows on the first page | navigation to table laid out (median of 5) | range |"
echo "|---|---|---|---|"
row "$A"
row "$B"
echo
echo "target: < 1000 ms with 1,000 peers"
