/* See wire.h. Every read is checked against the packet length before it is made;
 * names are skipped rather than followed, so hostile compression costs nothing. */
#include "dns/wire.h"
#include <string.h>

/* ASCII only: DNS compares names case-insensitively in ASCII, whatever the locale. */
static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	wg_dns_put16(p, v >> 16);
	wg_dns_put16(p + 2, v & 0xffff);
}

size_t wg_dns_name_skip(const uint8_t *b, size_t len, size_t o)
{
	while (o < len) {
		unsigned l = b[o];
		if ((l & 0xc0) == 0xc0)
			return o + 2 <= len ? o + 2 : 0;
		if (l & 0xc0)
			return 0; /* 01 and 10 label types are reserved */
		if (!l)
			return o + 1;
		o += 1 + l;
	}
	return 0;
}

size_t wg_dns_questions_end(const uint8_t *b, size_t len)
{
	if (len < WG_DNS_HDR)
		return 0;
	size_t o = WG_DNS_HDR;
	for (unsigned i = wg_dns_count(b, WG_DNS_QD); i; i--) {
		o = wg_dns_name_skip(b, len, o);
		if (!o || o + 4 > len)
			return 0;
		o += 4;
	}
	return o;
}

bool wg_dns_rr_read(const uint8_t *b, size_t len, size_t *off, struct wg_dns_rr *rr)
{
	size_t o = wg_dns_name_skip(b, len, *off);
	if (!o || o + 10 > len)
		return false;
	rr->type = wg_dns_get16(b + o);
	rr->rclass = wg_dns_get16(b + o + 2);
	rr->ttl = get32(b + o + 4);
	rr->ttl_off = o + 4;
	rr->rdlen = wg_dns_get16(b + o + 8);
	rr->rdata_off = o + 10;
	if (rr->rdata_off + rr->rdlen > len)
		return false;
	*off = rr->rdata_off + rr->rdlen;
	return true;
}

/* The question's name: plain labels only, at most 255 bytes; copied lowercased into
 * the key. The offset after it, or 0. */
static size_t question_name(const uint8_t *b, size_t len, struct wg_dns_question *q)
{
	for (size_t o = WG_DNS_HDR; o < len;) {
		unsigned l = b[o];
		if (l > 63 || o + 1 + l > len || o + 1 + l - WG_DNS_HDR > WG_DNS_NAME_MAX)
			return 0; /* a pointer, a reserved label type, or past the end */
		if (!l) {
			q->keylen = o + 1 - WG_DNS_HDR;
			for (size_t i = 0; i < q->keylen; i++)
				q->key[i] = lower(b[WG_DNS_HDR + i]);
			return o + 1;
		}
		o += 1 + l;
	}
	return 0;
}

/* The records after the question must all be well formed; an OPT record tells how much
 * the client takes over UDP. */
static bool question_records(const uint8_t *b, size_t len, struct wg_dns_question *q)
{
	unsigned before_ar = wg_dns_count(b, WG_DNS_AN) + wg_dns_count(b, WG_DNS_NS);
	unsigned total = before_ar + wg_dns_count(b, WG_DNS_AR);
	size_t o = q->end;
	struct wg_dns_rr rr;
	for (unsigned i = 0; i < total; i++) {
		if (!wg_dns_rr_read(b, len, &o, &rr))
			return false;
		if (i >= before_ar && rr.type == WG_DNS_T_OPT && rr.rclass > WG_DNS_UDP_PLAIN)
			q->udp_size = rr.rclass < WG_DNS_UDP_MAX ? rr.rclass : WG_DNS_UDP_MAX;
	}
	return true;
}

enum wg_dns_verdict wg_dns_question_parse(const uint8_t *b, size_t len, struct wg_dns_question *q)
{
	memset(q, 0, sizeof(*q));
	q->udp_size = WG_DNS_UDP_PLAIN;
	if (len < WG_DNS_HDR)
		return WG_DNS_MALFORMED;
	q->id = wg_dns_id(b);
	if (wg_dns_is_reply(b))
		return WG_DNS_MALFORMED;
	if (b[2] & 0x78)
		return WG_DNS_NOT_QUERY;
	if (wg_dns_count(b, WG_DNS_QD) != 1)
		return WG_DNS_MALFORMED;
	size_t o = question_name(b, len, q);
	if (!o || o + 4 > len)
		return WG_DNS_MALFORMED;
	q->qtype = wg_dns_get16(b + o);
	q->qclass = wg_dns_get16(b + o + 2);
	memcpy(q->key + q->keylen, b + o, 4);
	q->keylen += 4;
	q->end = o + 4;
	return question_records(b, len, q) ? WG_DNS_OK : WG_DNS_MALFORMED;
}

int wg_dns_name_encode(const char *name, uint8_t *out, size_t cap, bool lowercase)
{
	size_t o = 0;
	if (!*name)
		return -1;
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, ".");
		if (!n || n > 63 || o + n + 2 > cap || o + n + 2 > WG_DNS_NAME_MAX)
			return -1;
		out[o++] = (uint8_t)n;
		for (size_t i = 0; i < n; i++)
			out[o++] = lowercase ? lower((uint8_t)p[i]) : (uint8_t)p[i];
		p += n + (p[n] == '.');
	}
	out[o++] = 0;
	return (int)o;
}

bool wg_dns_same_question(const uint8_t *r, size_t rlen, const uint8_t *q, size_t qend)
{
	if (qend < WG_DNS_HDR + 5 || rlen < qend || wg_dns_count(r, WG_DNS_QD) != 1)
		return false;
	for (size_t i = WG_DNS_HDR; i < qend - 4; i++)
		if (lower(r[i]) != lower(q[i]))
			return false;
	return !memcmp(r + qend - 4, q + qend - 4, 4); /* type and class exactly */
}

size_t wg_dns_reply_start(uint8_t *out, size_t cap, const uint8_t *query, const struct wg_dns_question *q,
			  unsigned rcode)
{
	size_t end = q->end ? q->end : WG_DNS_HDR; /* NOT_QUERY: header only */
	if (cap < end)
		return 0;
	memset(out, 0, WG_DNS_HDR);
	wg_dns_put16(out, q->id);
	out[2] = (uint8_t)(0x80 | (query[2] & 0x79)); /* QR; opcode and RD as asked */
	out[3] = (uint8_t)(0x80 | rcode);            /* RA */
	out[5] = q->end ? 1 : 0;
	memcpy(out + WG_DNS_HDR, query + WG_DNS_HDR, end - WG_DNS_HDR);
	return end;
}

size_t wg_dns_add_address(uint8_t *out, size_t cap, size_t len, unsigned type, uint32_t ttl, const uint8_t *addr)
{
	size_t alen = type == WG_DNS_T_A ? 4 : 16, need = len + 12 + alen;
	if (need > cap)
		return 0;
	uint8_t *p = out + len;
	p[0] = 0xc0; /* the name: a pointer to the question's */
	p[1] = WG_DNS_HDR;
	wg_dns_put16(p + 2, type);
	wg_dns_put16(p + 4, WG_DNS_C_IN);
	put32(p + 6, ttl);
	wg_dns_put16(p + 10, (unsigned)alen);
	memcpy(p + 12, addr, alen);
	wg_dns_put16(out + 6, wg_dns_count(out, WG_DNS_AN) + 1);
	return need;
}

size_t wg_dns_fit_udp(uint8_t *reply, size_t len, const struct wg_dns_question *q)
{
	if (len <= q->udp_size)
		return len;
	reply[2] |= 0x02; /* TC */
	memset(reply + 6, 0, 6);
	return q->end;
}
