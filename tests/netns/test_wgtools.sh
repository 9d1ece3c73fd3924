#!/usr/bin/env bash
# The wg tool against wgrouter gives the same results as against wireguard-go. The same
# sequence (wg set of every kind, setconf, syncconf, allowed-ips replacement and removal,
# peer removal, preshared key set/clear, listen-port and fwmark changes, a peer with the
# device's own public key, a private key change that equals a peer's key) runs against a
# wgrouter interface (namespace x) and a wireguard-go interface (namespace y) that have
# the same private key; after every step `wg showconf`, `wg show IF dump` (without
# handshake times and counters) and `wg show IF` are compared, normalised only for what
# is legitimately unordered (peer order, allowed-IP order) and the interface name.
# Some steps also compare with the expected configuration itself, and raw UAPI requests
# (bad input, update_only, partial application) must get the same errno and leave the
# same state.
. "$(dirname "$0")/lib.sh"

mkns x; mkns y
X=$(ifn x) Y=$(ifn y)
start_wg wgrouter x "$X" || { fail start-wgrouter; finish; }
start_wg wireguard-go y "$Y" || { fail start-wireguard-go; finish; }
# up (wireguard-go binds its port only when up), no route anywhere: nothing leaves
nsx x ip link set "$X" up; nsx y ip link set "$Y" up

cat >"$TMP/norm.py" <<'EOF'
import sys, re
mode, ifname = sys.argv[1], sys.argv[2]
text = sys.stdin.read()
def sort_ips(s):
    return ", ".join(sorted(p.strip() for p in s.split(",") if p.strip()))
if mode == "conf":
    # wg showconf / config files: [Interface] then [Peer] sections
    secs, cur = [], None
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        if line.startswith("["):
            cur = [line, {}]
            secs.append(cur)
            continue
        k, v = [t.strip() for t in line.split("=", 1)]
        if k == "AllowedIPs":
            cur[1].setdefault(k, []).extend(p.strip() for p in v.split(",") if p.strip())
        elif k == "FwMark":
            cur[1][k] = str(int(v, 0))
        else:
            cur[1][k] = v
    out = []
    for name, kv in secs:
        if name == "[Peer]":
            kv["AllowedIPs"] = ", ".join(sorted(kv.get("AllowedIPs", [])))
        out.append((name, "\n".join("%s = %s" % (k, kv[k]) for k in sorted(kv))))
    iface = [s for s in out if s[0] == "[Interface]"]
    peers = sorted(s for s in out if s[0] == "[Peer]")
    print("\n\n".join(n + "\n" + b for n, b in iface + peers))
elif mode == "dump":
    lines = text.splitlines()
    if lines:
        print(lines[0])
    peers = []
    for l in lines[1:]:
        f = l.split("\t")
        # pub psk endpoint allowed-ips [latest-handshake rx tx] keepalive
        peers.append("\t".join([f[0], f[1], f[2], sort_ips(f[3].replace("(none)", "")), f[7]]))
    print("\n".join(sorted(peers)))
elif mode == "show":
    blocks = [b.strip() for b in text.replace(ifname, "IF").split("\n\n") if b.strip()]
    def norm(b):
        return "\n".join(
            re.sub(r"^(\s*allowed ips: )(.*)$", lambda m: m.group(1) + sort_ips(m.group(2)), l)
            for l in b.splitlines()
            if not re.match(r"^\s*(latest handshake|transfer):", l))
    blocks = [norm(b) for b in blocks]
    print("\n\n".join(blocks[:1] + sorted(blocks[1:])))
EOF
norm() { "$PY" "$TMP/norm.py" "$@"; }

# state NS IF FILE: the normalised view of one interface
state() {
	{
		echo "== showconf"; nsx "$1" wg showconf "$2" | norm conf "$2"
		echo "== dump"; nsx "$1" wg show "$2" dump | norm dump "$2"
		echo "== show"; nsx "$1" wg show "$2" | norm show "$2"
	} >"$3" 2>&1
}

# compare STEP: both interfaces are in the same state
compare() {
	state x "$X" "$TMP/x.state"; state y "$Y" "$TMP/y.state"
	if diff -u "$TMP/y.state" "$TMP/x.state" >"$TMP/diff"; then
		pass "$1:same"
	else
		fail "$1:same" "wireguard-go(-) vs wgrouter(+): $(grep '^[-+][^-+]' "$TMP/diff" | head -6 | cut -c1-160 | tr '\n' '|')"
	fi
}

# both STEP CMD...: runs a command with @IF standing for the interface, against both; the
# exit status must agree; then compare.
both() {
	local step=$1; shift
	local cx=() cy=() a
	for a in "$@"; do cx+=("${a//@IF/$X}"); cy+=("${a//@IF/$Y}"); done
	local rx=0 ry=0
	nsx x "${cx[@]}" >"$TMP/x.out" 2>&1 || rx=$?
	nsx y "${cy[@]}" >"$TMP/y.out" 2>&1 || ry=$?
	[ $rx -eq $ry ] && pass "$step:exit-status" \
		|| fail "$step:exit-status" "wgrouter $rx, wireguard-go $ry: $(head -c 200 "$TMP/x.out" | tr '\n' ' ')"
	compare "$step"
}

# expect_conf STEP FILE: wgrouter's showconf is the configuration in FILE
expect_conf() {
	if diff -u <(norm conf - <"$2") <(nsx x wg showconf "$X" | norm conf -) >"$TMP/diff"; then
		pass "$1:as-configured"
	else
		fail "$1:as-configured" "expected(-) vs wgrouter(+): $(grep '^[-+][^-+]' "$TMP/diff" | head -6 | cut -c1-160 | tr '\n' '|')"
	fi
}

# uapi IF REQUEST: sends a raw request (printf escapes) to the UAPI socket, prints the reply
uapi() {
	"$PY" - "/var/run/wireguard/$1.sock" "$2" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(3)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode())
buf = b""
try:
    while not buf.endswith(b"\n\n"):
        d = s.recv(65536)
        if not d:
            break
        buf += d
except socket.timeout:
    buf += b"(timeout)"
sys.stdout.write(buf.decode(errors="replace"))
EOF
}
# raw STEP REQUEST: the same raw request to both; the replies (errno) and states agree
raw() {
	local rx ry
	rx=$(uapi "$X" "$2" | grep errno); ry=$(uapi "$Y" "$2" | grep errno)
	[ -n "$rx" ] && [ "$rx" = "$ry" ] && pass "$1:errno" || fail "$1:errno" "wgrouter '$rx', wireguard-go '$ry'"
	[ -n "${UAPI_TRACE:-}" ] && echo "  $1: $rx" >&2
	compare "$1"
}
hex() { echo "$1" | base64 -d | od -An -tx1 -v | tr -d ' \n'; }

genkeys k; genkeys p1; genkeys p2; genkeys p3; genkeys p4; genkeys p5
echo "$k_priv" >"$TMP/k.key"; echo "$p4_priv" >"$TMP/p4.key"
wg genpsk >"$TMP/psk"; wg genpsk >"$TMP/psk2"

# Up, unconfigured: both picked a random port.
for n in x y; do
	port=$(nsx $n wg show "$(ifn $n)" listen-port)
	[ "${port:-0}" -gt 0 ] && pass "$n:random-port-when-up" || fail "$n:random-port-when-up" "listen-port '$port'"
done

both set-key-port wg set @IF private-key "$TMP/k.key" listen-port 51820
both add-peer1 wg set @IF peer "$p1_pub" allowed-ips 10.0.0.0/24,fd00::/64 endpoint 192.0.2.10:51000 persistent-keepalive 25
both add-peer2-psk-v6-endpoint wg set @IF peer "$p2_pub" preshared-key "$TMP/psk" endpoint "[2001:db8::5]:51820" allowed-ips 10.1.0.0/16
both allowed-ips-replace-removes-v6 wg set @IF peer "$p1_pub" allowed-ips 10.0.0.0/24
both allowed-ips-move-to-peer2 wg set @IF peer "$p2_pub" allowed-ips 10.0.0.0/24,10.2.0.0/16
both allowed-ips-default-routes wg set @IF peer "$p1_pub" allowed-ips 192.168.0.0/16,0.0.0.0/0,::/0
both allowed-ips-clear wg set @IF peer "$p2_pub" allowed-ips ""
both allowed-ips-host-bits wg set @IF peer "$p2_pub" allowed-ips 10.7.7.7/8,fd00::1234/120
both psk-change wg set @IF peer "$p2_pub" preshared-key "$TMP/psk2"
both psk-clear wg set @IF peer "$p2_pub" preshared-key /dev/null
both port-and-fwmark wg set @IF listen-port 51821 fwmark 0x1234
both fwmark-clear wg set @IF fwmark 0
both keepalive-off-endpoint-change wg set @IF peer "$p1_pub" persistent-keepalive off endpoint 192.0.2.11:1
both add3-remove1 wg set @IF peer "$p3_pub" allowed-ips 10.3.0.0/16 peer "$p1_pub" remove
both remove-unknown-peer wg set @IF peer "$p5_pub" remove
both own-key-peer-ignored wg set @IF peer "$k_pub" allowed-ips 10.9.9.9/32,10.3.0.0/16 endpoint 192.0.2.12:3
peers=$(nsx x wg show "$X" peers | tr '\n' ' ')
[[ $peers != *"$k_pub"* ]] && pass own-key-peer-absent || fail own-key-peer-absent "peers: $peers"
[ "$(peer_field x "$X" "$p3_pub" allowed-ips)" = 10.3.0.0/16 ] && pass own-key-peer-took-nothing \
	|| fail own-key-peer-took-nothing "peer3 allowed-ips '$(peer_field x "$X" "$p3_pub" allowed-ips)'"

# setconf replaces everything (a [Peer] with the device's own key is ignored)
cat >"$TMP/c1.conf" <<EOF
[Interface]
PrivateKey = $k_priv
ListenPort = 51830
FwMark = 0x42

[Peer]
PublicKey = $p1_pub
PresharedKey = $(cat "$TMP/psk")
Endpoint = 198.51.100.7:4000
PersistentKeepalive = 5
AllowedIPs = 10.10.0.0/16, fd10::/48
AllowedIPs = 10.11.0.1/32

[Peer]
PublicKey = $p2_pub
AllowedIPs = 10.12.0.0/24
Endpoint = [2001:db8::7]:4001

[Peer]
PublicKey = $k_pub
AllowedIPs = 10.13.0.0/24
EOF
both setconf wg setconf @IF "$TMP/c1.conf"
# the expected result: c1 without its last (own-key) peer
head -n -4 "$TMP/c1.conf" >"$TMP/c1.expected"
expect_conf setconf "$TMP/c1.expected"

# syncconf: peer2 goes, peer1 changes, peer4 comes, the port changes
cat >"$TMP/c2.conf" <<EOF
[Interface]
PrivateKey = $k_priv
ListenPort = 51831

[Peer]
PublicKey = $p1_pub
Endpoint = 198.51.100.8:4002
AllowedIPs = 10.10.0.0/16

[Peer]
PublicKey = $p4_pub
PresharedKey = $(cat "$TMP/psk2")
AllowedIPs = 10.14.0.0/24, fd14::/64
EOF
both syncconf wg syncconf @IF "$TMP/c2.conf"
# syncconf leaves what the file does not mention for a peer it keeps (peer1's preshared
# key and keepalive) and clears the device's fwmark (wg sends the file's, none)
sed "s|^Endpoint = 198.51.100.8:4002|&\nPresharedKey = $(cat "$TMP/psk")\nPersistentKeepalive = 5|" "$TMP/c2.conf" >"$TMP/c2.expected"
expect_conf syncconf "$TMP/c2.expected"
both syncconf-again-noop wg syncconf @IF "$TMP/c2.conf"

# a private key whose public key is a peer's: that peer goes (both implementations)
both private-key-equals-peer wg set @IF private-key "$TMP/p4.key"
peers=$(nsx x wg show "$X" peers | tr '\n' ' ')
[[ $peers != *"$p4_pub"* ]] && pass private-key-equals-peer:peer-removed || fail private-key-equals-peer:peer-removed "peers: $peers"
both private-key-back wg set @IF private-key "$TMP/k.key"

# Raw UAPI: bad input gets the same errno, and partial application leaves the same state.
h1=$(hex "$p1_pub") h3=$(hex "$p3_pub") h5=$(hex "$p5_pub")
raw uapi-bad-port 'set=1\nlisten_port=abc\n\n'
raw uapi-unknown-key 'set=1\nbogus_key=1\n\n'
raw uapi-bad-public-key 'set=1\npublic_key=1234\n\n'
raw uapi-bad-private-key 'set=1\nprivate_key=zz\n\n'
raw uapi-bad-prefix "set=1\npublic_key=$h1\nallowed_ip=10.6.0.0/33\n\n"
raw uapi-bad-endpoint "set=1\npublic_key=$h1\nendpoint=nonsense\n\n"
raw uapi-bad-keepalive "set=1\npublic_key=$h1\npersistent_keepalive_interval=70000\n\n"
raw uapi-bad-protocol-version "set=1\npublic_key=$h1\nprotocol_version=2\n\n"
raw uapi-update-only-unknown "set=1\npublic_key=$h5\nupdate_only=true\nallowed_ip=10.5.0.0/16\n\n"
raw uapi-update-only-known "set=1\npublic_key=$h1\nupdate_only=true\nallowed_ip=10.5.0.0/16\n\n"
raw uapi-replace-allowed-ips "set=1\npublic_key=$h1\nreplace_allowed_ips=true\nallowed_ip=10.15.0.0/16\nallowed_ip=10.16.0.0/16\n\n"
raw uapi-partial "set=1\nlisten_port=51840\npublic_key=$h3\nallowed_ip=10.17.0.0/16\nallowed_ip=bad\nallowed_ip=10.18.0.0/16\n\n"
raw uapi-endpoint-v6-scope "set=1\npublic_key=$h1\nendpoint=[2001:db8::9]:7\n\n"
raw uapi-keepalive-zero "set=1\npublic_key=$h1\npersistent_keepalive_interval=0\n\n"
raw uapi-replace-peers "set=1\nreplace_peers=true\npublic_key=$h5\nallowed_ip=10.19.0.0/16\n\n"
raw uapi-fwmark-set "set=1\nfwmark=7\n\n"
raw uapi-fwmark-clear "set=1\nfwmark=0\n\n"
# listen-port 0: a random port again, on both
for n in x y; do nsx $n wg set "$(ifn $n)" listen-port 0; done
for n in x y; do
	port=$(nsx $n wg show "$(ifn $n)" listen-port)
	[ "${port:-0}" -gt 0 ] && [ "$port" != 51840 ] && pass "$n:listen-port-0-random" || fail "$n:listen-port-0-random" "listen-port '$port'"
done
# Many peers and many allowed IPs (a large get answer): the same on both, as configured.
"$PY" - "$k_priv" >"$TMP/big.conf" <<'PYEOF'
import sys, base64, os
print("[Interface]\nPrivateKey = %s\nListenPort = 51850\n" % sys.argv[1])
for p in range(300):
    print("[Peer]\nPublicKey = %s" % base64.b64encode(os.urandom(32)).decode())
    print("AllowedIPs = " + ", ".join("10.%d.%d.0/24" % (p // 10, (p % 10) * 20 + i) for i in range(20)))
    print("Endpoint = 203.0.113.%d:%d\n" % (p % 250 + 1, 1000 + p))
print("[Peer]\nPublicKey = %s" % base64.b64encode(os.urandom(32)).decode())
for i in range(20000):
    print("AllowedIPs = 172.%d.%d.%d/32, fd77::%x/128" % (16 + i // 65536, (i // 256) % 256, i % 256, i + 1))
PYEOF
both big-setconf wg setconf @IF "$TMP/big.conf"
expect_conf big-setconf "$TMP/big.conf"
n=$(nsx x wg show "$X" allowed-ips | wc -w)
[ "$n" -eq $((301 + 300 * 20 + 40000)) ] && pass big-allowed-ips-count || fail big-allowed-ips-count "$n words in wg show allowed-ips"
both big-setconf-back wg setconf @IF "$TMP/c2.conf"

# an endpoint given as a host name in the UAPI (wgrouter resolves it; wg resolves names
# itself, and wireguard-go 0.0.20220316 takes addresses only)
r=$(uapi "$X" "set=1\npublic_key=$h5\nendpoint=localhost:4242\n\n" | grep errno)
got=$(peer_field x "$X" "$p5_pub" endpoints)
[ "$r" = errno=0 ] && [[ $got == "127.0.0.1:4242" || $got == "[::1]:4242" ]] && pass uapi-endpoint-hostname \
	|| fail uapi-endpoint-hostname "reply '$r', endpoint '$got'"

# a listen-port another socket holds: both refuse (Address already in use); wgrouter
# keeps the port it had (as the kernel does; wireguard-go is left with none)
for n in x y; do
	nsx $n wg set "$(ifn $n)" listen-port 51860
	nsx $n "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::", 51861))
open(sys.argv[1], "w").close(); time.sleep(10)' "$TMP/held.$n" &
	PIDS+=($!)
	wait_for 5 test -f "$TMP/held.$n"
done
rx=0; nsx x wg set "$X" listen-port 51861 >"$TMP/x.out" 2>&1 || rx=$?
ry=0; nsx y wg set "$Y" listen-port 51861 >"$TMP/y.out" 2>&1 || ry=$?
[ $rx -ne 0 ] && [ $ry -ne 0 ] && grep -q 'Address already in use' "$TMP/x.out" && pass port-in-use:refused \
	|| fail port-in-use:refused "wgrouter exit $rx ($(head -c 100 "$TMP/x.out")), wireguard-go exit $ry"
port=$(nsx x wg show "$X" listen-port)
[ "$port" = 51860 ] && pass port-in-use:old-port-kept || fail port-in-use:old-port-kept "wgrouter listen-port now '$port'"

# removing one prefix (allowed_ip=-prefix, newer wg tools): wgrouter only, wireguard-go
# 0.0.20220316 predates it
r=$(uapi "$X" "set=1\npublic_key=$h5\nreplace_allowed_ips=true\nallowed_ip=10.20.0.0/16\nallowed_ip=10.21.0.0/16\nallowed_ip=fd20::/64\n\n" | grep errno)
r2=$(uapi "$X" "set=1\npublic_key=$h5\nallowed_ip=-10.20.0.0/16\n\n" | grep errno)
got=$(peer_field x "$X" "$p5_pub" allowed-ips | tr ' ' '\n' | sort | tr '\n' ' ')
[ "$r $r2" = "errno=0 errno=0" ] && [ "$got" = "10.21.0.0/16 fd20::/64 " ] && pass uapi-remove-one-prefix \
	|| fail uapi-remove-one-prefix "replies '$r' '$r2', allowed-ips now '$got'"

finish
