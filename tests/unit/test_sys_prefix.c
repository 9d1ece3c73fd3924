/* Prefix parsing and printing (src/sys/prefix.c): one line per case. */
#include "test.h"
#include "sys/prefix.h"
#include <errno.h>

TEST(prefix_parse_format_table)
{
	static const struct { const char *in; int rc; const char *out; int len; } cases[] = {
		{ "10.0.0.0/24", 0, "10.0.0.0/24", 24 },
		{ "10.200.200.1/24", 0, "10.200.200.1/24", 24 },   /* host bits kept */
		{ "1.2.3.4", 0, "1.2.3.4", 32 },                   /* bare = host */
		{ "1.2.3.4/32", 0, "1.2.3.4", 32 },
		{ "0.0.0.0/0", 0, "0.0.0.0/0", 0 },
		{ "fd00::/64", 0, "fd00::/64", 64 },
		{ "fd00:0:0:1::1/64", 0, "fd00:0:0:1::1/64", 64 },
		{ "::/0", 0, "::/0", 0 },
		{ "2001:db8::1", 0, "2001:db8::1", 128 },
		{ "10.0.0.0/33", -EINVAL, NULL, 0 },
		{ "fd00::/129", -EINVAL, NULL, 0 },
		{ "10.0.0.0/", -EINVAL, NULL, 0 },
		{ "10.0.0.0/-1", -EINVAL, NULL, 0 },
		{ "10.0.0.0/ 8", -EINVAL, NULL, 0 },
		{ "10.0.0/8", -EINVAL, NULL, 0 },
		{ "wg-site", -EINVAL, NULL, 0 },
		{ "", -EINVAL, NULL, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wg_prefix p;
		char buf[WG_PREFIX_STRLEN];
		int rc = wg_prefix_parse(&p, cases[i].in);
		CHECK(rc == cases[i].rc, "case %zu (%s): rc %d", i, cases[i].in, rc);
		if (rc == 0 && cases[i].out) {
			CHECK(!strcmp(wg_prefix_format(&p, true, buf), cases[i].out), "case %zu: %s", i, buf);
			CHECK_EQ(p.len, cases[i].len);
		}
	}
}

TEST(prefix_mask_contains_overlaps)
{
	struct wg_prefix a, b, c, d;
	char buf[WG_PREFIX_STRLEN];
	wg_prefix_parse(&a, "10.200.200.1/24");
	CHECK(!wg_prefix_is_network(&a));
	wg_prefix_mask(&a);
	CHECK(wg_prefix_is_network(&a));
	CHECK(!strcmp(wg_prefix_format(&a, false, buf), "10.200.200.0/24"));
	wg_prefix_parse(&b, "10.200.200.2");
	CHECK(!strcmp(wg_prefix_format(&b, false, buf), "10.200.200.2/32"));
	CHECK(wg_prefix_contains(&a, &b) && !wg_prefix_contains(&b, &a));
	CHECK(wg_prefix_overlaps(&a, &b) && wg_prefix_overlaps(&b, &a));
	wg_prefix_parse(&c, "10.0.0.0/8");
	wg_prefix_parse(&d, "172.16.0.0/24");
	CHECK(wg_prefix_contains(&c, &a) && !wg_prefix_overlaps(&c, &d));
	wg_prefix_parse(&c, "fd00::/8");
	CHECK(!wg_prefix_overlaps(&c, &a), "families never overlap");
	wg_prefix_parse(&d, "fd00:0:0:2::/64");
	CHECK(wg_prefix_contains(&c, &d));
	wg_prefix_parse(&c, "fd00:0:0:1::1/63");
	wg_prefix_mask(&c);
	CHECK(!strcmp(wg_prefix_format(&c, true, buf), "fd00::/63"), "%s", buf);
	CHECK(wg_addr_parse(&c, "10.0.0.0/8") == -EINVAL);
	CHECK(wg_addr_parse(&c, "::1") == 0 && c.family == AF_INET6 && c.len == 128);
}
