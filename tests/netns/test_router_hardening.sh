#!/usr/bin/env bash
# The daemon against hostile console input and its own crashes (issue 11), in a network
# namespace (the daemon turns on forwarding and owns an nftables table there) with a
# temporary state directory. Every cli call is bounded by timeout, so a hang FAILs:
# - \v / \f in a command, 100,000 nested [, a NUL byte, /import of /dev/zero and a FIFO:
#   a RouterOS-style error, and the daemon is still alive and small;
# - a non-root user gets a clear message and exit 1 (not a silent 141 from SIGPIPE);
# - the daemon works in its state directory, removes a temporary file that an
#   interrupted save left there, and its core file holds no private key.
. "$(dirname "$0")/lib.sh"
S=$TMP/state
U=$TMP/uapi
WGIF=$(ifn h)
mkdir -p "$S" "$U" "$TMP/elsewhere"

cli() { timeout 20 "$WGR" cli --state-dir "$S" "$@"; }
dpid() { cat "$S/wgrouter.pid" 2>/dev/null; }
# rss_kb PID: resident memory of a process
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
# start_daemon: from a directory other than the state directory, with core files on
start_daemon() {
	(cd "$TMP/elsewhere" && ulimit -c unlimited && nsx r "$WGR" daemon --state-dir "$S" --uapi-dir "$U") \
		>"$TMP/daemon.out" 2>&1
}
# daemon_ok NAME: the daemon is alive and under 100 MB
daemon_ok() {
	local p; p=$(dpid)
	if [ -n "$p" ] && alive "$p" && [ "$(rss_kb "$p")" -lt 100000 ]; then pass "$1"
	else fail "$1" "daemon ${p:-?} gone or grown ($(rss_kb "${p:-0}") kB)"; show_log daemon; fi
}
# expect NAME WANT CMD...: CMD fails (status 1) and its stderr contains WANT
expect() {
	local name=$1 want=$2 rc; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
	if [ $rc -eq 1 ] && grep -qF -- "$want" "$TMP/err"; then pass "$name"
	else fail "$name" "status $rc, stderr: $(head -c 200 "$TMP/err")"; fi
}

mkns r
printf '# wgrouter state 1\nitem /interface/wireguard *9 name="half' >"$S/config.state.tmp"
check daemon_starts start_daemon
PID=$(dpid)
check works_in_state_dir test "$(readlink "/proc/$PID/cwd")" = "$(realpath "$S")"
check interrupted_save_removed test ! -e "$S/config.state.tmp"

# ---- input that used to hang, crash or be cut short ----
check vertical_tab_is_a_blank cli $'/ip/address/print\v'
check form_feed_is_a_blank cli $'/system/identity/set\fname=hardened'
daemon_ok alive_after_blanks
python3 -c "print(':put ' + '[' * 100000 + ':put 1' + ']' * 100000)" >"$TMP/deep.rsc"
expect deep_nesting_refused "failure: script nesting too deep (line 1 column 38)" cli <"$TMP/deep.rsc"
daemon_ok alive_after_deep_nesting
expect nul_byte_refused "syntax error (line 1 column 28)" cli < <(printf '/system/identity/set name=x\0 bogus=1')
check nul_changed_nothing test "$(cli :put [/system/identity/get name])" = hardened
expect import_dev_zero_refused "failure: /dev/zero is not a regular file" cli /import file-name=/dev/zero
expect wg_import_dev_zero_refused "failure: /dev/zero is not a regular file" \
	cli /interface/wireguard/wg-import config-file=/dev/zero
mkfifo "$TMP/pipe.rsc"
expect import_fifo_refused "is not a regular file" cli /import file-name="$TMP/pipe.rsc"
head -c $((5 << 20)) /dev/zero | tr '\0' ' ' >"$TMP/big.rsc"
expect big_script_refused "failure: script longer than 4 MiB" cli <"$TMP/big.rsc"
daemon_ok alive_after_files

# ---- a user that is not root ----
chmod 755 "$TMP"
chmod 711 "$S"
expect non_root_told_why "permission denied (the console needs root)" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$WGR" cli --state-dir "$S" /ip/address/print
# with the socket reachable (CAP_DAC_OVERRIDE) the daemon refuses the uid itself: it
# used to close the connection silently, and the cli died of SIGPIPE (status 141)
expect non_root_refused_by_daemon "failure: permission denied (the console needs root)" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+dac_override --ambient-caps=+dac_override \
	timeout 20 "$WGR" cli --state-dir "$S" /ip/address/print
chmod 700 "$S" "$TMP"
daemon_ok alive_after_non_root

# ---- a crash's core file: in the state directory, and without the private keys ----
PRIV=$(wg genkey); PSK=$(wg genpsk); PEER=$(wg genkey | wg pubkey)
cli "/interface/wireguard/add name=$WGIF listen-port=0 private-key=\"$PRIV\"" >/dev/null &&
	cli "/interface/wireguard/peers/add interface=$WGIF public-key=\"$PEER\" preshared-key=\"$PSK\" allowed-address=10.9.9.2/32" >/dev/null
check interface_running wait_for 5 nsx r ip link show "$WGIF" up
cli /interface/wireguard/peers/print detail >/dev/null # the status cache holds a UAPI get
PID=$(dpid)
kill -SEGV "$PID"
for _ in $(seq 100); do alive "$PID" || break; sleep 0.1; done
CORE=$(ls "$S"/core* 2>/dev/null | head -1)
PATTERN=$(cat /proc/sys/kernel/core_pattern)
if [[ $PATTERN == /* || $PATTERN == \|* ]]; then
	echo "SKIP $TESTNAME:core_has_no_keys (core files go to $PATTERN, not to the working directory)"
elif [ -z "$CORE" ]; then
	fail core_lands_in_state_dir "no core file in $S"
else
	pass core_lands_in_state_dir
	check core_has_no_keys "$PY" - "$CORE" "$PRIV" "$PSK" <<-'EOF'
		import base64, sys
		core = open(sys.argv[1], "rb").read()
		found = []
		for b64 in sys.argv[2:]:
		    raw = base64.b64decode(b64)
		    for form in (b64.encode(), raw, raw.hex().encode()):
		        if form in core:
		            found.append(form[:8])
		print("keys found in the core:", found) if found else None
		sys.exit(1 if found else 0)
	EOF
fi
[ "${WGT_KEEP:-0}" = 1 ] || rm -f "$S"/core*
finish
