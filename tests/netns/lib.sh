# Shared helpers for the network-namespace tests. Source it; it installs a cleanup trap
# that removes every namespace and process the test created, also on failure.
# Namespaces are named "$NS_PREFIX-<name>" with a per-run unique prefix.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WGR="${WGROUTER_BIN:-$ROOT/build/wgrouter}" # make check-sanitize: a sanitized build
NS_PREFIX="wgt$$"
TESTNAME=$(basename "$0" .sh)
TMP=$(mktemp -d "/tmp/$TESTNAME.XXXXXX")
PIDS=()
NSLIST=()
FAILED=0
FAILS=0 # number of FAIL lines so far (a scenario can tell whether it failed)
# python3 for parsing JSON (iperf3 -J): the system one starts much faster than a shim
PY=$(command -v /usr/bin/python3 || command -v python3)

# Key files, configs and logs are private (wg warns about world-readable key files).
umask 077

. "$ROOT/tests/netns/teardown.sh"

# On exit: teardown, then the temporary directory goes, unless WGT_KEEP=1 (then its path,
# with the daemons' logs, is printed).
cleanup() {
	# also namespaces of this run that a subshell created (not in this shell's NSLIST)
	local n
	for n in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		[[ $n == "$NS_PREFIX-"* ]] && NSLIST+=("$n")
	done
	teardown
	if [ "${WGT_KEEP:-0}" = 1 ]; then echo "logs kept in $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
# interrupted (or killed by the runner's timeout): stop here; the EXIT trap cleans up
trap 'echo "FAIL $TESTNAME:interrupted"; exit 1' INT TERM

pass() { echo "PASS $TESTNAME:$1"; }
fail() { echo "FAIL $TESTNAME:$1${2:+ ($2)}"; FAILED=1; FAILS=$((FAILS + 1)); }
# check NAME CMD...: PASS if the command succeeds.
check() { local name=$1; shift; if "$@" >"$TMP/check.out" 2>&1; then pass "$name"; else fail "$name" "$(tail -3 "$TMP/check.out" | tr '\n' ' ')"; fi; }

ns() { echo "$NS_PREFIX-$1"; }
nsx() { local n; n=$(ns "$1"); shift; ip netns exec "$n" "$@"; }
mkns() {
	local n; n=$(ns "$1")
	ip netns add "$n" && NSLIST+=("$n")
	ip -n "$n" link set lo up
}
# link A DEV_A B DEV_B ADDR_A ADDR_B [ADDR6_A ADDR6_B]: a veth pair between two
# namespaces, created directly inside them (never in the root namespace).
link() {
	local a=$1 da=$2 b=$3 db=$4
	ip link add "$da" netns "$(ns "$a")" type veth peer name "$db" netns "$(ns "$b")"
	ip -n "$(ns "$a")" addr add "$5" dev "$da"
	ip -n "$(ns "$b")" addr add "$6" dev "$db"
	if [ $# -ge 8 ]; then
		ip -n "$(ns "$a")" addr add "$7" dev "$da" nodad
		ip -n "$(ns "$b")" addr add "$8" dev "$db" nodad
	fi
	ip -n "$(ns "$a")" link set "$da" up
	ip -n "$(ns "$b")" link set "$db" up
}

# Interface names are unique per run so the shared /var/run/wireguard never collides.
ifn() { echo "${NS_PREFIX}$1"; }

# start_wg IMPL NSNAME IFNAME: IMPL is "wgrouter" or "wireguard-go".
start_wg() {
	local impl=$1 n=$2 ifname=$3
	if [ "$impl" = wgrouter ]; then
		nsx "$n" env LOG_LEVEL=verbose "$WGR" userspace -f "$ifname" >"$TMP/$ifname.log" 2>&1 &
	else
		nsx "$n" env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 LOG_LEVEL=verbose \
			wireguard-go -f "$ifname" >"$TMP/$ifname.log" 2>&1 &
	fi
	PIDS+=($!)
	for _ in $(seq 50); do
		[ -S "/var/run/wireguard/$ifname.sock" ] && nsx "$n" ip link show "$ifname" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "interface $ifname did not come up ($impl)"; cat "$TMP/$ifname.log"
	return 1
}

genkeys() { # genkeys NAME: sets NAME_priv and NAME_pub
	local priv; priv=$(wg genkey)
	eval "$1_priv='$priv'"
	eval "$1_pub='$(echo "$priv" | wg pubkey)'"
}

# wait_for SECONDS CMD...: retries until the command succeeds.
wait_for() {
	local t=$1; shift
	for _ in $(seq $((t * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

# alive PID: the process exists and is not a zombie (a daemon that exited is reparented to
# PID 1, which may take its time to reap it)
alive() { local st; st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null); [ -n "$st" ] && [ "$st" != Z ]; }

# show_log IFNAME [LINES]: the tail of a daemon's log, indented, for a failure report.
show_log() {
	[ -f "$TMP/$1.log" ] || return 0
	tail -n "${2:-15}" "$TMP/$1.log" | sed "s/^/    | $1: /"
}

# tun_stat NS IFNAME COUNTER: a kernel counter of a device (rx_bytes, tx_packets, ...).
tun_stat() { nsx "$1" cat "/sys/class/net/$2/statistics/$3"; }

# peer_field NS IFNAME PUBKEY FIELD: one column of `wg show IFNAME FIELD` for one peer
# (FIELD: endpoints, transfer, latest-handshakes, allowed-ips, ...).
peer_field() { nsx "$1" wg show "$2" "$4" | awk -v k="$3" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; }

finish() { exit $FAILED; }

# router_daemon: a router daemon in namespace r (made here) with the state directory
# S=$TMP/state, checked as daemon_starts (the test ends if it does not start); the exit
# trap stops it (and waits a moment for it to let go) before the namespaces go.
router_daemon() {
	S=$TMP/state
	mkns r
	nsx r ip link set lo up
	nsx r "$WGR" daemon --state-dir "$S" --uapi-dir "$TMP/run" || { fail daemon_starts; finish; }
	pass daemon_starts
	trap 'stop_router_daemon; cleanup' EXIT
}
stop_router_daemon() { local p; p=$(cat "$S/wgrouter.pid" 2>/dev/null) && kill "$p" 2>/dev/null && sleep 0.3; }
