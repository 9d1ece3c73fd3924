#!/usr/bin/env bash
# The interactive console as fingers use it, through a pseudo-terminal (python3 pty):
# `?` after /interface/ prints the menu's help and the line typed stays; Tab after
# `action=` lists the firewall's actions; `?` inside a quoted string is a character.
# The daemon runs in a namespace of its own with a temporary state directory.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP $TESTNAME (needs root)"; exit 0; }
router_daemon

# type_keys KEYS WAIT [KEYS WAIT ...]: runs `wgrouter cli` on a pty, sends each KEYS
# (python escapes) once the prompt is there and waits up to 15 s for WAIT (python
# escapes too: a text the terminal must show next; "" waits for a quiet second), then /quit; prints everything
# the terminal showed. Waiting for text, not for time: a loaded machine is only slower.
type_keys() {
	HOME=$TMP "$PY" - "$WGR" "$S" "$@" <<'PYEOF'
import os, pty, select, sys, time
wgr, state, args = sys.argv[1], sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(wgr, [wgr, "cli", "--state-dir", state])
out = b""
def read_until(want, secs):
    global out
    start, end, quiet = len(out), time.time() + secs, time.time() + 1
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return
            if not data:
                return
            out += data
            quiet = time.time() + 1
        if want and want in out[start:]:
            time.sleep(0.2)
            return
        if not want and time.time() > quiet:
            return
read_until(b"] /> ", 15)
for keys, want in zip(args[0::2], args[1::2]):
    os.write(fd, keys.encode().decode("unicode_escape").encode())
    read_until(want.encode().decode("unicode_escape").encode(), 15)
os.write(fd, b"\x15/quit\r")
read_until(b"", 3)
try:
    os.kill(pid, 9)
except ProcessLookupError:
    pass
os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
PYEOF
}

type_keys '/interface/' '/interface/' '?' '] /> /interface/' >"$TMP/help.out"
check help_lists_submenus grep -q 'wireguard/ -- WireGuard interfaces' "$TMP/help.out"
check help_lists_commands grep -q 'print -- Print values of item properties' "$TMP/help.out"
# the prompt comes back after the help with the line as typed (no newline was sent)
check help_keeps_line awk '/print -- Print values/ {seen=1} seen && /\] \/> \/interface\// {ok=1} END {exit !ok}' \
	"$TMP/help.out"
check help_no_syntax_error bash -c "! grep -q 'syntax error' '$TMP/help.out'"

type_keys '/ip/firewall/filter/add chain=input action=' 'action=' '\t\t' 'action=passthrough' >"$TMP/tab.out"
check tab_lists_actions bash -c "grep -q 'action=accept' '$TMP/tab.out' && grep -q 'action=drop' '$TMP/tab.out' && \
	grep -q 'action=add-src-to-address-list' '$TMP/tab.out'"

type_keys '/ip/firewall/filter/add chain=input action=dr' 'action=dr' '\t' 'action=drop' >"$TMP/tab1.out"
check tab_completes_one_action grep -q 'action=drop' "$TMP/tab1.out"

type_keys ':put "why?"\r' 'why?\r\n' >"$TMP/quoted.out"
check question_mark_in_string_is_a_character grep -q 'why?$' "$TMP/quoted.out"

check daemon_still_answers "$WGR" cli --state-dir "$S" /system/identity/print
finish
