# The one teardown of everything a netns test or bench created. Source it; it uses the
# caller's PIDS (background processes), NSLIST (namespaces) and NS_PREFIX (socket names).
# teardown: stops every process the test started (PIDS, and anything still running inside
# its namespaces: wireguard-go, daemonized wgrouter, iperf3 servers), deletes the
# namespaces and stale sockets, and empties PIDS and NSLIST. Use it between scenarios.
teardown() {
	local p n
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for n in "${NSLIST[@]}"; do
		for p in $(ip netns pids "$n" 2>/dev/null); do kill "$p" 2>/dev/null; done
	done
	# give the WireGuard processes a moment to remove their sockets and devices
	for _ in $(seq 30); do
		local alive=0
		for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		for n in "${NSLIST[@]}"; do [ -n "$(ip netns pids "$n" 2>/dev/null)" ] && alive=1; done
		[ $alive -eq 0 ] && break
		sleep 0.1
	done
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for n in "${NSLIST[@]}"; do
		for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$n" 2>/dev/null
	done
	rm -f /var/run/wireguard/${NS_PREFIX}*.sock
	PIDS=(); NSLIST=()
}

