/* The UDP bind over loopback only (127.0.0.1 and ::1): batches both ways, packet info,
 * sticky source and its fallback, segmentation offload with and without receive offload,
 * port handling. Runs as any user; the fwmark case checks for EPERM when not root. */
#include "test.h"
#include "platform/udp.h"
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

enum { N = 64, CAP = 2048 };

static uint8_t txb[WG_UDP_BATCH][CAP];
static uint8_t rxb[WG_UDP_BATCH][WG_UDP_GRO_BUF];
static struct wg_udp_msg tx[WG_UDP_BATCH], rx[WG_UDP_BATCH];

/* A receive that never blocks the test for more than a second. */
static void timeout(struct wg_udp *u)
{
	struct timeval tv = { 1, 0 };
	setsockopt(u->fd4, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(u->fd6, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static bool open_pair(struct wg_udp *a, struct wg_udp *b)
{
	int ea = wg_udp_open(a, 0, 0), eb = wg_udp_open(b, 0, 0);
	CHECK_EQ(ea, 0);
	CHECK_EQ(eb, 0);
	if (ea || eb)
		return false;
	timeout(a);
	timeout(b);
	return true;
}

static struct wg_endpoint to(int family, uint16_t port)
{
	struct wg_endpoint e = { 0 };
	if (family == AF_INET) {
		e.addr.sin.sin_family = AF_INET;
		e.addr.sin.sin_port = htons(port);
		e.addr.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		e.addr.sin6.sin6_family = AF_INET6;
		e.addr.sin6.sin6_port = htons(port);
		e.addr.sin6.sin6_addr = in6addr_loopback;
	}
	return e;
}

/* Datagram i: len bytes, each (i * 7 + k) & 0xff. */
static void fill(int i, size_t len, const struct wg_endpoint *ep)
{
	for (size_t k = 0; k < len; k++)
		txb[i][k] = (uint8_t)(i * 7 + (int)k);
	tx[i] = (struct wg_udp_msg){ .buf = txb[i], .len = len, .ep = *ep };
}

static bool matches(const uint8_t *d, size_t len, int i)
{
	for (size_t k = 0; k < len; k++)
		if (d[k] != (uint8_t)(i * 7 + (int)k))
			return false;
	return true;
}

static void arm_rx(size_t cap)
{
	for (int i = 0; i < WG_UDP_BATCH; i++)
		rx[i] = (struct wg_udp_msg){ .buf = rxb[i], .len = cap };
}

/* Receives until `want` datagrams came (GRO messages split) or a receive times out;
 * checks each against fill(first + index, len_of(index)). Returns datagrams seen. */
static int recv_expect(int fd, int first, int want, size_t (*len_of)(int), int *gro_msgs)
{
	int seen = 0;
	while (seen < want) {
		arm_rx(WG_UDP_GRO_BUF);
		int r = wg_udp_recv_batch(fd, rx, WG_UDP_BATCH);
		if (r <= 0)
			break;
		for (int m = 0; m < r; m++) {
			if (rx[m].gso_size && gro_msgs)
				(*gro_msgs)++;
			uint8_t *d;
			size_t off = 0;
			for (size_t l; (l = wg_udp_next(&rx[m], &off, &d)); seen++) {
				CHECK_EQ(l, len_of(seen));
				CHECK(matches(d, l, first + seen), "datagram %d", seen);
			}
		}
	}
	CHECK_EQ(seen, want);
	return seen;
}

static size_t len_varied(int i) { return 100 + (size_t)i * 13; }
static size_t len_100(int i) { return 100; }
static size_t len_gso(int i) { return i < 40 ? 1000 : 333; }

static void batch_roundtrip(int family)
{
	struct wg_udp a, b;
	if (!open_pair(&a, &b))
		return;
	struct wg_endpoint dst = to(family, wg_udp_port(&b));
	for (int i = 0; i < N; i++)
		fill(i, len_varied(i), &dst);
	CHECK_EQ(wg_udp_send_batch(&a, tx, N), 0);
	int fd = family == AF_INET ? b.fd4 : b.fd6;
	int seen = 0;
	unsigned lo = if_nametoindex("lo");
	while (seen < N) {
		arm_rx(CAP);
		int r = wg_udp_recv_batch(fd, rx, WG_UDP_BATCH);
		CHECK(r > 0, "recv %d", r);
		if (r <= 0)
			break;
		for (int m = 0; m < r; m++, seen++) {
			struct wg_udp_msg *x = &rx[m];
			CHECK_EQ(x->len, len_varied(seen));
			CHECK(matches(x->buf, x->len, seen));
			CHECK_EQ(x->gso_size, 0);
			CHECK_EQ(x->ep.addr.sa.sa_family, family);
			struct wg_endpoint from = to(family, wg_udp_port(&a));
			CHECK(wg_endpoint_eq(&x->ep, &from), "sender address and port");
			CHECK_EQ(x->ep.src_ifindex, lo);
			if (family == AF_INET)
				CHECK_EQ(ntohl(x->ep.src.v4.s_addr), INADDR_LOOPBACK);
			else
				CHECK(IN6_IS_ADDR_LOOPBACK(&x->ep.src.v6));
		}
	}
	CHECK_EQ(seen, N);
	wg_udp_close(&a);
	wg_udp_close(&b);
}

TEST(udp_batch_of_64_ipv4) { batch_roundtrip(AF_INET); }
TEST(udp_batch_of_64_ipv6) { batch_roundtrip(AF_INET6); }

TEST(udp_port_zero_gives_one_port_for_both_families)
{
	struct wg_udp a;
	CHECK_EQ(wg_udp_open(&a, 0, 0), 0);
	CHECK(a.fd4 >= 0 && a.fd6 >= 0);
	CHECK(wg_udp_port(&a) != 0);
	struct wg_endpoint e = { 0 };
	socklen_t l = sizeof(e.addr);
	getsockname(a.fd6, &e.addr.sa, &l);
	CHECK_EQ(ntohs(e.addr.sin6.sin6_port), wg_udp_port(&a));
	int v6only = 0;
	l = sizeof(v6only);
	getsockopt(a.fd6, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &l);
	CHECK_EQ(v6only, 1);
	int rcv = 0;
	l = sizeof(rcv);
	getsockopt(a.fd4, SOL_SOCKET, SO_RCVBUF, &rcv, &l);
	CHECK(rcv >= 200000, "rcvbuf %d", rcv); /* 7 MB as root, rmem_max otherwise */
	struct wg_udp b;
	CHECK_EQ(wg_udp_open(&b, wg_udp_port(&a), 0), -EADDRINUSE);
	wg_udp_close(&a);
}

TEST(udp_rebind_moves_port_and_keeps_working)
{
	struct wg_udp a, b;
	if (!open_pair(&a, &b))
		return;
	uint16_t old = wg_udp_port(&b);
	CHECK_EQ(wg_udp_rebind(&b, 0), 0);
	CHECK(wg_udp_port(&b) != old);
	CHECK_EQ(wg_udp_rebind(&b, wg_udp_port(&b)), 0); /* same port: close, then reopen */
	CHECK_EQ(wg_udp_rebind(&b, wg_udp_port(&a)), -EADDRINUSE);
	CHECK(b.fd4 >= 0, "old sockets survive a failed rebind");
	timeout(&b);
	struct wg_endpoint dst = to(AF_INET, wg_udp_port(&b));
	fill(0, 100, &dst);
	CHECK_EQ(wg_udp_send_batch(&a, tx, 1), 0);
	recv_expect(b.fd4, 0, 1, len_varied, NULL);
	wg_udp_close(&a);
	wg_udp_close(&b);
}

/* Datagrams waiting on fd, read without blocking. */
static int pending(int fd)
{
	int n = 0;
	char b[64];
	while (recv(fd, b, sizeof(b), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

TEST(udp_shared_sets_split_senders_and_keep_each_on_one)
{
	struct wg_udp s[2], held, plain;
	CHECK_EQ(wg_udp_open_shared(&s[0], 0, 0), 0);
	CHECK_EQ(wg_udp_join(&s[1], &s[0]), 0);
	CHECK_EQ(wg_udp_port(&s[1]), wg_udp_port(&s[0]));
	CHECK(s[1].fd4 >= 0 && s[1].fd6 >= 0);
	/* a port anything holds, shared or not, is refused */
	CHECK_EQ(wg_udp_open_shared(&held, wg_udp_port(&s[0]), 0), -EADDRINUSE);
	CHECK_EQ(wg_udp_open(&plain, 0, 0), 0);
	CHECK_EQ(wg_udp_open_shared(&held, wg_udp_port(&plain), 0), -EADDRINUSE);
	/* 16 senders, 4 datagrams each: each sender's on one set, the senders on both */
	struct wg_endpoint dst = to(AF_INET, wg_udp_port(&s[0]));
	int both = 0;
	for (int k = 0; k < 16; k++) {
		struct wg_udp c;
		CHECK_EQ(wg_udp_open(&c, 0, 0), 0);
		for (int i = 0; i < 4; i++)
			fill(i, 10, &dst);
		CHECK_EQ(wg_udp_send_batch(&c, tx, 4), 0);
		usleep(1000);
		int n0 = pending(s[0].fd4), n1 = pending(s[1].fd4);
		CHECK((n0 == 4 && n1 == 0) || (n0 == 0 && n1 == 4), "sender %d: %d and %d", k, n0, n1);
		both |= n0 ? 1 : 2;
		wg_udp_close(&c);
	}
	CHECK_EQ(both, 3);
	wg_udp_close(&plain);
	wg_udp_close(&s[0]);
	wg_udp_close(&s[1]);
}

/* Reads what waits on set `set` of n: the datagrams of 8 bytes or more must carry byte
 * 7 == set (mod n); returns how many, and adds the short ones to *short_ones. */
static int steered_to(int fd, int set, int n, int *short_ones)
{
	int got = 0;
	uint8_t b[64];
	ssize_t len;
	while ((len = recv(fd, b, sizeof(b), MSG_DONTWAIT)) >= 0) {
		if (len < 8) {
			(*short_ones)++;
			continue;
		}
		CHECK_EQ(b[7] % n, set);
		got++;
	}
	return got;
}

/* Three sets steered by byte 7: from 8 source ports, a datagram whose byte 7 is b
 * reaches set b % 3, whatever the port; one too short for byte 7 still arrives. */
static void steered(int family)
{
	struct wg_udp s[3];
	CHECK_EQ(wg_udp_open_shared(&s[0], 0, 0), 0);
	CHECK_EQ(wg_udp_join(&s[1], &s[0]), 0);
	CHECK_EQ(wg_udp_join(&s[2], &s[0]), 0);
	CHECK_EQ(wg_udp_set_steering(&s[0], 7, 3), 0);
	CHECK_EQ(wg_udp_set_steering(&s[0], 7, 0), -EINVAL);
	struct wg_endpoint dst = to(family, wg_udp_port(&s[0]));
	for (int k = 0; k < 8; k++) {
		struct wg_udp c;
		CHECK_EQ(wg_udp_open(&c, 0, 0), 0);
		for (int b = 0; b < 6; b++) { /* two for each set */
			fill(b, 16, &dst);
			txb[b][7] = (uint8_t)(b + 3 * k);
		}
		fill(6, 7, &dst); /* no byte 7: the kernel's hash picks a set */
		for (int b = 0; b < 7; b++) /* one at a time: a send of equal datagrams leaves as one
					     * GSO message, steered whole by its first datagram */
			CHECK_EQ(wg_udp_send_batch(&c, &tx[b], 1), 0);
		usleep(1000);
		int short_ones = 0;
		for (int i = 0; i < 3; i++)
			CHECK_EQ(steered_to(family == AF_INET ? s[i].fd4 : s[i].fd6, i, 3, &short_ones), 2);
		CHECK_EQ(short_ones, 1);
		wg_udp_close(&c);
	}
	for (int i = 0; i < 3; i++)
		wg_udp_close(&s[i]);
}

TEST(udp_shared_sets_steered_by_a_byte_ipv4) { steered(AF_INET); }
TEST(udp_shared_sets_steered_by_a_byte_ipv6) { steered(AF_INET6); }

static void gso_send(int family, bool gro)
{
	struct wg_udp a, b;
	if (!open_pair(&a, &b))
		return;
	CHECK(a.gso, "kernel without UDP_SEGMENT?");
	if (gro)
		CHECK_EQ(wg_udp_set_gro(&b, true), 0);
	struct wg_endpoint dst = to(family, wg_udp_port(&b));
	for (int i = 0; i < 41; i++)
		fill(i, len_gso(i), &dst);
	CHECK_EQ(wg_udp_send_batch(&a, tx, 41), 0);
	int gro_msgs = 0;
	recv_expect(family == AF_INET ? b.fd4 : b.fd6, 0, 41, len_gso, &gro_msgs);
	if (gro)
		CHECK(gro_msgs > 0, "loopback delivers a GSO send whole to a GRO socket");
	else
		CHECK_EQ(gro_msgs, 0);
	wg_udp_close(&a);
	wg_udp_close(&b);
}

TEST(udp_gso_arrives_as_datagrams_ipv4)     { gso_send(AF_INET, false); }
TEST(udp_gso_arrives_as_datagrams_ipv6)     { gso_send(AF_INET6, false); }
TEST(udp_gso_to_gro_socket_splits_ipv4)     { gso_send(AF_INET, true); }
TEST(udp_gso_to_gro_socket_splits_ipv6)     { gso_send(AF_INET6, true); }

TEST(udp_gso_disabled_still_sends_runs)
{
	struct wg_udp a, b;
	if (!open_pair(&a, &b))
		return;
	a.gso = false;
	struct wg_endpoint dst = to(AF_INET, wg_udp_port(&b));
	for (int i = 0; i < 41; i++)
		fill(i, len_gso(i), &dst);
	CHECK_EQ(wg_udp_send_batch(&a, tx, 41), 0);
	recv_expect(b.fd4, 0, 41, len_gso, NULL);
	wg_udp_close(&a);
	wg_udp_close(&b);
}

static size_t len_pre(int i) { return i < 3 ? 500 : 200; }

/* A message the caller filled with several datagrams (gso_size), with and without GSO. */
TEST(udp_caller_coalesced_message_is_sent_as_datagrams)
{
	for (int use_gso = 1; use_gso >= 0; use_gso--) {
		struct wg_udp a, b;
		if (!open_pair(&a, &b))
			return;
		a.gso = use_gso;
		struct wg_endpoint dst = to(AF_INET6, wg_udp_port(&b));
		static uint8_t buf[1700];
		for (int i = 0; i < 4; i++)
			for (size_t k = 0; k < len_pre(i); k++)
				buf[500 * i + k] = (uint8_t)(i * 7 + (int)k);
		tx[0] = (struct wg_udp_msg){ .buf = buf, .len = 1700, .ep = dst, .gso_size = 500 };
		CHECK_EQ(wg_udp_send_batch(&a, tx, 1), 0);
		recv_expect(b.fd6, 0, 4, len_pre, NULL);
		wg_udp_close(&a);
		wg_udp_close(&b);
	}
}

TEST(udp_mixed_families_and_peers_in_one_batch)
{
	struct wg_udp a, b, c;
	if (!open_pair(&a, &b))
		return;
	CHECK_EQ(wg_udp_open(&c, 0, 0), 0);
	timeout(&c);
	struct wg_endpoint d[3] = { to(AF_INET, wg_udp_port(&b)), to(AF_INET6, wg_udp_port(&b)),
				    to(AF_INET, wg_udp_port(&c)) };
	for (int i = 0; i < 90; i++)
		fill(i, 700, &d[(i / 5) % 3]); /* runs of 5 per destination */
	CHECK_EQ(wg_udp_send_batch(&a, tx, 90), 0);
	int got[3] = { 0 };
	int fds[3] = { b.fd4, b.fd6, c.fd4 };
	for (int k = 0; k < 3; k++) {
		int r;
		arm_rx(CAP);
		while ((r = wg_udp_recv_batch(fds[k], rx + got[k], WG_UDP_BATCH - got[k])) > 0) {
			for (int m = 0; m < r; m++) {
				int i = got[k] + m;
				int idx = (i / 5) * 15 + k * 5 + i % 5; /* the i-th sent to k */
				CHECK(rx[i].len == 700 && matches(rx[i].buf, 700, idx), "dest %d #%d", k, i);
			}
			got[k] += r;
			if (got[k] == 30)
				break;
		}
		CHECK_EQ(got[k], 30);
	}
	wg_udp_close(&a);
	wg_udp_close(&b);
	wg_udp_close(&c);
}

static void sticky(int family)
{
	struct wg_udp a, b;
	if (!open_pair(&a, &b))
		return;
	struct wg_endpoint dst = to(family, wg_udp_port(&b));
	fill(0, 100, &dst);
	fill(1, 100, &dst);
	fill(2, 100, &dst);
	/* 0: a source we have; 1 and 2: a source that is not on this host (TEST-NET / doc). */
	if (family == AF_INET) {
		tx[0].ep.src.v4.s_addr = htonl(INADDR_LOOPBACK);
		inet_pton(AF_INET, "192.0.2.77", &tx[1].ep.src.v4);
		tx[2].ep.src.v4 = tx[1].ep.src.v4;
	} else {
		tx[0].ep.src.v6 = in6addr_loopback;
		inet_pton(AF_INET6, "2001:db8::77", &tx[1].ep.src.v6);
		tx[2].ep.src.v6 = tx[1].ep.src.v6;
	}
	tx[1].ep.src_ifindex = tx[2].ep.src_ifindex = 1;
	CHECK_EQ(wg_udp_send_batch(&a, tx, 3), 0);
	recv_expect(family == AF_INET ? b.fd4 : b.fd6, 0, 3, len_100, NULL);
	static const uint8_t zero[16];
	CHECK(memcmp(&tx[0].ep.src, zero, family == AF_INET ? 4 : 16) != 0, "good source kept");
	CHECK_MEM(&tx[1].ep.src, zero, family == AF_INET ? 4 : 16);
	CHECK_MEM(&tx[2].ep.src, zero, family == AF_INET ? 4 : 16);
	CHECK_EQ(tx[1].ep.src_ifindex, 0);
	wg_udp_close(&a);
	wg_udp_close(&b);
}

TEST(udp_sticky_source_ipv4) { sticky(AF_INET); }
TEST(udp_sticky_source_ipv6) { sticky(AF_INET6); }

TEST(udp_datagram_larger_than_buffer_reads_as_empty)
{
	struct wg_udp a, b;
	if (!open_pair(&a, &b))
		return;
	struct wg_endpoint dst = to(AF_INET, wg_udp_port(&b));
	fill(0, 1500, &dst);
	fill(1, 50, &dst);
	CHECK_EQ(wg_udp_send_batch(&a, tx, 2), 0);
	int got = 0;
	while (got < 2) {
		arm_rx(100);
		int r = wg_udp_recv_batch(b.fd4, rx + got, 2 - got);
		if (r <= 0)
			break;
		got += r;
	}
	CHECK_EQ(got, 2);
	CHECK_EQ(rx[0].len, 0);
	CHECK_EQ(rx[1].len, 50);
	wg_udp_close(&a);
	wg_udp_close(&b);
}

TEST(udp_fwmark_set_and_clear)
{
	struct wg_udp a;
	CHECK_EQ(wg_udp_open(&a, 0, 0), 0);
	int err = wg_udp_set_mark(&a, 0x1234);
	if (geteuid() != 0) {
		CHECK(err == -EPERM || err == 0, "err %d", err);
	} else {
		CHECK_EQ(err, 0);
		int m = 0;
		socklen_t l = sizeof(m);
		getsockopt(a.fd6, SOL_SOCKET, SO_MARK, &m, &l);
		CHECK_EQ(m, 0x1234);
		CHECK_EQ(wg_udp_set_mark(&a, 0), 0);
		getsockopt(a.fd4, SOL_SOCKET, SO_MARK, &m, &l);
		CHECK_EQ(m, 0);
		CHECK_EQ(wg_udp_rebind(&a, 0), 0);
		CHECK_EQ(a.fwmark, 0);
		struct wg_udp b;
		CHECK_EQ(wg_udp_open(&b, 0, 77), 0);
		getsockopt(b.fd4, SOL_SOCKET, SO_MARK, &m, &l);
		CHECK_EQ(m, 77);
		wg_udp_close(&b);
	}
	wg_udp_close(&a);
}

static void *blocked_recv(void *arg)
{
	static uint8_t buf[100];
	struct wg_udp_msg m = { .buf = buf, .len = sizeof(buf) };
	return (void *)(intptr_t)wg_udp_recv_batch(*(int *)arg, &m, 1);
}

TEST(udp_shutdown_wakes_a_blocked_receiver)
{
	struct wg_udp a;
	CHECK_EQ(wg_udp_open(&a, 0, 0), 0);
	struct timeval tv = { 5, 0 };  /* a hang fails after 5 s instead of forever */
	setsockopt(a.fd6, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	pthread_t th;
	pthread_create(&th, NULL, blocked_recv, &a.fd6);
	usleep(100000);
	wg_udp_shutdown(&a);
	void *ret;
	pthread_join(th, &ret);
	CHECK_EQ((intptr_t)ret, 0);
	wg_udp_close(&a);
}

/* The prefix filter: only datagrams that begin with one of the words (little-endian)
 * reach the socket; too short ones do not either; a GRO message passes whole. */
static void prefix_filter(int family, bool gro)
{
	struct wg_udp a, b;
	if (!open_pair(&a, &b))
		return;
	if (gro)
		CHECK_EQ(wg_udp_set_gro(&b, true), 0);
	const uint32_t words[] = { 1, 4 };
	CHECK_EQ(wg_udp_set_prefix_filter(&b, words, 2), 0);
	struct wg_endpoint dst = to(family, wg_udp_port(&b));
	static const uint8_t heads[][4] = {
		{ 5, 0, 0, 0 }, { 1, 0, 0, 0 }, { 1, 0, 0, 1 }, { 0, 0, 0, 1 }, { 4, 0, 0, 0 }, { 2, 0, 0, 0 },
	};
	int n = 0;
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++, n++) {
		fill(n, 100 + i, &dst);              /* sizes apart: never one GSO send */
		memcpy(txb[n], heads[i], 4);
	}
	fill(n, 3, &dst);                            /* shorter than a word */
	txb[n++][0] = 1;
	for (int i = 0; i < 40; i++, n++) {         /* a run that GRO may merge */
		fill(n, 200, &dst);
		memcpy(txb[n], heads[4], 4);
	}
	CHECK_EQ(wg_udp_send_batch(&a, tx, n), 0);
	int fd = family == AF_INET ? b.fd4 : b.fd6, got = 0, firsts[2] = { 0 };
	for (;;) {
		arm_rx(WG_UDP_GRO_BUF);
		int r = wg_udp_recv_batch(fd, rx, WG_UDP_BATCH);
		if (r <= 0)
			break;
		for (int m = 0; m < r; m++) {
			uint8_t *d;
			size_t off = 0;
			for (size_t l; (l = wg_udp_next(&rx[m], &off, &d)); got++) {
				CHECK(l >= 4 && !d[1] && !d[2] && !d[3] && (d[0] == 1 || d[0] == 4), "datagram %d", got);
				firsts[d[0] == 4]++;
			}
		}
		if (got >= 42)
			break;
	}
	CHECK_EQ(firsts[0], 1);
	CHECK_EQ(firsts[1], 41);
	CHECK_EQ(wg_udp_set_prefix_filter(&b, NULL, 0), 0); /* off: everything again */
	fill(0, 100, &dst);
	CHECK_EQ(wg_udp_send_batch(&a, tx, 1), 0);
	recv_expect(fd, 0, 1, len_100, NULL);
	wg_udp_close(&a);
	wg_udp_close(&b);
}

TEST(udp_prefix_filter_ipv4) { prefix_filter(AF_INET, false); }
TEST(udp_prefix_filter_ipv6) { prefix_filter(AF_INET6, false); }
TEST(udp_prefix_filter_with_gro_ipv4) { prefix_filter(AF_INET, true); }
