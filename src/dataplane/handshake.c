/* The handshake thread: handshake messages (already through the receive thread's cheap
 * MAC1 check) wait in the handshake queue and are served here, so that an X25519, or a
 * flood of them, never stands between transport data and the TUN. The queue's length
 * is what the core's under-load rule reads, whatever the size of the receive batches. */
#include <poll.h>
#include <sched.h>
#include "dataplane/dp_internal.h"

enum {
	HS_BATCH = 32,          /* messages per hold of the lock: ~32 cookie replies of ~3 us */
	HS_NAP_AFTER = 8,       /* served since the last sleep: a flood, nap instead */
	HS_NAP_MS = 1,
};

size_t dp_handshake_serve(struct wg_device *dev, struct dp_hsq *q, size_t max, const struct wg_sink *sink)
{
	size_t queued = dp_hsq_len(q), n = 0;
	uint64_t dh = wg_device_stats(dev)->dh_received;

	wg_device_set_handshake_backlog(dev, queued, DP_HSQ_CAP);
	while (n < queued && n < max) {
		struct dp_hs_msg *m = dp_hsq_peek(q, n++);
		wg_device_receive_handshake(dev, &m->from, m->buf, m->len, sink);
		if (wg_device_stats(dev)->dh_received != dh)
			break;
	}
	dp_hsq_pop(q, n);
	return n;
}

/* The lock, but only once no packet thread (or configuration) waits for it. */
static void lock_last(struct wg_dataplane *dp)
{
	for (;;) {
		while (atomic_load(&dp->lock_waiters))
			sched_yield();
		pthread_mutex_lock(&dp->lock);
		if (!atomic_load(&dp->lock_waiters))
			return;
		pthread_mutex_unlock(&dp->lock);
	}
}

/* Once the queue has run empty: a flood's drops in one line, not one per message. */
static void report_drops(struct wg_dataplane *dp, uint64_t *reported)
{
	uint64_t dropped = atomic_load(&dp->hsq.dropped);
	if (dropped == *reported)
		return;
	wg_dp_log(dp, WG_LOG_VERBOSE, NULL, "handshake", "Handshake queue full: %llu handshake messages dropped",
		  (unsigned long long)(dropped - *reported));
	*reported = dropped;
}

/* The queue ran empty. After a lone handshake the thread sleeps until the rx thread
 * wakes it, so a handshake waits for nothing; in a flood it naps a millisecond instead
 * and is not woken at all: a wake-up per receive round would cost more than the
 * cookie replies, and the queue holds four times what a flood of a million a second
 * brings in a millisecond. */
static void idle(struct wg_dataplane *dp, size_t *served, uint64_t *reported)
{
	if (*served > HS_NAP_AFTER) {
		struct pollfd pfd = { .fd = dp->stopfd, .events = POLLIN };
		poll(&pfd, 1, HS_NAP_MS);
		*served = 0;
		return;
	}
	report_drops(dp, reported);
	dp_hsq_wait(&dp->hsq, dp->stopfd);
	*served = 0;
}

void *dp_handshake_thread(void *arg)
{
	struct wg_dataplane *dp = arg;
	struct dp_round r;
	uint64_t reported = 0;
	size_t served = 0;

	if (dp_round_init(&r, dp))
		return NULL;
	while (!atomic_load(&dp->stopping)) {
		if (!dp_hsq_len(&dp->hsq)) {
			idle(dp, &served, &reported);
			continue;
		}
		lock_last(dp);
		served += dp_handshake_serve(dp->dev, &dp->hsq, HS_BATCH, &r.sink);
		dp_timer_update(dp);
		dp_unlock(dp);
		dp_round_flush(&r); /* cookie replies and responses, one batch */
	}
	dp_round_free(&r);
	return NULL;
}
