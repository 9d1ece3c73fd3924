/* Network to tunnel: receive a batch of datagrams on both sockets, let the core
 * decrypt them in place, write the packets to the TUN in one batch (GRO-merged). */
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

/* Initiations waiting in this round, GRO-merged ones (equal 148-byte datagrams from
 * one source) counted one by one. */
static size_t count_initiations(const struct wg_udp_msg *msgs, int n)
{
	size_t queued = 0;
	for (int k = 0; k < n; k++) {
		if (!msgs[k].len || msgs[k].buf[0] != WG_MSG_INITIATION)
			continue;
		queued += msgs[k].gso_size ? (msgs[k].len + msgs[k].gso_size - 1) / msgs[k].gso_size : 1;
	}
	return queued;
}

enum { RX_JOBS = RX_MSGS * 64 }; /* a GRO message holds at most 64 datagrams */

/* Handshakes are handled at once under the lock; transport messages become jobs that
 * are decrypted with the lock released and finished under it again, in order. */
static void open_one(void *jobs, size_t i)
{
	wg_rx_open(&((struct wg_rx_job *)jobs)[i]);
}

static void process(struct wg_dataplane *dp, struct dp_round *r, int fd, struct wg_udp_msg *msgs, int n,
		    struct wg_rx_job *jobs, struct wg_parallel *par)
{
	int nj = 0;
	pthread_mutex_lock(&dp->lock);
	/* Read from a socket that a port change retired meanwhile: those datagrams were
	 * sent to the old port, which is closed as far as peers are concerned (and taking
	 * them would roam a peer back to where it just left). */
	if (fd != dp->udp.fd4 && fd != dp->udp.fd6) {
		pthread_mutex_unlock(&dp->lock);
		return;
	}
	/* Handshakes waiting in this round are the queue that defines "under load": with
	 * RX_JOBS as its capacity, 256 initiations in one round (like the kernel's 512 of
	 * 4096) switch MAC2 on. */
	wg_device_set_handshake_backlog(dp->dev, count_initiations(msgs, n), RX_JOBS);
	for (int k = 0; k < n; k++) {
		size_t off = 0, len;
		uint8_t *seg;
		while ((len = wg_udp_next(&msgs[k], &off, &seg)) && nj < RX_JOBS)
			nj += wg_device_receive_prepare(dp->dev, &msgs[k].ep, seg, len, &jobs[nj], &r->sink);
	}
	pthread_mutex_unlock(&dp->lock);
	wg_parallel_for(par, nj, DP_CRYPTO_CHUNK, open_one, jobs); /* on every core, unlocked */
	pthread_mutex_lock(&dp->lock);
	for (int i = 0; i < nj; i++)
		wg_device_receive_finish(dp->dev, &jobs[i], &r->sink);
	dp_timer_update(dp);
	pthread_mutex_unlock(&dp->lock);
}

void *dp_udp_thread(void *arg)
{
	struct wg_dataplane *dp = arg;
	struct dp_round r;
	struct wg_udp_msg msgs[RX_MSGS];
	uint8_t *mem = aligned_alloc(64, (size_t)RX_MSGS * WG_UDP_GRO_BUF);
	struct wg_rx_job *jobs = calloc(RX_JOBS, sizeof(*jobs));

	if (!mem || !jobs || dp_round_init(&r, dp)) {
		free(mem);
		free(jobs);
		return NULL;
	}
	struct wg_parallel *par = wg_parallel_new(dp_crypto_helpers()); /* NULL: open alone */
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
		/* No timeout: a port change shuts the old sockets down, which wakes us. */
		if (poll(pfd, 1 + nfds, -1) <= 0)
			continue;
		for (int i = 0; i < nfds; i++) {
			if (!(pfd[1 + i].revents & POLLIN))
				continue;
			int n = receive_some(mem, fds[i], msgs);
			if (n <= 0)
				continue;
			process(dp, &r, fds[i], msgs, n, jobs, par);
			dp_round_flush(&r);
		}
	}
	wg_parallel_free(par);
	dp_round_free(&r);
	free(mem);
	free(jobs);
	return NULL;
}
