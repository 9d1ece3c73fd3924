#!/usr/bin/env bash
# Traffic history and metrics (issue 15): a client (wgrouter userspace) pings through
# the router's tunnel; the router's rx/tx since the peer's creation survive SIGTERM and
# kill -9 (a sample is stored every 10 s), traffic-history answers the same bytes over
# REST, and /metrics parses with prometheus_client and equals `wg show IF dump`.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP $TESTNAME (needs root)"; exit 0; }
command -v curl >/dev/null && "$PY" -c 'import prometheus_client' 2>/dev/null ||
	{ echo "SKIP $TESTNAME (needs curl and python3-prometheus-client)"; exit 0; }
. "$(dirname "$0")/lib_router_client.sh"
router_and_client ""
cli '/user/add name=mon group=read password="m0n-pass"' && cli '/ip/service/set www disabled=no'
check monitor_user_and_www test $? -eq 0

rx() { cli '/interface/wireguard/peers/print stats as-value' | tr ';' '\n' | sed -n "s/^$1=//p"; }
check tunnel_pings nsx c ping -c 20 -i 0.05 -s 1000 -W 2 10.88.0.1
RX1=$(rx rx); TX1=$(rx tx)
check rx_counted test "${RX1:-0}" -gt 20000

# SIGTERM right away: the daemon stores a last sample as it stops
stop_daemon; gone; daemon
check totals_survive_sigterm test "$(rx rx)" = "$RX1" -a "$(rx tx)" = "$TX1"

# more traffic, a sample (10 s), then kill -9: the new data plane starts from zero
client_peer
nsx c ping -c 10 -i 0.05 -s 1000 -W 2 10.88.0.1 >/dev/null
RX2=$(rx rx)
check rx_adds_to_the_restored_total test "${RX2:-0}" -gt "$RX1"
sleep 11
# the client's passive keepalive (10 s after its last reply) may land before or after
# the sample: what survives lies between RX2 and what the router showed at the kill
RX3=$(rx rx)
stop_daemon -9; gone; daemon
RX4=$(rx rx)
check totals_survive_kill_9 test "${RX4:-0}" -ge "${RX2:-1}" -a "${RX4:-0}" -le "${RX3:-0}"

# ---- REST: traffic-history of the peer and of the interface ----
sleep 0.5
hist() {
	nsx c curl -s -m 10 -u mon:m0n-pass -X POST -H 'Content-Type: application/json' \
		--data "{\"number\":\"$2\",\"period\":\"$3\"}" "http://192.0.2.1/rest/interface/wireguard$1/traffic-history"
}
sumrx() { "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(sum(int(r["rx-bytes"]) for r in d))'; }
check rest_peer_history_hour_sums_to_total test "$(hist /peers phone hour | sumrx)" = "$RX4"
check rest_interface_history_day_sums_to_total test "$(hist '' "$WG" day | sumrx)" = "$RX4"
check rest_history_rows_have_time bash -c "$(declare -f hist nsx ns); NS_PREFIX=$NS_PREFIX; hist /peers phone month | \
	'$PY' -c 'import json,sys,re; d=json.load(sys.stdin); assert d and all(re.fullmatch(r\"\\d{4}-\\d\\d-\\d\\d \\d\\d:00:00\", r[\"time\"]) for r in d), d'"
check rest_history_bad_period bash -c "$(declare -f hist nsx ns); NS_PREFIX=$NS_PREFIX; hist /peers phone week | grep -q 'invalid value for argument period'"

# ---- /metrics ----
client_peer
nsx c ping -c 5 -i 0.05 -W 2 10.88.0.1 >/dev/null
sleep 1.2 # the router reads the data plane's counters at most once a second
nsx c curl -s -m 10 -u mon:m0n-pass http://192.0.2.1/metrics >"$TMP/metrics.txt"
nsx r wg show "$WG" dump >"$TMP/dump.txt"
cat >"$TMP/cmp.py" <<'PYEOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
dump = [l.split("\t") for l in open(sys.argv[2]).read().splitlines()[1:]]
def val(fam, key):
    s = [x for x in fams[fam].samples if x.labels.get("public_key") == key and x.name.endswith("_total")]
    return int(s[0].value)
for pub, psk, ep, ips, hs, rx, tx, ka in dump:
    assert val("wireguard_peer_receive_bytes", pub) == int(rx), ("rx", val("wireguard_peer_receive_bytes", pub), rx)
    assert val("wireguard_peer_transmit_bytes", pub) == int(tx), ("tx", val("wireguard_peer_transmit_bytes", pub), tx)
    hsv = [x.value for x in fams["wireguard_peer_last_handshake_seconds"].samples if x.labels["public_key"] == pub]
    assert int(hsv[0]) == int(hs), ("handshake", hsv, hs)
    info = [x for x in fams["wireguard_peer_info"].samples if x.labels["public_key"] == pub][0]
    assert info.labels["name"] == "phone" and info.labels["allowed_ips"] == ips, info
assert len(dump) == 1
assert any(x.labels["device"] == sys.argv[3] for x in fams["wireguard_device_info"].samples)
life = [x for x in fams["wgrouter_peer_receive_bytes_lifetime"].samples if x.name.endswith("_total")][0]
assert int(life.value) >= int(sys.argv[4]) + int(dump[0][5]), (life.value, sys.argv[4], dump[0][5])
print("ok")
PYEOF
check metrics_parse_and_equal_wg_dump bash -c "'$PY' '$TMP/cmp.py' '$TMP/metrics.txt' '$TMP/dump.txt' '$WG' '$RX2' | grep -qx ok"
check metrics_need_a_login bash -c "[ \"\$(ip netns exec $(ns c) curl -s -o /dev/null -w '%{http_code}' http://192.0.2.1/metrics)\" = 401 ]"
# /system/metrics: anonymous scraping from a listed prefix, and a port of its own
code() { ip netns exec "$(ns c)" curl -s -o /dev/null -w '%{http_code}' "$@"; }
cli '/system/metrics/set anonymous-address=198.51.100.0/24'
check metrics_anonymous_only_from_listed test "$(code http://192.0.2.1/metrics)" = 401
cli '/system/metrics/set anonymous-address=192.0.2.0/24,2001:db8::/32'
check metrics_anonymous_from_listed test "$(code http://192.0.2.1/metrics)" = 200
check metrics_anonymous_not_rest test "$(code http://192.0.2.1/rest/interface)" = 401
OUT=$(cli '/system/metrics/set disabled=no port=80' 2>&1)
check metrics_port_clash_refused grep -q 'port 80 is used by service www' <<<"$OUT"
cli '/system/metrics/set disabled=no address=192.0.2.0/24'
for _ in $(seq 50); do [ "$(code http://192.0.2.1:9586/metrics)" = 200 ] && break; sleep 0.1; done
check metrics_own_port_serves test "$(code http://192.0.2.1:9586/metrics)" = 200
check metrics_own_port_only_metrics test "$(code -u mon:m0n-pass http://192.0.2.1:9586/rest/interface)" = 404
OUT=$(cli '/system/metrics/export terse')
check metrics_exported grep -q 'set address=192.0.2.0/24 anonymous-address=192.0.2.0/24,2001:db8::/32 disabled=no' <<<"$OUT"
cli '/system/metrics/set anonymous-address=""'
check metrics_own_port_login test "$(code http://192.0.2.1:9586/metrics)" = 401 -a "$(code -u mon:m0n-pass http://192.0.2.1:9586/metrics)" = 200

# ---- reset-counters ----
cli "/interface/wireguard/peers/reset-counters phone"
check reset_counters_zeroes test "$(rx rx)" -lt 1000
check history_file_private bash -c "[ \"\$(stat -c %a $S/history.bin)\" = 600 ]"
finish
