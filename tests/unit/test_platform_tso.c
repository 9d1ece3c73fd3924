/* TUN offloads without a device: cutting super-packets (tso.c), merging segments (gro.c)
 * and the checksum they both rest on (csum.c). Every checksum is judged by a plain
 * 16-bit-word reference written here, never by the code under test; a merge is judged by
 * cutting it again and getting the original packets back byte for byte. */
#include "test.h"
#include "platform/csum.h"
#include "platform/gro.h"
#include "platform/tso.h"
#include "platform/vnet.h"
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

/* ---- reference checksum: RFC 1071 as written, big-endian 16-bit words ---- */

static uint32_t ref_add(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 2)
		acc += (uint32_t)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
	return acc;
}

static uint16_t ref_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

static bool ref_ip4_ok(const uint8_t *p)
{
	return ref_fold(ref_add(0, p, (size_t)(p[0] & 15) * 4)) == 0xffff;
}

/* Pseudo-header + L4 bytes must sum to all ones. */
static bool ref_l4_ok(const uint8_t *p, size_t len)
{
	bool v6 = p[0] >> 4 == 6;
	size_t l4 = v6 ? 40 : (size_t)(p[0] & 15) * 4;
	uint32_t l4len = (uint32_t)(len - l4), acc;
	if (v6)
		acc = ref_add(0, p + 8, 32) + p[6] + (l4len >> 16) + (l4len & 0xffff);
	else
		acc = ref_add(0, p + 12, 8) + p[9] + l4len;
	return ref_fold(ref_add(acc, p + l4, l4len)) == 0xffff;
}

static void ref_fill_l4(uint8_t *p, size_t len)
{
	bool v6 = p[0] >> 4 == 6;
	size_t l4 = v6 ? 40 : (size_t)(p[0] & 15) * 4;
	uint8_t proto = v6 ? p[6] : p[9];
	size_t at = l4 + (proto == IPPROTO_TCP ? 16 : 6);
	uint32_t l4len = (uint32_t)(len - l4);
	p[at] = p[at + 1] = 0;
	uint32_t acc = v6 ? ref_add(0, p + 8, 32) + (l4len >> 16) + (l4len & 0xffff)
			  : ref_add(0, p + 12, 8) + l4len;
	uint16_t c = (uint16_t)~ref_fold(ref_add(acc + proto, p + l4, l4len));
	wg_put16(p + at, c ? c : 0xffff);
}

static void ref_fill_ip4(uint8_t *p)
{
	p[10] = p[11] = 0;
	wg_put16(p + 10, (uint16_t)~ref_fold(ref_add(0, p, (size_t)(p[0] & 15) * 4)));
}

/* ---- packet builder ---- */

struct spec {
	bool v6, udp;
	uint32_t seq;        /* TCP; the payload byte at stream offset k is (seq + k) & 0xff */
	uint8_t flags;       /* TCP; default ACK */
	uint16_t id;         /* IPv4 */
	bool no_df;
	uint8_t ttl;         /* default 64 */
	uint16_t sport;      /* default 40000 */
	int plen;
	bool ts;             /* TCP timestamp option (12 bytes) */
	uint32_t tsval;
	bool bad_csum;       /* TCP/UDP checksum wrong */
	bool bad_ip_csum;    /* IPv4 header checksum wrong */
};

static size_t build(uint8_t *b, const struct spec *s)
{
	size_t l4 = s->v6 ? 40 : 20, l4h = s->udp ? 8 : 20 + (s->ts ? 12 : 0);
	size_t len = l4 + l4h + (size_t)s->plen;
	memset(b, 0, l4 + l4h);
	if (s->v6) {
		b[0] = 0x60; b[1] = 0x0a; b[2] = 0xbc; b[3] = 0xde; /* class and flow label */
		wg_put16(b + 4, (uint16_t)(len - 40));
		b[6] = s->udp ? IPPROTO_UDP : IPPROTO_TCP;
		b[7] = s->ttl ? s->ttl : 64;
		b[8] = 0xfd; b[23] = 1;  /* fd00::1 -> fd00::2 */
		b[24] = 0xfd; b[39] = 2;
	} else {
		b[0] = 0x45; b[1] = 0x02;
		wg_put16(b + 2, (uint16_t)len);
		wg_put16(b + 4, s->id);
		wg_put16(b + 6, s->no_df ? 0 : IP4_DF);
		b[8] = s->ttl ? s->ttl : 64;
		b[9] = s->udp ? IPPROTO_UDP : IPPROTO_TCP;
		b[12] = 10; b[13] = 9; b[15] = 1;  /* 10.9.0.1 -> 10.9.0.2 */
		b[16] = 10; b[17] = 9; b[19] = 2;
		ref_fill_ip4(b);
	}
	uint8_t *t = b + l4;
	wg_put16(t, s->sport ? s->sport : 40000);
	wg_put16(t + 2, 5201);
	if (s->udp) {
		wg_put16(t + 4, (uint16_t)(8 + s->plen));
	} else {
		wg_put32(t + 4, s->seq);
		wg_put32(t + 8, 0x11223344);
		t[12] = (uint8_t)((l4h / 4) << 4);
		t[13] = s->flags ? s->flags : WG_TH_ACK;
		wg_put16(t + 14, 501);
		if (s->ts) {
			t[20] = 1; t[21] = 1; t[22] = 8; t[23] = 10;
			wg_put32(t + 24, s->tsval);
			wg_put32(t + 28, 0xabcdef01);
		}
	}
	for (int k = 0; k < s->plen; k++)
		b[l4 + l4h + (size_t)k] = (uint8_t)(s->seq + (uint32_t)k);
	ref_fill_l4(b, len);
	if (s->bad_csum)
		b[len - 1] ^= 0x40;  /* corrupts the payload, not a header or the checksum field */
	if (s->bad_ip_csum)
		b[11] ^= 0x01;
	return len;
}

/* A super-packet as the kernel hands it over: TSO headers, the L4 checksum field holding
 * only a partial sum (garbage to us), payload of `total` bytes. */
static size_t build_super(uint8_t *b, struct spec s, int total, struct virtio_net_hdr *vh,
			  uint16_t gso_size)
{
	s.plen = total;
	size_t len = build(b, &s);
	size_t l4 = s.v6 ? 40 : 20;
	b[l4 + (s.udp ? 6 : 16)] = 0x5a;
	*vh = (struct virtio_net_hdr){
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = s.udp ? VIRTIO_NET_HDR_GSO_UDP_L4 :
			    s.v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = (uint16_t)(l4 + (s.udp ? 8 : 20 + (s.ts ? 12 : 0))),
		.gso_size = gso_size,
		.csum_start = (uint16_t)l4,
		.csum_offset = s.udp ? 6 : 16,
	};
	return len;
}

/* ---- checksum ---- */

TEST(csum_matches_reference_at_every_length_and_alignment)
{
	static uint8_t buf[4096 + 16], dst[4096 + 16];
	srand(7);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	int bad = 0;
	for (size_t len = 0; len <= 300; len++)
		for (size_t a = 0; a < 8; a += 2) {  /* even starts, as the callers use it */
			uint16_t want = ref_fold(ref_add(0, buf + a, len));
			uint16_t got_mem = wg_csum_fold(wg_csum_add(0, buf + a, len));
			uint8_t be[2];
			wg_put_csum(be, got_mem);
			bad += wg_get16(be) != want;
			bad += wg_csum_fold(wg_csum_copy(0, dst, buf + a, len)) != got_mem;
			bad += memcmp(dst, buf + a, len) != 0;
		}
	CHECK_EQ(bad, 0);
	uint8_t be[2];
	wg_put_csum(be, wg_csum_fold(wg_csum_add(0, buf, 4096)));
	CHECK_EQ(wg_get16(be), ref_fold(ref_add(0, buf, 4096)));
}

TEST(csum_carries_survive_all_ones)
{
	static uint8_t ff[65536];
	memset(ff, 0xff, sizeof(ff));
	CHECK_EQ(wg_csum_fold(wg_csum_add(0, ff, sizeof(ff))), 0xffff);
	CHECK_EQ(wg_csum_fold(wg_csum_combine(wg_csum_add(0, ff, 64), ~0ULL)), 0xffff);
	/* Pieces summed apart at even offsets add up to the whole. */
	uint64_t a = wg_csum_add(0, ff, 1000), b = wg_csum_add(0, ff + 1000, 3000);
	CHECK_EQ(wg_csum_fold(wg_csum_combine(a, b)), wg_csum_fold(wg_csum_add(0, ff, 4000)));
}

TEST(csum_rfc1071_example)
{
	/* RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
	static const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint8_t out[2];
	wg_put_csum(out, wg_csum_fold(wg_csum_add(0, d, sizeof(d))));
	CHECK_EQ(wg_get16(out), 0xddf2);
}

/* ---- cutting ---- */

static uint8_t big[70000], seg[70000];

/* Cuts and checks every segment against what the stream must look like. */
static void check_tcp_cut(bool v6, bool ts)
{
	struct spec s = { .v6 = v6, .seq = 4000000000u, .id = 0xfffe, .ts = ts,
			  .flags = WG_TH_ACK | WG_TH_PSH | WG_TH_FIN | WG_TH_CWR };
	struct virtio_net_hdr vh;
	size_t hl = (v6 ? 40 : 20) + 20 + (ts ? 12 : 0);
	int total = 5000, gso = 1500 - (int)hl;  /* exactly one MTU each */
	size_t len = build_super(big, s, total, &vh, (uint16_t)gso);
	vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	struct wg_tso t;
	CHECK_EQ(wg_tso_prepare(&t, &vh, big, len, 1500), 0);
	CHECK_EQ(t.nsegs, 4);
	for (unsigned i = 0; i < t.nsegs; i++) {
		ssize_t n = wg_tso_segment(&t, i, seg, sizeof(seg));
		int plen = i < 3 ? gso : total - 3 * gso;
		CHECK_EQ(n, (ssize_t)(hl + (size_t)plen));
		if (n < 0)
			continue;
		uint8_t *th = seg + (v6 ? 40 : 20);
		if (v6) {
			CHECK_EQ(wg_get16(seg + 4), n - 40);
		} else {
			CHECK_EQ(wg_get16(seg + 2), n);
			CHECK_EQ(wg_get16(seg + 4), (uint16_t)(0xfffe + i)); /* wraps */
			CHECK(ref_ip4_ok(seg), "seg %u", i);
		}
		CHECK_EQ(wg_get32(th + 4), (uint32_t)(4000000000u + i * (unsigned)gso));
		uint8_t want = WG_TH_ACK | (i == 0 ? WG_TH_CWR : 0) | (i == 3 ? WG_TH_PSH | WG_TH_FIN : 0);
		CHECK_EQ(th[13], want);
		CHECK(ref_l4_ok(seg, (size_t)n), "seg %u", i);
		CHECK_MEM(seg + hl, big + hl + i * (size_t)gso, (size_t)plen);
		CHECK_MEM(seg + (v6 ? 0 : 20), big + (v6 ? 0 : 20), v6 ? 4 : 0); /* headers kept */
		if (ts)
			CHECK_MEM(th + 20, big + (v6 ? 40 : 20) + 20, 12);
	}
}

TEST(tso_ipv4_tcp)            { check_tcp_cut(false, false); }
TEST(tso_ipv4_tcp_timestamps) { check_tcp_cut(false, true); }
TEST(tso_ipv6_tcp)            { check_tcp_cut(true, false); }
TEST(tso_ipv6_tcp_timestamps) { check_tcp_cut(true, true); }

static void check_udp_cut(bool v6)
{
	struct spec s = { .v6 = v6, .udp = true, .id = 7, .seq = 3 };
	struct virtio_net_hdr vh;
	int total = 3 * 1200 + 17;
	size_t len = build_super(big, s, total, &vh, 1200);
	struct wg_tso t;
	CHECK_EQ(wg_tso_prepare(&t, &vh, big, len, 1000), 0); /* UDP is never re-cut */
	CHECK_EQ(t.nsegs, 4);
	size_t hl = (v6 ? 40 : 20) + 8;
	for (unsigned i = 0; i < t.nsegs; i++) {
		ssize_t n = wg_tso_segment(&t, i, seg, sizeof(seg));
		int plen = i < 3 ? 1200 : 17;
		CHECK_EQ(n, (ssize_t)(hl + (size_t)plen));
		if (n < 0)
			continue;
		CHECK_EQ(wg_get16(seg + hl - 4), 8 + plen);
		if (!v6) {
			CHECK_EQ(wg_get16(seg + 4), 7 + i);
			CHECK(ref_ip4_ok(seg), "seg %u", i);
		}
		CHECK(ref_l4_ok(seg, (size_t)n), "seg %u", i);
		CHECK(wg_get16(seg + hl - 2) != 0, "UDP checksum 0 means none");
		CHECK_MEM(seg + hl, big + hl + i * 1200u, (size_t)plen);
	}
}

TEST(tso_ipv4_udp) { check_udp_cut(false); }
TEST(tso_ipv6_udp) { check_udp_cut(true); }

/* IPv4 options are repeated in every segment and covered by its header checksum. */
TEST(tso_ipv4_options_kept_and_summed)
{
	struct spec s = { .seq = 9, .id = 300 };
	struct virtio_net_hdr vh;
	size_t len = build_super(big, s, 4000, &vh, 1400);
	memmove(big + 24, big + 20, len - 20);
	memset(big + 20, 1, 4);                  /* four NOP options */
	big[0] = 0x46;
	len += 4;
	wg_put16(big + 2, (uint16_t)len);
	ref_fill_ip4(big);
	vh.csum_start += 4;
	vh.hdr_len += 4;
	struct wg_tso t;
	CHECK_EQ(wg_tso_prepare(&t, &vh, big, len, 1500), 0);
	CHECK_EQ(t.nsegs, 3);
	for (unsigned i = 0; i < t.nsegs; i++) {
		ssize_t n = wg_tso_segment(&t, i, seg, sizeof(seg));
		CHECK(n > 44);
		if (n <= 44)
			continue;
		CHECK_MEM(seg + 20, big + 20, 4);
		CHECK_EQ(wg_get16(seg + 4), 300 + i);
		CHECK(ref_ip4_ok(seg), "seg %u", i);
		CHECK(ref_l4_ok(seg, (size_t)n), "seg %u", i);
		CHECK_EQ(wg_get32(seg + 28), 9 + 1400 * i);
	}
}

TEST(tso_tcp_cut_smaller_to_fit_mtu)
{
	struct spec s = { .seq = 1 };
	struct virtio_net_hdr vh;
	size_t len = build_super(big, s, 6000, &vh, 1448);
	struct wg_tso t;
	CHECK_EQ(wg_tso_prepare(&t, &vh, big, len, 1000), 0);
	CHECK_EQ(t.seg, 960);
	CHECK_EQ(t.nsegs, 7);
	for (unsigned i = 0; i < t.nsegs; i++) {
		ssize_t n = wg_tso_segment(&t, i, seg, sizeof(seg));
		CHECK(n > 0 && n <= 1000);
		CHECK_EQ(wg_get32(seg + 24), 1 + 960 * i);
		CHECK(ref_l4_ok(seg, (size_t)n));
	}
}

TEST(tso_plain_packet_copied_and_partial_checksum_finished)
{
	struct spec s = { .udp = true, .plen = 333 };
	size_t len = build(big, &s);
	uint8_t want[400];
	memcpy(want, big, len);
	struct virtio_net_hdr none = { 0 };
	struct wg_tso t;
	CHECK_EQ(wg_tso_prepare(&t, &none, big, len, 1500), 0);
	CHECK_EQ(t.nsegs, 1);
	CHECK_EQ(wg_tso_segment(&t, 0, seg, sizeof(seg)), (ssize_t)len);
	CHECK_MEM(seg, want, len);
	/* What a local socket with checksum offload hands the device: the pseudo-header sum. */
	uint64_t ph = wg_csum_pseudo(big, false, IPPROTO_UDP, (uint32_t)len - 20);
	wg_put_csum(big + 26, wg_csum_fold(ph));
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 20, .csum_offset = 6 };
	CHECK_EQ(wg_tso_prepare(&t, &vh, big, len, 1500), 0);
	CHECK_EQ(wg_tso_segment(&t, 0, seg, sizeof(seg)), (ssize_t)len);
	CHECK_MEM(seg, want, len);
	CHECK(ref_l4_ok(seg, len));
}

TEST(tso_rejects_nonsense)
{
	struct spec s = { .seq = 1 };
	struct virtio_net_hdr vh, bad;
	size_t len = build_super(big, s, 3000, &vh, 1448);
	struct wg_tso t;
	bad = vh; bad.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	CHECK_EQ(wg_tso_prepare(&t, &bad, big, len, 1500), -EINVAL);
	bad = vh; bad.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	CHECK_EQ(wg_tso_prepare(&t, &bad, big, len, 1500), -EINVAL);
	bad = vh; bad.gso_size = 0;
	CHECK_EQ(wg_tso_prepare(&t, &bad, big, len, 1500), -EINVAL);
	bad = vh; bad.csum_start = 60000;
	CHECK_EQ(wg_tso_prepare(&t, &bad, big, len, 1500), -EINVAL);
	bad = vh; bad.gso_type = VIRTIO_NET_HDR_GSO_UDP; /* UFO is never offered */
	CHECK_EQ(wg_tso_prepare(&t, &bad, big, len, 1500), -EINVAL);
	CHECK_EQ(wg_tso_prepare(&t, &vh, big, 30, 1500), -EINVAL); /* TCP header cut off */
	CHECK_EQ(wg_tso_prepare(&t, &vh, big, 10, 1500), -EINVAL);
	big[0] = 0x55;
	CHECK_EQ(wg_tso_prepare(&t, &vh, big, len, 1500), -EINVAL);
	big[0] = 0x45;
	CHECK_EQ(wg_tso_prepare(&t, &vh, big, len, 1500), 0);
	CHECK_EQ(wg_tso_segment(&t, 0, seg, 1000), -EMSGSIZE);
	CHECK_EQ(wg_tso_segment(&t, 2, seg, 200), 40 + 3000 - 2 * 1448);
	CHECK_EQ(wg_tso_segment(&t, 3, seg, sizeof(seg)), -EINVAL);
}

/* ---- merging ---- */

static uint8_t pbuf[200][1600];
static struct wg_tun_pkt pk[200];
static struct wg_gro g;
static uint8_t orig[200][1600];
static size_t olen[200];

static void add(int i, const struct spec *s)
{
	pk[i].data = pbuf[i];
	pk[i].len = build(pbuf[i], s);
	memcpy(orig[i], pbuf[i], pk[i].len);
	olen[i] = pk[i].len;
}

/* n TCP segments of one flow, seq contiguous, IDs counting up. */
static void add_run(int at, int n, struct spec s, int plen)
{
	for (int i = 0; i < n; i++) {
		s.plen = plen;
		add(at + i, &s);
		s.seq += (uint32_t)plen;
		s.id++;
	}
}

static size_t flatten(const struct wg_gro_unit *u, uint8_t *out)
{
	size_t n = pk[u->head].len, hl = u->vnet.hdr_len;
	memcpy(out, pk[u->head].data, n);
	for (int j = g.next[u->head]; j >= 0; j = g.next[j]) {
		memcpy(out + n, pk[j].data + hl, pk[j].len - hl);
		n += pk[j].len - hl;
	}
	return n;
}

/* The merged unit, cut again by tso.c, must give back the original packets. */
static void check_roundtrip(const struct wg_gro_unit *u)
{
	size_t n = flatten(u, big);
	struct wg_tso t;
	CHECK_EQ(wg_tso_prepare(&t, &u->vnet, big, n, 65535), 0);
	CHECK_EQ(t.nsegs, u->count);
	int i = u->head;
	for (unsigned k = 0; k < t.nsegs && i >= 0; k++, i = g.next[i]) {
		ssize_t l = wg_tso_segment(&t, k, seg, sizeof(seg));
		CHECK_EQ(l, (ssize_t)olen[i]);
		if (l == (ssize_t)olen[i])
			CHECK_MEM(seg, orig[i], olen[i]);
	}
}

static void check_merged_header(const struct wg_gro_unit *u, bool v6, int count, int gso)
{
	size_t hl = (v6 ? 40 : 20) + 20;
	CHECK_EQ(u->count, count);
	CHECK_EQ(u->vnet.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CHECK_EQ(u->vnet.gso_type, v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4);
	CHECK_EQ(u->vnet.hdr_len, hl);
	CHECK_EQ(u->vnet.gso_size, gso);
	CHECK_EQ(u->vnet.csum_start, v6 ? 40 : 20);
	CHECK_EQ(u->vnet.csum_offset, 16);
	size_t total = flatten(u, big);
	const uint8_t *h = pk[u->head].data;
	if (v6) {
		CHECK_EQ(wg_get16(h + 4), total - 40);
	} else {
		CHECK_EQ(wg_get16(h + 2), total);
		CHECK(ref_ip4_ok(h));
	}
	/* The checksum field holds the folded pseudo-header sum over the merged length. */
	uint32_t l4len = (uint32_t)(total - (v6 ? 40 : 20));
	uint32_t acc = v6 ? ref_add(0, h + 8, 32) + 6 + (l4len >> 16) + (l4len & 0xffff)
			  : ref_add(0, h + 12, 8) + 6 + l4len;
	CHECK_EQ(wg_get16(h + (v6 ? 40 : 20) + 16), ref_fold(acc));
}

static void check_merge(bool v6)
{
	struct spec s = { .v6 = v6, .seq = 0xfffff000u, .id = 100 };
	add_run(0, 10, s, 1380);
	CHECK_EQ(wg_gro_plan(&g, pk, 10, WG_GRO_TCP), 1);
	check_merged_header(&g.unit[0], v6, 10, 1380);
	check_roundtrip(&g.unit[0]);
	for (int i = 1; i < 10; i++)
		CHECK_MEM(pk[i].data, orig[i], olen[i]); /* only the head is rewritten */
}

TEST(gro_ipv4_tcp_run_merges) { check_merge(false); }
TEST(gro_ipv6_tcp_run_merges) { check_merge(true); }

TEST(gro_shorter_last_segment_and_psh_close_the_run)
{
	struct spec s = { .seq = 1, .id = 1 };
	add_run(0, 4, s, 1000);
	s.seq += 4000; s.id += 4; s.plen = 500;
	add(4, &s);                                  /* shorter: closes */
	s.seq += 500; s.id++; s.plen = 1000;
	add(5, &s);
	s.seq += 1000; s.id++; s.flags = WG_TH_ACK | WG_TH_PSH;
	add(6, &s);                                  /* PSH: appended, closes */
	s.seq += 1000; s.id++; s.flags = 0;
	add(7, &s);
	CHECK_EQ(wg_gro_plan(&g, pk, 8, WG_GRO_TCP), 3);
	check_merged_header(&g.unit[0], false, 5, 1000);
	CHECK_EQ(g.unit[1].head, 5);
	CHECK_EQ(g.unit[1].count, 2);
	CHECK(pk[5].data[33] & WG_TH_PSH, "PSH moves to the merged head");
	CHECK_EQ(g.unit[2].head, 7);
	CHECK_EQ(g.unit[2].count, 1);
	CHECK_EQ(g.unit[2].vnet.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	CHECK_MEM(pk[7].data, orig[7], olen[7]);
	for (int k = 0; k < 2; k++)
		check_roundtrip(&g.unit[k]);
}

TEST(gro_gap_or_reorder_does_not_merge)
{
	struct spec s = { .seq = 1, .id = 1, .plen = 1000 };
	add(0, &s);
	s.seq = 3001; s.id = 2;
	add(1, &s);                     /* hole */
	s.seq = 2001; s.id = 3;
	add(2, &s);                     /* earlier data after later */
	CHECK_EQ(wg_gro_plan(&g, pk, 3, WG_GRO_TCP), 3);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(g.unit[i].count, 1);
		CHECK_MEM(pk[i].data, orig[i], olen[i]);
	}
}

TEST(gro_interleaved_flows_merge_separately)
{
	struct spec a = { .seq = 1, .id = 1, .plen = 1200 }, b = a;
	b.sport = 40001; b.seq = 777;
	for (int i = 0; i < 6; i++) {
		add(2 * i, &a);
		add(2 * i + 1, &b);
		a.seq += 1200; a.id++;
		b.seq += 1200; b.id++;
	}
	CHECK_EQ(wg_gro_plan(&g, pk, 12, WG_GRO_TCP), 2);
	CHECK_EQ(g.unit[0].head, 0);
	CHECK_EQ(g.unit[1].head, 1);
	check_merged_header(&g.unit[0], false, 6, 1200);
	check_merged_header(&g.unit[1], false, 6, 1200);
	check_roundtrip(&g.unit[0]);
	check_roundtrip(&g.unit[1]);
}

TEST(gro_other_packets_of_the_flow_keep_their_place)
{
	struct spec s = { .seq = 1, .id = 1 };
	add_run(0, 2, s, 1000);
	struct spec ack = { .seq = 2001, .id = 3, .plen = 0 };
	add(2, &ack);                   /* pure ACK: not merged, closes the run */
	s.seq = 2001; s.id = 4; s.plen = 1000;
	add(3, &s);
	s.seq = 3001; s.id = 5; s.flags = WG_TH_ACK | WG_TH_FIN;
	add(4, &s);                     /* FIN: never merged */
	CHECK_EQ(wg_gro_plan(&g, pk, 5, WG_GRO_TCP), 4);
	CHECK_EQ(g.unit[0].count, 2);
	CHECK_EQ(g.unit[1].head, 2);
	CHECK_EQ(g.unit[2].head, 3);
	CHECK_EQ(g.unit[3].head, 4);
}

TEST(gro_header_differences_do_not_merge)
{
	struct spec base = { .seq = 1, .id = 1, .plen = 1000, .ts = true, .tsval = 5 };
	struct spec v[] = { base, base, base, base, base };
	v[1].ttl = 63;          /* TTL */
	v[2].tsval = 6;         /* timestamp option */
	v[3].no_df = true;      /* fragmentation flags */
	v[4].sport = 1;         /* other flow: merges with nobody before it */
	for (int i = 0; i < 5; i++) {
		v[i].seq = 1 + 1000u * (unsigned)i;
		v[i].id = (uint16_t)(1 + i);
		add(i, &v[i]);
	}
	CHECK_EQ(wg_gro_plan(&g, pk, 5, WG_GRO_TCP), 5);
	/* window */
	add(0, &base);
	base.seq += 1000; base.id++;
	add(1, &base);
	wg_put16(pk[1].data + 34, 999);
	ref_fill_l4(pk[1].data, pk[1].len);
	CHECK_EQ(wg_gro_plan(&g, pk, 2, WG_GRO_TCP), 2);
	CHECK_EQ(wg_gro_plan(&g, pk, 2, 0), 2);
}

/* Three segments of one flow, packet `bad` (0-2) spoilt as the spec says. */
static void add_spoilt_run(int bad, bool ip, bool l4)
{
	for (int i = 0; i < 3; i++) {
		struct spec t = { .seq = 1 + 1000u * (unsigned)i, .id = (uint16_t)(1 + i), .plen = 1000 };
		t.bad_ip_csum = ip && i == bad;
		t.bad_csum = l4 && i == bad;
		add(i, &t);
	}
}

TEST(gro_bad_ipv4_header_checksum_is_not_merged)
{
	for (int bad = 0; bad < 3; bad++) {
		add_spoilt_run(bad, true, false);
		wg_gro_plan(&g, pk, 3, WG_GRO_TCP);
		for (int k = 0; k < g.nunits; k++) {
			int cnt = 0;
			for (int j = g.unit[k].head; j >= 0; j = g.next[j])
				cnt++;
			CHECK_EQ(cnt, g.unit[k].count);
			if (g.unit[k].count > 1)
				for (int j = g.unit[k].head; j >= 0; j = g.next[j])
					CHECK(j != bad, "packet %d with a bad IPv4 header merged", bad);
		}
		CHECK(g.nunits >= 2);
		CHECK_MEM(pk[bad].data, orig[bad], olen[bad]); /* written as it came */
	}
}

/* The AEAD vouches for a decrypted packet, so its TCP checksum is not read (gro.c). */
TEST(gro_does_not_verify_tcp_checksums)
{
	for (int bad = 0; bad < 3; bad++) {
		add_spoilt_run(bad, false, true);
		CHECK_EQ(wg_gro_plan(&g, pk, 3, WG_GRO_TCP), 1);
		check_merged_header(&g.unit[0], false, 3, 1000);
	}
}

TEST(gro_ipv4_without_df_needs_counting_ids)
{
	struct spec s = { .seq = 1, .id = 50, .no_df = true, .plen = 1000 };
	add_run(0, 3, s, 1000);
	CHECK_EQ(wg_gro_plan(&g, pk, 3, WG_GRO_TCP), 1);
	check_roundtrip(&g.unit[0]);
	s.id = 50;
	add(0, &s);
	s.seq += 1000;
	add(1, &s);                    /* same ID again */
	CHECK_EQ(wg_gro_plan(&g, pk, 2, WG_GRO_TCP), 2);
}

TEST(gro_stops_at_64k)
{
	struct spec s = { .seq = 1, .id = 1 };
	add_run(0, 100, s, 1400);
	int n = wg_gro_plan(&g, pk, 100, WG_GRO_TCP);
	CHECK_EQ(n, 3);               /* 46 + 46 + 8 segments of 1400 */
	int seen = 0;
	for (int k = 0; k < n; k++) {
		CHECK(flatten(&g.unit[k], big) <= 65535);
		seen += g.unit[k].count;
		check_roundtrip(&g.unit[k]);
	}
	CHECK_EQ(seen, 100);
	CHECK_EQ(g.unit[0].count, 46);
}

TEST(gro_udp_merges_only_when_enabled)
{
	for (int v6 = 0; v6 < 2; v6++) {
		struct spec s = { .v6 = v6, .udp = true, .id = 9, .plen = 1200 };
		for (int i = 0; i < 5; i++) {
			s.plen = i < 4 ? 1200 : 100;
			s.seq = 1200u * (unsigned)i;
			add(i, &s);
			s.id++;
		}
		CHECK_EQ(wg_gro_plan(&g, pk, 5, WG_GRO_TCP), 5);
		CHECK_EQ(wg_gro_plan(&g, pk, 5, WG_GRO_TCP | WG_GRO_UDP), 1);
		const struct wg_gro_unit *u = &g.unit[0];
		CHECK_EQ(u->count, 5);
		CHECK_EQ(u->vnet.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
		CHECK_EQ(u->vnet.gso_size, 1200);
		CHECK_EQ(u->vnet.csum_offset, 6);
		size_t total = flatten(u, big);
		CHECK_EQ(wg_get16(pk[0].data + (v6 ? 44 : 24)), total - (v6 ? 40 : 20));
		check_roundtrip(u);
	}
	/* IPv4 UDP without a checksum is left alone (merged, it would get one). */
	struct spec s = { .udp = true, .plen = 500 };
	add(0, &s);
	add(1, &s);
	pk[0].data[26] = pk[0].data[27] = pk[1].data[26] = pk[1].data[27] = 0;
	CHECK_EQ(wg_gro_plan(&g, pk, 2, WG_GRO_UDP), 2);
}

TEST(gro_leaves_non_tcp_udp_and_odd_packets_alone)
{
	struct spec s = { .seq = 1, .id = 1, .plen = 1000 };
	add(0, &s);
	pk[0].data[9] = 1;                       /* ICMP */
	add(1, &s);
	pk[1].len = 10;                          /* runt */
	add(2, &s);
	pk[2].len += 4;                          /* trailing bytes past the IP length */
	add(3, &s);
	wg_put16(pk[3].data + 6, IP4_MF);        /* fragment */
	CHECK_EQ(wg_gro_plan(&g, pk, 4, WG_GRO_TCP | WG_GRO_UDP), 4);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(g.unit[i].vnet.gso_type, VIRTIO_NET_HDR_GSO_NONE);
}
