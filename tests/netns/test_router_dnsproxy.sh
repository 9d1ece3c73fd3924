#!/usr/bin/env bash
# /ip/dns allow-remote-requests=yes end to end (seed 001: clients use the router as their
# DNS resolver; seed 000: nas.lab resolves to a local IP through a static entry).
# A router (wgrouter daemon), a client on a veth (IPv4 and IPv6) and an "upstream" DNS
# server (python3, stdlib only) that knows example.test, other.test and big.test (whose
# UDP answer is truncated) and counts the queries it gets. The client asks the router:
# statics, forwarded answers, the cache, TCP, truncation, reconfiguration, SERVFAIL,
# turning it off (nothing listens), a port held by another program (logged, retried).
# Prints PASS/FAIL lines; cleans up namespaces, processes and files on any exit.
set -u
cd "$(dirname "$0")/../.."
BIN=$PWD/build/wgrouter
P=wgd$(($$ % 100000))
NR=${P}r; NC=${P}c; NU=${P}u      # router, client, upstream DNS server
TMP=$(mktemp -d /tmp/wgr-dnsproxy.XXXXXX)
PIDS=()
fails=0
cleanup() {
	local pid
	pid=$(cat "$TMP/s/wgrouter.pid" 2>/dev/null) && grep -q wgrouter "/proc/$pid/cmdline" 2>/dev/null && kill -9 "$pid"
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	for n in "$NR" "$NC" "$NU"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
pass() { echo "PASS test_router_dnsproxy:$1"; }
fail() { echo "FAIL test_router_dnsproxy:$1${2:+ ($2)}"; fails=$((fails + 1)); }
check() { local name=$1; shift; if "$@" >"$TMP/check.out" 2>&1; then pass "$name"; else fail "$name" "$(tail -2 "$TMP/check.out" | tr '\n' ' ')"; fi; }

if [ "$(id -u)" -ne 0 ] || [ ! -x "$BIN" ] || ! command -v python3 >/dev/null; then
	echo "SKIP test_router_dnsproxy (needs root, python3 and build/wgrouter)"; exit 0
fi

# The upstream server: A records for three names, NXDOMAIN for others; big.test is
# truncated over UDP. Writes "udp tcp" query counts to its count file after each query.
cat >"$TMP/upstream.py" <<'EOF'
import os, socket, struct, sys, threading
count_file, ready_file = sys.argv[1], sys.argv[2]
counts = {"udp": 0, "tcp": 0}
lock = threading.Lock()
ADDRS = {"example.test": "203.0.113.80", "other.test": "203.0.113.81", "big.test": "203.0.113.82"}

def note(kind):
    with lock:
        counts[kind] += 1
        with open(count_file + ".tmp", "w") as f:
            f.write("%d %d\n" % (counts["udp"], counts["tcp"]))
        os.rename(count_file + ".tmp", count_file)

def answer(q, tcp):
    qid, flags = struct.unpack(">HH", q[:4])
    o, labels = 12, []
    while q[o]:
        labels.append(q[o + 1:o + 1 + q[o]].decode().lower())
        o += q[o] + 1
    qtype = struct.unpack(">H", q[o + 1:o + 3])[0]
    question, name = q[12:o + 5], ".".join(labels)
    rd = flags & 0x0100
    if name == "big.test" and not tcp:
        return struct.pack(">HHHHHH", qid, 0x8280 | rd, 1, 0, 0, 0) + question
    if name not in ADDRS:
        return struct.pack(">HHHHHH", qid, 0x8083 | rd, 1, 0, 0, 0) + question
    if qtype != 1:
        return struct.pack(">HHHHHH", qid, 0x8080 | rd, 1, 0, 0, 0) + question
    rr = struct.pack(">HHHIH", 0xC00C, 1, 1, 300, 4) + socket.inet_aton(ADDRS[name])
    return struct.pack(">HHHHHH", qid, 0x8080 | rd, 1, 1, 0, 0) + question + rr

def serve_udp(s):
    while True:
        q, peer = s.recvfrom(4096)
        note("udp")
        s.sendto(answer(q, False), peer)

def serve_tcp(s):
    while True:
        c, _ = s.accept()
        with c:
            n = struct.unpack(">H", c.recv(2, socket.MSG_WAITALL))[0]
            q = c.recv(n, socket.MSG_WAITALL)
            note("tcp")
            r = answer(q, True)
            c.sendall(struct.pack(">H", len(r)) + r)

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("0.0.0.0", 53))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("0.0.0.0", 53))
t.listen(8)
threading.Thread(target=serve_tcp, args=(t,), daemon=True).start()
open(ready_file, "w").close()
serve_udp(u)
EOF

# The client: dnsq.py SERVER NAME TYPE [tcp] prints "rcode=N tc=N answers=a,b";
# exit 2 when no answer came within 3 s.
cat >"$TMP/dnsq.py" <<'EOF'
import random, socket, struct, sys
server, name, qtype = sys.argv[1], sys.argv[2], int(sys.argv[3])
tcp = len(sys.argv) > 4 and sys.argv[4] == "tcp"
qid = random.randrange(65536)
q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack(">HH", qtype, 1)
fam = socket.AF_INET6 if ":" in server else socket.AF_INET
try:
    if tcp:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(3)
        s.connect((server, 53))
        s.sendall(struct.pack(">H", len(q)) + q)
        n = struct.unpack(">H", s.recv(2, socket.MSG_WAITALL))[0]
        r = s.recv(n, socket.MSG_WAITALL)
    else:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.settimeout(3)
        s.sendto(q, (server, 53))
        r = s.recv(4096)
except (OSError, struct.error) as e:
    print("no answer:", e)
    sys.exit(2)
if struct.unpack(">H", r[:2])[0] != qid:
    print("wrong id")
    sys.exit(3)
flags, qd, an = struct.unpack(">HHH", r[2:8])
def skip(o):
    while r[o] and r[o] < 0xC0:
        o += r[o] + 1
    return o + (2 if r[o] else 1)
o = 12
for _ in range(qd):
    o = skip(o) + 4
addrs = []
for _ in range(an):
    o = skip(o)
    t, _, _, rl = struct.unpack(">HHIH", r[o:o + 10])
    o += 10
    if t in (1, 28):
        addrs.append(socket.inet_ntop(socket.AF_INET if t == 1 else socket.AF_INET6, r[o:o + rl]))
    o += rl
print("rcode=%d tc=%d answers=%s" % (flags & 15, (flags >> 9) & 1, ",".join(addrs)))
EOF

for n in "$NR" "$NC" "$NU"; do ip netns add "$n"; ip -n "$n" link set lo up; done
cli() { ip netns exec "$NR" "$BIN" cli --state-dir "$TMP/s" "$@"; }
# q [SERVER] NAME TYPE [tcp]: asks from the client namespace
q() { ip netns exec "$NC" python3 "$TMP/dnsq.py" "$@"; }
answers() { local want=$1; shift; local out; out=$(q "$@"); echo "$out"; [ "$out" = "$want" ]; }
upstream_count() { cut -d' ' -f"$1" "$TMP/count" 2>/dev/null || echo 0; }
count_is() { [ "$(upstream_count "$1")" = "$2" ]; }
listening() { ip netns exec "$NR" ss -H -ln "$1" 'sport = :53' | grep -q .; }
nothing_listens() { ! listening -u && ! listening -t; }

# client LAN 192.168.77.0/24 (and fd00:77::/64); upstream on TEST-NET-2
ip link add "${P}a" netns "$NR" type veth peer name "${P}b" netns "$NC"
ip -n "$NR" addr add 192.168.77.1/24 dev "${P}a"; ip -n "$NR" addr add fd00:77::1/64 dev "${P}a" nodad
ip -n "$NC" addr add 192.168.77.2/24 dev "${P}b"; ip -n "$NC" addr add fd00:77::2/64 dev "${P}b" nodad
ip -n "$NR" link set "${P}a" up; ip -n "$NC" link set "${P}b" up
ip link add "${P}c" netns "$NR" type veth peer name "${P}d" netns "$NU"
ip -n "$NR" addr add 198.51.100.1/24 dev "${P}c"; ip -n "$NU" addr add 198.51.100.53/24 dev "${P}d"
ip -n "$NR" link set "${P}c" up; ip -n "$NU" link set "${P}d" up

ip netns exec "$NU" python3 "$TMP/upstream.py" "$TMP/count" "$TMP/upstream.ready" >"$TMP/upstream.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -e "$TMP/upstream.ready" ] && break; sleep 0.1; done
check upstream_up test -e "$TMP/upstream.ready"

ip netns exec "$NR" "$BIN" daemon --state-dir "$TMP/s" --uapi-dir "$TMP/run"
check daemon_starts test -S "$TMP/s/wgrouter.sock"
cli "/ip/dns/set servers=198.51.100.53"
check off_by_default nothing_listens

# The seed's setup: the router answers its clients, nas.lab is a local name.
cli "/ip/dns/set servers=198.51.100.53 allow-remote-requests=yes" \
	&& cli "/ip/dns/static/add name=nas.lab address=192.168.1.10"
check configured test $? -eq 0
check listens_udp_and_tcp bash -c "ip netns exec $NR ss -H -lnu 'sport = :53' | grep -q . && ip netns exec $NR ss -H -lnt 'sport = :53' | grep -q ."
check static_answer answers "rcode=0 tc=0 answers=192.168.1.10" 192.168.77.1 nas.lab 1
check static_any_case answers "rcode=0 tc=0 answers=192.168.1.10" 192.168.77.1 NAS.Lab 1
check static_other_type_empty answers "rcode=0 tc=0 answers=" 192.168.77.1 nas.lab 28
check statics_not_forwarded count_is 1 0
check forwarded answers "rcode=0 tc=0 answers=203.0.113.80" 192.168.77.1 example.test 1
check forwarded_once count_is 1 1
check cached answers "rcode=0 tc=0 answers=203.0.113.80" 192.168.77.1 example.test 1
check cache_hit_not_forwarded count_is 1 1
check nxdomain_passed_on answers "rcode=3 tc=0 answers=" 192.168.77.1 nowhere.test 1
check tcp_cached answers "rcode=0 tc=0 answers=203.0.113.80" 192.168.77.1 example.test 1 tcp
check tcp_forwarded answers "rcode=0 tc=0 answers=203.0.113.81" 192.168.77.1 other.test 1 tcp
check ipv6_client answers "rcode=0 tc=0 answers=192.168.1.10" fd00:77::1 nas.lab 1
check truncated_udp_passed_on answers "rcode=0 tc=1 answers=" 192.168.77.1 big.test 1
check truncated_tcp_asked_over_tcp answers "rcode=0 tc=0 answers=203.0.113.82" 192.168.77.1 big.test 1 tcp
check upstream_saw_tcp count_is 2 1
check cache_used_shown bash -c "ip netns exec $NR $BIN cli --state-dir $TMP/s /ip/dns/print | grep -Eq 'cache-used: [1-9]'"

# Reconfiguration without a restart: statics, then servers.
cli "/ip/dns/static/add name=printer.lab address=fd00:77::99"
check static_added_live answers "rcode=0 tc=0 answers=fd00:77::99" 192.168.77.1 printer.lab 28
cli "/ip/dns/static/set [find name=nas.lab] address=192.168.1.11"
check static_changed_live answers "rcode=0 tc=0 answers=192.168.1.11" 192.168.77.1 nas.lab 1
cli "/ip/dns/set servers=198.51.100.99"   # nobody there: each try times out
check servfail_when_no_server_answers answers "rcode=2 tc=0 answers=" 192.168.77.1 example.test 1
cli "/ip/dns/set servers=198.51.100.53"
check servers_changed_live answers "rcode=0 tc=0 answers=203.0.113.80" 192.168.77.1 example.test 1

# Off: nothing answers, the port is free.
cli "/ip/dns/set allow-remote-requests=no"
check off_no_answer bash -c "ip netns exec $NC python3 $TMP/dnsq.py 192.168.77.1 nas.lab 1; [ \$? -eq 2 ]"
check off_port_released nothing_listens

# Another program holds the port: a clear error in the log, the router goes on and
# takes the port once it is free again.
ip netns exec "$NR" python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 53)); time.sleep(120)' &
HOLDER=$!; PIDS+=($HOLDER)
for _ in $(seq 50); do listening -u && break; sleep 0.1; done
cli "/ip/dns/set allow-remote-requests=yes"
check port_taken_logged bash -c "ip netns exec $NR $BIN cli --state-dir $TMP/s /log/print | grep -q 'dns,error DNS server could not listen on port 53: Address already in use'"
check port_taken_daemon_alive cli ":put [/ip/dns/get allow-remote-requests]"
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null
check port_retaken bash -c "for i in \$(seq 30); do ip netns exec $NC python3 $TMP/dnsq.py 192.168.77.1 nas.lab 1 | grep -q 192.168.1.11 && exit 0; sleep 0.5; done; exit 1"

# Stopping the daemon closes the sockets.
pid=$(cat "$TMP/s/wgrouter.pid"); kill "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
check stop_releases_port nothing_listens
[ "$fails" -eq 0 ]
