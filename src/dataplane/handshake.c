/* The handshake thread: handshake messages (already through the receive thread's cheap
 * MAC1 check) wait in the handshake queue and are served here, so that an X25519, or a
 * flood of them, never stands between transport data and the TUN. The queue's length
 * is what the core's under-load rule reads, whatever the size of the receive batches. */
#include <sched.h>
#include "dataplane/dp_internal.h"

enum {
	HS_BATCH = 32,          /* messages per hold of the lock: ~32 cookie replies of ~3 us */
	HS_DEFER_NS = 200000,   /* longest it stands back for waiting packet threads: 32 a turn
	                         * still serve a flood of 100,000 a second */
};

size_t dp_handshake_serve(struct wg_device *dev, struct dp_hsq *q, size_t max, const struct wg_sink *sink)
{
	uint64_t dh = wg_device_stats(dev)->dh_received;
	enum dp_hsq_lane lane;
	struct dp_hs_msg *m;
	size_t n = 0;

	wg_device_set_handshake_backlog(dev, dp_hsq_len(q), DP_HSQ_CAP);
	while (n < max && (m = dp_hsq_front(q, &lane))) {
		n++;
		wg_device_receive_handshake(dev, &m->from, m->buf, m->len, sink);
		dp_hsq_pop(q, lane);
		if (wg_device_stats(dev)->dh_received != dh)
			break;
	}
	return n;
}

/* The lock, once no packet thread (or configuration) waits for it, or after standing
 * back for HS_DEFER_NS: a busy tunnel has a thread waiting nearly all the time, and
 * handshakes must not starve behind it either. */
static void lock_last(struct wg_dataplane *dp)
{
	uint64_t until = wg_dp_now() + HS_DEFER_NS;
	for (;;) {
		while (atomic_load(&dp->lock_waiters) && wg_dp_now() < until)
			sched_yield();
		pthread_mutex_lock(&dp->lock);
		if (!atomic_load(&dp->lock_waiters) || wg_dp_now() >= until)
			return;
		pthread_mutex_unlock(&dp->lock);
	}
}

/* Once the queue has run empty: a flood's drops in one line, not one per message. */
static void report_drops(struct wg_dataplane *dp, uint64_t *reported)
{
	uint64_t dropped = dp_hsq_dropped(&dp->hsq);
	if (dropped == *reported)
		return;
	wg_dp_log(dp, WG_LOG_VERBOSE, NULL, "handshake", "Handshake queue full: %llu handshake messages dropped",
		  (unsigned long long)(dropped - *reported));
	*reported = dropped;
}

void *dp_handshake_thread(void *arg)
{
	struct wg_dataplane *dp = arg;
	struct dp_round r;
	uint64_t reported = 0;

	if (dp_round_init(&r, &dp->q[0]))
		return NULL;
	while (!atomic_load(&dp->stopping)) {
		if (!dp_hsq_len(&dp->hsq)) {
			report_drops(dp, &reported);
			dp_hsq_wait(&dp->hsq, dp->stopfd);
			continue;
		}
		lock_last(dp);
		dp_handshake_serve(dp->dev, &dp->hsq, HS_BATCH, &r.sink);
		dp_timer_update(dp);
		dp_unlock(dp);
		dp_round_flush(&r); /* cookie replies and responses, one batch */
	}
	dp_round_free(&r);
	return NULL;
}
