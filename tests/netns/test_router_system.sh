#!/usr/bin/env bash
# Issue 14, deliverable 4, on a running daemon: /system/scheduler runs a /system/script
# on its interval on the daemon's script thread (logging; a failing event is logged and
# the daemon goes on; a console is answered at once while a script waits); :execute;
# /system/backup save, change, load gives the export of before, a wrong password
# changes nothing, the file is 0600; /file print and remove (paths refused);
# /system/clock time-zone-name; /system/reboot restarts the daemon (same pid, the
# configuration set up again); /system/resource/cpu. The daemon runs in a namespace of
# its own with a temporary state directory.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP $TESTNAME (needs root)"; exit 0; }
router_daemon

cli() { nsx r "$WGR" cli --state-dir "$S" "$@"; }
script() { nsx r "$WGR" cli --state-dir "$S" ; } # the script on stdin
logged() { cli /log/print | grep -c -- "$1"; }
at_least() { [ "$(logged "$1")" -ge "$2" ]; }
# fails_with TEXT CMD...: the command fails and its error says TEXT
fails_with() { local want=$1; shift; ! cli "$@" >"$TMP/out" 2>&1 && grep -q -- "$want" "$TMP/out"; }
prints() { local want=$1; shift; cli "$@" | grep -Eq -- "$want"; }
export_now() { cli /export show-sensitive | tail -n +2; } # without the date line

# ---- scripts and the scheduler ----
script <<'X' >/dev/null
/system/script/add name=hello source=":log info \"hello-from-script\"; :put \"said hello\""
/system/script/add name=slow source=":delay 3s; :log info \"slow-done\""
X
check script_run_prints prints "said hello" /system/script/run hello
check script_run_logs at_least hello-from-script 1
check script_run_counted prints "run-count=1" /system/script/print
cli /system/scheduler/add name=tick interval=1s on-event=hello >/dev/null
check scheduler_runs_on_interval wait_for 10 at_least hello-from-script 4
cli /system/scheduler/disable tick >/dev/null
check scheduler_shows_run_count prints "tick +[0-9-]+ +[0-9:]+ +1s +hello +[3-9]" /system/scheduler/print
script <<'X' >/dev/null
/system/scheduler/add name=broken interval=1s on-event="/no/such/menu print"
X
check scheduler_error_logged wait_for 6 at_least "script,error scheduler broken: bad command name" 1
cli /system/scheduler/remove broken >/dev/null
check daemon_alive_after_error cli /system/identity/print
# a scheduled script waiting in :delay holds no console up
cli /system/scheduler/add name=waits interval=1h start-time=startup on-event=slow >/dev/null
cli ':execute "/system/script/run slow"' >/dev/null
sleep 1.2
check console_answers_while_script_waits timeout 1 "$WGR" cli --state-dir "$S" /system/identity/print
check execute_runs_in_background wait_for 6 at_least slow-done 1
check execute_returns_job prints '^[0-9]+$' ':put [:execute ":log info executed-job"]'
check execute_logged wait_for 5 at_least executed-job 1

# ---- backup and files ----
script <<'X' >/dev/null
/interface/wireguard/add name=wg1 listen-port=51820
/ip/address/add address=192.0.2.1/24 interface=wg1
X
before=$(export_now)
check backup_save prints "Configuration backup saved" /system/backup/save name=b1 password=secret1
check backup_file_0600 test "$(stat -c %a "$S/files/b1.backup")" = 600
check backup_sealed sh -c "! grep -q wg1 '$S/files/b1.backup'"
cli /ip/address/add address=198.51.100.1/24 interface=wg1 >/dev/null
cli /system/identity/set name=changed >/dev/null
changed=$(export_now)
check backup_wrong_password_fails fails_with "wrong password" /system/backup/load name=b1 password=wrong
check backup_wrong_password_changes_nothing test "$(export_now)" = "$changed"
check backup_load cli /system/backup/load name=b1 password=secret1
check backup_export_equals_before test "$(export_now)" = "$before"
check backup_load_applied sh -c "ip netns exec '$(ns r)' ip -br addr show wg1 | grep -q 192.0.2.1 && ! ip netns exec '$(ns r)' ip -br addr show wg1 | grep -q 198.51.100.1"
check file_print prints "b1.backup +backup" /file/print
check file_traversal_refused fails_with "invalid file name" /file/remove ../config.state
check file_absolute_refused fails_with "invalid file name" /system/backup/save name=/tmp/x
check state_file_kept test -f "$S/config.state"
check file_remove cli /file/remove b1.backup
check file_removed test ! -e "$S/files/b1.backup"

# ---- clock, cpu, reboot ----
check clock_prints prints "gmt-offset" /system/clock/print
cli /system/clock/set time-zone-name=Asia/Kolkata >/dev/null
check clock_time_zone prints "gmt-offset: \+05:30" /system/clock/print
check clock_bad_zone_refused fails_with "invalid value for argument time-zone-name" /system/clock/set time-zone-name=../../etc/passwd
check cpu_per_cpu prints "^0 +cpu0 +[0-9]+%" /system/resource/cpu/print
pid=$(cat "$S/wgrouter.pid")
check reboot_answers prints "Restarting" /system/reboot
sleep 1.5
# the memory log is the new daemon's: it started, and has nothing of before
check reboot_restarted wait_for 10 prints "router started" /log/print
check reboot_fresh_log test "$(logged hello-from-script)" = 0
check reboot_pid_kept test "$(cat "$S/wgrouter.pid")" = "$pid"
check reboot_config_back wait_for 5 sh -c "ip netns exec '$(ns r)' ip -br addr show wg1 | grep -q 192.0.2.1"
check reboot_time_zone_kept prints "time-zone-name: Asia/Kolkata" /system/clock/print
finish
