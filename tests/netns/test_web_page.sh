#!/usr/bin/env bash
# The web page (issue 15) in a real browser: headless Chromium driven by selenium
# (tests/web/acceptance.py) in a client namespace logs in to the www service with a
# router user, sees the peers, adds one with an automatic address, downloads its
# config, opens a traffic chart, switches a peer off, edits and removes it; a
# wireguard-go client made from that downloaded file completes a handshake
# with the router. A read-only user sees no buttons and no keys; the page loads nothing
# from anywhere but the router.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP $TESTNAME (needs root)"; exit 0; }
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && "$PY" -c 'import selenium' 2>/dev/null ||
	{ echo "SKIP $TESTNAME (needs chromium, chromium-driver and python3-selenium)"; exit 0; }
S=$TMP/state
WG=$(ifn w); WC=$(ifn k)
mkns r; mkns c
link r "$(ifn a)" c "$(ifn b)" 192.0.2.1/24 192.0.2.2/24
nsx r "$WGR" daemon --state-dir "$S" --uapi-dir "$TMP/run" || { fail daemon_starts; finish; }
pass daemon_starts
stop_daemon() { local p; p=$(cat "$S/wgrouter.pid" 2>/dev/null) && kill "$p" 2>/dev/null; }
trap 'stop_daemon; cleanup' EXIT
cli() { (cd "$TMP" && nsx r "$WGR" cli --state-dir "$S" "$@"); }

ALICE_PRIV=$(wg genkey)
cli '/user/add name=webadmin group=full password="s3cret-web"' &&
	cli '/user/group/add name=viewers policy=read,web,rest-api' &&
	cli '/user/add name=viewer group=viewers password="s3cret-ro"' &&
	cli '/ip/service/set www disabled=no' &&
	cli "/interface/wireguard/add name=$WG listen-port=51820" &&
	cli "/ip/address/add address=10.9.0.1/24 interface=$WG" &&
	cli "/interface/wireguard/peers/add interface=$WG name=alice private-key=\"$ALICE_PRIV\" allowed-address=10.9.0.2/32" &&
	cli "/interface/wireguard/peers/add interface=$WG name=bob public-key=\"$(wg genkey | wg pubkey)\" allowed-address=10.9.0.3/32"
check router_configured test $? -eq 0
export -f nsx ns; export NS_PREFIX
wait_for 5 nsx c curl -sf -o /dev/null http://192.0.2.1/
check page_served bash -c "nsx c curl -s -D - http://192.0.2.1/ | grep -qi 'content-security-policy: .*connect-src .self.' && nsx c curl -s http://192.0.2.1/ | grep -q '<form id=\"login\"'"
check page_unknown_path_404 bash -c "[ \"\$(nsx c curl -s --path-as-is -o /dev/null -w '%{http_code}' http://192.0.2.1/../../etc/passwd)\" = 404 ]"
check rest_quiet_401_for_page bash -c "! nsx c curl -s -D - -H 'X-Requested-With: wgrouter-web' http://192.0.2.1/rest/system/resource | grep -qi www-authenticate"
check rest_challenge_for_others bash -c "nsx c curl -s -D - http://192.0.2.1/rest/system/resource | grep -qi 'www-authenticate: basic'"

# the browser: its PASS/FAIL lines go straight to the output (each change it makes is
# then checked again from the router's side below)
mkdir -p "$TMP/web"
nsx c env HOME="$TMP/web" PYTHONPATH="$ROOT/tests/web" "$PY" "$ROOT/tests/web/acceptance.py" "$TESTNAME" \
	http://192.0.2.1 webadmin:s3cret-web viewer:s3cret-ro "$WG" 192.0.2.1 "$TMP/web" "$ALICE_PRIV" 2>"$TMP/browser.err" ||
	{ FAILED=1; sed 's/^/    | browser: /' "$TMP/browser.err" | tail -n 20; }

# ---- what the browser did, seen from the router's console ----
peer() { nsx c curl -s -u viewer:s3cret-ro "http://192.0.2.1/rest/interface/wireguard/peers?name=$1"; }
export -f peer
check router_has_added_peer bash -c "peer carol | '$PY' -c 'import json,sys; p=json.load(sys.stdin); sys.exit(not (len(p) == 1 and p[0][\"allowed-address\"] == \"10.9.0.4/32\" and p[0][\"client-endpoint\"] == \"192.0.2.1\"))'"
check router_lost_removed_peer bash -c "[ \"\$(peer bob)\" = '[]' ]"

# ---- a client made from the downloaded file ----
CONF=$TMP/web/client.conf
if [ -s "$CONF" ]; then
	nsx c env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 LOG_LEVEL=error wireguard-go -f "$WC" >"$TMP/$WC.log" 2>&1 &
	PIDS+=($!)
	wait_for 5 test -S "/var/run/wireguard/$WC.sock"
	nsx c wg setconf "$WC" <(grep -v -e '^Address' -e '^DNS' -e '^MTU' "$CONF")
	nsx c ip addr add "$(sed -n 's/^Address = //p' "$CONF")" dev "$WC"
	nsx c ip link set "$WC" up
	nsx c ip route add 10.9.0.0/24 dev "$WC"
	check downloaded_config_client_pings nsx c ping -c 2 -W 2 10.9.0.1
	# the router's own view of the new peer (its UAPI socket is in the test's directory)
	CAROL=$(sed -n 's/^PrivateKey = //p' "$CONF" | wg pubkey)
	check downloaded_config_handshake bash -c "nsx c curl -s -u viewer:s3cret-ro 'http://192.0.2.1/rest/interface/wireguard/peers?name=carol' |
		'$PY' -c 'import json,sys; p=json.load(sys.stdin)[0]; sys.exit(not (p[\"public-key\"] == \"$CAROL\" and p[\"last-handshake\"] != \"never\"))'"
else
	fail downloaded_config_client "no config was downloaded"
fi
finish
