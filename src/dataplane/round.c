/* The sink the core answers into during one round, and the flush that turns the
 * collected answers into batched system calls. */
#include <stdlib.h>
#include <string.h>
#include "dataplane/dp_internal.h"

static bool in_round(const struct dp_round *r, const uint8_t *p)
{
	return p >= r->bufs && p < r->bufs + (size_t)DP_BATCH * DP_BUF;
}

static void on_send(void *ctx, struct wg_peer *peer, const struct wg_endpoint *to, const uint8_t *buf, size_t len)
{
	struct dp_round *r = ctx;
	uint8_t *p = (uint8_t *)buf;
	if (r->nout == DP_BATCH + DP_AUX)
		dp_round_flush(r);
	if (!in_round(r, buf)) { /* a message the core built on its stack */
		if (len > DP_BUF)
			return;
		if (r->naux == DP_AUX)
			dp_round_flush(r);
		p = r->aux[r->naux++];
		memcpy(p, buf, len);
	}
	struct wg_udp_msg *m = &r->out[r->nout++];
	m->buf = p;
	m->len = len;
	m->ep = *to;
	m->gso_size = 0;
}

static void on_deliver(void *ctx, struct wg_peer *peer, uint8_t *pkt, size_t len)
{
	struct dp_round *r = ctx;
	if (r->ntun == DP_BATCH) /* a GRO round can bring many more packets than that */
		dp_round_flush(r);
	r->tun_out[r->ntun].data = pkt;
	r->tun_out[r->ntun].len = len;
	r->ntun++;
}

int dp_round_init(struct dp_round *r, struct dp_queue *q)
{
	memset(r, 0, sizeof(*r));
	r->q = q;
	r->bufs = aligned_alloc(64, (size_t)DP_BATCH * DP_BUF);
	r->aux = aligned_alloc(64, (size_t)DP_AUX * DP_BUF);
	if (!r->bufs || !r->aux) {
		dp_round_free(r);
		return -1;
	}
	r->sink = (struct wg_sink){ .ctx = r, .send = on_send, .deliver = on_deliver };
	return 0;
}

void dp_round_free(struct dp_round *r)
{
	free(r->bufs);
	free(r->aux);
	r->bufs = NULL;
	r->aux = NULL;
}

void dp_round_reset(struct dp_round *r)
{
	r->nout = r->ntun = r->naux = 0;
}

/* The sockets under the read side of dp->socks: a port change may replace them at any
 * time (a flush runs with or without the device lock; the lock order is dp->lock, then
 * dp->socks). */
void dp_round_flush(struct dp_round *r)
{
	struct dp_queue *q = r->q;
	if (r->nout) {
		pthread_rwlock_rdlock(&q->dp->socks);
		wg_udp_send_batch(&q->udp, r->out, r->nout);
		pthread_rwlock_unlock(&q->dp->socks);
	}
	if (r->ntun)
		wg_tun_write_batch(&q->tun, r->tun_out, r->ntun);
	dp_round_reset(r);
}
