#!/usr/bin/env bash
# Ctrl-C in `wgrouter cli` (issue 13): driven through a pseudo-terminal, a partial line
# and Ctrl-C give a fresh prompt with the cli alive; `/ping 127.0.0.1` without count runs
# until Ctrl-C, then prints its summary and the prompt returns, and the same console
# still answers. In the argument form Ctrl-C stops the ping and the cli exits 130; a
# script on stdin bounds a ping without count to 4. The daemon runs in a namespace of
# its own.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP $TESTNAME (needs root)"; exit 0; }
router_daemon
cli() { nsx r "$WGR" cli --state-dir "$S" "$@"; }

# The interactive console on a pseudo-terminal; prints one "PASS/FAIL name" per step.
nsx r env HOME="$TMP" "$PY" - "$WGR" "$S" >"$TMP/pty.out" 2>&1 <<'PYEOF'
import os, pty, re, select, sys, time
wgr, state = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(wgr, [wgr, "cli", "--state-dir", state])
buf = b""
def read_until(pattern, secs):
    """Reads until pattern (a regex on what came since the last mark) or time is up."""
    global buf
    end = time.time() + secs
    while time.time() < end:
        m = re.search(pattern, buf)
        if m:
            return m
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                buf += os.read(fd, 4096)
            except OSError:
                break
    return re.search(pattern, buf)
def mark():
    global buf
    buf = b""
def alive():
    return os.waitpid(pid, os.WNOHANG) == (0, 0)
def result(name, ok, why=""):
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else " (%s)" % why), flush=True)

PROMPT = rb"\] [^\r\n]*> $"
result("prompt_shown", read_until(PROMPT, 5) is not None, buf[-200:])
mark()
os.write(fd, b"/ip address pri")
read_until(rb"pri$", 2)
mark()
os.write(fd, b"\x03")
got = read_until(PROMPT, 3)
result("ctrl_c_at_prompt_fresh_prompt", got is not None and alive(), buf[-200:])
mark()
os.write(fd, b"/system identity print\r")
result("line_after_ctrl_c_is_fresh", read_until(rb"name: [^\r\n]+[\s\S]*" + PROMPT, 5) is not None
       and b"pri/system" not in buf, buf[-300:])
mark()
os.write(fd, b"/ping 127.0.0.1\r")
read_until(rb"SEQ HOST", 5)
time.sleep(2.2)
os.write(fd, b"\x03")
t0 = time.time()
got = read_until(rb"sent=(\d+) received=(\d+) packet-loss=0%[^\r\n]*max-rtt=[0-9a-z]+\s*\r\n[\s\S]*" + PROMPT, 5)
result("ping_runs_until_ctrl_c", got is not None and int(got.group(1)) >= 2, buf[-400:])
stop = time.time() - t0
print("ctrl-c to summary and prompt: %.0f ms" % (stop * 1000), flush=True)
result("ping_stops_at_once", got is not None and stop < 1.5, "%.2fs" % stop)
result("ping_times_in_routeros_form", re.search(rb"\s\d+ 127\.0\.0\.1 +56 +64 (\d+ms)?\d+us", buf) is not None, buf[:300])
result("cli_alive_after_ping", alive())
mark()
os.write(fd, b"/system identity print\r")
result("console_works_after_ping", read_until(rb"name: [^\r\n]+", 5) is not None, buf[-300:])
mark()
os.write(fd, b"/quit\r")
end = time.time() + 5
status = None
while time.time() < end:
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        status = st
        break
    try:
        select.select([fd], [], [], 0.1) and os.read(fd, 4096)
    except OSError:
        pass
result("quit_ends_cli", status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, str(status))
PYEOF
while read -r verdict name rest; do
	if [ "$verdict" = PASS ]; then pass "$name"; else fail "$name" "$rest"; fi
done < <(grep -E '^(PASS|FAIL) ' "$TMP/pty.out")
grep '^ctrl-c to summary' "$TMP/pty.out"
grep -q '^PASS quit_ends_cli' "$TMP/pty.out" || fail pty_script_completed "$(tail -5 "$TMP/pty.out" | tr '\n' ' ')"

# The argument form: Ctrl-C (SIGINT to the cli) stops the ping, summary printed, exit 130.
# (ip netns exec execs the cli: $! is the cli itself, not a subshell of this script)
ip netns exec "$(ns r)" "$WGR" cli --state-dir "$S" /ping 127.0.0.1 interval=200ms >"$TMP/arg.out" 2>&1 &
sleep 1.5
kill -INT $!
rc=0
wait $! || rc=$?
check argument_form_exits_130 test "$rc" -eq 130
check argument_form_summary grep -Eq 'sent=[0-9]+ received=[0-9]+ packet-loss=0%' "$TMP/arg.out"
# the script form: Ctrl-C stops the running command and the script, exit 130
printf '/ping 127.0.0.1 count=100 interval=100ms\n/system identity print\n' >"$TMP/long.rsc"
ip netns exec "$(ns r)" "$WGR" cli --state-dir "$S" <"$TMP/long.rsc" >"$TMP/scr.out" 2>&1 &
sleep 1
kill -INT $!
rc=0
wait $! || rc=$?
check script_form_exits_130 test "$rc" -eq 130
check script_form_summary grep -Eq 'sent=[0-9]+ received=[0-9]+ packet-loss=0%' "$TMP/scr.out"
check script_form_stops_script bash -c "! grep -q 'name:' $TMP/scr.out"
# a script on stdin: nobody could stop it, so a ping without count sends 4
echo '/ping 127.0.0.1 interval=100ms' | cli >"$TMP/script.out" 2>&1
check script_ping_bounded grep -q 'sent=4 received=4 packet-loss=0%' "$TMP/script.out"
check daemon_still_answers cli /system/identity/print
finish
