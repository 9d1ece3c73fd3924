/* Per-source handshake rate limiter, driven by a fake clock. Expectations come from the
 * token bucket rule: 20 packets/s, burst 5, a new source starts with a full bucket; IPv6
 * sources share a bucket per /64; a full table refuses new sources until entries idle
 * for more than 1 s are reclaimed. */
#include "test.h"
#include "core/ratelimiter.h"
#include <arpa/inet.h>
#include <sys/socket.h>

#define MS(x) ((uint64_t)(x) * 1000000ULL)
#define T0    MS(5000) /* any start time: the limiter has no epoch */

enum op { ALLOW, GC, COUNT };
/* ALLOW: `times` calls from addr at `at`, each must return want.
 * GC: wg_ratelimiter_gc at `at`. COUNT: wg_ratelimiter_count must equal want. */
struct step { enum op op; uint64_t at; const char *addr; int times; long want; };
struct scenario { const char *name; size_t max; size_t nsteps; struct step steps[24]; };
#define STEPS(...) sizeof((struct step[]){ __VA_ARGS__ }) / sizeof(struct step), { __VA_ARGS__ }

static const struct scenario scenarios[] = {
	/* 1 */ { "burst of 5, then 20 per second, capped at 5", 64, STEPS(
		{ ALLOW, T0, "192.0.2.1", 5, true },
		{ ALLOW, T0, "192.0.2.1", 1, false },
		{ ALLOW, T0 + MS(49), "192.0.2.1", 1, false },  /* 49 ms: less than one packet */
		{ ALLOW, T0 + MS(50), "192.0.2.1", 1, true },   /* 50 ms: exactly one */
		{ ALLOW, T0 + MS(50), "192.0.2.1", 1, false },
		{ ALLOW, T0 + MS(99), "192.0.2.1", 1, false },
		{ ALLOW, T0 + MS(100), "192.0.2.1", 1, true },  /* credit carried from 50..99 */
		{ ALLOW, T0 + MS(1100), "192.0.2.1", 5, true }, /* 1 s refills 20, capped at 5 */
		{ ALLOW, T0 + MS(1100), "192.0.2.1", 1, false },
		{ ALLOW, T0 + MS(1350), "192.0.2.1", 5, true }, /* 250 ms: a whole burst again */
		{ ALLOW, T0 + MS(1350), "192.0.2.1", 1, false },
		{ ALLOW, T0 + MS(1350) - 1, "192.0.2.1", 1, false }, /* clock behind: no credit */
		{ ALLOW, T0 + MS(1400), "192.0.2.1", 1, true },
		{ COUNT, 0, NULL, 0, 1 },
		{ GC, 0, NULL, 0, 0 },  /* a clock behind the entries is not idle time */
		{ COUNT, 0, NULL, 0, 1 }) },
	/* 2 */ { "IPv4 sources are independent in every byte", 64, STEPS(
		{ ALLOW, T0, "10.0.0.1", 5, true },
		{ ALLOW, T0, "10.0.0.1", 1, false },
		{ ALLOW, T0, "11.0.0.1", 5, true },
		{ ALLOW, T0, "10.1.0.1", 5, true },
		{ ALLOW, T0, "10.0.1.1", 5, true },
		{ ALLOW, T0, "10.0.0.2", 5, true },
		{ ALLOW, T0, "10.0.0.2", 1, false },
		{ ALLOW, T0, "10.0.0.1", 1, false },
		{ COUNT, 0, NULL, 0, 5 }) },
	/* 3 */ { "IPv6 counted per /64", 64, STEPS(
		{ ALLOW, T0, "2001:db8:1:2::1", 5, true },
		{ ALLOW, T0, "2001:db8:1:2:ffff:ffff:ffff:ffff", 1, false }, /* same /64 */
		{ ALLOW, T0, "2001:db8:1:2:8000::", 1, false },
		{ ALLOW, T0, "2001:db8:1:3::1", 5, true },  /* differs in bit 63 */
		{ ALLOW, T0, "2001:db8:1:3::1", 1, false },
		{ ALLOW, T0, "3001:db8:1:2::1", 5, true },  /* differs in the first byte */
		{ ALLOW, T0 + MS(50), "2001:db8:1:2::2", 1, true },
		{ ALLOW, T0 + MS(50), "2001:db8:1:2::1", 1, false },
		{ COUNT, 0, NULL, 0, 3 }) },
	/* 4 */ { "IPv4 and IPv6 never share a bucket", 64, STEPS(
		{ ALLOW, T0, "1.2.3.4", 5, true },
		{ ALLOW, T0, "1.2.3.4", 1, false },
		{ ALLOW, T0, "102:304::", 5, true },  /* same leading bytes */
		{ ALLOW, T0, "403:201::", 5, true },  /* same bytes, other order */
		{ COUNT, 0, NULL, 0, 3 }) },
	/* 5 */ { "IPv4-mapped IPv6 counts as the IPv4 address, not per /64", 64, STEPS(
		{ ALLOW, T0, "1.2.3.4", 3, true },
		{ ALLOW, T0, "::ffff:1.2.3.4", 2, true },  /* same bucket: 5 in all */
		{ ALLOW, T0, "::ffff:1.2.3.4", 1, false },
		{ ALLOW, T0, "1.2.3.4", 1, false },
		{ ALLOW, T0, "::ffff:1.2.3.5", 5, true },  /* same /64, other IPv4 source */
		{ ALLOW, T0, "::fffe:1.2.3.4", 5, true },  /* not mapped: plain IPv6 ::/64 */
		{ ALLOW, T0, "::fffe:9.9.9.9", 1, false }, /* same /64 as the line above */
		{ COUNT, 0, NULL, 0, 3 }) },
	/* 6 */ { "one bucket: equal key bits of IPv4 and IPv6 still differ", 1, STEPS(
		{ ALLOW, T0, "1.2.3.4", 1, true },
		{ ALLOW, T0, "403:201::", 1, false },  /* not 1.2.3.4's bucket: table full */
		{ COUNT, 0, NULL, 0, 1 }) },
	/* 7 */ { "full table refuses new sources until gc frees idle ones", 4, STEPS(
		{ ALLOW, T0, "198.51.100.1", 1, true },
		{ ALLOW, T0, "198.51.100.2", 1, true },
		{ ALLOW, T0 + MS(600), "198.51.100.3", 1, true },
		{ ALLOW, T0 + MS(600), "2001:db8::", 1, true },
		{ COUNT, 0, NULL, 0, 4 },
		{ ALLOW, T0 + MS(600), "198.51.100.5", 1, false }, /* full */
		{ ALLOW, T0 + MS(600), "2001:db8:0:1::", 1, false },
		{ ALLOW, T0 + MS(600), "198.51.100.1", 5, true },  /* known sources still served, refilled */
		{ ALLOW, T0 + MS(600), "198.51.100.1", 1, false },
		{ COUNT, 0, NULL, 0, 4 },
		{ GC, T0 + MS(1000), NULL, 0, 0 },   /* .2 idle exactly 1 s: not more */
		{ COUNT, 0, NULL, 0, 4 },
		{ ALLOW, T0 + MS(1000), "198.51.100.5", 1, false },
		{ GC, T0 + MS(1000) + 1, NULL, 0, 0 }, /* .2 idle just over 1 s */
		{ COUNT, 0, NULL, 0, 3 },
		{ ALLOW, T0 + MS(1000) + 1, "198.51.100.5", 1, true },
		{ ALLOW, T0 + MS(1000) + 1, "198.51.100.6", 1, false },
		{ GC, T0 + MS(1601), NULL, 0, 0 },   /* .1 (last at 600), .3, 2001:db8:: */
		{ COUNT, 0, NULL, 0, 1 },
		{ ALLOW, T0 + MS(1601), "198.51.100.6", 1, true },
		{ COUNT, 0, NULL, 0, 2 },
		{ GC, T0 + MS(9000), NULL, 0, 0 },
		{ COUNT, 0, NULL, 0, 0 }) },
	/* 8 */ { "a forgotten source starts with a full bucket again", 4, STEPS(
		{ ALLOW, T0, "203.0.113.7", 5, true },
		{ GC, T0 + MS(1001), NULL, 0, 0 },
		{ COUNT, 0, NULL, 0, 0 },
		{ ALLOW, T0 + MS(1001), "203.0.113.7", 5, true },
		{ ALLOW, T0 + MS(1001), "203.0.113.7", 1, false }) },
};

static bool parse(const char *s, int *family, uint8_t addr[16])
{
	*family = strchr(s, ':') ? AF_INET6 : AF_INET;
	return inet_pton(*family, s, addr) == 1;
}

static void run_step(struct wg_ratelimiter *rl, size_t sc, size_t k, const struct step *st)
{
	int family;
	uint8_t addr[16];
	switch (st->op) {
	case ALLOW:
		CHECK(parse(st->addr, &family, addr), "scenario %zu step %zu: bad address %s", sc, k, st->addr);
		for (int n = 0; n < st->times; n++) {
			bool got = wg_ratelimiter_allow(rl, family, addr, st->at);
			CHECK(got == st->want, "scenario %zu step %zu (%s, call %d of %d): got %d, want %ld",
			      sc, k, st->addr, n + 1, st->times, got, st->want);
		}
		break;
	case GC:
		wg_ratelimiter_gc(rl, st->at);
		break;
	case COUNT:
		CHECK((long)wg_ratelimiter_count(rl) == st->want, "scenario %zu step %zu: count %zu, want %ld",
		      sc, k, wg_ratelimiter_count(rl), st->want);
		break;
	}
}

static void run_scenarios(const uint8_t secret[16])
{
	for (size_t s = 0; s < sizeof(scenarios) / sizeof(scenarios[0]); s++) {
		struct wg_ratelimiter *rl = wg_ratelimiter_new(scenarios[s].max, secret);
		CHECK(rl != NULL, "scenario %zu", s + 1);
		if (!rl)
			continue;
		for (size_t k = 0; k < scenarios[s].nsteps; k++)
			run_step(rl, s + 1, k + 1, &scenarios[s].steps[k]);
		wg_ratelimiter_free(rl);
	}
}

TEST(ratelimiter_scenarios)
{
	static const uint8_t zero[16];
	run_scenarios(zero);
}

/* The secret only moves entries between buckets; no decision may depend on it. */
TEST(ratelimiter_scenarios_other_secret)
{
	uint8_t secret[16];
	for (int i = 0; i < 16; i++)
		secret[i] = (uint8_t)(0xa5 ^ (i * 37));
	run_scenarios(secret);
}

static void v4(uint8_t a[4], uint32_t n)
{
	a[0] = n >> 24; a[1] = n >> 16; a[2] = n >> 8; a[3] = n;
}

/* Without any gc call, idle entries are reclaimed by allow() itself: the header promises
 * a whole table swept within max_entries calls. */
TEST(ratelimiter_lazy_reclaim)
{
	static const uint8_t secret[16] = { 1, 2, 3 };
	enum { MAX = 8 };
	struct wg_ratelimiter *rl = wg_ratelimiter_new(MAX, secret);
	uint8_t a[4];
	for (uint32_t i = 0; i < MAX; i++) {
		v4(a, 0x0a000000 + i);
		CHECK(wg_ratelimiter_allow(rl, AF_INET, a, T0), "source %u", i);
	}
	v4(a, 0x0b000000);
	CHECK(!wg_ratelimiter_allow(rl, AF_INET, a, T0 + MS(1000)), "full, nothing idle yet");
	int admitted_at = -1;
	for (int n = 0; n < MAX; n++)
		if (wg_ratelimiter_allow(rl, AF_INET, a, T0 + MS(2000)) && admitted_at < 0)
			admitted_at = n;
	CHECK(admitted_at >= 0, "new source never admitted after the others went idle");
	CHECK_EQ(wg_ratelimiter_count(rl), 1); /* only the new source is left */
	wg_ratelimiter_free(rl);
}

/* Many sources over time: the table never grows past its maximum, and sources keep
 * being admitted as old ones go idle. */
TEST(ratelimiter_memory_bounded)
{
	static const uint8_t secret[16] = { 9 };
	enum { MAX = 64, SOURCES = 20000 };
	struct wg_ratelimiter *rl = wg_ratelimiter_new(MAX, secret);
	size_t over = 0, admitted = 0;
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	for (uint32_t i = 0; i < SOURCES; i++) {
		uint64_t now = T0 + MS(i / 10); /* 10 new sources per ms */
		bool ok;
		if (i & 1) {
			a[4] = i >> 24; a[5] = i >> 16; a[6] = i >> 8; a[7] = i;
			ok = wg_ratelimiter_allow(rl, AF_INET6, a, now);
		} else {
			uint8_t b[4];
			v4(b, 0xc0000000 + i);
			ok = wg_ratelimiter_allow(rl, AF_INET, b, now);
		}
		admitted += ok;
		over += wg_ratelimiter_count(rl) > MAX;
	}
	CHECK_EQ(over, 0);
	CHECK_EQ(wg_ratelimiter_count(rl), MAX);
	/* 2 s of arrivals, refill by idleness after 1 s: at least two tables' worth got in,
	 * and never more than one table per second plus one. */
	CHECK(admitted >= 2 * MAX && admitted <= 3 * MAX, "admitted %zu", admitted);
	wg_ratelimiter_gc(rl, T0 + MS(SOURCES / 10) + MS(1001));
	CHECK_EQ(wg_ratelimiter_count(rl), 0);
	wg_ratelimiter_free(rl);
}

TEST(ratelimiter_bad_arguments)
{
	static const uint8_t secret[16];
	uint8_t a[16] = { 1 };
	CHECK(wg_ratelimiter_new(0, secret) == NULL);
	CHECK(wg_ratelimiter_new((size_t)1 << 40, secret) == NULL);
	struct wg_ratelimiter *rl = wg_ratelimiter_new(1, secret);
	CHECK(!wg_ratelimiter_allow(rl, AF_UNIX, a, T0), "unknown family refused");
	CHECK_EQ(wg_ratelimiter_count(rl), 0);
	CHECK(wg_ratelimiter_allow(rl, AF_INET6, a, T0));
	CHECK_EQ(wg_ratelimiter_count(rl), 1);
	wg_ratelimiter_free(rl);
	wg_ratelimiter_free(NULL);
}

/* Entries are taken from the never-used part of the pool first (nothing is touched at
 * creation), then from the free list: the table still holds exactly max_entries. */
TEST(ratelimiter_fresh_then_reclaimed_entries)
{
	static const uint8_t secret[16] = { 7 };
	enum { MAX = 4 };
	struct wg_ratelimiter *rl = wg_ratelimiter_new(MAX, secret);
	uint8_t a[4];
	wg_ratelimiter_gc(rl, T0); /* empty: nothing to do */
	for (int round = 0; round < 3; round++) {
		uint64_t now = T0 + MS(2000) * (uint64_t)round;
		for (uint32_t i = 0; i < MAX; i++) {
			v4(a, 0x0a000000 + 16 * (uint32_t)round + i);
			CHECK(wg_ratelimiter_allow(rl, AF_INET, a, now), "round %d source %u", round, i);
		}
		v4(a, 0x0b000000 + (uint32_t)round);
		CHECK(!wg_ratelimiter_allow(rl, AF_INET, a, now), "round %d: full", round);
		CHECK_EQ(wg_ratelimiter_count(rl), MAX);
		wg_ratelimiter_gc(rl, now + MS(1001));
		CHECK_EQ(wg_ratelimiter_count(rl), 0);
	}
	wg_ratelimiter_free(rl);
}

/* wg_ratelimiter_check tells an empty bucket (a known source over its rate) from a full
 * table (an unknown source with no room): cookie replies serve the second, not the first. */
TEST(ratelimiter_check_tells_limited_from_full)
{
	static const uint8_t secret[16] = { 4, 5 };
	struct wg_ratelimiter *rl = wg_ratelimiter_new(2, secret);
	uint8_t a[4], b[4], c[4];
	v4(a, 0xc0000201);
	v4(b, 0xc0000202);
	v4(c, 0xc0000203);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(wg_ratelimiter_check(rl, AF_INET, a, T0), WG_RATELIMIT_ALLOW);
	CHECK_EQ(wg_ratelimiter_check(rl, AF_INET, a, T0), WG_RATELIMIT_LIMITED);
	CHECK_EQ(wg_ratelimiter_check(rl, AF_INET, b, T0), WG_RATELIMIT_ALLOW);
	CHECK_EQ(wg_ratelimiter_check(rl, AF_INET, c, T0), WG_RATELIMIT_FULL);
	CHECK_EQ(wg_ratelimiter_check(rl, AF_INET, a, T0), WG_RATELIMIT_LIMITED); /* known: not FULL */
	CHECK_EQ(wg_ratelimiter_check(rl, AF_INET, a, T0 + MS(50)), WG_RATELIMIT_ALLOW);
	CHECK_EQ(wg_ratelimiter_check(rl, 12345, a, T0 + MS(500)), WG_RATELIMIT_LIMITED); /* unknown family */
	CHECK(!wg_ratelimiter_allow(rl, AF_INET, c, T0), "allow() refuses a full table");
	wg_ratelimiter_free(rl);
}
