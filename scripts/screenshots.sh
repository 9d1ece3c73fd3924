#!/usr/bin/env bash
# `make screenshots`: the web page's main views as PNGs in docs/screenshots/, taken by
# headless Chromium (tests/web/screenshots.py) from a router in a network namespace
# with a few peers, one of them a real client (wireguard-go) sending traffic so the
# page shows a peer online with live rates. Needs root; everything it creates is
# removed on exit (tests/netns/lib.sh).
. "$(dirname "$0")/../tests/netns/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "make screenshots needs root (network namespaces)" >&2; exit 1; }
OUT=${SCREENSHOTS_DIR:-$ROOT/docs/screenshots}
S=$TMP/state
WG=wg0 WC=$(ifn k)
mkns r; mkns c
link r "$(ifn a)" c "$(ifn b)" 192.0.2.1/24 192.0.2.2/24
nsx r "$WGR" daemon --state-dir "$S" --uapi-dir "$TMP/run" || exit 1
stop_daemon() { local p; p=$(cat "$S/wgrouter.pid" 2>/dev/null) && kill "$p" 2>/dev/null; }
trap 'stop_daemon; cleanup' EXIT
cli() { (cd "$TMP" && nsx r "$WGR" cli --state-dir "$S" "$@") >/dev/null; }
cli '/system/identity/set name=office-gw'
cli '/user/add name=admin2 group=full password="screenshots"'
cli '/user/group/add name=viewers policy=read,web,rest-api'
cli '/user/add name=viewer group=viewers password="screenshots"'
cli '/ip/service/set www disabled=no'
cli "/interface/wireguard/add name=$WG listen-port=51820"
cli "/ip/address/add address=10.9.0.1/24 interface=$WG"
cli "/interface/wireguard/peers/add interface=$WG name=laptop private-key=auto preshared-key=auto allowed-address=10.9.0.2/32 client-endpoint=192.0.2.1 comment=\"Anna's laptop\""
for n in phone tablet nas; do
	cli "/interface/wireguard/peers/add interface=$WG name=$n private-key=auto allowed-address=10.9.0.$((3 + ${#n}))/32"
done
cli "/interface/wireguard/peers/set [find name=nas] disabled=yes"
cli '/interface/wireguard/peers/set [find name=phone] expires="2027-06-30 23:59:00" quota-total=20G quota-period=month'
cli '/interface/wireguard/peers/set [find name=laptop] quota-total=50G quota-period=month max-rate=50M/20M'
# the laptop connects for real and sends traffic
cli '/interface/wireguard/peers/show-client-config [find name=laptop] file=laptop'
nsx c env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 LOG_LEVEL=error wireguard-go -f "$WC" >/dev/null 2>&1 &
PIDS+=($!)
wait_for 5 test -S "/var/run/wireguard/$WC.sock"
nsx c wg setconf "$WC" <(grep -v -e '^Address' -e '^DNS' -e '^MTU' "$TMP/laptop.conf")
nsx c ip addr add 10.9.0.2/32 dev "$WC"; nsx c ip link set "$WC" up; nsx c ip route add 10.9.0.0/24 dev "$WC"
nsx c ping -q -i 0.05 -s 1200 10.9.0.1 >/dev/null 2>&1 &
PIDS+=($!)
# the traffic chart draws the history's 1-minute points: wait for a few of them (with a
# changing rate, so the chart is not a flat line), up to SHOTS_HISTORY_MINUTES
points() { (cd "$TMP" && nsx r "$WGR" cli --state-dir "$S" "/interface/wireguard/peers/traffic-history number=laptop period=hour") 2>/dev/null | grep -c '^ *[0-9]'; }
for i in $(seq $((${SHOTS_HISTORY_MINUTES:-4} * 6))); do
	[ "$(points)" -ge "${SHOTS_HISTORY_MINUTES:-4}" ] && break
	[ $((i % 6)) -eq 3 ] && nsx c ping -q -c 200 -i 0.01 -s 1400 10.9.0.1 >/dev/null 2>&1
	sleep 10
done
mkdir -p "$TMP/web"
nsx c env HOME="$TMP/web" PYTHONPATH="$ROOT/tests/web" "$PY" "$ROOT/tests/web/screenshots.py" \
	http://192.0.2.1 admin2:screenshots viewer:screenshots "$WG" "$OUT" "$TMP/web" || exit 1
echo "screenshots in $OUT"
