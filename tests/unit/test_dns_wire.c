/* The DNS server's pure parts: reading queries (hand-built packets, hostile ones
 * included), the replies it builds, /ip/dns/static answers and the cache with a clock
 * the test moves. */
#include "test.h"
#include <arpa/inet.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>
#include "dns/resolve.h"
#include "dns/cache.h"
#include "dns/static.h"
#include "dns/wire.h"

/* "nas.lab" A IN, id 0x1234, RD. */
#define Q_NAS "1234 0100 0001 0000 0000 0000 036e6173 036c6162 00 0001 0001"
/* The same with an OPT record whose class (the UDP size) is given as hex text. */
#define Q_NAS_EDNS(cls) "1234 0100 0001 0000 0000 0001 036e6173 036c6162 00 0001 0001 00 0029 " cls " 00000000 0000"

static size_t hex(uint8_t *b, const char *h) { return test_unhex(b, 1024, h); }

static sigjmp_buf overread;
static void on_overread(int sig) { siglongjmp(overread, 1); }

/* Parses a copy of the packet of exactly its size, ending where an inaccessible page
 * begins: a read past its end faults at once and fails the case, in the ordinary build
 * (no ASan needed). From a larger buffer such a read would find bytes and go unseen. */
static enum wg_dns_verdict parse_exact(const uint8_t *b, size_t n, struct wg_dns_question *q)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(map != MAP_FAILED && n <= page && mprotect(map + page, page, PROT_NONE) == 0);
	uint8_t *pkt = map + page - n;
	memcpy(pkt, b, n);
	struct sigaction sa = { .sa_handler = on_overread }, old;
	sigaction(SIGSEGV, &sa, &old);
	volatile enum wg_dns_verdict v = WG_DNS_MALFORMED;
	if (sigsetjmp(overread, 1) == 0)
		v = wg_dns_question_parse(pkt, n, q);
	else
		test_fail(__FILE__, __LINE__, "read past the end of a %zu-byte packet", n);
	sigaction(SIGSEGV, &old, NULL);
	munmap(map, 2 * page);
	return v;
}

static enum wg_dns_verdict parse_hex(const char *h, struct wg_dns_question *q)
{
	uint8_t b[1024];
	return parse_exact(b, hex(b, h), q);
}

TEST(query_parsed)
{
	struct wg_dns_question q;
	uint8_t b[64];
	size_t n = hex(b, "abcd 0100 0001 0000 0000 0001 034e4153 036c6162 00 001c 0001"
			  "00 0029 04d0 00000000 0000"); /* NAS.lab AAAA, EDNS 1232 */
	CHECK_EQ(wg_dns_question_parse(b, n, &q), WG_DNS_OK);
	CHECK_EQ(q.id, 0xabcd);
	CHECK_EQ(q.qtype, WG_DNS_T_AAAA);
	CHECK_EQ(q.qclass, WG_DNS_C_IN);
	CHECK_EQ(q.end, 12 + 9 + 4);
	CHECK_EQ(q.udp_size, 1232);
	uint8_t key[13];
	CHECK_EQ(q.keylen, hex(key, "036e6173 036c6162 00 001c 0001"));
	CHECK_MEM(q.key, key, sizeof(key));
	CHECK_EQ(parse_hex(Q_NAS, &q), WG_DNS_OK);
	CHECK_EQ(q.udp_size, 512); /* no EDNS */
}

/* Every one of these is dropped; none may read past its end. */
TEST(query_malformed)
{
	static const char *const bad[] = {
		"1234 0100 0001 0000 0000",                                    /* header cut short */
		"1234 8100 0001 0000 0000 0000 036e6173 036c6162 00 0001 0001", /* a reply (QR) */
		"1234 0100 0000 0000 0000 0000",                               /* zero questions */
		"1234 0100 0002 0000 0000 0000 036e6173 036c6162 00 0001 0001", /* two, one given */
		"1234 0100 0001 0000 0000 0000 3f6e6173",                      /* label past the end */
		"1234 0100 0001 0000 0000 0000 036e6173 c00c",                 /* compression loop */
		"1234 0100 0001 0000 0000 0000 c00c 0001 0001",                /* pointer as the name */
		"1234 0100 0001 0000 0000 0000 436e6173 00 0001 0001",         /* reserved label type */
		"1234 0100 0001 0000 0000 0000 036e6173 036c6162 00 0001",      /* class missing */
		"1234 0100 0001 0000 0000 0001 036e6173 036c6162 00 0001 0001", /* record missing */
		"1234 0100 0001 0000 0000 0001 036e6173 036c6162 00 0001 0001 00 0029 1000 00000000 0009",
		/* ^ OPT whose rdata runs past the end */
		"1234 0100 0001 0000 0000 0001 036e6173 036c6162 00 0001 0001 00 0029",
		/* ^ OPT cut after its type */
		"1234 0100 0001 0000 0000 0001 036e6173 036c6162 00 0001 0001 00 0029 1000 00000000 00",
		/* ^ OPT one byte short of its type, class, TTL and length */
	};
	struct wg_dns_question q;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_hex(bad[i], &q) != WG_DNS_MALFORMED)
			test_fail(__FILE__, __LINE__, "case %zu parsed", i);
	/* a name of 256 bytes: 4 labels of 63 and the root = 257 */
	uint8_t b[400];
	size_t n = hex(b, "1234 0100 0001 0000 0000 0000");
	for (int l = 0; l < 4; l++) {
		b[n++] = 63;
		memset(b + n, 'a', 63);
		n += 63;
	}
	n += hex(b + n, "00 0001 0001");
	CHECK_EQ(parse_exact(b, n, &q), WG_DNS_MALFORMED);
}

/* EDNS: the client's UDP size, never below 512 nor above what the proxy sends (4096). */
TEST(edns_udp_size_bounded)
{
	static const struct { const char *cls; size_t want; } cases[] = {
		{ "0100", 512 }, { "0200", 512 }, { "04d0", 1232 }, { "1000", 4096 }, { "1001", 4096 }, { "ffff", 4096 },
	};
	struct wg_dns_question q;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char h[128];
		snprintf(h, sizeof(h), Q_NAS_EDNS("%s"), cases[i].cls);
		CHECK_EQ(parse_hex(h, &q), WG_DNS_OK);
		CHECK(q.udp_size == cases[i].want, "class %s: %zu", cases[i].cls, q.udp_size);
	}
}

TEST(query_other_opcode_gets_notimp)
{
	struct wg_dns_question q;
	uint8_t b[64], r[64];
	size_t n = hex(b, "1234 1000 0001 0000 0000 0000 036e6173 036c6162 00 0001 0001"); /* STATUS */
	CHECK_EQ(wg_dns_question_parse(b, n, &q), WG_DNS_NOT_QUERY);
	CHECK_EQ(wg_dns_reply_start(r, sizeof(r), b, &q, WG_DNS_NOTIMP), 12);
	uint8_t want[12];
	hex(want, "1234 9084 0000 0000 0000 0000"); /* opcode kept, NOTIMP, no question */
	CHECK_MEM(r, want, 12);
}

TEST(names_encoded)
{
	uint8_t w[300];
	char name[300];
	CHECK_EQ(wg_dns_name_encode("NAS.lab", w, sizeof(w), true), 9);
	CHECK_MEM(w, "\3nas\3lab", 9);
	CHECK_EQ(wg_dns_name_encode("nas.lab.", w, sizeof(w), false), 9);
	CHECK_EQ(wg_dns_name_encode("a..b", w, sizeof(w), false), -1);
	CHECK_EQ(wg_dns_name_encode("", w, sizeof(w), false), -1);
	memset(name, 'a', 64);
	name[64] = 0;
	CHECK_EQ(wg_dns_name_encode(name, w, sizeof(w), false), -1); /* label of 64 */
	for (int i = 0; i < 253; i++)
		name[i] = i % 2 ? '.' : 'a';
	name[253] = 0;
	CHECK_EQ(wg_dns_name_encode(name, w, sizeof(w), false), 255);
	strcat(name, ".a");
	CHECK_EQ(wg_dns_name_encode(name, w, sizeof(w), false), -1);
}

/* Pointer loops in records are skipped, not followed; records past the end stop it. */
TEST(reply_records_hostile)
{
	uint8_t b[128];
	struct sockaddr_storage ss;
	/* answer 1: a name pointing at itself (offset 25), then the real A record */
	size_t n = hex(b, "1234 8180 0001 0002 0000 0000 036e6173 036c6162 00 0001 0001"
			  "c019 0001 0001 0000003c 0004 c0000201"
			  "c00c 0001 0001 0000003c 0004 c0000202");
	CHECK_EQ(wg_dns_parse(b, n, 0x1234, WG_DNS_T_A, &ss), 0);
	CHECK(((struct sockaddr_in *)&ss)->sin_addr.s_addr == htonl(0xc0000201));
	/* rdlength past the end */
	n = hex(b, "1234 8180 0001 0001 0000 0000 036e6173 036c6162 00 0001 0001 c00c 0001 0001 0000003c 0010 c0000201");
	CHECK_EQ(wg_dns_parse(b, n, 0x1234, WG_DNS_T_A, &ss), -1);
	size_t off = 25;
	struct wg_dns_rr rr;
	CHECK(!wg_dns_rr_read(b, n, &off, &rr));
	/* label length past the end inside a record's name */
	n = hex(b, "1234 8180 0001 0001 0000 0000 036e6173 036c6162 00 0001 0001 3f61");
	CHECK_EQ(wg_dns_parse(b, n, 0x1234, WG_DNS_T_A, &ss), -1);
}

TEST(same_question)
{
	uint8_t a[64], b[64];
	size_t n = hex(a, Q_NAS);
	hex(b, "9999 8180 0001 0000 0000 0000 034e6153 034c4142 00 0001 0001");
	CHECK(wg_dns_same_question(b, n, a, n)); /* the name in another case */
	b[n - 3] = 28;
	CHECK(!wg_dns_same_question(b, n, a, n)); /* another type */
	CHECK(!wg_dns_same_question(b, n - 1, a, n)); /* cut short */
}

/* ---- /ip/dns/static ---- */

static struct wg_dns_static statics[4];

static size_t statics_init(void)
{
	CHECK_EQ(wg_dns_static_init(&statics[0], "nas.lab", "192.168.1.10", 86400), 0);
	CHECK_EQ(wg_dns_static_init(&statics[1], "NAS.LAB", "192.168.1.11", 60), 0);
	CHECK_EQ(wg_dns_static_init(&statics[2], "v6only.lab", "fd00::10", 300), 0);
	CHECK_EQ(wg_dns_static_init(&statics[3], "x.lab", "not-an-address", 1), -1);
	return 3;
}

static size_t ask_static(size_t n, const char *query_hex, uint8_t *out, struct wg_dns_question *q)
{
	uint8_t b[128];
	size_t len = hex(b, query_hex);
	CHECK_EQ(wg_dns_question_parse(b, len, q), WG_DNS_OK);
	return wg_dns_static_answer(statics, n, b, q, out, 512);
}

TEST(static_answers)
{
	size_t ns = statics_init();
	uint8_t r[512];
	struct wg_dns_question q;
	/* both A entries, any case, authoritative */
	size_t n = ask_static(ns, "4242 0100 0001 0000 0000 0000 034e6173 036c6162 00 0001 0001", r, &q);
	uint8_t want[128];
	size_t wn = hex(want, "4242 8580 0001 0002 0000 0000 034e6173 036c6162 00 0001 0001"
			      "c00c 0001 0001 00015180 0004 c0a8010a"
			      "c00c 0001 0001 0000003c 0004 c0a8010b");
	CHECK_EQ(n, wn);
	CHECK_MEM(r, want, wn);
	/* AAAA for a name with A entries only: empty NOERROR, not forwarded */
	n = ask_static(ns, "4242 0100 0001 0000 0000 0000 036e6173 036c6162 00 001c 0001", r, &q);
	CHECK_EQ(n, q.end);
	CHECK_EQ(wg_dns_rcode(r), WG_DNS_NOERROR);
	CHECK_EQ(wg_dns_count(r, WG_DNS_AN), 0);
	/* and the other way round */
	n = ask_static(ns, "4242 0100 0001 0000 0000 0000 0676366f6e6c79 036c6162 00 0001 0001", r, &q);
	CHECK_EQ(n, q.end);
	n = ask_static(ns, "4242 0100 0001 0000 0000 0000 0676366f6e6c79 036c6162 00 001c 0001", r, &q);
	CHECK_EQ(wg_dns_count(r, WG_DNS_AN), 1);
	CHECK_EQ(n, q.end + 12 + 16);
	/* unknown names, and class CHAOS, go on */
	CHECK_EQ(ask_static(ns, "4242 0100 0001 0000 0000 0000 036e6173 036e6574 00 0001 0001", r, &q), 0);
	CHECK_EQ(ask_static(ns, "4242 0100 0001 0000 0000 0000 036e6173 036c6162 00 0001 0003", r, &q), 0);
	/* a name that only starts like a static one */
	CHECK_EQ(ask_static(ns, "4242 0100 0001 0000 0000 0000 036e6173 036c6162 026363 00 0001 0001", r, &q), 0);
}

TEST(udp_size_truncates)
{
	size_t ns = statics_init();
	uint8_t r[512];
	struct wg_dns_question q;
	size_t n = ask_static(ns, Q_NAS, r, &q);
	q.udp_size = n - 1; /* pretend the client takes less */
	CHECK_EQ(wg_dns_fit_udp(r, n, &q), q.end);
	CHECK(wg_dns_truncated(r));
	CHECK_EQ(wg_dns_count(r, WG_DNS_AN), 0);
}

/* ---- the cache ---- */

/* An upstream's answer to Q_NAS: a CNAME (ttl 600) and an A (ttl ttl), plus an OPT. */
static size_t upstream_answer(uint8_t *b, unsigned rcode, uint32_t ttl)
{
	size_t n = hex(b, "1234 8180 0001 0002 0000 0001 036e6173 036c6162 00 0001 0001"
			  "c00c 0005 0001 00000258 0006 036e6173 c010"
			  "c025 0001 0001 00000000 0004 c0a8010a"
			  "00 0029 1000 00000000 0000");
	b[3] |= (uint8_t)rcode;
	wg_dns_put16(b + 49, ttl >> 16); /* the A record's TTL */
	wg_dns_put16(b + 51, ttl & 0xffff);
	return n;
}

static uint32_t ttl_at(const uint8_t *b, size_t len, unsigned record)
{
	size_t o = wg_dns_questions_end(b, len);
	struct wg_dns_rr rr = { 0 };
	for (unsigned i = 0; i <= record; i++)
		CHECK(wg_dns_rr_read(b, len, &o, &rr));
	return rr.ttl;
}

TEST(cache_serves_until_ttl)
{
	struct wg_dns_cache *c = wg_dns_cache_new(64 << 10);
	uint8_t a[128], qb[64], r[512];
	struct wg_dns_question q;
	size_t qn = hex(qb, Q_NAS), an = upstream_answer(a, 0, 300);
	wg_dns_question_parse(qb, qn, &q);
	CHECK(wg_dns_cache_put(c, &q, a, an, 604800, 1000));
	CHECK(wg_dns_cache_used(c) > an - 11);
	/* another client, another id, the name in capitals */
	uint8_t q2b[64];
	struct wg_dns_question q2;
	size_t q2n = hex(q2b, "beef 0100 0001 0000 0000 0000 034e4153 034c4142 00 0001 0001");
	wg_dns_question_parse(q2b, q2n, &q2);
	size_t n = wg_dns_cache_get(c, q2b, &q2, r, sizeof(r), 31000);
	CHECK_EQ(n, an - 11); /* without the OPT record */
	CHECK_EQ(wg_dns_id(r), 0xbeef);
	CHECK_MEM(r + 12, q2b + 12, q2.end - 12);
	CHECK_EQ(wg_dns_count(r, WG_DNS_AN), 2);
	CHECK_EQ(wg_dns_count(r, WG_DNS_AR), 0);
	CHECK_MEM(r + n - 4, "\xc0\xa8\x01\x0a", 4); /* the records as they were ... */
	CHECK_EQ(ttl_at(r, n, 1), 270);             /* ... but 30 s older */
	CHECK_EQ(ttl_at(r, n, 0), 270);             /* nothing outlives the shortest */
	/* gone at the shortest TTL */
	CHECK_EQ(wg_dns_cache_get(c, q2b, &q2, r, sizeof(r), 301000), 0);
	CHECK_EQ(wg_dns_cache_used(c), 0);
	/* cache-max-ttl caps it */
	CHECK(wg_dns_cache_put(c, &q, a, an, 10, 1000));
	CHECK_EQ(ttl_at(r, wg_dns_cache_get(c, qb, &q, r, sizeof(r), 1000), 1), 10);
	CHECK_EQ(wg_dns_cache_get(c, qb, &q, r, sizeof(r), 11000), 0);
	/* another type is another key */
	qb[qn - 3] = 28;
	wg_dns_question_parse(qb, qn, &q);
	CHECK_EQ(wg_dns_cache_get(c, qb, &q, r, sizeof(r), 1000), 0);
	wg_dns_cache_free(c);
}

TEST(cache_keeps_positive_only)
{
	struct wg_dns_cache *c = wg_dns_cache_new(64 << 10);
	uint8_t a[128], qb[64];
	struct wg_dns_question q;
	wg_dns_question_parse(qb, hex(qb, Q_NAS), &q);
	size_t an = upstream_answer(a, 3, 300); /* NXDOMAIN */
	CHECK(!wg_dns_cache_put(c, &q, a, an, 604800, 0));
	an = upstream_answer(a, 0, 0); /* TTL 0: not to be cached */
	CHECK(!wg_dns_cache_put(c, &q, a, an, 604800, 0));
	an = upstream_answer(a, 0, 300);
	a[2] |= 0x02; /* truncated */
	CHECK(!wg_dns_cache_put(c, &q, a, an, 604800, 0));
	a[2] &= (uint8_t)~0x02;
	a[7] = 0; /* no answers */
	CHECK(!wg_dns_cache_put(c, &q, a, an, 604800, 0));
	a[7] = 2;
	CHECK(!wg_dns_cache_put(c, &q, a, an - 20, 604800, 0)); /* records cut short */
	CHECK_EQ(wg_dns_cache_used(c), 0);
	wg_dns_cache_free(c);
}

/* The answer to "N.lab" A for a number N of 0..99 (a two-letter label). */
static bool put_nth(struct wg_dns_cache *c, unsigned i, size_t *used)
{
	uint8_t a[128], qb[64];
	struct wg_dns_question q;
	size_t an = upstream_answer(a, 0, 300), qn = hex(qb, Q_NAS);
	qb[13] = a[13] = (uint8_t)('0' + i / 10);
	qb[14] = a[14] = (uint8_t)('0' + i % 10);
	wg_dns_question_parse(qb, qn, &q);
	size_t before = wg_dns_cache_used(c);
	bool ok = wg_dns_cache_put(c, &q, a, an, 60, 0);
	*used = wg_dns_cache_used(c) - before;
	return ok;
}

static bool has_nth(struct wg_dns_cache *c, unsigned i)
{
	uint8_t qb[64], r[512];
	struct wg_dns_question q;
	size_t qn = hex(qb, Q_NAS);
	qb[13] = (uint8_t)('0' + i / 10);
	qb[14] = (uint8_t)('0' + i % 10);
	wg_dns_question_parse(qb, qn, &q);
	return wg_dns_cache_get(c, qb, &q, r, sizeof(r), 0) > 0;
}

/* cache-size bounds the bytes; the least recently used answer goes first. */
TEST(cache_bounded)
{
	size_t one, more;
	struct wg_dns_cache *probe = wg_dns_cache_new(1 << 20);
	CHECK(put_nth(probe, 0, &one));
	wg_dns_cache_free(probe);
	size_t fit = 8, max = fit * one + one / 2;
	struct wg_dns_cache *c = wg_dns_cache_new(max);
	for (unsigned i = 0; i < fit; i++)
		CHECK(put_nth(c, i, &more));
	CHECK_EQ(wg_dns_cache_used(c), fit * one);
	CHECK(has_nth(c, 0)); /* used again: now the most recent */
	CHECK(put_nth(c, fit, &more));
	CHECK(wg_dns_cache_used(c) <= max);
	CHECK(has_nth(c, 0));
	CHECK(!has_nth(c, 1)); /* the least recently used went */
	CHECK(has_nth(c, 2));
	CHECK(has_nth(c, fit));
	for (unsigned i = 10; i < 60; i++)
		CHECK(put_nth(c, i, &more));
	CHECK_EQ(wg_dns_cache_used(c), fit * one);
	CHECK(has_nth(c, 59) && !has_nth(c, 0));
	wg_dns_cache_free(c);
	/* an answer larger than the whole cache is not kept */
	struct wg_dns_cache *tiny = wg_dns_cache_new(one - 1);
	CHECK(!put_nth(tiny, 0, &more));
	CHECK_EQ(wg_dns_cache_used(tiny), 0);
	wg_dns_cache_free(tiny);
}
