/* See pkt.h. Offsets follow RFC 791 (IPv4), RFC 8200 (IPv6 and its extension headers),
 * RFC 792 / RFC 4443 (ICMP, ICMPv6: an error quotes the start of the packet that caused
 * it right after its 8-byte header). */
#include "tools/pkt.h"
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

enum { P_ICMP = 1, P_TCP = 6, P_UDP = 17, P_IPV6_ICMP = 58, P_SCTP = 132 };

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static bool ext_header(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 60 || nh == 51; /* hop-by-hop, routing, dest opts, AH */
}

/* Walks the IPv6 extension headers after the fixed header; false when cut short. */
static bool skip_ext6(const uint8_t *p, size_t len, struct wg_pkt *o)
{
	size_t off = 40;
	uint8_t nh = p[6];
	for (int i = 0; i < 8 && ext_header(nh); i++) {
		if (off + 8 > len)
			return false;
		size_t hl = nh == 51 ? ((size_t)p[off + 1] + 2) * 4 : ((size_t)p[off + 1] + 1) * 8;
		nh = p[off];
		off += hl;
	}
	if (nh == 44 && off + 8 <= len) { /* a fragment: only the first carries ports */
		bool first = (be16(p + off + 2) & 0xfff8) == 0;
		nh = p[off];
		off += 8;
		if (!first)
			off = len + 1;
	}
	o->proto = nh;
	o->l4_off = off;
	return true;
}

static int parse4(const uint8_t *p, size_t len, struct wg_pkt *o)
{
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	if (len < 20 || ihl < 20 || ihl > len)
		return -1;
	o->family = AF_INET;
	memcpy(o->src, p + 12, 4);
	memcpy(o->dst, p + 16, 4);
	o->proto = p[9];
	o->ttl = p[8];
	o->total_len = be16(p + 2);
	o->l4_off = (be16(p + 6) & 0x1fff) ? len + 1 : ihl; /* a later fragment: no ports */
	return 0;
}

static int parse6(const uint8_t *p, size_t len, struct wg_pkt *o)
{
	if (len < 40)
		return -1;
	o->family = AF_INET6;
	memcpy(o->src, p + 8, 16);
	memcpy(o->dst, p + 24, 16);
	o->ttl = p[7];
	o->total_len = (uint32_t)be16(p + 4) + 40;
	if (!skip_ext6(p, len, o))
		o->l4_off = len + 1;
	return 0;
}

static void transport(const uint8_t *p, size_t len, struct wg_pkt *o)
{
	if (o->l4_off > len)
		return;
	const uint8_t *l4 = p + o->l4_off;
	size_t n = len - o->l4_off;
	if ((o->proto == P_TCP || o->proto == P_UDP || o->proto == P_SCTP) && n >= 4) {
		o->sport = be16(l4);
		o->dport = be16(l4 + 2);
		o->has_ports = true;
	} else if ((o->proto == P_ICMP || o->proto == P_IPV6_ICMP) && n >= 8) {
		o->icmp_type = l4[0];
		o->icmp_code = l4[1];
		o->icmp_id = be16(l4 + 4);
		o->icmp_seq = be16(l4 + 6);
	}
}

int wg_pkt_parse(const uint8_t *p, size_t len, struct wg_pkt *out)
{
	memset(out, 0, sizeof(*out));
	if (!p || len < 1)
		return -1;
	int rc = (p[0] >> 4) == 4 ? parse4(p, len, out) : (p[0] >> 4) == 6 ? parse6(p, len, out) : -1;
	if (rc == 0)
		transport(p, len, out);
	return rc;
}

static enum wg_icmp_kind kind_of(int family, uint8_t type)
{
	if (family == AF_INET)
		return type == 0 ? WG_ICMP_ECHO_REPLY : type == 11 ? WG_ICMP_TIME_EXCEEDED : type == 3 ? WG_ICMP_UNREACH : WG_ICMP_OTHER;
	return type == 129 ? WG_ICMP_ECHO_REPLY : type == 3 ? WG_ICMP_TIME_EXCEEDED : type == 1 ? WG_ICMP_UNREACH
		: type == 2 ? WG_ICMP_TOO_BIG : WG_ICMP_OTHER;
}

/* An error's quoted packet: whose echo or which UDP ports it was. */
static void quoted(int family, const uint8_t *q, size_t n, struct wg_icmp_msg *m)
{
	struct wg_pkt in;
	if (wg_pkt_parse(q, n, &in) < 0 || in.family != family)
		return;
	memcpy(m->inner_dst, in.dst, 16);
	uint8_t echo_req = family == AF_INET ? 8 : 128;
	if ((in.proto == P_ICMP || in.proto == P_IPV6_ICMP) && in.l4_off + 8 <= n && in.icmp_type == echo_req) {
		m->quotes_echo = true;
		m->id = in.icmp_id;
		m->seq = in.icmp_seq;
	} else if (in.proto == P_UDP && in.has_ports) {
		m->quotes_udp = true;
		m->sport = in.sport;
		m->dport = in.dport;
	}
}

int wg_icmp_parse(int family, const uint8_t *p, size_t len, struct wg_icmp_msg *out)
{
	memset(out, 0, sizeof(*out));
	size_t off = 0;
	if (family == AF_INET) {
		struct wg_pkt ip;
		if (wg_pkt_parse(p, len, &ip) < 0 || ip.family != AF_INET || ip.proto != P_ICMP || ip.l4_off > len)
			return -1;
		off = ip.l4_off;
	} else if (family != AF_INET6) {
		return -1;
	}
	if (!p || len < off + 8)
		return -1;
	const uint8_t *ic = p + off;
	out->type = ic[0];
	out->code = ic[1];
	out->kind = kind_of(family, ic[0]);
	if (out->kind == WG_ICMP_UNREACH && family == AF_INET && out->code == 4)
		out->kind = WG_ICMP_TOO_BIG; /* fragmentation needed */
	if (out->kind == WG_ICMP_ECHO_REPLY) {
		out->id = be16(ic + 4);
		out->seq = be16(ic + 6);
	} else if (out->kind != WG_ICMP_OTHER) {
		quoted(family, ic + 8, len - off - 8, out);
	}
	return 0;
}

uint16_t wg_inet_csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static const struct { uint8_t n; const char *name; } protos[] = {
	{ 1, "icmp" }, { 2, "igmp" }, { 4, "ipencap" }, { 6, "tcp" }, { 17, "udp" }, { 41, "ipv6" },
	{ 47, "gre" }, { 50, "ipsec-esp" }, { 51, "ipsec-ah" }, { 58, "ipv6-icmp" }, { 89, "ospf" },
	{ 103, "pim" }, { 112, "vrrp" }, { 132, "sctp" }, { 136, "udp-lite" },
};

const char *wg_ip_proto_name(uint8_t proto, char *buf)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].n == proto)
			return strcpy(buf, protos[i].name);
	snprintf(buf, 16, "%u", proto);
	return buf;
}

int wg_ip_proto_parse(const char *name)
{
	if (!name || !*name)
		return -1;
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcmp(protos[i].name, name))
			return protos[i].n;
	char *end;
	long v = strtol(name, &end, 10);
	return *end || v < 0 || v > 255 ? -1 : (int)v;
}

socklen_t wg_pkt_sockaddr(int family, const uint8_t *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a, 4);
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	memcpy(&s6->sin6_addr, a, 16);
	return sizeof(*s6);
}
