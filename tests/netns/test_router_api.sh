#!/usr/bin/env bash
# The remote doors (issue 12) driven by the clients people use: curl following
# terraform-provider-routeros's calls over REST, python3-librouteros (what Ansible's
# community.routeros uses) over the binary API, both over TLS with a certificate the
# router signed itself; users and their policies; bad input that must leave the daemon
# up and the configuration unchanged. The router runs in one namespace, the clients in
# another, joined by a veth pair on 192.0.2.0/24.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP $TESTNAME (needs root)"; exit 0; }
command -v curl >/dev/null && "$PY" -c 'import librouteros' 2>/dev/null ||
	{ echo "SKIP $TESTNAME (needs curl and python3-librouteros)"; exit 0; }
S=$TMP/state
mkns r; mkns c
link r "$(ifn a)" c "$(ifn b)" 192.0.2.1/24 192.0.2.2/24
nsx r "$WGR" daemon --state-dir "$S" || { fail daemon_starts; finish; }
pass daemon_starts
stop_daemon() { local p; p=$(cat "$S/wgrouter.pid" 2>/dev/null) && kill "$p" 2>/dev/null; }
trap 'stop_daemon; cleanup' EXIT

cli() { (cd "$TMP" && nsx r "$WGR" cli --state-dir "$S" "$@"); }
WG=$(ifn w)
URL=http://192.0.2.1/rest
# rest USER:PASS METHOD PATH [BODY]: prints the body, then the status on a line of its own
rest() {
	local auth=$1 method=$2 path=$3 body=${4:-}
	nsx c curl -s -m 10 -u "$auth" -X "$method" ${body:+-H 'Content-Type: application/json' --data "$body"} \
		-w '\n%{http_code}' "$URL$path"
}
status() { tail -n 1; }
json() { "$PY" -c "import json,sys; d=json.loads(sys.stdin.read().strip().rsplit('\n',1)[0]); print($1)"; }
# the checks run in `bash -c`: they need the helpers and their variables
export -f rest status json cli nsx ns
export URL NS_PREFIX WGR S TMP PY

# ---- users and services, from the console (there is no default remote user) ----
check no_remote_user_at_start bash -c "[ \"\$(rest admin: GET /system/resource | status)\" = 000 ]"
# RouterOS's built-in read group has the sensitive policy: a viewer without it has its own
cli '/user/add name=tf group=full password="s3cret-tf"' && cli '/user/group/add name=viewers policy=read,rest-api,api' &&
	cli '/user/add name=viewer group=viewers password="s3cret-ro"' &&
	cli '/ip/service/set www disabled=no' && cli '/ip/service/set api disabled=no'
check users_and_services_set test $? -eq 0
check password_not_exported bash -c "! cli /export show-sensitive | grep -q s3cret"
sleep 0.5

# ---- REST: the version check, then 401s ----
OUT=$(rest tf:s3cret-tf GET /system/resource)
check rest_version_digits_and_dots bash -c "echo '$OUT' | json 'd[\"version\"]' | grep -Eq '^[0-9]+(\.[0-9]+)+$'"
check rest_401_without_credentials bash -c "[ \"\$(nsx c curl -s -o /dev/null -w '%{http_code}' $URL/system/resource)\" = 401 ]"
check rest_401_wrong_password bash -c "[ \"\$(rest tf:wrong GET /system/resource | status)\" = 401 ]"

# ---- terraform's cycle: interface, peer, address, route, firewall rule ----
OUT=$(rest tf:s3cret-tf PUT /interface/wireguard "{\"name\":\"$WG\",\"listen-port\":\"51820\",\"disabled\":\"no\"}")
IFID=$(echo "$OUT" | json 'd[".id"]' 2>/dev/null)
check rest_create_interface test "$(echo "$OUT" | status)" = 201 -a -n "$IFID"
check rest_read_by_id bash -c "rest tf:s3cret-tf GET '/interface/wireguard?.id=$IFID' | json 'len(d)' | grep -qx 1"
PEERKEY=$(wg genkey | wg pubkey)
OUT=$(rest tf:s3cret-tf PUT /interface/wireguard/peers "{\"interface\":\"$WG\",\"public-key\":\"$PEERKEY\",\"allowed-address\":\"10.77.0.2/32\",\"persistent-keepalive\":\"25s\"}")
PEERID=$(echo "$OUT" | json 'd[".id"]' 2>/dev/null)
check rest_create_peer test -n "$PEERID"
check rest_duration_go_form bash -c "echo '$OUT' | json 'd[\"persistent-keepalive\"]' | grep -qx 25s"
OUT=$(rest tf:s3cret-tf PUT /ip/address "{\"address\":\"10.77.0.1/24\",\"interface\":\"$WG\"}")
check rest_create_address test "$(echo "$OUT" | status)" = 201
OUT=$(rest tf:s3cret-tf PUT /ip/route "{\"dst-address\":\"10.78.0.0/16\",\"gateway\":\"$WG\"}")
check rest_create_route test "$(echo "$OUT" | status)" = 201
rest tf:s3cret-tf PUT /ip/firewall/filter '{"chain":"input","action":"accept","protocol":"udp","dst-port":"51820"}' >/dev/null
OUT=$(rest tf:s3cret-tf PUT /ip/firewall/filter '{"chain":"input","action":"drop","src-address":"198.51.100.0/24","place-before":"0"}')
check rest_firewall_place_before bash -c "cli /ip/firewall/filter/print | grep -n 198.51.100.0 | grep -q '^[0-9]*:.* 0 '"
check kernel_sees_interface_and_peer bash -c "nsx r wg show $WG listen-port | grep -qx 51820 && nsx r wg show $WG allowed-ips | grep -q '$PEERKEY.*10.77.0.2/32'"
check kernel_sees_address_route_rule bash -c "nsx r ip -4 addr show dev $WG | grep -q 10.77.0.1/24 && nsx r ip route | grep -q '10.78.0.0/16' && nsx r nft list table inet wgrouter | grep -q 198.51.100.0/24"
check console_export_shows_them bash -c "cli /export | grep -q 'allowed-address=10.77.0.2/32'"
OUT=$(rest tf:s3cret-tf PATCH "/interface/wireguard/peers/$PEERID" '{"allowed-address":"10.77.0.3/32","!persistent-keepalive":""}')
check rest_update_peer bash -c "echo '$OUT' | json 'd[\"allowed-address\"]' | grep -qx 10.77.0.3/32"
check kernel_sees_update bash -c "nsx r wg show $WG allowed-ips | grep -q '$PEERKEY.*10.77.0.3/32'"
check rest_delete_peer bash -c "[ \"\$(rest tf:s3cret-tf DELETE /interface/wireguard/peers/$PEERID | status)\" = 204 ]"
check rest_read_deleted_is_empty bash -c "rest tf:s3cret-tf GET '/interface/wireguard/peers?.id=$PEERID' | head -n 1 | grep -qx '\[\]'"
check rest_delete_again_404 bash -c "[ \"\$(rest tf:s3cret-tf DELETE /interface/wireguard/peers/$PEERID | status)\" = 404 ]"

# ---- a read-only user ----
rest tf:s3cret-tf PUT /interface/wireguard/peers "{\"interface\":\"$WG\",\"private-key\":\"auto\",\"allowed-address\":\"10.77.0.9/32\"}" >/dev/null
check read_user_cannot_write bash -c "rest viewer:s3cret-ro PUT /ip/address '{\"address\":\"10.79.0.1/24\",\"interface\":\"$WG\"}' | status | grep -Eq '^40[03]$'"
check read_user_sees_no_keys bash -c "rest viewer:s3cret-ro GET /interface/wireguard/peers | head -n 1 | grep -v -q private-key"
check full_user_sees_keys bash -c "rest tf:s3cret-tf GET /interface/wireguard/peers | head -n 1 | grep -q private-key"

# ---- the binary API with librouteros ----
cat >"$TMP/api.py" <<'PYEOF'
import sys, ssl, librouteros
from librouteros.query import Key
host, user, pw, port, wg, tls = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6] == "tls"
kw = {"port": port}
if tls:
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    kw["ssl_wrapper"] = lambda s: ctx.wrap_socket(s, server_hostname=None)
api = librouteros.connect(host=host, username=user, password=pw, **kw)
peers = api.path("interface", "wireguard", "peers")
key = sys.argv[7]
pid = peers.add(interface=wg, **{"public-key": key, "allowed-address": "10.77.0.20/32"})
name = Key("allowed-address")
rows = list(peers.select(Key(".id"), name).where(name == "10.77.0.20/32"))
assert len(rows) == 1 and rows[0][".id"] == pid, rows
peers.remove(pid)
assert not [r for r in peers if r.get("allowed-address") == "10.77.0.20/32"]
print("ok")
PYEOF
K2=$(wg genkey | wg pubkey)
check api_librouteros_add_print_remove bash -c "nsx c '$PY' '$TMP/api.py' 192.0.2.1 tf s3cret-tf 8728 $WG plain $K2 | grep -qx ok"
check api_wrong_password_login_error bash -c "nsx c '$PY' -c \"
import librouteros, sys
try:
    librouteros.connect(host='192.0.2.1', username='tf', password='nope')
except librouteros.exceptions.TrapError as e:
    sys.exit(0 if 'invalid user name or password' in str(e) else 1)
sys.exit(1)\""

# ---- TLS with a certificate the router signs ----
cli '/certificate/add name=www common-name=192.0.2.1' && cli '/certificate/sign www' &&
	cli '/ip/service/set www-ssl certificate=www disabled=no tls-version=only-1.2' &&
	cli '/ip/service/set api-ssl certificate=www disabled=no'
check certificate_signed_and_services_set test $? -eq 0
sleep 0.5
check https_rest bash -c "nsx c curl -sk -u tf:s3cret-tf https://192.0.2.1/rest/system/resource | grep -q version"
check https_only_12_refuses_11 bash -c "! nsx c curl -sk --tls-max 1.1 -u tf:s3cret-tf https://192.0.2.1/rest/system/resource -o /dev/null"
check api_ssl_librouteros bash -c "nsx c '$PY' '$TMP/api.py' 192.0.2.1 tf s3cret-tf 8729 $WG tls $(wg genkey | wg pubkey) | grep -qx ok"

# ---- bad input: the daemon stays up and nothing changes ----
BEFORE=$(cli /export show-sensitive | grep -v '^#')
nsx c "$PY" - <<'PYEOF' >"$TMP/junk.out" 2>&1
import random, socket, base64
random.seed(7)
auth = "Basic " + base64.b64encode(b"tf:s3cret-tf").decode()
bodies = ['{', '[]', '{"name":{"a":1}}', '{"name":"x","name":"y"}', '"', '{"listen-port":"99999"}', '\x00\x01', '{}' * 5000]
paths = ['/rest/interface/wireguard', '/rest/interface/wireguard/*FFFF', '/rest/../../etc/passwd', '/rest/%00', '/rest/ip/route/*FFFF', '/rest/' + 'a/' * 500]
sent = 0
for i in range(500):
    m = random.choice(['GET', 'PUT', 'PATCH', 'DELETE', 'POST', 'HEAD', 'FOO'])
    b = random.choice(bodies).encode()
    req = "%s %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (m, random.choice(paths), auth, len(b))
    try:
        s = socket.create_connection(("192.0.2.1", 80), timeout=3); s.sendall(req.encode() + b); s.recv(4096); s.close(); sent += 1
    except OSError:
        pass
def word(w):
    n = len(w); return (bytes([n]) if n < 0x80 else bytes([0x80 | n >> 8, n & 255])) + w
for i in range(500):
    junk = bytes(random.getrandbits(8) for _ in range(random.randint(1, 300)))
    login = word(b"/login") + word(b"=name=tf") + word(b"=password=s3cret-tf") + b"\x00"
    # commands that must fail: a bad value, a missing item, a bad query, no such menu
    cmd = random.choice([word(b"/interface/wireguard/add") + word(b"=listen-port=99999"),
                         word(b"/ip/address/remove") + word(b"=.id=*FFFF"),
                         word(b"/interface/wireguard/print") + word(b"?#|"),
                         word(b"/x/y") + word(b"=name=" + junk[:50].replace(b"\x00", b"a"))]) + b"\x00"
    try:
        s = socket.create_connection(("192.0.2.1", 8728), timeout=3)
        s.sendall(login + (cmd if i % 2 else junk)); s.settimeout(0.5)
        try: s.recv(4096)
        except OSError: pass
        s.close(); sent += 1
    except OSError:
        pass
print(sent)
PYEOF
check junk_requests_sent bash -c "[ \"\$(cat $TMP/junk.out)\" -ge 900 ]"
check daemon_up_after_junk cli /system/identity/print
AFTER=$(cli /export show-sensitive | grep -v '^#')
check junk_changed_nothing test "$BEFORE" = "$AFTER"
finish
