/* The attacker of bench/flood.sh: floods a WireGuard responder with datagrams from many
 * source addresses at a fixed rate, and counts what comes back.
 *
 *   flood MODE HOST PORT [-k RESPONDER_PUBKEY] [-S FIRST_SRC] [-n SOURCES] [-r PPS]
 *         [-d SECONDS]
 *
 * MODE
 *   garbage   random bytes of random length (1..200): nothing a responder can use
 *   badmac    148-byte handshake initiations with random contents and a wrong MAC1
 *   validmac  the same with a correct MAC1 (made with the responder's public key, -k):
 *             they pass the cheap check, and a responder not under load pays an
 *             X25519 (es) before it finds that the static key does not decrypt
 * FIRST_SRC   the first of SOURCES consecutive IPv4 addresses to send from (default
 *             none: the routing's choice, one source); they must be configured on
 *             the sending host. One UDP socket per source.
 * PPS         datagrams per second over all sources (default 50000; 0 = as fast as
 *             possible), sent in bursts every millisecond.
 *
 * Replies (cookie replies, responses) are read and counted: cookie replies show the
 * responder is under load. SIGTERM or SIGINT ends the flood early. The result is one
 * line of key=value pairs on stdout. */
#include "bench_clock.h"
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "core/messages.h"
#include "crypto/crypto.h"

enum { POOL = 4096, MAXSRC = 1024, BURST = 32 };
enum mode { GARBAGE, BADMAC, VALIDMAC };

struct pkt { uint8_t buf[200]; size_t len; };

struct opts {
	enum mode mode;
	struct sockaddr_in to;
	uint8_t rpub[WG_KEY_LEN];
	bool have_pub;
	struct in_addr first_src;
	int nsrc;
	double pps, seconds;
};

struct counts { size_t sent, cookies, responses, other; };

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = 1; }

static int usage(void)
{
	fprintf(stderr, "usage: flood garbage|badmac|validmac HOST PORT [-k RESPONDER_PUBKEY] [-S FIRST_SRC]\n"
		"             [-n SOURCES] [-r PPS] [-d SECONDS]\n");
	return 2;
}

/* An initiation with random contents; MAC1 correct only in validmac mode. */
static void make_initiation(struct pkt *p, const struct opts *o, const uint8_t mac1_key[WG_HASH_LEN])
{
	struct wg_msg_initiation *m = (struct wg_msg_initiation *)p->buf;
	wg_os_random(m, sizeof(*m));
	m->type = htole32(WG_MSG_INITIATION);
	memset(m->macs.mac2, 0, WG_MAC_LEN);
	if (o->mode == VALIDMAC)
		wg_mac(m->macs.mac1, WG_MAC_LEN, mac1_key, WG_HASH_LEN, m, offsetof(struct wg_msg_initiation, macs));
	p->len = sizeof(*m);
}

static void make_garbage(struct pkt *p)
{
	uint8_t n;
	wg_os_random(&n, 1);
	p->len = 1 + n % 200;
	wg_os_random(p->buf, p->len);
}

static struct pkt *make_pool(const struct opts *o)
{
	struct pkt *pool = malloc(POOL * sizeof(*pool));
	uint8_t mac1_key[WG_HASH_LEN];
	if (!pool)
		return NULL;
	wg_hash(mac1_key, WG_LABEL_MAC1, 8, o->rpub, WG_KEY_LEN);
	for (int i = 0; i < POOL; i++) {
		if (o->mode == GARBAGE)
			make_garbage(&pool[i]);
		else
			make_initiation(&pool[i], o, mac1_key);
	}
	return pool;
}

static int open_source(const struct opts *o, int i)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	int sz = 1 << 20;
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (o->first_src.s_addr) {
		struct sockaddr_in src = { .sin_family = AF_INET };
		src.sin_addr.s_addr = htonl(ntohl(o->first_src.s_addr) + (uint32_t)i);
		if (bind(fd, (struct sockaddr *)&src, sizeof(src))) {
			perror("bind (is the source address configured?)");
			close(fd);
			return -1;
		}
	}
	if (connect(fd, (struct sockaddr *)&o->to, sizeof(o->to))) {
		perror("connect");
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends n datagrams from the pool (starting at *next) on one socket; returns how many
 * left (a full socket buffer stops the burst early). */
static int send_burst(int fd, const struct pkt *pool, size_t *next, int n)
{
	struct mmsghdr mm[BURST];
	struct iovec iov[BURST];
	if (n > BURST)
		n = BURST;
	for (int i = 0; i < n; i++) {
		const struct pkt *p = &pool[(*next + (size_t)i) % POOL];
		iov[i] = (struct iovec){ (void *)p->buf, p->len };
		mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	int sent = sendmmsg(fd, mm, (unsigned)n, MSG_DONTWAIT);
	if (sent > 0)
		*next += (size_t)sent;
	return sent > 0 ? sent : 0;
}

/* Reads the replies in batches, so that counting them costs the flooder (which shares
 * the CPUs with what it floods) as little as it can. */
static void drain(int fd, struct counts *c)
{
	enum { N = 64 };
	static uint8_t buf[N][128];
	struct mmsghdr mm[N];
	struct iovec iov[N];
	int got;
	do {
		for (int i = 0; i < N; i++) {
			iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
			mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		got = recvmmsg(fd, mm, N, MSG_DONTWAIT, NULL);
		for (int i = 0; i < got; i++) {
			unsigned n = mm[i].msg_len;
			if (n == WG_MSG_COOKIE_LEN && buf[i][0] == WG_MSG_COOKIE)
				c->cookies++;
			else if (n == WG_MSG_RESPONSE_LEN && buf[i][0] == WG_MSG_RESPONSE)
				c->responses++;
			else
				c->other++;
		}
	} while (got == N);
}

/* Paces the flood: each millisecond the datagrams due by then go out, spread over the
 * sources in turn; replies are drained every 50 ms. */
static void run(const struct opts *o, const int *fds, const struct pkt *pool, struct counts *c)
{
	double t0 = bench_now(), last_drain = t0;
	size_t next = 0;
	int src = 0;
	for (;;) {
		double now = bench_now(), elapsed = now - t0;
		if (elapsed >= o->seconds || stop)
			break;
		size_t due = o->pps > 0 ? (size_t)(elapsed * o->pps) : c->sent + (size_t)BURST * o->nsrc;
		while (c->sent < due) {
			int want = due - c->sent < BURST ? (int)(due - c->sent) : BURST;
			int got = send_burst(fds[src], pool, &next, want);
			src = (src + 1) % o->nsrc;
			c->sent += (size_t)got;
			if (got < want && o->pps <= 0)
				break; /* buffers full: let the kernel catch up */
		}
		if (now - last_drain >= 0.05) {
			for (int i = 0; i < o->nsrc; i++)
				drain(fds[i], c);
			last_drain = now;
		}
		if (o->pps > 0)
			usleep(1000);
	}
}

static int parse(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){ .nsrc = 1, .pps = 50000, .seconds = 5 };
	if (argc < 4)
		return -1;
	if (!strcmp(argv[1], "garbage")) o->mode = GARBAGE;
	else if (!strcmp(argv[1], "badmac")) o->mode = BADMAC;
	else if (!strcmp(argv[1], "validmac")) o->mode = VALIDMAC;
	else return -1;
	o->to.sin_family = AF_INET;
	o->to.sin_port = htons((uint16_t)atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &o->to.sin_addr) != 1)
		return -1;
	for (int i = 4; i + 1 < argc; i += 2) {
		const char *opt = argv[i], *v = argv[i + 1];
		if (!strcmp(opt, "-k")) o->have_pub = wg_key_from_base64(o->rpub, v);
		else if (!strcmp(opt, "-S")) { if (inet_pton(AF_INET, v, &o->first_src) != 1) return -1; }
		else if (!strcmp(opt, "-n")) o->nsrc = atoi(v);
		else if (!strcmp(opt, "-r")) o->pps = atof(v);
		else if (!strcmp(opt, "-d")) o->seconds = atof(v);
		else return -1;
	}
	if (o->nsrc < 1 || o->nsrc > MAXSRC || (o->mode == VALIDMAC && !o->have_pub))
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct counts c = { 0 };
	static int fds[MAXSRC];
	if (parse(argc, argv, &o))
		return usage();
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	struct pkt *pool = make_pool(&o);
	if (!pool)
		return 1;
	for (int i = 0; i < o.nsrc; i++)
		if ((fds[i] = open_source(&o, i)) < 0)
			return 1;
	double t0 = bench_now();
	run(&o, fds, pool, &c);
	double secs = bench_now() - t0;
	for (int i = 0; i < o.nsrc; i++) {
		drain(fds[i], &c);
		close(fds[i]);
	}
	printf("sent=%zu seconds=%.3f pps=%.0f cookies=%zu responses=%zu other=%zu sources=%d\n",
	       c.sent, secs, c.sent / secs, c.cookies, c.responses, c.other, o.nsrc);
	free(pool);
	return 0;
}
