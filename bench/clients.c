/* Many WireGuard clients that answer, in one process: the far side of peers.sh's
 * 10,000 keepalive peers, so that the router's idle cost can be measured with clients
 * that are there (sessions, keepalives, rekeys every two minutes) as well as absent.
 *
 *   clients peers N [SEED]
 *       prints the router's `wg setconf` [Peer] sections: client i's public key (an
 *       identity of SEED, as in handshake_gen.h), AllowedIPs 10.(10 + i / 65536).
 *       (i / 256 % 256).(i % 256)/32, Endpoint 203.0.113.(1 + i % 254):(20000 + i / 254),
 *       PersistentKeepalive 25.
 *   clients run ROUTER_PUBKEY N [SEED]
 *       client i listens on its endpoint above (the addresses must be local: peers.sh
 *       routes 203.0.113.0/24 to lo in the clients' namespace) and answers as a real
 *       client does: each is a protocol core (src/core) of its own, its identity's key,
 *       the router its one peer, real clocks and randomness. One thread, epoll over the N
 *       sockets; every core's timers run once a second. On SIGTERM or SIGINT it prints
 *       one line of key=value counts: initiations and keepalives received, responses
 *       sent, datagrams the cores dropped.
 *   clients blast ROUTER_PUBKEY N SECONDS ROUTER_IP:PORT [-l LEN] [-B BURST] [-s SEED]
 *       the same N clients, now sending: each handshakes with the router (its endpoint
 *       given), then for SECONDS they send UDP datagrams of LEN bytes (default 1392, the
 *       largest in a 1420-byte tunnel MTU) from their tunnel address to 10.9.0.1 port 9,
 *       sealed by their own cores, BURST (default 1) from one client before the next
 *       one's turn: 1 interleaves the peers datagram by datagram, the hardest case
 *       for the router's batching. One thread, one sendto a datagram. Prints
 *       handshakes=, sent=, bytes=, seconds=.
 *
 * A benchmark's tool: it answers what arrives and counts, and never judges a figure. */
#include "handshake_gen.h"
#include "platform/csum.h"
#include "platform/vnet.h"
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

struct client {
	struct wg_device *dev;
	int fd;
	struct wg_sink sink; /* what its core sends goes out of fd */
};

struct counts {
	unsigned long initiations, keepalives, responses, other_sent;
};

static volatile sig_atomic_t stop;
static struct counts counts;

static void on_signal(int sig) { stop = 1; }

static void client_endpoint(struct sockaddr_in *sin, int i)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)(20000 + i / 254));
	sin->sin_addr.s_addr = htonl((203u << 24) | (0u << 16) | (113u << 8) | (uint32_t)(1 + i % 254));
}

static int peers(int n, uint32_t seed)
{
	for (int i = 0; i < n; i++) {
		char b64[WG_KEY_B64_LEN + 1], ep[INET_ADDRSTRLEN];
		struct sockaddr_in sin;
		hs_identity_b64(b64, seed, (uint32_t)i);
		client_endpoint(&sin, i);
		inet_ntop(AF_INET, &sin.sin_addr, ep, sizeof(ep));
		printf("[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.%d/32\nEndpoint = %s:%d\n"
		       "PersistentKeepalive = 25\n\n",
		       b64, 10 + i / 65536, (i / 256) % 256, i % 256, ep, ntohs(sin.sin_port));
	}
	return 0;
}

static uint64_t mono_ns(void *ctx) { return hs_clock_ns(CLOCK_MONOTONIC); }
static uint64_t wall_ns(void *ctx) { return hs_clock_ns(CLOCK_REALTIME); }

/* The sink's ctx is the client: a datagram goes out of its own socket. */
static void client_send(void *ctx, struct wg_peer *peer, const struct wg_endpoint *to, const uint8_t *buf,
			size_t len)
{
	struct client *c = ctx;
	if (len >= 4 && buf[0] == WG_MSG_RESPONSE)
		counts.responses++;
	else
		counts.other_sent++;
	socklen_t alen = to->addr.sa.sa_family == AF_INET6 ? sizeof(to->addr.sin6) : sizeof(to->addr.sin);
	sendto(c->fd, buf, len, MSG_DONTWAIT, &to->addr.sa, alen);
}

static void client_deliver(void *ctx, struct wg_peer *peer, uint8_t *pkt, size_t len) {}

static int client_open(struct client *c, int i, const uint8_t router_pub[WG_KEY_LEN], uint32_t seed)
{
	static const struct wg_env env = { .mono_ns = mono_ns, .wall_ns = wall_ns, .random = hs_os_random };
	struct sockaddr_in sin;
	uint8_t priv[WG_KEY_LEN];
	int one = 1;

	client_endpoint(&sin, i);
	c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || setsockopt(c->fd, SOL_IP, IP_FREEBIND, &one, sizeof(one)) ||
	    bind(c->fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("clients: socket");
		return -1;
	}
	c->dev = wg_device_new(&env);
	if (!c->dev)
		return -1;
	c->sink = (struct wg_sink){ .ctx = c, .send = client_send, .deliver = client_deliver };
	hs_identity(priv, seed, (uint32_t)i);
	wg_device_set_private_key(c->dev, priv);
	wg_wipe(priv, sizeof(priv));
	return wg_device_add_peer(c->dev, router_pub) ? 0 : -1;
}

/* Counts what arrives by its message type before the core decrypts it in place. */
static void count_in(const uint8_t *buf, ssize_t len)
{
	if (len >= 4 && buf[0] == WG_MSG_INITIATION)
		counts.initiations++;
	else if (len == WG_MSG_DATA_MIN_LEN && buf[0] == WG_MSG_DATA)
		counts.keepalives++;
}

static void client_drain(struct client *c)
{
	uint8_t buf[2048];
	for (;;) {
		struct wg_endpoint from;
		socklen_t alen = sizeof(from.addr);
		memset(&from, 0, sizeof(from));
		ssize_t len = recvfrom(c->fd, buf, sizeof(buf), 0, &from.addr.sa, &alen);
		if (len < 0)
			return;
		count_in(buf, len);
		wg_device_receive(c->dev, &from, buf, (size_t)len, &c->sink);
	}
}

static void tick_all(struct client *cl, int n)
{
	uint64_t now = hs_clock_ns(CLOCK_MONOTONIC);
	for (int i = 0; i < n; i++)
		if (wg_device_next_deadline(cl[i].dev) <= now)
			wg_device_tick(cl[i].dev, &cl[i].sink);
}

static unsigned long drops(struct client *cl, int n)
{
	unsigned long sum = 0;
	for (int i = 0; i < n; i++)
		for (int d = 0; d < WG_DROP__COUNT; d++)
			sum += wg_device_stats(cl[i].dev)->drops[d];
	return sum;
}

/* N clients, each on its socket, all in one epoll set; NULL on failure. */
static struct client *open_all(const uint8_t router_pub[WG_KEY_LEN], int n, uint32_t seed, int *ep)
{
	struct rlimit rl = { .rlim_cur = (rlim_t)n + 64, .rlim_max = (rlim_t)n + 64 };
	struct client *cl = calloc((size_t)n, sizeof(*cl));

	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("clients: setrlimit"); /* enough if N is small */
	*ep = epoll_create1(EPOLL_CLOEXEC);
	if (!cl || *ep < 0)
		return NULL;
	for (int i = 0; i < n; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &cl[i] };
		if (client_open(&cl[i], i, router_pub, seed) || epoll_ctl(*ep, EPOLL_CTL_ADD, cl[i].fd, &ev))
			return NULL;
	}
	return cl;
}

/* Answers what arrives for up to timeout_ms; every core's timers run once a second. */
static void serve(int ep, struct client *cl, int n, int timeout_ms, double *next_tick)
{
	struct epoll_event evs[256];
	int k = epoll_wait(ep, evs, 256, timeout_ms);
	for (int j = 0; j < k; j++)
		client_drain(evs[j].data.ptr);
	if (bench_now() >= *next_tick) {
		tick_all(cl, n);
		*next_tick += 1;
	}
}

static int run(const uint8_t router_pub[WG_KEY_LEN], int n, uint32_t seed)
{
	int ep;
	struct client *cl = open_all(router_pub, n, seed, &ep);
	if (!cl)
		return 1;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	fprintf(stderr, "clients: %d listening\n", n);
	double next_tick = bench_now() + 1;
	while (!stop)
		serve(ep, cl, n, 200, &next_tick);
	printf("initiations=%lu keepalives=%lu responses=%lu other_sent=%lu dropped=%lu\n", counts.initiations,
	       counts.keepalives, counts.responses, counts.other_sent, drops(cl, n));
	return 0;
}

static bool handshaken(const struct client *c)
{
	struct wg_peer_stats st;
	wg_peer_stats(wg_device_first_peer(c->dev), &st);
	return st.last_handshake_wall_ns != 0;
}

/* Client i's inner datagram: IPv4/UDP from its tunnel address to 10.9.0.1:9. */
static size_t inner_packet(uint8_t *p, int i, size_t len)
{
	static const uint8_t dst[4] = { 10, 9, 0, 1 };
	uint8_t *u = p + IP4_HDR_MIN;
	memset(p, 0, IP4_HDR_MIN + 8);
	p[0] = 0x45;
	wg_put16(p + IP4_TOTLEN, (uint16_t)len);
	p[IP4_TTL] = 64;
	p[IP4_PROTO] = IPPROTO_UDP;
	memcpy(p + IP4_SRC, (uint8_t[4]){ 10, (uint8_t)(10 + i / 65536), (uint8_t)(i / 256), (uint8_t)i }, 4);
	memcpy(p + IP4_DST, dst, 4);
	wg_put_csum(p + IP4_CSUM, wg_csum_final(wg_csum_add(0, p, IP4_HDR_MIN)));
	wg_put16(u, 40000);  /* source port */
	wg_put16(u + 2, 9);  /* discard; the UDP checksum 0 means none */
	wg_put16(u + UDP_LEN, (uint16_t)(len - IP4_HDR_MIN));
	return len;
}

static int blast(const uint8_t router_pub[WG_KEY_LEN], int n, double seconds, const char *router, int argc,
		 char **argv)
{
	size_t len = 1392;
	int burst = 1;
	uint32_t seed = 1;
	for (int i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-l")) len = (size_t)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-B")) burst = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-s")) seed = (uint32_t)strtoul(argv[i + 1], NULL, 10);
	}
	char host[64];
	const char *colon = strrchr(router, ':');
	struct wg_endpoint to = { 0 };
	if (len < 28 || len > 1420 || burst < 1 || !colon || (size_t)(colon - router) >= sizeof(host))
		return 2;
	memcpy(host, router, (size_t)(colon - router));
	host[colon - router] = 0;
	to.addr.sin.sin_family = AF_INET;
	to.addr.sin.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &to.addr.sin.sin_addr) != 1)
		return 2;
	int ep;
	struct client *cl = open_all(router_pub, n, seed, &ep);
	if (!cl)
		return 1;
	static const uint8_t tunnel[4] = { 10, 9, 0, 0 };
	for (int i = 0; i < n; i++) {
		struct wg_peer *r = wg_device_first_peer(cl[i].dev);
		wg_peer_set_endpoint(r, &to);
		wg_peer_add_allowed_ip(r, AF_INET, tunnel, 16);
		wg_peer_send_keepalive(r, &cl[i].sink); /* no session: an initiation */
	}
	double next_tick = bench_now() + 1, until = bench_now() + 10;
	int done = 0;
	while (done < n && bench_now() < until) {
		serve(ep, cl, n, 50, &next_tick);
		done = 0;
		for (int i = 0; i < n; i++)
			done += handshaken(&cl[i]);
	}
	uint8_t buf[WG_HEADROOM + 1500 + WG_TAILROOM];
	unsigned long sent = 0, turns = 0;
	double t0 = bench_now(), t1 = t0;
	for (int i = 0; t1 - t0 < seconds; i = (i + 1) % n) {
		for (int b = 0; b < burst; b++)
			wg_device_send(cl[i].dev, buf + WG_HEADROOM, inner_packet(buf + WG_HEADROOM, i, len), &cl[i].sink);
		sent += (unsigned long)burst;
		if (++turns % 1024 == 0) { /* now and then: answers, timers, the clock */
			serve(ep, cl, n, 0, &next_tick);
			t1 = bench_now();
		}
	}
	printf("handshakes=%d sent=%lu bytes=%lu seconds=%.3f\n", done, sent, sent * (unsigned long)len, t1 - t0);
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t router_pub[WG_KEY_LEN];
	if (argc >= 3 && !strcmp(argv[1], "peers"))
		return peers(atoi(argv[2]), argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 1);
	if (argc >= 4 && !strcmp(argv[1], "run") && wg_key_from_base64(router_pub, argv[2]) && atoi(argv[3]) > 0)
		return run(router_pub, atoi(argv[3]), argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 1);
	if (argc >= 6 && !strcmp(argv[1], "blast") && wg_key_from_base64(router_pub, argv[2]) && atoi(argv[3]) > 0)
		return blast(router_pub, atoi(argv[3]), atof(argv[4]), argv[5], argc - 6, argv + 6);
	fprintf(stderr, "usage: clients peers N [SEED]\n"
			"       clients run ROUTER_PUBKEY N [SEED]\n"
			"       clients blast ROUTER_PUBKEY N SECONDS ROUTER_IP:PORT [-l LEN] [-B BURST] [-s SEED]\n");
	return 2;
}
