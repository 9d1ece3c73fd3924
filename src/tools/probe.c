/* See probe.h. An echo carries a random identifier and the answer must come from the
 * host probed, so probes of several hosts (and traceroutes) on the same raw sockets'
 * traffic never take each other's replies. */
#include "tools/probe.h"
#include <errno.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include "tools/pkt.h"
#include "util/alloc.h"

struct wg_probe {
	enum wg_probe_type type;
	int fd, family;
	uint8_t addr[16];
	uint16_t ident;
	uint64_t deadline;
	enum wg_probe_result result;
};

static int send_echo(struct wg_probe *p)
{
	uint8_t m[16] = { p->family == AF_INET ? 8 : 128, 0, 0, 0, (uint8_t)(p->ident >> 8), (uint8_t)p->ident, 0, 1,
			  'n', 'e', 't', 'w', 'a', 't', 'c', 'h' };
	if (p->family == AF_INET) {
		uint16_t c = wg_inet_csum(m, sizeof(m));
		m[2] = (uint8_t)(c >> 8);
		m[3] = (uint8_t)c;
	}
	struct sockaddr_storage ss;
	socklen_t sl = wg_pkt_sockaddr(p->family, p->addr, 0, &ss);
	return sendto(p->fd, m, sizeof(m), 0, (struct sockaddr *)&ss, sl) < 0 ? -1 : 0;
}

static int open_probe(struct wg_probe *p, uint16_t port)
{
	int fam = p->family;
	if (p->type == WG_PROBE_ICMP) {
		p->fd = socket(fam, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, fam == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
		return p->fd < 0 ? -1 : send_echo(p);
	}
	p->fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (p->fd < 0)
		return -1;
	struct sockaddr_storage ss;
	socklen_t sl = wg_pkt_sockaddr(fam, p->addr, port, &ss);
	if (connect(p->fd, (struct sockaddr *)&ss, sl) == 0)
		p->result = WG_PROBE_UP;
	else if (errno != EINPROGRESS)
		return -1;
	return 0;
}

struct wg_probe *wg_probe_start(enum wg_probe_type type, int family, const uint8_t *addr, uint16_t port,
				uint64_t now_ms, uint64_t timeout_ms)
{
	struct wg_probe *p = xcalloc(1, sizeof(*p));
	p->type = type;
	p->family = family;
	p->fd = -1;
	memcpy(p->addr, addr, family == AF_INET6 ? 16 : 4);
	p->deadline = now_ms + timeout_ms;
	if (getrandom(&p->ident, sizeof(p->ident), 0) != sizeof(p->ident))
		p->ident = (uint16_t)(getpid() ^ (uintptr_t)p);
	if (open_probe(p, port) < 0)
		p->result = WG_PROBE_DOWN; /* no route, no socket: down now */
	return p;
}

int wg_probe_fd(const struct wg_probe *p) { return p->fd; }
short wg_probe_events(const struct wg_probe *p) { return p->type == WG_PROBE_TCP ? POLLOUT : POLLIN; }

/* An echo reply with our identifier from the host probed. */
static bool echo_answered(struct wg_probe *p)
{
	uint8_t buf[1500];
	struct sockaddr_storage ss;
	for (int i = 0; i < 64; i++) {
		socklen_t sl = sizeof(ss);
		ssize_t n = recvfrom(p->fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sl);
		if (n < 0)
			return false;
		struct wg_icmp_msg m;
		const uint8_t *from = ss.ss_family == AF_INET ? (const uint8_t *)&((struct sockaddr_in *)&ss)->sin_addr
							     : (const uint8_t *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
		if (wg_icmp_parse(p->family, buf, (size_t)n, &m) == 0 && m.kind == WG_ICMP_ECHO_REPLY && m.id == p->ident &&
		    !memcmp(from, p->addr, p->family == AF_INET6 ? 16 : 4))
			return true;
	}
	return false;
}

static enum wg_probe_result tcp_result(struct wg_probe *p)
{
	struct pollfd pf = { .fd = p->fd, .events = POLLOUT };
	if (poll(&pf, 1, 0) <= 0)
		return WG_PROBE_PENDING;
	int err = 0;
	socklen_t len = sizeof(err);
	getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	return err == 0 ? WG_PROBE_UP : WG_PROBE_DOWN;
}

enum wg_probe_result wg_probe_check(struct wg_probe *p, uint64_t now_ms)
{
	if (p->result != WG_PROBE_PENDING)
		return p->result;
	if (p->type == WG_PROBE_ICMP && echo_answered(p))
		p->result = WG_PROBE_UP;
	else if (p->type == WG_PROBE_TCP)
		p->result = tcp_result(p);
	if (p->result == WG_PROBE_PENDING && now_ms >= p->deadline)
		p->result = WG_PROBE_DOWN;
	return p->result;
}

void wg_probe_free(struct wg_probe *p)
{
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}
