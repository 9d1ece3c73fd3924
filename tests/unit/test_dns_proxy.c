/* The DNS server for clients on loopback, without root: forwarding to fake upstream
 * servers (one that never answers, one that truncates, one that fails), the whole proxy
 * on a free port (statics, forwarding, cache, TCP, malformed input, reconfiguration,
 * stop), and /ip/dns allow-remote-requests and /ip/dns/static through the console. */
#include "test.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include "dns/resolve.h"
#include "dns/proxy.h"
#include "dns/upstream.h"
#include "test_console_fixture.h"
#include "util/clock.h"

/* ---- a fake upstream server on 127.0.0.1 ---- */

enum mode { ANSWER, SILENT, TRUNCATE, FAIL };

struct upstream {
	int udp, tcp;
	uint16_t port;
	enum mode mode;
	atomic_int udp_queries, tcp_queries;
	atomic_uint last_id; /* the id of the last query it saw */
	atomic_bool stop;
	pthread_t th;
};

/* Every name is 203.0.113.80 (ttl 300); TRUNCATE: TC and no records over UDP. */
static size_t up_reply(struct upstream *u, const uint8_t *in, size_t n, uint8_t *out, bool tcp)
{
	static const uint8_t addr[4] = { 203, 0, 113, 80 };
	struct wg_dns_question q;
	if (wg_dns_question_parse(in, n, &q) != WG_DNS_OK)
		return 0;
	atomic_store(&u->last_id, q.id);
	memcpy(out, in, q.end);
	out[2] |= 0x80;
	out[3] = 0x80 | (u->mode == FAIL ? WG_DNS_SERVFAIL : 0);
	memset(out + 6, 0, 6);
	if (u->mode == FAIL || (u->mode == TRUNCATE && !tcp)) {
		out[2] |= u->mode == TRUNCATE ? 0x02 : 0;
		return q.end;
	}
	return wg_dns_add_address(out, 512, q.end, WG_DNS_T_A, 300, addr);
}

static void up_udp(struct upstream *u)
{
	uint8_t in[512], out[512];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(u->udp, in, sizeof(in), 0, (struct sockaddr *)&from, &fl);
	atomic_fetch_add(&u->udp_queries, 1);
	size_t r = n > 0 && u->mode != SILENT ? up_reply(u, in, (size_t)n, out, false) : 0;
	if (r)
		sendto(u->udp, out, r, 0, (struct sockaddr *)&from, fl);
}

static void up_tcp(struct upstream *u)
{
	uint8_t in[514], out[514];
	int fd = accept(u->tcp, NULL, NULL);
	ssize_t n = fd >= 0 ? recv(fd, in, sizeof(in), 0) : -1;
	atomic_fetch_add(&u->tcp_queries, 1);
	size_t r = n > 2 ? up_reply(u, in + 2, (size_t)n - 2, out + 2, true) : 0;
	wg_dns_put16(out, (unsigned)r);
	if (r)
		send(fd, out, r + 2, MSG_NOSIGNAL);
	if (fd >= 0)
		close(fd);
}

static void *up_main(void *arg)
{
	struct upstream *u = arg;
	struct pollfd pf[2] = { { .fd = u->udp, .events = POLLIN }, { .fd = u->tcp, .events = POLLIN } };
	while (!atomic_load(&u->stop)) {
		if (poll(pf, 2, 20) <= 0)
			continue;
		if (pf[0].revents)
			up_udp(u);
		if (pf[1].revents)
			up_tcp(u);
	}
	return NULL;
}

static int bound_socket(int type, uint16_t port, uint16_t *got)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || (type == SOCK_STREAM && listen(fd, 8) < 0)) {
		close(fd);
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&a, &al);
	*got = ntohs(a.sin_port);
	return fd;
}

static struct upstream *up_start(enum mode mode)
{
	struct upstream *u = calloc(1, sizeof(*u));
	u->mode = mode;
	do {
		u->udp = bound_socket(SOCK_DGRAM, 0, &u->port);
		u->tcp = bound_socket(SOCK_STREAM, u->port, &u->port);
		if (u->tcp < 0)
			close(u->udp);
	} while (u->tcp < 0);
	pthread_create(&u->th, NULL, up_main, u);
	return u;
}

static void up_stop(struct upstream *u)
{
	atomic_store(&u->stop, true);
	pthread_join(u->th, NULL);
	close(u->udp);
	close(u->tcp);
	free(u);
}

static struct sockaddr_storage server_of(uint16_t port)
{
	struct sockaddr_storage ss;
	wg_dns_server_addr("127.0.0.1", &ss);
	((struct sockaddr_in *)&ss)->sin_port = htons(port);
	return ss;
}

/* ---- a client ---- */

static size_t make_query(uint8_t *q, const char *name, int type)
{
	return (size_t)wg_dns_query(q, 300, 0x4242, name, type);
}

/* One query to the proxy on 127.0.0.1 (or ::1) port; the reply's length, 0 on timeout. */
static size_t ask_at(const char *ip, uint16_t port, bool tcp, const char *name, int type, uint8_t *r, int timeout_ms)
{
	struct sockaddr_storage ss;
	wg_dns_server_addr(ip, &ss);
	((struct sockaddr_in *)&ss)->sin_port = htons(port); /* same offset in sockaddr_in6 */
	uint8_t q[300];
	size_t qn = make_query(q, name, type);
	struct wg_dns_question qq;
	wg_dns_question_parse(q, qn, &qq);
	return tcp ? wg_dns_ask_tcp(&ss, q, qn, &qq, r, 65535, timeout_ms, -1)
		   : wg_dns_ask_udp(&ss, q, qn, &qq, r, 65535, timeout_ms, -1);
}

static size_t ask(uint16_t port, bool tcp, const char *name, int type, uint8_t *r)
{
	return ask_at("127.0.0.1", port, tcp, name, type, r, 3000);
}

/* The address in the last record of a reply, as text ("" when there is none). */
static const char *last_addr(const uint8_t *r, size_t n, char *buf)
{
	size_t o = wg_dns_questions_end(r, n);
	struct wg_dns_rr rr = { 0 };
	buf[0] = 0;
	for (unsigned i = wg_dns_count(r, WG_DNS_AN); i && o && wg_dns_rr_read(r, n, &o, &rr); i--)
		inet_ntop(rr.rdlen == 4 ? AF_INET : AF_INET6, r + rr.rdata_off, buf, 64);
	return buf;
}

/* ---- forwarding ---- */

static size_t forward(const struct sockaddr_storage *servers, size_t n, bool tcp, uint8_t *out)
{
	uint8_t q[300];
	size_t qn = make_query(q, "example.test", WG_DNS_T_A);
	struct wg_dns_question qq;
	wg_dns_question_parse(q, qn, &qq);
	return wg_dns_forward(servers, n, q, qn, &qq, tcp, out, 65535, -1);
}

TEST(forward_next_server_after_timeout)
{
	struct upstream *silent = up_start(SILENT), *good = up_start(ANSWER);
	struct sockaddr_storage s[2] = { server_of(silent->port), server_of(good->port) };
	uint8_t r[65535];
	char a[64];
	uint64_t t0 = wg_mono_ms();
	size_t n = forward(s, 2, false, r);
	uint64_t took = wg_mono_ms() - t0;
	CHECK(n > 0 && !strcmp(last_addr(r, n, a), "203.0.113.80"));
	CHECK(took >= WG_DNS_TRY_MS - 50 && took < WG_DNS_TRY_MS + 1000, "took %llu ms", (unsigned long long)took);
	CHECK_EQ(atomic_load(&silent->udp_queries), 1);
	CHECK_EQ(wg_dns_id(r), 0x4242); /* the client's id back ... */
	unsigned first = atomic_load(&good->last_id);
	CHECK(forward(s + 1, 1, false, r) > 0);
	/* ... while upstream saw fresh random ones (two equal to ours: 1 in 2^32) */
	CHECK(first != 0x4242 || atomic_load(&good->last_id) != 0x4242);
	up_stop(silent);
	up_stop(good);
}

TEST(forward_truncated_answers)
{
	struct upstream *u = up_start(TRUNCATE);
	struct sockaddr_storage s = server_of(u->port);
	uint8_t r[65535];
	char a[64];
	/* a UDP client gets TC, so it asks again over TCP itself */
	size_t n = forward(&s, 1, false, r);
	CHECK(n > 0 && wg_dns_truncated(r) && !last_addr(r, n, a)[0]);
	CHECK_EQ(atomic_load(&u->tcp_queries), 0);
	/* a TCP client gets the whole answer, asked over TCP */
	n = forward(&s, 1, true, r);
	CHECK(n > 0 && !wg_dns_truncated(r) && !strcmp(last_addr(r, n, a), "203.0.113.80"));
	CHECK_EQ(atomic_load(&u->tcp_queries), 1);
	up_stop(u);
}

TEST(forward_all_fail)
{
	struct upstream *bad = up_start(FAIL), *gone = up_start(ANSWER);
	struct sockaddr_storage s[2] = { server_of(bad->port), server_of(gone->port) };
	up_stop(gone); /* its port now answers with ICMP port unreachable */
	uint8_t r[65535];
	uint64_t t0 = wg_mono_ms();
	CHECK_EQ(forward(s, 2, false, r), 0);
	CHECK(wg_mono_ms() - t0 < 1000); /* SERVFAIL and refused: no waiting */
	CHECK_EQ(atomic_load(&bad->udp_queries), 1);
	up_stop(bad);
}

/* ---- the proxy ---- */

static struct wg_dns_static nas[2];

static struct wg_dns_proxy_conf conf_of(const struct sockaddr_storage *servers, size_t n)
{
	wg_dns_static_init(&nas[0], "nas.lab", "192.168.1.10", 3600);
	wg_dns_static_init(&nas[1], "nas.lab", "fd00::10", 3600);
	return (struct wg_dns_proxy_conf){ .servers = servers, .nservers = n, .statics = nas, .nstatics = 2,
					   .cache_bytes = 1 << 20, .max_ttl = 604800 };
}

/* On a free port; *port says which. */
static struct wg_dns_proxy *proxy_on_free_port(struct wg_dns_proxy_conf *c)
{
	int err = 0;
	for (int i = 0; i < 100; i++) {
		uint32_t rnd;
		wg_os_random(&rnd, sizeof(rnd));
		c->port = (uint16_t)(20000 + rnd % 40000);
		struct wg_dns_proxy *p = wg_dns_proxy_start(c, &err);
		if (p)
			return p;
	}
	printf("  no free port: %s\n", strerror(-err));
	return NULL;
}

/* No socket of the proxy is left on the port. SO_REUSEADDR: a TCP connection the proxy
 * closed first stays in TIME_WAIT after every socket is gone, and must not count. */
static bool port_free(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	bool ok = true;
	for (int i = 0; i < 2; i++) {
		int type = types[i], fd = socket(AF_INET, type | SOCK_CLOEXEC, 0), one = 1;
		if (type == SOCK_STREAM) /* for UDP it would share a socket still bound */
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		ok &= fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && (type == SOCK_DGRAM || listen(fd, 8) == 0);
		if (fd >= 0)
			close(fd);
	}
	return ok;
}

TEST(proxy_statics_forward_cache_tcp)
{
	struct upstream *u = up_start(ANSWER);
	struct sockaddr_storage s = server_of(u->port);
	struct wg_dns_proxy_conf c = conf_of(&s, 1);
	struct wg_dns_proxy *p = proxy_on_free_port(&c);
	struct wg_dns_proxy_stats st;
	uint8_t r[65535];
	char a[64];
	size_t n;
	if (!p)
		return test_fail(__FILE__, __LINE__, "proxy did not start");
	n = ask(c.port, false, "NAS.lab", WG_DNS_T_A, r);
	CHECK(n && !strcmp(last_addr(r, n, a), "192.168.1.10"));
	n = ask(c.port, false, "nas.lab", WG_DNS_T_AAAA, r);
	CHECK(n && !strcmp(last_addr(r, n, a), "fd00::10"));
	CHECK_EQ(atomic_load(&u->udp_queries), 0);
	/* forwarded, then from the cache */
	n = ask(c.port, false, "example.test", WG_DNS_T_A, r);
	CHECK(n && !strcmp(last_addr(r, n, a), "203.0.113.80"));
	n = ask(c.port, false, "Example.Test", WG_DNS_T_A, r);
	CHECK(n && !strcmp(last_addr(r, n, a), "203.0.113.80"));
	CHECK_EQ(atomic_load(&u->udp_queries), 1);
	/* over TCP: a cached name, and one that has to go upstream */
	n = ask(c.port, true, "example.test", WG_DNS_T_A, r);
	CHECK(n && !strcmp(last_addr(r, n, a), "203.0.113.80"));
	n = ask(c.port, true, "other.test", WG_DNS_T_A, r);
	CHECK(n && !strcmp(last_addr(r, n, a), "203.0.113.80"));
	CHECK_EQ(atomic_load(&u->udp_queries), 2);
	/* IPv6 clients, where the host has IPv6 */
	int v6 = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 l6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	if (v6 >= 0 && bind(v6, (struct sockaddr *)&l6, sizeof(l6)) == 0) {
		n = ask_at("::1", c.port, false, "nas.lab", WG_DNS_T_A, r, 1000);
		CHECK(n && !strcmp(last_addr(r, n, a), "192.168.1.10"));
	}
	if (v6 >= 0)
		close(v6);
	wg_dns_proxy_stats(p, &st);
	CHECK_EQ(st.from_cache, 2);
	CHECK_EQ(st.forwarded, 2);
	CHECK(st.from_static >= 2);
	CHECK(st.cache_used > 0);
	wg_dns_proxy_stop(p);
	CHECK(port_free(c.port));
	up_stop(u);
}

TEST(proxy_drops_malformed)
{
	struct wg_dns_proxy_conf c = conf_of(NULL, 0);
	struct wg_dns_proxy *p = proxy_on_free_port(&c);
	if (!p)
		return test_fail(__FILE__, __LINE__, "proxy did not start");
	static const char *const bad[] = {
		"1234 0100 0000 0000 0000 0000",                   /* zero questions */
		"1234 0100 0001 0000 0000 0000 3f6e6173",          /* label past the end */
		"1234 0100 0001 0000 0000 0000 036e6173 c00c",     /* compression loop */
		"12",                                              /* not even a header */
	};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(c.port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	for (size_t i = 0; i < 4; i++) {
		uint8_t b[64];
		sendto(fd, b, test_unhex(b, sizeof(b), bad[i]), 0, (struct sockaddr *)&to, sizeof(to));
	}
	/* a TCP client sending garbage is closed */
	int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	uint8_t junk[] = { 0, 4, 1, 2, 3, 4 }, r[512];
	CHECK(connect(t, (struct sockaddr *)&to, sizeof(to)) == 0);
	send(t, junk, sizeof(junk), MSG_NOSIGNAL);
	struct timeval tv = { .tv_sec = 3 };
	setsockopt(t, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	CHECK_EQ(recv(t, r, sizeof(r), 0), 0);
	close(t);
	/* still serving, and no servers means SERVFAIL */
	size_t n = ask(c.port, false, "nas.lab", WG_DNS_T_A, r);
	CHECK(n && wg_dns_count(r, WG_DNS_AN) == 1); /* the A of the two statics */
	n = ask(c.port, false, "example.test", WG_DNS_T_A, r);
	CHECK(n && wg_dns_rcode(r) == WG_DNS_SERVFAIL);
	struct wg_dns_proxy_stats st;
	wg_dns_proxy_stats(p, &st);
	CHECK_EQ(st.malformed, 5);
	CHECK_EQ(st.failed, 1);
	close(fd);
	wg_dns_proxy_stop(p);
}

TEST(proxy_reconfigured)
{
	struct upstream *u1 = up_start(ANSWER), *u2 = up_start(ANSWER);
	struct sockaddr_storage s1 = server_of(u1->port), s2 = server_of(u2->port);
	struct wg_dns_proxy_conf c = conf_of(&s1, 1);
	struct wg_dns_proxy *p = proxy_on_free_port(&c);
	uint8_t r[65535];
	char a[64];
	if (!p)
		return test_fail(__FILE__, __LINE__, "proxy did not start");
	CHECK(ask(c.port, false, "example.test", WG_DNS_T_A, r));
	/* a static for a name that was cached wins; a removed static goes upstream */
	struct wg_dns_static st[1];
	wg_dns_static_init(&st[0], "example.test", "192.0.2.7", 60);
	c.statics = st;
	c.nstatics = 1;
	wg_dns_proxy_update(p, &c);
	size_t n = ask(c.port, false, "example.test", WG_DNS_T_A, r);
	CHECK(n && !strcmp(last_addr(r, n, a), "192.0.2.7"));
	n = ask(c.port, false, "nas.lab", WG_DNS_T_A, r);
	CHECK(n && !strcmp(last_addr(r, n, a), "203.0.113.80"));
	CHECK_EQ(atomic_load(&u1->udp_queries), 2);
	/* new servers: the old ones' answers are not served on */
	c.servers = &s2;
	c.nstatics = 0;
	wg_dns_proxy_update(p, &c);
	CHECK(ask(c.port, false, "nas.lab", WG_DNS_T_A, r));
	CHECK_EQ(atomic_load(&u1->udp_queries), 2);
	CHECK_EQ(atomic_load(&u2->udp_queries), 1);
	wg_dns_proxy_stop(p);
	up_stop(u1);
	up_stop(u2);
}

/* Stopping does not wait for a server that never answers. */
TEST(proxy_stops_with_queries_out)
{
	struct upstream *silent = up_start(SILENT);
	struct sockaddr_storage s = server_of(silent->port);
	struct wg_dns_proxy_conf c = conf_of(&s, 1);
	struct wg_dns_proxy *p = proxy_on_free_port(&c);
	uint8_t q[300];
	if (!p)
		return test_fail(__FILE__, __LINE__, "proxy did not start");
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(c.port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	sendto(fd, q, make_query(q, "slow.test", WG_DNS_T_A), 0, (struct sockaddr *)&to, sizeof(to));
	for (int i = 0; i < 100 && !atomic_load(&silent->udp_queries); i++)
		usleep(10000);
	uint64_t t0 = wg_mono_ms();
	wg_dns_proxy_stop(p);
	CHECK(wg_mono_ms() - t0 < 500);
	close(fd);
	up_stop(silent);
}

TEST(proxy_port_taken)
{
	uint16_t port;
	int fd = bound_socket(SOCK_DGRAM, 0, &port), err = 0;
	struct wg_dns_proxy_conf c = conf_of(NULL, 0);
	/* bound to 127.0.0.1 only; the proxy wants every address of the port */
	c.port = port;
	struct wg_dns_proxy *p = wg_dns_proxy_start(&c, &err);
	CHECK(!p);
	CHECK_EQ(err, -EADDRINUSE);
	wg_dns_proxy_stop(p);
	close(fd);
}

/* ---- through the console ---- */

static uint16_t free_port(void)
{
	struct wg_dns_proxy_conf c = conf_of(NULL, 0);
	struct wg_dns_proxy *p = proxy_on_free_port(&c);
	wg_dns_proxy_stop(p);
	return c.port;
}

TEST(console_static_menu)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/ip/dns/static/add name=nas.lab address=192.168.1.10"), 0);
	CHECK_EQ(fx_run(f, "/ip/dns/static/add name=nas.lab address=fd00::10 ttl=5m comment=v6"), 0);
	CHECK_EQ(fx_run(f, "/ip/dns/static/add name=NAS.lab address=192.168.1.10"), -1);
	CHECK(strstr(fx_err(f), "failure: already have such entry"));
	CHECK_EQ(fx_run(f, "/ip/dns/static/add name=bad..name address=192.168.1.10"), -1);
	CHECK(strstr(fx_err(f), "invalid value for argument name"));
	CHECK_EQ(fx_run(f, "/ip/dns/static/add name=nas.lab address=nas"), -1);
	CHECK(strstr(fx_err(f), "invalid value for argument address"));
	CHECK_EQ(fx_run(f, "/ip/dns/static/add address=192.168.1.11"), -1);
	CHECK(strstr(fx_run_out(f, ":put [/ip/dns/static/get 1 type]"), "AAAA"));
	CHECK(strstr(fx_run_out(f, ":put [/ip/dns/static/get 0 type]"), "A\n"));
	char *ex = fx_export_flat(f, NULL);
	CHECK(strstr(ex, "/ip dns static\nadd address=192.168.1.10 name=nas.lab\n"
			 "add address=fd00::10 comment=v6 name=nas.lab ttl=5m\n"), "%s", ex);
	free(ex);
	CHECK_EQ(fx_run(f, "/ip/dns/static/print count-only"), 0);
	CHECK(!strcmp(fx_last(f), "2\n"));
	fx_free(f);
}

TEST(console_allow_remote_requests)
{
	fx_dns_port = free_port();
	struct fx *f = fx_new();
	uint8_t r[65535];
	char a[64];
	CHECK_EQ(fx_run(f, "/ip/dns/static/add name=nas.lab address=192.168.1.10"), 0);
	CHECK_EQ(ask_at("127.0.0.1", fx_dns_port, false, "nas.lab", WG_DNS_T_A, r, 300), 0); /* off by default */
	CHECK_EQ(fx_run(f, "/ip/dns/set allow-remote-requests=yes"), 0);
	size_t n = ask(fx_dns_port, false, "nas.lab", WG_DNS_T_A, r);
	CHECK(n && !strcmp(last_addr(r, n, a), "192.168.1.10"));
	/* statics change the running server */
	CHECK_EQ(fx_run(f, "/ip/dns/static/set 0 address=192.168.1.20"), 0);
	n = ask(fx_dns_port, false, "nas.lab", WG_DNS_T_A, r);
	CHECK(n && !strcmp(last_addr(r, n, a), "192.168.1.20"));
	CHECK_EQ(fx_run(f, "/ip/dns/static/disable 0"), 0);
	n = ask(fx_dns_port, false, "nas.lab", WG_DNS_T_A, r);
	CHECK(n && wg_dns_rcode(r) == WG_DNS_SERVFAIL); /* no static, no servers */
	CHECK(strstr(fx_run_out(f, "/ip/dns/print"), "cache-used: 0\n"));
	CHECK_EQ(fx_run(f, "/ip/dns/set allow-remote-requests=no"), 0);
	CHECK(port_free(fx_dns_port));
	/* a port someone else has: a clear error in the log, the router goes on */
	uint16_t got;
	int taken = bound_socket(SOCK_DGRAM, fx_dns_port, &got);
	CHECK_EQ(fx_run(f, "/ip/dns/set allow-remote-requests=yes"), 0);
	CHECK(strstr(fx_run_out(f, "/log/print"), "dns,error DNS server could not listen on port"), "%s", fx_last(f));
	CHECK(strstr(fx_last(f), "Address already in use"));
	CHECK_EQ(fx_run(f, "/ip/dns/static/enable 0"), 0);
	close(taken);
	fx_free(f);
	CHECK(port_free(fx_dns_port));
	fx_dns_port = 0;
}
