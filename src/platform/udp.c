#include "platform/udp.h"
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
	SOCK_BUF = 7 << 20,    /* what took wireguard-go's retransmits from thousands to 0 */
	PORT_TRIES = 100,      /* port 0: attempts to find a port free for both families */
	GSO_MAX4 = 65535 - 20 - 8,
	GSO_MAX6 = 65535 - 40 - 8,
};

/* Room for packet info plus one UDP_SEGMENT or UDP_GRO value, per message. */
union ctrl {
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

/* ---- opening ---- */

static void set_buf(int fd, int force, int plain)
{
	int v = SOCK_BUF;
	/* FORCE ignores net.core.[rw]mem_max but needs CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, plain, &v, sizeof(v));
}

static int set_int(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v)) < 0 ? -errno : 0;
}

static int configure(int fd, int family, uint32_t mark, bool gro)
{
	int err = 0;
	if (family == AF_INET6)
		err = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF);
	set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF);
	if (!err)
		err = family == AF_INET ? set_int(fd, IPPROTO_IP, IP_PKTINFO, 1)
					: set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
	if (!err && mark)
		err = set_int(fd, SOL_SOCKET, SO_MARK, (int)mark);
	if (!err && gro)
		err = set_int(fd, SOL_UDP, UDP_GRO, 1);
	return err;
}

static int bind_port(int fd, int family, uint16_t port)
{
	struct wg_endpoint a = { 0 };
	socklen_t len = family == AF_INET ? sizeof(a.addr.sin) : sizeof(a.addr.sin6);
	a.addr.sa.sa_family = (sa_family_t)family;
	if (family == AF_INET)
		a.addr.sin.sin_port = htons(port);
	else
		a.addr.sin6.sin6_port = htons(port);
	return bind(fd, &a.addr.sa, len) < 0 ? -errno : 0;
}

static uint16_t bound_port(int fd)
{
	struct wg_endpoint a = { 0 };
	socklen_t len = sizeof(a.addr);
	if (getsockname(fd, &a.addr.sa, &len) < 0)
		return 0;
	return ntohs(a.addr.sa.sa_family == AF_INET ? a.addr.sin.sin_port : a.addr.sin6.sin6_port);
}

/* Returns the fd or -errno. */
static int open_sock(int family, uint16_t port, uint32_t mark, bool gro)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	int err = configure(fd, family, mark, gro);
	if (!err)
		err = bind_port(fd, family, port);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* UDP_SEGMENT is readable on kernels that can segment (4.18 and later). */
static bool probe_gso(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);
	return fd >= 0 && getsockopt(fd, SOL_UDP, UDP_SEGMENT, &v, &len) == 0;
}

/* One attempt at a pair. -EAGAIN: port 0 was asked and the kernel's pick for IPv4 was
 * taken for IPv6; try again with another pick. */
static int open_pair(struct wg_udp *u, uint16_t port, uint32_t mark, bool gro)
{
	int fd4 = open_sock(AF_INET, port, mark, gro);
	if (fd4 < 0 && fd4 != -EAFNOSUPPORT)
		return fd4;
	uint16_t p = fd4 >= 0 ? bound_port(fd4) : port;
	int fd6 = open_sock(AF_INET6, p, mark, gro);
	if (fd6 < 0 && fd6 != -EAFNOSUPPORT) {
		if (fd4 >= 0)
			close(fd4);
		return fd6 == -EADDRINUSE && port == 0 ? -EAGAIN : fd6;
	}
	if (fd4 < 0 && fd6 < 0)
		return -EAFNOSUPPORT;
	*u = (struct wg_udp){ .fd4 = fd4, .fd6 = fd6, .fwmark = mark, .gro = gro,
			      .port = fd4 >= 0 ? p : bound_port(fd6) };
	u->gso = probe_gso(fd4 >= 0 ? fd4 : fd6);
	return 0;
}

static int open_with(struct wg_udp *u, uint16_t port, uint32_t mark, bool gro)
{
	int err = -EADDRINUSE;
	for (int i = 0; i < PORT_TRIES; i++) {
		err = open_pair(u, port, mark, gro);
		if (err != -EAGAIN)
			return err;
	}
	return -EADDRINUSE;
}

int wg_udp_open(struct wg_udp *u, uint16_t port, uint32_t fwmark)
{
	u->fd4 = u->fd6 = -1;
	return open_with(u, port, fwmark, false);
}

void wg_udp_close(struct wg_udp *u)
{
	if (u->fd4 >= 0)
		close(u->fd4);
	if (u->fd6 >= 0)
		close(u->fd6);
	u->fd4 = u->fd6 = -1;
}

int wg_udp_rebind(struct wg_udp *u, uint16_t port)
{
	struct wg_udp n = { .fd4 = -1, .fd6 = -1 };
	if (port && port == u->port) {
		wg_udp_close(u);
		return open_with(u, port, u->fwmark, u->gro);
	}
	int err = open_with(&n, port, u->fwmark, u->gro);
	if (err)
		return err;
	wg_udp_close(u);
	*u = n;
	return 0;
}

uint16_t wg_udp_port(const struct wg_udp *u)
{
	return u->port;
}

static int set_both(struct wg_udp *u, int level, int name, int v)
{
	int err = 0;
	if (u->fd4 >= 0)
		err = set_int(u->fd4, level, name, v);
	if (!err && u->fd6 >= 0)
		err = set_int(u->fd6, level, name, v);
	return err;
}

int wg_udp_set_mark(struct wg_udp *u, uint32_t mark)
{
	int err = set_both(u, SOL_SOCKET, SO_MARK, (int)mark);
	if (!err)
		u->fwmark = mark;
	return err;
}

int wg_udp_set_gro(struct wg_udp *u, bool on)
{
	int err = set_both(u, SOL_UDP, UDP_GRO, on);
	if (!err)
		u->gro = on;
	return err;
}

void wg_udp_shutdown(struct wg_udp *u)
{
	/* On an unconnected socket this "fails" with ENOTCONN but still wakes readers. */
	if (u->fd4 >= 0)
		shutdown(u->fd4, SHUT_RD);
	if (u->fd6 >= 0)
		shutdown(u->fd6, SHUT_RD);
}

/* ---- receiving ---- */

static void parse_ctrl(struct msghdr *mh, struct wg_udp_msg *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			/* spec_dst: our address as routing sees it, also for broadcast. */
			m->ep.src.v4 = pi.ipi_spec_dst;
			m->ep.src_ifindex = pi.ipi_ifindex;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			m->ep.src.v6 = pi.ipi6_addr;
			m->ep.src_ifindex = (int)pi.ipi6_ifindex;
		} else if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
			int g;
			memcpy(&g, CMSG_DATA(c), sizeof(g));
			m->gso_size = (uint16_t)g;
		}
	}
}

static void finish_recv(struct mmsghdr *mm, struct wg_udp_msg *m)
{
	memset(&m->ep.src, 0, sizeof(m->ep.src));
	m->ep.src_ifindex = 0;
	m->gso_size = 0;
	m->len = mm->msg_hdr.msg_flags & MSG_TRUNC ? 0 : mm->msg_len;
	parse_ctrl(&mm->msg_hdr, m);
	if (m->gso_size >= m->len)
		m->gso_size = 0; /* one datagram, however the kernel labels it */
}

int wg_udp_recv_batch(int fd, struct wg_udp_msg *msgs, int n)
{
	struct mmsghdr mm[WG_UDP_BATCH];
	struct iovec iov[WG_UDP_BATCH];
	union ctrl ctrl[WG_UDP_BATCH];
	if (n > WG_UDP_BATCH)
		n = WG_UDP_BATCH;
	for (int i = 0; i < n; i++) {
		iov[i] = (struct iovec){ msgs[i].buf, msgs[i].len };
		mm[i].msg_hdr = (struct msghdr){
			.msg_name = &msgs[i].ep.addr, .msg_namelen = sizeof(msgs[i].ep.addr),
			.msg_iov = &iov[i], .msg_iovlen = 1,
			.msg_control = ctrl[i].buf, .msg_controllen = sizeof(ctrl[i].buf),
		};
	}
	int r;
	do
		r = recvmmsg(fd, mm, (unsigned)n, MSG_WAITFORONE, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	for (int i = 0; i < r; i++) {
		/* After shutdown the kernel "receives" empty messages from nobody. */
		if (mm[i].msg_hdr.msg_namelen == 0)
			return i;
		finish_recv(&mm[i], &msgs[i]);
	}
	return r;
}

/* ---- sending ---- */

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
	union ctrl ctrl[WG_UDP_BATCH];
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
static size_t build_ctrl(union ctrl *c, const struct wg_endpoint *ep, uint16_t gso)
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
		union ctrl c;
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
			note(&s, -EAFNOSUPPORT);
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
