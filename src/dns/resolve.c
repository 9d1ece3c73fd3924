/* See resolve.h. A plain RFC 1035 client over UDP: one question, recursion desired, answers
 * read with name compression skipped (wire.c), sent through upstream.c. */
#include "dns/resolve.h"
#include <arpa/inet.h>
#include <string.h>
#include "crypto/crypto.h"
#include "dns/upstream.h"

int wg_dns_query(unsigned char *buf, size_t len, unsigned id, const char *host, int qtype)
{
	if (len < WG_DNS_HDR + 4)
		return -1;
	int nl = wg_dns_name_encode(host, buf + WG_DNS_HDR, len - WG_DNS_HDR - 4, false);
	if (nl < 0)
		return -1;
	memset(buf, 0, WG_DNS_HDR);
	wg_dns_put16(buf, id);
	buf[2] = 0x01; /* recursion desired */
	buf[5] = 1;    /* one question */
	size_t o = WG_DNS_HDR + (size_t)nl;
	wg_dns_put16(buf + o, (unsigned)qtype);
	wg_dns_put16(buf + o + 2, WG_DNS_C_IN);
	return (int)(o + 4);
}

static int take_address(const unsigned char *rdata, unsigned rdlen, int qtype, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (qtype == WG_DNS_T_A && rdlen == 4) {
		struct sockaddr_in *s = (struct sockaddr_in *)out;
		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, rdata, 4);
		return 0;
	}
	if (qtype == WG_DNS_T_AAAA && rdlen == 16) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)out;
		s->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, rdata, 16);
		return 0;
	}
	return -1;
}

int wg_dns_parse(const unsigned char *b, size_t len, unsigned id, int qtype, struct sockaddr_storage *out)
{
	size_t o = wg_dns_questions_end(b, len);
	if (!o || wg_dns_id(b) != id || !wg_dns_is_reply(b) || wg_dns_rcode(b))
		return -1;
	struct wg_dns_rr rr;
	for (unsigned i = wg_dns_count(b, WG_DNS_AN); i && wg_dns_rr_read(b, len, &o, &rr); i--) {
		/* CNAMEs come first: their target's record follows */
		if ((int)rr.type == qtype && take_address(b + rr.rdata_off, rr.rdlen, qtype, out) == 0)
			return 0;
	}
	return -1;
}

int wg_dns_server_addr(const char *server, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, server, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(53);
		return 0;
	}
	if (inet_pton(AF_INET6, server, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(53);
		return 0;
	}
	return -1;
}

static int ask(const char *server, const char *host, int qtype, struct sockaddr_storage *out, int timeout_ms)
{
	struct sockaddr_storage ss;
	struct wg_dns_question q;
	unsigned char query[300], reply[1500];
	uint16_t id;
	wg_os_random(&id, sizeof(id));
	int qlen = wg_dns_query(query, sizeof(query), id, host, qtype);
	if (wg_dns_server_addr(server, &ss) < 0 || qlen < 0 ||
	    wg_dns_question_parse(query, (size_t)qlen, &q) != WG_DNS_OK)
		return -1;
	size_t n = wg_dns_ask_udp(&ss, query, (size_t)qlen, &q, reply, sizeof(reply), timeout_ms, -1);
	return n ? wg_dns_parse(reply, n, id, qtype, out) : -1;
}

int wg_dns_resolve(const char *const *servers, size_t nservers, const char *host, unsigned port,
		   struct sockaddr_storage *out, int timeout_ms)
{
	static const int types[] = { WG_DNS_T_A, WG_DNS_T_AAAA };
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
