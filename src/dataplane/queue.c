/* The data-plane queues: a TUN queue and a socket set each, with a tx and an rx thread.
 * One queue is the plain device (no IFF_MULTI_QUEUE, no SO_REUSEPORT); with more, the
 * kernel's flow hashes spread flows over them and keep each flow on one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "dataplane/dp_internal.h"

/* A value out of 1..DP_MAX_QUEUES, or not a number, is ignored: one queue. */
int dp_queue_count(const struct wg_dataplane_opts *opts)
{
	long n = opts->queues;
	const char *s = getenv("WGROUTER_QUEUES");
	char *end;

	if (!n && s && *s) {
		n = strtol(s, &end, 10);
		if (*end)
			n = 1;
	}
	return n >= 1 && n <= DP_MAX_QUEUES ? (int)n : 1;
}

void dp_queues_init(struct wg_dataplane *dp, int nq)
{
	dp->nq = nq;
	for (int i = 0; i < DP_MAX_QUEUES; i++) {
		struct dp_queue *q = &dp->q[i];
		q->dp = dp;
		q->tun.fd = -1;
		q->udp.fd4 = q->udp.fd6 = q->retired.fd4 = q->retired.fd6 = -1;
	}
}

/* Fresh sockets, best effort: without GRO we get single datagrams; without the filter
 * a datagram that is no WireGuard message (its first four bytes are not a message type
 * and three zeros) costs a receive call instead of being dropped by the kernel. */
static void tune_sockets(struct wg_udp *u)
{
	static const uint32_t types[] = { WG_MSG_INITIATION, WG_MSG_RESPONSE, WG_MSG_COOKIE, WG_MSG_DATA };
	wg_udp_set_gro(u, true);
	wg_udp_set_prefix_filter(u, types, 4);
}

int dp_sockets_open(const struct wg_dataplane *dp, uint16_t port, uint32_t mark, struct wg_udp *sets)
{
	int rc = dp->nq == 1 ? wg_udp_open(&sets[0], port, mark) : wg_udp_open_shared(&sets[0], port, mark);
	int n = 1;
	for (; !rc && n < dp->nq; n++)
		rc = wg_udp_join(&sets[n], &sets[0]);
	if (rc) {
		while (n--)
			wg_udp_close(&sets[n]); /* a failed open or join leaves its fds at -1 */
		return rc;
	}
	for (int i = 0; i < dp->nq; i++)
		tune_sockets(&sets[i]);
	/* Best effort too: without it the kernel hashes each sender's address and port, so a
	 * peer roaming to another port may land on another rx thread, whose datagrams
	 * overtake those still queued on the first. */
	if (dp->nq > 1)
		wg_udp_set_steering(&sets[0], WG_INDEX_LANE_OFFSET, (unsigned)dp->nq);
	return 0;
}

int dp_queues_open(struct wg_dataplane *dp, const char *ifname)
{
	unsigned flags = dp->nq > 1 ? WG_TUN_MULTI_QUEUE : 0;
	int rc = wg_tun_open(&dp->q[0].tun, ifname, flags);
	for (int i = 1; !rc && i < dp->nq; i++)
		rc = wg_tun_open(&dp->q[i].tun, dp->q[0].tun.name, flags);
	if (rc)
		return rc;
	struct wg_udp sets[DP_MAX_QUEUES];
	if ((rc = dp_sockets_open(dp, 0, 0, sets)))
		return rc;
	for (int i = 0; i < dp->nq; i++)
		dp->q[i].udp = sets[i];
	return 0;
}

void dp_queues_set_mtu(struct wg_dataplane *dp, int mtu)
{
	for (int i = 0; i < dp->nq; i++)
		dp->q[i].tun.mtu = mtu;
}

/* Named "wgrx0", "wgtx0", ...: a profile, top -H and the queue test tell them apart. */
static int start_one(pthread_t *th, void *(*fn)(void *), struct dp_queue *q, const char *kind)
{
	char name[16];
	if (pthread_create(th, NULL, fn, q))
		return -EAGAIN;
	snprintf(name, sizeof(name), "wg%s%d", kind, (int)(q - q->dp->q));
	pthread_setname_np(*th, name);
	return 0;
}

int dp_queues_start(struct wg_dataplane *dp)
{
	for (int i = 0; i < dp->nq; i++) {
		struct dp_queue *q = &dp->q[i];
		if (start_one(&q->th_udp, dp_udp_thread, q, "rx"))
			return -EAGAIN;
		q->started_udp = true;
		if (start_one(&q->th_tun, dp_tun_thread, q, "tx"))
			return -EAGAIN;
		q->started_tun = true;
	}
	return 0;
}

void dp_queues_join(struct wg_dataplane *dp)
{
	for (int i = 0; i < dp->nq; i++) {
		struct dp_queue *q = &dp->q[i];
		if (q->started_tun)
			pthread_join(q->th_tun, NULL);
		if (q->started_udp)
			pthread_join(q->th_udp, NULL);
		q->started_tun = q->started_udp = false;
	}
}

void dp_queues_close(struct wg_dataplane *dp)
{
	for (int i = DP_MAX_QUEUES - 1; i >= 0; i--) { /* q[0], the device, last */
		struct dp_queue *q = &dp->q[i];
		wg_udp_close(&q->udp);
		wg_udp_close(&q->retired);
		if (q->tun.fd >= 0)
			wg_tun_close(&q->tun);
	}
}
