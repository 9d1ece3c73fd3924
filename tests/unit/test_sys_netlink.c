/* rtnetlink layer against the real kernel, inside a private network namespace that this
 * process unshares on first use: nothing here can touch the host's interfaces. Needs
 * root; prints SKIP otherwise. */
#include "test.h"
#include "sys/netlink.h"
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

/* Enters a fresh netns once; false (after printing SKIP) when that is impossible. */
static bool private_netns(const char *name)
{
	static int state; /* 0 = not tried, 1 = inside, -1 = impossible */
	if (state == 0)
		state = geteuid() == 0 && unshare(CLONE_NEWNET) == 0 ? 1 : -1;
	if (state < 0)
		printf("SKIP test_sys_netlink:%s (needs root to unshare a netns)\n", name);
	return state > 0;
}

static struct wg_prefix P(const char *s)
{
	struct wg_prefix p;
	if (wg_prefix_parse(&p, s) < 0)
		test_fail(__FILE__, __LINE__, "bad prefix %s", s);
	return p;
}

static bool has_addr(const char *ifname, const char *pfx)
{
	struct wg_nl_addr *a;
	struct wg_prefix want = P(pfx);
	int n = wg_nl_addr_list(ifname, AF_UNSPEC, &a);
	bool found = false;
	for (int i = 0; i < n; i++)
		found |= wg_prefix_eq(&a[i].prefix, &want);
	free(a);
	return found;
}

static const struct wg_nl_route *find_route(const struct wg_nl_route *r, int n,
					    const char *dst, uint32_t table)
{
	struct wg_prefix want = P(dst);
	for (int i = 0; i < n; i++)
		if (wg_prefix_eq(&r[i].dst, &want) && r[i].table == table)
			return &r[i];
	return NULL;
}

TEST(netlink_veth_link_list_and_props)
{
	if (!private_netns(__func__))
		return;
	CHECK_EQ(wg_nl_link_create_veth("nlt-a", "nlt-b"), 0);
	CHECK_EQ(wg_nl_link_create_veth("nlt-a", "nlt-c"), -EEXIST);
	CHECK(wg_nl_ifindex("nlt-a") > 0);
	CHECK_EQ(wg_nl_ifindex("nope0"), -ENODEV);
	CHECK_EQ(wg_nl_link_set_mtu("nlt-a", 1420), 0);
	CHECK_EQ(wg_nl_link_set_up("nlt-a", true), 0);
	CHECK_EQ(wg_nl_link_set_up("nlt-b", true), 0);
	struct wg_nl_link l;
	CHECK_EQ(wg_nl_link_get("nlt-a", &l), 0);
	CHECK(strcmp(l.name, "nlt-a") == 0);
	CHECK(strcmp(l.kind, "veth") == 0, "kind=%s", l.kind);
	CHECK_EQ(l.mtu, 1420);
	CHECK(l.up && l.has_mac);
	CHECK(l.running && l.lower_up, "both ends up: carrier");
	CHECK_EQ(wg_nl_link_set_up("nlt-b", false), 0);
	CHECK_EQ(wg_nl_link_get("nlt-a", &l), 0);
	CHECK(l.up && !l.lower_up, "peer down: no carrier");
	struct wg_nl_link *all;
	int n = wg_nl_link_list(&all);
	bool lo = false, a = false, b = false;
	for (int i = 0; i < n; i++) {
		lo |= strcmp(all[i].name, "lo") == 0 && strcmp(all[i].kind, "loopback") == 0;
		a |= strcmp(all[i].name, "nlt-a") == 0;
		b |= strcmp(all[i].name, "nlt-b") == 0 && !all[i].up;
	}
	free(all);
	CHECK(n >= 3 && lo && a && b, "n=%d", n);
	CHECK_EQ(wg_nl_link_set_up("nlt-a", false), 0);
	CHECK_EQ(wg_nl_link_rename("nlt-a", "nlt-x"), 0);
	CHECK(wg_nl_ifindex("nlt-x") > 0);
	CHECK_EQ(wg_nl_link_delete("nlt-x"), 0);
	CHECK_EQ(wg_nl_ifindex("nlt-b"), -ENODEV); /* deleting one end removes the pair */
	CHECK_EQ(wg_nl_link_delete("nlt-x"), -ENODEV);
}

TEST(netlink_tun_reports_kind_tun)
{
	if (!private_netns(__func__))
		return;
	/* A bridge and, where the kernel has it, a tun device made through /dev/net/tun. */
	CHECK_EQ(wg_nl_link_create("nlt-br", "bridge"), 0);
	struct wg_nl_link l;
	CHECK_EQ(wg_nl_link_get("nlt-br", &l), 0);
	CHECK(strcmp(l.kind, "bridge") == 0, "kind=%s", l.kind);
	CHECK_EQ(wg_nl_link_delete("nlt-br"), 0);
	CHECK_EQ(wg_nl_link_create("nlt-zz", "no-such-kind"), -EOPNOTSUPP);
	if (system("ip tuntap add nlt-tun mode tun 2>/dev/null") != 0)
		return;
	CHECK_EQ(wg_nl_link_get("nlt-tun", &l), 0);
	CHECK(strcmp(l.kind, "tun") == 0, "kind=%s", l.kind);
	CHECK(!l.has_mac);
	CHECK_EQ(wg_nl_link_delete("nlt-tun"), 0);
}

TEST(netlink_addresses_v4_v6)
{
	if (!private_netns(__func__))
		return;
	CHECK_EQ(wg_nl_link_create_veth("nla-a", "nla-b"), 0);
	struct wg_prefix v4 = P("10.200.200.1/24"), v6 = P("fd00:0:0:1::1/64");
	CHECK_EQ(wg_nl_addr_add("nla-a", &v4), 0);
	CHECK_EQ(wg_nl_addr_add("nla-a", &v4), -EEXIST);
	CHECK_EQ(wg_nl_addr_add("nla-a", &v6), 0);
	CHECK_EQ(wg_nl_addr_add("nla-a", &v6), -EEXIST);
	CHECK_EQ(wg_nl_addr_add("nope0", &v4), -ENODEV);
	CHECK(has_addr("nla-a", "10.200.200.1/24"));
	CHECK(has_addr("nla-a", "fd00:0:0:1::1/64"));
	CHECK(has_addr(NULL, "10.200.200.1/24"), "listing all interfaces");
	struct wg_nl_addr *a;
	int n = wg_nl_addr_list("nla-a", AF_INET, &a);
	CHECK_EQ(n, 1);
	if (n == 1)
		CHECK(strcmp(a[0].ifname, "nla-a") == 0);
	free(a);
	CHECK_EQ(wg_nl_addr_list("nla-b", AF_UNSPEC, &a), 0);
	free(a);
	CHECK_EQ(wg_nl_addr_del("nla-a", &v4), 0);
	CHECK_EQ(wg_nl_addr_del("nla-a", &v4), -ENOENT);
	CHECK_EQ(wg_nl_addr_del("nla-a", &v6), 0);
	CHECK_EQ(wg_nl_addr_del("nla-a", &v6), -ENOENT);
	CHECK(!has_addr("nla-a", "10.200.200.1/24"));
	CHECK_EQ(wg_nl_link_delete("nla-a"), 0);
}

TEST(netlink_routes_connected_static_blackhole_tables)
{
	if (!private_netns(__func__))
		return;
	CHECK_EQ(wg_nl_link_create_veth("nlr-a", "nlr-b"), 0);
	CHECK_EQ(wg_nl_link_set_up("nlr-a", true), 0);
	CHECK_EQ(wg_nl_link_set_up("nlr-b", true), 0);
	struct wg_prefix a4 = P("10.1.101.1/24");
	CHECK_EQ(wg_nl_addr_add("nlr-a", &a4), 0);

	struct wg_nl_route via = { .dst = P("10.255.255.0/24"), .has_gateway = true,
				   .table = WG_NL_TABLE_MAIN, .metric = 1 };
	struct wg_prefix gw = P("10.1.101.2");
	memcpy(via.gateway, gw.addr, 4);
	CHECK_EQ(wg_nl_route_add(&via), 0);
	CHECK_EQ(wg_nl_route_add(&via), -EEXIST);
	struct wg_nl_route dev = { .dst = P("172.16.0.0/24"), .table = WG_NL_TABLE_MAIN };
	strcpy(dev.oif, "nlr-a");
	CHECK_EQ(wg_nl_route_add(&dev), 0);
	struct wg_nl_route bh = { .dst = P("192.0.2.0/24"), .blackhole = true,
				  .table = WG_NL_TABLE_MAIN, .metric = 5 };
	CHECK_EQ(wg_nl_route_add(&bh), 0);
	struct wg_nl_route deflt = { .dst = P("0.0.0.0/0"), .table = 100 };
	strcpy(deflt.oif, "nlr-a");
	CHECK_EQ(wg_nl_route_add(&deflt), 0);
	struct wg_nl_route bad = { .dst = P("10.0.0.1/8"), .table = 254 };
	strcpy(bad.oif, "nlr-a");
	CHECK_EQ(wg_nl_route_add(&bad), -EINVAL); /* host bits in dst */
	strcpy(bad.oif, "nope0");
	bad.dst = P("10.0.0.0/8");
	CHECK_EQ(wg_nl_route_add(&bad), -ENODEV);

	struct wg_nl_route *r;
	int n = wg_nl_route_list(AF_INET, WG_NL_TABLE_MAIN, &r);
	const struct wg_nl_route *c = find_route(r, n, "10.1.101.0/24", 254);
	CHECK(c && wg_nl_route_is_connected(c) && strcmp(c->oif, "nlr-a") == 0 && c->has_prefsrc,
	      "connected route listed");
	const struct wg_nl_route *s = find_route(r, n, "10.255.255.0/24", 254);
	CHECK(s && s->protocol == WG_NL_PROTO_STATIC && s->has_gateway && s->metric == 1 &&
	      memcmp(s->gateway, gw.addr, 4) == 0 && strcmp(s->oif, "nlr-a") == 0);
	const struct wg_nl_route *d = find_route(r, n, "172.16.0.0/24", 254);
	CHECK(d && !d->has_gateway && strcmp(d->oif, "nlr-a") == 0);
	const struct wg_nl_route *b = find_route(r, n, "192.0.2.0/24", 254);
	CHECK(b && b->blackhole && b->metric == 5);
	CHECK(!find_route(r, n, "0.0.0.0/0", 100), "table filter");
	free(r);
	n = wg_nl_route_list(AF_INET, 100, &r);
	CHECK_EQ(n, 1);
	CHECK(find_route(r, n, "0.0.0.0/0", 100));
	free(r);
	n = wg_nl_route_list(AF_UNSPEC, 0, &r);
	CHECK(find_route(r, n, "0.0.0.0/0", 100) && find_route(r, n, "10.255.255.0/24", 254));
	free(r);

	/* replace changes the gateway of the same dst/table/metric in place */
	struct wg_nl_route rep = via;
	rep.has_gateway = false;
	strcpy(rep.oif, "nlr-a");
	CHECK_EQ(wg_nl_route_replace(&rep), 0);
	n = wg_nl_route_list(AF_INET, 254, &r);
	s = find_route(r, n, "10.255.255.0/24", 254);
	CHECK(s && !s->has_gateway);
	free(r);

	CHECK_EQ(wg_nl_route_del(&rep), 0);
	CHECK_EQ(wg_nl_route_del(&rep), -ENOENT);
	CHECK_EQ(wg_nl_route_del(&dev), 0);
	CHECK_EQ(wg_nl_route_del(&bh), 0);
	CHECK_EQ(wg_nl_route_del(&deflt), 0);
	n = wg_nl_route_list(AF_INET, 0, &r);
	CHECK(!find_route(r, n, "10.255.255.0/24", 254) && !find_route(r, n, "0.0.0.0/0", 100));
	free(r);
	CHECK_EQ(wg_nl_link_delete("nlr-a"), 0);
}

TEST(netlink_routes_v6)
{
	if (!private_netns(__func__))
		return;
	CHECK_EQ(wg_nl_link_create_veth("nl6-a", "nl6-b"), 0);
	CHECK_EQ(wg_nl_link_set_up("nl6-a", true), 0);
	CHECK_EQ(wg_nl_link_set_up("nl6-b", true), 0);
	struct wg_prefix a6 = P("fd00:0:0:1::1/64");
	CHECK_EQ(wg_nl_addr_add("nl6-a", &a6), 0);
	struct wg_nl_route rt = { .dst = P("fd00:0:0:2::/64"), .has_gateway = true,
				  .table = 254, .metric = 1 };
	struct wg_prefix gw = P("fd00:0:0:1::2");
	memcpy(rt.gateway, gw.addr, 16);
	strcpy(rt.oif, "nl6-a"); /* the gateway may still be tentative; pin the device */
	CHECK_EQ(wg_nl_route_add(&rt), 0);
	CHECK_EQ(wg_nl_route_add(&rt), -EEXIST);
	struct wg_nl_route *r;
	int n = wg_nl_route_list(AF_INET6, 254, &r);
	const struct wg_nl_route *s = find_route(r, n, "fd00:0:0:2::/64", 254);
	CHECK(s && s->has_gateway && memcmp(s->gateway, gw.addr, 16) == 0 && s->metric == 1);
	CHECK(find_route(r, n, "fd00:0:0:1::/64", 254), "connected v6 route");
	free(r);
	CHECK_EQ(wg_nl_route_del(&rt), 0);
	CHECK_EQ(wg_nl_route_del(&rt), -ENOENT);
	CHECK_EQ(wg_nl_link_delete("nl6-a"), 0);
}

static int find_rule(const struct wg_nl_rule *want)
{
	struct wg_nl_rule *r;
	int n = wg_nl_rule_list(want->family, &r), found = 0;
	for (int i = 0; i < n; i++)
		found += r[i].fwmark == want->fwmark && r[i].table == want->table &&
			 r[i].priority == want->priority && r[i].protocol == WG_NL_PROTO_WGROUTER;
	free(r);
	return found;
}

TEST(netlink_fwmark_rules)
{
	if (!private_netns("netlink_fwmark_rules"))
		return;
	struct wg_nl_rule r4 = { .family = AF_INET, .fwmark = 10003, .table = 10003, .priority = 10000 };
	struct wg_nl_rule r6 = { .family = AF_INET6, .fwmark = 254, .table = 254, .priority = 10000 };
	CHECK_EQ(find_rule(&r4), 0);
	CHECK_EQ(wg_nl_rule_add(&r4), 0);
	CHECK_EQ(wg_nl_rule_add(&r4), -EEXIST);
	CHECK_EQ(wg_nl_rule_add(&r6), 0);
	CHECK_EQ(find_rule(&r4), 1);
	CHECK_EQ(find_rule(&r6), 1);
	/* The kernel's own rules (local, main, default) are listed too, without a mark. */
	struct wg_nl_rule *all;
	int n = wg_nl_rule_list(AF_INET, &all), main_seen = 0;
	for (int i = 0; i < n; i++)
		main_seen += all[i].table == 254 && all[i].fwmark == 0;
	free(all);
	CHECK(n >= 4 && main_seen == 1, "%d rules", n);
	CHECK_EQ(wg_nl_rule_del(&r4), 0);
	CHECK_EQ(wg_nl_rule_del(&r4), -ENOENT);
	CHECK_EQ(find_rule(&r4), 0);
	CHECK_EQ(wg_nl_rule_del(&r6), 0);
	struct wg_nl_rule bad = { .family = AF_INET, .fwmark = 1, .table = 0, .priority = 1 };
	CHECK_EQ(wg_nl_rule_add(&bad), -EINVAL);
}
