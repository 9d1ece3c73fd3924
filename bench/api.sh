#!/usr/bin/env bash
# The remote doors under load (issue 12): 1,000 peers created through REST on an empty
# interface, one PUT each on one keep-alive connection; then, with 10,000 peers, GET of
# them all through REST and the same through the RouterOS API's print (librouteros). The router runs in a namespace of its
# own, the client in another (veth, 192.0.2.0/24). 10,000 peers are written into the
# state file before the daemon starts (one commit per peer would measure the disk).
# Usage: bench/api.sh [PEERS] (10000). Prints a markdown table.
. "$(dirname "$0")/common.sh"
N=${1:-10000}
S=$TMP/state
mkns r && mkns c && veth_pair r c || exit 1
cli() { nsx r "$WGR" cli --state-dir "$S" "$@"; }
nsx r "$WGR" daemon --state-dir "$S" --uapi-dir "$TMP/run" || exit 1
cli '/interface/wireguard/add name=wgb0 listen-port=51820' >/dev/null
cli '/user/add name=bench group=full password="bench-secret"' >/dev/null
cli '/ip/service/set www disabled=no' >/dev/null
cli '/ip/service/set api disabled=no' >/dev/null
ms() { echo $(( ($2 - $1) / 1000000 )); }
# 1,000 PUTs on one connection: curl reuses it across --next
: >"$TMP/put.cfg"
for i in $(seq 1000); do
	printf 'next\nurl = "http://192.0.2.1/rest/interface/wireguard/peers"\nrequest = "PUT"\nuser = "bench:bench-secret"\nheader = "Content-Type: application/json"\ndata = "{\\"interface\\":\\"wgb0\\",\\"public-key\\":\\"%s\\",\\"allowed-address\\":\\"10.200.%d.%d/32\\"}"\nsilent\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
		"$(head -c 32 /dev/urandom | base64)" $((i / 256)) $((i % 256)) >>"$TMP/put.cfg"
done
sed -i '1d' "$TMP/put.cfg"
note "$(date +%T) 1,000 PUTs"
t0=$(date +%s%N); nsx c curl -s -K "$TMP/put.cfg" >"$TMP/put.out"; t1=$(date +%s%N)
note "$(date +%T) done"
PUT_OK=$(grep -c '^201$' "$TMP/put.out"); PUT_MS=$(ms "$t0" "$t1")
kill "$(cat "$S/wgrouter.pid")"; while [ -e "$S/wgrouter.pid" ] && ! flock -n "$S/wgrouter.pid" true; do sleep 0.1; done
# N peers appended to the state file: keys made by the kernel's CSPRNG via python
"$PY" "$ROOT/bench/add_peers.py" "$S/config.state" "$N" wgb0
note "$(date +%T) starting the router with $N peers"
nsx r "$WGR" daemon --state-dir "$S" --uapi-dir "$TMP/run" || exit 1
note "$(date +%T) started"
sleep 1
t0=$(date +%s%N); nsx c curl -s -u bench:bench-secret http://192.0.2.1/rest/interface/wireguard/peers -o "$TMP/get.json"; t1=$(date +%s%N)
GET_N=$("$PY" -c "import json; print(len(json.load(open('$TMP/get.json'))))"); GET_MS=$(ms "$t0" "$t1")
API=$(nsx c "$PY" - <<'PYEOF'
import time, librouteros
api = librouteros.connect(host="192.0.2.1", username="bench", password="bench-secret")
t = time.monotonic(); rows = list(api.path("interface", "wireguard", "peers")); dt = time.monotonic() - t
print(len(rows), int(dt * 1000))
PYEOF
)
echo "| what | count | time | target |"
echo "|---|---|---|---|"
echo "| REST PUT, one peer each, one keep-alive connection | $PUT_OK of 1000 created | $PUT_MS ms | < 5 s |"
echo "| REST GET /interface/wireguard/peers | $GET_N peers | $GET_MS ms | < 1 s for 10,000 |"
echo "| API print (librouteros) | ${API% *} peers | ${API#* } ms | < 1 s for 10,000 |"
