/* End-to-end check of the TUN offload path against the real kernel, run inside a network
 * namespace by test_platform.sh (root only).
 *
 * A "reflector" thread turns the TUN device into a mirror: every packet read for the
 * fake peer address P (…::2 / 10.99.0.2) is written back as if P' (…::3) had sent it to
 * us, and every packet for P' as if it came from P. A socket that connects to P thereby
 * talks to a listener on our own address through the TUN device, in both directions:
 * the kernel hands us TSO/USO super-packets (cut by wg_tun_read_batch) and takes merged
 * ones back (wg_tun_write_batch). The kernel verifies every checksum we produce, the
 * reflector verifies every segment the cutting produced with its own reference code, and
 * the receiving end verifies every byte of the stream. */
#include "platform/tun.h"
#include "platform/gro.h"
#include "platform/vnet.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IFNAME "wgp0"
enum { MTU = 1420, HEADROOM = 16, BUFSZ = 2048, BATCH = 128 };

static struct wg_tun tun;
static volatile int stop;
static unsigned long bad_segments, too_big, reflected;
static int failures;

#define FAIL(...) do { printf("  " __VA_ARGS__); putchar('\n'); failures++; } while (0)

/* ---- reference checksums, independent of src/platform/csum.c ---- */

static uint32_t ref_add(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 2)
		acc += (uint32_t)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
	return acc;
}

static uint16_t ref_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

static size_t l4_off(const uint8_t *p) { return p[0] >> 4 == 6 ? 40 : (size_t)(p[0] & 15) * 4; }
static uint8_t proto_of(const uint8_t *p) { return p[0] >> 4 == 6 ? p[6] : p[9]; }

static uint32_t pseudo(const uint8_t *p, size_t len)
{
	uint32_t l4len = (uint32_t)(len - l4_off(p));
	if (p[0] >> 4 == 6)
		return ref_add(0, p + 8, 32) + proto_of(p) + (l4len >> 16) + (l4len & 0xffff);
	return ref_add(0, p + 12, 8) + proto_of(p) + l4len;
}

static bool l4_ok(const uint8_t *p, size_t len)
{
	size_t o = l4_off(p);
	if (p[0] >> 4 == 4 && ref_fold(ref_add(0, p, o)) != 0xffff)
		return false;
	return ref_fold(ref_add(pseudo(p, len), p + o, len - o)) == 0xffff;
}

static void l4_fill(uint8_t *p, size_t len)
{
	size_t o = l4_off(p), at = o + (proto_of(p) == IPPROTO_TCP ? 16 : 6);
	p[at] = p[at + 1] = 0;
	uint16_t c = (uint16_t)~ref_fold(ref_add(pseudo(p, len), p + o, len - o));
	if (!c)
		c = 0xffff;
	p[at] = c >> 8;
	p[at + 1] = (uint8_t)c;
	if (p[0] >> 4 == 4) {
		p[10] = p[11] = 0;
		c = (uint16_t)~ref_fold(ref_add(0, p, o));
		p[10] = c >> 8;
		p[11] = (uint8_t)c;
	}
}

/* ---- the mirror ---- */

/* The last address byte: 1 = us, 2 = P, 3 = P'. Returns false for packets to drop. */
static bool mirror(uint8_t *p, size_t len)
{
	bool v6 = p[0] >> 4 == 6;
	uint8_t *src = v6 ? p + 8 : p + 12, *dst = v6 ? p + 24 : p + 16;
	size_t alen = v6 ? 16 : 4;
	uint8_t d = dst[alen - 1];
	if ((proto_of(p) != IPPROTO_TCP && proto_of(p) != IPPROTO_UDP) || (d != 2 && d != 3))
		return false;
	if (len > MTU)
		too_big++;
	if (!l4_ok(p, len))
		bad_segments++;
	memcpy(src, dst, alen);
	src[alen - 1] = d == 2 ? 3 : 2;
	dst[alen - 1] = 1;
	l4_fill(p, len);
	return true;
}

static void *reflector(void *arg)
{
	static uint8_t bufs[BATCH][BUFSZ];
	struct wg_tun_pkt in[BATCH], out[BATCH];
	unsigned seed = 1;
	while (!stop) {
		struct pollfd pfd = { wg_tun_fd(&tun), POLLIN, 0 };
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		/* Odd batch sizes make super-packets straddle calls. */
		int n = (int)(rand_r(&seed) % BATCH) + 1;
		for (int i = 0; i < n; i++)
			in[i] = (struct wg_tun_pkt){ bufs[i] + HEADROOM, BUFSZ - HEADROOM };
		int r = wg_tun_read_batch(&tun, in, n);
		if (r < 0) {
			if (r != -EAGAIN)
				FAIL("read_batch: %s", strerror(-r));
			continue;
		}
		int m = 0;
		for (int i = 0; i < r; i++)
			if (mirror(in[i].data, in[i].len))
				out[m++] = in[i];
		reflected += (unsigned long)m;
		int err = wg_tun_write_batch(&tun, out, m);
		if (err)
			FAIL("write_batch: %s", strerror(-err));
	}
	return NULL;
}

/* ---- traffic ---- */

static uint8_t pattern(uint64_t off) { return (uint8_t)(off * 31 + (off >> 9)); }

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static socklen_t addr(int family, int last, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(0x0a630000 | (uint32_t)last); /* 10.99.0.x */
		return sizeof(*a);
	}
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
	a->sin6_family = AF_INET6;
	a->sin6_port = htons(port);
	inet_pton(AF_INET6, "fd00:99::", &a->sin6_addr);
	a->sin6_addr.s6_addr[15] = (uint8_t)last;
	return sizeof(*a);
}

struct sink { int fd; uint64_t got; bool bad; };

static void *tcp_sink(void *arg)
{
	struct sink *s = arg;
	static uint8_t buf[1 << 16];
	int c = accept(s->fd, NULL, NULL);
	if (c < 0)
		return NULL;
	for (ssize_t r; (r = read(c, buf, sizeof(buf))) > 0; s->got += (uint64_t)r)
		for (ssize_t i = 0; i < r; i++)
			if (buf[i] != pattern(s->got + (uint64_t)i))
				s->bad = true;
	close(c);
	return NULL;
}

static void tcp_test(int family, const char *name)
{
	const uint64_t total = 128u << 20;
	int f0 = failures;
	unsigned long rx_gso = tun.rx_gso, tx_gro = tun.tx_gro;
	struct sockaddr_storage ss;
	struct sink s = { .fd = socket(family, SOCK_STREAM, 0) };
	int one = 1;
	setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	socklen_t l = addr(family, 1, 5000, &ss);
	if (bind(s.fd, (struct sockaddr *)&ss, l) || listen(s.fd, 1)) {
		FAIL("listen: %s", strerror(errno));
		return;
	}
	pthread_t th;
	pthread_create(&th, NULL, tcp_sink, &s);
	int c = socket(family, SOCK_STREAM, 0);
	struct timeval tv = { 10, 0 };
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	l = addr(family, 2, 5000, &ss);
	double t0 = now();
	if (connect(c, (struct sockaddr *)&ss, l)) {
		FAIL("connect: %s", strerror(errno));
		shutdown(s.fd, SHUT_RDWR);
	} else {
		static uint8_t buf[1 << 16];
		for (uint64_t off = 0; off < total;) {
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = pattern(off + i);
			ssize_t w = write(c, buf, sizeof(buf));
			if (w <= 0) {
				FAIL("write: %s", strerror(errno));
				break;
			}
			off += (uint64_t)w; /* a short write: the next buffer starts at off */
		}
	}
	close(c);
	pthread_join(th, NULL);
	close(s.fd);
	double dt = now() - t0;
	if (s.got != total)
		FAIL("received %llu of %llu bytes", (unsigned long long)s.got, (unsigned long long)total);
	if (s.bad)
		FAIL("stream corrupted");
	if (tun.offloads && tun.rx_gso == rx_gso)
		FAIL("the kernel never handed over a TSO super-packet");
	if (tun.gro && tun.tx_gro == tx_gro)
		FAIL("no write was merged");
	printf("  %s: %.2f Gbit/s, %lu super-packets read, %lu merged writes\n", name,
	       (double)s.got * 8 / dt / 1e9, tun.rx_gso - rx_gso, tun.tx_gro - tx_gro);
	printf("%s test_platform.sh:%s\n", failures == f0 ? "PASS" : "FAIL", name);
}

/* UDP sent with UDP_SEGMENT: 20 datagrams of 1000 bytes per send, each carrying its
 * number; every one that arrives must be whole and in its right size. */
static void udp_test(int family, const char *name)
{
	int f0 = failures;
	unsigned long rx_gso = tun.rx_gso, tx_gro = tun.tx_gro;
	struct sockaddr_storage ss;
	int srv = socket(family, SOCK_DGRAM, 0), cli = socket(family, SOCK_DGRAM, 0);
	int big = 8 << 20;
	setsockopt(srv, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	socklen_t l = addr(family, 1, 6000, &ss);
	if (bind(srv, (struct sockaddr *)&ss, l)) {
		FAIL("bind: %s", strerror(errno));
		return;
	}
	struct timeval tv = { 0, 300000 };
	setsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	int seg = 1000;
	setsockopt(cli, SOL_UDP, UDP_SEGMENT, &seg, sizeof(seg));
	l = addr(family, 2, 6000, &ss);
	enum { SENDS = 200, PER = 20 };
	static uint8_t buf[PER * 1000];
	unsigned got = 0;
	for (int k = 0; k < SENDS; k++) {
		for (int i = 0; i < PER; i++) {
			uint32_t no = (uint32_t)(k * PER + i);
			for (int j = 0; j < 1000; j++)
				buf[i * 1000 + j] = (uint8_t)(no + (uint32_t)j);
			memcpy(buf + i * 1000, &no, 4);
		}
		if (sendto(cli, buf, sizeof(buf), 0, (struct sockaddr *)&ss, l) < 0)
			FAIL("sendto: %s", strerror(errno));
		if (k % 10 == 9)
			usleep(2000); /* let the mirror keep up: UDP has no flow control */
	}
	uint8_t r[4096];
	for (ssize_t n; (n = recv(srv, r, sizeof(r), 0)) > 0; got++) {
		uint32_t no;
		memcpy(&no, r, 4);
		bool ok = n == 1000;
		for (int j = 4; ok && j < 1000; j++)
			ok = r[j] == (uint8_t)(no + (uint32_t)j);
		if (!ok) {
			FAIL("datagram %u wrong (%zd bytes)", no, n);
			break;
		}
	}
	if (got < SENDS * PER * 9 / 10)
		FAIL("only %u of %u datagrams arrived", got, SENDS * PER);
	bool uso = tun.offloads & (family == AF_INET ? TUN_F_USO4 : TUN_F_USO6);
	if (uso && tun.rx_gso == rx_gso)
		FAIL("USO accepted but no UDP super-packet came");
	if ((tun.gro & WG_GRO_UDP) && tun.tx_gro == tx_gro)
		FAIL("no UDP write was merged");
	printf("  %s: %u/%u datagrams, USO %s, %lu super-packets read, %lu merged writes\n",
	       name, got, SENDS * PER, uso ? "on" : "off", tun.rx_gso - rx_gso, tun.tx_gro - tx_gro);
	close(srv);
	close(cli);
	printf("%s test_platform.sh:%s\n", failures == f0 ? "PASS" : "FAIL", name);
}

static int sh(const char *cmd)
{
	int r = system(cmd);
	if (r)
		FAIL("`%s` failed", cmd);
	return r;
}

/* `test_platform_tun plain` runs without offloads, for comparing throughput by hand. */
int main(int argc, char **argv)
{
	bool plain = argc > 1 && !strcmp(argv[1], "plain");
	int err = wg_tun_open(&tun, IFNAME, plain ? WG_TUN_NO_OFFLOAD : 0);
	if (err) {
		printf("FAIL test_platform.sh:tun_open (%s)\n", strerror(-err));
		return 1;
	}
	int f0 = failures;
	if (strcmp(tun.name, IFNAME) || tun.ifindex <= 0)
		FAIL("name %s ifindex %d", tun.name, tun.ifindex);
	if (wg_tun_set_mtu(&tun, MTU) || wg_tun_get_mtu(&tun) != MTU)
		FAIL("mtu");
	if (wg_tun_set_up(&tun, true))
		FAIL("up");
	sh("ip addr add 10.99.0.1/24 dev " IFNAME);
	sh("ip addr add fd00:99::1/64 dev " IFNAME " nodad");
	if (!plain && !(tun.offloads & TUN_F_TSO4))
		FAIL("kernel refused TSO (offloads %#x)", tun.offloads);
	printf("  offloads %#x, merges %#x\n", tun.offloads, tun.gro);
	printf("%s test_platform.sh:tun_open_mtu_up\n", failures == f0 ? "PASS" : "FAIL");

	pthread_t th;
	pthread_create(&th, NULL, reflector, NULL);
	tcp_test(AF_INET, "tcp4_through_tun");
	tcp_test(AF_INET6, "tcp6_through_tun");
	udp_test(AF_INET, "udp4_gso_through_tun");
	udp_test(AF_INET6, "udp6_gso_through_tun");
	stop = 1;
	pthread_join(th, NULL);

	f0 = failures;
	if (bad_segments)
		FAIL("%lu segments cut with a wrong checksum", bad_segments);
	if (too_big)
		FAIL("%lu segments larger than the MTU", too_big);
	printf("  %lu packets reflected, %llu dropped by the reader\n", reflected,
	       (unsigned long long)tun.rx_dropped);
	printf("%s test_platform.sh:segments_valid\n", failures == f0 ? "PASS" : "FAIL");

	f0 = failures;
	if (wg_tun_set_up(&tun, false))
		FAIL("down");
	wg_tun_close(&tun);
	if (system("ip link show " IFNAME " >/dev/null 2>&1") == 0)
		FAIL("device still there after close");
	printf("%s test_platform.sh:tun_close_deletes\n", failures == f0 ? "PASS" : "FAIL");

	f0 = failures;
	struct wg_tun q[2];
	int e0 = wg_tun_open(&q[0], "wgp1", WG_TUN_MULTI_QUEUE);
	int e1 = e0 ? -1 : wg_tun_open(&q[1], "wgp1", WG_TUN_MULTI_QUEUE);
	if (e0 || e1)
		FAIL("multi-queue open: %d %d", e0, e1);
	else if (q[0].ifindex != q[1].ifindex)
		FAIL("two queues, two devices");
	if (!e1)
		wg_tun_close(&q[1]);
	if (!e0)
		wg_tun_close(&q[0]);
	if (system("ip link show wgp1 >/dev/null 2>&1") == 0)
		FAIL("multi-queue device still there after closing both queues");
	struct wg_tun long_name;
	if (wg_tun_open(&long_name, "a-name-far-too-long-for-linux", 0) != -EINVAL)
		FAIL("long name accepted");
	printf("%s test_platform.sh:tun_multi_queue\n", failures == f0 ? "PASS" : "FAIL");
	return failures ? 1 : 0;
}
