/* The UDP bind, Linux: opening the IPv4/IPv6 socket pair, its options, and batched
 * receive with packet info and GRO. Sending is in udp_send.c. */
#include "platform/udp.h"
#include "platform/udp_ctrl.h"
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
	SOCK_BUF = 7 << 20,    /* what took wireguard-go's retransmits from thousands to 0 */
	PORT_TRIES = 100,      /* port 0: attempts to find a port free for both families */
};

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

/* What every socket of a set is opened with. */
struct sock_opts {
	uint32_t mark;
	bool gro;
	bool reuse; /* SO_REUSEPORT: one of several sockets of a set sharing the port */
};

static int configure(int fd, int family, const struct sock_opts *o)
{
	int err = 0;
	if (o->reuse)
		err = set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	if (!err && family == AF_INET6)
		err = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF);
	set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF);
	if (!err)
		err = family == AF_INET ? set_int(fd, IPPROTO_IP, IP_PKTINFO, 1)
					: set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
	if (!err && o->mark)
		err = set_int(fd, SOL_SOCKET, SO_MARK, (int)o->mark);
	if (!err && o->gro)
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
static int open_sock(int family, uint16_t port, const struct sock_opts *o)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	int err = configure(fd, family, o);
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
static int open_pair(struct wg_udp *u, uint16_t port, const struct sock_opts *o)
{
	int fd4 = open_sock(AF_INET, port, o);
	if (fd4 < 0 && fd4 != -EAFNOSUPPORT)
		return fd4;
	uint16_t p = fd4 >= 0 ? bound_port(fd4) : port;
	int fd6 = open_sock(AF_INET6, p, o);
	if (fd6 < 0 && fd6 != -EAFNOSUPPORT) {
		if (fd4 >= 0)
			close(fd4);
		return fd6 == -EADDRINUSE && port == 0 ? -EAGAIN : fd6;
	}
	if (fd4 < 0 && fd6 < 0)
		return -EAFNOSUPPORT;
	*u = (struct wg_udp){ .fd4 = fd4, .fd6 = fd6, .fwmark = o->mark, .gro = o->gro,
			      .port = fd4 >= 0 ? p : bound_port(fd6) };
	u->gso = probe_gso(fd4 >= 0 ? fd4 : fd6);
	return 0;
}

static int open_with(struct wg_udp *u, uint16_t port, const struct sock_opts *o)
{
	int err = -EADDRINUSE;
	for (int i = 0; i < PORT_TRIES; i++) {
		err = open_pair(u, port, o);
		if (err != -EAGAIN)
			return err;
	}
	return -EADDRINUSE;
}

int wg_udp_open(struct wg_udp *u, uint16_t port, uint32_t fwmark)
{
	u->fd4 = u->fd6 = -1;
	return open_with(u, port, &(struct sock_opts){ .mark = fwmark });
}

/* A port shared with SO_REUSEPORT would also be shared with any other socket of the same
 * user that asks for it: the port is first taken without the option, which fails if
 * anything holds it (and picks one free for both families when port is 0), then let go
 * and taken again shared. Another binder in between is a lost race: try again. */
int wg_udp_open_shared(struct wg_udp *u, uint16_t port, uint32_t fwmark)
{
	int err = -EADDRINUSE;
	u->fd4 = u->fd6 = -1;
	for (int i = 0; i < PORT_TRIES && err == -EADDRINUSE; i++) {
		struct wg_udp probe;
		err = open_with(&probe, port, &(struct sock_opts){ .mark = fwmark });
		if (err)
			return err;
		uint16_t p = probe.port;
		wg_udp_close(&probe);
		err = open_with(u, p, &(struct sock_opts){ .mark = fwmark, .reuse = true });
	}
	return err;
}

int wg_udp_join(struct wg_udp *u, const struct wg_udp *set)
{
	u->fd4 = u->fd6 = -1;
	int err = open_pair(u, set->port, &(struct sock_opts){ .mark = set->fwmark, .gro = set->gro, .reuse = true });
	if (!err && ((u->fd4 < 0) != (set->fd4 < 0) || (u->fd6 < 0) != (set->fd6 < 0))) {
		wg_udp_close(u);
		err = -EAFNOSUPPORT; /* a family the set has and this one not, or the reverse */
	}
	return err;
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
		return open_with(u, port, &(struct sock_opts){ .mark = u->fwmark, .gro = u->gro });
	}
	int err = open_with(&n, port, &(struct sock_opts){ .mark = u->fwmark, .gro = u->gro });
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
	union wg_udp_ctrl ctrl[WG_UDP_BATCH];
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
