/* Tunnel to network, one thread per queue: read a batch of inner packets, let the core encrypt them in
 * place, send the resulting datagrams in one batch (GSO where the kernel has it). */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include "dataplane/dp_internal.h"
#include "platform/parallel.h"

static void seal(void *jobs, size_t i)
{
	wg_tx_seal(&((struct wg_tx_job *)jobs)[i]);
}

void *dp_tun_thread(void *arg)
{
	struct dp_queue *q = arg;
	struct wg_dataplane *dp = q->dp;
	struct dp_round r;
	struct wg_tun_pkt pkts[DP_BATCH];
	struct wg_tx_job jobs[DP_BATCH];
	struct pollfd pfd[2] = { { .fd = q->tun.fd, .events = POLLIN }, { .fd = dp->stopfd, .events = POLLIN } };

	if (dp_round_init(&r, q))
		return NULL;
	struct wg_parallel *par = wg_parallel_new(dp_crypto_helpers(dp->nq)); /* NULL: seal alone */
	/* A batch shorter than DP_BATCH ended on an empty queue: wait before the next read
	 * instead of paying one more read for its EAGAIN (a ping's every hop saves a call). */
	bool drained = false;
	while (!atomic_load(&dp->stopping)) {
		if (drained) {
			poll(pfd, 2, -1);
			drained = false;
			continue; /* stopping may have been set meanwhile */
		}
		for (int i = 0; i < DP_BATCH; i++) {
			pkts[i].data = r.bufs + (size_t)i * DP_BUF + WG_HEADROOM;
			pkts[i].len = DP_BUF - WG_HEADROOM - WG_TAILROOM;
		}
		int n = wg_tun_read_batch(&q->tun, pkts, DP_BATCH);
		if (n == -EAGAIN || n == -EINTR) {
			drained = true;
			continue;
		}
		/* The device deleted under us reads as EBADFD; whatever the error, a link that
		 * no longer carries our index is gone. */
		if (n == -EBADFD || n == -EIO || n == -ENXIO || n == -ENODEV ||
		    (n < 0 && (int)if_nametoindex(dp->ifname) != q->tun.ifindex)) {
			dp_lost(dp);
			break;
		}
		if (n < 0) {
			wg_dp_log(dp, WG_LOG_ERROR, NULL, "tun", "TUN read failed: %s", strerror(-n));
			poll(pfd, 2, 100);
			continue;
		}
		drained = n < DP_BATCH; /* short: the queue ran empty (or an error, read again next) */
		int nj = 0;
		dp_lock(dp);
		for (int i = 0; i < n; i++)
			nj += wg_device_send_prepare(dp->dev, pkts[i].data, pkts[i].len, &jobs[nj], &r.sink);
		dp_unlock(dp);
		/* The encryption runs unlocked, spread over the cores: the receive thread
		 * decrypts meanwhile, and the core's finish keeps each peer's order. */
		wg_parallel_for(par, nj, DP_CRYPTO_CHUNK, seal, jobs);
		dp_lock(dp);
		wg_device_send_finish(dp->dev, jobs, nj, &r.sink);
		dp_timer_update(dp);
		dp_unlock(dp);
		dp_round_flush(&r);
	}
	wg_parallel_free(par);
	dp_round_free(&r);
	return NULL;
}
