/* See btest_client.h. The client's thread connects, speaks the control exchange, starts
 * the data path and then, on UDP, exchanges a status message with the server every
 * second: the server's says how much of what we sent arrived (our tx), ours how much
 * arrived here. With no local-tx-speed the UDP sender follows what got through, with
 * half again of room, as RouterOS does, instead of flooding the path. */
#include "tools/btest_client.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tools/btest_flow.h"
#include "util/alloc.h"

enum { CONNECT_MS = 5000, REPLY_MS = 10000, MIN_RATE = 1000000 };

struct wg_bt_client {
	struct wg_bt_client_cfg cfg;
	pthread_t th;
	pthread_mutex_t lock;           /* st and the fds below */
	struct wg_bt_client_stats st;
	int stop;                       /* atomic */
	int fds[WG_BT_CONN_MAX];
	size_t nfds;
	int udp;
	struct wg_bt_flow *flow;
	uint64_t peer_rx;               /* UDP: the server's status sum */
};

static bool stopping(struct wg_bt_client *c)
{
	return __atomic_load_n(&c->stop, __ATOMIC_ACQUIRE) != 0;
}

static int fail(struct wg_bt_client *c, enum wg_bt_state s, const char *fmt, const char *arg)
{
	pthread_mutex_lock(&c->lock);
	if (c->st.state == WG_BT_CONNECTING || c->st.state == WG_BT_RUNNING) {
		c->st.state = s;
		snprintf(c->st.err, sizeof(c->st.err), fmt, arg ? arg : "");
	}
	pthread_mutex_unlock(&c->lock);
	return -1;
}

/* Connects within CONNECT_MS, looking at the stop flag meanwhile. */
static int dial(struct wg_bt_client *c)
{
	int fd = socket(c->cfg.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&c->cfg.addr, c->cfg.addrlen) < 0 && errno != EINPROGRESS)
		goto bad;
	for (int waited = 0; waited < CONNECT_MS && !stopping(c); waited += 100) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		if (poll(&p, 1, 100) == 1) {
			int err = 0;
			socklen_t len = sizeof(err);
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
			if (err) {
				errno = err;
				goto bad;
			}
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
			int one = 1, ms = 10000;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms));
			return fd;
		}
	}
	errno = ETIMEDOUT;
bad:;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* The MD5 login: 16 bytes of challenge, our 48, the server's word. */
static int login(struct wg_bt_client *c, int fd, uint16_t *token)
{
	uint8_t ch[WG_BT_CHALLENGE_LEN], reply[WG_BT_AUTH_LEN], w[WG_BT_WORD_LEN];
	if (wg_bt_read_full(fd, ch, sizeof(ch), REPLY_MS) < 0)
		return fail(c, WG_BT_FAILED, "failure: no challenge from the server", NULL);
	if (wg_bt_auth_encode(c->cfg.user, c->cfg.password, ch, reply) < 0)
		return fail(c, WG_BT_FAILED, "failure: user name too long", NULL);
	if (wg_bt_write_full(fd, reply, sizeof(reply)) < 0 || wg_bt_read_full(fd, w, sizeof(w), REPLY_MS) < 0)
		return fail(c, WG_BT_FAILED, "failure: the server closed the connection", NULL);
	if (wg_bt_word_decode(w, token) != WG_BT_W_OK)
		return fail(c, WG_BT_AUTH_FAILED, "authentication failed", NULL);
	return 0;
}

/* Hello, the command, and the server's answer (a login first when it asks). */
static int handshake(struct wg_bt_client *c, int fd, uint16_t *token)
{
	uint8_t w[WG_BT_WORD_LEN], cmd[WG_BT_CMD_LEN];
	uint16_t t;
	if (wg_bt_read_full(fd, w, sizeof(w), REPLY_MS) < 0 || wg_bt_word_decode(w, &t) != WG_BT_W_OK)
		return fail(c, WG_BT_FAILED, "failure: no bandwidth-test server there", NULL);
	wg_bt_cmd_encode(&c->cfg.cmd, cmd);
	if (wg_bt_write_full(fd, cmd, sizeof(cmd)) < 0 || wg_bt_read_full(fd, w, sizeof(w), REPLY_MS) < 0)
		return fail(c, WG_BT_FAILED, "failure: the server closed the connection", NULL);
	switch (wg_bt_word_decode(w, token)) {
	case WG_BT_W_OK:
		return 0;
	case WG_BT_W_MD5:
		return login(c, fd, token);
	case WG_BT_W_SRP:
		return fail(c, WG_BT_FAILED,
			    "failure: the server asks for EC-SRP5 login (RouterOS 6.43 and later), not implemented", NULL);
	case WG_BT_W_FAILED:
		return fail(c, WG_BT_AUTH_FAILED, "authentication failed", NULL);
	default:
		return fail(c, WG_BT_FAILED, "failure: unexpected answer from the server", NULL);
	}
}

/* An extra TCP connection presents the token the server gave the first one. */
static int join(struct wg_bt_client *c, uint16_t token)
{
	uint8_t w[WG_BT_WORD_LEN], msg[WG_BT_CMD_LEN];
	uint16_t t;
	int fd = dial(c);
	if (fd < 0)
		return -1;
	wg_bt_join_encode(token, msg);
	if (wg_bt_read_full(fd, w, sizeof(w), REPLY_MS) < 0 || wg_bt_write_full(fd, msg, sizeof(msg)) < 0 ||
	    wg_bt_read_full(fd, w, sizeof(w), REPLY_MS) < 0 || wg_bt_word_decode(w, &t) != WG_BT_W_OK) {
		close(fd);
		return -1;
	}
	return fd;
}

static void add_fd(struct wg_bt_client *c, int fd)
{
	pthread_mutex_lock(&c->lock);
	c->fds[c->nfds++] = fd;
	pthread_mutex_unlock(&c->lock);
}

static void running(struct wg_bt_client *c, struct wg_bt_flow *f)
{
	pthread_mutex_lock(&c->lock);
	c->flow = f;
	c->st.conns = (unsigned)c->nfds;
	if (c->st.state == WG_BT_CONNECTING)
		c->st.state = WG_BT_RUNNING;
	pthread_mutex_unlock(&c->lock);
}

static void run_tcp(struct wg_bt_client *c, uint16_t token)
{
	for (unsigned i = 1; i < c->cfg.cmd.conns && !stopping(c); i++) {
		int fd = join(c, token);
		if (fd < 0)
			break; /* the test runs on the connections it has, as RouterOS's does */
		add_fd(c, fd);
	}
	struct wg_bt_flow_cfg fc = { .proto = WG_BT_TCP, .fds = c->fds, .nfds = c->nfds,
				     .send = wg_bt_sends(&c->cfg.cmd, 0), .recv = wg_bt_receives(&c->cfg.cmd, 0),
				     .rate = c->cfg.cmd.local_tx, .random = c->cfg.cmd.random };
	running(c, wg_bt_flow_start(&fc));
	struct wg_bt_counts k;
	while (!stopping(c)) {
		wg_bt_flow_counts(c->flow, &k);
		if (k.broken) {
			fail(c, WG_BT_ENDED, "failure: the server ended the test", NULL);
			break;
		}
		usleep(100000);
	}
}

/* The UDP socket: bound to the server's port + 256, connected to the server's port. */
static int udp_socket(struct wg_bt_client *c, uint16_t port)
{
	struct sockaddr_storage local = { .ss_family = c->cfg.addr.ss_family }, peer = c->cfg.addr;
	uint16_t lp = htons((uint16_t)(port + WG_BT_UDP_CLIENT_OFFSET)), pp = htons(port);
	if (local.ss_family == AF_INET6) {
		((struct sockaddr_in6 *)&local)->sin6_port = lp;
		((struct sockaddr_in6 *)&peer)->sin6_port = pp;
	} else {
		((struct sockaddr_in *)&local)->sin_port = lp;
		((struct sockaddr_in *)&peer)->sin_port = pp;
	}
	int fd = socket(local.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int big = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (bind(fd, (struct sockaddr *)&local, c->cfg.addrlen) < 0 ||
	    connect(fd, (struct sockaddr *)&peer, c->cfg.addrlen) < 0) {
		close(fd);
		return -1;
	}
	(void)!send(fd, "", 0, 0); /* opens a NAT or stateful firewall for the server's data */
	return fd;
}

/* Once a second our status out, the server's in (its tx feedback and our tx figure). */
static void udp_status_loop(struct wg_bt_client *c, int ctl)
{
	uint64_t next = wg_bt_now_ns() + 1000000000ull, last_rx = 0;
	uint32_t seq = 0;
	struct wg_bt_counts k;
	while (!stopping(c)) {
		struct pollfd p = { .fd = ctl, .events = POLLIN };
		if (poll(&p, 1, 100) == 1) {
			uint8_t m[WG_BT_STATUS_LEN];
			struct wg_bt_status s;
			if (wg_bt_read_full(ctl, m, sizeof(m), 2000) < 0) {
				fail(c, WG_BT_ENDED, "failure: the server ended the test", NULL);
				return;
			}
			if (!wg_bt_status_decode(&s, m)) {
				__atomic_add_fetch(&c->peer_rx, s.bytes, __ATOMIC_RELAXED);
				if (!c->cfg.cmd.local_tx && wg_bt_sends(&c->cfg.cmd, 0) && s.bytes) {
					uint64_t r = (uint64_t)s.bytes * 12; /* bits, * 1.5 */
					wg_bt_flow_set_rate(c->flow, r > UINT32_MAX ? 0 : r < MIN_RATE ? MIN_RATE : (uint32_t)r);
				}
			}
		}
		if (wg_bt_now_ns() >= next) {
			uint8_t m[WG_BT_STATUS_LEN];
			wg_bt_flow_counts(c->flow, &k);
			struct wg_bt_status s = { .seq = ++seq, .bytes = (uint32_t)(k.rx - last_rx) };
			last_rx = k.rx;
			wg_bt_status_encode(&s, m);
			if (wg_bt_write_full(ctl, m, sizeof(m)) < 0) {
				fail(c, WG_BT_ENDED, "failure: the server ended the test", NULL);
				return;
			}
			next += 1000000000ull;
		}
	}
}

static void run_udp(struct wg_bt_client *c, int ctl)
{
	uint8_t pb[2];
	if (wg_bt_read_full(ctl, pb, sizeof(pb), REPLY_MS) < 0) {
		fail(c, WG_BT_FAILED, "failure: no UDP port from the server", NULL);
		return;
	}
	c->udp = udp_socket(c, wg_bt_port_decode(pb));
	if (c->udp < 0) {
		fail(c, WG_BT_FAILED, "failure: UDP socket: %s", strerror(errno));
		return;
	}
	struct wg_bt_flow_cfg fc = { .proto = WG_BT_UDP, .fds = &c->udp, .nfds = 1,
				     .send = wg_bt_sends(&c->cfg.cmd, 0), .recv = wg_bt_receives(&c->cfg.cmd, 0),
				     .rate = c->cfg.cmd.local_tx, .udp_size = c->cfg.local_udp_size,
				     .random = c->cfg.cmd.random };
	running(c, wg_bt_flow_start(&fc));
	wg_bt_sock_timeouts(ctl, 2000);
	udp_status_loop(c, ctl);
}

static void *client_main(void *arg)
{
	struct wg_bt_client *c = arg;
	uint16_t token = 0;
	int fd = dial(c);
	if (fd < 0) {
		fail(c, WG_BT_FAILED, "failure: could not connect: %s", strerror(errno));
		return NULL;
	}
	add_fd(c, fd);
	if (handshake(c, fd, &token) < 0)
		return NULL;
	if (c->cfg.cmd.proto == WG_BT_TCP)
		run_tcp(c, token);
	else
		run_udp(c, fd);
	return NULL;
}

struct wg_bt_client *wg_bt_client_start(const struct wg_bt_client_cfg *cfg)
{
	struct wg_bt_client *c = xcalloc(1, sizeof(*c));
	c->cfg = *cfg;
	c->udp = -1;
	if (!c->cfg.cmd.conns || c->cfg.cmd.proto != WG_BT_TCP)
		c->cfg.cmd.conns = 1;
	if (c->cfg.cmd.conns > WG_BT_CONN_MAX)
		c->cfg.cmd.conns = WG_BT_CONN_MAX;
	if (!((struct sockaddr_in *)&c->cfg.addr)->sin_port) /* same offset in sockaddr_in6 */
		((struct sockaddr_in *)&c->cfg.addr)->sin_port = htons(WG_BT_PORT);
	pthread_mutex_init(&c->lock, NULL);
	if (pthread_create(&c->th, NULL, client_main, c) != 0) {
		c->st.state = WG_BT_FAILED;
		snprintf(c->st.err, sizeof(c->st.err), "failure: could not start a thread");
		c->stop = -1; /* nothing to join */
	}
	return c;
}

void wg_bt_client_stats(struct wg_bt_client *c, struct wg_bt_client_stats *out)
{
	struct wg_bt_counts k = { 0 };
	pthread_mutex_lock(&c->lock);
	*out = c->st;
	if (c->flow)
		wg_bt_flow_counts(c->flow, &k);
	pthread_mutex_unlock(&c->lock);
	out->rx = k.rx;
	out->lost = k.lost;
	out->tx = c->cfg.cmd.proto == WG_BT_UDP ? __atomic_load_n(&c->peer_rx, __ATOMIC_RELAXED) : k.tx;
}

void wg_bt_client_stop(struct wg_bt_client *c)
{
	if (!c)
		return;
	bool joinable = c->stop == 0;
	__atomic_store_n(&c->stop, 1, __ATOMIC_RELEASE);
	if (joinable)
		pthread_join(c->th, NULL);
	wg_bt_flow_stop(c->flow);
	for (size_t i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	if (c->udp >= 0)
		close(c->udp);
	pthread_mutex_destroy(&c->lock);
	explicit_bzero(c->cfg.password, sizeof(c->cfg.password));
	free(c);
}
