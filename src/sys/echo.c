/* See echo.h. */
#include "sys/echo.h"
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

enum { IP4_HDR = 20, IP6_HDR = 40, ICMP_HDR = 8 };

unsigned wg_echo_min_size(int family)
{
	return (family == AF_INET6 ? IP6_HDR : IP4_HDR) + ICMP_HDR;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The identifiers of this process's echoes: distinct for concurrent pings. */
static uint16_t next_id(void)
{
	static unsigned counter;
	unsigned n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
	return (uint16_t)((unsigned)getpid() * 2654435761u + n * 40503u);
}

/* ---- parsing (pure) ---- */

/* The echo request quoted in an ICMP error: ours when it carries id. */
static int quoted(int family, const uint8_t *q, size_t len, uint16_t id, struct wg_echo_reply *out)
{
	size_t hl;
	if (family == AF_INET) {
		if (len < IP4_HDR || (q[0] >> 4) != 4 || q[9] != IPPROTO_ICMP)
			return 0;
		hl = (size_t)(q[0] & 15) * 4;
	} else {
		if (len < IP6_HDR || (q[0] >> 4) != 6 || q[6] != IPPROTO_ICMPV6)
			return 0; /* extension headers: not a request of ours */
		hl = IP6_HDR;
	}
	if (hl < IP4_HDR || len < hl + ICMP_HDR)
		return 0;
	const uint8_t *ic = q + hl;
	uint8_t request = family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	if (ic[0] != request || get16(ic + 4) != id)
		return 0;
	out->seq = get16(ic + 6);
	return 1;
}

static int error_kind(int family, uint8_t type, uint8_t code)
{
	if (family == AF_INET) {
		if (type == ICMP_DEST_UNREACH)
			return code == ICMP_FRAG_NEEDED ? WG_ECHO_TOO_BIG : WG_ECHO_UNREACHABLE;
		return type == ICMP_TIME_EXCEEDED ? WG_ECHO_TTL_EXCEEDED : 0;
	}
	if (type == ICMP6_DST_UNREACH)
		return WG_ECHO_UNREACHABLE;
	if (type == ICMP6_PACKET_TOO_BIG)
		return WG_ECHO_TOO_BIG;
	return type == ICMP6_TIME_EXCEEDED ? WG_ECHO_TTL_EXCEEDED : 0;
}

int wg_echo_parse(int family, const uint8_t *buf, size_t len, uint16_t id, int hop_limit, struct wg_echo_reply *out)
{
	memset(out, 0, sizeof(*out));
	out->ttl = -1;
	const uint8_t *ic = buf;
	size_t iclen = len;
	if (family == AF_INET) {
		if (len < IP4_HDR || (buf[0] >> 4) != 4)
			return 0;
		size_t hl = (size_t)(buf[0] & 15) * 4;
		if (hl < IP4_HDR || len < hl + ICMP_HDR)
			return 0;
		out->ttl = buf[8];
		out->size = get16(buf + 2);
		memcpy(out->from, buf + 12, 4);
		ic = buf + hl;
		iclen = len - hl;
	} else {
		if (len < ICMP_HDR)
			return 0;
		out->ttl = hop_limit;
		out->size = (unsigned)(len + IP6_HDR);
	}
	uint8_t reply = family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY;
	if (ic[0] == reply) {
		if (get16(ic + 4) != id)
			return 0;
		out->kind = WG_ECHO_REPLY;
		out->seq = get16(ic + 6);
		return 1;
	}
	out->kind = error_kind(family, ic[0], ic[1]);
	if (!out->kind)
		return 0;
	return quoted(family, ic + ICMP_HDR, iclen - ICMP_HDR, id, out);
}

/* ---- the socket ---- */

static int set_opt(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v)) < 0 ? -errno : 0;
}

static int bind_source(int fd, const struct wg_echo_opts *o)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	if (o->family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		memcpy(&a->sin_addr, o->src, 4);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		memcpy(&a->sin6_addr, o->src, 16);
		len = sizeof(*a);
	}
	return bind(fd, (struct sockaddr *)&ss, len) < 0 ? -errno : 0;
}

/* Only what can answer an echo reaches the socket (a busy router sees much ICMP). */
static int filter_v6(int fd)
{
	struct icmp6_filter f;
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
	ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
	ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &f);
	ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f);
	return setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) < 0 ? -errno : 0;
}

static int configure(int fd, const struct wg_echo_opts *o)
{
	bool v4 = o->family == AF_INET;
	int rc = 0;
	if (o->iface && *o->iface)
		rc = setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->iface, (socklen_t)strlen(o->iface) + 1) < 0 ? -errno : 0;
	if (!rc && o->has_src)
		rc = bind_source(fd, o);
	if (!rc && o->ttl)
		rc = v4 ? set_opt(fd, IPPROTO_IP, IP_TTL, o->ttl) : set_opt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, o->ttl);
	if (!rc) /* without do-not-fragment the host fragments what is larger than the path */
		rc = v4 ? set_opt(fd, IPPROTO_IP, IP_MTU_DISCOVER, o->dont_fragment ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT)
			: set_opt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, o->dont_fragment ? IPV6_PMTUDISC_DO : IPV6_PMTUDISC_DONT);
	if (!rc)
		rc = v4 ? set_opt(fd, IPPROTO_IP, IP_RECVERR, 1) : set_opt(fd, IPPROTO_IPV6, IPV6_RECVERR, 1);
	if (!rc && !v4)
		rc = set_opt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
	if (!rc && !v4)
		rc = filter_v6(fd);
	return rc;
}

int wg_echo_open(struct wg_echo *e, const struct wg_echo_opts *o)
{
	memset(e, 0, sizeof(*e));
	e->fd = -1;
	if (o->family != AF_INET && o->family != AF_INET6)
		return -EAFNOSUPPORT;
	unsigned min = wg_echo_min_size(o->family);
	if (o->size < min || o->size > WG_ECHO_MAX_SIZE)
		return -EINVAL;
	int fd = socket(o->family, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			o->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	int rc = configure(fd, o);
	if (rc) {
		close(fd);
		return rc;
	}
	e->fd = fd;
	e->family = o->family;
	e->id = next_id();
	e->payload = o->size - min;
	memcpy(e->dst, o->dst, 16);
	return 0;
}

/* The Internet checksum (IPv4's ICMP; the kernel does ICMPv6's). */
static uint16_t checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	for (; n > 1; p += 2, n -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (n)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int wg_echo_send(struct wg_echo *e, uint16_t seq)
{
	size_t n = ICMP_HDR + e->payload;
	uint8_t *pkt = calloc(1, n);
	if (!pkt)
		return -ENOMEM;
	pkt[0] = e->family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	pkt[4] = (uint8_t)(e->id >> 8), pkt[5] = (uint8_t)e->id;
	pkt[6] = (uint8_t)(seq >> 8), pkt[7] = (uint8_t)seq;
	for (size_t i = ICMP_HDR; i < n; i++)
		pkt[i] = (uint8_t)i; /* a recognisable pattern, as ping(8) sends */
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	if (e->family == AF_INET) {
		uint16_t c = checksum(pkt, n);
		pkt[2] = (uint8_t)(c >> 8), pkt[3] = (uint8_t)c;
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		memcpy(&a->sin_addr, e->dst, 4);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		memcpy(&a->sin6_addr, e->dst, 16);
		len = sizeof(*a);
	}
	ssize_t w = sendto(e->fd, pkt, n, 0, (struct sockaddr *)&ss, len);
	int err = errno;
	free(pkt);
	return w < 0 ? -err : 0;
}

/* A local error the kernel queued for one of our requests (the quoted packet is the
 * ICMP message we sent). Errors that came as ICMP from elsewhere arrive as packets too
 * and are taken from there. */
static int recv_error(struct wg_echo *e, struct wg_echo_reply *out)
{
	uint8_t buf[128], cbuf[512];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	ssize_t n = recvmsg(e->fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (!(c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) &&
		    !(c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
			continue;
		struct sock_extended_err ee;
		memcpy(&ee, CMSG_DATA(c), sizeof(ee));
		if (ee.ee_origin != SO_EE_ORIGIN_LOCAL || n < ICMP_HDR || get16(buf + 4) != e->id)
			return 0;
		memset(out, 0, sizeof(*out));
		out->ttl = -1;
		out->seq = get16(buf + 6);
		out->kind = ee.ee_errno == EMSGSIZE ? WG_ECHO_TOO_BIG : WG_ECHO_UNREACHABLE;
		return 1;
	}
	return 0;
}

int wg_echo_recv(struct wg_echo *e, struct wg_echo_reply *out)
{
	uint8_t buf[WG_ECHO_MAX_SIZE], cbuf[256];
	struct sockaddr_storage from;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	ssize_t n = recvmsg(e->fd, &m, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN ? recv_error(e, out) : errno == EHOSTUNREACH || errno == ENETUNREACH ||
			errno == EMSGSIZE ? recv_error(e, out) : -errno;
	int hops = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)
			memcpy(&hops, CMSG_DATA(c), sizeof(hops));
	int rc = wg_echo_parse(e->family, buf, (size_t)n, e->id, hops, out);
	if (rc && e->family == AF_INET6)
		memcpy(out->from, &((struct sockaddr_in6 *)&from)->sin6_addr, 16);
	return rc;
}

void wg_echo_close(struct wg_echo *e)
{
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
}
