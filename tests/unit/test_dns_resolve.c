/* The router's DNS client against a tiny server on 127.0.0.1 (answers one A query
 * with a compressed name, as real servers do), plus the packet builder/parser. */
#include "test.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include "dns/resolve.h"

static int srv_fd;

/* Echoes the question, adds a CNAME and then an A record 192.0.2.55 (ttl 60). */
static void *server(void *arg)
{
	unsigned char q[512], r[600];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(srv_fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
	if (n < 12)
		return NULL;
	size_t o = (size_t)n;
	memcpy(r, q, o);
	r[2] = 0x81;
	r[3] = 0x80;
	r[7] = 2; /* two answers */
	static const unsigned char cname[] = { 0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 12 };
	static const unsigned char a[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 55 };
	memcpy(r + o, cname, sizeof(cname));
	o += sizeof(cname);
	memcpy(r + o, a, sizeof(a));
	o += sizeof(a);
	sendto(srv_fd, r, o, 0, (struct sockaddr *)&from, fl);
	return NULL;
}

TEST(dns_query_format)
{
	unsigned char b[300];
	int n = wg_dns_query(b, sizeof(b), 0x1234, "vpn.example.com", 1);
	static const unsigned char want[] = { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'v', 'p', 'n', 7, 'e', 'x',
					      'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1 };
	CHECK_EQ(n, sizeof(want));
	CHECK_MEM(b, want, sizeof(want));
	CHECK_EQ(wg_dns_query(b, sizeof(b), 1, "bad..name", 1), -1);
}

TEST(dns_resolve_from_configured_server)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	srv_fd = socket(AF_INET, SOCK_DGRAM, 0);
	/* port 53 needs root; skip where it cannot be bound */
	a.sin_port = htons(53);
	if (bind(srv_fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		printf("SKIP test_dns_resolve:dns_resolve_from_configured_server (cannot bind 127.0.0.1:53)\n");
		close(srv_fd);
		return;
	}
	pthread_t th;
	pthread_create(&th, NULL, server, NULL);
	const char *servers[] = { "127.0.0.1" };
	struct sockaddr_storage ss;
	CHECK_EQ(wg_dns_resolve(servers, 1, "peer.dyn.example", 51820, &ss, 2000), 0);
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	char buf[32];
	CHECK(ss.ss_family == AF_INET && !strcmp(inet_ntop(AF_INET, &s4->sin_addr, buf, sizeof(buf)), "192.0.2.55"));
	CHECK_EQ(ntohs(s4->sin_port), 51820);
	pthread_join(th, NULL);
	close(srv_fd);
}
