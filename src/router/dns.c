/* See dns.h. A plain RFC 1035 client over UDP: one question, recursion desired, answers
 * read with name compression skipped. */
#include "router/dns.h"
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include "crypto/crypto.h"

enum { T_A = 1, T_AAAA = 28, HDR = 12 };

int wg_dns_query(unsigned char *buf, size_t len, unsigned id, const char *host, int qtype)
{
	size_t o = HDR, hl = strlen(host);
	if (hl + HDR + 6 > len || hl > 253)
		return -1;
	memset(buf, 0, HDR);
	buf[0] = (unsigned char)(id >> 8);
	buf[1] = (unsigned char)id;
	buf[2] = 0x01; /* recursion desired */
	buf[5] = 1;    /* one question */
	for (const char *p = host; *p;) {
		size_t n = strcspn(p, ".");
		if (!n || n > 63)
			return -1;
		buf[o++] = (unsigned char)n;
		memcpy(buf + o, p, n);
		o += n;
		p += n + (p[n] == '.');
	}
	buf[o++] = 0;
	buf[o++] = 0;
	buf[o++] = (unsigned char)qtype;
	buf[o++] = 0;
	buf[o++] = 1; /* class IN */
	return (int)o;
}

/* Skips a (possibly compressed) name; the offset after it, or 0 on a bad packet. */
static size_t skip_name(const unsigned char *b, size_t len, size_t o)
{
	while (o < len) {
		if ((b[o] & 0xc0) == 0xc0)
			return o + 2 <= len ? o + 2 : 0;
		if (!b[o])
			return o + 1;
		o += (size_t)b[o] + 1;
	}
	return 0;
}

static int take_address(const unsigned char *rdata, unsigned rdlen, int qtype, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (qtype == T_A && rdlen == 4) {
		struct sockaddr_in *s = (struct sockaddr_in *)out;
		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, rdata, 4);
		return 0;
	}
	if (qtype == T_AAAA && rdlen == 16) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)out;
		s->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, rdata, 16);
		return 0;
	}
	return -1;
}

int wg_dns_parse(const unsigned char *b, size_t len, unsigned id, int qtype, struct sockaddr_storage *out)
{
	if (len < HDR || ((unsigned)b[0] << 8 | b[1]) != id || !(b[2] & 0x80) || (b[3] & 0x0f))
		return -1;
	unsigned qd = (unsigned)b[4] << 8 | b[5], an = (unsigned)b[6] << 8 | b[7];
	size_t o = HDR;
	for (unsigned i = 0; i < qd && o; i++)
		o = skip_name(b, len, o) + 4;
	for (unsigned i = 0; i < an && o && o < len; i++) {
		o = skip_name(b, len, o);
		if (!o || o + 10 > len)
			return -1;
		int type = b[o] << 8 | b[o + 1];
		unsigned rdlen = (unsigned)b[o + 8] << 8 | b[o + 9];
		o += 10;
		if (o + rdlen > len)
			return -1;
		if (type == qtype && take_address(b + o, rdlen, qtype, out) == 0)
			return 0;
		o += rdlen; /* CNAMEs come first: their target's record follows */
	}
	return -1;
}

static int server_addr(const char *server, struct sockaddr_storage *ss, socklen_t *sl)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, server, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(53);
		*sl = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, server, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(53);
		*sl = sizeof(*s6);
		return 0;
	}
	return -1;
}

static int ask(const char *server, const char *host, int qtype, struct sockaddr_storage *out, int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	unsigned char q[300], r[1500];
	uint16_t id;
	if (server_addr(server, &ss, &sl) < 0)
		return -1;
	wg_os_random(&id, sizeof(id));
	int qlen = wg_dns_query(q, sizeof(q), id, host, qtype);
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (qlen < 0 || fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0 || send(fd, q, (size_t)qlen, 0) != qlen) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int rc = -1;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	while (rc < 0 && poll(&pfd, 1, timeout_ms) == 1) {
		ssize_t n = recv(fd, r, sizeof(r), 0);
		if (n <= 0)
			break;
		rc = wg_dns_parse(r, (size_t)n, id, qtype, out);
		if (rc < 0 && n >= 2 && ((unsigned)r[0] << 8 | r[1]) == id)
			break; /* the answer for us, without an address */
	}
	close(fd);
	return rc;
}

int wg_dns_resolve(const char *const *servers, size_t nservers, const char *host, unsigned port,
		   struct sockaddr_storage *out, int timeout_ms)
{
	static const int types[] = { T_A, T_AAAA };
	for (size_t t = 0; t < 2; t++) {
		for (size_t i = 0; i < nservers; i++) {
			if (ask(servers[i], host, types[t], out, timeout_ms) < 0)
				continue;
			if (out->ss_family == AF_INET)
				((struct sockaddr_in *)out)->sin_port = htons((uint16_t)port);
			else
				((struct sockaddr_in6 *)out)->sin6_port = htons((uint16_t)port);
			return 0;
		}
	}
	return -1;
}
