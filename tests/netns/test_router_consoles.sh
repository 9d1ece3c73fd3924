#!/usr/bin/env bash
# One console never holds up another (issue 11, finding 7): a client that sends half a
# frame header, a command that waits (:delay), and more idle connections than there are
# slots all leave other consoles answered at once; the half frame is cut off. The
# daemon runs in a namespace of its own with a temporary state directory.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP $TESTNAME (needs root)"; exit 0; }
router_daemon

cli() { nsx r "$WGR" cli --state-dir "$S" "$@"; }
# quick NAME: a command answered within 2 s although another console is stuck
quick() { check "$1" timeout 2 "$WGR" cli --state-dir "$S" /system/identity/print; }

# python3 holds raw connections open: MODE is half (2 bytes of a header), idle (nothing)
hold() { # hold MODE COUNT SECONDS: prints how many connections the daemon closed
	"$PY" - "$S/wgrouter.sock" "$@" <<'PYEOF'
import socket, sys, time
path, mode, count, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
socks = []
for _ in range(count):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    if mode == "half":
        s.sendall(b"\x00\x00")
    socks.append(s)
closed, end = 0, time.time() + secs
for s in socks:
    s.settimeout(max(0.01, end - time.time()))
    try:
        if s.recv(64) == b"":
            closed += 1
    except (socket.timeout, ConnectionResetError):
        pass
print(closed, flush=True)
PYEOF
}

# half a frame header: others go on, and the half frame is cut off within ~10 s
hold half 1 14 >"$TMP/half.out" &
sleep 0.5
quick others_answered_during_half_frame
wait
check half_frame_cut_off [ "$(cat "$TMP/half.out")" = 1 ]

# :delay in one console releases the router to the others
cli ':delay 4s' >/dev/null 2>&1 &
sleep 0.5
quick others_answered_during_delay
check delay_still_works wait $!

# more idle connections than slots (64): a newcomer is still served, idle ones evicted
hold idle 70 6 >"$TMP/idle.out" &
sleep 1.5
quick newcomer_served_with_slots_full
wait
check idle_connections_evicted [ "$(cat "$TMP/idle.out")" -ge 6 ]

check daemon_still_answers cli /system/identity/print
finish
