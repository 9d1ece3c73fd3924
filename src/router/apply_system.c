/* The system side of the router: /ip/address, /ip/route (plus a route for every peer's
 * allowed-address, as the seeds describe), the policy rules that /routing/mangle's
 * mark-routing needs ("fwmark MARK lookup TABLE"), and the firewall. Addresses, routes
 * and rules are reconciled against what the kernel actually has, so an interface that
 * restarts (and loses its addresses) gets them back on the next pass; the firewall
 * (mangle included) is one nftables table replaced atomically when its menus change. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "router/apply.h"
#include "router/menus.h"
#include "util/clock.h"
#include "util/keyset.h"

enum kind { E_ADDR, E_ROUTE, E_RULE };

/* Where mark-routing rules go in `ip rule`: after local (0), before main (32766). */
enum { MARK_RULE_PRIORITY = 10000 };

struct entry {
	enum kind kind;
	const struct wg_menu *menu;  /* the item it comes from (peers for allowed-address routes) */
	uint32_t id;
	char ifname[IF_NAMESIZE];    /* E_ADDR */
	struct wg_prefix prefix;     /* E_ADDR */
	struct wg_nl_route route;    /* E_ROUTE */
	struct wg_nl_rule rule;      /* E_RULE */
};

struct entries { struct entry *v; size_t n, cap; };

struct wg_sysrt {
	const struct wg_sys_ops *ops;
	void *ctx;
	struct entries installed;    /* added by the router, removed when no longer wanted */
	struct entries active;       /* wanted and present after the last pass */
	struct wg_fw_counter *counters;
	int ncounters;
	uint64_t counters_ms;
	bool fw_installed;
	bool flow_probed, flowtable;
	bool forwarding_done;        /* IP forwarding turned on (once per router start) */
};

static void push(struct entries *e, const struct entry *x)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 16;
		e->v = xrealloc(e->v, e->cap * sizeof(*e->v));
	}
	e->v[e->n++] = *x;
}

struct wg_sysrt *wg_sysrt_new(const struct wg_sys_ops *ops, void *ctx)
{
	struct wg_sysrt *s = xcalloc(1, sizeof(*s));
	s->ops = ops;
	s->ctx = ctx;
	return s;
}

static void remove_entry(struct wg_sysrt *s, const struct entry *e)
{
	if (e->kind == E_ADDR)
		s->ops->addr_del(s->ctx, e->ifname, &e->prefix);
	else if (e->kind == E_ROUTE)
		s->ops->route_del(s->ctx, &e->route);
	else if (s->ops->rule_del)
		s->ops->rule_del(s->ctx, &e->rule);
}

void wg_sysrt_free(struct wg_sysrt *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->ops && i < s->installed.n; i++)
		remove_entry(s, &s->installed.v[i]);
	if (s->ops && s->ops->fw_flush && s->fw_installed)
		s->ops->fw_flush(s->ctx);
	free(s->installed.v);
	free(s->active.v);
	free(s->counters);
	free(s);
}

/* An entry's identity as bytes, so sets of thousands compare in O(1): the fields that
 * make two addresses, routes or rules the same thing to the kernel, everything else
 * zero. A route is its destination, table and metric plus what it points to: blackhole,
 * a gateway, or else an interface. */
struct ekey {
	uint8_t kind, family, len, what;  /* what: 0 interface, 1 gateway, 2 blackhole */
	uint32_t table, metric, priority;
	uint8_t addr[16];
	uint8_t gw[16];
	char ifname[IF_NAMESIZE];
};

static void route_key(struct ekey *k, const struct wg_nl_route *r)
{
	k->kind = E_ROUTE;
	k->family = (uint8_t)r->dst.family;
	k->len = r->dst.len;
	memcpy(k->addr, r->dst.addr, (size_t)wg_prefix_addrlen(r->dst.family));
	k->table = r->table;
	k->metric = r->metric;
	k->what = r->blackhole ? 2 : r->has_gateway ? 1 : 0;
	if (k->what == 1)
		memcpy(k->gw, r->gateway, (size_t)wg_prefix_addrlen(r->dst.family));
	else if (k->what == 0)
		snprintf(k->ifname, sizeof(k->ifname), "%s", r->oif);
}

static void addr_key(struct ekey *k, const char *ifname, const struct wg_prefix *p)
{
	k->kind = E_ADDR;
	k->family = (uint8_t)p->family;
	k->len = p->len;
	memcpy(k->addr, p->addr, (size_t)wg_prefix_addrlen(p->family));
	snprintf(k->ifname, sizeof(k->ifname), "%s", ifname);
}

static void rule_key(struct ekey *k, const struct wg_nl_rule *r)
{
	k->kind = E_RULE;
	k->family = (uint8_t)r->family;
	k->metric = r->fwmark;
	k->table = r->table;
	k->priority = r->priority;
}

static void entry_key(struct ekey *k, const struct entry *e)
{
	memset(k, 0, sizeof(*k));
	if (e->kind == E_ADDR)
		addr_key(k, e->ifname, &e->prefix);
	else if (e->kind == E_RULE)
		rule_key(k, &e->rule);
	else
		route_key(k, &e->route);
}

static void keys_of(struct wg_keyset *set, const struct entries *es)
{
	struct ekey k;
	wg_keyset_init(set, sizeof(k));
	for (size_t i = 0; i < es->n; i++) {
		entry_key(&k, &es->v[i]);
		wg_keyset_add(set, &k);
	}
}

static bool key_in(const struct wg_keyset *set, const struct entry *e)
{
	struct ekey k;
	entry_key(&k, e);
	return wg_keyset_has(set, &k);
}

/* Appends e unless an equal entry was appended before (seen holds their keys). */
static void push_new(struct entries *out, struct wg_keyset *seen, const struct entry *e)
{
	struct ekey k;
	entry_key(&k, e);
	if (wg_keyset_add(seen, &k))
		push(out, e);
}

/* ---- what the configuration wants ---- */

static void want_addresses(const struct wg_store *st, const struct wg_menu *m, struct entries *out)
{
	const struct wg_table *t = wg_store_ctable(st, m);
	for (size_t i = 0; i < t->n; i++) {
		const struct wg_item *it = t->v[i];
		struct entry e = { .kind = E_ADDR, .menu = m, .id = it->id };
		if (wg_item_flag(m, it, "disabled") || wg_prefix_parse(&e.prefix, wg_item_get(m, it, "address")))
			continue;
		snprintf(e.ifname, sizeof(e.ifname), "%s", wg_item_get(m, it, "interface"));
		push(out, &e);
	}
}

static bool static_route_of(const struct wg_store *st, const struct wg_menu *m, const struct wg_item *it,
			    struct wg_nl_route *r)
{
	struct wg_prefix g;
	memset(r, 0, sizeof(*r));
	if (wg_prefix_parse(&r->dst, wg_item_get(m, it, "dst-address")))
		return false;
	wg_prefix_mask(&r->dst);
	const char *gw = wg_item_get(m, it, "gateway");
	r->blackhole = wg_item_flag(m, it, "blackhole");
	if (!r->blackhole && gw && !wg_addr_parse(&g, gw)) {
		r->has_gateway = true;
		memcpy(r->gateway, g.addr, sizeof(r->gateway));
	} else if (!r->blackhole && gw) {
		snprintf(r->oif, sizeof(r->oif), "%s", gw);
	}
	const char *src = wg_item_get(m, it, "pref-src");
	if (src && !wg_addr_parse(&g, src)) {
		r->has_prefsrc = true;
		memcpy(r->prefsrc, g.addr, sizeof(r->prefsrc));
	}
	r->table = wg_route_table_id(st, wg_item_get(m, it, "routing-table"));
	r->metric = (uint32_t)atoi(wg_item_get(m, it, "distance"));
	r->protocol = WG_NL_PROTO_STATIC;
	return r->table != 0;
}

static void want_routes(const struct wg_store *st, const struct wg_menu *m, struct entries *out)
{
	const struct wg_table *t = wg_store_ctable(st, m);
	for (size_t i = 0; i < t->n; i++) {
		struct entry e = { .kind = E_ROUTE, .menu = m, .id = t->v[i]->id };
		if (!wg_item_flag(m, t->v[i], "disabled") && static_route_of(st, m, t->v[i], &e.route))
			push(out, &e);
	}
}

/* The destinations of /ip/route and /ipv6/route entries in the main table (enabled or
 * not): a peer's allowed-address with one of these gets no route of its own. */
static void static_main_dsts(const struct wg_store *st, struct wg_keyset *set)
{
	const struct wg_menu *ms[] = { &wg_menu_ip_route, &wg_menu_ipv6_route };
	struct wg_prefix p;
	struct ekey k;
	wg_keyset_init(set, sizeof(k));
	for (size_t m = 0; m < 2; m++) {
		const struct wg_table *t = wg_store_ctable(st, ms[m]);
		for (size_t i = 0; i < t->n; i++) {
			if (wg_prefix_parse(&p, wg_item_get(ms[m], t->v[i], "dst-address")) ||
			    !streq(wg_item_get(ms[m], t->v[i], "routing-table"), "main"))
				continue;
			memset(&k, 0, sizeof(k));
			addr_key(&k, "", &p);
			wg_keyset_add(set, &k);
		}
	}
}

static bool in_dsts(const struct wg_keyset *set, const struct wg_prefix *p)
{
	struct ekey k;
	memset(&k, 0, sizeof(k));
	addr_key(&k, "", p);
	return wg_keyset_has(set, &k);
}

/* A route through the interface for each allowed-address prefix of an enabled peer,
 * except default routes (a full tunnel needs an explicit /ip/route, or it would also
 * swallow the route to the peer's own endpoint) and prefixes an /ip/route already covers. */
static void want_peer_routes(const struct wg_store *st, struct entries *out, struct wg_keyset *seen)
{
	struct wg_keyset statics;
	static_main_dsts(st, &statics);
	const struct wg_table *pt = wg_store_ctable(st, &wg_menu_peers);
	const struct wg_table *wt = wg_store_ctable(st, &wg_menu_wireguard);
	for (size_t i = 0; i < pt->n; i++) {
		const struct wg_item *p = pt->v[i];
		const char *ifname = wg_item_get(&wg_menu_peers, p, "interface");
		const struct wg_item *w = wg_table_by_name(wt, ifname);
		if (wg_item_flag(&wg_menu_peers, p, "disabled") || !w || wg_item_flag(&wg_menu_wireguard, w, "disabled"))
			continue;
		struct strvec v = { 0 };
		sv_split(&v, wg_item_get(&wg_menu_peers, p, "allowed-address"), ',');
		for (size_t j = 0; j < v.n; j++) {
			struct entry e = { .kind = E_ROUTE, .menu = &wg_menu_peers, .id = p->id };
			if (wg_prefix_parse(&e.route.dst, v.v[j]) || !e.route.dst.len || in_dsts(&statics, &e.route.dst))
				continue;
			snprintf(e.route.oif, sizeof(e.route.oif), "%s", ifname);
			e.route.table = WG_NL_TABLE_MAIN;
			e.route.protocol = WG_NL_PROTO_WGROUTER;
			push_new(out, seen, &e);
		}
		sv_free(&v);
	}
	wg_keyset_free(&statics);
}

/* One rule per routing table and family that an enabled mark-routing rule names; the
 * table's id is the routing part (low 16 bits) of the mark the firewall sets. */
static void want_mark_rules_of(const struct wg_store *st, const struct wg_menu *m, int family,
			       struct entries *out, struct wg_keyset *seen)
{
	const struct wg_table *t = wg_store_ctable(st, m);
	for (size_t i = 0; i < t->n; i++) {
		const struct wg_item *it = t->v[i];
		uint32_t table = wg_route_table_id(st, wg_item_get(m, it, "new-routing-mark"));
		struct entry e = { .kind = E_RULE, .menu = m, .id = it->id,
				   .rule = { family, table, table, MARK_RULE_PRIORITY, WG_NL_PROTO_WGROUTER } };
		if (!wg_item_flag(m, it, "disabled") && streq(wg_item_get(m, it, "action"), "mark-routing") &&
		    table)
			push_new(out, seen, &e);
	}
}

static void want_mark_rules(const struct wg_store *st, struct entries *out, struct wg_keyset *seen)
{
	want_mark_rules_of(st, &wg_menu_fw_mangle, AF_INET, out, seen);
	want_mark_rules_of(st, &wg_menu_fw6_mangle, AF_INET6, out, seen);
}

static void wanted(const struct wg_store *st, struct entries *out)
{
	want_addresses(st, &wg_menu_ip_address, out);
	want_addresses(st, &wg_menu_ipv6_address, out);
	want_routes(st, &wg_menu_ip_route, out);
	want_routes(st, &wg_menu_ipv6_route, out);
	struct wg_keyset seen;
	keys_of(&seen, out);
	want_peer_routes(st, out, &seen);
	want_mark_rules(st, out, &seen);
	wg_keyset_free(&seen);
}

/* ---- what the kernel has ---- */

/* The kernel's addresses, routes and policy rules as one set of keys. */
static void kernel_keys(struct wg_sysrt *s, struct wg_keyset *set)
{
	struct wg_nl_addr *addrs = NULL;
	struct wg_nl_route *routes = NULL;
	struct wg_nl_rule *rules = NULL;
	int na = s->ops->addr_list(s->ctx, AF_UNSPEC, &addrs);
	int nr = s->ops->route_list(s->ctx, AF_UNSPEC, &routes);
	int nu = s->ops->rule_list ? s->ops->rule_list(s->ctx, AF_UNSPEC, &rules) : 0;
	struct ekey k;
	wg_keyset_init(set, sizeof(k));
	for (int i = 0; i < na; i++) {
		memset(&k, 0, sizeof(k));
		addr_key(&k, addrs[i].ifname, &addrs[i].prefix);
		wg_keyset_add(set, &k);
	}
	for (int i = 0; i < nr; i++) {
		memset(&k, 0, sizeof(k));
		route_key(&k, &routes[i]);
		wg_keyset_add(set, &k);
	}
	for (int i = 0; i < nu; i++) {
		memset(&k, 0, sizeof(k));
		rule_key(&k, &rules[i]);
		wg_keyset_add(set, &k);
	}
	free(addrs);
	free(routes);
	free(rules);
}

static int add_entry(struct wg_sysrt *s, const struct entry *e)
{
	if (e->kind == E_ADDR)
		return s->ops->addr_add(s->ctx, e->ifname, &e->prefix);
	if (e->kind == E_RULE)
		return s->ops->rule_add ? s->ops->rule_add(s->ctx, &e->rule) : -EOPNOTSUPP;
	return s->ops->route_add(s->ctx, &e->route);
}

static void describe(const struct entry *e, char *buf, size_t len)
{
	char p[WG_PREFIX_STRLEN];
	if (e->kind == E_ADDR)
		snprintf(buf, len, "address %s on %s", wg_prefix_format(&e->prefix, false, p), e->ifname);
	else if (e->kind == E_RULE)
		snprintf(buf, len, "policy rule for routing mark %u", e->rule.fwmark);
	else
		snprintf(buf, len, "route to %s", wg_prefix_format(&e->route.dst, false, p));
}

static void remove_unwanted(struct wg_sysrt *s, const struct entries *want)
{
	struct wg_keyset wanted_keys;
	keys_of(&wanted_keys, want);
	for (size_t i = 0; i < s->installed.n;) {
		if (key_in(&wanted_keys, &s->installed.v[i])) {
			i++;
			continue;
		}
		remove_entry(s, &s->installed.v[i]);
		s->installed.v[i] = s->installed.v[--s->installed.n];
	}
	wg_keyset_free(&wanted_keys);
}

/* full: what the kernel has is read (netlink dumps, thousands of routes with many
 * peers); otherwise what was present after the last pass is taken as still there, and
 * only new entries are added (the periodic full pass puts back what vanished). */
static void install_missing(struct wg_sysrt *s, struct wg_router *r, const struct entries *want, bool loud, bool full)
{
	struct wg_keyset kernel, installed;
	if (full)
		kernel_keys(s, &kernel);
	else
		keys_of(&kernel, &s->active);
	keys_of(&installed, &s->installed);
	s->active.n = 0;
	for (size_t i = 0; i < want->n; i++) {
		const struct entry *e = &want->v[i];
		bool present = key_in(&kernel, e);
		int rc = present ? 0 : add_entry(s, e);
		if (!present && rc == 0) {
			struct ekey k;
			entry_key(&k, e);
			if (wg_keyset_add(&installed, &k))
				push(&s->installed, e);
		}
		if (rc == 0 || rc == -EEXIST) {
			push(&s->active, e);
		} else if (loud) {
			char what[96];
			describe(e, what, sizeof(what));
			wg_router_logf(r, "system,error", "could not install %s: %s", what, strerror(-rc));
		}
	}
	wg_keyset_free(&kernel);
	wg_keyset_free(&installed);
}

/* ---- firewall ---- */

/* The menus whose rules compile into the nftables table. */
static const struct wg_menu *const rule_menus[] = {
	&wg_menu_fw_filter, &wg_menu_fw_nat, &wg_menu_fw6_filter, &wg_menu_fw6_nat, &wg_menu_fw_mangle,
	&wg_menu_fw6_mangle, &wg_menu_fw_raw, &wg_menu_fw6_raw,
};

struct fwbuild {
	struct wg_fw_rule *rules[WG_FW_NFAMILY][WG_FW_NTABLE];
	struct wg_fw_prop *props;   /* one block for every rule's properties */
	char (*ids)[16];
	struct wg_fw_addr_entry *addrs[WG_FW_NFAMILY];
	struct strvec lists;
	struct wg_fw_if_member *members;
	struct wg_fw_route_mark *marks;
};

static void build_rules(struct fwbuild *b, const struct wg_store *st, struct wg_fw_config *cfg, size_t *slot)
{
	for (size_t k = 0; k < sizeof(rule_menus) / sizeof(rule_menus[0]); k++) {
		const struct wg_menu *const *ms = rule_menus;
		enum wg_fw_family f;
		enum wg_fw_table tb;
		wg_fw_menu_kind(ms[k], &f, &tb);
		const struct wg_table *t = wg_store_ctable(st, ms[k]);
		size_t np = wg_menu_nprops(ms[k]) + 1;
		b->rules[f][tb] = xcalloc(t->n + 1, sizeof(struct wg_fw_rule));
		for (size_t i = 0; i < t->n; i++) {
			if (wg_item_flag(ms[k], t->v[i], "disabled"))
				continue;
			struct wg_fw_rule *r = &b->rules[f][tb][cfg->nrules[f][tb]++];
			wg_fw_rule_of(ms[k], t->v[i], r, &b->props[*slot * np], b->ids[*slot]);
			(*slot)++;
			for (size_t j = 0; j < r->nprops; j++) {
				const char *key = r->props[j].key, *v = r->props[j].value;
				if ((!strcmp(key, "in-interface-list") || !strcmp(key, "out-interface-list")) &&
				    !sv_has(&b->lists, v[0] == '!' ? v + 1 : v))
					sv_push(&b->lists, v[0] == '!' ? v + 1 : v);
			}
		}
		cfg->rules[f][tb] = b->rules[f][tb];
	}
}

static void build_addrs(struct fwbuild *b, const struct wg_store *st, struct wg_fw_config *cfg)
{
	const struct wg_menu *ms[] = { &wg_menu_fw_addrlist, &wg_menu_fw6_addrlist };
	for (int f = 0; f < 2; f++) {
		const struct wg_table *t = wg_store_ctable(st, ms[f]);
		b->addrs[f] = xcalloc(t->n + 1, sizeof(struct wg_fw_addr_entry));
		for (size_t i = 0; i < t->n; i++)
			b->addrs[f][i] = (struct wg_fw_addr_entry){
				wg_item_get(ms[f], t->v[i], "list"), wg_item_get(ms[f], t->v[i], "address"),
				wg_item_get(ms[f], t->v[i], "timeout"), wg_item_flag(ms[f], t->v[i], "disabled"),
			};
		cfg->addrs[f] = b->addrs[f];
		cfg->naddrs[f] = t->n;
	}
}

static void build_lists(struct fwbuild *b, const struct wg_store *st, struct wg_fw_config *cfg)
{
	const struct wg_table *lt = wg_store_ctable(st, &wg_menu_iflist);
	const struct wg_table *mt = wg_store_ctable(st, &wg_menu_iflist_member);
	for (size_t i = 0; i < lt->n; i++)
		if (!sv_has(&b->lists, wg_item_get(&wg_menu_iflist, lt->v[i], "name")))
			sv_push(&b->lists, wg_item_get(&wg_menu_iflist, lt->v[i], "name"));
	/* builtin lists are the compiler's own */
	for (size_t i = 0; i < b->lists.n; i++) {
		const char *n = b->lists.v[i];
		if (!strcmp(n, "all") || !strcmp(n, "none") || !strcmp(n, "dynamic") || !strcmp(n, "static")) {
			free(b->lists.v[i]);
			b->lists.v[i--] = b->lists.v[--b->lists.n];
		}
	}
	b->members = xcalloc(mt->n + 1, sizeof(*b->members));
	for (size_t i = 0; i < mt->n; i++) {
		if (wg_item_flag(&wg_menu_iflist_member, mt->v[i], "disabled"))
			continue;
		b->members[cfg->nmembers++] = (struct wg_fw_if_member){
			wg_item_get(&wg_menu_iflist_member, mt->v[i], "list"),
			wg_item_get(&wg_menu_iflist_member, mt->v[i], "interface"),
		};
	}
	cfg->if_lists = (const char *const *)b->lists.v;
	cfg->nif_lists = b->lists.n;
	cfg->members = b->members;
}

/* Every routing table mark-routing may name, with its mark (= its table id). */
static void build_marks(struct fwbuild *b, const struct wg_store *st, struct wg_fw_config *cfg)
{
	const struct wg_table *t = wg_store_ctable(st, &wg_menu_routing_table);
	b->marks = xcalloc(t->n + 1, sizeof(*b->marks));
	b->marks[cfg->nroute_marks++] = (struct wg_fw_route_mark){ "main", wg_route_table_id(st, "main") };
	for (size_t i = 0; i < t->n; i++) {
		const char *name = wg_item_get(&wg_menu_routing_table, t->v[i], "name");
		if (name && strcmp(name, "main"))
			b->marks[cfg->nroute_marks++] = (struct wg_fw_route_mark){ name, wg_route_table_id(st, name) };
	}
	cfg->route_marks = b->marks;
}

static size_t rule_slots(const struct wg_store *st, size_t *maxprops)
{
	const struct wg_menu *const *ms = rule_menus;
	size_t n = 0;
	*maxprops = 0;
	for (size_t k = 0; k < sizeof(rule_menus) / sizeof(rule_menus[0]); k++) {
		n += wg_store_ctable(st, ms[k])->n;
		if (wg_menu_nprops(ms[k]) + 1 > *maxprops)
			*maxprops = wg_menu_nprops(ms[k]) + 1;
	}
	return n;
}

/* fasttrack-connection offloads to a flowtable over the system's interfaces when the
 * kernel has flowtables (probed once). */
static void flowtable(struct wg_sysrt *s, struct wg_router *r, struct wg_fw_config *cfg, struct strvec *devs)
{
	const struct wg_nl_link *links;
	size_t n = wg_router_links(r, &links);
	if (!s->flow_probed && s->ops->fw_flowtable)
		s->flowtable = s->ops->fw_flowtable(s->ctx);
	s->flow_probed = true;
	cfg->flowtable = s->flowtable;
	for (size_t i = 0; cfg->flowtable && i < n; i++)
		sv_push(devs, links[i].name);
	cfg->flow_devices = (const char *const *)devs->v;
	cfg->nflow_devices = devs->n;
}

static void apply_firewall(struct wg_sysrt *s, struct wg_router *r, const struct wg_store *st,
			   const struct wg_fw_counter *reset, size_t nreset)
{
	if (!s->ops->fw_apply) {
		wg_router_logf(r, "firewall,warning", "firewall rules are kept but not applied: no nftables backend in this build");
		return;
	}
	struct wg_fw_config cfg = { 0 };
	struct fwbuild b = { 0 };
	size_t maxp, slots = rule_slots(st, &maxp), slot = 0;
	b.props = xcalloc((slots + 1) * maxp, sizeof(*b.props));
	b.ids = xcalloc(slots + 1, sizeof(*b.ids));
	build_rules(&b, st, &cfg, &slot);
	build_addrs(&b, st, &cfg);
	build_lists(&b, st, &cfg);
	build_marks(&b, st, &cfg);
	struct strvec devs = { 0 };
	flowtable(s, r, &cfg, &devs);
	cfg.counters = reset;
	cfg.ncounters = nreset;
	char err[256] = "";
	if (s->ops->fw_apply(s->ctx, &cfg, WG_NFT_KEEP_COUNTERS | WG_NFT_KEEP_DYNAMIC, err, sizeof(err)) < 0)
		wg_router_logf(r, "firewall,error", "firewall not applied: %s", err);
	else
		s->fw_installed = true;
	for (int f = 0; f < WG_FW_NFAMILY; f++) {
		for (int t = 0; t < WG_FW_NTABLE; t++)
			free(b.rules[f][t]);
		free(b.addrs[f]);
	}
	free(b.props);
	free(b.ids);
	free(b.members);
	free(b.marks);
	sv_free(&b.lists);
	sv_free(&devs);
	s->counters_ms = 0;
}

/* No rules, lists or address lists: no table at all (a fresh router leaves the host's
 * nftables untouched). */
static bool firewall_empty(const struct wg_store *st)
{
	const struct wg_menu *ms[] = {
		&wg_menu_fw_filter, &wg_menu_fw_nat, &wg_menu_fw6_filter, &wg_menu_fw6_nat, &wg_menu_fw_addrlist,
		&wg_menu_fw6_addrlist, &wg_menu_iflist, &wg_menu_fw_mangle, &wg_menu_fw6_mangle, &wg_menu_fw_raw,
		&wg_menu_fw6_raw,
	};
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		if (wg_store_ctable(st, ms[i])->n)
			return false;
	return true;
}

void wg_sysrt_apply(struct wg_sysrt *s, struct wg_router *r, const struct wg_store *st, bool fw_changed, bool loud,
		    bool full)
{
	if (!s->ops)
		return;
	if (!s->forwarding_done && s->ops->set_forwarding) {
		int rc = s->ops->set_forwarding(s->ctx, true);
		if (rc < 0)
			wg_router_logf(r, "system,error", "could not turn on IP forwarding: %s", strerror(-rc));
		s->forwarding_done = true;
	}
	struct entries want = { 0 };
	wanted(st, &want);
	remove_unwanted(s, &want);
	install_missing(s, r, &want, loud, full);
	free(want.v);
	if (fw_changed && firewall_empty(st)) {
		if (s->fw_installed && s->ops->fw_flush)
			s->ops->fw_flush(s->ctx);
		s->fw_installed = false;
	} else if (fw_changed) {
		apply_firewall(s, r, st, NULL, 0);
	}
}

void wg_sysrt_reset_counters(struct wg_sysrt *s, struct wg_router *r, const struct wg_store *st,
			     enum wg_fw_family f, enum wg_fw_table t, const uint32_t *ids, size_t n)
{
	struct wg_fw_counter *zero = xcalloc(n + 1, sizeof(*zero));
	for (size_t i = 0; i < n; i++) {
		zero[i].family = f;
		zero[i].table = t;
		wg_id_format(ids[i], zero[i].id);
	}
	if (s->ops && s->fw_installed)
		apply_firewall(s, r, st, zero, n);
	free(zero);
}

bool wg_sysrt_applied(struct wg_sysrt *s, const struct wg_menu *m, uint32_t id)
{
	for (size_t i = 0; i < s->active.n; i++)
		if (s->active.v[i].menu == m && s->active.v[i].id == id)
			return true;
	return false;
}

bool wg_sysrt_counter(struct wg_sysrt *s, enum wg_fw_family f, enum wg_fw_table t, uint32_t id,
		      uint64_t *bytes, uint64_t *packets)
{
	if (!s->ops || !s->ops->fw_counters)
		return false;
	if (!s->counters_ms || wg_mono_ms() - s->counters_ms > 1000) {
		free(s->counters);
		s->counters = NULL;
		s->ncounters = s->ops->fw_counters(s->ctx, &s->counters);
		if (s->ncounters < 0)
			s->ncounters = 0;
		s->counters_ms = wg_mono_ms();
	}
	char sid[16];
	wg_id_format(id, sid);
	for (int i = 0; i < s->ncounters; i++) {
		const struct wg_fw_counter *c = &s->counters[i];
		if (c->family == f && c->table == t && !strcmp(c->id, sid)) {
			*bytes = c->bytes;
			*packets = c->packets;
			return true;
		}
	}
	return false;
}
