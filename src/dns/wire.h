/* The DNS wire format (RFC 1035, EDNS from RFC 6891): reading questions and resource
 * records with every length checked against the packet, and writing the few replies
 * the router makes itself. Shared by the router's own resolver (dns.c) and the proxy
 * for clients (proxy.c); no I/O here. */
#ifndef WG_DNS_WIRE_H
#define WG_DNS_WIRE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	WG_DNS_HDR = 12,        /* header size */
	WG_DNS_NAME_MAX = 255,  /* a name in wire format, root label included */
	WG_DNS_UDP_PLAIN = 512, /* what a client without EDNS takes over UDP */
	WG_DNS_UDP_MAX = 4096,  /* the most the proxy sends over UDP, whatever EDNS says */
	WG_DNS_MSG_MAX = 65535, /* a message over TCP */
	WG_DNS_T_A = 1, WG_DNS_T_AAAA = 28, WG_DNS_T_OPT = 41, WG_DNS_T_ANY = 255,
	WG_DNS_C_IN = 1, WG_DNS_C_ANY = 255,
	WG_DNS_NOERROR = 0, WG_DNS_SERVFAIL = 2, WG_DNS_NOTIMP = 4, WG_DNS_REFUSED = 5,
};

/* Header fields. */
static inline unsigned wg_dns_get16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }
static inline void wg_dns_put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline unsigned wg_dns_id(const uint8_t *b) { return wg_dns_get16(b); }
static inline bool wg_dns_is_reply(const uint8_t *b) { return b[2] & 0x80; }
static inline bool wg_dns_truncated(const uint8_t *b) { return b[2] & 0x02; }
static inline unsigned wg_dns_rcode(const uint8_t *b) { return b[3] & 0x0f; }
static inline unsigned wg_dns_count(const uint8_t *b, int section) { return wg_dns_get16(b + 4 + 2 * section); }
enum { WG_DNS_QD, WG_DNS_AN, WG_DNS_NS, WG_DNS_AR };

/* A client's query as the proxy needs it. */
struct wg_dns_question {
	unsigned id, qtype, qclass;
	size_t end;              /* offset after the question: the reply copies bytes 12..end */
	uint8_t key[WG_DNS_NAME_MAX + 4]; /* lowercased name, type, class: the cache key */
	size_t keylen;
	size_t udp_size;         /* what the client takes over UDP (EDNS, else 512) */
};

enum wg_dns_verdict { WG_DNS_OK, WG_DNS_MALFORMED, WG_DNS_NOT_QUERY };

/* Parses a query: exactly one question whose name is plain labels (a compression
 * pointer has nothing to point at there), every record after it well formed. A packet
 * that is a reply, cut short or otherwise broken is MALFORMED (dropped); an opcode other
 * than QUERY is NOT_QUERY (answered NOTIMP). q->id is set whenever len >= 12. */
enum wg_dns_verdict wg_dns_question_parse(const uint8_t *b, size_t len, struct wg_dns_question *q);

/* One resource record. */
struct wg_dns_rr {
	unsigned type, rclass;
	uint32_t ttl;
	size_t ttl_off;          /* where the TTL is, to count it down in place */
	size_t rdata_off;
	unsigned rdlen;
};

/* Skips a name (not following compression pointers, so a pointer loop costs nothing):
 * the offset after it, or 0 when it runs past len or uses a reserved label type. */
size_t wg_dns_name_skip(const uint8_t *b, size_t len, size_t off);
/* Offset after the question section, 0 on a bad packet. */
size_t wg_dns_questions_end(const uint8_t *b, size_t len);
/* Reads the record at *off and moves *off past it; false when it does not fit. */
bool wg_dns_rr_read(const uint8_t *b, size_t len, size_t *off, struct wg_dns_rr *rr);

/* Text name ("nas.lab", no trailing dot needed) to wire format, lowercased when lower;
 * the wire length, or -1 for an empty label, a label over 63 bytes or a name over 255. */
int wg_dns_name_encode(const char *name, uint8_t *out, size_t cap, bool lower);

/* Is the reply's question the one of query (names compared case-insensitively)? */
bool wg_dns_same_question(const uint8_t *reply, size_t rlen, const uint8_t *query, size_t qend);

/* Starts the reply to query q in out: id, RD copied, RA, rcode, the question copied;
 * no records. Its length, or 0 when cap is too small. */
size_t wg_dns_reply_start(uint8_t *out, size_t cap, const uint8_t *query, const struct wg_dns_question *q,
			  unsigned rcode);
/* Appends an A (4 bytes) or AAAA (16) record for the question's name (a pointer to it)
 * and counts it; the new length, or 0 when it does not fit in cap. */
size_t wg_dns_add_address(uint8_t *out, size_t cap, size_t len, unsigned type, uint32_t ttl, const uint8_t *addr);
/* A reply too large for the client's UDP size becomes its header and question with TC
 * set, so the client asks again over TCP. Returns the (possibly new) length. */
size_t wg_dns_fit_udp(uint8_t *reply, size_t len, const struct wg_dns_question *q);
#endif
