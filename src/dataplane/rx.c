/* Network to tunnel, one thread per queue: receive a batch of datagrams on the queue's
 * two sockets, let the core decrypt them in place, write the packets to the queue's TUN
 * in one batch (GRO-merged).
 * Handshake messages are only sorted out here and queued for the handshake thread. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include "dataplane/dp_internal.h"
#include "platform/parallel.h"

/* With UDP GRO the kernel hands us up to 64 datagrams of one flow in one message, so
 * each message needs a 64 KB buffer and one receive call brings thousands. */
enum { RX_MSGS = 32 };

static int receive_some(uint8_t *mem, int fd, struct wg_udp_msg *msgs)
{
	for (int i = 0; i < RX_MSGS; i++) {
		msgs[i].buf = mem + (size_t)i * WG_UDP_GRO_BUF;
		msgs[i].len = WG_UDP_GRO_BUF;
	}
	return wg_udp_recv_batch(fd, msgs, RX_MSGS);
}

enum { RX_JOBS = RX_MSGS * 64 }; /* a GRO message holds at most 64 datagrams */

static void open_one(void *jobs, size_t i)
{
	wg_rx_open(&((struct wg_rx_job *)jobs)[i]);
}

/* Transport messages become jobs; handshake messages go to the handshake thread's
 * queue (when it is full, dropped: the flood's loss, not the tunnel's; hsadmit.h keeps
 * room for quiet sources). Returns the number of jobs; *queued tells whether a
 * handshake was queued. */
static int classify(struct wg_dataplane *dp, struct wg_udp_msg *msgs, int n, struct wg_rx_job *jobs, bool *queued)
{
	uint64_t now = wg_dp_now();
	int nj = 0;
	for (int k = 0; k < n; k++) {
		size_t off = 0, len;
		uint8_t *seg;
		while ((len = wg_udp_next(&msgs[k], &off, &seg)) && nj < RX_JOBS) {
			enum wg_rx_kind kind = wg_device_receive_classify(dp->dev, &msgs[k].ep, seg, len, &jobs[nj]);
			if (kind == WG_RX_JOB)
				nj++;
			else if (kind == WG_RX_HANDSHAKE || kind == WG_RX_HANDSHAKE_MAC2)
				*queued |= dp_admit_push(&dp->hsq, &dp->admit, kind == WG_RX_HANDSHAKE_MAC2 ? DP_HSQ_MAC2 : DP_HSQ_REST,
							 &msgs[k].ep, seg, len, now);
		}
	}
	return nj;
}

/* Classified under the lock; the jobs decrypted with the lock released (on every
 * core) and finished under it again, in order. No handshake is computed here. */
static void process(struct dp_round *r, int fd, struct wg_udp_msg *msgs, int n,
		    struct wg_rx_job *jobs, struct wg_parallel *par)
{
	struct dp_queue *q = r->q;
	struct wg_dataplane *dp = q->dp;
	bool queued = false;
	dp_lock(dp);
	/* Read from a socket that a port change retired meanwhile: those datagrams were
	 * sent to the old port, which is closed as far as peers are concerned (and taking
	 * them would roam a peer back to where it just left). */
	if (fd != q->udp.fd4 && fd != q->udp.fd6) {
		dp_unlock(dp);
		return;
	}
	int nj = classify(dp, msgs, n, jobs, &queued);
	dp_unlock(dp);
	if (queued)
		dp_hsq_wake(&dp->hsq);
	wg_parallel_for(par, nj, DP_CRYPTO_CHUNK, open_one, jobs);
	dp_lock(dp);
	for (int i = 0; i < nj; i++)
		wg_device_receive_finish(dp->dev, &jobs[i], &r->sink);
	dp_timer_update(dp);
	dp_unlock(dp);
}

void *dp_udp_thread(void *arg)
{
	struct dp_queue *q = arg;
	struct wg_dataplane *dp = q->dp;
	struct dp_round r;
	struct wg_udp_msg msgs[RX_MSGS];
	uint8_t *mem = aligned_alloc(64, (size_t)RX_MSGS * WG_UDP_GRO_BUF);
	struct wg_rx_job *jobs = calloc(RX_JOBS, sizeof(*jobs));

	if (!mem || !jobs || dp_round_init(&r, q)) {
		free(mem);
		free(jobs);
		return NULL;
	}
	struct wg_parallel *par = wg_parallel_new(dp_crypto_helpers(dp->nq)); /* NULL: open alone */
	while (!atomic_load(&dp->stopping)) {
		int fds[2], nfds = 0;
		dp_lock(dp); /* the sockets may be reopened by a port change */
		wg_udp_close(&q->retired);
		if (q->udp.fd4 >= 0) fds[nfds++] = q->udp.fd4;
		if (q->udp.fd6 >= 0) fds[nfds++] = q->udp.fd6;
		dp_unlock(dp);
		struct pollfd pfd[3] = { { .fd = dp->stopfd, .events = POLLIN } };
		for (int i = 0; i < nfds; i++)
			pfd[1 + i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		/* No timeout: a port change shuts the old sockets down, which wakes us. */
		if (poll(pfd, 1 + nfds, -1) <= 0)
			continue;
		for (int i = 0; i < nfds; i++) {
			if (!(pfd[1 + i].revents & POLLIN))
				continue;
			int n = receive_some(mem, fds[i], msgs);
			if (n <= 0)
				continue;
			process(&r, fds[i], msgs, n, jobs, par);
			dp_round_flush(&r);
		}
	}
	wg_parallel_free(par);
	dp_round_free(&r);
	free(mem);
	free(jobs);
	return NULL;
}
