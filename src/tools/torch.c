/* See torch.h. The capture thread reads batches with recvmmsg, each packet cut to its
 * headers (MSG_TRUNC gives the whole length), and counts them under a mutex the taker
 * holds only to swap the table out. */
#include "tools/torch.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "tools/pkt.h"
#include "util/alloc.h"

enum { BATCH = 64, SNAP = 128, RCVBUF = 8 << 20, PAUSE_NS = 1000000 };

static bool in_net(const struct wg_torch_net *n, int family, const uint8_t *a)
{
	if (!n->family)
		return true;
	if (n->family != family)
		return false;
	unsigned full = n->len / 8, rest = n->len % 8;
	if (memcmp(n->addr, a, full))
		return false;
	return !rest || ((n->addr[full] ^ a[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static bool passes(const struct wg_torch_filter *f, const struct wg_torch_flow *k)
{
	if (f->eth && f->eth != k->eth)
		return false;
	if (f->ip_proto >= 0 && f->ip_proto != k->proto)
		return false;
	if (f->port >= 0 && f->port != k->sport && f->port != k->dport)
		return false;
	return in_net(&f->src, k->family, k->src) && in_net(&f->dst, k->family, k->dst);
}

/* The packet's key, seen from the interface: received packets swapped. */
static bool key_of(uint16_t eth, const uint8_t *p, size_t cap, bool tx, struct wg_torch_flow *k)
{
	struct wg_pkt h;
	memset(k, 0, sizeof(*k));
	k->eth = eth;
	if ((eth != ETH_P_IP && eth != ETH_P_IPV6) || wg_pkt_parse(p, cap, &h) < 0)
		return true; /* not IP: counted by its ethertype alone */
	k->family = h.family;
	k->proto = h.proto;
	memcpy(tx ? k->src : k->dst, h.src, 16);
	memcpy(tx ? k->dst : k->src, h.dst, 16);
	k->sport = tx ? h.sport : h.dport;
	k->dport = tx ? h.dport : h.sport;
	return true;
}

/* Only what the caller groups by stays in the key. */
static void group(const struct wg_torch_filter *f, struct wg_torch_flow *k)
{
	if (!(f->by & WG_TORCH_BY_SRC))
		memset(k->src, 0, 16);
	if (!(f->by & WG_TORCH_BY_DST))
		memset(k->dst, 0, 16);
	if (!(f->by & WG_TORCH_BY_PORT))
		k->sport = k->dport = 0;
	if (!(f->by & WG_TORCH_BY_PROTO))
		k->proto = 0;
	if (!(f->by & WG_TORCH_BY_ETH))
		k->eth = 0;
	if (!(f->by & (WG_TORCH_BY_SRC | WG_TORCH_BY_DST)))
		k->family = 0;
}

static bool same(const struct wg_torch_flow *a, const struct wg_torch_flow *b)
{
	return a->eth == b->eth && a->proto == b->proto && a->family == b->family && a->sport == b->sport &&
	       a->dport == b->dport && !memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16);
}

static struct wg_torch_flow *find_or_add(struct wg_torch_table *t, const struct wg_torch_flow *k)
{
	for (size_t i = t->n; i-- > 0;)
		if (same(&t->v[i], k))
			return &t->v[i];
	if (t->n >= WG_TORCH_MAX_FLOWS)
		return NULL; /* bounded: the totals still count it */
	if ((t->n & (t->n - 1)) == 0)
		t->v = xrealloc(t->v, (t->n ? t->n * 2 : 16) * sizeof(*t->v));
	t->v[t->n] = *k;
	return &t->v[t->n++];
}

static void add(struct wg_torch_flow *f, size_t len, bool tx)
{
	if (tx) {
		f->tx_bytes += len;
		f->tx_pkts++;
	} else {
		f->rx_bytes += len;
		f->rx_pkts++;
	}
}

void wg_torch_account(struct wg_torch_table *t, const struct wg_torch_filter *f, uint16_t eth, const uint8_t *p,
		      size_t cap, size_t len, bool tx)
{
	struct wg_torch_flow k;
	key_of(eth, p, cap, tx, &k);
	if (!passes(f, &k))
		return;
	add(&t->total, len, tx);
	if (!f->by)
		return;
	group(f, &k);
	struct wg_torch_flow *row = find_or_add(t, &k);
	if (row)
		add(row, len, tx);
}

void wg_torch_table_free(struct wg_torch_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static int by_rate(const void *a, const void *b)
{
	const struct wg_torch_flow *x = a, *y = b;
	uint64_t rx = x->tx_bytes + x->rx_bytes, ry = y->tx_bytes + y->rx_bytes;
	return rx < ry ? 1 : rx > ry ? -1 : 0;
}

void wg_torch_sort(struct wg_torch_table *t)
{
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), by_rate);
}

/* ---- the capture thread ---- */

struct wg_torch {
	int fd, stop_fd[2];
	struct wg_torch_filter f;
	pthread_t th;
	pthread_mutex_t lock;
	struct wg_torch_table cur;
};

/* One recvmmsg: how many packets it read. */
static int read_batch(struct wg_torch *w)
{
	static __thread uint8_t bufs[BATCH][SNAP];
	struct sockaddr_ll from[BATCH];
	struct iovec iov[BATCH];
	struct mmsghdr mm[BATCH];
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ bufs[i], SNAP };
		mm[i].msg_hdr = (struct msghdr){ .msg_name = &from[i], .msg_namelen = sizeof(from[i]), .msg_iov = &iov[i], .msg_iovlen = 1 };
	}
	int n = recvmmsg(w->fd, mm, BATCH, MSG_DONTWAIT | MSG_TRUNC, NULL);
	if (n <= 0)
		return 0;
	pthread_mutex_lock(&w->lock);
	for (int i = 0; i < n; i++) {
		size_t len = mm[i].msg_len, cap = len < SNAP ? len : SNAP;
		bool tx = from[i].sll_pkttype == PACKET_OUTGOING;
		wg_torch_account(&w->cur, &w->f, ntohs(from[i].sll_protocol), bufs[i], cap, len, tx);
	}
	pthread_mutex_unlock(&w->lock);
	return n;
}

static void *torch_main(void *arg)
{
	struct wg_torch *w = arg;
	struct pollfd p[2] = { { .fd = w->fd, .events = POLLIN }, { .fd = w->stop_fd[0], .events = POLLIN } };
	for (;;) {
		if (poll(p, 2, 1000) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		while (read_batch(w) == BATCH)
			;
		/* Let packets gather: a wake-up per packet would cost the flows measured more
		 * than the counting does (the socket holds far more than a millisecond). */
		nanosleep(&(struct timespec){ 0, PAUSE_NS }, NULL);
	}
	return NULL;
}

static int open_packet(const char *ifname, char *err, size_t errlen)
{
	unsigned idx = if_nametoindex(ifname);
	if (!idx) {
		snprintf(err, errlen, "no such interface (%s)", ifname);
		return -1;
	}
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
	if (fd < 0) {
		snprintf(err, errlen, "failure: cannot capture (%s)", strerror(errno));
		return -1;
	}
	int sz = RCVBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)idx };
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		snprintf(err, errlen, "failure: cannot capture on %s (%s)", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int wg_torch_start(struct wg_torch **out, const char *ifname, const struct wg_torch_filter *f, char *err, size_t errlen)
{
	int fd = open_packet(ifname, err, errlen);
	if (fd < 0)
		return -1;
	struct wg_torch *w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	w->f = *f;
	pthread_mutex_init(&w->lock, NULL);
	if (pipe2(w->stop_fd, O_CLOEXEC) < 0 || pthread_create(&w->th, NULL, torch_main, w)) {
		snprintf(err, errlen, "failure: cannot start capture");
		close(fd);
		free(w);
		return -1;
	}
	*out = w;
	return 0;
}

void wg_torch_take(struct wg_torch *w, struct wg_torch_table *t)
{
	wg_torch_table_free(t);
	pthread_mutex_lock(&w->lock);
	*t = w->cur;
	memset(&w->cur, 0, sizeof(w->cur));
	pthread_mutex_unlock(&w->lock);
}

void wg_torch_stop(struct wg_torch *w)
{
	if (!w)
		return;
	if (write(w->stop_fd[1], "x", 1) < 0) {
		/* the pipe is empty and open: cannot fail */
	}
	pthread_join(w->th, NULL);
	close(w->stop_fd[0]);
	close(w->stop_fd[1]);
	close(w->fd);
	wg_torch_table_free(&w->cur);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
