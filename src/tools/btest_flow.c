/* See btest_flow.h. One sender and one receiver thread per TCP connection (the receiver
 * also notices the end of the test: the peer closing); on UDP a sender and a receiver
 * on the one socket. Sending is paced by time: after n bits, the next send waits until
 * n / rate seconds from the start, so a rate holds on average without a token bucket's
 * bursts; a rate change starts a new pacing period. */
#include "tools/btest_flow.h"
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "crypto/crypto.h"
#include "util/alloc.h"

enum { TCP_CHUNK = 65536, RX_BUF = 131072, MAX_THREADS = 2 * WG_BT_CONN_MAX, TIMEOUT_MS = 200 };

struct worker {
	struct wg_bt_flow *f;
	int fd;
	pthread_t th;
	bool started;
};

struct wg_bt_flow {
	struct wg_bt_flow_cfg cfg;
	int stop;                      /* atomic */
	uint32_t rate;                 /* atomic: bit/s for the whole test, 0 = unlimited */
	uint32_t rate_gen;             /* atomic: bumped when rate changes */
	uint64_t tx, rx, lost;         /* atomic */
	int broken;                    /* atomic */
	uint8_t *payload;              /* what senders send (zeros or random), TCP_CHUNK */
	struct worker w[MAX_THREADS];
	size_t nw;
	pthread_mutex_t loss_lock;     /* the UDP receiver's sequence state */
	struct wg_bt_loss loss;
};

uint64_t wg_bt_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void wg_bt_sock_timeouts(int fd, unsigned ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int wg_bt_read_full(int fd, void *buf, size_t n, unsigned ms)
{
	size_t got = 0;
	uint64_t end = wg_bt_now_ns() + (uint64_t)ms * 1000000ull;
	while (got < n) {
		uint64_t now = wg_bt_now_ns();
		if (now >= end)
			return -1;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, (int)((end - now) / 1000000ull) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		ssize_t k = recv(fd, (char *)buf + got, n - got, MSG_DONTWAIT);
		if (k < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

int wg_bt_write_full(int fd, const void *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t k = send(fd, (const char *)buf + done, n - done, MSG_NOSIGNAL);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			return -1;
		done += (size_t)k;
	}
	return 0;
}

static bool stopped(struct wg_bt_flow *f)
{
	return __atomic_load_n(&f->stop, __ATOMIC_ACQUIRE) != 0;
}

/* ---- pacing ---- */

struct pacer { uint64_t start_ns, bits; uint32_t gen; };

/* Sleeps until the bits sent so far are due at this sender's share of the rate. */
static void pace(struct wg_bt_flow *f, struct pacer *p, size_t bytes, size_t share)
{
	uint32_t rate = __atomic_load_n(&f->rate, __ATOMIC_ACQUIRE);
	uint32_t gen = __atomic_load_n(&f->rate_gen, __ATOMIC_ACQUIRE);
	if (gen != p->gen || !p->start_ns) {
		p->gen = gen;
		p->start_ns = wg_bt_now_ns();
		p->bits = 0;
	}
	if (!rate)
		return;
	p->bits += (uint64_t)bytes * 8;
	uint64_t due = p->start_ns + p->bits * 1000000000ull * share / rate;
	while (!stopped(f)) {
		uint64_t now = wg_bt_now_ns();
		if (now >= due)
			return;
		uint64_t wait = due - now > 100000000ull ? 100000000ull : due - now;
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)wait };
		nanosleep(&ts, NULL);
	}
}

/* ---- TCP ---- */

static void *tcp_sender(void *arg)
{
	struct worker *w = arg;
	struct wg_bt_flow *f = w->f;
	struct pacer p = { 0 };
	while (!stopped(f)) {
		ssize_t k = send(w->fd, f->payload, TCP_CHUNK, MSG_NOSIGNAL);
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			continue;
		if (k <= 0) {
			__atomic_store_n(&f->broken, 1, __ATOMIC_RELEASE);
			break;
		}
		__atomic_add_fetch(&f->tx, (uint64_t)k, __ATOMIC_RELAXED);
		pace(f, &p, (size_t)k, f->cfg.nfds);
	}
	return NULL;
}

static void *tcp_receiver(void *arg)
{
	struct worker *w = arg;
	struct wg_bt_flow *f = w->f;
	uint8_t *buf = xmalloc(RX_BUF);
	while (!stopped(f)) {
		ssize_t k = recv(w->fd, buf, RX_BUF, 0);
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			continue;
		if (k <= 0) {
			__atomic_store_n(&f->broken, 1, __ATOMIC_RELEASE);
			break;
		}
		if (f->cfg.recv)
			__atomic_add_fetch(&f->rx, (uint64_t)k, __ATOMIC_RELAXED);
	}
	free(buf);
	return NULL;
}

/* ---- UDP ---- */

static void *udp_sender(void *arg)
{
	struct worker *w = arg;
	struct wg_bt_flow *f = w->f;
	struct pacer p = { 0 };
	size_t len = f->cfg.udp_size - WG_BT_UDP_OVERHEAD;
	uint8_t *buf = xmalloc(len);
	memcpy(buf, f->payload, len);
	for (uint32_t seq = 1; !stopped(f); seq++) {
		wg_bt_seq_put(buf, seq);
		ssize_t k = send(w->fd, buf, len, MSG_NOSIGNAL);
		if (k > 0)
			__atomic_add_fetch(&f->tx, (uint64_t)k + WG_BT_UDP_OVERHEAD, __ATOMIC_RELAXED);
		/* a full queue or the peer's port not open yet (ICMP): try on, as btest does */
		pace(f, &p, len + WG_BT_UDP_OVERHEAD, 1);
	}
	free(buf);
	return NULL;
}

static void *udp_receiver(void *arg)
{
	struct worker *w = arg;
	struct wg_bt_flow *f = w->f;
	uint8_t *buf = xmalloc(RX_BUF);
	while (!stopped(f)) {
		ssize_t k = recv(w->fd, buf, RX_BUF, 0);
		if (k < 4)
			continue; /* timeout, ICMP error, or the empty datagram that opens a NAT */
		__atomic_add_fetch(&f->rx, (uint64_t)k + WG_BT_UDP_OVERHEAD, __ATOMIC_RELAXED);
		pthread_mutex_lock(&f->loss_lock);
		wg_bt_loss_update(&f->loss, buf, (size_t)k);
		__atomic_store_n(&f->lost, f->loss.lost, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&f->loss_lock);
	}
	free(buf);
	return NULL;
}

/* ---- start and stop ---- */

static void spawn(struct wg_bt_flow *f, int fd, void *(*fn)(void *))
{
	struct worker *w = &f->w[f->nw++];
	w->f = f;
	w->fd = fd;
	w->started = pthread_create(&w->th, NULL, fn, w) == 0;
	if (!w->started)
		__atomic_store_n(&f->broken, 1, __ATOMIC_RELEASE);
}

struct wg_bt_flow *wg_bt_flow_start(const struct wg_bt_flow_cfg *cfg)
{
	struct wg_bt_flow *f = xcalloc(1, sizeof(*f));
	f->cfg = *cfg;
	f->cfg.nfds = cfg->nfds > WG_BT_CONN_MAX ? WG_BT_CONN_MAX : cfg->nfds;
	f->rate = cfg->rate;
	f->payload = xcalloc(1, TCP_CHUNK);
	if (cfg->random)
		wg_os_random(f->payload, TCP_CHUNK);
	pthread_mutex_init(&f->loss_lock, NULL);
	for (size_t i = 0; i < f->cfg.nfds; i++) {
		wg_bt_sock_timeouts(cfg->fds[i], TIMEOUT_MS);
		if (cfg->proto == WG_BT_TCP) {
			if (cfg->send)
				spawn(f, cfg->fds[i], tcp_sender);
			spawn(f, cfg->fds[i], tcp_receiver);
		} else {
			if (cfg->send)
				spawn(f, cfg->fds[i], udp_sender);
			if (cfg->recv)
				spawn(f, cfg->fds[i], udp_receiver);
			break; /* one socket */
		}
	}
	return f;
}

void wg_bt_flow_counts(struct wg_bt_flow *f, struct wg_bt_counts *out)
{
	out->tx = __atomic_load_n(&f->tx, __ATOMIC_RELAXED);
	out->rx = __atomic_load_n(&f->rx, __ATOMIC_RELAXED);
	out->lost = __atomic_load_n(&f->lost, __ATOMIC_RELAXED);
	out->broken = __atomic_load_n(&f->broken, __ATOMIC_ACQUIRE) != 0;
}

void wg_bt_flow_set_rate(struct wg_bt_flow *f, uint32_t rate)
{
	if (__atomic_exchange_n(&f->rate, rate, __ATOMIC_ACQ_REL) != rate)
		__atomic_add_fetch(&f->rate_gen, 1, __ATOMIC_ACQ_REL);
}

void wg_bt_flow_stop(struct wg_bt_flow *f)
{
	if (!f)
		return;
	__atomic_store_n(&f->stop, 1, __ATOMIC_RELEASE);
	for (size_t i = 0; i < f->nw; i++)
		if (f->w[i].started)
			pthread_join(f->w[i].th, NULL);
	pthread_mutex_destroy(&f->loss_lock);
	free(f->payload);
	free(f);
}
