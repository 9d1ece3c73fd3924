/* /ip/address, /ipv6/address, /ip/route, /ipv6/route, /routing/table, /ip/dns and
 * /ip/dns/static.
 * Print also shows what the system has that the configuration did not make: addresses
 * and routes of other interfaces, connected routes (DAC) and the routes installed for
 * peers' allowed-address, all as dynamic (D) items. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dns/wire.h"
#include "router/menus.h"
#include "sys/prefix.h"

static const struct wg_prop address_props[] = {
	{ "address", PT_PREFIX, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "network", PT_IP, PF_RO, NULL, NULL, 0, 0 },
	{ "interface", PT_IFACE, PF_REQUIRED, NULL, NULL, 0, 0 },
	P_COMMENT,
	P_DISABLED,
	{ "invalid", PT_BOOL, PF_RO | PF_RUNTIME | PF_NOPRINT, NULL, NULL, 0, 0 },
	P_END,
};

static const struct wg_prop address6_props[] = {
	{ "address", PT_PREFIX, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "interface", PT_IFACE, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "advertise", PT_BOOL, 0, "yes", NULL, 0, 0 },
	{ "eui-64", PT_BOOL, 0, "no", NULL, 0, 0 },
	{ "no-dad", PT_BOOL, 0, "no", NULL, 0, 0 },
	P_COMMENT,
	P_DISABLED,
	{ "invalid", PT_BOOL, PF_RO | PF_RUNTIME | PF_NOPRINT, NULL, NULL, 0, 0 },
	P_END,
};

static const struct wg_flagdef address_flags[] = {
	{ 'X', "disabled", "disabled" }, { 'I', "invalid", "invalid" }, { 'D', "dynamic", "dynamic" },
	{ 0, NULL, NULL },
};
static const char *const address_cols[] = { "address", "network", "interface", NULL };
static const char *const address6_cols[] = { "address", "interface", "advertise", NULL };

static const struct wg_prop route_props[] = {
	{ "dst-address", PT_NET, 0, NULL, NULL, 0, 0 },
	{ "gateway", PT_GATEWAY, 0, NULL, NULL, 0, 0 },
	{ "distance", PT_INT, 0, "1", NULL, 1, 255 },
	{ "routing-table", PT_TABLE, 0, "main", NULL, 0, 0 },
	{ "blackhole", PT_BOOL, 0, "no", NULL, 0, 0 },
	{ "pref-src", PT_IP, 0, NULL, NULL, 0, 0 },
	{ "scope", PT_INT, 0, "30", NULL, 0, 255 },
	{ "target-scope", PT_INT, 0, "10", NULL, 0, 255 },
	P_COMMENT,
	P_DISABLED,
	{ "active", PT_BOOL, PF_RO | PF_RUNTIME | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "connect", PT_BOOL, PF_RO | PF_RUNTIME | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "static", PT_BOOL, PF_RO | PF_RUNTIME | PF_NOPRINT, NULL, NULL, 0, 0 },
	P_END,
};

static const struct wg_flagdef route_flags[] = {
	{ 'D', "dynamic", "dynamic" }, { 'X', "disabled", "disabled" }, { 'A', "active", "active" },
	{ 'c', "connect", "connect" }, { 's', "static", "static" }, { 0, NULL, NULL },
};
static const char *const route_cols[] = { "dst-address", "gateway", "distance", NULL };

/* ---- addresses ---- */

static int address_derive(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_menu *m = v->menu;
	struct wg_prefix p;
	char buf[WG_PREFIX_STRLEN];
	const char *a = wg_item_get(m, it, "address");
	if (!a || wg_prefix_parse(&p, a) < 0)
		return 0;
	if ((m == &wg_menu_ip_address) != (p.family == AF_INET))
		return wg_fail(v, "invalid value for argument address");
	if (m == &wg_menu_ip_address) {
		wg_prefix_mask(&p);
		wg_item_set(m, it, "network", wg_addr_format(p.family, p.addr, buf));
	}
	return 0;
}

/* Two items are the same entry when these properties are equal. */
static bool same_props(const struct wg_menu *m, const struct wg_item *a, const struct wg_item *b,
		       const char *const *props)
{
	for (; *props; props++)
		if (!streq(wg_item_get(m, a, *props), wg_item_get(m, b, *props)))
			return false;
	return true;
}

static bool same_address(const struct wg_menu *m, const struct wg_item *a, const struct wg_item *b)
{
	static const char *const props[] = { "address", "interface", NULL };
	return same_props(m, a, b, props);
}

static int address_check(struct wg_vctx *v, struct wg_item *it)
{
	return wg_has_twin(v, it, same_address) ? wg_fail(v, "failure: already have such address") : 0;
}

static void address_runtime(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals)
{
	bool disabled = streq(vals[wg_menu_prop(m, "disabled")], "yes");
	xset(&vals[wg_menu_prop(m, "invalid")], !disabled && !wg_router_applied(r, m, it->id) ? "yes" : "no");
}

static bool configured_address(const struct wg_store *st, const struct wg_menu *m, const struct wg_nl_addr *a)
{
	const struct wg_table *t = wg_store_ctable(st, m);
	struct wg_prefix p;
	for (size_t i = 0; i < t->n; i++) {
		if (!wg_prefix_parse(&p, wg_item_get(m, t->v[i], "address")) && wg_prefix_eq(&p, &a->prefix) &&
		    streq(wg_item_get(m, t->v[i], "interface"), a->ifname))
			return true;
	}
	return false;
}

static void address_list_family(struct wg_router *r, const struct wg_menu *m, int family, struct wg_itemlist *out)
{
	void *ctx;
	const struct wg_sys_ops *sys = wg_router_sys(r, &ctx);
	struct wg_nl_addr *a = NULL;
	int n = sys && sys->addr_list ? sys->addr_list(ctx, family, &a) : 0;
	char buf[WG_PREFIX_STRLEN];
	for (int i = 0; i < n; i++) {
		if (configured_address(wg_router_store(r), m, &a[i]) || !strcmp(a[i].ifname, "lo"))
			continue;
		struct wg_item *it = wg_virtual_item(m, 0x80000000u + (uint32_t)out->n + 1);
		it->dynamic = true;
		wg_item_set(m, it, "address", wg_prefix_format(&a[i].prefix, false, buf));
		wg_item_set(m, it, "interface", a[i].ifname);
		if (family == AF_INET) {
			struct wg_prefix net = a[i].prefix;
			wg_prefix_mask(&net);
			wg_item_set(m, it, "network", wg_addr_format(AF_INET, net.addr, buf));
		} else {
			wg_item_set(m, it, "advertise", "no");
		}
		wg_itemlist_push(out, it);
	}
	free(a);
}

static void address4_list(struct wg_router *r, struct wg_itemlist *out)
{
	address_list_family(r, &wg_menu_ip_address, AF_INET, out);
}

static void address6_list(struct wg_router *r, struct wg_itemlist *out)
{
	address_list_family(r, &wg_menu_ipv6_address, AF_INET6, out);
}

const struct wg_menu wg_menu_ip_address = {
	.path = "/ip/address", .flags = MF_ITEMS, .props = address_props, .columns = address_cols,
	.flagdefs = address_flags, .derive = address_derive, .check = address_check,
	.runtime = address_runtime, .list = address4_list,
};

const struct wg_menu wg_menu_ipv6_address = {
	.path = "/ipv6/address", .flags = MF_ITEMS, .props = address6_props, .columns = address6_cols,
	.flagdefs = address_flags, .derive = address_derive, .check = address_check,
	.runtime = address_runtime, .list = address6_list,
};

/* ---- routes ---- */

uint32_t wg_route_table_id(const struct wg_store *st, const char *name)
{
	if (!name || !strcmp(name, "main"))
		return 254;
	const struct wg_table *t = wg_store_ctable(st, &wg_menu_routing_table);
	const struct wg_item *it = wg_table_by_name(t, name);
	return it ? 10000 + it->id : 0;
}

const char *wg_route_table_name(const struct wg_store *st, uint32_t id, char *buf, size_t len)
{
	const struct wg_table *t = wg_store_ctable(st, &wg_menu_routing_table);
	const struct wg_item *it = id > 10000 ? wg_table_by_id(t, id - 10000) : NULL;
	if (id == 254)
		return "main";
	if (it)
		return wg_item_get(&wg_menu_routing_table, it, "name");
	snprintf(buf, len, "%u", id);
	return buf;
}

static int route_derive(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_menu *m = v->menu;
	int fam = m == &wg_menu_ip_route ? AF_INET : AF_INET6;
	struct wg_prefix d, g;
	if (!wg_item_get(m, it, "dst-address"))
		wg_item_set(m, it, "dst-address", fam == AF_INET ? "0.0.0.0/0" : "::/0");
	if (wg_prefix_parse(&d, wg_item_get(m, it, "dst-address")) < 0 || d.family != fam)
		return wg_fail(v, "invalid value for argument dst-address");
	const char *gw = wg_item_get(m, it, "gateway");
	if (gw && !wg_addr_parse(&g, gw) && g.family != fam)
		return wg_fail(v, "invalid value for argument gateway");
	return 0;
}

static bool same_route(const struct wg_menu *m, const struct wg_item *a, const struct wg_item *b)
{
	static const char *const props[] = { "dst-address", "routing-table", "distance", "gateway", NULL };
	return same_props(m, a, b, props);
}

/* The gateway is an address or one of the interfaces; a route needs one unless it is
 * a blackhole. Two routes with the same destination, table and distance cannot both
 * be installed, so the second is refused like RouterOS refuses duplicates. */
static int route_check(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_menu *m = v->menu;
	struct wg_prefix g;
	const char *gw = wg_item_get(m, it, "gateway");
	if (!gw && !wg_item_flag(m, it, "blackhole"))
		return wg_fail(v, "missing value(s) of argument(s) gateway");
	if (gw && wg_addr_parse(&g, gw) < 0 && !wg_router_iface_exists(v->r, v->st, gw))
		return wg_fail(v, "input does not match any value of gateway");
	return wg_has_twin(v, it, same_route) ? wg_fail(v, "failure: already have such route") : 0;
}

static void route_runtime(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals)
{
	bool disabled = streq(vals[wg_menu_prop(m, "disabled")], "yes");
	xset(&vals[wg_menu_prop(m, "static")], "yes");
	bool on = !disabled && wg_router_applied(r, m, it->id);
	xset(&vals[wg_menu_prop(m, "active")], on ? "yes" : "no");
}

static bool configured_route(const struct wg_store *st, const struct wg_menu *m, const struct wg_nl_route *rt)
{
	if (rt->protocol != WG_NL_PROTO_STATIC)
		return false;
	const struct wg_table *t = wg_store_ctable(st, m);
	struct wg_prefix p;
	for (size_t i = 0; i < t->n; i++) {
		const struct wg_item *it = t->v[i];
		if (!wg_prefix_parse(&p, wg_item_get(m, it, "dst-address")) && wg_prefix_eq(&p, &rt->dst) &&
		    wg_route_table_id(st, wg_item_get(m, it, "routing-table")) == rt->table &&
		    (uint32_t)atoi(wg_item_get(m, it, "distance")) == rt->metric)
			return true;
	}
	return false;
}

static void route_fill(const struct wg_store *st, const struct wg_menu *m, struct wg_item *it,
		       const struct wg_nl_route *rt)
{
	char buf[WG_PREFIX_STRLEN], num[16];
	wg_item_set(m, it, "dst-address", wg_prefix_format(&rt->dst, false, buf));
	if (rt->blackhole)
		wg_item_set(m, it, "blackhole", "yes");
	else if (rt->has_gateway)
		wg_item_set(m, it, "gateway", wg_addr_format(rt->dst.family, rt->gateway, buf));
	else
		wg_item_set(m, it, "gateway", rt->oif);
	/* Linux stores an IPv6 route added without a metric as 1024 (IP6_RT_PRIO_USER);
	 * RouterOS shows such a dynamic route with distance 1, as for IPv4. */
	uint32_t metric = rt->dst.family == AF_INET6 && rt->metric == 1024 ? 0 : rt->metric;
	snprintf(num, sizeof(num), "%u", rt->protocol == WG_NL_PROTO_KERNEL ? 0 : (metric ? metric : 1));
	wg_item_set(m, it, "distance", num);
	wg_item_set(m, it, "routing-table", wg_route_table_name(st, rt->table, num, sizeof(num)));
	wg_item_set(m, it, "active", "yes");
	wg_item_set(m, it, "connect", rt->protocol == WG_NL_PROTO_KERNEL ? "yes" : "no");
	wg_item_set(m, it, "static", rt->protocol == WG_NL_PROTO_STATIC ? "yes" : "no");
}

static void route_list_family(struct wg_router *r, const struct wg_menu *m, int family, struct wg_itemlist *out)
{
	void *ctx;
	const struct wg_sys_ops *sys = wg_router_sys(r, &ctx);
	struct wg_nl_route *rt = NULL;
	int n = sys && sys->route_list ? sys->route_list(ctx, family, &rt) : 0;
	for (int i = 0; i < n; i++) {
		if (configured_route(wg_router_store(r), m, &rt[i]))
			continue;
		if (family == AF_INET6 && rt[i].dst.addr[0] == 0xff)
			continue; /* multicast */
		struct wg_item *it = wg_virtual_item(m, 0x80000000u + (uint32_t)out->n + 1);
		it->dynamic = true;
		route_fill(wg_router_store(r), m, it, &rt[i]);
		wg_itemlist_push(out, it);
	}
	free(rt);
}

static void route4_list(struct wg_router *r, struct wg_itemlist *out)
{
	route_list_family(r, &wg_menu_ip_route, AF_INET, out);
}

static void route6_list(struct wg_router *r, struct wg_itemlist *out)
{
	route_list_family(r, &wg_menu_ipv6_route, AF_INET6, out);
}

const struct wg_menu wg_menu_ip_route = {
	.path = "/ip/route", .flags = MF_ITEMS, .props = route_props, .columns = route_cols,
	.flagdefs = route_flags, .derive = route_derive, .check = route_check,
	.runtime = route_runtime, .list = route4_list,
};

const struct wg_menu wg_menu_ipv6_route = {
	.path = "/ipv6/route", .flags = MF_ITEMS, .props = route_props, .columns = route_cols,
	.flagdefs = route_flags, .derive = route_derive, .check = route_check,
	.runtime = route_runtime, .list = route6_list,
};

/* ---- /routing/table ---- */

static const struct wg_prop table_props[] = {
	{ "name", PT_STR, PF_REQUIRED | PF_UNIQUE, NULL, NULL, 0, 0 },
	{ "fib", PT_BOOL, 0, "no", NULL, 0, 0 },
	P_COMMENT,
	P_DISABLED,
	P_END,
};
static const struct wg_flagdef table_flags[] = {
	{ 'D', "dynamic", "dynamic" }, { 'X', "disabled", "disabled" }, { 'I', "invalid", "invalid" },
	{ 0, NULL, NULL },
};
static const char *const table_cols[] = { "name", "fib", NULL };

static int table_check(struct wg_vctx *v, struct wg_item *it)
{
	if (streq(wg_item_get(v->menu, it, "name"), "main"))
		return wg_fail(v, "failure: already have such entry");
	return 0;
}

static int table_on_remove(struct wg_vctx *v, const struct wg_item *it)
{
	const char *name = wg_item_get(v->menu, it, "name");
	const struct wg_menu *rm[] = { &wg_menu_ip_route, &wg_menu_ipv6_route };
	for (size_t k = 0; k < 2; k++) {
		const struct wg_table *t = wg_store_table(v->st, rm[k]);
		for (size_t i = 0; i < t->n; i++)
			if (streq(wg_item_get(rm[k], t->v[i], "routing-table"), name))
				return wg_fail(v, "failure: routing table %s is used by a route", name);
	}
	return 0;
}

static void table_list(struct wg_router *r, struct wg_itemlist *out)
{
	struct wg_item *it = wg_virtual_item(&wg_menu_routing_table, 0x80000000u + 1);
	it->dynamic = true;
	wg_item_set(&wg_menu_routing_table, it, "name", "main");
	wg_item_set(&wg_menu_routing_table, it, "fib", "yes");
	wg_itemlist_push(out, it);
}

const struct wg_menu wg_menu_routing_table = {
	.path = "/routing/table", .flags = MF_ITEMS, .props = table_props, .columns = table_cols,
	.flagdefs = table_flags, .name_prop = "name", .check = table_check,
	.on_remove = table_on_remove, .list = table_list,
};

/* ---- /ip/dns: the router's own resolver, and its DNS server for clients ---- */

static const struct wg_prop dns_props[] = {
	{ "servers", PT_IPS, 0, NULL, NULL, 0, 0 },
	{ "allow-remote-requests", PT_BOOL, 0, "no", NULL, 0, 0 },
	{ "cache-size", PT_INT, 0, "2048", NULL, 64, 4294967 },
	{ "cache-max-ttl", PT_TIME, 0, "1w", NULL, 0, 0 },
	{ "cache-used", PT_BYTES, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	P_END,
};

static void dns_runtime(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals)
{
	char num[24];
	snprintf(num, sizeof(num), "%zu", wg_router_dns_cache_used(r));
	xset(&vals[wg_menu_prop(m, "cache-used")], num);
}

const struct wg_menu wg_menu_ip_dns = {
	.path = "/ip/dns", .flags = MF_SETTINGS, .props = dns_props, .runtime = dns_runtime,
};

/* ---- /ip/dns/static: names the DNS server answers itself (A or AAAA by the address) ---- */

static const struct wg_prop dns_static_props[] = {
	{ "name", PT_STR, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "address", PT_IP, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "type", PT_STR, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "ttl", PT_TIME, 0, "1d", NULL, 0, 0 },
	P_COMMENT,
	P_DISABLED,
	P_END,
};
static const struct wg_flagdef dns_static_flags[] = {
	{ 'X', "disabled", "disabled" }, { 0, NULL, NULL },
};
static const char *const dns_static_cols[] = { "name", "address", "ttl", NULL };

/* The name must be one a query can carry; the type follows the address. */
static int dns_static_derive(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_menu *m = v->menu;
	const char *name = wg_item_get(m, it, "name"), *address = wg_item_get(m, it, "address");
	uint8_t wire[WG_DNS_NAME_MAX];
	struct wg_prefix a;
	if (name && (strchr(name, ' ') || wg_dns_name_encode(name, wire, sizeof(wire), true) < 0))
		return wg_fail(v, "invalid value for argument name");
	if (address && !wg_addr_parse(&a, address))
		wg_item_set(m, it, "type", a.family == AF_INET ? "A" : "AAAA");
	return 0;
}

/* The same name (in any case) with the same address twice would only answer twice. */
static bool same_static(const struct wg_menu *m, const struct wg_item *a, const struct wg_item *b)
{
	return !strcasecmp(wg_item_get(m, a, "name"), wg_item_get(m, b, "name")) &&
	       streq(wg_item_get(m, a, "address"), wg_item_get(m, b, "address"));
}

static int dns_static_check(struct wg_vctx *v, struct wg_item *it)
{
	return wg_has_twin(v, it, same_static) ? wg_fail(v, "failure: already have such entry") : 0;
}

const struct wg_menu wg_menu_ip_dns_static = {
	.path = "/ip/dns/static", .flags = MF_ITEMS | MF_ORDERED, .props = dns_static_props,
	.columns = dns_static_cols, .flagdefs = dns_static_flags, .derive = dns_static_derive,
	.check = dns_static_check,
};
