/* The send half of the UDP bind: batches become sendmmsg calls, runs of equal datagrams
 * to one peer become single UDP_SEGMENT sends, and a send the kernel refuses is retried
 * datagram by datagram without offload or without the stale source address. */
#include "platform/udp.h"
#include "platform/udp_ctrl.h"
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>

enum {
	GSO_MAX4 = 65535 - 20 - 8,  /* largest UDP payload in one IPv4 packet */
	GSO_MAX6 = 65535 - 40 - 8,  /* conservative, as wireguard-go: never near a jumbogram */
};

/* One mmsghdr: messages [first, first + count) to one endpoint, in iovecs
 * [iov0, iov0 + niov); gso > 0 when it carries several datagrams of that size. */
struct entry {
	int first, count, iov0, niov;
	uint16_t gso;
};

struct sender {
	struct wg_udp *u;
	struct wg_udp_msg *msgs;
	int fd, n, niov, err;
	struct mmsghdr mm[WG_UDP_BATCH];
	struct entry e[WG_UDP_BATCH];
	struct iovec iov[WG_UDP_BATCH];
	union wg_udp_ctrl ctrl[WG_UDP_BATCH];
};

static bool has_src(const struct wg_endpoint *ep)
{
	if (ep->addr.sa.sa_family == AF_INET)
		return ep->src.v4.s_addr != 0;
	return !IN6_IS_ADDR_UNSPECIFIED(&ep->src.v6);
}

static bool same_dest(const struct wg_endpoint *a, const struct wg_endpoint *b)
{
	if (!wg_endpoint_eq(a, b) || a->src_ifindex != b->src_ifindex)
		return false;
	if (a->addr.sa.sa_family == AF_INET)
		return a->src.v4.s_addr == b->src.v4.s_addr;
	return !memcmp(&a->src.v6, &b->src.v6, sizeof(a->src.v6));
}

static socklen_t name_len(const struct wg_endpoint *ep)
{
	return ep->addr.sa.sa_family == AF_INET ? sizeof(ep->addr.sin) : sizeof(ep->addr.sin6);
}

static struct cmsghdr *put_cmsg(struct cmsghdr *c, int level, int type, const void *v, size_t len)
{
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), v, len);
	return (struct cmsghdr *)((char *)c + CMSG_SPACE(len));
}

/* The source address (the interface only for a link-local source: for any other it would
 * pin the route and defeat a routing change, which the kernel's WireGuard does not do),
 * and the segment size. Returns the bytes of control used. */
static size_t build_ctrl(union wg_udp_ctrl *c, const struct wg_endpoint *ep, uint16_t gso)
{
	struct cmsghdr *p = &c->align;
	memset(c, 0, sizeof(*c));
	if (has_src(ep) && ep->addr.sa.sa_family == AF_INET) {
		struct in_pktinfo pi = { .ipi_spec_dst = ep->src.v4 };
		p = put_cmsg(p, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
	} else if (has_src(ep)) {
		struct in6_pktinfo pi = { .ipi6_addr = ep->src.v6 };
		if (IN6_IS_ADDR_LINKLOCAL(&ep->src.v6))
			pi.ipi6_ifindex = (unsigned)ep->src_ifindex;
		p = put_cmsg(p, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
	}
	if (gso)
		p = put_cmsg(p, SOL_UDP, UDP_SEGMENT, &gso, sizeof(gso));
	return (size_t)((char *)p - c->buf);
}

static void note(struct sender *s, int err)
{
	if (!s->err)
		s->err = err;
}

static void clear_src(struct sender *s, const struct entry *e)
{
	for (int k = e->first; k < e->first + e->count; k++) {
		memset(&s->msgs[k].ep.src, 0, sizeof(s->msgs[k].ep.src));
		s->msgs[k].ep.src_ifindex = 0;
	}
}

/* Errors that a source address no longer on this host produces: IPv6 says EINVAL, IPv4
 * ENETUNREACH (no route from that address), a bound-but-removed address EADDRNOTAVAIL. */
static bool src_error(int err)
{
	return err == EINVAL || err == ENETUNREACH || err == EADDRNOTAVAIL;
}

/* One datagram with sendmsg; if the source address looks gone, forgets it and tries once
 * more without, as the kernel's WireGuard does when its cached source stops working. */
static int send_one(struct sender *s, const struct entry *e, void *base, size_t len)
{
	struct wg_endpoint *ep = &s->msgs[e->first].ep;
	for (;;) {
		union wg_udp_ctrl c;
		size_t cl = build_ctrl(&c, ep, 0);
		struct iovec iov = { base, len };
		struct msghdr mh = { .msg_name = &ep->addr, .msg_namelen = name_len(ep),
				     .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = cl ? c.buf : NULL, .msg_controllen = cl };
		if (sendmsg(s->fd, &mh, 0) >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (!src_error(errno) || !has_src(ep))
			return -errno;
		clear_src(s, e);
	}
}

/* An entry the batch call refused: datagram by datagram, without segmentation offload.
 * EIO means the route's device cannot checksum for GSO: stop using it for good. EINVAL
 * may also be a segment larger than the route's MTU, which plain sends fragment. */
static void send_slow(struct sender *s, const struct entry *e, int err)
{
	bool gso_fault = e->gso && (err == EIO || err == EINVAL);
	if (err == EIO && e->gso)
		__atomic_store_n(&s->u->gso, false, __ATOMIC_RELAXED);
	if (!gso_fault && !(src_error(err) && has_src(&s->msgs[e->first].ep))) {
		note(s, -err);
		return;
	}
	for (int k = e->iov0; k < e->iov0 + e->niov; k++) {
		struct wg_udp_msg m = { .buf = s->iov[k].iov_base, .len = s->iov[k].iov_len, .gso_size = e->gso };
		uint8_t *d;
		size_t off = 0;
		for (size_t l; (l = wg_udp_next(&m, &off, &d));) {
			int r = send_one(s, e, d, l);
			if (r) {
				note(s, r);
				return;
			}
		}
	}
}

static void flush(struct sender *s)
{
	for (int done = 0; done < s->n;) {
		int r = sendmmsg(s->fd, s->mm + done, (unsigned)(s->n - done), 0);
		if (r > 0) {
			done += r;
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else {
			send_slow(s, &s->e[done], r < 0 ? errno : EIO);
			done++;
		}
	}
	s->n = s->niov = 0;
}

/* The end of the run of messages from i that can leave as one GSO send. */
static int run_end(const struct wg_udp *u, const struct wg_udp_msg *m, int i, int n)
{
	if (!__atomic_load_n(&u->gso, __ATOMIC_RELAXED) || m[i].gso_size || m[i].len == 0)
		return i + 1;
	size_t seg = m[i].len, total = seg;
	size_t max = m[i].ep.addr.sa.sa_family == AF_INET ? GSO_MAX4 : GSO_MAX6;
	int j = i + 1;
	while (j < n && j - i < WG_UDP_GSO_SEGS && !m[j].gso_size && m[j].len &&
	       m[j].len <= seg && total + m[j].len <= max && same_dest(&m[i].ep, &m[j].ep)) {
		total += m[j].len;
		if (m[j++].len < seg)
			break; /* only the last datagram may be shorter */
	}
	return j;
}

static void add_entry(struct sender *s, int first, int count, const struct iovec *iov,
		      int niov, uint16_t gso)
{
	if (s->n == WG_UDP_BATCH || s->niov + niov > WG_UDP_BATCH)
		flush(s);
	int k = s->n++;
	struct wg_endpoint *ep = &s->msgs[first].ep;
	s->e[k] = (struct entry){ .first = first, .count = count, .iov0 = s->niov, .niov = niov, .gso = gso };
	memcpy(&s->iov[s->niov], iov, sizeof(*iov) * (size_t)niov);
	size_t cl = build_ctrl(&s->ctrl[k], ep, gso);
	s->mm[k].msg_hdr = (struct msghdr){
		.msg_name = &ep->addr, .msg_namelen = name_len(ep),
		.msg_iov = &s->iov[s->niov], .msg_iovlen = (size_t)niov,
		.msg_control = cl ? s->ctrl[k].buf : NULL, .msg_controllen = cl,
	};
	s->niov += niov;
}

/* A message the caller already filled with several datagrams, on a kernel without GSO:
 * one entry per datagram, pointing into the caller's buffer. */
static void add_slices(struct sender *s, int i)
{
	uint8_t *d;
	size_t off = 0;
	for (size_t l; (l = wg_udp_next(&s->msgs[i], &off, &d));)
		add_entry(s, i, 1, &(struct iovec){ d, l }, 1, 0);
}

static int add(struct sender *s, int i, int n)
{
	struct wg_udp_msg *m = &s->msgs[i];
	bool multi = m->gso_size && m->len > m->gso_size;
	if (multi && !__atomic_load_n(&s->u->gso, __ATOMIC_RELAXED)) {
		add_slices(s, i);
		return i + 1;
	}
	int j = run_end(s->u, s->msgs, i, n);
	struct iovec iov[WG_UDP_GSO_SEGS];
	for (int k = i; k < j; k++)
		iov[k - i] = (struct iovec){ s->msgs[k].buf, s->msgs[k].len };
	uint16_t gso = multi ? m->gso_size : j - i > 1 ? (uint16_t)m->len : 0;
	add_entry(s, i, j - i, iov, j - i, gso);
	return j;
}

static int fd_for(const struct wg_udp *u, const struct wg_endpoint *ep)
{
	if (ep->addr.sa.sa_family == AF_INET)
		return u->fd4;
	if (ep->addr.sa.sa_family == AF_INET6)
		return u->fd6;
	return -1;
}

int wg_udp_send_batch(struct wg_udp *u, struct wg_udp_msg *msgs, int n)
{
	struct sender s = { .u = u, .msgs = msgs, .fd = -1 };
	for (int i = 0; i < n;) {
		int fd = fd_for(u, &msgs[i].ep);
		if (fd < 0) {
			note(&s, msgs[i].ep.addr.sa.sa_family ? -EAFNOSUPPORT : -EDESTADDRREQ);
			i++;
			continue;
		}
		if (fd != s.fd) {
			flush(&s);
			s.fd = fd;
		}
		i = add(&s, i, n);
	}
	flush(&s);
	return s.err;
}
