/* Allowed-IPs table: hand-written cases, then a long randomized run checked step by
 * step against a deliberately naive model (a flat list scanned linearly). */
#include "test.h"
#include "core/allowedips.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

/* ---- helpers for the hand-written cases ---- */

static int fam_of(const char *ip)
{
	return strchr(ip, ':') ? AF_INET6 : AF_INET;
}

static const uint8_t *ip(const char *s)
{
	static uint8_t buf[4][16];
	static int i;
	uint8_t *b = buf[i++ & 3];
	memset(b, 0, 16);
	if (inet_pton(fam_of(s), s, b) != 1)
		test_fail(__FILE__, __LINE__, "bad address in test: %s", s);
	return b;
}

static int ins(struct wg_allowedips *t, const char *a, int cidr, struct wg_aip_owner *o)
{
	return wg_allowedips_insert(t, fam_of(a), ip(a), (uint8_t)cidr, o);
}

static int del(struct wg_allowedips *t, const char *a, int cidr, struct wg_aip_owner *o)
{
	return wg_allowedips_remove(t, fam_of(a), ip(a), (uint8_t)cidr, o);
}

static struct wg_aip_owner *look(struct wg_allowedips *t, const char *a)
{
	return wg_allowedips_lookup(t, fam_of(a), ip(a));
}

static struct wg_aip_owner *exact(struct wg_allowedips *t, const char *a, int cidr)
{
	return wg_allowedips_find_exact(t, fam_of(a), ip(a), (uint8_t)cidr);
}

/* foreach into "addr/cidr" strings joined by spaces. */
struct listing { char s[1024]; int n; };

static bool list_cb(void *ctx, int family, const uint8_t *addr, uint8_t cidr)
{
	struct listing *l = ctx;
	char a[INET6_ADDRSTRLEN];
	size_t len = strlen(l->s);
	inet_ntop(family, addr, a, sizeof(a));
	snprintf(l->s + len, sizeof(l->s) - len, "%s%s/%u", l->n ? " " : "", a, cidr);
	l->n++;
	return true;
}

static const char *listing(struct wg_allowedips *t, struct wg_aip_owner *o)
{
	static struct listing l;
	memset(&l, 0, sizeof(l));
	wg_allowedips_foreach(t, o, list_cb, &l);
	return l.s;
}

#define CHECK_STR(a, b) CHECK(strcmp((a), (b)) == 0, "\"%s\" vs \"%s\"", (a), (b))

/* ---- hand-written cases ---- */

TEST(aip_longest_match_v4)
{
	struct wg_allowedips *t = wg_allowedips_new();
	struct wg_aip_owner a, b, c;
	wg_aip_owner_init(&a); wg_aip_owner_init(&b); wg_aip_owner_init(&c);
	CHECK_EQ(ins(t, "10.0.0.0", 8, &a), 0);
	CHECK_EQ(ins(t, "10.1.1.0", 24, &c), 0);
	CHECK_EQ(ins(t, "10.1.0.0", 16, &b), 0);   /* inserted between the two above */
	CHECK(look(t, "10.1.1.5") == &c);
	CHECK(look(t, "10.1.2.3") == &b);
	CHECK(look(t, "10.2.0.0") == &a);
	CHECK(look(t, "10.255.255.255") == &a);
	CHECK(look(t, "11.0.0.1") == NULL);
	CHECK(look(t, "9.255.255.255") == NULL);
	CHECK(look(t, "::a01:101") == NULL);          /* families are separate */
	wg_allowedips_free(t);
}

TEST(aip_longest_match_v6)
{
	struct wg_allowedips *t = wg_allowedips_new();
	struct wg_aip_owner a, b, c, d;
	wg_aip_owner_init(&a); wg_aip_owner_init(&b); wg_aip_owner_init(&c); wg_aip_owner_init(&d);
	CHECK_EQ(ins(t, "2001:db8::", 32, &a), 0);
	CHECK_EQ(ins(t, "2001:db8:1:2::80", 121, &d), 0);
	CHECK_EQ(ins(t, "2001:db8:1::", 48, &b), 0);
	CHECK_EQ(ins(t, "2001:db8:1:2::", 64, &c), 0);
	CHECK(look(t, "2001:db8:1:2::81") == &d);
	CHECK(look(t, "2001:db8:1:2::ff") == &d);
	CHECK(look(t, "2001:db8:1:2::100") == &c);
	CHECK(look(t, "2001:db8:1:2::7f") == &c);
	CHECK(look(t, "2001:db8:1:3::1") == &b);
	CHECK(look(t, "2001:db8:2::1") == &a);
	CHECK(look(t, "2001:db9::1") == NULL);
	CHECK(look(t, "10.1.2.3") == NULL);
	wg_allowedips_free(t);
}

TEST(aip_default_routes)
{
	struct wg_allowedips *t = wg_allowedips_new();
	struct wg_aip_owner a, b, c;
	wg_aip_owner_init(&a); wg_aip_owner_init(&b); wg_aip_owner_init(&c);
	CHECK(look(t, "1.2.3.4") == NULL);
	CHECK_EQ(ins(t, "192.168.0.0", 16, &b), 0);
	CHECK_EQ(ins(t, "0.0.0.0", 0, &a), 0);
	CHECK(look(t, "1.2.3.4") == &a);
	CHECK(look(t, "255.255.255.255") == &a);
	CHECK(look(t, "0.0.0.0") == &a);
	CHECK(look(t, "192.168.7.7") == &b);
	CHECK(look(t, "::1") == NULL);
	CHECK_EQ(ins(t, "::", 0, &c), 0);
	CHECK(look(t, "::1") == &c);
	CHECK(look(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == &c);
	CHECK(exact(t, "0.0.0.0", 0) == &a);
	CHECK(exact(t, "::", 0) == &c);
	CHECK_EQ(del(t, "0.0.0.0", 0, &a), 0);
	CHECK(look(t, "1.2.3.4") == NULL);
	CHECK(look(t, "192.168.7.7") == &b);
	CHECK(look(t, "::1") == &c);
	wg_allowedips_free(t);
}

TEST(aip_host_routes)
{
	struct wg_allowedips *t = wg_allowedips_new();
	struct wg_aip_owner a, b, c;
	wg_aip_owner_init(&a); wg_aip_owner_init(&b); wg_aip_owner_init(&c);
	CHECK_EQ(ins(t, "10.0.0.1", 32, &a), 0);
	CHECK_EQ(ins(t, "10.0.0.0", 31, &b), 0);
	CHECK_EQ(ins(t, "255.255.255.255", 32, &c), 0);
	CHECK(look(t, "10.0.0.1") == &a);
	CHECK(look(t, "10.0.0.0") == &b);
	CHECK(look(t, "10.0.0.2") == NULL);
	CHECK(look(t, "255.255.255.255") == &c);
	CHECK(look(t, "255.255.255.254") == NULL);
	CHECK_EQ(ins(t, "2001:db8::1", 128, &a), 0);
	CHECK_EQ(ins(t, "2001:db8::", 127, &b), 0);
	CHECK_EQ(ins(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128, &c), 0);
	CHECK(look(t, "2001:db8::1") == &a);
	CHECK(look(t, "2001:db8::") == &b);
	CHECK(look(t, "2001:db8::2") == NULL);
	CHECK(look(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == &c);
	CHECK(look(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe") == NULL);
	CHECK(exact(t, "2001:db8::1", 128) == &a);
	CHECK(exact(t, "2001:db8::1", 127) == &b);   /* masked to 2001:db8::/127 */
	CHECK(exact(t, "2001:db8::", 126) == NULL);
	wg_allowedips_free(t);
}

TEST(aip_overlapping_owners)
{
	/* Alternating owners down one chain of nested prefixes, with siblings at each level. */
	struct wg_allowedips *t = wg_allowedips_new();
	struct wg_aip_owner o[2];
	wg_aip_owner_init(&o[0]); wg_aip_owner_init(&o[1]);
	uint8_t addr[16] = { 0 };
	for (int cidr = 0; cidr <= 32; cidr++) {
		CHECK_EQ(wg_allowedips_insert(t, AF_INET, addr, (uint8_t)cidr, &o[cidr & 1]), 0);
		CHECK_EQ(wg_allowedips_insert(t, AF_INET6, addr, (uint8_t)(cidr * 4), &o[cidr & 1]), 0);
	}
	/* 0.0.0.0 with bit k set (k counted from the top) falls under the /k prefix. */
	for (int k = 0; k < 32; k++) {
		uint8_t a4[4] = { 0 }, a6[16] = { 0 };
		a4[k / 8] = (uint8_t)(0x80 >> (k % 8));
		CHECK(wg_allowedips_lookup(t, AF_INET, a4) == &o[k & 1], "v4 bit %d", k);
		int b = k * 4 + 3;   /* just past the /4k prefix, inside it */
		a6[b / 8] = (uint8_t)(0x80 >> (b % 8));
		CHECK(wg_allowedips_lookup(t, AF_INET6, a6) == &o[k & 1], "v6 bit %d", b);
	}
	CHECK(wg_allowedips_lookup(t, AF_INET, addr) == &o[0]);   /* the /32 */
	wg_allowedips_remove_owner(t, &o[0]);
	for (int k = 0; k < 32; k++) {
		uint8_t a4[4] = { 0 };
		a4[k / 8] = (uint8_t)(0x80 >> (k % 8));
		/* Now the longest is the nearest odd prefix at or above k. */
		struct wg_aip_owner *want = k == 0 ? NULL : &o[1];
		CHECK(wg_allowedips_lookup(t, AF_INET, a4) == want, "v4 bit %d", k);
	}
	CHECK(wg_allowedips_lookup(t, AF_INET, addr) == &o[1]);   /* the /31 */
	wg_allowedips_free(t);
}

TEST(aip_move_to_new_owner)
{
	struct wg_allowedips *t = wg_allowedips_new();
	struct wg_aip_owner a, b;
	wg_aip_owner_init(&a); wg_aip_owner_init(&b);
	CHECK_EQ(ins(t, "10.0.0.0", 24, &a), 0);
	CHECK_EQ(ins(t, "10.0.1.0", 24, &a), 0);
	CHECK_EQ(ins(t, "10.0.0.0", 24, &b), 0);
	CHECK(look(t, "10.0.0.9") == &b);
	CHECK(look(t, "10.0.1.9") == &a);
	CHECK(exact(t, "10.0.0.0", 24) == &b);
	CHECK_STR(listing(t, &a), "10.0.1.0/24");
	CHECK_STR(listing(t, &b), "10.0.0.0/24");
	CHECK_EQ(del(t, "10.0.0.0", 24, &a), -ENOENT);
	CHECK_EQ(ins(t, "10.0.0.0", 24, &b), 0);          /* same owner again: no change */
	CHECK_STR(listing(t, &b), "10.0.0.0/24");
	CHECK_EQ(del(t, "10.0.0.0", 24, &b), 0);
	CHECK(look(t, "10.0.0.9") == NULL);
	CHECK_STR(listing(t, &b), "");
	wg_allowedips_free(t);
}

TEST(aip_masked_insert)
{
	struct wg_allowedips *t = wg_allowedips_new();
	struct wg_aip_owner a;
	wg_aip_owner_init(&a);
	CHECK_EQ(ins(t, "10.0.0.5", 24, &a), 0);
	CHECK_EQ(ins(t, "2001:db8::ffff", 64, &a), 0);
	CHECK_EQ(ins(t, "2001:db8:0:1:7fff:ffff:ffff:ffff", 65, &a), 0);
	CHECK_STR(listing(t, &a), "10.0.0.0/24 2001:db8::/64 2001:db8:0:1::/65");
	CHECK(exact(t, "10.0.0.0", 24) == &a);
	CHECK(exact(t, "10.0.0.77", 24) == &a);
	CHECK(exact(t, "10.0.0.0", 25) == NULL);
	CHECK(look(t, "10.0.0.200") == &a);
	CHECK(look(t, "2001:db8:0:1:7fff::") == &a);
	CHECK(look(t, "2001:db8:0:1:8000::") == NULL);
	CHECK(look(t, "2001:db8:0:2::") == NULL);
	CHECK_EQ(del(t, "10.0.0.99", 24, &a), 0);          /* removal masks too */
	CHECK_STR(listing(t, &a), "2001:db8::/64 2001:db8:0:1::/65");
	wg_allowedips_free(t);
}

TEST(aip_remove_not_owned)
{
	struct wg_allowedips *t = wg_allowedips_new();
	struct wg_aip_owner a, b;
	wg_aip_owner_init(&a); wg_aip_owner_init(&b);
	CHECK_EQ(ins(t, "10.0.0.0", 24, &a), 0);
	CHECK_EQ(ins(t, "10.0.1.0", 24, &a), 0);   /* a branch point at /23 appears */
	CHECK_EQ(del(t, "10.0.0.0", 24, &b), -ENOENT);
	CHECK_EQ(del(t, "10.0.0.0", 23, &a), -ENOENT);
	CHECK_EQ(del(t, "10.0.0.0", 25, &a), -ENOENT);
	CHECK_EQ(del(t, "10.0.2.0", 24, &a), -ENOENT);
	CHECK_EQ(del(t, "::", 0, &a), -ENOENT);
	CHECK(look(t, "10.0.0.1") == &a);
	CHECK(look(t, "10.0.1.1") == &a);
	CHECK_EQ(del(t, "10.0.0.0", 24, &a), 0);
	CHECK_EQ(del(t, "10.0.0.0", 24, &a), -ENOENT);   /* already gone */
	CHECK(look(t, "10.0.0.1") == NULL);
	CHECK(look(t, "10.0.1.1") == &a);
	wg_allowedips_free(t);
}

TEST(aip_remove_inner_entry)
{
	/* An entry with two children becomes a bare branch point; re-adding it reuses it. */
	struct wg_allowedips *t = wg_allowedips_new();
	struct wg_aip_owner a, b;
	wg_aip_owner_init(&a); wg_aip_owner_init(&b);
	CHECK_EQ(ins(t, "10.0.0.0", 16, &a), 0);
	CHECK_EQ(ins(t, "10.0.0.0", 24, &b), 0);
	CHECK_EQ(ins(t, "10.0.128.0", 24, &b), 0);
	CHECK_EQ(del(t, "10.0.0.0", 16, &a), 0);
	CHECK(look(t, "10.0.0.1") == &b);
	CHECK(look(t, "10.0.128.1") == &b);
	CHECK(look(t, "10.0.64.1") == NULL);
	CHECK(exact(t, "10.0.0.0", 16) == NULL);
	CHECK_EQ(ins(t, "10.0.0.0", 16, &a), 0);
	CHECK(look(t, "10.0.64.1") == &a);
	CHECK(look(t, "10.0.128.1") == &b);
	/* One child: the entry is spliced out. */
	CHECK_EQ(del(t, "10.0.128.0", 24, &b), 0);
	CHECK_EQ(del(t, "10.0.0.0", 16, &a), 0);
	CHECK(look(t, "10.0.0.1") == &b);
	CHECK(look(t, "10.0.64.1") == NULL);
	CHECK_EQ(del(t, "10.0.0.0", 24, &b), 0);
	CHECK(look(t, "10.0.0.1") == NULL);
	wg_allowedips_free(t);
}

TEST(aip_remove_owner_leaves_others)
{
	struct wg_allowedips *t = wg_allowedips_new();
	struct wg_aip_owner a, b;
	wg_aip_owner_init(&a); wg_aip_owner_init(&b);
	CHECK_EQ(ins(t, "10.0.0.0", 8, &a), 0);
	CHECK_EQ(ins(t, "10.1.0.0", 16, &b), 0);
	CHECK_EQ(ins(t, "10.1.2.0", 24, &a), 0);
	CHECK_EQ(ins(t, "10.1.2.3", 32, &b), 0);
	CHECK_EQ(ins(t, "2001:db8::", 32, &a), 0);
	CHECK_EQ(ins(t, "2001:db8::", 48, &b), 0);
	wg_allowedips_remove_owner(t, &a);
	CHECK_STR(listing(t, &a), "");
	CHECK_STR(listing(t, &b), "10.1.0.0/16 10.1.2.3/32 2001:db8::/48");
	CHECK(look(t, "10.2.0.0") == NULL);
	CHECK(look(t, "10.1.2.4") == &b);
	CHECK(look(t, "10.1.2.3") == &b);
	CHECK(look(t, "2001:db8::1") == &b);
	CHECK(look(t, "2001:db8:1::1") == NULL);
	wg_allowedips_remove_owner(t, &a);                 /* nothing left: harmless */
	CHECK_EQ(ins(t, "10.0.0.0", 8, &a), 0);            /* the owner is reusable */
	CHECK(look(t, "10.2.0.0") == &a);
	wg_allowedips_free(t);
}

TEST(aip_invalid)
{
	struct wg_allowedips *t = wg_allowedips_new();
	struct wg_aip_owner a;
	wg_aip_owner_init(&a);
	uint8_t z[16] = { 0 };
	CHECK_EQ(wg_allowedips_insert(t, AF_INET, z, 33, &a), -EINVAL);
	CHECK_EQ(wg_allowedips_insert(t, AF_INET6, z, 129, &a), -EINVAL);
	CHECK_EQ(wg_allowedips_insert(t, AF_INET, z, 255, &a), -EINVAL);
	CHECK_EQ(wg_allowedips_insert(t, AF_UNIX, z, 8, &a), -EINVAL);
	CHECK_EQ(wg_allowedips_insert(t, 0, z, 0, &a), -EINVAL);
	CHECK_EQ(wg_allowedips_remove(t, AF_INET, z, 33, &a), -EINVAL);
	CHECK(wg_allowedips_find_exact(t, AF_INET, z, 33) == NULL);
	CHECK_STR(listing(t, &a), "");
	CHECK_EQ(wg_allowedips_insert(t, AF_INET, z, 32, &a), 0);
	CHECK_EQ(wg_allowedips_insert(t, AF_INET6, z, 128, &a), 0);
	CHECK(wg_allowedips_lookup(t, AF_UNIX, z) == NULL);
	CHECK(wg_allowedips_lookup(t, AF_INET, z) == &a);
	wg_allowedips_free(t);
}

TEST(aip_free_empties_owners)
{
	struct wg_allowedips *t = wg_allowedips_new();
	struct wg_aip_owner a;
	wg_aip_owner_init(&a);
	CHECK_EQ(ins(t, "10.0.0.0", 8, &a), 0);
	CHECK_EQ(ins(t, "::", 0, &a), 0);
	wg_allowedips_free(t);
	CHECK(a.first == NULL && a.count == 0);
	wg_allowedips_free(NULL);
}

TEST(aip_cursor)
{
	struct wg_allowedips *t = wg_allowedips_new();
	struct wg_aip_owner a, b;
	wg_aip_owner_init(&a); wg_aip_owner_init(&b);
	struct wg_aip_cursor cur = { 0 };
	int family;
	uint8_t addr[16], cidr;
	CHECK_EQ(wg_allowedips_next(t, &a, &cur, &family, addr, &cidr), 0);
	CHECK_EQ(ins(t, "10.9.0.0", 16, &a), 0);
	CHECK_EQ(ins(t, "10.0.0.0", 8, &b), 0);
	CHECK_EQ(ins(t, "2001:db8::", 32, &a), 0);
	CHECK_EQ(ins(t, "10.1.0.0", 16, &a), 0);
	memset(&cur, 0, sizeof(cur));
	CHECK_EQ(wg_allowedips_next(t, &a, &cur, &family, addr, &cidr), 1);
	CHECK(family == AF_INET && cidr == 16);
	CHECK_MEM(addr, ip("10.9.0.0"), 4);
	CHECK_EQ(wg_allowedips_next(t, &a, &cur, &family, addr, &cidr), 1);
	CHECK(family == AF_INET6 && cidr == 32);
	CHECK_MEM(addr, ip("2001:db8::"), 16);
	CHECK_EQ(wg_allowedips_next(t, &a, &cur, &family, addr, &cidr), 1);
	CHECK(family == AF_INET && cidr == 16);
	CHECK_MEM(addr, ip("10.1.0.0"), 4);
	CHECK_EQ(wg_allowedips_next(t, &a, &cur, &family, addr, &cidr), 0);
	CHECK_EQ(wg_allowedips_next(t, &a, &cur, &family, addr, &cidr), 0);
	/* A change in the middle of a walk is reported, not walked into. */
	memset(&cur, 0, sizeof(cur));
	CHECK_EQ(wg_allowedips_next(t, &a, &cur, &family, addr, &cidr), 1);
	CHECK_EQ(ins(t, "10.9.0.0", 16, &a), 0);            /* no change: no restart */
	CHECK_EQ(del(t, "10.9.0.0", 16, &b), -ENOENT);
	CHECK_EQ(wg_allowedips_next(t, &a, &cur, &family, addr, &cidr), 1);
	CHECK_EQ(del(t, "2001:db8::", 32, &a), 0);
	CHECK_EQ(wg_allowedips_next(t, &a, &cur, &family, addr, &cidr), -EAGAIN);
	/* So are a new prefix and one that changes hands. */
	memset(&cur, 0, sizeof(cur));
	CHECK_EQ(wg_allowedips_next(t, &a, &cur, &family, addr, &cidr), 1);
	CHECK_EQ(ins(t, "10.7.0.0", 16, &a), 0);
	CHECK_EQ(wg_allowedips_next(t, &a, &cur, &family, addr, &cidr), -EAGAIN);
	memset(&cur, 0, sizeof(cur));
	CHECK_EQ(wg_allowedips_next(t, &a, &cur, &family, addr, &cidr), 1);
	CHECK_EQ(ins(t, "10.7.0.0", 16, &b), 0);
	CHECK_EQ(wg_allowedips_next(t, &a, &cur, &family, addr, &cidr), -EAGAIN);
	memset(&cur, 0, sizeof(cur));
	int n = 0;
	while (wg_allowedips_next(t, &a, &cur, &family, addr, &cidr) == 1)
		n++;
	CHECK_EQ(n, 2);
	wg_allowedips_free(t);
}

TEST(aip_lookup_many)
{
	struct wg_allowedips *t = wg_allowedips_new();
	struct wg_aip_owner a, b, junk;
	wg_aip_owner_init(&a); wg_aip_owner_init(&b);
	const char *addrs[] = { "10.1.2.3", "2001:db8::1", "10.9.9.9", "192.168.1.1",
				"2001:db8:1::1", "::1", "10.1.255.255", "11.0.0.0" };
	enum { N = 100 };   /* more than the walks taken in turns */
	uint8_t buf[N][16];
	struct wg_aip_query q[N];
	for (int i = 0; i < N; i++) {
		const char *s = addrs[i % 8];
		memcpy(buf[i], ip(s), 16);
		q[i] = (struct wg_aip_query){ fam_of(s), buf[i], &junk };
	}
	q[5].family = AF_UNIX;
	wg_allowedips_lookup_many(t, q, N);                   /* empty table */
	for (int i = 0; i < N; i++)
		CHECK(q[i].owner == NULL, "query %d", i);
	CHECK_EQ(ins(t, "10.0.0.0", 8, &a), 0);
	CHECK_EQ(ins(t, "10.1.0.0", 16, &b), 0);
	CHECK_EQ(ins(t, "2001:db8::", 32, &a), 0);
	CHECK_EQ(ins(t, "2001:db8:1::", 48, &b), 0);
	for (int i = 0; i < N; i++)
		q[i].owner = &junk;
	wg_allowedips_lookup_many(t, q, 0);
	CHECK(q[0].owner == &junk);
	wg_allowedips_lookup_many(t, q, N);
	for (int i = 0; i < N; i++) {
		struct wg_aip_owner *want = i == 5 ? NULL : wg_allowedips_lookup(t, q[i].family, buf[i]);
		CHECK(q[i].owner == want, "query %d", i);
	}
	CHECK(q[0].owner == &b && q[1].owner == &a && q[2].owner == &a && q[3].owner == NULL);
	CHECK(q[4].owner == &b && q[6].owner == &b && q[7].owner == NULL && q[5].owner == NULL);
	wg_allowedips_free(t);
}

/* ---- randomized comparison against a naive model ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* The model works on byte arrays with bit loops, independently of the trie's words. */
static void mask_bytes(uint8_t *a, unsigned len, unsigned cidr)
{
	for (unsigned i = 0; i < len * 8; i++)
		if (i >= cidr)
			a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

static bool in_prefix(const uint8_t *a, const uint8_t *p, unsigned cidr)
{
	unsigned full = cidr / 8, rest = cidr % 8;
	if (memcmp(a, p, full))
		return false;
	return !rest || !((a[full] ^ p[full]) & (uint8_t)(0xff00 >> rest));
}

enum { OWNERS = 2000, CLUSTERS = 24 };

struct ref {
	uint8_t addr[16];
	uint8_t cidr;
	int owner;
	uint64_t seq;       /* when it joined its owner's list */
};

struct model {
	struct ref *r[2];   /* [0] IPv4, [1] IPv6 */
	size_t n[2], cap[2];
	uint64_t seq;
};

static struct wg_aip_owner owners[OWNERS];
static uint8_t bases[2][CLUSTERS][16];

static int fam(int v6)
{
	return v6 ? AF_INET6 : AF_INET;
}

static unsigned alen(int v6)
{
	return v6 ? 16 : 4;
}

static struct ref *model_find(struct model *m, int v6, const uint8_t *a, unsigned cidr)
{
	for (size_t i = 0; i < m->n[v6]; i++)
		if (m->r[v6][i].cidr == cidr && !memcmp(m->r[v6][i].addr, a, alen(v6)))
			return &m->r[v6][i];
	return NULL;
}

static void model_insert(struct model *m, int v6, const uint8_t *addr, unsigned cidr, int owner)
{
	uint8_t a[16] = { 0 };
	memcpy(a, addr, alen(v6));
	mask_bytes(a, alen(v6), cidr);
	struct ref *r = model_find(m, v6, a, cidr);
	if (r) {
		if (r->owner != owner)
			r->seq = m->seq++;
		r->owner = owner;
		return;
	}
	if (m->n[v6] == m->cap[v6]) {
		m->cap[v6] = m->cap[v6] ? m->cap[v6] * 2 : 1024;
		m->r[v6] = realloc(m->r[v6], m->cap[v6] * sizeof(struct ref));
	}
	r = &m->r[v6][m->n[v6]++];
	memcpy(r->addr, a, 16);
	r->cidr = (uint8_t)cidr;
	r->owner = owner;
	r->seq = m->seq++;
}

static void model_drop(struct model *m, int v6, size_t i)
{
	m->r[v6][i] = m->r[v6][--m->n[v6]];
}

static int model_lookup(const struct model *m, int v6, const uint8_t *a, int *cidr)
{
	int best = -1, bestc = -1;
	for (size_t i = 0; i < m->n[v6]; i++) {
		const struct ref *r = &m->r[v6][i];
		if (r->cidr > bestc && in_prefix(a, r->addr, r->cidr)) {
			best = r->owner;
			bestc = r->cidr;
		}
	}
	*cidr = bestc;
	return best;
}

/* Clustered: most prefixes share the leading bits of one of a few bases, so they nest
 * and overlap at every length; a few are short and cover whole clusters (none shorter
 * than /4, so that some addresses match nothing). */
static void random_prefix(int v6, uint8_t *a, unsigned *cidr)
{
	unsigned bits = alen(v6) * 8, keep = v6 ? 24 + below(48) : 8 + below(12);
	memcpy(a, bases[v6][below(CLUSTERS)], 16);
	for (unsigned i = keep; i < bits; i++)
		if (rnd() & 1)
			a[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
	*cidr = below(64) ? keep - 4 + below(bits - keep + 5) : 4 + below(keep - 4);
}

/* Mostly near a cluster, sometimes anywhere. */
static void random_addr(int v6, uint8_t *a)
{
	unsigned bits = alen(v6) * 8, keep = below(8) ? below(bits + 1) : 0;
	memcpy(a, bases[v6][below(CLUSTERS)], 16);
	for (unsigned i = keep; i < bits; i++)
		if (rnd() & 1)
			a[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
}

struct stats { long hits, deep_hits, misses; };

/* Batches of random size go through both lookup and lookup_many. */
static void compare_lookups(struct wg_allowedips *t, const struct model *m, int count,
			    struct stats *st, const char *phase)
{
	enum { MAXB = 80 };
	uint8_t a[MAXB][16];
	struct wg_aip_query q[MAXB];
	int bad = 0;
	for (int i = 0; i < count;) {
		int n = 1 + (int)below(MAXB);
		for (int j = 0; j < n; j++) {
			int v6 = (int)(rnd() & 1);
			random_addr(v6, a[j]);
			q[j] = (struct wg_aip_query){ fam(v6), a[j], &owners[0] };
		}
		wg_allowedips_lookup_many(t, q, (size_t)n);
		for (int j = 0; j < n; j++, i++) {
			int v6 = q[j].family == AF_INET6, cidr, want = model_lookup(m, v6, a[j], &cidr);
			struct wg_aip_owner *w = want < 0 ? NULL : &owners[want];
			struct wg_aip_owner *got = wg_allowedips_lookup(t, q[j].family, a[j]);
			if ((got != w || q[j].owner != w) && bad++ < 5)
				test_fail(__FILE__, __LINE__, "%s: lookup #%d (v6=%d) got owner %ld, "
					  "batched %ld, want %d", phase, i, v6,
					  got ? (long)(got - owners) : -1L,
					  q[j].owner ? (long)(q[j].owner - owners) : -1L, want);
			st->misses += want < 0;
			st->hits += want >= 0;
			st->deep_hits += cidr >= (v6 ? 64 : 24);
		}
	}
}

static void compare_exact(struct wg_allowedips *t, const struct model *m, const char *phase)
{
	int bad = 0;
	for (int v6 = 0; v6 < 2; v6++)
		for (size_t i = 0; i < m->n[v6]; i++) {
			const struct ref *r = &m->r[v6][i];
			struct wg_aip_owner *got = wg_allowedips_find_exact(t, fam(v6), r->addr, r->cidr);
			if (got != &owners[r->owner] && bad++ < 5)
				test_fail(__FILE__, __LINE__, "%s: find_exact of ref %zu wrong", phase, i);
		}
}

/* One owner's prefix as listed, or as the model holds it. */
struct item { int owner, v6; uint8_t addr[16]; uint8_t cidr; uint64_t seq; };

struct collect { struct item *items; size_t n; int owner; };

static bool collect_cb(void *ctx, int family, const uint8_t *addr, uint8_t cidr)
{
	struct collect *c = ctx;
	struct item *it = &c->items[c->n++];
	memset(it, 0, sizeof(*it));
	it->owner = c->owner;
	it->v6 = family == AF_INET6;
	memcpy(it->addr, addr, alen(it->v6));
	it->cidr = cidr;
	return true;
}

static int by_owner_seq(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* foreach must list exactly each owner's prefixes, in the order they joined it; the
 * cursor must agree with foreach. */
static void compare_lists(struct wg_allowedips *t, const struct model *m, const char *phase)
{
	size_t total = m->n[0] + m->n[1];
	struct item *want = calloc(total + 1, sizeof(*want));
	struct collect got = { calloc(total + 1, sizeof(struct item)), 0, 0 };
	size_t k = 0;
	for (int v6 = 0; v6 < 2; v6++)
		for (size_t i = 0; i < m->n[v6]; i++, k++) {
			const struct ref *r = &m->r[v6][i];
			want[k] = (struct item){ .owner = r->owner, .v6 = v6, .cidr = r->cidr, .seq = r->seq };
			memcpy(want[k].addr, r->addr, 16);
		}
	qsort(want, total, sizeof(*want), by_owner_seq);
	for (got.owner = 0; got.owner < OWNERS; got.owner++) {
		size_t before = got.n;
		/* More than the model holds would overrun: the cursor caps it first. */
		struct wg_aip_cursor cur = { 0 };
		int family, rc;
		uint8_t addr[16], cidr;
		size_t n = 0;
		while ((rc = wg_allowedips_next(t, &owners[got.owner], &cur, &family, addr, &cidr)) == 1)
			n++;
		CHECK_EQ(rc, 0);
		if (before + n > total) {
			test_fail(__FILE__, __LINE__, "%s: owner %d lists too many", phase, got.owner);
			break;
		}
		wg_allowedips_foreach(t, &owners[got.owner], collect_cb, &got);
		if (got.n - before != n)
			test_fail(__FILE__, __LINE__, "%s: owner %d: cursor %zu, foreach %zu",
				  phase, got.owner, n, got.n - before);
	}
	CHECK_EQ(got.n, total);
	int bad = 0;
	for (size_t i = 0; i < total && i < got.n; i++) {
		const struct item *w = &want[i], *g = &got.items[i];
		if ((w->owner != g->owner || w->v6 != g->v6 || w->cidr != g->cidr ||
		     memcmp(w->addr, g->addr, 16)) && bad++ < 5)
			test_fail(__FILE__, __LINE__, "%s: listing item %zu differs (owner %d/%d)",
				  phase, i, w->owner, g->owner);
	}
	free(want);
	free(got.items);
}

static void check_all(struct wg_allowedips *t, const struct model *m, struct stats *st,
		      const char *phase)
{
	compare_lookups(t, m, 50000, st, phase);
	compare_exact(t, m, phase);
	compare_lists(t, m, phase);
}

static void random_inserts(struct wg_allowedips *t, struct model *m, int count)
{
	int bad = 0;
	for (int i = 0; i < count; i++) {
		int v6 = (int)(rnd() & 1), owner = (int)below(OWNERS);
		uint8_t a[16];
		unsigned cidr;
		if (m->n[v6] && !below(5)) {
			/* Re-insert a present prefix, with host bits set: mostly a move. */
			const struct ref *r = &m->r[v6][below((unsigned)m->n[v6])];
			memcpy(a, r->addr, 16);
			cidr = r->cidr;
			if (cidr < alen(v6) * 8)
				a[alen(v6) - 1] |= 1;
		} else {
			random_prefix(v6, a, &cidr);
		}
		int rc = wg_allowedips_insert(t, fam(v6), a, (uint8_t)cidr, &owners[owner]);
		if (rc != 0 && bad++ < 5)
			test_fail(__FILE__, __LINE__, "insert returned %d", rc);
		model_insert(m, v6, a, cidr, owner);
	}
}

static void random_removals(struct wg_allowedips *t, struct model *m, int count)
{
	int bad = 0;
	for (int i = 0; i < count; i++) {
		int v6 = (int)(rnd() & 1), owner = (int)below(OWNERS);
		uint8_t a[16];
		unsigned cidr;
		if (m->n[v6] && below(4)) {
			const struct ref *r = &m->r[v6][below((unsigned)m->n[v6])];
			memcpy(a, r->addr, 16);
			cidr = r->cidr;
			if (below(2))
				owner = r->owner;   /* otherwise most likely not the owner */
		} else {
			random_prefix(v6, a, &cidr);
			mask_bytes(a, alen(v6), cidr);
		}
		struct ref *r = model_find(m, v6, a, cidr);
		int want = r && r->owner == owner ? 0 : -ENOENT;
		int rc = wg_allowedips_remove(t, fam(v6), a, (uint8_t)cidr, &owners[owner]);
		if (rc != want && bad++ < 5)
			test_fail(__FILE__, __LINE__, "remove returned %d, want %d", rc, want);
		if (want == 0)
			model_drop(m, v6, (size_t)(r - m->r[v6]));
	}
}

static void remove_owners(struct wg_allowedips *t, struct model *m, int count)
{
	for (int i = 0; i < count; i++) {
		int owner = (int)below(OWNERS);
		wg_allowedips_remove_owner(t, &owners[owner]);
		for (int v6 = 0; v6 < 2; v6++)
			for (size_t j = m->n[v6]; j-- > 0;)
				if (m->r[v6][j].owner == owner)
					model_drop(m, v6, j);
	}
}

static void seed(uint64_t s)
{
	rng_state = s;
	for (int v6 = 0; v6 < 2; v6++)
		for (int c = 0; c < CLUSTERS; c++)
			for (int i = 0; i < 16; i++)
				bases[v6][c][i] = i < (int)alen(v6) ? (uint8_t)rnd() : 0;
	for (int i = 0; i < OWNERS; i++)
		wg_aip_owner_init(&owners[i]);
}

TEST(aip_random_vs_naive)
{
	struct wg_allowedips *t = wg_allowedips_new();
	struct model m = { 0 };
	struct stats st = { 0 };
	seed(0x9e3779b97f4a7c15ULL);

	random_inserts(t, &m, 12000);
	check_all(t, &m, &st, "inserted");
	random_removals(t, &m, 4000);
	check_all(t, &m, &st, "single removals");
	remove_owners(t, &m, 300);
	check_all(t, &m, &st, "owner removals");
	random_inserts(t, &m, 12000);
	random_removals(t, &m, 2000);
	remove_owners(t, &m, 200);
	check_all(t, &m, &st, "mixed");
	remove_owners(t, &m, 1000);
	random_removals(t, &m, 6000);
	check_all(t, &m, &st, "thinned");
	CHECK(m.n[0] > 1000 && m.n[1] > 1000, "the model kept %zu/%zu", m.n[0], m.n[1]);
	/* Not vacuous: matches at all depths and misses both occurred often. */
	CHECK(st.hits > 100000 && st.deep_hits > 20000 && st.misses > 10000,
	      "hits %ld (deep %ld) misses %ld", st.hits, st.deep_hits, st.misses);
	for (int i = 0; i < OWNERS; i++)
		wg_allowedips_remove_owner(t, &owners[i]);
	m.n[0] = m.n[1] = 0;
	check_all(t, &m, &st, "emptied");
	CHECK(st.hits + st.misses >= 300000);
	wg_allowedips_free(t);
	free(m.r[0]);
	free(m.r[1]);
}
