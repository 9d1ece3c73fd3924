/* See btest_server.h. An accept thread, and a thread per connection: it sends hello,
 * reads the 16 bytes that follow, and either joins an extra TCP connection to the test
 * whose token it presents (then its work is done: the test's own thread owns the
 * socket) or runs a test: the login, then the data path (btest_flow.h) and, on UDP, the
 * status messages, until the client closes the control connection. */
#include "tools/btest_server.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "crypto/crypto.h"
#include "tools/btest_flow.h"
#include "util/alloc.h"

enum { HELLO_MS = 10000, JOIN_MS = 5000, SECRET_MAX = 256, MIN_RATE = 1000000 };

struct session {
	struct wg_bt_server *srv;
	pthread_t th;
	int done;                       /* atomic: the thread has ended */
	int fd;                         /* the control connection (-1: handed to a test) */
	struct sockaddr_storage peer;
	socklen_t plen;
	char addr[64];
	/* Under srv->lock: a TCP test waiting for its extra connections, and the test. */
	uint16_t token;
	unsigned want;
	int extra[WG_BT_CONN_MAX];
	size_t nextra;
	int udp;
	bool testing;
	struct wg_bt_session_info info;
};

struct wg_bt_server {
	struct wg_bt_server_cfg cfg;
	int lfd;
	pthread_t th;
	int stop;                       /* atomic */
	pthread_mutex_t lock;           /* v, n, next_udp, the sessions' shared fields */
	struct session **v;
	size_t n;
	uint16_t next_udp;
};

static bool stopping(struct wg_bt_server *s)
{
	return __atomic_load_n(&s->stop, __ATOMIC_ACQUIRE) != 0;
}

static void logf_(struct wg_bt_server *s, const char *topics, const char *fmt, const char *a, const char *b)
{
	char msg[256];
	if (!s->cfg.log)
		return;
	snprintf(msg, sizeof(msg), fmt, a, b);
	s->cfg.log(s->cfg.ctx, topics, msg);
}

static void peer_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr_in6 *s6 = (const void *)ss;
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf, (socklen_t)len);
	else if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		inet_ntop(AF_INET, s6->sin6_addr.s6_addr + 12, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, &s6->sin6_addr, buf, (socklen_t)len);
}

/* ---- extra TCP connections ---- */

static bool join(struct session *me, uint16_t token)
{
	struct wg_bt_server *s = me->srv;
	bool ok = false;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n && !ok; i++) {
		struct session *t = s->v[i];
		if (t != me && t->token == token && t->nextra + 1 < t->want && !strcmp(t->addr, me->addr)) {
			t->extra[t->nextra++] = me->fd;
			ok = true;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return ok;
}

/* The token extra connections present: both bytes at least 2, so that it never reads
 * as a command's protocol byte (0 or 1). */
static uint16_t new_token(void)
{
	uint8_t b[2];
	wg_os_random(b, sizeof(b));
	return (uint16_t)((b[0] % 254 + 2) << 8 | (b[1] % 254 + 2));
}

static void wait_joins(struct session *me)
{
	for (int waited = 0; waited < JOIN_MS && !stopping(me->srv); waited += 20) {
		pthread_mutex_lock(&me->srv->lock);
		bool all = me->nextra + 1 >= me->want;
		pthread_mutex_unlock(&me->srv->lock);
		if (all)
			break;
		usleep(20000);
	}
	pthread_mutex_lock(&me->srv->lock);
	me->want = 0; /* late ones are refused */
	me->info.conns = (unsigned)me->nextra + 1;
	pthread_mutex_unlock(&me->srv->lock);
}

/* ---- the login ---- */

static bool authenticate(struct session *me, char *user)
{
	struct wg_bt_server *s = me->srv;
	uint8_t ch[WG_BT_CHALLENGE_LEN], w[WG_BT_WORD_LEN], reply[WG_BT_AUTH_LEN], digest[16];
	char secret[SECRET_MAX];
	wg_os_random(ch, sizeof(ch));
	wg_bt_word_encode(WG_BT_W_MD5, 0, w);
	if (wg_bt_write_full(me->fd, w, sizeof(w)) < 0 || wg_bt_write_full(me->fd, ch, sizeof(ch)) < 0 ||
	    wg_bt_read_full(me->fd, reply, sizeof(reply), HELLO_MS) < 0 || wg_bt_auth_decode(reply, user, digest) < 0)
		return false;
	bool known = s->cfg.secret && s->cfg.secret(s->cfg.ctx, user, me->addr, secret, sizeof(secret));
	bool ok = wg_bt_auth_verify(known ? secret : "", ch, digest) && known;
	explicit_bzero(secret, sizeof(secret));
	if (!ok) {
		wg_bt_word_encode(WG_BT_W_FAILED, 0, w);
		(void)!wg_bt_write_full(me->fd, w, sizeof(w));
		logf_(s, "btest,error", "bandwidth-test: login failure for user %s from %s", user, me->addr);
	}
	return ok;
}

/* ---- UDP ---- */

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
}

/* The next free port from allocate-udp-ports-from on, bound and connected to the
 * client's port (ours + 256). */
static int udp_socket(struct session *me, uint16_t *port)
{
	struct wg_bt_server *s = me->srv;
	int fd = socket(me->peer.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int big = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	pthread_mutex_lock(&s->lock);
	for (int tries = 0; tries < 1000; tries++) {
		uint16_t p = s->next_udp;
		s->next_udp = p >= 65535 - WG_BT_UDP_CLIENT_OFFSET ? s->cfg.udp_from : p + 1;
		struct sockaddr_storage local = { .ss_family = me->peer.ss_family };
		set_port(&local, p);
		if (!bind(fd, (struct sockaddr *)&local, me->plen)) {
			pthread_mutex_unlock(&s->lock);
			struct sockaddr_storage to = me->peer;
			set_port(&to, (uint16_t)(p + WG_BT_UDP_CLIENT_OFFSET));
			*port = p;
			if (!connect(fd, (struct sockaddr *)&to, me->plen))
				return fd;
			close(fd);
			return -1;
		}
	}
	pthread_mutex_unlock(&s->lock);
	close(fd);
	return -1;
}

static void udp_status_loop(struct session *me, struct wg_bt_flow *f, const struct wg_bt_cmd *cmd)
{
	uint64_t next = wg_bt_now_ns() + 1000000000ull, last_rx = 0;
	uint32_t seq = 0;
	struct wg_bt_counts k;
	while (!stopping(me->srv)) {
		struct pollfd p = { .fd = me->fd, .events = POLLIN };
		if (poll(&p, 1, 100) == 1) {
			uint8_t m[WG_BT_STATUS_LEN];
			struct wg_bt_status st;
			if (wg_bt_read_full(me->fd, m, sizeof(m), 2000) < 0)
				return; /* the client closed the test */
			if (!wg_bt_status_decode(&st, m) && !cmd->remote_tx && wg_bt_sends(cmd, 1) && st.bytes) {
				uint64_t r = (uint64_t)st.bytes * 12; /* bits, * 1.5 */
				wg_bt_flow_set_rate(f, r > UINT32_MAX ? 0 : r < MIN_RATE ? MIN_RATE : (uint32_t)r);
			}
		}
		if (wg_bt_now_ns() >= next) {
			uint8_t m[WG_BT_STATUS_LEN];
			wg_bt_flow_counts(f, &k);
			struct wg_bt_status st = { .seq = ++seq, .bytes = (uint32_t)(k.rx - last_rx) };
			last_rx = k.rx;
			wg_bt_status_encode(&st, m);
			if (wg_bt_write_full(me->fd, m, sizeof(m)) < 0)
				return;
			next += 1000000000ull;
		}
	}
}

static void run_udp(struct session *me, const struct wg_bt_cmd *cmd)
{
	uint16_t port;
	uint8_t pb[2];
	int fd = udp_socket(me, &port);
	if (fd < 0) {
		logf_(me->srv, "btest,error", "bandwidth-test: no free UDP port for %s%s", me->addr, "");
		return;
	}
	pthread_mutex_lock(&me->srv->lock);
	me->udp = fd;
	pthread_mutex_unlock(&me->srv->lock);
	wg_bt_port_encode(port, pb);
	if (wg_bt_write_full(me->fd, pb, sizeof(pb)) < 0)
		return;
	struct wg_bt_flow_cfg fc = { .proto = WG_BT_UDP, .fds = &fd, .nfds = 1, .send = wg_bt_sends(cmd, 1),
				     .recv = wg_bt_receives(cmd, 1), .rate = cmd->remote_tx,
				     .udp_size = cmd->udp_size, .random = cmd->random };
	struct wg_bt_flow *f = wg_bt_flow_start(&fc);
	wg_bt_sock_timeouts(me->fd, 2000);
	udp_status_loop(me, f, cmd);
	wg_bt_flow_stop(f);
}

/* ---- TCP ---- */

static void run_tcp(struct session *me, const struct wg_bt_cmd *cmd)
{
	int fds[WG_BT_CONN_MAX];
	size_t n = 0;
	if (me->want > 1)
		wait_joins(me);
	fds[n++] = me->fd;
	pthread_mutex_lock(&me->srv->lock);
	for (size_t i = 0; i < me->nextra; i++)
		fds[n++] = me->extra[i];
	pthread_mutex_unlock(&me->srv->lock);
	struct wg_bt_flow_cfg fc = { .proto = WG_BT_TCP, .fds = fds, .nfds = n, .send = wg_bt_sends(cmd, 1),
				     .recv = wg_bt_receives(cmd, 1), .rate = cmd->remote_tx, .random = cmd->random };
	struct wg_bt_flow *f = wg_bt_flow_start(&fc);
	struct wg_bt_counts k = { 0 };
	while (!stopping(me->srv) && !k.broken) {
		usleep(100000);
		wg_bt_flow_counts(f, &k);
	}
	wg_bt_flow_stop(f);
}

/* ---- one connection ---- */

static unsigned tests_running(struct wg_bt_server *s)
{
	unsigned n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->v[i]->testing;
	return n;
}

/* The command, the login and a test slot; false: the connection is closed. */
static bool admit(struct session *me, const uint8_t *msg, struct wg_bt_cmd *cmd)
{
	struct wg_bt_server *s = me->srv;
	char user[WG_BT_USER_MAX + 1] = "";
	uint8_t w[WG_BT_WORD_LEN];
	if (wg_bt_cmd_decode(cmd, msg) < 0)
		return false;
	if (s->cfg.authenticate && !authenticate(me, user))
		return false;
	pthread_mutex_lock(&s->lock);
	bool room = tests_running(s) < s->cfg.max_sessions;
	if (room) {
		me->testing = true;
		me->token = cmd->proto == WG_BT_TCP && cmd->conns > 1 ? new_token() : 0;
		me->want = me->token ? cmd->conns : 1;
		snprintf(me->info.remote, sizeof(me->info.remote), "%s", me->addr);
		snprintf(me->info.user, sizeof(me->info.user), "%s", user);
		me->info.proto = cmd->proto;
		me->info.dir = cmd->dir;
		me->info.conns = 1;
	}
	pthread_mutex_unlock(&s->lock);
	wg_bt_word_encode(room ? WG_BT_W_OK : WG_BT_W_FAILED, me->token, w);
	if (!room)
		logf_(s, "btest,error", "bandwidth-test: too many sessions, refused %s%s", me->addr, "");
	return wg_bt_write_full(me->fd, w, sizeof(w)) == 0 && room;
}

static void *session_main(void *arg)
{
	struct session *me = arg;
	uint8_t w[WG_BT_WORD_LEN], msg[WG_BT_CMD_LEN];
	struct wg_bt_cmd cmd;
	wg_bt_word_encode(WG_BT_W_OK, 0, w);
	if (wg_bt_write_full(me->fd, w, sizeof(w)) < 0 || wg_bt_read_full(me->fd, msg, sizeof(msg), HELLO_MS) < 0)
		goto out;
	if (msg[0] > 1 && join(me, wg_bt_join_token(msg))) {
		wg_bt_word_encode(WG_BT_W_OK, wg_bt_join_token(msg), w);
		(void)!wg_bt_write_full(me->fd, w, sizeof(w)); /* a failure shows in the test */
		pthread_mutex_lock(&me->srv->lock);
		me->fd = -1; /* the test's now */
		pthread_mutex_unlock(&me->srv->lock);
		goto out;
	}
	if (!admit(me, msg, &cmd))
		goto out;
	if (cmd.proto == WG_BT_TCP)
		run_tcp(me, &cmd);
	else
		run_udp(me, &cmd);
out:
	__atomic_store_n(&me->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void session_free(struct session *me)
{
	pthread_join(me->th, NULL);
	if (me->fd >= 0)
		close(me->fd);
	for (size_t i = 0; i < me->nextra; i++)
		close(me->extra[i]);
	if (me->udp >= 0)
		close(me->udp);
	free(me);
}

/* Joins the sessions whose threads ended (all of them when stopping). */
static void reap(struct wg_bt_server *s, bool all)
{
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n;) {
		struct session *me = s->v[i];
		if (!all && !__atomic_load_n(&me->done, __ATOMIC_ACQUIRE)) {
			i++;
			continue;
		}
		if (all) { /* wakes a thread blocked on its sockets */
			if (me->fd >= 0)
				shutdown(me->fd, SHUT_RDWR);
			for (size_t k = 0; k < me->nextra; k++)
				shutdown(me->extra[k], SHUT_RDWR);
		}
		s->v[i] = s->v[--s->n];
		pthread_mutex_unlock(&s->lock);
		session_free(me);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
}

static void accept_one(struct wg_bt_server *s)
{
	struct session *me = xcalloc(1, sizeof(*me));
	me->srv = s;
	me->udp = -1;
	me->plen = sizeof(me->peer);
	me->fd = accept4(s->lfd, (struct sockaddr *)&me->peer, &me->plen, SOCK_CLOEXEC);
	pthread_mutex_lock(&s->lock);
	/* every test may bring up to 20 connections, each a thread while it says hello */
	bool room = s->n < (size_t)s->cfg.max_sessions * WG_BT_CONN_MAX;
	pthread_mutex_unlock(&s->lock);
	if (me->fd < 0 || !room) {
		if (me->fd >= 0)
			close(me->fd);
		free(me);
		return;
	}
	int one = 1, ms = 10000;
	setsockopt(me->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(me->fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms));
	peer_text(&me->peer, me->addr, sizeof(me->addr));
	pthread_mutex_lock(&s->lock);
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = me;
	if (pthread_create(&me->th, NULL, session_main, me) != 0) {
		s->n--;
		close(me->fd);
		free(me);
	}
	pthread_mutex_unlock(&s->lock);
}

static void *accept_main(void *arg)
{
	struct wg_bt_server *s = arg;
	while (!stopping(s)) {
		struct pollfd p = { .fd = s->lfd, .events = POLLIN };
		if (poll(&p, 1, 200) == 1)
			accept_one(s);
		reap(s, false);
	}
	return NULL;
}

/* IPv6 with IPv4-mapped addresses where the host has IPv6, else IPv4. */
static int listen_on(uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, zero = 0;
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, (struct sockaddr *)&a6, sizeof(a6)) && !listen(fd, 64))
			return fd;
		if (errno == EADDRINUSE)
			goto bad;
		close(fd);
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto bad;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!bind(fd, (struct sockaddr *)&a4, sizeof(a4)) && !listen(fd, 64))
		return fd;
bad:
	snprintf(err, errlen, "port %u: %s", port, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

struct wg_bt_server *wg_bt_server_start(const struct wg_bt_server_cfg *cfg, char *err, size_t errlen)
{
	struct wg_bt_server *s = xcalloc(1, sizeof(*s));
	s->cfg = *cfg;
	if (!s->cfg.port)
		s->cfg.port = WG_BT_PORT;
	if (!s->cfg.udp_from || s->cfg.udp_from > 65535 - WG_BT_UDP_CLIENT_OFFSET)
		s->cfg.udp_from = WG_BT_PORT;
	s->next_udp = s->cfg.udp_from;
	pthread_mutex_init(&s->lock, NULL);
	s->lfd = listen_on(s->cfg.port, err, errlen);
	if (s->lfd >= 0 && pthread_create(&s->th, NULL, accept_main, s) == 0)
		return s;
	if (s->lfd >= 0) {
		snprintf(err, errlen, "could not start a thread");
		close(s->lfd);
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
	return NULL;
}

size_t wg_bt_server_sessions(struct wg_bt_server *s, struct wg_bt_session_info *out, size_t max)
{
	size_t n = 0;
	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n && n < max; i++)
		if (s->v[i]->testing && !__atomic_load_n(&s->v[i]->done, __ATOMIC_ACQUIRE))
			out[n++] = s->v[i]->info;
	pthread_mutex_unlock(&s->lock);
	return n;
}

void wg_bt_server_stop(struct wg_bt_server *s)
{
	if (!s)
		return;
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	pthread_join(s->th, NULL);
	close(s->lfd);
	reap(s, true);
	free(s->v);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
