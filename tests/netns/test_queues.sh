#!/usr/bin/env bash
# Data-plane queues (WGROUTER_QUEUES=2) between two wgrouter ends:
# - each process holds two TUN queue fds and two socket sets (IPv4 + IPv6) on its port;
# - 16 UDP flows each way, numbered datagrams: every flow arrives in order; the sender's
#   TUN spread them over both queues (both tx threads ran), the receiver took the one
#   peer's datagrams on one queue (one rx thread ran: the port's steering program picks
#   the queue by the peer's lane in the receiver index, so one peer, one queue, in order);
# - the per-peer counters, summed over the queues: the sender's equal what its TUN counted,
#   the receiver's equal the sender's;
# - a listen-port change moves every queue's sockets, and traffic flows again both ways;
#   port changes while the flows run lose nothing that was sent and break no order: the
#   receiver keeps the roaming peer on one queue (by the kernel's hash of the sender's
#   port, each new port could pick the other queue, and its datagrams overtake those
#   still queued on the first); and it keeps the peer on that queue in its new sessions.
. "$(dirname "$0")/lib.sh"
export WGROUTER_QUEUES=2
FLOWS=16 COUNT=300 SIZE=1000 # inner IPv4 packet: SIZE + 28 bytes

# The flow tool: "recv PORT" prints "flows N received N reordered N" once idle for 1 s;
# "send ADDR PORT FLOWS COUNT SIZE" sends COUNT numbered datagrams on each of FLOWS
# sockets (one source port each), interleaved.
cat >"$TMP/flows.py" <<'EOF'
import socket, struct, sys, time
if sys.argv[1] == "recv":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("0.0.0.0", int(sys.argv[2]))); s.settimeout(10)
    last, got, reordered = {}, 0, 0
    while True:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        s.settimeout(1)
        flow, seq = struct.unpack("!II", d[:8])
        if seq <= last.get(flow, -1):
            reordered += 1
        last[flow] = max(seq, last.get(flow, -1)); got += 1
    print("flows %d received %d reordered %d" % (len(last), got, reordered), flush=True)
else:
    addr, port, flows, count, size = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(flows)]
    for seq in range(count):
        for f, s in enumerate(socks):
            s.sendto(struct.pack("!II", f, seq) + bytes(size - 8), (addr, port))
        if seq % 20 == 19:
            time.sleep(0.002) # paced: a socket buffer overrun is no tunnel's fault
EOF

msg() { local p=$(( ($1 + 15) / 16 * 16 )); [ $p -gt 1420 ] && p=1420; echo $((32 + p)); }
# snap NS IF PUB: "wg_rx wg_tx tun_rx_packets tun_tx_packets"
snap() {
	local d=/sys/class/net/$2/statistics
	nsx "$1" sh -c "wg show '$2' transfer | awk '\$1 == \"$3\" { printf \"%s %s \", \$2, \$3 }';
		cat $d/rx_packets $d/tx_packets" | tr '\n' ' '
}
# cpu PID NAME: nanoseconds on a CPU of the thread named NAME (an idle one stays put)
cpu() {
	local t
	for t in /proc/"$1"/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = "$2" ] && cut -d' ' -f1 "$t/schedstat" && return
	done
	echo 0
}

# rx_mark PID, then rx_since PID: "NS0 NS1", how long PID's two rx threads ran in between
rx_mark() { RX_AT=("$(cpu "$1" wgrx0)" "$(cpu "$1" wgrx1)"); }
rx_since() { echo "$(( $(cpu "$1" wgrx0) - RX_AT[0] )) $(( $(cpu "$1" wgrx1) - RX_AT[1] ))"; }

# check_fds SIDE PID PORT: two TUN queues, and four sockets (2 x IPv4 + IPv6) on PORT
check_fds() {
	local tuns socks
	tuns=$(grep -l '^iff:' /proc/"$2"/fdinfo/* 2>/dev/null | wc -l)
	socks=$(nsx "$1" ss -Huanp "sport = :$3" | grep -c "pid=$2,")
	[ "$tuns" = 2 ] && [ "$socks" = 4 ] && pass "$1:fds:$3" || fail "$1:fds:$3" "$tuns TUN fds, $socks sockets on port $3"
}

# flows TAG FROM TO FROM_PID TO_PID TO_ADDR: 16 flows one way; order, spread, counters
flows() {
	local tag=$1 from=$2 to=$3 fpid=$4 tpid=$5 addr=$6
	local sf st; sf=$(snap "$from" "$(ifn "$from")" "$(pub_of "$to")"); st=$(snap "$to" "$(ifn "$to")" "$(pub_of "$from")")
	local w0=() q
	for q in 0 1; do w0+=("$(cpu "$fpid" wgtx$q)" "$(cpu "$tpid" wgrx$q)"); done
	nsx "$to" "$PY" "$TMP/flows.py" recv 9000 >"$TMP/recv.out" &
	local rpid=$!
	sleep 0.3
	nsx "$from" "$PY" "$TMP/flows.py" send "$addr" 9000 $FLOWS $COUNT $SIZE
	wait $rpid
	local r; r=$(cat "$TMP/recv.out")
	read -r _ nf _ got _ reord <<<"$r"
	# order is the point: a slow daemon (a sanitizer build, a loaded machine) may lose
	# some to the TUN's queue of 500, but what arrives comes in order
	[ "${nf:-0}" = $FLOWS ] && [ "${reord:-1}" = 0 ] && [ "${got:-0}" -ge $((FLOWS * COUNT / 4)) ] \
		&& pass "$tag:in-order" || fail "$tag:in-order" "$r"
	# the sender's TUN spreads the inner flows over both tx threads; the receiver takes
	# one peer's datagrams (one outer address and port pair) on one queue only
	local tx0 tx1 rx0 rx1
	tx0=$(( $(cpu "$fpid" wgtx0) - w0[0] )) tx1=$(( $(cpu "$fpid" wgtx1) - w0[2] ))
	rx0=$(( $(cpu "$tpid" wgrx0) - w0[1] )) rx1=$(( $(cpu "$tpid" wgrx1) - w0[3] ))
	local busy=100000 # 0.1 ms
	[ $tx0 -ge $busy ] && [ $tx1 -ge $busy ] && pass "$tag:tx-both-queues" \
		|| fail "$tag:tx-both-queues" "tx threads ran $tx0 and $tx1 ns"
	{ [ $rx0 -ge $busy ] && [ $rx1 = 0 ]; } || { [ $rx1 -ge $busy ] && [ $rx0 = 0 ]; } && pass "$tag:rx-one-queue" \
		|| fail "$tag:rx-one-queue" "rx threads ran $rx0 and $rx1 ns"
	counters "$tag" "$sf" "$(snap "$from" "$(ifn "$from")" "$(pub_of "$to")")" \
		"$st" "$(snap "$to" "$(ifn "$to")" "$(pub_of "$from")")"
}

# counters TAG SENDER_BEFORE SENDER_AFTER RECEIVER_BEFORE RECEIVER_AFTER: every packet the
# sender's TUN handed over is one transport message of the flows' size (handshakes are
# done before, nothing else travels), and the receiver counted each (the receiver's TUN
# counts GRO-merged writes, not packets)
counters() {
	local sb=($2) sa=($3) rb=($4) ra=($5)
	local stx=$((sa[1] - sb[1])) srx=$((sa[0] - sb[0])) tpk=$((sa[3] - sb[3]))
	local rrx=$((ra[0] - rb[0])) rtx=$((ra[1] - rb[1]))
	local m; m=$(msg $((SIZE + 28)))
	[ $stx = $((tpk * m)) ] && [ $tpk -gt 0 ] && [ $rrx = $stx ] && [ $srx = 0 ] && [ $rtx = 0 ] && pass "$1:counters" \
		|| fail "$1:counters" "sender tx +$stx rx +$srx, its TUN read $tpk packets of $m-byte messages; receiver rx +$rrx tx +$rtx"
}

pub_of() { [ "$1" = a ] && echo "$ka_pub" || echo "$kb_pub"; }

mkns a; mkns b
link a eth0 b eth0 192.0.2.1/24 192.0.2.2/24
A=$(ifn a) B=$(ifn b)
# start_wg's job is a subshell; the daemon is its child
daemon_pid() { pgrep -P "${PIDS[-1]}" | head -1; }
start_wg wgrouter a "$A" || { fail start-a; finish; }
PA=$(daemon_pid)
start_wg wgrouter b "$B" || { fail start-b; finish; }
PB=$(daemon_pid)
genkeys ka; genkeys kb
echo "$ka_priv" >"$TMP/a.key"; echo "$kb_priv" >"$TMP/b.key"
nsx a wg set "$A" private-key "$TMP/a.key" listen-port 51820 peer "$kb_pub" endpoint 192.0.2.2:51821 allowed-ips 10.9.0.2/32
nsx b wg set "$B" private-key "$TMP/b.key" listen-port 51821 peer "$ka_pub" endpoint 192.0.2.1:51820 allowed-ips 10.9.0.1/32
for n in a b; do
	nsx $n ip link set "$(ifn $n)" addrgenmode none mtu 1420
	nsx $n ip addr add "10.9.0.$([ $n = a ] && echo 1 || echo 2)/24" dev "$(ifn $n)"
	nsx $n ip link set "$(ifn $n)" up
done
check_fds a "$PA" 51820
check_fds b "$PB" 51821
check ping nsx a ping -c 3 -i 0.2 -W 3 10.9.0.2
flows a-to-b a b "$PA" "$PB" 10.9.0.2
flows b-to-a b a "$PB" "$PA" 10.9.0.1

# A moves: every queue's sockets follow, B learns the new endpoint from A's traffic
nsx a wg set "$A" listen-port 51830
check_fds a "$PA" 51830
socks=$(nsx a ss -Huanp "sport = :51820" | grep -c "pid=$PA,")
[ "$socks" = 0 ] && pass a:old-port-closed || fail a:old-port-closed "$socks sockets still on 51820"
check ping-after-port-change nsx a ping -c 3 -i 0.2 -W 3 10.9.0.2
flows after-port-change-a-to-b a b "$PA" "$PB" 10.9.0.2
flows after-port-change-b-to-a b a "$PB" "$PA" 10.9.0.1
# ports changed while the tx threads send: every send goes out on a whole set, old or new
(for p in 51840 51841 51842 51843 51830; do sleep 0.15; nsx a wg set "$A" listen-port $p; done) &
flows port-changes-under-traffic a b "$PA" "$PB" 10.9.0.2
wait $!
check_fds a "$PA" 51830
# Roaming, one port at a time: by the kernel's hash each of eight source ports would
# pick either of B's queues (all on one: 1 in 128); steered by A's lane, all reach one.
rx_mark "$PB"; lost=0
for p in $(seq 51850 51857) 51830; do
	nsx a wg set "$A" listen-port $p
	nsx a ping -c 1 -W 3 10.9.0.2 >/dev/null || lost=$((lost + 1))
done
read -r r0 r1 <<<"$(rx_since "$PB")"
{ [ $r0 = 0 ] || [ $r1 = 0 ]; } && [ $lost = 0 ] && pass roaming-one-queue \
	|| fail roaming-one-queue "B's rx threads ran $r0 and $r1 ns, $lost of 9 pings lost"
check ping-after-port-changes nsx a ping -c 2 -i 0.2 -W 3 10.9.0.2 # B learns the last port
# New sessions: A forgets B and handshakes again, eight times. Each time B hands A a new
# receiver index; its top byte, B's lane for A, keeps A's data on one of B's queues (with
# random indices each session would pick either: all on one, 1 in 128). The handshake
# messages themselves may go to either queue, so only the pings after it count.
queues=""
for round in 1 2 3 4 5 6 7 8; do
	nsx a wg set "$A" peer "$kb_pub" remove
	nsx a wg set "$A" peer "$kb_pub" endpoint 192.0.2.2:51821 allowed-ips 10.9.0.2/32
	nsx a ping -c 1 -W 3 10.9.0.2 >/dev/null # the handshake
	rx_mark "$PB"
	nsx a ping -c 2 -i 0.1 -W 3 10.9.0.2 >/dev/null || queues+="lost "
	read -r r0 r1 <<<"$(rx_since "$PB")"
	if [ $r0 != 0 ] && [ $r1 = 0 ]; then queues+="0 "; elif [ $r0 = 0 ] && [ $r1 != 0 ]; then queues+="1 "; else queues+="both "; fi
done
[ "$queues" = "0 0 0 0 0 0 0 0 " ] || [ "$queues" = "1 1 1 1 1 1 1 1 " ] && pass sessions-one-queue \
	|| fail sessions-one-queue "B's queue for A's data, session by session: $queues"
ep=$(peer_field b "$B" "$ka_pub" endpoints)
[ "$ep" = 192.0.2.1:51830 ] && pass b:endpoint-roamed || fail b:endpoint-roamed "$ep"
alive "$PA" && alive "$PB" && pass alive || fail alive
finish
