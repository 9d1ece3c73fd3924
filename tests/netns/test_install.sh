#!/usr/bin/env bash
# Shipping (issue 16), the quick checks that need no package build:
# - every subcommand answers -h and --help (usage on stdout, status 0), a bad option is an
#   error, `wgrouter --version` names the version debian/changelog names and the libraries;
# - a plain `make` without the libraries stops at once with one line naming the packages
#   and `make deps` (a copy of the Makefile and a compiler that finds no header);
# - `make install DESTDIR=... PREFIX=/usr` installs exactly the expected files, the units
#   point at the installed binary, `make uninstall` removes them and keeps an edited
#   /etc/default/wgrouter;
# - `systemd-analyze verify` accepts both units (when systemd is installed);
# - both man pages render without a warning, wgrouter(8) describes every subcommand and
#   wgrouter-console(7) every menu of src/router;
# - bash completion offers the subcommands, their options and the console's menus;
# - readiness: `daemon -f` sends READY=1 to $NOTIFY_SOCKET (a path, and an abstract name)
#   only when its socket listens and the saved configuration is applied (the interface
#   exists), and STOPPING=1 on SIGTERM.
# Everything it creates lives in a temporary directory and one namespace.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP $TESTNAME (needs root)"; exit 0; }
cd "$ROOT"

# ---- --help, -h, --version ----
SUBS=$("$WGR" --help | awk '/^Commands:/ {on=1; next} on && /^  [a-z]/ {print $1}')
[ -n "$SUBS" ] && pass subcommands_listed || fail subcommands_listed
for c in $SUBS; do
	for h in -h --help; do
		if "$WGR" "$c" "$h" >"$TMP/help.out" 2>"$TMP/help.err" && grep -q '^Usage: ' "$TMP/help.out" \
			&& [ ! -s "$TMP/help.err" ]; then
			pass "help:$c$h"
		else
			fail "help:$c$h" "$(head -2 "$TMP/help.err" "$TMP/help.out" | tr '\n' ' ')"
		fi
	done
done
check help:wgrouter-userspace bash -c "'$ROOT/build/wgrouter-userspace' --help | grep -q '^Usage: '"
check help:help_daemon bash -c "'$WGR' help daemon | grep -q -- --state-dir"
check bad_option_is_error bash -c "! '$WGR' daemon --no-such-option 2>/dev/null && ! '$WGR' cli --no-such-option 2>/dev/null"
VERSION=$(sed -n '1s/^wgrouter (\([^)]*\)).*/\1/p' debian/changelog)
check version_matches_changelog bash -c "'$WGR' --version | head -1 | grep -qx 'wgrouter $VERSION'"
check version_names_libraries bash -c "'$WGR' --version | grep -q OpenSSL && '$WGR' --version | grep -q libsodium \
	&& '$WGR' --version | grep -q 'libmnl .*libmnl.so'"

# ---- the library probe of a plain `make` ----
# a copy of the Makefile (no sources: it must stop before compiling anything) and a
# compiler whose only include directory is empty
mkdir -p "$TMP/probe/scripts" "$TMP/probe/src" "$TMP/noinclude"
cp Makefile "$TMP/probe/"; cp scripts/check-build-deps.sh "$TMP/probe/scripts/"
printf '#!/bin/sh\nexec cc -nostdinc -I"%s" "$@"\n' "$TMP/noinclude" >"$TMP/nohdr-cc"; chmod +x "$TMP/nohdr-cc"
make -C "$TMP/probe" --no-print-directory CC="$TMP/nohdr-cc" >"$TMP/probe.out" 2>&1; rc=$?
if [ $rc -ne 0 ] && [ "$(wc -l <"$TMP/probe.out")" -eq 1 ] && grep -q 'libqrencode-dev' "$TMP/probe.out" \
	&& grep -q 'make deps' "$TMP/probe.out" && [ ! -e "$TMP/probe/build/.deps-ok" ]; then
	pass probe_one_line
else
	fail probe_one_line "exit $rc: $(head -3 "$TMP/probe.out" | tr '\n' ' ')"
fi
make -C "$TMP/probe" --no-print-directory CC=/nonexistent/cc >"$TMP/probe.out" 2>&1
check probe_no_compiler grep -q 'build-essential.*make deps' "$TMP/probe.out"
check probe_passes_with_headers bash -c "make -C '$TMP/probe' --no-print-directory -n all && test -e '$TMP/probe/build/.deps-ok'"

# ---- make install / uninstall ----
D=$TMP/destdir
make --no-print-directory install DESTDIR="$D" PREFIX=/usr >"$TMP/install.out" 2>&1 \
	|| fail make_install "$(tail -3 "$TMP/install.out" | tr '\n' ' ')"
(cd "$D" && find . ! -type d | sort) >"$TMP/files"
cat >"$TMP/expected" <<'EOF'
./etc/default/wgrouter
./usr/lib/systemd/system/wgrouter-userspace@.service
./usr/lib/systemd/system/wgrouter.service
./usr/sbin/wgrouter
./usr/sbin/wgrouter-userspace
./usr/share/bash-completion/completions/wgrouter
./usr/share/bash-completion/completions/wgrouter-userspace
./usr/share/man/man7/wgrouter-console.7
./usr/share/man/man8/wgrouter-userspace.8
./usr/share/man/man8/wgrouter.8
EOF
check install_file_list diff "$TMP/expected" "$TMP/files"
check install_link_userspace test "$(readlink "$D/usr/sbin/wgrouter-userspace")" = wgrouter
check install_unit_execstart grep -qx 'ExecStart=/usr/sbin/wgrouter daemon -f --state-dir /var/lib/wgrouter $WGROUTER_DAEMON_OPTS' \
	"$D/usr/lib/systemd/system/wgrouter.service"
check install_unit_notify grep -qx 'Type=notify' "$D/usr/lib/systemd/system/wgrouter.service"
check install_template_impl grep -qx 'Environment=WG_QUICK_USERSPACE_IMPLEMENTATION=/usr/sbin/wgrouter-userspace' \
	"$D/usr/lib/systemd/system/wgrouter-userspace@.service"
echo "WGROUTER_DAEMON_OPTS=\"-u /run/x\"" >>"$D/etc/default/wgrouter" # a local edit
make --no-print-directory uninstall DESTDIR="$D" PREFIX=/usr >"$TMP/uninstall.out" 2>&1
check uninstall_removes_all test "$(cd "$D" && find . ! -type d)" = ./etc/default/wgrouter
make --no-print-directory install DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1
check install_keeps_edited_default grep -q /run/x "$D/etc/default/wgrouter"
rm -f "$D/etc/default/wgrouter"
make --no-print-directory uninstall DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1
make --no-print-directory install DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1
make --no-print-directory uninstall DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1
check uninstall_removes_unedited_default test -z "$(cd "$D" && find . ! -type d)"

# ---- systemd-analyze verify: the units with a real binary and man pages behind them ----
if command -v systemd-analyze >/dev/null; then
	P=$TMP/prefix
	make --no-print-directory install PREFIX="$P" SYSCONFDIR="$P/etc" >/dev/null 2>&1
	manopt=--man=yes; command -v man >/dev/null || manopt=--man=no # man-db is not in a base system
	for u in wgrouter.service wgrouter-userspace@.service; do
		if MANPATH="$P/share/man:" systemd-analyze verify $manopt "$P/lib/systemd/system/$u" >"$TMP/verify.out" 2>&1 \
			&& [ ! -s "$TMP/verify.out" ]; then
			pass "systemd_verify:$u"
		else
			fail "systemd_verify:$u" "$(head -3 "$TMP/verify.out" | tr '\n' ' ')"
		fi
	done
else
	echo "SKIP $TESTNAME:systemd_verify (systemd-analyze not installed)"
fi

# ---- man pages ----
if command -v man >/dev/null || command -v groff >/dev/null; then
	for m in man/wgrouter.8 man/wgrouter-console.7; do
		txt=$TMP/$(basename "$m").txt
		if command -v man >/dev/null; then
			LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$m" >"$txt" 2>"$TMP/man.err"
		else
			groff -man -ww -Tutf8 "$m" >"$txt" 2>"$TMP/man.err"
		fi
		if [ $? -eq 0 ] && [ ! -s "$TMP/man.err" ] && [ -s "$txt" ]; then
			pass "man_renders:$(basename "$m")"
		else
			fail "man_renders:$(basename "$m")" "$(head -3 "$TMP/man.err" | tr '\n' ' ')"
		fi
	done
	missing=""
	for c in $SUBS; do grep -qE "^       $c([ ,]|$)" "$TMP/wgrouter.8.txt" || missing+=" $c"; done
	[ -z "$missing" ] && pass man_every_subcommand || fail man_every_subcommand "not described:$missing"
	MENUS=$(grep -hE '\.path = "/|RULE_MENU\(' src/router/menus_*.c | grep -o '"/[a-z0-9/-]*"' | tr -d '"' | sort -u)
	missing=""
	for p in $MENUS; do grep -qF -- "$p" "$TMP/wgrouter-console.7.txt" || missing+=" $p"; done
	[ -z "$missing" ] && pass man_every_menu || fail man_every_menu "not in wgrouter-console.7:$missing"
else
	echo "SKIP $TESTNAME:man (neither man nor groff installed: make deps)"
fi

# ---- bash completion ----
comp() { # comp WORDS...: the completions for the last word
	bash -c '. dist/wgrouter.bash-completion; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _wgrouter; printf "%s\n" "${COMPREPLY[@]}"' \
		comp "$@"
}
check completion_subcommands test "$(comp wgrouter '' | grep -v '^-' | sort | tr '\n' ' ')" \
	= "$( (echo "$SUBS"; echo help) | sort | tr '\n' ' ')"
check completion_daemon_option test "$(comp wgrouter daemon --st)" = --state-dir
check completion_cli_menu grep -qx /ip/firewall/filter <<<"$(comp wgrouter cli /ip/fire)"
check completion_cli_after_menu test -z "$(comp wgrouter cli /ip/address print)"
check completion_userspace test "$(comp wgrouter-userspace --f)" = --foreground

# ---- readiness (sd_notify) ----
mkns r
S=$TMP/state
# A configuration to apply at the next start: an interface made by a first daemon, gone
# for good (its interface removed and its lock on the state directory released: the
# interface goes early in its shutdown, and a second daemon started before the first has
# exited is refused, as systemd would never do).
nsx r "$WGR" daemon --state-dir "$S" --uapi-dir "$TMP/run" \
	&& nsx r "$WGR" cli --state-dir "$S" /interface/wireguard/add name=wgready listen-port=51999 >/dev/null \
	&& kill "$(cat "$S/wgrouter.pid")" && wait_for 5 bash -c "! ip netns exec $(ns r) ip link show wgready" \
	&& wait_for 10 flock -n "$S/wgrouter.pid" true \
	|| fail notify_setup
# notify NOTIFY_SOCKET: starts `daemon -f` with it; prints what arrived, one datagram a
# line (newlines as |), and at READY whether the socket and the interface were there
notify() {
	nsx r "$PY" - "$1" "$WGR" "$S" "$TMP/run" <<'PYEOF'
import os, signal, socket, subprocess, sys
name, wgr, state, run = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + name[1:] if name.startswith("@") else name)
s.settimeout(10)
p = subprocess.Popen([wgr, "daemon", "-f", "--state-dir", state, "--uapi-dir", run],
                     env=dict(os.environ, NOTIFY_SOCKET=name), stderr=subprocess.DEVNULL)
try:
    msg = s.recv(4096).decode()
    os.kill(p.pid, signal.SIGSTOP)  # what is there at READY, not a moment later
    sock = os.path.exists(state + "/wgrouter.sock")
    link = subprocess.run(["ip", "link", "show", "wgready"], capture_output=True).returncode == 0
    os.kill(p.pid, signal.SIGCONT)
    print(msg.replace("\n", "|"), "socket=%s" % sock, "interface=%s" % link)
    p.terminate()
    print(s.recv(4096).decode().replace("\n", "|"))
finally:
    p.terminate()
    p.wait(10)
PYEOF
}
notify "$TMP/notify.sock" >"$TMP/notify.out" 2>&1
check notify_ready_path grep -q '^READY=1.* socket=True interface=True$' "$TMP/notify.out"
check notify_stopping grep -qx 'STOPPING=1' "$TMP/notify.out"
notify "@wgrouter-test-$$" >"$TMP/notify2.out" 2>&1
check notify_ready_abstract grep -q '^READY=1.* socket=True interface=True$' "$TMP/notify2.out"
finish
