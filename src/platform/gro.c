#include "platform/gro.h"
#include "platform/csum.h"
#include "platform/vnet.h"
#include <netinet/in.h>
#include <stdbool.h>

/* What a packet is, as far as merging cares. */
struct info {
	bool flow;      /* TCP or UDP with ports we can read: it belongs to a flow */
	bool cand;      /* and it may be merged */
	bool v6;
	uint8_t proto;
	uint16_t l4off, hdrlen, plen;
};

/* A unit still being planned. */
struct open_unit {
	int16_t unit, tail;
	bool closed;      /* nothing more may be appended */
	bool checked;     /* the head's IPv4 header checksum was verified */
	uint16_t gso;     /* the head's payload size: every segment but the last has it */
	uint32_t total;   /* IP packet length of the merged result */
	uint32_t next_seq;
};

struct plan {
	struct wg_gro *g;
	struct wg_tun_pkt *pkts;
	struct info info[WG_GRO_MAX];
	struct open_unit open[WG_GRO_MAX];
	unsigned flags;
};

static bool parse_ip(struct info *in, const uint8_t *p, size_t len)
{
	if (len >= IP4_HDR_MIN && p[0] >> 4 == 4) {
		size_t ihl = (size_t)(p[0] & 0x0f) * 4;
		if (ihl < IP4_HDR_MIN || ihl > len || wg_get16(p + IP4_FRAG) & (IP4_MF | IP4_OFFMASK))
			return false;   /* a fragment has no ports to tell its flow */
		in->l4off = (uint16_t)ihl;
		in->proto = p[IP4_PROTO];
		in->cand = ihl == IP4_HDR_MIN && wg_get16(p + IP4_TOTLEN) == len;
		return true;
	}
	if (len >= IP6_HDR_LEN && p[0] >> 4 == 6) {
		in->v6 = true;
		in->l4off = IP6_HDR_LEN; /* extension headers: not a flow we merge */
		in->proto = p[IP6_NEXT];
		in->cand = wg_get16(p + IP6_PLEN) + (size_t)IP6_HDR_LEN == len;
		return true;
	}
	return false;
}

static void parse_tcp(struct info *in, const uint8_t *p, size_t len, unsigned flags)
{
	const uint8_t *th = p + in->l4off;
	size_t hl = in->l4off + (size_t)TCP_HDR_MIN <= len ? (size_t)(th[TCP_DOFF] >> 4) * 4 : 0;
	if (hl < TCP_HDR_MIN || in->l4off + hl > len) {
		in->cand = false;
		return;
	}
	in->hdrlen = (uint16_t)(in->l4off + hl);
	in->plen = (uint16_t)(len - in->hdrlen);
	uint8_t f = th[TCP_FLAGS];
	in->cand = in->cand && (flags & WG_GRO_TCP) && in->plen > 0 &&
		   (f == WG_TH_ACK || f == (WG_TH_ACK | WG_TH_PSH));
}

static void parse_udp(struct info *in, const uint8_t *p, size_t len, unsigned flags)
{
	const uint8_t *uh = p + in->l4off;
	in->hdrlen = in->l4off + UDP_HDR_LEN;
	if (in->hdrlen > len) {
		in->cand = false;
		return;
	}
	in->plen = (uint16_t)(len - in->hdrlen);
	/* A zero checksum (IPv4's "none") is left alone: merged, it would leave with one the
	 * sender did not ask for (the kernel's udp_gro_receive_segment also declines it). */
	in->cand = in->cand && (flags & WG_GRO_UDP) && in->plen > 0 &&
		   wg_get16(uh + UDP_LEN) == len - in->l4off && wg_get16(uh + UDP_CSUM) != 0;
}

static struct info parse(const uint8_t *p, size_t len, unsigned flags)
{
	struct info in = { 0 };
	if (!parse_ip(&in, p, len) || in.l4off + 4u > len)
		return (struct info){ 0 };
	in.flow = true;
	if (in.proto == IPPROTO_TCP)
		parse_tcp(&in, p, len, flags);
	else if (in.proto == IPPROTO_UDP)
		parse_udp(&in, p, len, flags);
	else
		in = (struct info){ 0 };
	if (in.hdrlen > len)
		in.flow = in.cand = false;
	return in;
}

static bool same_flow(const uint8_t *a, const struct info *ia, const uint8_t *b,
		      const struct info *ib)
{
	if (ia->v6 != ib->v6 || ia->proto != ib->proto)
		return false;
	if (ia->v6 ? memcmp(a + IP6_SRC, b + IP6_SRC, 32) : memcmp(a + IP4_SRC, b + IP4_SRC, 8))
		return false;
	return !memcmp(a + ia->l4off, b + ib->l4off, 4); /* both ports */
}

/* Only the IPv4 header checksum is verified before a merge: it is 20 bytes, finish()
 * recomputes the head's (a damaged header would come out looking sound) and the kernel
 * copies that header into every segment it cuts. TCP/UDP checksums are not verified: the
 * packet was just opened by the AEAD, which proves it is byte for byte what the peer
 * sealed, so a checksum over it can only confirm what the Poly1305 tag already did (the
 * kernel's wireguard marks decrypted packets CHECKSUM_UNNECESSARY for the same reason).
 * wireguard-go does verify them here; summing every received byte a second time was
 * 2.3-2.5% of the receiver's time (bench/profile.sh, src/platform/README.md). */
static bool ip_csum_ok(const uint8_t *p, const struct info *in)
{
	return in->v6 || wg_csum_fold(wg_csum_add(0, p, in->l4off)) == 0xffff;
}

/* The IP header fields the merged packet keeps from its head must match. An IPv4 packet
 * without DF may yet be fragmented on its way, so its ID must be the one the kernel will
 * give that segment when it cuts the merged packet (head's ID + index). */
static bool ip_match(const uint8_t *h, const uint8_t *q, const struct info *in, int index)
{
	if (in->v6)
		return !memcmp(h, q, 4) && h[IP6_HOPS] == q[IP6_HOPS]; /* class, flow label */
	uint16_t hf = wg_get16(h + IP4_FRAG), qf = wg_get16(q + IP4_FRAG);
	if (h[1] != q[1] || h[IP4_TTL] != q[IP4_TTL] || hf != qf)
		return false;
	return (hf & IP4_DF) || wg_get16(q + IP4_ID) == (uint16_t)(wg_get16(h + IP4_ID) + index);
}

/* Everything in the TCP header but sequence number, flags and checksum must match: ACK
 * number, data offset, window, urgent pointer and every option byte. */
static bool tcp_match(const uint8_t *h, const uint8_t *q, const struct info *in,
		      const struct open_unit *o)
{
	const uint8_t *ht = h + in->l4off, *qt = q + in->l4off;
	size_t hl = in->hdrlen - in->l4off;
	return wg_get32(qt + TCP_SEQ) == o->next_seq && !memcmp(ht + TCP_ACK, qt + TCP_ACK, 5) &&
	       !memcmp(ht + TCP_WIN, qt + TCP_WIN, 2) &&
	       !memcmp(ht + TCP_URP, qt + TCP_URP, hl - TCP_URP);
}

static bool can_append(struct plan *pl, struct open_unit *o, int qi)
{
	struct wg_gro_unit *u = &pl->g->unit[o->unit];
	const struct info *hi = &pl->info[u->head], *qi_ = &pl->info[qi];
	const uint8_t *h = pl->pkts[u->head].data, *q = pl->pkts[qi].data;
	if (o->closed || !qi_->cand || qi_->hdrlen != hi->hdrlen || qi_->plen > o->gso ||
	    o->total + qi_->plen > UINT16_MAX)
		return false;
	if (!ip_match(h, q, hi, u->count))
		return false;
	if (hi->proto == IPPROTO_TCP && !tcp_match(h, q, hi, o))
		return false;
	if (!o->checked) {
		o->checked = true;
		if (!ip_csum_ok(h, hi)) {
			o->closed = true; /* written as it is, for the kernel to drop */
			return false;
		}
	}
	return ip_csum_ok(q, qi_);
}

static void append(struct plan *pl, struct open_unit *o, int qi)
{
	struct wg_gro_unit *u = &pl->g->unit[o->unit];
	const struct info *in = &pl->info[qi];
	pl->g->next[o->tail] = (int16_t)qi;
	o->tail = (int16_t)qi;
	u->count++;
	o->total += in->plen;
	o->next_seq += in->plen;
	if (in->proto == IPPROTO_TCP && pl->pkts[qi].data[in->l4off + TCP_FLAGS] & WG_TH_PSH) {
		pl->pkts[u->head].data[in->l4off + TCP_FLAGS] |= WG_TH_PSH;
		o->closed = true;
	}
	if (in->plen < o->gso)
		o->closed = true;
}

static void start_unit(struct plan *pl, int i)
{
	struct wg_gro *g = pl->g;
	int k = g->nunits++;
	const struct info *in = &pl->info[i];
	const uint8_t *p = pl->pkts[i].data;
	g->unit[k] = (struct wg_gro_unit){ .head = (int16_t)i, .count = 1 };
	struct open_unit *o = &pl->open[k];
	*o = (struct open_unit){ .unit = (int16_t)k, .tail = (int16_t)i, .gso = in->plen,
				 .total = (uint32_t)pl->pkts[i].len, .closed = !in->cand };
	if (in->cand && in->proto == IPPROTO_TCP) {
		o->next_seq = wg_get32(p + in->l4off + TCP_SEQ) + in->plen;
		o->closed = p[in->l4off + TCP_FLAGS] & WG_TH_PSH;
	}
}

/* The most recent unit of the packet's flow that is still open, if any. A flow has at
 * most one open unit: opening a new one always closes the previous. */
static struct open_unit *find_open(struct plan *pl, int i)
{
	for (int k = pl->g->nunits - 1; k >= 0; k--) {
		struct open_unit *o = &pl->open[k];
		int h = pl->g->unit[k].head;
		if (!o->closed && same_flow(pl->pkts[h].data, &pl->info[h], pl->pkts[i].data, &pl->info[i]))
			return o;
	}
	return NULL;
}

static void place(struct plan *pl, int i)
{
	pl->g->next[i] = -1;
	pl->info[i] = parse(pl->pkts[i].data, pl->pkts[i].len, pl->flags);
	struct open_unit *o = pl->info[i].flow ? find_open(pl, i) : NULL;
	if (o && can_append(pl, o, i)) {
		append(pl, o, i);
		return;
	}
	if (o)
		o->closed = true; /* later packets of the flow must not overtake this one */
	start_unit(pl, i);
}

/* Rewrites the head so the kernel sees one packet of the merged length whose checksum
 * field holds the pseudo-header sum, as a NIC-bound packet with CHECKSUM_PARTIAL would. */
static void finish(struct plan *pl, int k)
{
	struct wg_gro_unit *u = &pl->g->unit[k];
	const struct open_unit *o = &pl->open[k];
	const struct info *in = &pl->info[u->head];
	uint8_t *p = pl->pkts[u->head].data;
	uint32_t l4len = o->total - in->l4off;
	bool tcp = in->proto == IPPROTO_TCP;
	if (in->v6) {
		wg_put16(p + IP6_PLEN, (uint16_t)(o->total - IP6_HDR_LEN));
	} else {
		wg_put16(p + IP4_TOTLEN, (uint16_t)o->total);
		memset(p + IP4_CSUM, 0, 2);
		wg_put_csum(p + IP4_CSUM, wg_csum_final(wg_csum_add(0, p, in->l4off)));
	}
	if (!tcp)
		wg_put16(p + in->l4off + UDP_LEN, (uint16_t)l4len);
	size_t csum_off = tcp ? TCP_CSUM : UDP_CSUM;
	wg_put_csum(p + in->l4off + csum_off, wg_csum_fold(wg_csum_pseudo(p, in->v6, in->proto, (uint32_t)l4len)));
	u->vnet = (struct virtio_net_hdr){
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = !tcp ? VIRTIO_NET_HDR_GSO_UDP_L4 :
			    in->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = in->hdrlen,
		.gso_size = o->gso,
		.csum_start = in->l4off,
		.csum_offset = (uint16_t)csum_off,
	};
}

int wg_gro_plan(struct wg_gro *g, struct wg_tun_pkt *pkts, int n, unsigned flags)
{
	struct plan pl = { .g = g, .pkts = pkts, .flags = flags };
	g->nunits = 0;
	if (n > WG_GRO_MAX)
		n = WG_GRO_MAX;
	for (int i = 0; i < n; i++)
		place(&pl, i);
	for (int k = 0; k < g->nunits; k++)
		if (g->unit[k].count > 1)
			finish(&pl, k);
	return g->nunits;
}
