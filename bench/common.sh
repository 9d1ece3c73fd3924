# Shared by the bench scripts (source it). Everything a bench creates lives in network
# namespaces named "$NS_PREFIX-<name>" (unique per run): the root namespace's links,
# addresses and routes are never touched. An EXIT trap stops every process the bench
# started and deletes its namespaces, also on failure or interruption.
# (Ideas from tests/netns/lib.sh, kept separate so the benches do not follow the
# tests' pass/fail conventions.)
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WGR="${WGROUTER_BIN:-$ROOT/build/wgrouter}" # another build to compare with
# The wireguard-go compared with: Debian's unless WGGO names another build (issue 17
# compares with wireguard-go of December 2023: bench/wggo2023.sh builds it).
WGGO="${WGGO:-$(command -v wireguard-go || echo wireguard-go)}"
BENCH_BIN="$ROOT/build/bench"
NS_PREFIX="wgb$$"
TMP=$(mktemp -d "/tmp/wgbench.XXXXXX")
PIDS=()
NSLIST=()
PY=$(command -v /usr/bin/python3 || command -v python3)
umask 077

. "$ROOT/tests/netns/teardown.sh"
# The bench scripts name it bench_teardown.
bench_teardown() { teardown; }
bench_cleanup() {
	bench_teardown
	if [ "${WGB_KEEP:-0}" = 1 ]; then echo "logs kept in $TMP" >&2; else rm -rf "$TMP"; fi
}
trap bench_cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM HUP

note() { echo "$*" >&2; }

ns() { echo "$NS_PREFIX-$1"; }
nsx() { local n; n=$(ns "$1"); shift; ip netns exec "$n" "$@"; }
mkns() {
	local n; n=$(ns "$1")
	ip netns add "$n" || return 1
	NSLIST+=("$n")
	ip -n "$n" link set lo up
}
# veth_pair A B: namespaces A and B joined by a veth pair (eth0 in each), created
# directly inside them, 192.0.2.1/24 in A and 192.0.2.2/24 in B (TEST-NET-1).
veth_pair() {
	ip link add eth0 netns "$(ns "$1")" type veth peer name eth0 netns "$(ns "$2")" || return 1
	ip -n "$(ns "$1")" addr add 192.0.2.1/24 dev eth0
	ip -n "$(ns "$2")" addr add 192.0.2.2/24 dev eth0
	ip -n "$(ns "$1")" link set eth0 up
	ip -n "$(ns "$2")" link set eth0 up
}

# Interface names are unique per run: the UAPI sockets in /var/run/wireguard are shared.
ifn() { echo "${NS_PREFIX}$1"; }

# wggo_version: which wireguard-go the results compare with, for their header.
wggo_version() { local v; v=$("$WGGO" --version 2>/dev/null | head -1); echo "${v:-wireguard-go ?} ($WGGO)"; }

# start_wg IMPL NS IFNAME: IMPL is wgrouter or wireguard-go ($WGGO); sets WG_PID to the
# daemon's process id (ip netns exec and env exec, so $! is the daemon itself; a shell
# function in the background would be a subshell with a pid of its own).
start_wg() {
	local impl=$1 n=$2 ifname=$3
	if [ "$impl" = wgrouter ]; then
		ip netns exec "$(ns "$n")" env LOG_LEVEL=error "$WGR" userspace -f "$ifname" \
			>"$TMP/$ifname.log" 2>&1 &
	else
		ip netns exec "$(ns "$n")" env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
			LOG_LEVEL=error "$WGGO" -f "$ifname" >"$TMP/$ifname.log" 2>&1 &
	fi
	WG_PID=$!
	PIDS+=("$WG_PID")
	for _ in $(seq 50); do
		[ -S "/var/run/wireguard/$ifname.sock" ] && nsx "$n" ip link show "$ifname" >/dev/null 2>&1 && return 0
		kill -0 "$WG_PID" 2>/dev/null || break
		sleep 0.1
	done
	note "interface $ifname did not come up ($impl):"
	sed 's/^/    /' "$TMP/$ifname.log" >&2
	return 1
}

# kv KEY "k=v k=v ...": the value of KEY in report.py's key=value line.
kv() { echo "$2" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }
# calc EXPR: awk arithmetic, three decimals.
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
# rec SETUP METRIC VALUE: one result line for report.py, appended to $REC_FILE.
rec() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"${REC_FILE:?}"; }
# iperf NAME ARGS...: one iperf3 client run from a to $TARGET (at most IPERF_LIMIT s,
# default 60); prints report.py's key=value line.
iperf() {
	local f="$TMP/$1.json"; shift
	timeout "${IPERF_LIMIT:-60}" ip netns exec "$(ns a)" iperf3 -c "$TARGET" -J "$@" >"$f" 2>/dev/null
	"$PY" "$ROOT/bench/report.py" iperf "$f"
	sleep 0.5 # let queues drain between tests
}

# proc_cpu PID: user + system CPU time of a process so far, in clock ticks.
proc_cpu() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK=$(getconf CLK_TCK)
# proc_rss_kb PID: resident set size in kB.
proc_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# now_s: monotonic-ish seconds with nanoseconds, for timing shell steps.
# iperf3_server ADDR: iperf3 -s in namespace b bound to ADDR, back once it listens.
iperf3_server() {
	ip netns exec "$(ns b)" iperf3 -s -B "$1" >/dev/null 2>&1 &
	PIDS+=($!)
	for _ in $(seq 30); do
		nsx b ss -ltn 2>/dev/null | grep -q ":5201 " && return 0
		sleep 0.1
	done
	return 1
}

now_s() { date +%s.%N; }

# need_bins NAME...: builds the bench binaries if they are missing (outside make bench).
need_bins() {
	local missing=()
	for b in "$@"; do [ -x "$BENCH_BIN/$b" ] || missing+=("build/bench/$b"); done
	[ -x "$WGR" ] || missing+=(build/wgrouter)
	[ ${#missing[@]} -eq 0 ] || make -C "$ROOT" --no-print-directory "${missing[@]}" >&2
}

# setup NAME IMPL_A IMPL_B (run.sh, profile.sh, flood.sh): namespaces a and b; with IMPL
# "-" no tunnel. Sets TARGET, the daemons' pids PA, PB (empty without a tunnel), the
# interfaces IA, IB and the public keys KA, KB.
setup() {
	local ia=$2 ib=$3
	PA="" PB="" TARGET=192.0.2.2
	mkns a && mkns b && veth_pair a b || return 1
	[ "$ia" = - ] && return 0
	IA=$(ifn a) IB=$(ifn b)
	start_wg "$ia" a "$IA" || return 1; PA=$WG_PID
	start_wg "$ib" b "$IB" || return 1; PB=$WG_PID
	wg genkey >"$TMP/a.key"; wg genkey >"$TMP/b.key"
	KA=$(wg pubkey <"$TMP/a.key"); KB=$(wg pubkey <"$TMP/b.key")
	nsx a wg set "$IA" private-key "$TMP/a.key" listen-port 51820 \
		peer "$KB" endpoint 192.0.2.2:51820 allowed-ips 10.9.0.2/32 || return 1
	nsx b wg set "$IB" private-key "$TMP/b.key" listen-port 51820 \
		peer "$KA" endpoint 192.0.2.1:51820 allowed-ips 10.9.0.1/32 || return 1
	nsx a ip addr add 10.9.0.1/24 dev "$IA"; nsx b ip addr add 10.9.0.2/24 dev "$IB"
	nsx a ip link set "$IA" mtu 1420 up; nsx b ip link set "$IB" mtu 1420 up
	TARGET=10.9.0.2
	for _ in $(seq 10); do nsx a ping -c 1 -W 1 "$TARGET" >/dev/null 2>&1 && return 0; done
	note "  no handshake through the tunnel"
	return 1
}
