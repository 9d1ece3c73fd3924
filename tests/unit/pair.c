#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pair.h"
#include "crypto/crypto.h"
#include "core/messages.h"

static uint64_t mono(void *ctx) { return ((struct world *)ctx)->now; }
static uint64_t wall(void *ctx) { return ((struct world *)ctx)->now + 1700000000ULL * WG_NSEC; }
static void rnd(void *ctx, void *buf, size_t len)
{
	struct world *w = ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++) {
		w->rng ^= w->rng << 13; w->rng ^= w->rng >> 7; w->rng ^= w->rng << 17;
		p[i] = (uint8_t)(w->rng >> 24);
	}
}

void set_addr(struct wg_endpoint *e, const char *ip, uint16_t port)
{
	memset(e, 0, sizeof(*e));
	if (strchr(ip, ':')) {
		e->addr.sin6.sin6_family = AF_INET6;
		inet_pton(AF_INET6, ip, &e->addr.sin6.sin6_addr);
		e->addr.sin6.sin6_port = htons(port);
	} else {
		e->addr.sin.sin_family = AF_INET;
		inet_pton(AF_INET, ip, &e->addr.sin.sin_addr);
		e->addr.sin.sin_port = htons(port);
	}
}

static void on_send(void *ctx, struct wg_peer *peer, const struct wg_endpoint *to, const uint8_t *buf, size_t len)
{
	struct node *n = ctx;
	struct world *w = n->w;
	switch (buf[0]) {
	case WG_MSG_INITIATION:
		if (n->sent_init < 64) n->init_times[n->sent_init] = w->now;
		n->sent_init++;
		break;
	case WG_MSG_RESPONSE: n->sent_resp++; break;
	case WG_MSG_COOKIE: n->sent_cookie++; break;
	case WG_MSG_DATA: if (len == WG_MSG_DATA_MIN_LEN) n->sent_keepalive++; else n->sent_data++; break;
	}
	if (w->blackhole || w->nnet == NET_MAX || len > sizeof(w->net[0].buf))
		return;
	struct dgram *d = &w->net[w->nnet++];
	d->from_node = n->id;
	d->to = *to;
	memcpy(d->buf, buf, len);
	d->len = len;
	d->time = w->now;
}

static void on_deliver(void *ctx, struct wg_peer *peer, uint8_t *pkt, size_t len)
{
	struct node *n = ctx;
	n->delivered++;
	memcpy(n->last_delivered, pkt, len < sizeof(n->last_delivered) ? len : sizeof(n->last_delivered));
	n->last_delivered_len = len;
}

void world_init(struct world *w, int nnodes)
{
	memset(w, 0, sizeof(*w));
	w->now = 1000 * WG_NSEC; /* not zero: zero means "never" in the core */
	w->rng = 0x9e3779b97f4a7c15ULL;
	w->nnodes = nnodes;
	for (int i = 0; i < nnodes; i++) {
		struct node *n = &w->nodes[i];
		struct wg_env env = { .ctx = w, .mono_ns = mono, .wall_ns = wall, .random = rnd };
		n->w = w;
		n->id = i;
		n->dev = wg_device_new(&env);
		rnd(w, n->priv, WG_KEY_LEN);
		wg_x25519_clamp(n->priv);
		wg_x25519_public(n->pub, n->priv);
		wg_device_set_private_key(n->dev, n->priv);
		char ip[32];
		snprintf(ip, sizeof(ip), "192.0.2.%d", i + 1);
		set_addr(&n->addr, ip, 51820 + i);
		n->sink = (struct wg_sink){ .ctx = n, .send = on_send, .deliver = on_deliver };
	}
}

void world_free(struct world *w)
{
	for (int i = 0; i < w->nnodes; i++)
		wg_device_free(w->nodes[i].dev);
}

static int parse_prefix(const char *s, int *family, uint8_t *addr, uint8_t *cidr)
{
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%s", s);
	char *slash = strchr(tmp, '/');
	*slash = 0;
	*cidr = (uint8_t)atoi(slash + 1);
	*family = strchr(tmp, ':') ? AF_INET6 : AF_INET;
	return inet_pton(*family, tmp, addr) == 1 ? 0 : -1;
}

struct wg_peer *node_add_peer(struct node *n, const struct node *other, const char *allowed, bool with_endpoint)
{
	struct wg_peer *p = wg_device_add_peer(n->dev, other->pub);
	char list[256], *save, *tok;
	snprintf(list, sizeof(list), "%s", allowed);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int family; uint8_t addr[16], cidr;
		if (!parse_prefix(tok, &family, addr, &cidr))
			wg_peer_add_allowed_ip(p, family, addr, cidr);
	}
	if (with_endpoint)
		wg_peer_set_endpoint(p, &other->addr);
	return p;
}

static struct node *node_at(struct world *w, const struct wg_endpoint *to)
{
	for (int i = 0; i < w->nnodes; i++)
		if (wg_endpoint_eq(&w->nodes[i].addr, to))
			return &w->nodes[i];
	return NULL;
}

bool world_deliver_one(struct world *w)
{
	if (!w->nnet)
		return false;
	struct dgram d = w->net[0];
	memmove(&w->net[0], &w->net[1], (size_t)(--w->nnet) * sizeof(w->net[0]));
	struct node *dst = node_at(w, &d.to);
	if (dst)
		wg_device_receive(dst->dev, &w->nodes[d.from_node].addr, d.buf, d.len, &dst->sink);
	return true;
}

void world_flush(struct world *w)
{
	if (w->hold)
		return;
	for (int guard = 0; guard < 10000 && world_deliver_one(w); guard++)
		;
}

void world_advance(struct world *w, uint64_t ns)
{
	uint64_t target = w->now + ns;
	for (;;) {
		uint64_t next = UINT64_MAX;
		for (int i = 0; i < w->nnodes; i++) {
			uint64_t t = wg_device_next_deadline(w->nodes[i].dev);
			if (t < next) next = t;
		}
		if (next > target)
			break;
		if (next > w->now)
			w->now = next;
		for (int i = 0; i < w->nnodes; i++)
			wg_device_tick(w->nodes[i].dev, &w->nodes[i].sink);
		world_flush(w);
	}
	w->now = target;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)p[i] << 8 | p[i + 1];
	while (s >> 16) s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

size_t make_packet(uint8_t *buf, const char *src, const char *dst, size_t size, uint8_t fill)
{
	memset(buf, fill, size);
	if (strchr(src, ':')) {
		memset(buf, 0, 40);
		buf[0] = 0x60;
		buf[4] = (uint8_t)((size - 40) >> 8); buf[5] = (uint8_t)(size - 40);
		buf[6] = 17; buf[7] = 64;
		inet_pton(AF_INET6, src, buf + 8);
		inet_pton(AF_INET6, dst, buf + 24);
	} else {
		memset(buf, 0, 20);
		buf[0] = 0x45;
		buf[2] = (uint8_t)(size >> 8); buf[3] = (uint8_t)size;
		buf[8] = 64; buf[9] = 17;
		inet_pton(AF_INET, src, buf + 12);
		inet_pton(AF_INET, dst, buf + 16);
		uint16_t c = csum(buf, 20);
		buf[10] = (uint8_t)(c >> 8); buf[11] = (uint8_t)c;
	}
	return size;
}

void node_send(struct node *n, const char *src, const char *dst, size_t size)
{
	uint8_t buf[WG_HEADROOM + 2048 + WG_TAILROOM];
	make_packet(buf + WG_HEADROOM, src, dst, size, (uint8_t)size);
	wg_device_send(n->dev, buf + WG_HEADROOM, size, &n->sink);
	world_flush(n->w);
}
