/* Network to tunnel: receive a batch of datagrams on both sockets, let the core
 * decrypt them in place, write the packets to the TUN in one batch (GRO-merged). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include "dataplane/dp_internal.h"

static int receive_some(struct wg_dataplane *dp, struct dp_round *r, int fd, struct wg_udp_msg *msgs)
{
	for (int i = 0; i < DP_BATCH; i++) {
		msgs[i].buf = r->bufs + (size_t)i * DP_BUF;
		msgs[i].len = DP_BUF;
	}
	return wg_udp_recv_batch(fd, msgs, DP_BATCH);
}

void *dp_udp_thread(void *arg)
{
	struct wg_dataplane *dp = arg;
	struct dp_round r;
	struct wg_udp_msg msgs[DP_BATCH];

	if (dp_round_init(&r, dp))
		return NULL;
	while (!atomic_load(&dp->stopping)) {
		int fds[2], nfds = 0;
		pthread_mutex_lock(&dp->lock); /* the sockets may be reopened by a port change */
		wg_udp_close(&dp->retired);
		if (dp->udp.fd4 >= 0) fds[nfds++] = dp->udp.fd4;
		if (dp->udp.fd6 >= 0) fds[nfds++] = dp->udp.fd6;
		pthread_mutex_unlock(&dp->lock);
		struct pollfd pfd[3] = { { .fd = dp->stopfd, .events = POLLIN } };
		for (int i = 0; i < nfds; i++)
			pfd[1 + i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		if (poll(pfd, 1 + nfds, 1000) <= 0)
			continue;
		for (int i = 0; i < nfds; i++) {
			if (!(pfd[1 + i].revents & POLLIN))
				continue;
			int n = receive_some(dp, &r, fds[i], msgs);
			if (n <= 0)
				continue;
			size_t queued = 0;
			for (int k = 0; k < n; k++)
				queued += msgs[k].len && msgs[k].buf[0] == WG_MSG_INITIATION;
			pthread_mutex_lock(&dp->lock);
			/* Handshakes waiting in this round are the queue that defines "under load". */
			wg_device_set_handshake_backlog(dp->dev, queued, DP_BATCH);
			for (int k = 0; k < n; k++)
				wg_device_receive(dp->dev, &msgs[k].ep, msgs[k].buf, msgs[k].len, &r.sink);
			dp_timer_update(dp);
			pthread_mutex_unlock(&dp->lock);
			dp_round_flush(&r);
		}
	}
	dp_round_free(&r);
	return NULL;
}
