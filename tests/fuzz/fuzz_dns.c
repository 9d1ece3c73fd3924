/* libFuzzer harness for the DNS wire format (src/dns/wire.h), the /ip/dns/static
 * answers, the router resolver's reply parser and the answer cache (src/dns/cache.h)
 * with a fake clock. The input is a query and a reply:
 *   byte 0   cache size (0..255 KiB, 0 -> 300 bytes) and max TTL (its low bit: 1 s / 1 day)
 *   byte 1   seconds the clock moves between put and get
 *   byte 2-3 length of the query (big-endian, cut to what is there)
 *   then the query, then the reply (what an upstream server answered).
 * Properties, besides no crash, leak or undefined behaviour:
 * - a parsed query's offsets stay inside the packet, its key is the lowercased name,
 *   type and class, its UDP size is 512..4096;
 * - every reply the router makes (refusal, static answer, cached answer, cut to the
 *   client's UDP size) parses again: header and question of the query, each record
 *   well formed, ending exactly at its length;
 * - a reply the cache took and gives back before it expires has the query's id and
 *   question, TTLs no longer than stored (capped by max TTL, counted down by the time
 *   that passed) and no additional section; after it expires the cache gives nothing.
 * With -DFUZZ_STANDALONE it replays the files named on the command line. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "dns/cache.h"
#include "dns/resolve.h"
#include "dns/static.h"
#include "dns/wire.h"

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

static uint8_t out[WG_DNS_MSG_MAX];

/* Walks n records from *o; false if one does not parse. */
static bool walk(const uint8_t *b, size_t len, size_t *o, unsigned n, uint32_t *max_ttl)
{
	struct wg_dns_rr rr;
	for (unsigned i = 0; i < n; i++) {
		size_t before = *o;
		if (!wg_dns_rr_read(b, len, o, &rr))
			return false;
		if (*o <= before || *o > len || rr.ttl_off + 4 > len || rr.rdata_off + rr.rdlen != *o)
			FAIL("record %u: offsets outside the packet", i);
		if (max_ttl && rr.ttl > *max_ttl)
			*max_ttl = rr.ttl;
	}
	return true;
}

/* A reply the router made to query (parsed as q) parses again. */
static void check_reply(const uint8_t *query, const struct wg_dns_question *q, const uint8_t *r, size_t len,
			const char *what)
{
	if (len < WG_DNS_HDR || !wg_dns_is_reply(r) || wg_dns_id(r) != q->id)
		FAIL("%s: no reply header (len %zu)", what, len);
	if (wg_dns_questions_end(r, len) != q->end || memcmp(r + WG_DNS_HDR, query + WG_DNS_HDR, q->end - WG_DNS_HDR))
		FAIL("%s: not the query's question", what);
	size_t o = q->end;
	unsigned n = wg_dns_count(r, WG_DNS_AN) + wg_dns_count(r, WG_DNS_NS) + wg_dns_count(r, WG_DNS_AR);
	if (!walk(r, len, &o, n, NULL) || o != len)
		FAIL("%s: records do not parse to the end (%zu of %zu)", what, o, len);
	if (!wg_dns_same_question(r, len, query, q->end))
		FAIL("%s: same_question says no", what);
}

static void check_question(const uint8_t *b, size_t len, const struct wg_dns_question *q)
{
	if (q->end < WG_DNS_HDR + 5 || q->end > len || q->keylen < 5 || q->keylen > sizeof(q->key) ||
	    q->keylen != q->end - WG_DNS_HDR)
		FAIL("question offsets: end %zu keylen %zu len %zu", q->end, q->keylen, len);
	for (size_t i = 0; i + 4 < q->keylen; i++) {
		uint8_t c = b[WG_DNS_HDR + i];
		if (q->key[i] != (c >= 'A' && c <= 'Z' ? c + 32 : c))
			FAIL("key byte %zu is not the lowercased name", i);
	}
	if (q->udp_size < WG_DNS_UDP_PLAIN || q->udp_size > WG_DNS_UDP_MAX)
		FAIL("udp size %zu", q->udp_size);
}

static void statics(const uint8_t *query, size_t qlen, const struct wg_dns_question *q)
{
	struct wg_dns_static s[3];
	wg_dns_static_init(&s[0], "nas.lab", "192.168.88.10", 86400);
	wg_dns_static_init(&s[1], "NAS.lab", "fd00::10", 60);
	wg_dns_static_init(&s[2], "router.lan", "10.0.0.1", 0);
	size_t n = wg_dns_static_answer(s, 3, query, q, out, sizeof(out));
	if (n)
		check_reply(query, q, out, n, "static answer");
	n = wg_dns_static_answer(s, 3, query, q, out, q->end + 10); /* no room for a record */
	if (n)
		check_reply(query, q, out, n, "static answer, short buffer");
}

/* The reply as the cache keeps it: stored when it should be, given back as a reply
 * that parses, with TTLs counted down, forgotten once expired. */
static void cache(const uint8_t *query, const struct wg_dns_question *q, const uint8_t *reply, size_t rlen,
		  uint8_t conf, uint8_t secs)
{
	size_t max = conf >> 1 ? (size_t)(conf >> 1) * 1024 : 300;
	uint32_t max_ttl = conf & 1 ? 86400 : 1, stored_max = 0;
	uint64_t now = 5000000;
	struct wg_dns_cache *c = wg_dns_cache_new(max);
	if (!wg_dns_cache_put(c, q, reply, rlen, max_ttl, now)) {
		if (wg_dns_cache_get(c, query, q, out, sizeof(out), now))
			FAIL("an answer the cache refused came back");
		goto out;
	}
	size_t o = wg_dns_questions_end(reply, rlen);
	walk(reply, rlen, &o, wg_dns_count(reply, WG_DNS_AN) + wg_dns_count(reply, WG_DNS_NS), &stored_max);
	if (wg_dns_cache_used(c) > max)
		FAIL("cache uses %zu of %zu bytes", wg_dns_cache_used(c), max);
	uint64_t later = now + (uint64_t)secs * 1000;
	size_t n = wg_dns_cache_get(c, query, q, out, sizeof(out), later);
	uint32_t ttl = 0;
	if (n) {
		check_reply(query, q, out, n, "cached answer");
		o = q->end;
		walk(out, n, &o, wg_dns_count(out, WG_DNS_AN) + wg_dns_count(out, WG_DNS_NS), &ttl);
		uint32_t cap = stored_max < max_ttl ? stored_max : max_ttl;
		if (wg_dns_count(out, WG_DNS_AR) || wg_dns_rcode(out) != WG_DNS_NOERROR || ttl > cap)
			FAIL("cached answer: %u additional, rcode %u, ttl %u over %u", wg_dns_count(out, WG_DNS_AR),
			     wg_dns_rcode(out), ttl, cap);
		size_t fit = wg_dns_fit_udp(out, n, q);
		if (fit != n && fit != q->end)
			FAIL("fit_udp: %zu of %zu", fit, n);
		if (fit <= q->udp_size || fit == q->end)
			check_reply(query, q, out, fit, "cut to the UDP size");
	}
	if (wg_dns_cache_get(c, query, q, out, sizeof(out), now + (uint64_t)max_ttl * 1000 + 1))
		FAIL("answer given after its TTL");
out:
	wg_dns_cache_free(c);
}

static void resolver(const uint8_t *reply, size_t rlen, unsigned id)
{
	struct sockaddr_storage ss;
	if (wg_dns_parse(reply, rlen, id, WG_DNS_T_A, &ss) == 0 && ss.ss_family != AF_INET)
		FAIL("A answer not IPv4");
	if (wg_dns_parse(reply, rlen, id, WG_DNS_T_AAAA, &ss) == 0 && ss.ss_family != AF_INET6)
		FAIL("AAAA answer not IPv6");
}

/* The query's name bytes as text through the encoder the resolver uses. */
static void encode(const uint8_t *b, size_t len)
{
	char name[300];
	uint8_t wire[WG_DNS_NAME_MAX + 16];
	size_t n = len < sizeof(name) - 1 ? len : sizeof(name) - 1;
	memcpy(name, b, n);
	name[n] = 0;
	int w = wg_dns_query(wire, sizeof(wire), 0x4242, name, WG_DNS_T_A);
	struct wg_dns_question q;
	if (w < 0)
		return;
	if (wg_dns_question_parse(wire, (size_t)w, &q) != WG_DNS_OK || q.end != (size_t)w)
		FAIL("a query the resolver built does not parse");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_dns_question q;
	if (size < 4)
		return 0;
	uint8_t conf = data[0], secs = data[1];
	size_t qlen = (size_t)data[2] << 8 | data[3];
	data += 4;
	size -= 4;
	if (qlen > size)
		qlen = size;
	/* copies of exactly their length, so ASan sees any read past the end */
	uint8_t *query = malloc(qlen ? qlen : 1), *reply = malloc(size - qlen ? size - qlen : 1);
	size_t rlen = size - qlen;
	memcpy(query, data, qlen);
	memcpy(reply, data + qlen, rlen);

	enum wg_dns_verdict v = wg_dns_question_parse(query, qlen, &q);
	if (v != WG_DNS_MALFORMED && v != WG_DNS_NOT_QUERY && v != WG_DNS_OK)
		FAIL("verdict %d", v);
	if (v == WG_DNS_NOT_QUERY) {
		size_t n = wg_dns_reply_start(out, sizeof(out), query, &q, WG_DNS_NOTIMP);
		if (n != WG_DNS_HDR || !wg_dns_is_reply(out) || wg_dns_rcode(out) != WG_DNS_NOTIMP)
			FAIL("NOTIMP reply");
	}
	if (v == WG_DNS_OK) {
		check_question(query, qlen, &q);
		size_t n = wg_dns_reply_start(out, sizeof(out), query, &q, WG_DNS_REFUSED);
		check_reply(query, &q, out, n, "refusal");
		statics(query, qlen, &q);
		cache(query, &q, reply, rlen, conf, secs);
	}
	resolver(reply, rlen, rlen >= 2 ? wg_dns_id(reply) : 0);
	encode(data, qlen);
	free(query);
	free(reply);
	return 0;
}

#include "standalone.h"
