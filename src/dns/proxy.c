/* See proxy.h. Threads: the listener (polls the UDP socket, the TCP listening socket
 * and the stop eventfd) and short-lived detached helpers, counted under the lock so
 * that stopping can wait for the last one. Configuration is an immutable snapshot with
 * a reference count: a helper keeps the one its query started with, an update only
 * swaps the pointer. Stopping makes the eventfd readable for good; every poll of every
 * thread watches it, so no thread waits out a server's timeout. */
#include "dns/proxy.h"
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "dns/cache.h"
#include "dns/upstream.h"
#include "util/alloc.h"
#include "util/clock.h"

enum {
	MAX_HELPERS = 100,     /* RouterOS max-concurrent-queries */
	MAX_TCP = 20,          /* RouterOS max-concurrent-tcp-sessions */
	TCP_IDLE_MS = 10000,   /* a TCP client that sends nothing for this long is closed */
	UDP_BURST = 64,        /* datagrams read per wake-up before looking at TCP again */
	HELPER_STACK = 256 << 10,
};

struct conf {
	int refs;              /* under the proxy's lock */
	struct sockaddr_storage *servers;
	size_t nservers;
	struct wg_dns_static *statics;
	size_t nstatics;
	uint32_t max_ttl;
};

struct counters {
	atomic_uint_fast64_t queries, malformed, from_static, from_cache, forwarded, failed, dropped;
};

struct wg_dns_proxy {
	int udp, tcp, stop_fd;
	pthread_t listener;
	pthread_mutex_t mu;
	pthread_cond_t idle;        /* a helper ended */
	unsigned helpers, tcp_helpers;
	struct conf *conf;
	struct wg_dns_cache *cache;
	size_t cache_bytes;
	struct counters n;
};

/* Where a UDP reply goes, and the control message that makes it leave from the address
 * the query came to: with a socket bound to every address the kernel would pick the
 * source by route, and a client that asked another of the router's addresses would
 * drop the answer. */
struct udp_client {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	union { char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))]; struct cmsghdr align; } ctrl;
	size_t ctrllen;
};

struct job {
	struct wg_dns_proxy *p;
	struct conf *conf;
	int fd;                     /* TCP: the connection; UDP: -1 */
	struct udp_client client;
	struct wg_dns_question q;
	size_t qlen;
	uint8_t query[WG_DNS_UDP_MAX];
};

#define COUNT(p, field) atomic_fetch_add(&(p)->n.field, 1)

/* ---- configuration snapshots ---- */

static struct conf *conf_new(const struct wg_dns_proxy_conf *c)
{
	struct conf *k = xcalloc(1, sizeof(*k));
	k->refs = 1;
	k->nservers = c->nservers;
	k->servers = xcalloc(c->nservers + 1, sizeof(*k->servers));
	if (c->nservers)
		memcpy(k->servers, c->servers, c->nservers * sizeof(*k->servers));
	k->nstatics = c->nstatics;
	k->statics = xcalloc(c->nstatics + 1, sizeof(*k->statics));
	if (c->nstatics)
		memcpy(k->statics, c->statics, c->nstatics * sizeof(*k->statics));
	k->max_ttl = c->max_ttl;
	return k;
}

/* Both under the lock. */
static struct conf *conf_ref(struct conf *k)
{
	k->refs++;
	return k;
}

static void conf_unref(struct conf *k)
{
	if (k && !--k->refs) {
		free(k->servers);
		free(k->statics);
		free(k);
	}
}

static struct conf *conf_get(struct wg_dns_proxy *p)
{
	pthread_mutex_lock(&p->mu);
	struct conf *k = conf_ref(p->conf);
	pthread_mutex_unlock(&p->mu);
	return k;
}

static void conf_put(struct wg_dns_proxy *p, struct conf *k)
{
	pthread_mutex_lock(&p->mu);
	conf_unref(k);
	pthread_mutex_unlock(&p->mu);
}

/* ---- answering ---- */

/* What can be answered without waiting: NOTIMP for other opcodes, statics, the cache.
 * The reply's length in out; 0: it has to go upstream; -1: malformed, dropped. */
static long answer_here(struct wg_dns_proxy *p, const struct conf *k, const uint8_t *in, size_t len,
			struct wg_dns_question *q, uint8_t *out)
{
	COUNT(p, queries);
	enum wg_dns_verdict v = wg_dns_question_parse(in, len, q);
	if (v == WG_DNS_MALFORMED) {
		COUNT(p, malformed);
		return -1;
	}
	if (v == WG_DNS_NOT_QUERY)
		return (long)wg_dns_reply_start(out, WG_DNS_MSG_MAX, in, q, WG_DNS_NOTIMP);
	size_t n = wg_dns_static_answer(k->statics, k->nstatics, in, q, out, WG_DNS_MSG_MAX);
	if (n) {
		COUNT(p, from_static);
		return (long)n;
	}
	pthread_mutex_lock(&p->mu);
	n = wg_dns_cache_get(p->cache, in, q, out, WG_DNS_MSG_MAX, wg_mono_ms());
	pthread_mutex_unlock(&p->mu);
	if (n)
		COUNT(p, from_cache);
	return (long)n;
}

/* Asks the servers (blocking: helpers only); a positive answer goes into the cache
 * unless the servers changed meanwhile. SERVFAIL when none answered. */
static size_t answer_upstream(struct wg_dns_proxy *p, struct conf *k, const uint8_t *in, size_t len,
			      const struct wg_dns_question *q, bool tcp, uint8_t *out)
{
	size_t n = wg_dns_forward(k->servers, k->nservers, in, len, q, tcp, out, WG_DNS_MSG_MAX, p->stop_fd);
	if (!n) {
		COUNT(p, failed);
		return wg_dns_reply_start(out, WG_DNS_MSG_MAX, in, q, WG_DNS_SERVFAIL);
	}
	COUNT(p, forwarded);
	pthread_mutex_lock(&p->mu);
	if (p->conf == k)
		wg_dns_cache_put(p->cache, q, out, n, k->max_ttl, wg_mono_ms());
	pthread_mutex_unlock(&p->mu);
	return n;
}

/* ---- UDP ---- */

static void put_ctrl(struct udp_client *c, int level, int type, const void *data, size_t len)
{
	struct cmsghdr *h = &c->ctrl.align;
	memset(&c->ctrl, 0, sizeof(c->ctrl));
	h->cmsg_level = level;
	h->cmsg_type = type;
	h->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(h), data, len);
	c->ctrllen = CMSG_SPACE(len);
}

/* The reply's source from the query's packet info (IPv4 arrives as IP_PKTINFO also on
 * the IPv6 socket; the interface is kept for IPv6, where link-local needs it). */
static void reply_source(struct msghdr *mh, struct udp_client *c)
{
	c->ctrllen = 0;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(mh); h; h = CMSG_NXTHDR(mh, h)) {
		if (h->cmsg_level == IPPROTO_IP && h->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo in, out = { 0 };
			memcpy(&in, CMSG_DATA(h), sizeof(in));
			out.ipi_spec_dst = in.ipi_addr;
			put_ctrl(c, IPPROTO_IP, IP_PKTINFO, &out, sizeof(out));
		} else if (h->cmsg_level == IPPROTO_IPV6 && h->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo in;
			memcpy(&in, CMSG_DATA(h), sizeof(in));
			put_ctrl(c, IPPROTO_IPV6, IPV6_PKTINFO, &in, sizeof(in));
		}
	}
}

/* One datagram; false when none is queued. A datagram larger than buf has len 0. */
static bool udp_receive(int fd, uint8_t *buf, size_t cap, size_t *len, struct udp_client *c)
{
	union { char buf[256]; struct cmsghdr align; } ctrl;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = { .msg_name = &c->addr, .msg_namelen = sizeof(c->addr), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = ctrl.buf, .msg_controllen = sizeof(ctrl) };
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (n < 0)
		return false;
	c->addrlen = mh.msg_namelen;
	*len = mh.msg_flags & MSG_TRUNC ? 0 : (size_t)n;
	reply_source(&mh, c);
	return true;
}

static void udp_send(struct wg_dns_proxy *p, const struct udp_client *c, const uint8_t *msg, size_t len)
{
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_name = (void *)&c->addr, .msg_namelen = c->addrlen, .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = (void *)c->ctrl.buf, .msg_controllen = c->ctrllen };
	if (sendmsg(p->udp, &mh, MSG_DONTWAIT) < 0 && c->ctrllen) {
		mh.msg_control = NULL; /* the address is gone (or was a broadcast): any source */
		mh.msg_controllen = 0;
		sendmsg(p->udp, &mh, MSG_DONTWAIT);
	}
}

/* ---- helper threads ---- */

/* The connection is closed before the slot is given back: stopping returns once the
 * last helper has ended, and by then no socket of the proxy may hold its port (closed
 * after, a connection in CLOSE_WAIT kept the TCP port taken past the stop). */
static void job_end(struct job *j)
{
	struct wg_dns_proxy *p = j->p;
	bool tcp = j->fd >= 0;
	if (tcp)
		close(j->fd);
	pthread_mutex_lock(&p->mu);
	p->helpers--;
	p->tcp_helpers -= tcp;
	conf_unref(j->conf);
	pthread_cond_broadcast(&p->idle);
	pthread_mutex_unlock(&p->mu);
	free(j);
}

/* Starts fn(j) on a detached thread when one is free; otherwise frees j. */
static bool spawn(struct wg_dns_proxy *p, struct job *j, void *(*fn)(void *))
{
	bool tcp = j->fd >= 0;
	pthread_mutex_lock(&p->mu);
	bool ok = p->helpers < MAX_HELPERS && (!tcp || p->tcp_helpers < MAX_TCP);
	if (ok) {
		p->helpers++;
		p->tcp_helpers += tcp;
		j->conf = conf_ref(p->conf);
	}
	pthread_mutex_unlock(&p->mu);
	pthread_attr_t a;
	pthread_t th;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, HELPER_STACK);
	if (ok && pthread_create(&th, &a, fn, j) != 0) {
		job_end(j); /* gives the slot back and closes the connection */
		ok = false;
	} else if (!ok) {
		if (tcp)
			close(j->fd);
		free(j);
	}
	pthread_attr_destroy(&a);
	if (!ok)
		COUNT(p, dropped);
	return ok;
}

static void *udp_helper(void *arg)
{
	struct job *j = arg;
	uint8_t *out = xmalloc(WG_DNS_MSG_MAX);
	size_t n = answer_upstream(j->p, j->conf, j->query, j->qlen, &j->q, false, out);
	udp_send(j->p, &j->client, out, wg_dns_fit_udp(out, n, &j->q));
	free(out);
	job_end(j);
	return NULL;
}

/* Queries over one connection, answered in order, until the client closes it, goes
 * quiet, or sends something that is not a query. */
static void *tcp_helper(void *arg)
{
	struct job *j = arg;
	struct wg_dns_proxy *p = j->p;
	uint8_t *in = xmalloc(WG_DNS_MSG_MAX), *out = xmalloc(WG_DNS_MSG_MAX);
	for (;;) {
		struct wg_dns_question q;
		size_t len = wg_dns_tcp_recv(j->fd, in, WG_DNS_MSG_MAX, wg_mono_ms() + TCP_IDLE_MS, p->stop_fd);
		long n = len ? answer_here(p, j->conf, in, len, &q, out) : -1;
		if (n == 0)
			n = (long)answer_upstream(p, j->conf, in, len, &q, true, out);
		if (n <= 0 || !wg_dns_tcp_send(j->fd, out, (size_t)n, wg_mono_ms() + TCP_IDLE_MS, p->stop_fd))
			break;
	}
	free(in);
	free(out);
	job_end(j);
	return NULL;
}

/* ---- the listener ---- */

static void on_datagram(struct wg_dns_proxy *p, const uint8_t *in, size_t len, const struct udp_client *c,
			uint8_t *out)
{
	struct wg_dns_question q;
	struct conf *k = conf_get(p);
	long n = answer_here(p, k, in, len, &q, out);
	conf_put(p, k);
	if (n > 0) {
		udp_send(p, c, out, wg_dns_fit_udp(out, (size_t)n, &q));
	} else if (n == 0) {
		struct job *j = xmalloc(sizeof(*j));
		*j = (struct job){ .p = p, .fd = -1, .client = *c, .q = q, .qlen = len };
		memcpy(j->query, in, len); /* len <= WG_DNS_UDP_MAX: the receive buffer's size */
		spawn(p, j, udp_helper);
	}
}

static void read_datagrams(struct wg_dns_proxy *p, uint8_t *in, uint8_t *out)
{
	struct udp_client c;
	size_t len;
	for (int i = 0; i < UDP_BURST && udp_receive(p->udp, in, WG_DNS_UDP_MAX, &len, &c); i++)
		on_datagram(p, in, len, &c, out);
}

static void accept_connections(struct wg_dns_proxy *p)
{
	for (int fd; (fd = accept4(p->tcp, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
		struct job *j = xcalloc(1, sizeof(*j));
		j->p = p;
		j->fd = fd;
		spawn(p, j, tcp_helper);
	}
}

static void *listener_main(void *arg)
{
	struct wg_dns_proxy *p = arg;
	uint8_t *in = xmalloc(WG_DNS_UDP_MAX), *out = xmalloc(WG_DNS_MSG_MAX);
	struct pollfd pf[3] = { { .fd = p->udp, .events = POLLIN }, { .fd = p->tcp, .events = POLLIN },
				{ .fd = p->stop_fd, .events = POLLIN } };
	for (;;) {
		if (poll(pf, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[2].revents)
			break;
		if (pf[0].revents)
			read_datagrams(p, in, out);
		if (pf[1].revents)
			accept_connections(p);
	}
	free(in);
	free(out);
	return NULL;
}

/* ---- sockets ---- */

static int set_on(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

/* One socket of type on port of every address of family; the fd or -errno. */
static int bind_family(int family, int type, uint16_t port)
{
	int fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	bool v6 = family == AF_INET6;
	int rc = v6 ? set_on(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0) : 0;
	if (!rc && type == SOCK_DGRAM) /* packet info of both families: the reply's source */
		rc = set_on(fd, IPPROTO_IP, IP_PKTINFO, 1) | (v6 ? set_on(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) : 0);
	if (!rc && type == SOCK_STREAM) /* a restart must not wait for the last run's TIME_WAIT */
		rc = set_on(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (!rc)
		rc = v6 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6)) : bind(fd, (struct sockaddr *)&a4, sizeof(a4));
	if (!rc && type == SOCK_STREAM)
		rc = listen(fd, 64);
	if (rc) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* IPv6 with IPv4 mapped in; IPv4 alone where the host has no IPv6. */
static int bind_any(int type, uint16_t port)
{
	int fd = bind_family(AF_INET6, type, port);
	if (fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL)
		fd = bind_family(AF_INET, type, port);
	return fd;
}

/* ---- lifecycle ---- */

static void proxy_free(struct wg_dns_proxy *p)
{
	if (p->udp >= 0)
		close(p->udp);
	if (p->tcp >= 0)
		close(p->tcp);
	if (p->stop_fd >= 0)
		close(p->stop_fd);
	conf_unref(p->conf);
	wg_dns_cache_free(p->cache);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->idle);
	free(p);
}

struct wg_dns_proxy *wg_dns_proxy_start(const struct wg_dns_proxy_conf *c, int *err)
{
	struct wg_dns_proxy *p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->idle, NULL);
	p->conf = conf_new(c);
	p->cache = wg_dns_cache_new(c->cache_bytes);
	p->cache_bytes = c->cache_bytes;
	p->udp = p->tcp = -1;
	if ((p->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		*err = -errno;
	else if ((p->udp = bind_any(SOCK_DGRAM, c->port)) < 0)
		*err = p->udp;
	else if ((p->tcp = bind_any(SOCK_STREAM, c->port)) < 0)
		*err = p->tcp;
	else
		*err = -pthread_create(&p->listener, NULL, listener_main, p);
	if (!*err)
		return p;
	proxy_free(p);
	return NULL;
}

static bool same_servers(const struct conf *k, const struct wg_dns_proxy_conf *c)
{
	return k->nservers == c->nservers &&
	       (!c->nservers || !memcmp(k->servers, c->servers, c->nservers * sizeof(*c->servers)));
}

void wg_dns_proxy_update(struct wg_dns_proxy *p, const struct wg_dns_proxy_conf *c)
{
	struct conf *k = conf_new(c);
	pthread_mutex_lock(&p->mu);
	if (!same_servers(p->conf, c) || c->cache_bytes != p->cache_bytes) {
		wg_dns_cache_free(p->cache);
		p->cache = wg_dns_cache_new(c->cache_bytes);
		p->cache_bytes = c->cache_bytes;
	}
	conf_unref(p->conf);
	p->conf = k;
	pthread_mutex_unlock(&p->mu);
}

void wg_dns_proxy_stop(struct wg_dns_proxy *p)
{
	if (!p)
		return;
	uint64_t one = 1;
	if (write(p->stop_fd, &one, sizeof(one)) != sizeof(one))
		abort(); /* an eventfd write of 1 cannot fail; without it nothing would stop */
	pthread_join(p->listener, NULL);
	pthread_mutex_lock(&p->mu);
	while (p->helpers)
		pthread_cond_wait(&p->idle, &p->mu);
	pthread_mutex_unlock(&p->mu);
	proxy_free(p);
}

void wg_dns_proxy_stats(struct wg_dns_proxy *p, struct wg_dns_proxy_stats *out)
{
	*out = (struct wg_dns_proxy_stats){
		.queries = atomic_load(&p->n.queries), .malformed = atomic_load(&p->n.malformed),
		.from_static = atomic_load(&p->n.from_static), .from_cache = atomic_load(&p->n.from_cache),
		.forwarded = atomic_load(&p->n.forwarded), .failed = atomic_load(&p->n.failed),
		.dropped = atomic_load(&p->n.dropped),
	};
	pthread_mutex_lock(&p->mu);
	out->cache_used = wg_dns_cache_used(p->cache);
	pthread_mutex_unlock(&p->mu);
}
