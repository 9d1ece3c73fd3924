/* One timerfd per interface, armed at the core's next deadline: no polling tick. */
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include "dataplane/dp_internal.h"

/* A tick scans every peer's next deadline (wg_device_tick: 8 bytes a peer, the due ones
 * run), so its cost grows with the peers, and with thousands of peers whose jittered
 * deadlines all differ the ticks came one per deadline: 10,000 peers with keepalives to
 * absent clients spent a quarter of the router's CPU in ticks (bench/peers.sh), when a
 * tick still walked every peer's own memory. Ticks at most every 10 ms fire each
 * deadline at most 10 ms late, less than the kernel's own timer wheel lets a timer
 * seconds away slip, and only while timers come that close together. */
#define DP_TIMER_COALESCE_NS 10000000ULL

void dp_timer_update(struct wg_dataplane *dp)
{
	uint64_t next = wg_device_next_deadline(dp->dev);
	if (next != UINT64_MAX && next < dp->last_tick + DP_TIMER_COALESCE_NS)
		next = dp->last_tick + DP_TIMER_COALESCE_NS;
	/* A later deadline needs no new setting: firing early only runs a tick that finds
	 * nothing due and aims again. That saves a system call on most batches, whose
	 * traffic keeps pushing the keepalive and new-handshake deadlines back. */
	if (next >= atomic_load(&dp->armed))
		return;
	atomic_store(&dp->armed, next);
	struct itimerspec its = { 0 };
	if (next != UINT64_MAX) {
		its.it_value.tv_sec = (time_t)(next / 1000000000ULL);
		its.it_value.tv_nsec = (long)(next % 1000000000ULL);
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1; /* zero would disarm */
	}
	timerfd_settime(dp->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

void dp_timer_fire(struct wg_dataplane *dp)
{
	uint64_t expirations;
	if (read(dp->timerfd, &expirations, sizeof(expirations)) < 0)
		return;
	struct dp_round *r = &dp->ctl_round;
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts); /* the timerfd's clock */
	dp_lock(dp);
	dp->last_tick = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	atomic_store(&dp->armed, UINT64_MAX);
	wg_device_tick(dp->dev, &r->sink);
	dp_timer_update(dp);
	dp_round_flush(r); /* handshakes and keepalives: few, and the sockets are thread-safe */
	dp_unlock(dp);
}
