#include "platform/tso.h"
#include "platform/csum.h"
#include "platform/vnet.h"
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

/* Adds a 16- or 32-bit field as it lies in memory (csum.h: sums are in memory order). */
static inline uint64_t add16(uint64_t sum, const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return wg_csum_combine(sum, v);
}

static inline uint64_t add32(uint64_t sum, const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return wg_csum_combine(sum, v);
}

/* Where the TCP/UDP header starts. With NEEDS_CSUM the kernel told us (csum_start);
 * otherwise only a plain header with nothing between IP and L4 is understood. */
static int find_l4(struct wg_tso *s, const struct virtio_net_hdr *vh)
{
	const uint8_t *p = s->pkt;
	size_t iphl = s->v6 ? IP6_HDR_LEN : (size_t)(p[0] & 0x0f) * 4;
	if (iphl < IP4_HDR_MIN || iphl > s->len)
		return -EINVAL;
	if (s->needs_csum) {
		if (s->csum_start < iphl || (size_t)s->csum_start + s->csum_offset + 2 > s->len)
			return -EINVAL;
		s->l4off = s->csum_start;
	} else {
		s->l4off = (uint16_t)iphl;
	}
	return 0;
}

/* TCP or UDP header length for a GSO packet, checked against the gso_type. */
static int gso_headers(struct wg_tso *s)
{
	const uint8_t *p = s->pkt;
	uint8_t proto = s->v6 ? p[IP6_NEXT] : p[IP4_PROTO];
	bool plain = !s->v6 || s->l4off == IP6_HDR_LEN; /* else proto names an ext header */
	size_t l4len;
	if (s->gso == VIRTIO_NET_HDR_GSO_UDP_L4) {
		if (plain && proto != IPPROTO_UDP)
			return -EINVAL;
		l4len = UDP_HDR_LEN;
	} else {
		if ((s->gso == VIRTIO_NET_HDR_GSO_TCPV6) != s->v6 || (plain && proto != IPPROTO_TCP))
			return -EINVAL;
		if ((size_t)s->l4off + TCP_HDR_MIN > s->len)
			return -EINVAL;
		l4len = (size_t)(p[s->l4off + TCP_DOFF] >> 4) * 4;
		if (l4len < TCP_HDR_MIN)
			return -EINVAL;
	}
	if ((size_t)s->l4off + l4len > s->len)
		return -EINVAL;
	s->hdrlen = (uint16_t)(s->l4off + l4len);
	return 0;
}

/* The part of the checksum that is the same in every segment (see shared_sum in tso.h):
 * summed once per super-packet instead of once per segment (the pseudo-header and the
 * TCP/UDP header were 32-72 more bytes summed per 1.4 KB segment, in short pieces). */
static uint64_t shared_sum(const struct wg_tso *s)
{
	const uint8_t *l4 = s->pkt + s->l4off;
	bool udp = s->gso == VIRTIO_NET_HDR_GSO_UDP_L4;
	uint64_t sum = wg_csum_pseudo(s->pkt, s->v6, udp ? IPPROTO_UDP : IPPROTO_TCP, 0);
	sum = wg_csum_add(sum, l4, 4); /* ports */
	if (udp)
		return sum;
	sum = wg_csum_add(sum, l4 + TCP_ACK, 4);
	sum = wg_csum_add(sum, l4 + TCP_WIN, 2);
	return wg_csum_add(sum, l4 + TCP_URP, (size_t)(s->hdrlen - s->l4off) - TCP_URP);
}

/* The IPv4 header but for total length, ID and checksum, which fix_ip adds per segment. */
static uint64_t shared_ip_sum(const struct wg_tso *s)
{
	const uint8_t *p = s->pkt;
	if (s->v6)
		return 0;
	uint64_t sum = wg_csum_add(0, p, IP4_TOTLEN);           /* version, IHL, TOS */
	sum = wg_csum_add(sum, p + IP4_FRAG, IP4_CSUM - IP4_FRAG); /* fragment, TTL, protocol */
	return wg_csum_add(sum, p + IP4_SRC, (size_t)(p[0] & 0x0f) * 4 - IP4_SRC);
}

static int gso_geometry(struct wg_tso *s, const struct virtio_net_hdr *vh, size_t max_pkt)
{
	int err = gso_headers(s);
	if (err)
		return err;
	size_t seg = vh->gso_size, payload = s->len - s->hdrlen;
	if (seg == 0)
		return -EINVAL;
	/* TCP is a byte stream, so cutting smaller than the sender asked is harmless. */
	if (s->gso != VIRTIO_NET_HDR_GSO_UDP_L4 && max_pkt > s->hdrlen && s->hdrlen + seg > max_pkt)
		seg = max_pkt - s->hdrlen;
	size_t n = payload ? (payload + seg - 1) / seg : 1;
	if (n > UINT16_MAX)
		return -EINVAL;
	s->seg = (uint16_t)seg;
	s->nsegs = (uint16_t)n;
	s->shared_sum = shared_sum(s);
	s->ip_sum = shared_ip_sum(s);
	return 0;
}

int wg_tso_prepare(struct wg_tso *s, const struct virtio_net_hdr *vh, const uint8_t *pkt,
		   size_t len, size_t max_pkt)
{
	memset(s, 0, sizeof(*s));
	s->pkt = pkt;
	s->len = len;
	s->nsegs = 1;
	if (len < IP4_HDR_MIN || len > UINT16_MAX + (size_t)IP6_HDR_LEN)
		return -EINVAL;
	unsigned ver = pkt[0] >> 4;
	if (ver != 4 && (ver != 6 || len < IP6_HDR_LEN))
		return -EINVAL;
	s->v6 = ver == 6;
	s->needs_csum = vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;
	s->csum_start = vh->csum_start;
	s->csum_offset = vh->csum_offset;
	s->gso = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	int err = find_l4(s, vh);
	if (err)
		return err;
	switch (s->gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		s->hdrlen = s->l4off;
		return 0;
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return gso_geometry(s, vh, max_pkt);
	default:
		return -EINVAL; /* UFO (IP fragmentation) is never offered to the kernel */
	}
}

/* A packet that needs no cutting: copy it and finish the partial checksum the way the
 * kernel's skb_checksum_help does (the field already holds the pseudo-header sum). */
static ssize_t whole(const struct wg_tso *s, uint8_t *out, size_t cap)
{
	if (s->len > cap)
		return -EMSGSIZE;
	memcpy(out, s->pkt, s->len);
	if (s->needs_csum) {
		uint16_t c = wg_csum_final(wg_csum_add(0, out + s->csum_start, s->len - s->csum_start));
		wg_put_csum(out + s->csum_start + s->csum_offset, c ? c : 0xffff);
	}
	return (ssize_t)s->len;
}

static void fix_ip(const struct wg_tso *s, unsigned i, uint8_t *out, size_t len)
{
	if (s->v6) {
		wg_put16(out + IP6_PLEN, (uint16_t)(len - IP6_HDR_LEN));
		return;
	}
	wg_put16(out + IP4_TOTLEN, (uint16_t)len);
	wg_put16(out + IP4_ID, (uint16_t)(wg_get16(out + IP4_ID) + i));
	uint64_t sum = add16(add16(s->ip_sum, out + IP4_TOTLEN), out + IP4_ID);
	wg_put_csum(out + IP4_CSUM, wg_csum_final(sum));
}

/* Sequence number advances by the payload before this segment; FIN and PSH belong to the
 * end of the data, CWR to its start (the kernel's tcp_gso_segment does the same). */
static void fix_tcp(const struct wg_tso *s, unsigned i, uint8_t *th)
{
	wg_put32(th + TCP_SEQ, wg_get32(th + TCP_SEQ) + (uint32_t)i * s->seg);
	if (i + 1 < s->nsegs)
		th[TCP_FLAGS] &= (uint8_t)~(WG_TH_FIN | WG_TH_PSH);
	if (i > 0)
		th[TCP_FLAGS] &= (uint8_t)~WG_TH_CWR;
}

/* The fields of segment l4 (already written) that shared_sum left out, and the
 * pseudo-header's length. UDP's length field is that same length. */
static uint64_t segment_sum(uint64_t sum, bool udp, const uint8_t *l4, size_t l4len)
{
	uint8_t len16[2];
	wg_put16(len16, (uint16_t)l4len);
	sum = add16(sum, len16);
	if (udp)
		return add16(sum, l4 + UDP_LEN);
	return add16(add32(sum, l4 + TCP_SEQ), l4 + TCP_DOFF); /* data offset and flags */
}

ssize_t wg_tso_segment(const struct wg_tso *s, unsigned i, uint8_t *out, size_t cap)
{
	if (i >= s->nsegs)
		return -EINVAL;
	if (s->gso == VIRTIO_NET_HDR_GSO_NONE)
		return whole(s, out, cap);
	size_t off = s->hdrlen + (size_t)i * s->seg;
	size_t plen = s->len - off < s->seg ? s->len - off : s->seg;
	size_t len = s->hdrlen + plen;
	if (len > cap)
		return -EMSGSIZE;
	memcpy(out, s->pkt, s->hdrlen);
	uint64_t sum = wg_csum_copy(s->shared_sum, out + s->hdrlen, s->pkt + off, plen);
	fix_ip(s, i, out, len);
	uint8_t *l4 = out + s->l4off;
	size_t l4len = len - s->l4off;
	bool udp = s->gso == VIRTIO_NET_HDR_GSO_UDP_L4;
	if (udp)
		wg_put16(l4 + UDP_LEN, (uint16_t)l4len);
	else
		fix_tcp(s, i, l4);
	uint16_t c = wg_csum_final(segment_sum(sum, udp, l4, l4len));
	wg_put_csum(l4 + (udp ? UDP_CSUM : TCP_CSUM), c ? c : 0xffff); /* 0: "none" to UDP/IPv4 */
	return (ssize_t)len;
}
