#!/usr/bin/env bash
# Issue 14, deliverable 4: /system/script and /system/scheduler run the console language
# on the daemon's script thread (on their interval, logging, errors logged); :execute;
# /system/backup save and load (the export after a change and a load equals the one
# before; a wrong password fails and changes nothing; the file is 0600); /file print and
# remove (a path is refused); /system/clock time-zone-name; /system/reboot restarts the
# daemon with the configuration; /system/resource/cpu. The daemon runs in a namespace of
# its own with a temporary state directory.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP $TESTNAME (needs root)"; exit 0; }
S=$TMP/state
mkns r
start_daemon() { nsx r "$WGR" daemon --state-dir "$S" --uapi-dir "$TMP/run"; }
start_daemon || { fail daemon_starts; finish; }
pass daemon_starts
cleanup_daemon() { local p; p=$(cat "$S/wgrouter.pid" 2>/dev/null) && kill "$p" 2>/dev/null; sleep 0.2; }
trap 'cleanup_daemon; cleanup' EXIT

cli() { nsx r "$WGR" cli --state-dir "$S" "$@"; }
logged() { cli /log/print | grep -c -- "$1"; }
at_least() { [ "$(logged "$1")" -ge "$2" ]; }
fails_with() { local want=$1; shift; ! cli "$@" >"$TMP/out" 2>&1 && grep -q -- "$want" "$TMP/out"; }

# ---- scripts and the scheduler ----
cli /system/script/add name=hello 'source=:log info "hello-from-script"; :put "said hello"' >/dev/null
check script_run_prints sh -c "$(declare -f cli); WGR='$WGR' NS_PREFIX='$NS_PREFIX' S='$S'; cli /system/script/run hello | grep -q 'said hello'"
check script_run_logs at_least hello-from-script 1
check script_run_counted sh -c "'$WGR' cli --state-dir '$S' /system/script/print 2>/dev/null | grep -q 'run-count=1' || ip netns exec '$(ns r)' '$WGR' cli --state-dir '$S' /system/script/print | grep -q 'run-count=1'"
cli /system/scheduler/add name=tick interval=1s on-event=hello >/dev/null
check scheduler_runs_on_interval wait_for 8 at_least hello-from-script 4
cli /system/scheduler/disable tick >/dev/null
check scheduler_shows_run_count sh -c "ip netns exec '$(ns r)' '$WGR' cli --state-dir '$S' /system/scheduler/print | grep -Eq 'tick .* [2-9]'"
cli /system/scheduler/add name=broken interval=1s 'on-event=/no/such/menu print' >/dev/null
check scheduler_error_logged wait_for 5 at_least "script,error" 1
cli /system/scheduler/remove broken >/dev/null
check daemon_alive_after_error cli /system/identity/print
check execute_runs_in_background sh -c "ip netns exec '$(ns r)' '$WGR' cli --state-dir '$S' ':put [:execute \":log info executed-job\"]' | grep -Eq '^[0-9]+$'"
check execute_logged wait_for 5 at_least executed-job 1
check script_bounded fails_with "too long" /system/script/add name=loop 'source=:foreach i in=[/system/script/find] do={ /system/script/run loop }'
