/* See upstream.h. Sockets are non-blocking and every wait is a poll on the socket
 * and the stop fd with what is left of the deadline. */
#include "dns/upstream.h"
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include "crypto/crypto.h"
#include "util/clock.h"

/* Until fd is ready for events (or has an error for the next call to report); false on
 * timeout or stop. */
static bool wait_for(int fd, short events, uint64_t deadline, int stop_fd)
{
	for (;;) {
		uint64_t now = wg_mono_ms();
		if (now >= deadline)
			return false;
		struct pollfd p[2] = { { .fd = fd, .events = events }, { .fd = stop_fd, .events = POLLIN } };
		int n = poll(p, 2, (int)(deadline - now));
		if (n < 0 && errno == EINTR)
			continue;
		return n > 0 && !p[1].revents;
	}
}

static bool send_all(int fd, const uint8_t *p, size_t n, int flags, uint64_t deadline, int stop_fd)
{
	while (n) {
		ssize_t w = send(fd, p, n, flags | MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if ((w < 0 && errno != EAGAIN && errno != EINTR) || !wait_for(fd, POLLOUT, deadline, stop_fd)) {
			return false;
		}
	}
	return true;
}

static bool recv_all(int fd, uint8_t *p, size_t n, uint64_t deadline, int stop_fd)
{
	while (n) {
		ssize_t r = recv(fd, p, n, 0);
		if (r > 0) {
			p += r;
			n -= (size_t)r;
		} else if (!r || (errno != EAGAIN && errno != EINTR) || !wait_for(fd, POLLIN, deadline, stop_fd)) {
			return false;
		}
	}
	return true;
}

bool wg_dns_tcp_send(int fd, const uint8_t *msg, size_t len, uint64_t deadline_ms, int stop_fd)
{
	uint8_t h[2];
	wg_dns_put16(h, (unsigned)len);
	/* MSG_MORE: the length and the message leave in one segment */
	return len <= WG_DNS_MSG_MAX && send_all(fd, h, 2, MSG_MORE, deadline_ms, stop_fd) &&
	       send_all(fd, msg, len, 0, deadline_ms, stop_fd);
}

size_t wg_dns_tcp_recv(int fd, uint8_t *buf, size_t cap, uint64_t deadline_ms, int stop_fd)
{
	uint8_t h[2];
	if (!recv_all(fd, h, 2, deadline_ms, stop_fd))
		return 0;
	size_t n = wg_dns_get16(h);
	return n && n <= cap && recv_all(fd, buf, n, deadline_ms, stop_fd) ? n : 0;
}

/* A socket of the server's family connected to it (TCP: the connection under way). */
static int connect_to(const struct sockaddr_storage *server, int type)
{
	socklen_t len = server->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int fd = socket(server->ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && connect(fd, (const struct sockaddr *)server, len) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One query and its reply over a fresh socket: the query goes out of buf with a fresh
 * random id, the reply comes back into buf. */
struct exchange {
	int fd;
	unsigned id;
	const uint8_t *query;
	const struct wg_dns_question *q;
	uint8_t *buf;
	size_t qlen, cap;
	uint64_t deadline;
	int stop_fd;
};

static bool reply_to(const struct exchange *x, size_t n)
{
	return n >= WG_DNS_HDR && wg_dns_id(x->buf) == x->id && wg_dns_is_reply(x->buf) &&
	       wg_dns_same_question(x->buf, n, x->query, x->q->end);
}

static size_t over_udp(struct exchange *x)
{
	if (send(x->fd, x->buf, x->qlen, 0) != (ssize_t)x->qlen)
		return 0;
	while (wait_for(x->fd, POLLIN, x->deadline, x->stop_fd)) {
		ssize_t n = recv(x->fd, x->buf, x->cap, 0);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return 0; /* port unreachable: this server is not there */
		if (n > 0 && reply_to(x, (size_t)n))
			return (size_t)n;
	}
	return 0;
}

/* send waits for the connection: EAGAIN until it is up, its error if it fails. */
static size_t over_tcp(struct exchange *x)
{
	if (!wg_dns_tcp_send(x->fd, x->buf, x->qlen, x->deadline, x->stop_fd))
		return 0;
	size_t n = wg_dns_tcp_recv(x->fd, x->buf, x->cap, x->deadline, x->stop_fd);
	return reply_to(x, n) ? n : 0;
}

static size_t ask(int type, const struct sockaddr_storage *server, const uint8_t *query, size_t qlen,
		  const struct wg_dns_question *q, uint8_t *out, size_t cap, int timeout_ms, int stop_fd)
{
	struct exchange x = { .query = query, .q = q, .buf = out, .qlen = qlen, .cap = cap, .stop_fd = stop_fd,
			      .deadline = wg_mono_ms() + (uint64_t)timeout_ms };
	uint16_t id;
	if (qlen > cap || (x.fd = connect_to(server, type)) < 0)
		return 0;
	wg_os_random(&id, sizeof(id));
	x.id = id;
	memcpy(out, query, qlen);
	wg_dns_put16(out, id);
	size_t got = type == SOCK_DGRAM ? over_udp(&x) : over_tcp(&x);
	close(x.fd);
	if (got)
		wg_dns_put16(out, q->id); /* the client's id back */
	return got;
}

size_t wg_dns_ask_udp(const struct sockaddr_storage *server, const uint8_t *query, size_t qlen,
		      const struct wg_dns_question *q, uint8_t *out, size_t cap, int timeout_ms, int stop_fd)
{
	return ask(SOCK_DGRAM, server, query, qlen, q, out, cap, timeout_ms, stop_fd);
}

size_t wg_dns_ask_tcp(const struct sockaddr_storage *server, const uint8_t *query, size_t qlen,
		      const struct wg_dns_question *q, uint8_t *out, size_t cap, int timeout_ms, int stop_fd)
{
	return ask(SOCK_STREAM, server, query, qlen, q, out, cap, timeout_ms, stop_fd);
}

size_t wg_dns_forward(const struct sockaddr_storage *servers, size_t n, const uint8_t *query, size_t qlen,
		      const struct wg_dns_question *q, bool tcp, uint8_t *out, size_t cap, int stop_fd)
{
	for (size_t i = 0; i < n; i++) {
		size_t got = wg_dns_ask_udp(&servers[i], query, qlen, q, out, cap, WG_DNS_TRY_MS, stop_fd);
		if (got && tcp && wg_dns_truncated(out))
			got = wg_dns_ask_tcp(&servers[i], query, qlen, q, out, cap, WG_DNS_TRY_MS, stop_fd);
		if (got && wg_dns_rcode(out) != WG_DNS_SERVFAIL && wg_dns_rcode(out) != WG_DNS_REFUSED)
			return got;
	}
	return 0;
}
